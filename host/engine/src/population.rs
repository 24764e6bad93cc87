//! Synthetic populations for any model, generated from its `describe()`:
//! realistic enough to exercise every band, cap and failure path of a
//! model, and deterministic (the same seed gives the same subjects).
//!
//! ## The distributions
//! - **Subject kinds**: the model's declared kinds, in the proportions of
//!   the province's 2020 registers (natural persons 50 %, enterprises 40 %,
//!   the three public kinds 10 %), renormalised over the kinds it scores.
//! - **The provincial base** ("1"): left-skewed and near-normal, as the
//!   source describes the Qianjiang score: `880 − G` with `G` a gamma(2, 55)
//!   variable, so a mode near 825, a mean near 770, a long tail towards
//!   the low scores; clamped to 300–1000, in half points. Its grade uses the
//!   provincial bands (A ≥ 850, B ≥ 750, C ≥ 650, D below). 5 % are on a
//!   red list, 1.5 % on a black list.
//! - **Indicators**, by the kind and wording of each declaration:
//!   - optional ones are present for 85 % of subjects, required ones always;
//!   - `flag`: true for 75 %, or for 8 % when the name speaks of a
//!     negative fact (overdue, violation, default, arrears, penalty, black
//!     list, counterfeit, dishonesty);
//!   - `text` with "one record per event" (environment-style events):
//!     0–n events per kind, Poisson with mean 0.15, each `open` (55 %) or
//!     `rectified`, dated uniformly over the last five years;
//!   - other `text`: one of the values the description lists — quoted
//!     (`"open" or "rectified"`), as `X=points` (`A=100, B=80`), or as a
//!     list (`a, b or c`) — the first most often (weights halving);
//!   - `date`: uniform over the last three years;
//!   - `number`: counts of negative facts (violations, complaints, cases,
//!     defaults, arrears) from a mixture — 85 % of subjects with mean 0.1,
//!     15 % "troubled" with mean 1.5; `age` near-normal around 41 (sd 13,
//!     18–85); percentages skewed low (`100·U²`); money (CNY, capital,
//!     revenue) log-normal around the geometric mean of the figures the
//!     description names (σ = 1.2); anything "per … at most M" uniform over
//!     0–130 % of the units that earn full marks, so that some subjects hit
//!     the cap; otherwise log-normal around 10.

use serde_json::{Value, json};

use crate::contract::{ModelInfo, SubjectKind, ValueKind};
use crate::wire::{ScoreRequest, WireBase, WireIndicator, WireSubject};

/// A small, fast, deterministic generator (splitmix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Normal (Box–Muller).
    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let u = self.unit().max(f64::MIN_POSITIVE);
        let v = self.unit();
        mean + sd * (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
    /// Poisson with mean `lambda` (Knuth; for small means).
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        let limit = (-lambda).exp();
        let (mut k, mut p) = (0, 1.0);
        loop {
            p *= self.unit();
            if p <= limit {
                return k;
            }
            k += 1;
        }
    }
    /// Whether an event of probability `p` happens.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }
}

/// Words that make a flag or a count a negative fact.
const NEGATIVE: [&str; 11] = [
    "overdue",
    "violation",
    "default",
    "arrear",
    "penalt",
    "black",
    "counterfeit",
    "dishonest",
    "complaint",
    "case",
    "exceedance",
];

/// The proportions of the subject kinds in the province's registers.
const KIND_SHARES: [(SubjectKind, f64); 5] = [
    (SubjectKind::NaturalPerson, 0.50),
    (SubjectKind::Enterprise, 0.40),
    (SubjectKind::SocialOrganization, 0.04),
    (SubjectKind::PublicInstitution, 0.03),
    (SubjectKind::GovernmentAgency, 0.03),
];

/// How one declared indicator is generated (worked out once per model).
#[derive(Debug, Clone)]
enum Shape {
    Flag { p_true: f64 },
    Events,
    Choice(Vec<String>),
    Date,
    NegativeCount,
    Age,
    Percent,
    Money { median: f64 },
    UpTo { units: f64 },
    Other,
}

/// A generator of subjects for one model.
pub struct Population {
    info: ModelInfo,
    shapes: Vec<(String, bool, Shape)>,
    kinds: Vec<(SubjectKind, f64)>,
    as_of: time::Date,
    rng: Rng,
    next: u64,
}

impl Population {
    /// Subjects for the model `info` declares, evaluated as of `as_of`,
    /// from `seed`.
    pub fn new(info: &ModelInfo, as_of: time::Date, seed: u64) -> Population {
        let shapes = info
            .indicators
            .iter()
            .map(|s| {
                (
                    s.name.clone(),
                    s.required,
                    shape(s.kind, &s.name, &s.description),
                )
            })
            .collect();
        let mut kinds: Vec<(SubjectKind, f64)> = KIND_SHARES
            .iter()
            .filter(|(k, _)| info.subject_kinds.contains(k))
            .copied()
            .collect();
        let sum: f64 = kinds.iter().map(|(_, s)| s).sum();
        for (_, s) in &mut kinds {
            *s /= sum;
        }
        Population {
            info: info.clone(),
            shapes,
            kinds,
            as_of,
            rng: Rng::new(seed),
            next: 0,
        }
    }

    fn kind(&mut self) -> SubjectKind {
        let mut r = self.rng.unit();
        for (k, share) in &self.kinds {
            if r < *share {
                return *k;
            }
            r -= share;
        }
        self.kinds
            .last()
            .map(|(k, _)| *k)
            .unwrap_or(SubjectKind::Enterprise)
    }

    fn day_within(&mut self, days: u64) -> String {
        let back = (self.rng.next_u64() % days.max(1)) as i64;
        (self.as_of - time::Duration::days(back)).to_string()
    }

    fn value(&mut self, name: &str, shape: &Shape) -> Vec<WireIndicator> {
        let one = |value: Value| {
            vec![WireIndicator {
                name: name.to_string(),
                value,
                observed_on: None,
                source: Some("synthetic".into()),
            }]
        };
        let rng = &mut self.rng;
        match shape {
            Shape::Flag { p_true } => one(json!(rng.chance(*p_true))),
            Shape::Choice(options) => {
                // Weights halving: the first option half the time.
                let mut pick = options.len() - 1;
                for i in 0..options.len() {
                    if rng.chance(0.5) {
                        pick = i;
                        break;
                    }
                }
                one(json!(options[pick]))
            }
            Shape::Date => one(json!(self.day_within(3 * 365))),
            Shape::Events => {
                let n = self.rng.poisson(0.15);
                (0..n)
                    .map(|_| {
                        let status = if self.rng.chance(0.55) {
                            "open"
                        } else {
                            "rectified"
                        };
                        WireIndicator {
                            name: name.to_string(),
                            value: json!(status),
                            observed_on: Some(self.day_within(5 * 365)),
                            source: Some("synthetic".into()),
                        }
                    })
                    .collect()
            }
            Shape::NegativeCount => {
                let lambda = if rng.chance(0.15) { 1.5 } else { 0.1 };
                one(json!(rng.poisson(lambda)))
            }
            Shape::Age => one(json!(rng.normal(41.0, 13.0).clamp(18.0, 85.0).round())),
            Shape::Percent => {
                let u = rng.unit();
                one(json!((u * u * 1000.0).round() / 10.0))
            }
            Shape::Money { median } => {
                let v = median * rng.normal(0.0, 1.2).exp();
                one(json!(v.round()))
            }
            Shape::UpTo { units } => one(json!((units * 1.3 * rng.unit()).round())),
            Shape::Other => one(json!((10.0 * rng.normal(0.0, 1.0).exp()).round())),
        }
    }

    /// The next subject, as a wire request for the model.
    pub fn next_request(&mut self) -> ScoreRequest {
        self.next += 1;
        let kind = self.kind();
        let n = self.next;
        let id = match kind {
            SubjectKind::NaturalPerson => format!("330106{:011}X", n),
            SubjectKind::Enterprise => format!("91330{:012}X", n),
            SubjectKind::SocialOrganization => format!("51330{:012}X", n),
            SubjectKind::PublicInstitution => format!("12330{:012}X", n),
            SubjectKind::GovernmentAgency => format!("11330{:012}X", n),
        };
        let g = -55.0 * (self.rng.unit().max(1e-12).ln() + self.rng.unit().max(1e-12).ln());
        let score = ((880.0 - g).clamp(300.0, 1000.0) * 2.0).round() / 2.0;
        let grade = match score {
            s if s >= 850.0 => "A",
            s if s >= 750.0 => "B",
            s if s >= 650.0 => "C",
            _ => "D",
        };
        let mut lists = Vec::new();
        if self.rng.chance(0.05) {
            lists.push("red:provincial-honour".to_string());
        }
        if self.rng.chance(0.015) {
            lists.push("black:court-defaulter".to_string());
        }
        let mut indicators = Vec::new();
        let shapes = self.shapes.clone();
        for (name, required, shape) in &shapes {
            let events = matches!(shape, Shape::Events);
            if !required && !events && !self.rng.chance(0.85) {
                continue;
            }
            indicators.extend(self.value(name, shape));
        }
        ScoreRequest {
            model: Some(self.info.name.clone()),
            subject: WireSubject {
                id,
                kind: crate::contract::subject_kind_name(kind).to_string(),
            },
            as_of: self.as_of.to_string(),
            base: WireBase {
                score,
                grade: grade.into(),
                dimensions: Default::default(),
                lists,
            },
            indicators,
            withheld: Vec::new(),
            from_store: false,
        }
    }
}

/// The sample mean and skewness of `values` (negative: a longer tail
/// towards the low end, as the Qianjiang distribution is described). For
/// checking that generated populations, and the scores they get, have the
/// shape they should.
pub fn mean_and_skewness(values: &[f64]) -> (f64, f64) {
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / n).sqrt();
    let skew = values
        .iter()
        .map(|s| ((s - mean) / sd).powi(3))
        .sum::<f64>()
        / n;
    (mean, skew)
}

/// How an indicator declared as `kind`, `name`, `description` is drawn.
fn shape(kind: ValueKind, name: &str, description: &str) -> Shape {
    let lower = format!("{} {}", name.to_lowercase(), description.to_lowercase());
    let negative = NEGATIVE.iter().any(|w| name.to_lowercase().contains(w));
    match kind {
        ValueKind::Flag => Shape::Flag {
            p_true: if negative { 0.08 } else { 0.75 },
        },
        ValueKind::Date => Shape::Date,
        ValueKind::Text if lower.contains("one record per event") => Shape::Events,
        ValueKind::Text => match options(description) {
            o if o.is_empty() => Shape::Choice(vec!["unspecified".into()]),
            o => Shape::Choice(o),
        },
        ValueKind::Number if negative => Shape::NegativeCount,
        ValueKind::Number if name == "age" || name.ends_with("_age") => Shape::Age,
        ValueKind::Number if name.ends_with("_pct") || lower.contains("percent") => Shape::Percent,
        ValueKind::Number
            if ["cny", "capital", "revenue", "amount"]
                .iter()
                .any(|w| name.contains(w)) =>
        {
            let figures: Vec<f64> = numbers(description)
                .into_iter()
                .filter(|n| *n >= 100.0)
                .collect();
            let median = if figures.is_empty() {
                1000.0
            } else {
                (figures.iter().map(|f| f.ln()).sum::<f64>() / figures.len() as f64).exp()
            };
            Shape::Money { median }
        }
        ValueKind::Number => match units_to_full_marks(description) {
            Some(units) => Shape::UpTo { units },
            None => Shape::Other,
        },
    }
}

/// The values a description lists for a text indicator.
fn options(description: &str) -> Vec<String> {
    // Quoted: `value "open" or "rectified"`.
    let quoted: Vec<String> = description
        .split('"')
        .skip(1)
        .step_by(2)
        .map(String::from)
        .collect();
    if !quoted.is_empty() {
        return quoted;
    }
    // Points per value: `A=100, B=80, M=60`.
    let keyed: Vec<String> = description
        .split([',', ' ', ':'])
        .filter_map(|t| t.split_once('=').map(|(k, _)| k.trim().to_string()))
        .filter(|k| !k.is_empty())
        .collect();
    if !keyed.is_empty() {
        return keyed;
    }
    // A list: `a, b, c or d` (after the last colon, if any).
    let tail = description.rsplit(':').next().unwrap_or(description);
    let parts: Vec<String> = tail
        .split(',')
        .flat_map(|p| p.split(" or "))
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() > 1 && parts.iter().all(|p| !p.contains(' ')) {
        parts
    } else {
        Vec::new()
    }
}

/// The numbers in a text (`1,000` is one thousand).
fn numbers(text: &str) -> Vec<f64> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == '.' && !cur.is_empty()) || (c == ',' && !cur.is_empty()) {
            cur.push(c);
        } else if !cur.is_empty() {
            let clean: String = cur.trim_end_matches([',', '.']).replace(',', "");
            if let Ok(n) = clean.parse() {
                out.push(n);
            }
            cur.clear();
        }
    }
    out
}

/// For "P points per unit …, at most M": the units that earn full marks
/// (M/P when M counts points, M when it counts units, as in "at most 10
/// years" or "20 points per honour, at most 2").
fn units_to_full_marks(description: &str) -> Option<f64> {
    let (_, after) = description.split_once("at most ")?;
    let max = *numbers(after).first()?;
    let unit_word = after
        .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.' || c == ',')
        .split_whitespace()
        .next()
        .unwrap_or("");
    let per = description
        .find(" points per ")
        .or_else(|| description.find(" points a "))
        .and_then(|i| numbers(&description[..i]).last().copied());
    match per {
        Some(p) if p > 0.0 && unit_word != "points" && !unit_word.starts_with("points") => {
            if unit_word.is_empty() && max / p > 1.0 {
                Some(max / p)
            } else {
                Some(max)
            }
        }
        _ => Some(max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_are_read_from_descriptions() {
        assert_eq!(
            options("freight-forwarder, ship-agent, warehouse-yard or customs-broker"),
            [
                "freight-forwarder",
                "ship-agent",
                "warehouse-yard",
                "customs-broker"
            ]
        );
        assert_eq!(
            options("finance-tax (up to 100): tax credit grade A=100, B=80, M=60, C=30, D=0"),
            ["A", "B", "M", "C", "D"]
        );
        assert_eq!(
            options(r#"one record per event, value "open" or "rectified", observed"#),
            ["open", "rectified"]
        );
        assert!(options("a free text about anything").is_empty());
    }

    #[test]
    fn full_marks_units() {
        assert_eq!(
            units_to_full_marks("basic (up to 60): 6 points a year, at most 10 years"),
            Some(10.0)
        );
        assert_eq!(
            units_to_full_marks("4 points per full year holding a card, at most 40"),
            Some(10.0)
        );
        assert_eq!(
            units_to_full_marks("20 points per industry honour, at most 2"),
            Some(2.0)
        );
        assert_eq!(
            units_to_full_marks("0.05 points per bus, metro or public-bike trip, at most 30"),
            Some(600.0)
        );
        assert_eq!(
            numbers("bands 300/1,000/3,000 (CNY 10,000)"),
            [300.0, 1000.0, 3000.0, 10000.0]
        );
    }

    #[test]
    fn the_base_is_left_skewed() {
        let info = ModelInfo {
            name: "t/t".into(),
            version: "1.0.0".into(),
            title: String::new(),
            subject_kinds: vec![SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: 0,
            grades: Vec::new(),
            indicators: Vec::new(),
        };
        let mut p = Population::new(&info, time::macros::date!(2026 - 11 - 01), 7);
        let scores: Vec<f64> = (0..20_000).map(|_| p.next_request().base.score).collect();
        let (mean, skew) = mean_and_skewness(&scores);
        assert!((740.0..800.0).contains(&mean), "mean {mean}");
        assert!(skew < -0.5, "skewness {skew}");
    }
}
