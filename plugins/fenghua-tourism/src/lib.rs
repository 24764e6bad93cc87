//! Fenghua all-area tourism credit model (奉化全域旅游信用评价), version 3.0.0:
//! the second phase (二期).
//!
//! The tourism businesses of Fenghua district, Ningbo — hotels, restaurants,
//! homestays, travel agencies, scenic spots, shops and cultural-creative
//! businesses — and, since the second phase, the subjects of the cultural
//! sector (文化领域主体), on a 1000-point scale, "1+N": the provincial public
//! credit evaluation as the base (40 %) plus N industry indicators in five
//! dimensions (basic info, trustworthy info, untrustworthy info, tourist
//! feedback, industry supervision), graded A–E.
//!
//! What 3.0.0 corrects (《信用浙江》2020 no. 1–2, `credit-zhejiang-2020-01.txt`):
//! a subject whose provincial grade is poor (较差, D or worse) or which is on
//! a black list — the serious-untrust list (严重失信名单) — is under key
//! supervision (重点监管, L68), graded `key-supervision` whatever the
//! points, instead of being capped to grade E (an invented rule); red-list
//! information is used beside the grade (L1487); cultural-sector subjects are
//! evaluated (L1461). The rules are this crate's own: 1.0.0 and 2.0.0 keep
//! theirs, frozen, in `fenghua-tourism-v2/rules`. See README.md.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model, version 3.0.0.
pub struct FenghuaTourism;

/// The provincial base's share, in basis points: 40 %.
pub const BASE_WEIGHT_BP: u32 = 4000;

/// The grade given, whatever the points, to a subject under key supervision
/// (重点监管, L68): a poor provincial grade or a black list.
pub const KEY_SUPERVISION: &str = "key-supervision";

/// The kinds of subject evaluated: the seven kinds of tourism business
/// (L1459) and the cultural-sector subjects of the second phase (L1461),
/// each with its Chinese name, the top level of its own quality grading
/// scheme (0: the kind has none) and what the level means.
pub const BUSINESS_TYPES: [(&str, &str, u32, &str); 8] = [
    ("hotel", "酒店", 5, "star rating, 1-5 stars"),
    ("restaurant", "餐饮", 3, "food-safety grade C, B, A as 1-3"),
    (
        "homestay",
        "民宿",
        3,
        "silver, gold, platinum homestay (银宿, 金宿, 白金宿) as 1-3",
    ),
    (
        "travel-agency",
        "旅行社",
        5,
        "travel agency grade 1A-5A as 1-5",
    ),
    ("scenic-spot", "景区", 5, "scenic-spot grade 1A-5A as 1-5"),
    ("shop", "购物店", 0, "no grading scheme"),
    ("cultural-creative", "文创", 0, "no grading scheme"),
    ("cultural-sector", "文化领域主体", 0, "no grading scheme"),
];

/// Dimension maxima in points; they add up to 600, the industry's 60 %.
pub const DIMENSIONS: [(&str, f64); 5] = [
    ("basic-info", 100.0),
    ("trustworthy-info", 150.0),
    ("untrustworthy-info", 150.0),
    ("tourist-feedback", 100.0),
    ("industry-supervision", 100.0),
];

/// Grades A–E (excellent, good, average, poor, very poor) and their lowest
/// scores (hundredths), then `key-supervision`, which no score earns: it is
/// given by rule ([`KEY_SUPERVISION`]). It is declared at the bottom of the
/// scale, after E, so that [`Bands::grade_for`] never picks it.
pub fn bands() -> Bands {
    Bands::new(&[
        ("A", 90_000),
        ("B", 85_000),
        ("C", 70_000),
        ("D", 60_000),
        ("E", 0),
        (KEY_SUPERVISION, 0),
    ])
}

/// The indicators 3.0.0 declares.
pub fn indicators() -> Vec<IndicatorSpec> {
    use ValueKind::*;
    vec![
        spec(
            "business_type",
            "hotel, restaurant, homestay, travel-agency, scenic-spot, shop, cultural-creative, or cultural-sector (文化领域主体, evaluated since the second phase)",
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
            "basic info (up to 20): the kind's quality grade as text, 'none' or '1' up to its top level (hotel stars 5, restaurant 3, homestay 3, travel agency 5, scenic spot 5); shops, cultural-creative businesses and cultural-sector subjects have none and get the 20 points",
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

impl Model for FenghuaTourism {
    fn describe() -> ModelInfo {
        let grades = bands().to_wit();
        ModelInfo {
            name: "fenghua/tourism".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title:
                "Fenghua all-area tourism credit (奉化全域旅游信用), 5 grades and key supervision"
                    .into(),
            subject_kinds: vec![SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades,
            indicators: indicators(),
        }
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        score(req)
    }

    fn consequences() -> Vec<Consequence> {
        vec![
            consequence(
                ProvincialGrade::WHEN_POOR,
                "key supervision (重点监管): a subject whose provincial public credit grade is poor (较差, D) or worse (差, E) is graded 'key-supervision' whatever the points; the score is the 1+N evaluation, unchanged",
                Some(KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68",
            ),
            consequence(
                "list:black",
                "key supervision (重点监管) and joint punishment (联合惩戒): a subject on a black list, the serious-untrust list (严重失信名单), is graded 'key-supervision' whatever the points; the score is the 1+N evaluation, unchanged",
                Some(KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68, L1487",
            ),
            consequence(
                "list:red",
                "joint incentives (联合激励): red-list information is used beside the evaluation's grade, which it does not change; the first reasons name the list",
                None,
                "credit-zhejiang-2020-01 L1487",
            ),
        ]
    }
}

export_model!(FenghuaTourism);

/// Score `req`: the 1+N points, graded A–E, then key supervision (a poor
/// provincial grade or a black list) and the red list.
fn score(req: &Request) -> Result<Evaluation, EvalError> {
    if req.subject.kind != SubjectKind::Enterprise {
        return Err(EvalError::UnsupportedSubject(req.subject.kind));
    }
    let provincial = ProvincialGrade::of(req)?;
    let business = req.text("business_type")?;
    let Some(&(_, chinese, top_level, scheme)) =
        BUSINESS_TYPES.iter().find(|(t, ..)| *t == business)
    else {
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
            format!("basic info: {business} ({chinese}): {scheme}, full marks"),
        ),
        None => (
            0.0,
            format!("basic info: {business} ({chinese}): not graded ({scheme})"),
        ),
        Some(l) => (
            20.0 * f64::from(l) / f64::from(top_level),
            format!("basic info: {business} ({chinese}): level {l} of {top_level} ({scheme})"),
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

    let mut e = card.finish(&bands());
    let mut first = Vec::new();

    // Key supervision (L68): a poor provincial grade, a black list.
    let black: Vec<&str> = req.lists_with("black:").collect();
    let mut causes = Vec::new();
    if provincial.is_poor() {
        causes.push(format!(
            "the provincial public credit grade is {provincial}, poor or worse (公共信用评价等级较差)"
        ));
    }
    if !black.is_empty() {
        causes.push(format!(
            "on a black list ({}), the serious-untrust list (严重失信名单), with joint punishment (联合惩戒, L1487)",
            black.join(", ")
        ));
    }
    if !causes.is_empty() {
        first.push(format!(
            "key supervision (重点监管, L68): {}: graded {KEY_SUPERVISION} whatever the points (by its points alone: {})",
            causes.join("; "),
            e.grade
        ));
        e.grade = KEY_SUPERVISION.to_string();
    }

    // Red-list information, beside the grade (L1487).
    let red: Vec<&str> = req.lists_with("red:").collect();
    if !red.is_empty() {
        first.push(format!(
            "on a red list ({}): red-list information feeds joint incentives (联合激励, L1487) beside the grade, which it does not change",
            red.join(", ")
        ));
    }
    e.reasons.splice(0..0, first);
    Ok(e)
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

#[cfg(test)]
mod tests;
