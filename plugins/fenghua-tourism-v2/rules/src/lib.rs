//! The indicator rules of the Fenghua all-area tourism credit model
//! (奉化全域旅游信用评价) 1.0.0 and 2.0.0, frozen with them: the "1+N"
//! arithmetic, the five dimensions, the seven kinds of business and the
//! black-list rule. The two versions differ only in their grade bands, which
//! [`score`] and [`model_info`] take: `fenghua-tourism-v2` (2.0.0, five
//! grades) and `fenghua-tourism-v1` (1.0.0, three grades) are each a few lines
//! on top of this crate. It exports no model itself. Version 3.0.0
//! (`fenghua-tourism`) has corrected rules of its own; these stay as they
//! were, so that the frozen versions answer as they did.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The provincial base's share, in basis points: 40 %.
pub const BASE_WEIGHT_BP: u32 = 4000;

/// The seven kinds of tourism business, each with the top level of its own
/// quality grading scheme (0: the kind has none) and what the level means.
pub const BUSINESS_TYPES: [(&str, u32, &str); 7] = [
    ("hotel", 5, "star rating, 1-5 stars"),
    ("restaurant", 3, "food-safety grade C, B, A as 1-3"),
    (
        "homestay",
        3,
        "silver, gold, platinum homestay (银宿, 金宿, 白金宿) as 1-3",
    ),
    ("travel-agency", 5, "travel agency grade 1A-5A as 1-5"),
    ("scenic-spot", 5, "scenic-spot grade 1A-5A as 1-5"),
    ("shop", 0, "no grading scheme"),
    ("cultural-creative", 0, "no grading scheme"),
];

/// Dimension maxima in points; they add up to 600, the industry's 60 %.
pub const DIMENSIONS: [(&str, f64); 5] = [
    ("basic-info", 100.0),
    ("trustworthy-info", 150.0),
    ("untrustworthy-info", 150.0),
    ("tourist-feedback", 100.0),
    ("industry-supervision", 100.0),
];

/// The indicators every version declares.
pub fn indicators() -> Vec<IndicatorSpec> {
    use ValueKind::*;
    vec![
        spec(
            "business_type",
            "hotel, restaurant, homestay, travel-agency, scenic-spot, shop or cultural-creative",
            Text,
            true,
        ),
        spec(
            "years_in_operation",
            "basic info (up to 40): 8 points a year, at most 5 years",
            Number,
            true,
        ),
        spec(
            "licences_complete",
            "basic info (up to 40): business licence and the trade's own licences valid",
            Flag,
            true,
        ),
        spec(
            "quality_level",
            "basic info (up to 20): the kind's quality grade as text, 'none' or '1' up to its top level (hotel stars 5, restaurant 3, homestay 3, travel agency 5, scenic spot 5); shops and cultural-creative businesses have none and get the 20 points",
            Text,
            false,
        ),
        spec(
            "honours_3y",
            "trustworthy info (up to 90): 30 points per honour or commendation in 3 years, at most 3",
            Number,
            false,
        ),
        spec(
            "credit_commitment_signed",
            "trustworthy info (up to 30): signed the tourism credit commitment (信用承诺)",
            Flag,
            false,
        ),
        spec(
            "public_welfare_12m",
            "trustworthy info (up to 30): 15 points per public-welfare activity in 12 months, at most 2",
            Number,
            false,
        ),
        spec(
            "penalties_3y",
            "untrustworthy info (up to 100): minus 50 per administrative penalty in 3 years",
            Number,
            true,
        ),
        spec(
            "court_judgments_unfulfilled",
            "untrustworthy info (up to 50): 50 points unless a court judgment is left unfulfilled",
            Flag,
            true,
        ),
        spec(
            "verified_complaints_12m",
            "tourist feedback (up to 60): minus 15 per verified tourist complaint in 12 months",
            Number,
            true,
        ),
        spec(
            "tourist_commendations_12m",
            "tourist feedback (up to 40): 10 points per tourist commendation in 12 months, at most 4",
            Number,
            false,
        ),
        spec(
            "last_inspection",
            "industry supervision (up to 60): the last inspection 'passed' 60, 'rectified' 30, 'failed' 0",
            Text,
            true,
        ),
        spec(
            "safety_incidents_3y",
            "industry supervision (up to 40): 40 points with no safety incident in 3 years",
            Number,
            true,
        ),
    ]
}

/// The model's self-description for `version` with grade `bands`.
pub fn model_info(version: &str, bands: &Bands) -> ModelInfo {
    let grades = bands.to_wit();
    ModelInfo {
        name: "fenghua/tourism".into(),
        version: version.into(),
        title: format!(
            "Fenghua all-area tourism credit (奉化全域旅游信用), {} grades",
            grades.len()
        ),
        subject_kinds: vec![SubjectKind::Enterprise],
        scale_min: 0,
        scale_max: 100_000,
        base_weight_bp: BASE_WEIGHT_BP,
        grades,
        indicators: indicators(),
    }
}

/// Score `req` and grade it with `bands` (best first, at least two). A
/// subject on a provincial black list gets the lowest grade: it is capped
/// just below the second-lowest band.
pub fn score(req: &Request, bands: &Bands) -> Result<Evaluation, EvalError> {
    if req.subject.kind != SubjectKind::Enterprise {
        return Err(EvalError::UnsupportedSubject(req.subject.kind));
    }
    let business = req.text("business_type")?;
    let Some(&(_, top_level, scheme)) = BUSINESS_TYPES.iter().find(|(t, ..)| *t == business) else {
        let names: Vec<_> = BUSINESS_TYPES.iter().map(|(t, ..)| *t).collect();
        return Err(EvalError::InvalidIndicator(format!(
            "business_type: '{business}' is not one of {}",
            names.join(", ")
        )));
    };
    let years = req.amount("years_in_operation")?;
    let licensed = req.flag("licences_complete")?;
    let level = quality_level(req.opt_text("quality_level")?, business, top_level)?;
    let honours = req.opt_count("honours_3y")?.unwrap_or(0.0);
    let committed = req.opt_flag("credit_commitment_signed")?.unwrap_or(false);
    let welfare = req.opt_count("public_welfare_12m")?.unwrap_or(0.0);
    let penalties = req.count("penalties_3y")?;
    let unfulfilled = req.flag("court_judgments_unfulfilled")?;
    let complaints = req.count("verified_complaints_12m")?;
    let commendations = req.opt_count("tourist_commendations_12m")?.unwrap_or(0.0);
    let inspection = req.text("last_inspection")?;
    let inspection_points = match inspection {
        "passed" => 60.0,
        "rectified" => 30.0,
        "failed" => 0.0,
        other => {
            return Err(EvalError::InvalidIndicator(format!(
                "last_inspection: '{other}' is not one of passed, rectified, failed"
            )));
        }
    };
    let incidents = req.count("safety_incidents_3y")?;

    let mut card = Scorecard::new(0, 100_000);
    card.add_base_share(
        req.base.score,
        BASE_WEIGHT_BP,
        "40 % of the provincial public credit score (the \"1\" of 1+N)",
    );
    // Basic info (100).
    card.add_points_of(
        "years_in_operation",
        years.min(5.0) * 8.0,
        40.0,
        "basic info: 8 points a year in operation, at most 5 years",
    );
    card.add_points_of(
        "licences_complete",
        if licensed { 40.0 } else { 0.0 },
        40.0,
        if licensed {
            "basic info: licences valid"
        } else {
            "basic info: licences incomplete"
        },
    );
    let (level_points, level_note) = match level {
        None if top_level == 0 => (
            20.0,
            format!("basic info: {business}: {scheme}, full marks"),
        ),
        None => (
            0.0,
            format!("basic info: {business}: not graded ({scheme})"),
        ),
        Some(l) => (
            20.0 * f64::from(l) / f64::from(top_level),
            format!("basic info: {business}: level {l} of {top_level} ({scheme})"),
        ),
    };
    card.add_points_of("quality_level", level_points, 20.0, &level_note);
    // Trustworthy info (150).
    card.add_points_of(
        "honours_3y",
        honours.min(3.0) * 30.0,
        90.0,
        "trustworthy info: 30 points per honour in 3 years, at most 3",
    );
    card.add_points_of(
        "credit_commitment_signed",
        if committed { 30.0 } else { 0.0 },
        30.0,
        if committed {
            "trustworthy info: credit commitment signed"
        } else {
            "trustworthy info: no credit commitment"
        },
    );
    card.add_points_of(
        "public_welfare_12m",
        welfare.min(2.0) * 15.0,
        30.0,
        "trustworthy info: 15 points per public-welfare activity, at most 2",
    );
    // Untrustworthy info (150).
    card.add_points_of(
        "penalties_3y",
        (100.0 - 50.0 * penalties).max(0.0),
        100.0,
        &format!(
            "untrustworthy info: {penalties} administrative penalt(ies) in 3 years, 50 points each"
        ),
    );
    card.add_points_of(
        "court_judgments_unfulfilled",
        if unfulfilled { 0.0 } else { 50.0 },
        50.0,
        if unfulfilled {
            "untrustworthy info: a court judgment left unfulfilled"
        } else {
            "untrustworthy info: no unfulfilled court judgment"
        },
    );
    // Tourist feedback (100).
    card.add_points_of(
        "verified_complaints_12m",
        (60.0 - 15.0 * complaints).max(0.0),
        60.0,
        &format!(
            "tourist feedback: {complaints} verified complaint(s) in 12 months, 15 points each"
        ),
    );
    card.add_points_of(
        "tourist_commendations_12m",
        commendations.min(4.0) * 10.0,
        40.0,
        "tourist feedback: 10 points per commendation, at most 4",
    );
    // Industry supervision (100).
    card.add_points_of(
        "last_inspection",
        inspection_points,
        60.0,
        &format!("industry supervision: last inspection {inspection}"),
    );
    card.add_points_of(
        "safety_incidents_3y",
        if incidents == 0.0 { 40.0 } else { 0.0 },
        40.0,
        &format!("industry supervision: {incidents} safety incident(s) in 3 years"),
    );

    let black: Vec<&str> = req.lists_with("black:").collect();
    let grades = bands.to_wit();
    if !black.is_empty()
        && let [.., above, lowest] = grades.as_slice()
    {
        let cap = above.min_score - 1;
        let why = format!(
            "on a provincial black list ({}): capped at {}, grade {}",
            black.join(", "),
            format_points(cap),
            lowest.grade
        );
        if !card.cap(cap, "black-list", &why) {
            card.reason(why);
        }
    }
    Ok(card.finish(bands))
}

/// The quality level: `None` for absent or "none", else 1 up to the kind's
/// top level.
fn quality_level(
    given: Option<&str>,
    business: &str,
    top_level: u32,
) -> Result<Option<u32>, EvalError> {
    let given = match given {
        None | Some("none") => return Ok(None),
        Some(g) => g,
    };
    if top_level == 0 {
        return Err(EvalError::InvalidIndicator(format!(
            "quality_level: a {business} has no grading scheme, got '{given}'"
        )));
    }
    match given.parse::<u32>() {
        Ok(l) if (1..=top_level).contains(&l) => Ok(Some(l)),
        _ => Err(EvalError::InvalidIndicator(format!(
            "quality_level: '{given}' is not 'none' or 1 to {top_level} for a {business}"
        ))),
    }
}

/// A request for a business of kind `business` (one of [`BUSINESS_TYPES`])
/// with every indicator at full marks and provincial base score `base`:
/// what each version's tests start from and vary. Costs a few allocations.
///
/// # Panics
/// If `business` is not one of the seven kinds.
pub fn full_marks(business: &str, base: f64) -> testing::RequestBuilder {
    let (_, top, _) = BUSINESS_TYPES
        .iter()
        .find(|(t, ..)| *t == business)
        .unwrap_or_else(|| panic!("'{business}' is not a Fenghua tourism business kind"));
    let b = testing::RequestBuilder::enterprise("91330283MA2EEEEE5N", "2026-11-01")
        .base(base, "A")
        .text("business_type", business)
        .number("years_in_operation", 8.0)
        .flag("licences_complete", true);
    let b = if *top > 0 {
        b.text("quality_level", &top.to_string())
    } else {
        b
    };
    b.number("honours_3y", 3.0)
        .flag("credit_commitment_signed", true)
        .number("public_welfare_12m", 2.0)
        .number("penalties_3y", 0.0)
        .flag("court_judgments_unfulfilled", false)
        .number("verified_complaints_12m", 0.0)
        .number("tourist_commendations_12m", 4.0)
        .text("last_inspection", "passed")
        .number("safety_incidents_3y", 0.0)
}
