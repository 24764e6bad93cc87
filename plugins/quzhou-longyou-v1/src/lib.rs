//! Quzhou Longyou "courtesy points" model (龙游有礼积分), version 1.0.0.
//!
//! Xikou town in Longyou county scores the merchants, enterprises and farms
//! of its market town by "courtesy points": the sum of three first-level
//! parts — the credit (Xin'an) score, the grid (inspection) score and the
//! volunteer score — on a 1000-point scale. The grid part counts the problems
//! grid inspectors found in each second-level dimension. Each subject type has its own
//! second-level dimensions and honest-operation behaviours (merchants 9 and
//! 5, enterprises 5 and 4, farms 9 and 4: the source's counts), chosen by the
//! required `business_type`. The grades are the daily red/black board tied
//! to the courtesy loans of CNY 50,000–500,000. See README.md for the choices
//! the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

pub mod subjects;

use subjects::{SubjectType, TYPES};

/// The model.
pub struct LongyouCourtesy;

/// The credit (Xin'an) part's share of the provincial base, in basis
/// points: 30 %.
pub const BASE_WEIGHT_BP: u32 = 3000;

/// The grid part's full marks, for every subject type.
pub const GRID_POINTS: f64 = 500.0;

/// The volunteer part's full marks: hours (150) and good deeds (50).
pub const VOLUNTEER_POINTS: f64 = 200.0;

/// Grades — the red/black board and its loan tier — and their lowest scores
/// (hundredths).
pub fn bands() -> Bands {
    Bands::new(&[
        ("red-500k", 90_000),
        ("red-200k", 80_000),
        ("red-50k", 70_000),
        ("normal", 55_000),
        ("black", 0),
    ])
}

fn type_names() -> String {
    TYPES.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
}

impl Model for LongyouCourtesy {
    fn describe() -> ModelInfo {
        use ValueKind::*;
        let mut indicators = vec![
            spec(
                "business_type",
                "merchant, enterprise or farm: which set of grid indicators applies",
                Text,
                true,
            ),
            spec(
                "volunteer_hours_12m",
                "volunteer (up to 150): hours in the volunteer time bank in 12 months, 3 points an hour, at most 50 hours",
                Number,
                true,
            ),
            spec(
                "good_deeds_12m",
                "volunteer (up to 50): recorded good deeds in 12 months, 25 points each, at most 2",
                Number,
                false,
            ),
        ];
        for t in TYPES {
            for (name, what) in t.dimensions {
                indicators.push(spec(
                    name,
                    &format!(
                        "grid, {}s only and required for them (up to {}): problems grid inspectors found in 12 months with {what}, each costs a quarter of the points",
                        t.name, t.dimension_points
                    ),
                    Number,
                    false,
                ));
            }
            for (name, what) in t.behaviours {
                indicators.push(spec(
                    name,
                    &format!(
                        "grid honest operation, {}s only and required for them ({} points): {what}",
                        t.name, t.behaviour_points
                    ),
                    Flag,
                    false,
                ));
            }
        }
        ModelInfo {
            name: "quzhou/longyou-courtesy".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Longyou courtesy points for merchants, enterprises and farms (龙游有礼积分)"
                .into(),
            subject_kinds: vec![SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: bands().to_wit(),
            indicators,
        }
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        if req.subject.kind != SubjectKind::Enterprise {
            return Err(EvalError::UnsupportedSubject(req.subject.kind));
        }
        let business = req.text("business_type")?;
        let Some(ty) = TYPES.iter().find(|t| t.name == business) else {
            return Err(EvalError::InvalidIndicator(format!(
                "business_type: '{business}' is not one of {}",
                type_names()
            )));
        };
        refuse_other_types(req, ty)?;
        let hours = req.amount("volunteer_hours_12m")?;
        let deeds = req.opt_count("good_deeds_12m")?.unwrap_or(0.0);

        let mut card = Scorecard::new(0, 100_000);
        card.add_base_share(
            req.base.score,
            BASE_WEIGHT_BP,
            "credit (Xin'an) part: 30 % of the public credit score",
        );
        for (name, what) in ty.dimensions {
            let problems = req
                .opt_count(name)?
                .ok_or_else(|| EvalError::MissingIndicator(name.to_string()))?;
            card.add_points_of(
                name,
                (ty.dimension_points * (1.0 - problems / 4.0)).max(0.0),
                ty.dimension_points,
                &format!("grid: {what}, {problems} problem(s) found, a quarter of the points each"),
            );
        }
        for (name, what) in ty.behaviours {
            let kept = req
                .opt_flag(name)?
                .ok_or_else(|| EvalError::MissingIndicator(name.to_string()))?;
            card.add_points_of(
                name,
                if kept { ty.behaviour_points } else { 0.0 },
                ty.behaviour_points,
                &format!(
                    "grid honest operation: {what}{}",
                    if kept { "" } else { " — not kept" }
                ),
            );
        }
        card.add_points_of(
            "volunteer_hours_12m",
            hours.min(50.0) * 3.0,
            150.0,
            "volunteer: 3 points an hour in the time bank, at most 50 hours",
        );
        card.add_points_of(
            "good_deeds_12m",
            deeds.min(2.0) * 25.0,
            50.0,
            "volunteer: 25 points a good deed, at most 2",
        );

        // Hard rule: a poor record on the provincial platform (a black list)
        // puts the subject on the black board, under key supervision.
        let black: Vec<&str> = req.lists_with("black:").collect();
        if !black.is_empty() {
            let cap = bands().min_of("normal").unwrap_or(0) - 1;
            let why = format!(
                "on a provincial black list ({}): capped at {}, black board and key supervision",
                black.join(", "),
                format_points(cap)
            );
            if !card.cap(cap, "black-list", &why) {
                card.reason(why);
            }
        }
        Ok(card.finish(&bands()))
    }
}

/// Refuse an indicator that belongs to another subject type: a farm's
/// manure problems sent for a merchant is a mistake in the request, not
/// something to ignore silently.
fn refuse_other_types(req: &Request, ty: &SubjectType) -> Result<(), EvalError> {
    for ind in &req.indicators {
        if let Some(other) = TYPES
            .iter()
            .find(|t| t.name != ty.name && t.owns(&ind.name))
        {
            return Err(EvalError::InvalidIndicator(format!(
                "{}: an indicator for business_type '{}', not for '{}'",
                ind.name, other.name, ty.name
            )));
        }
    }
    Ok(())
}

export_model!(LongyouCourtesy);

#[cfg(test)]
mod tests;
