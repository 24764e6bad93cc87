//! Zhejiang personal credit code (浙江个人“信用码”), version 2.0.0.
//!
//! A natural person's credit code is **blue** (excellent), **green** (good)
//! or **yellow** (needs improvement), derived from their *city* score —
//! Hangzhou's Qianjiang score or Quzhou's Xin'an score — and recognised
//! across cities (互认). To make a Hangzhou and a Quzhou colour mean the same
//! thing, each city's score is mapped onto one **common 0–1000 scale**,
//! piecewise-linearly through declared anchor points (the city's own
//! "good" and "excellent" thresholds land on the same common points), and
//! the colours are bands of the common scale. The colour follows the
//! person's credit status as well as the score (「码颜色将根据信用状况和"钱江分"、
//! "信安分"分值动态更新」, L42): a person under key supervision (重点监管, L68:
//! a poor provincial grade, 较差, or the serious-untrust list) is yellow
//! whatever the city score. See README.md for the anchors, the source of
//! each rule and the choices the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct CreditCode;

/// A city score the code accepts, and how it maps onto the common scale.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CityScale {
    /// The city model's name, as the request's `city_model` gives it.
    pub model: &'static str,
    /// A readable name for notes.
    pub label: &'static str,
    /// `(city score, common score)` anchor points in whole points, rising
    /// in both; the first is the city scale's minimum, the last its maximum.
    pub anchors: [Anchor; 4],
}

/// The source the rules cite: 《信用浙江》2020 no. 1–2.
pub const SOURCE: &str = "credit-zhejiang-2020-01";

/// The most a person under key supervision keeps on the common scale
/// (hundredths): 599.99, yellow.
pub const KEY_SUPERVISION_CAP: Points = COMMON_GREEN * 100 - 1;

/// The common scale's lowest green and lowest blue scores (points).
pub const COMMON_GREEN: i64 = 600;
/// See [`COMMON_GREEN`].
pub const COMMON_BLUE: i64 = 800;

/// The city scores recognised (互认), with their anchors. Each city's "good"
/// threshold maps to [`COMMON_GREEN`] and its "excellent" threshold to
/// [`COMMON_BLUE`]; the scale ends map to 0 and 1000.
pub const CITIES: [CityScale; 2] = [
    CityScale {
        model: "hangzhou/qianjiang",
        label: "Qianjiang score (钱江分)",
        // hangzhou/qianjiang@3.0.0 (as 2.0.0): green from 550, blue from 650,
        // on 0–1000. 550 is also the lowest Qianjiang benefit (hospital
        // pay-once, 「达到550分」, L707): green unlocks it, yellow unlocks none.
        anchors: [
            (0, 0),
            (550, COMMON_GREEN),
            (650, COMMON_BLUE),
            (1000, 1000),
        ],
    },
    CityScale {
        model: "quzhou/xinan",
        label: "Xin'an score (信安分)",
        // Our documented assumption (README): 0–1000, good from 600,
        // excellent from 700.
        anchors: [
            (0, 0),
            (600, COMMON_GREEN),
            (700, COMMON_BLUE),
            (1000, 1000),
        ],
    },
];

/// The colours on the common scale (hundredths).
pub fn bands() -> Bands {
    Bands::new(&[
        ("blue", COMMON_BLUE * 100),
        ("green", COMMON_GREEN * 100),
        ("yellow", 0),
    ])
}

/// What a colour means (信用状况, L42) and what it gives (L46, L50, L54).
pub fn colour_meaning(colour: &str) -> &'static str {
    match colour {
        "blue" => {
            "blue: excellent credit (优秀); special and general credit benefits (信用特惠、普惠政策) \
             in Hangzhou and Quzhou"
        }
        "green" => {
            "green: good credit (良好); general credit benefits (信用普惠政策) in Hangzhou and Quzhou"
        }
        _ => {
            "yellow: credit needs improvement (待提高); no general credit benefits for now \
             (暂时无法享受信用普惠政策)"
        }
    }
}

/// The city scale named `model`, if the code recognises it.
pub fn city(model: &str) -> Option<&'static CityScale> {
    CITIES.iter().find(|c| c.model == model)
}

/// One anchor point: `(city score, common score)` in whole points.
pub type Anchor = (i64, i64);

/// Map a city score (hundredths) onto the common scale (hundredths), with
/// the anchor segment used. Exact integer arithmetic, rounded half up once.
/// `None` if the score is off the city's scale.
pub fn to_common(scale: &CityScale, score: Points) -> Option<(Points, Anchor, Anchor)> {
    let a = &scale.anchors;
    if score < a[0].0 * 100 || score > a[a.len() - 1].0 * 100 {
        return None;
    }
    let seg = a
        .windows(2)
        .find(|w| score < w[1].0 * 100)
        .unwrap_or(&a[a.len() - 2..]);
    let ((x0, y0), (x1, y1)) = (seg[0], seg[1]);
    let (dx, dy) = (x1 - x0, y1 - y0);
    let num = (score - x0 * 100) * dy;
    Some((y0 * 100 + (2 * num + dx) / (2 * dx), (x0, y0), (x1, y1)))
}

impl Model for CreditCode {
    fn describe() -> ModelInfo {
        use ValueKind::*;
        let accepted: Vec<&str> = CITIES.iter().map(|c| c.model).collect();
        ModelInfo {
            name: "zhejiang/credit-code".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Zhejiang personal credit code (浙江个人信用码): blue, green, yellow".into(),
            subject_kinds: vec![SubjectKind::NaturalPerson],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: 0,
            grades: bands().to_wit(),
            indicators: vec![
                spec(
                    "city_model",
                    &format!(
                        "the city score the code is derived from: {}",
                        accepted.join(" or ")
                    ),
                    Text,
                    true,
                ),
                spec(
                    "city_score",
                    "the person's score from that city model, on its own 0–1000 scale; mapped onto the \
                     common scale through the city's anchors",
                    Number,
                    true,
                ),
            ],
        }
    }

    fn consequences() -> Vec<Consequence> {
        let source = format!("{SOURCE} L68, L42");
        vec![
            consequence(
                ProvincialGrade::WHEN_POOR,
                "key supervision (重点监管): a provincial public credit grade of D (较差) or E (差) \
                 makes the code yellow (待提高) whatever the city score (at most 599.99 on the \
                 common scale): the colour follows credit status as well as the score",
                Some("yellow"),
                &source,
            ),
            consequence(
                "list:black",
                "key supervision (重点监管): a provincial black list (the serious-untrust list, \
                 严重失信名单) makes the code yellow (待提高) whatever the city score (at most 599.99 \
                 on the common scale)",
                Some("yellow"),
                &source,
            ),
        ]
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        if req.subject.kind != SubjectKind::NaturalPerson {
            return Err(EvalError::UnsupportedSubject(req.subject.kind));
        }
        let provincial = ProvincialGrade::of(req)?;
        let model = req.text("city_model")?;
        let Some(scale) = city(model) else {
            let accepted: Vec<&str> = CITIES.iter().map(|c| c.model).collect();
            return Err(EvalError::InvalidIndicator(format!(
                "city_model: '{model}' is not recognised; accepted: {}",
                accepted.join(", ")
            )));
        };
        let raw = req.number("city_score")?;
        let score = points_from_f64(raw);
        let (lo, hi) = (scale.anchors[0].0, scale.anchors[3].0);
        let Some((common, (x0, y0), (x1, y1))) = to_common(scale, score) else {
            return Err(EvalError::InvalidIndicator(format!(
                "city_score: {raw} is off the {} scale {lo}–{hi}",
                scale.label
            )));
        };

        let mut card = Scorecard::new(0, 100_000);
        card.add(
            "city_score",
            common,
            &format!(
                "{} {} ({}) on the anchor segment {x0}–{x1} → {y0}–{y1}: {y0} + ({} − {x0}) × {}/{} \
                 = {} on the common scale",
                scale.label,
                format_points(score),
                scale.model,
                format_points(score),
                y1 - y0,
                x1 - x0,
                format_points(common)
            ),
        );

        // Key supervision (L68) makes the code yellow: its colour follows
        // credit status as well as the score (L42).
        let black: Vec<&str> = req.lists_with("black:").collect();
        let mut causes = Vec::new();
        if provincial.is_poor() {
            causes.push(format!(
                "the provincial public credit grade is {provincial}, poor (较差) or worse"
            ));
        }
        if !black.is_empty() {
            causes.push(format!(
                "on the serious-untrust list (严重失信名单: {})",
                black.join(", ")
            ));
        }
        if !causes.is_empty() {
            let note = format!(
                "key supervision (重点监管, L68): {}; yellow whatever the city score, the colour \
                 following credit status as well as the score (L42)",
                causes.join(", and ")
            );
            if !card.cap(KEY_SUPERVISION_CAP, "key-supervision", &note) {
                card.reason(format!("{note}; already yellow"));
            }
        }
        let colour = bands().grade_for(card.total()).to_string();
        card.reason(format!(
            "{}; recognised across cities (互认): {} maps onto the common scale, green from \
             {COMMON_GREEN}, blue from {COMMON_BLUE}",
            colour_meaning(&colour),
            scale.label
        ));
        Ok(card.finish(&bands()))
    }
}

export_model!(CreditCode);

#[cfg(test)]
mod tests;
