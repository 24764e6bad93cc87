//! Zhejiang mining credit model (矿业权人和地矿中介机构信用评价), version 1.0.0.
//!
//! The provincial natural resources department grades the 1,970 mining-right
//! holders and the geological and mining intermediaries A, B, C, D on a
//! 100-point scale. The enterprise's provincial public credit score is
//! converted (折算) into one indicator worth 0–20 points (0–1000 → 0–20); the
//! other 80 points are industry indicators: annual reporting, fees, safety,
//! ecological restoration and violations. The grade decides bidding: only A
//! and B may be candidates for state-funded geological and mining projects, C
//! is restricted, D is not a qualified bidder. Every evaluation says so in its
//! first reason. See README.md for the choices the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct Mining;

/// The converted base's share of the 100-point composite, in basis points:
/// 20 % (the provincial 0–1000 becomes 0–20 points).
pub const BASE_WEIGHT_BP: u32 = 2000;

/// Points per provincial point in the conversion: 20 / 1000.
pub const BASE_CONVERSION: f64 = 20.0 / 1000.0;

/// The two kinds of subject the model grades.
pub const HOLDER_TYPES: [&str; 2] = ["mining-right-holder", "intermediary"];

/// Industry indicators and their full marks; they add up to 80.
pub const INDUSTRY: [(&str, f64); 5] = [
    ("annual_report_on_time", 15.0),
    ("fees_in_arrears", 10.0),
    ("safety_accidents_3y", 20.0),
    ("ecological_restoration", 15.0),
    ("violations_3y", 20.0),
];

/// Grades A–D and their lowest scores (hundredths of a point on 0–100).
pub fn bands() -> Bands {
    Bands::new(&[("A", 8_500), ("B", 7_000), ("C", 6_000), ("D", 0)])
}

/// What a grade means for the subject, as the source states it for
/// state-funded geological and mining projects (财政出资地矿项目).
pub fn grade_meaning(grade: &str) -> &'static str {
    match grade {
        "A" | "B" => {
            "A and B may be candidates to undertake state-funded geological and mining projects \
             (财政出资地矿项目)"
        }
        "C" => {
            "C is restricted from undertaking state-funded geological and mining projects and \
             from the natural resources departments' preferential policies and facilitation"
        }
        _ => {
            "D lacks the general capacity to perform and is not a qualified bidder for \
             state-funded geological and mining projects; also restricted from preferential \
             policies and facilitation"
        }
    }
}

/// A whole count that loses `each` points per unit from `full`, not below 0.
fn deduct(full: f64, each: f64, count: f64) -> f64 {
    (full - each * count).max(0.0)
}

impl Model for Mining {
    fn describe() -> ModelInfo {
        use ValueKind::*;
        ModelInfo {
            name: "mining/rights".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Zhejiang mining-right holder and intermediary credit (矿业权人和地矿中介机构信用评价)"
                .into(),
            subject_kinds: vec![SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 10_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: bands().to_wit(),
            indicators: vec![
                spec(
                    "holder_type",
                    "mining-right-holder or intermediary (geological and mining intermediary service)",
                    Text,
                    true,
                ),
                spec(
                    "annual_report_on_time",
                    "industry (up to 15): the annual report filed on time (holders: the reserves annual \
                     report 储量年报; intermediaries: the annual qualification report)",
                    Flag,
                    true,
                ),
                spec(
                    "fees_in_arrears",
                    "industry (up to 10): 10 when no fees owed to the natural resources department \
                     (规费) are in arrears",
                    Flag,
                    false,
                ),
                spec(
                    "safety_accidents_3y",
                    "industry (up to 20): minus 10 per production-safety accident in 3 years",
                    Number,
                    true,
                ),
                spec(
                    "ecological_restoration",
                    "industry (up to 15): mine geological-environment restoration completed 15, \
                     in-progress 8, not-started 0; not-applicable (intermediaries only) 15",
                    Text,
                    true,
                ),
                spec(
                    "violations_3y",
                    "industry (up to 20): minus 10 per mining violation in 3 years (illegal or \
                     out-of-bounds mining, false reporting, administrative penalties)",
                    Number,
                    true,
                ),
            ],
        }
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        if req.subject.kind != SubjectKind::Enterprise {
            return Err(EvalError::UnsupportedSubject(req.subject.kind));
        }
        let holder = req.text("holder_type")?;
        if !HOLDER_TYPES.contains(&holder) {
            return Err(EvalError::InvalidIndicator(format!(
                "holder_type: '{holder}' is not one of {}",
                HOLDER_TYPES.join(", ")
            )));
        }
        let report = req.flag("annual_report_on_time")?;
        let arrears = req.opt_flag("fees_in_arrears")?.unwrap_or(false);
        let accidents = req.count("safety_accidents_3y")?;
        let restoration = req.text("ecological_restoration")?;
        let (restoration_points, restoration_note) = match (restoration, holder) {
            ("completed", _) => (15.0, "mine restoration completed"),
            ("in-progress", _) => (8.0, "mine restoration in progress"),
            ("not-started", _) => (0.0, "mine restoration not started"),
            ("not-applicable", "intermediary") => {
                (15.0, "an intermediary has no restoration duty: full marks")
            }
            ("not-applicable", _) => {
                return Err(EvalError::InvalidIndicator(
                    "ecological_restoration: 'not-applicable' is only for intermediaries; \
                     a mining-right holder must give completed, in-progress or not-started"
                        .into(),
                ));
            }
            (other, _) => {
                return Err(EvalError::InvalidIndicator(format!(
                    "ecological_restoration: '{other}' is not one of completed, in-progress, \
                     not-started, not-applicable"
                )));
            }
        };
        let violations = req.count("violations_3y")?;

        let mut card = Scorecard::new(0, 10_000);
        let base = points_to_f64(req.base.score);
        card.add_points(
            "base",
            base * BASE_CONVERSION,
            &format!(
                "provincial enterprise public credit score {} converted (折算) at 1000 → 20: × 0.02",
                format_points(req.base.score)
            ),
        );
        card.add_points_of(
            "annual_report_on_time",
            if report { 15.0 } else { 0.0 },
            15.0,
            if report {
                "annual report filed on time"
            } else {
                "annual report late or missing"
            },
        );
        card.add_points_of(
            "fees_in_arrears",
            if arrears { 0.0 } else { 10.0 },
            10.0,
            if arrears {
                "fees (规费) in arrears"
            } else {
                "no fees in arrears"
            },
        );
        card.add_points_of(
            "safety_accidents_3y",
            deduct(20.0, 10.0, accidents),
            20.0,
            &format!("{accidents} safety accident(s) in 3 years, 10 points each"),
        );
        card.add_points_of(
            "ecological_restoration",
            restoration_points,
            15.0,
            restoration_note,
        );
        card.add_points_of(
            "violations_3y",
            deduct(20.0, 10.0, violations),
            20.0,
            &format!("{violations} mining violation(s) in 3 years, 10 points each"),
        );

        let bands = bands();
        let black: Vec<&str> = req.lists_with("black:").collect();
        let cap_note = format!(
            "on a serious-dishonesty black list ({}): graded D whatever the score (一处失信，处处受限)",
            black.join(", ")
        );
        // A black-listed subject is D (capped below C, or already there);
        // the grade's meaning for bidding comes first among the reasons.
        let grade = if black.is_empty() {
            bands.grade_for(card.total())
        } else {
            "D"
        };
        card.reason(format!("grade {grade}: {}", grade_meaning(grade)));
        if !black.is_empty()
            && !card.cap(bands.min_of("C").unwrap_or(0) - 1, "black-list", &cap_note)
        {
            card.reason(format!("{cap_note}; the score is already below C"));
        }
        Ok(card.finish(&bands))
    }
}

export_model!(Mining);

#[cfg(test)]
mod tests;
