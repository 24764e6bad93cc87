//! Quzhou Longyou "courtesy points" model (龙游有礼积分), version 2.0.0.
//!
//! Xikou town in Longyou county scores the subjects of its market town by
//! "courtesy points": the sum of three first-level parts — the credit
//! (Xin'an) score, the grid (inspection) score and the volunteer score
//! (L1423, L1425) — on a 1000-point scale. Merchants, enterprises and farms
//! (enterprise kind, chosen by `business_type`) each have their own
//! second-level dimensions and honest-operation behaviours (9 and 5, 5 and
//! 4, 9 and 4: L1427); since March 2020 the town's residents (集镇居民,
//! natural persons, L1419) are scored too, on the same three parts, with one
//! grid count of our choice (the source gives them no second-level
//! indicators).
//!
//! Grades are the points' bands (`top`, `high`, `good`: the courtesy credit
//! line tiers of a market subject, L1445; `normal`; `low`) and
//! `key-supervision` (重点监管): a subject whose record on the provincial or
//! city public platform is poor (L1431; L68: a poor provincial grade or a
//! serious-untrust list) is graded `key-supervision` whatever the points,
//! and a market subject whose points are at the back (积分靠后, below 550) is
//! under key supervision with its credit line lowered (L1419, L1445). The
//! score is never changed by these rules. The model does not put anyone on
//! the daily red/black board (每日公布红黑榜, L1431): the source gives no rule
//! for it. See README.md for every rule, its source line, and the choices
//! the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

pub mod subjects;

use subjects::{
    RESIDENT_GRID_PROBLEMS, RESIDENT_PROBLEM_POINTS, RESIDENTS_FROM, SubjectType, TYPES,
};

/// The model.
pub struct LongyouCourtesy;

/// The credit (Xin'an) part's share of the provincial base, in basis
/// points: 30 %.
pub const BASE_WEIGHT_BP: u32 = 3000;

/// The grid part's full marks, for every subject type and for residents.
pub const GRID_POINTS: f64 = 500.0;

/// The volunteer part's full marks: hours (150) and good deeds (50).
pub const VOLUNTEER_POINTS: f64 = 200.0;

/// The grade of a subject under key supervision (重点监管).
pub const KEY_SUPERVISION: &str = "key-supervision";

/// The lowest band of points: a market subject there is at the back
/// (积分靠后) and under key supervision; a resident is only low.
pub const LOW: &str = "low";

/// The source document, as the declared consequences cite it.
const SOURCE: &str = "credit-zhejiang-2020-01";

/// The grades by points (hundredths): the bands a score earns.
pub fn point_bands() -> Bands {
    Bands::new(&[
        ("top", 90_000),
        ("high", 80_000),
        ("good", 70_000),
        ("normal", 55_000),
        (LOW, 0),
    ])
}

/// Every declared grade: the bands of [`point_bands`] and
/// `key-supervision`, which the model gives by rule (declared from 0, like
/// the lowest band; no score earns it).
pub fn bands() -> Bands {
    Bands::new(&[
        ("top", 90_000),
        ("high", 80_000),
        ("good", 70_000),
        ("normal", 55_000),
        (LOW, 0),
        (KEY_SUPERVISION, 0),
    ])
}

/// What a grade means for a market subject (merchant, enterprise, farm) —
/// the courtesy credit line tiers are our choice within the source's CNY
/// 50,000–500,000 (L1445) — and for a town resident, to whom the source
/// ties no credit line.
pub fn meaning(grade: &str, resident: bool) -> &'static str {
    match (grade, resident) {
        ("top", false) => "courtesy credit line up to CNY 500,000, green channel",
        ("high", false) => "courtesy credit line up to CNY 200,000, green channel",
        ("good", false) => "courtesy credit line up to CNY 50,000, green channel",
        ("top" | "high" | "good", true) => {
            "high points (no credit line for residents in the source)"
        }
        ("normal", _) => "no courtesy credit line, no key supervision",
        (LOW, false) => "never given: a market subject this low is under key supervision",
        (LOW, true) => "low points (the source ties no consequence to a resident's points)",
        (KEY_SUPERVISION, false) => {
            "key supervision: more grid visits (加大巡查频率), rectification urged; no courtesy credit line, lowered when the points are at the back"
        }
        (KEY_SUPERVISION, true) => "key supervision: more grid visits (加大巡查频率)",
        _ => "not a grade of this model",
    }
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
                "merchant, enterprise or farm: which set of grid indicators applies; required for enterprise-kind subjects, refused for town residents (natural persons)",
                Text,
                false,
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
            spec(
                "city_record_poor",
                "key supervision (重点监管): true when the city's public credit platform records the subject's credit as poor (省市公共平台中信用记录较差, L1431): graded key-supervision whatever the points; absent means not poor",
                Flag,
                false,
            ),
            spec(
                RESIDENT_GRID_PROBLEMS,
                "grid, town residents (natural persons) only and required for them (up to 500): problems grid workers found with the resident in 12 months, 10 points each",
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
            title: "Longyou courtesy points for merchants, enterprises, farms and town residents (龙游有礼积分)"
                .into(),
            subject_kinds: vec![SubjectKind::Enterprise, SubjectKind::NaturalPerson],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: bands().to_wit(),
            indicators,
        }
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let resident = match req.subject.kind {
            SubjectKind::Enterprise => false,
            SubjectKind::NaturalPerson => true,
            other => return Err(EvalError::UnsupportedSubject(other)),
        };
        let provincial = ProvincialGrade::of(req)?;
        let ty = if resident {
            refuse_for_residents(req)?;
            None
        } else {
            Some(market_type(req)?)
        };
        let hours = req.amount("volunteer_hours_12m")?;
        let deeds = req.opt_count("good_deeds_12m")?.unwrap_or(0.0);
        let city_poor = req.opt_flag("city_record_poor")?.unwrap_or(false);

        let mut card = Scorecard::new(0, 100_000);
        card.add_base_share(
            req.base.score,
            BASE_WEIGHT_BP,
            "credit (Xin'an) part: 30 % of the public credit score",
        );
        match ty {
            Some(ty) => add_market_grid(req, ty, &mut card)?,
            None => {
                let problems = req
                    .opt_count(RESIDENT_GRID_PROBLEMS)?
                    .ok_or_else(|| EvalError::MissingIndicator(RESIDENT_GRID_PROBLEMS.into()))?;
                card.add_points_of(
                    RESIDENT_GRID_PROBLEMS,
                    (GRID_POINTS - RESIDENT_PROBLEM_POINTS * problems).max(0.0),
                    GRID_POINTS,
                    &format!(
                        "grid: {problems} problem(s) grid workers found with the resident, 10 points each"
                    ),
                );
            }
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

        // Key supervision (重点监管): a status, never points. Whatever the
        // points, a poor record on the provincial or city platform (L1431;
        // L68: a poor provincial grade, a serious-untrust list); and for a
        // market subject, points at the back (积分靠后, L1419, L1445).
        let earned = point_bands().grade_for(card.total()).to_string();
        let mut causes = Vec::new();
        if provincial.is_poor() {
            causes.push(format!("provincial public credit grade {provincial}"));
        }
        let black: Vec<&str> = req.lists_with("black:").collect();
        if !black.is_empty() {
            causes.push(format!(
                "on a serious-untrust list (严重失信名单: {})",
                black.join(", ")
            ));
        }
        if city_poor {
            causes.push("a poor credit record on the city's public platform".to_string());
        }
        let at_the_back = !resident && earned == LOW;
        let low_line = format!(
            "points at the back (积分靠后, below {}): credit line lowered (降低信用贷款额度)",
            format_points(point_bands().min_of("normal").unwrap_or(0))
        );
        if !causes.is_empty() {
            card.reason(format!(
                "key supervision (重点监管): {} — graded '{KEY_SUPERVISION}' whatever the points (the points alone earn '{earned}'; the score stays){}",
                causes.join("; "),
                if at_the_back {
                    format!("; {low_line}")
                } else {
                    String::new()
                }
            ));
        } else if at_the_back {
            card.reason(format!("key supervision (重点监管): {low_line}"));
        }
        let mut e = card.finish(&point_bands());
        if !causes.is_empty() || at_the_back {
            e.grade = KEY_SUPERVISION.into();
        }
        Ok(e)
    }

    fn consequences() -> Vec<Consequence> {
        let key = "key supervision (重点监管): graded 'key-supervision' whatever the points, which \
                   stay as they are — no courtesy credit line tier; more grid visits (加大巡查频率)";
        vec![
            consequence(
                ProvincialGrade::WHEN_POOR,
                key,
                Some(KEY_SUPERVISION),
                &format!("{SOURCE} L1431, L68"),
            ),
            consequence(
                "list:black",
                key,
                Some(KEY_SUPERVISION),
                &format!("{SOURCE} L68, L1431"),
            ),
            consequence(
                "city_record_poor",
                key,
                Some(KEY_SUPERVISION),
                &format!("{SOURCE} L1431"),
            ),
            consequence(
                "score",
                "a market subject (not a town resident) whose points are below 550, at the back \
                 (积分靠后), is under key supervision (重点监管) and its credit line lowered \
                 (降低信用贷款额度): graded 'key-supervision', the points kept",
                Some(KEY_SUPERVISION),
                &format!("{SOURCE} L1419, L1445"),
            ),
        ]
    }
}

/// The market subject's type (`business_type`, required for enterprise-kind
/// subjects), after refusing another type's or a resident's indicators.
fn market_type(req: &Request) -> Result<&'static SubjectType, EvalError> {
    let business = req.text("business_type")?;
    let Some(ty) = TYPES.iter().copied().find(|t| t.name == business) else {
        return Err(EvalError::InvalidIndicator(format!(
            "business_type: '{business}' is not one of {}",
            type_names()
        )));
    };
    refuse_other_types(req, ty)?;
    if req
        .indicators
        .iter()
        .any(|i| i.name == RESIDENT_GRID_PROBLEMS)
    {
        return Err(EvalError::InvalidIndicator(format!(
            "{RESIDENT_GRID_PROBLEMS}: an indicator for town residents (natural persons), not for '{}'",
            ty.name
        )));
    }
    Ok(ty)
}

/// A market subject's grid part: its type's dimensions and behaviours.
fn add_market_grid(req: &Request, ty: &SubjectType, card: &mut Scorecard) -> Result<(), EvalError> {
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
    Ok(())
}

/// A town resident (a natural person) is scored since March 2020 (L1419),
/// without a `business_type` and without any market type's indicators.
fn refuse_for_residents(req: &Request) -> Result<(), EvalError> {
    let from = Date::parse(RESIDENTS_FROM).expect("a valid date");
    if req.as_of_date()? < from {
        return Err(EvalError::Other(format!(
            "town residents (集镇居民) are scored from {RESIDENTS_FROM} (they joined the system in March 2020, L1419); as-of {} is before",
            req.as_of
        )));
    }
    if req.indicators.iter().any(|i| i.name == "business_type") {
        return Err(EvalError::InvalidIndicator(
            "business_type: a natural person is scored as a town resident (集镇居民), without one; \
             merchants, enterprises and farms are scored as enterprise-kind subjects"
                .into(),
        ));
    }
    for ind in &req.indicators {
        if let Some(t) = TYPES.iter().find(|t| t.owns(&ind.name)) {
            return Err(EvalError::InvalidIndicator(format!(
                "{}: an indicator for business_type '{}', not for a town resident",
                ind.name, t.name
            )));
        }
    }
    Ok(())
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
