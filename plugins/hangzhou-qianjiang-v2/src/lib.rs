//! Hangzhou Qianjiang score 2.0 (杭州钱江分), version 2.0.0.
//!
//! The city credit score of Hangzhou for natural persons aged 18 or over who
//! opted in, on a 1000-point scale. The provincial natural-person public
//! credit score is the base, "weighted by band" (对省公共信用评价的不同分数段
//! 赋予不同权重): up to 800 points. The other 200 are N city indicators —
//! basic information, life and credit use, and the pro-social "medals"
//! (blood donation, volunteering, library, sport, public transport) — less
//! deductions for traffic violations, utility arrears and credit-pay
//! defaults. A provincial black list caps the score at 549.99, below every
//! app threshold. Grades are the colours of the personal credit code: blue,
//! green, yellow. See README.md for the choices the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct HangzhouQianjiang;

/// The share of the provincial base, in basis points: at most 800 of the
/// 1000 points come from the band-weighted base.
pub const BASE_WEIGHT_BP: u32 = 8000;

/// The band-weighted base: `(from, to, weight_bp)` — each provincial point
/// in `from..to` (hundredths) is worth `weight_bp / 10_000` Qianjiang points.
/// 0.5 below 600 (→ 0–300), 1.5 from 600 to 800 (→ 300–600), 1.0 from 800
/// to 1000 (→ 600–800).
pub const BASE_BANDS: [(Points, Points, u32); 3] = [
    (0, 60_000, 5_000),
    (60_000, 80_000, 15_000),
    (80_000, 100_000, 10_000),
];

/// The youngest age scored.
pub const MIN_AGE: f64 = 18.0;

/// Points for a verified identity (basic information).
pub const IDENTITY_POINTS: f64 = 20.0;

/// The score a provincial black list caps at (hundredths): 549.99, one
/// hundredth below the lowest app threshold.
pub const BLACK_LIST_CAP: Points = 54_999;

/// The app thresholds the source names, in points, and what each unlocks.
pub const APP_THRESHOLDS: [(f64, &str); 5] = [
    (
        550.0,
        "hospital pay-later (舒心就医·最多付一次) and ride-hailing 10 % off",
    ),
    (573.0, "transit credit pay and library deposit waiver"),
    (580.0, "park-and-leave-later parking"),
    (
        650.0,
        "enterprise benefits in pilot parks (as legal representative)",
    ),
    (700.0, "public-rental-housing deposit halved"),
];

/// Grades: the personal credit code colours and their lowest scores
/// (hundredths).
pub fn bands() -> Bands {
    Bands::new(&[("blue", 65_000), ("green", 55_000), ("yellow", 0)])
}

/// The app benefits a score (hundredths) unlocks, lowest threshold first.
pub fn benefits(score: Points) -> Vec<&'static str> {
    APP_THRESHOLDS
        .iter()
        .filter(|(t, _)| score >= points_from_f64(*t))
        .map(|(_, b)| *b)
        .collect()
}

/// A counted indicator: so many points per whole unit, up to a limit.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Count {
    /// The indicator's name.
    pub name: &'static str,
    /// Points per whole unit; negative for a deduction.
    pub per_unit: f64,
    /// Full marks, or for a deduction the largest deduction (negative).
    pub limit: f64,
    /// One unit, e.g. "blood donation in the last 3 years".
    pub unit: &'static str,
    /// The dimension, and for pro-social behaviour the medal.
    pub group: &'static str,
}

impl Count {
    fn bound(&self) -> &'static str {
        if self.per_unit < 0.0 {
            "down to"
        } else {
            "at most"
        }
    }

    fn description(&self) -> String {
        format!(
            "{} ({} {}): {} points per {}, {} {}",
            self.group,
            if self.per_unit < 0.0 {
                "down to"
            } else {
                "up to"
            },
            self.limit,
            self.per_unit,
            self.unit,
            self.bound(),
            self.limit
        )
    }

    /// Points for `n` units (already whole and non-negative), or `None`.
    fn points(&self, n: Option<f64>) -> f64 {
        let raw = n.unwrap_or(0.0) * self.per_unit;
        if self.per_unit < 0.0 {
            raw.max(self.limit)
        } else {
            raw.min(self.limit)
        }
    }

    fn note(&self, n: Option<f64>) -> String {
        match n {
            None => format!("not reported ({})", self.group),
            Some(n) => format!(
                "{n} × {}: {} points each, {} {} ({})",
                self.unit,
                self.per_unit,
                self.bound(),
                self.limit,
                self.group
            ),
        }
    }
}

const CARD: &str = "life/credit use";
const AIXIN: &str = "pro-social, 爱心使者 medal (blood donation & volunteering)";
const WENTI: &str = "pro-social, 文体达人 medal (library & campus fitness)";
const DITAN: &str = "pro-social, 低碳行者 medal (public transport)";

/// The counted positive indicators. With [`IDENTITY_POINTS`] their full
/// marks add up to 200.
pub const POSITIVES: [Count; 6] = [
    Count {
        name: "citizen_card_years",
        per_unit: 4.0,
        limit: 40.0,
        unit: "full year holding a Hangzhou citizen card",
        group: CARD,
    },
    Count {
        name: "blood_donations_3y",
        per_unit: 15.0,
        limit: 45.0,
        unit: "blood donation in the last 3 years",
        group: AIXIN,
    },
    Count {
        name: "volunteer_hours_1y",
        per_unit: 0.5,
        limit: 30.0,
        unit: "whole volunteer hour in the last year (1 point per 2 hours)",
        group: AIXIN,
    },
    Count {
        name: "library_loans_1y",
        per_unit: 0.5,
        limit: 20.0,
        unit: "library loan in the last year",
        group: WENTI,
    },
    Count {
        name: "campus_fitness_visits_1y",
        per_unit: 0.2,
        limit: 15.0,
        unit: "visit to a school sports ground opened to the public in the last year",
        group: WENTI,
    },
    Count {
        name: "public_transport_trips_1y",
        per_unit: 0.05,
        limit: 30.0,
        unit: "bus, metro or public-bike trip in the last year",
        group: DITAN,
    },
];

/// The deductions (no full marks: each only takes points away).
pub const DEDUCTIONS: [Count; 3] = [
    Count {
        name: "traffic_violations_1y",
        per_unit: -10.0,
        limit: -60.0,
        unit: "traffic violation in the last year",
        group: "law-abiding",
    },
    Count {
        name: "utility_arrears_1y",
        per_unit: -15.0,
        limit: -45.0,
        unit: "water, power or gas bill in arrears in the last year",
        group: CARD,
    },
    Count {
        name: "credit_pay_defaults_1y",
        per_unit: -20.0,
        limit: -60.0,
        unit: "default on a credit-pay (信用付) service in the last year",
        group: CARD,
    },
];

/// The band-weighted base in hundredths for a provincial score `base` in
/// hundredths (0..=100_000), rounded half up once.
pub fn base_points(base: Points) -> Points {
    let weighted: Points = BASE_BANDS
        .iter()
        .map(|&(from, to, bp)| (base.min(to) - from).max(0) * Points::from(bp))
        .sum();
    (weighted + 5_000) / 10_000
}

fn base_note(base: Points) -> String {
    let p = points_to_f64(base);
    let &(from, to, bp) = BASE_BANDS
        .iter()
        .find(|&&(from, to, _)| base >= from && (base < to || to == 100_000))
        .unwrap_or(&BASE_BANDS[0]);
    let weight = f64::from(bp) / 10_000.0;
    format!(
        "provincial score {p:.2} in band {}–{} (weight {weight:.1}): {:.2} + {weight:.1} × ({p:.2} − {}) = {:.2}",
        points_to_f64(from),
        points_to_f64(to),
        points_to_f64(base_points(from)),
        points_to_f64(from),
        points_to_f64(base_points(base)),
    )
}

impl Model for HangzhouQianjiang {
    fn describe() -> ModelInfo {
        use ValueKind::*;
        let mut indicators = vec![
            spec(
                "age",
                "age in years; only persons aged 18 or over are scored (no points)",
                Number,
                true,
            ),
            spec(
                "identity_verified",
                "basic information (up to 20): 20 points when the real-name identity is verified",
                Flag,
                true,
            ),
        ];
        indicators.extend(
            POSITIVES
                .iter()
                .chain(&DEDUCTIONS)
                .map(|c| spec(c.name, &c.description(), Number, false)),
        );
        ModelInfo {
            name: "hangzhou/qianjiang".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Hangzhou Qianjiang score 2.0 (杭州钱江分)".into(),
            subject_kinds: vec![SubjectKind::NaturalPerson],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: bands().to_wit(),
            indicators,
        }
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        if req.subject.kind != SubjectKind::NaturalPerson {
            return Err(EvalError::UnsupportedSubject(req.subject.kind));
        }
        if !(0..=100_000).contains(&req.base.score) {
            return Err(EvalError::Other(format!(
                "base score {:.2} is off the provincial 0–1000 scale",
                points_to_f64(req.base.score)
            )));
        }
        let age = req.number("age")?;
        if age < MIN_AGE {
            return Err(EvalError::InvalidIndicator(format!(
                "age: the Qianjiang score is for persons aged 18 or over, got {age}"
            )));
        }
        let verified = req.flag("identity_verified")?;
        let positives = POSITIVES
            .iter()
            .map(|c| Ok((c, req.opt_count(c.name)?)))
            .collect::<Result<Vec<_>, EvalError>>()?;
        let deductions = DEDUCTIONS
            .iter()
            .map(|c| Ok((c, req.opt_count(c.name)?)))
            .collect::<Result<Vec<_>, EvalError>>()?;

        let mut card = Scorecard::new(0, 100_000);
        card.add(
            "base",
            base_points(req.base.score),
            &base_note(req.base.score),
        );
        card.add_points_of(
            "identity_verified",
            if verified { IDENTITY_POINTS } else { 0.0 },
            IDENTITY_POINTS,
            if verified {
                "basic information: real-name identity verified"
            } else {
                "basic information: identity not verified"
            },
        );
        for (c, n) in positives {
            card.add_points_of(c.name, c.points(n), c.limit, &c.note(n));
        }
        for (c, n) in deductions {
            card.add_points(c.name, c.points(n), &c.note(n));
        }

        let black: Vec<&str> = req.lists_with("black:").collect();
        if !black.is_empty() {
            let note = format!(
                "on a provincial black list ({}): 重大失信显著扣分, capped at 549.99, below every app threshold",
                black.join(", ")
            );
            if !card.cap(BLACK_LIST_CAP, "black-list", &note) {
                card.reason(format!(
                    "on a provincial black list ({}): already below 549.99, no app benefit",
                    black.join(", ")
                ));
            }
        }
        Ok(card.finish(&bands()))
    }
}

export_model!(HangzhouQianjiang);

#[cfg(test)]
mod tests;
