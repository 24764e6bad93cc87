//! Zhejiang enterprise environmental credit model (企业环境信用评价), version 2.0.0.
//!
//! The Department of Ecology and Environment's evaluation of 48,410 polluting
//! enterprises, on a 1000-point scale, recomputed daily. Enterprise public
//! credit (the provincial base) counts for 20 %; industry supervision starts
//! from full marks (800) and loses points for each bad environmental event
//! still in its validity window: 5 years for administrative penalties,
//! supervised listings (挂牌督办), ecological damage (生态环境损害) and the
//! serious-dishonesty list (严重失信名单), 1 year for every other indicator,
//! counted from the day the event was determined, by the Civil Code's rules
//! on periods ([`Period`]: the last day is the corresponding day, and it
//! counts). A completed rectification clears the deduction. Grades A–E
//! (优秀 excellent, 良好 good, 中等 average, 较差 poor, 差 bad) by points.
//!
//! Key supervision (重点监管, L68) decides the grade whatever the points — a
//! poor provincial grade, a black list, or an open listing on the ecology and
//! environment serious-untrust list in its window: grade `key-supervision`
//! (see [`Environment::consequences`]). The score stays what the points make.
//! See README.md for the source lines and the choices the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct Environment;

/// The share of the provincial base, in basis points: 20 %.
pub const BASE_WEIGHT_BP: u32 = 2000;

/// Full marks of the industry supervision part, in points, before deductions.
pub const SUPERVISION_FULL_MARKS: f64 = 800.0;

/// The status of an event that still counts.
pub const OPEN: &str = "open";
/// The status of an event whose rectification is complete: no deduction.
pub const RECTIFIED: &str = "rectified";

/// The event indicators counted for 5 years, as
/// `(name, deduction in points, validity in years, Chinese name)`.
pub const FIVE_YEAR_EVENTS: [(&str, f64, i32, &str); 4] = [
    ("administrative_penalty", 100.0, 5, "行政处罚"),
    ("supervised_listing", 150.0, 5, "挂牌督办"),
    ("ecological_damage", 200.0, 5, "生态环境损害"),
    ("serious_dishonesty_listing", 400.0, 5, "严重失信名单"),
];

/// The event indicators counted for 1 year, as
/// `(name, deduction in points, validity in years, Chinese name)`.
pub const ONE_YEAR_EVENTS: [(&str, f64, i32, &str); 4] = [
    ("emission_exceedance", 50.0, 1, "超标排放"),
    ("permit_violation", 60.0, 1, "排污许可"),
    ("disclosure_failure", 30.0, 1, "环境信息公开"),
    ("verified_complaint", 20.0, 1, "信访投诉查实"),
];

/// Every event indicator, 5-year ones first, as
/// `(name, deduction in points, validity in years, Chinese name)`.
pub const EVENT_INDICATORS: [(&str, f64, i32, &str); 8] = [
    FIVE_YEAR_EVENTS[0],
    FIVE_YEAR_EVENTS[1],
    FIVE_YEAR_EVENTS[2],
    FIVE_YEAR_EVENTS[3],
    ONE_YEAR_EVENTS[0],
    ONE_YEAR_EVENTS[1],
    ONE_YEAR_EVENTS[2],
    ONE_YEAR_EVENTS[3],
];

/// The indicator whose open, in-window listing puts the enterprise under
/// key supervision.
pub const SERIOUS_DISHONESTY: &str = "serious_dishonesty_listing";

/// The grade of an enterprise under key supervision (重点监管), whatever the
/// points (L68).
pub const KEY_SUPERVISION: &str = "key-supervision";

/// The grades by points and what they mean (L1173): `(grade, Chinese,
/// English)`, best first.
pub const GRADE_NAMES: [(&str, &str, &str); 5] = [
    ("A", "优秀", "excellent"),
    ("B", "良好", "good"),
    ("C", "中等", "average"),
    ("D", "较差", "poor"),
    ("E", "差", "bad"),
];

/// Every declared grade: A–E by points ([`bands`]), then `key-supervision`,
/// which a consequence gives whatever the points. It starts at the bottom
/// of the scale (0): any score can carry it.
pub fn grades() -> Vec<GradeBand> {
    let mut grades = bands().to_wit();
    grades.push(GradeBand {
        grade: KEY_SUPERVISION.into(),
        min_score: 0,
    });
    grades
}

/// "C (中等)": a grade by points with its Chinese name (L1173).
fn named(grade: &str) -> String {
    match GRADE_NAMES.iter().find(|(g, ..)| *g == grade) {
        Some((g, zh, _)) => format!("{g} ({zh})"),
        None => grade.to_string(),
    }
}

/// Grades A–E and their lowest scores (hundredths): the grades the points
/// earn.
pub fn bands() -> Bands {
    Bands::new(&[
        ("A", 90_000),
        ("B", 80_000),
        ("C", 65_000),
        ("D", 50_000),
        ("E", 0),
    ])
}

impl Model for Environment {
    fn describe() -> ModelInfo {
        ModelInfo {
            name: "zhejiang/environment".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            title: "Zhejiang enterprise environmental credit (企业环境信用评价)".into(),
            subject_kinds: vec![SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: BASE_WEIGHT_BP,
            grades: grades(),
            indicators: EVENT_INDICATORS
                .iter()
                .map(|&(name, points, years, chinese)| {
                    spec(
                        name,
                        &format!(
                            "{} ({chinese}), one record per event, value \"open\" or \"rectified\", \
                             observed_on = the day it was determined (required): \
                             -{points:.0} points, counts for {years} {} from that day, through \
                             the corresponding day (Civil Code arts. 200-204); \
                             \"rectified\" clears the deduction{}",
                            label(name),
                            if years == 1 { "year" } else { "years" },
                            if name == SERIOUS_DISHONESTY {
                                "; an open one in its window: key supervision (grade \
                                 key-supervision)"
                            } else {
                                ""
                            },
                        ),
                        ValueKind::Text,
                        false,
                    )
                })
                .collect(),
        }
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        if req.subject.kind != SubjectKind::Enterprise {
            return Err(EvalError::UnsupportedSubject(req.subject.kind));
        }
        let as_of = req.as_of_date()?;
        let provincial = ProvincialGrade::of(req)?;

        let mut card = Scorecard::new(0, 100_000);
        card.add_base_share(
            req.base.score,
            BASE_WEIGHT_BP,
            "20 % of the enterprise public credit score",
        );
        card.add_points(
            "supervision-baseline",
            SUPERVISION_FULL_MARKS,
            "industry supervision: full marks before deductions",
        );

        let mut supervision = points_from_f64(SUPERVISION_FULL_MARKS);
        let mut dishonesty: Vec<Date> = Vec::new();
        for &(name, points, years, _) in &EVENT_INDICATORS {
            for ev in req.events(name) {
                let status = match &ev.value {
                    Value::Text(s) if s == OPEN || s == RECTIFIED => s.as_str(),
                    Value::Text(s) => {
                        return Err(EvalError::InvalidIndicator(format!(
                            "{name}: status '{s}' is not \"{OPEN}\" or \"{RECTIFIED}\""
                        )));
                    }
                    _ => {
                        return Err(EvalError::InvalidIndicator(format!(
                            "{name}: expected a text status (\"{OPEN}\" or \"{RECTIFIED}\")"
                        )));
                    }
                };
                let on = match &ev.observed_on {
                    Some(s) => Date::parse_for(s, name)?,
                    None => {
                        return Err(EvalError::InvalidIndicator(format!(
                            "{name}: observed_on is required (the day the event was determined)"
                        )));
                    }
                };
                let window = Period::years(years);
                let until = window.last_day(on);
                let what = format!("{} of {on}", label(name));
                let span = format!("{years} {}", if years == 1 { "year" } else { "years" });
                let (deduction, note) = if on > as_of {
                    (
                        0.0,
                        format!(
                            "{what}: dated after the evaluation date {as_of}, does not count yet: 0"
                        ),
                    )
                } else if !window.covers(on, as_of) {
                    (
                        0.0,
                        format!("{what}: counted for {span} until {until}, expired: 0"),
                    )
                } else if status == RECTIFIED {
                    (
                        0.0,
                        format!(
                            "{what}, counts for {span} until {until}: rectified: deduction cleared"
                        ),
                    )
                } else {
                    if name == SERIOUS_DISHONESTY {
                        dishonesty.push(on);
                    }
                    (
                        points,
                        format!("{what}, counts for {span} until {until}: -{points:.0}"),
                    )
                };
                supervision += card.add_points(name, -deduction, &note);
            }
        }
        if supervision < 0 {
            card.add(
                "deduction-floor",
                -supervision,
                "industry supervision floors at 0: deductions beyond 800 points do not count",
            );
        }

        let mut e = card.finish(&bands());

        // Key supervision, whatever the points: the score stays what the
        // points make, the grade says the status, the first reason says why.
        let mut key = Vec::new();
        if provincial.is_poor() {
            key.push(format!("provincial public credit grade {provincial}"));
        }
        let black: Vec<&str> = req.lists_with("black:").collect();
        if !black.is_empty() {
            key.push(format!(
                "on a serious-untrust list (严重失信名单: {})",
                black.join(", ")
            ));
        }
        if !dishonesty.is_empty() {
            let dates: Vec<String> = dishonesty.iter().map(Date::to_string).collect();
            key.push(format!(
                "on the ecology and environment serious-untrust list (生态环境严重失信名单) since {}",
                dates.join(", ")
            ));
        }
        if !key.is_empty() {
            let earned = named(&e.grade);
            e.grade = KEY_SUPERVISION.into();
            e.reasons.insert(
                0,
                format!(
                    "key supervision (重点监管): {} — graded '{KEY_SUPERVISION}' whatever the \
                     points (the points alone earn {earned}); inspected more often (提高检查频次)",
                    key.join("; ")
                ),
            );
        }
        Ok(e)
    }

    fn consequences() -> Vec<Consequence> {
        let effect = |why: &str| {
            format!(
                "key supervision (重点监管), {why}: graded 'key-supervision' whatever the points, \
                 which stay as they are; inspected more often"
            )
        };
        vec![
            consequence(
                ProvincialGrade::WHEN_POOR,
                &effect("the provincial public credit grade is poor (较差) or worse"),
                Some(KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68",
            ),
            consequence(
                "list:black",
                &effect("on a serious-untrust list"),
                Some(KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68",
            ),
            consequence(
                SERIOUS_DISHONESTY,
                &effect(
                    "an open listing on the ecology and environment serious-untrust list \
                     within its 5 years (besides its -400 points); a rectified or expired one \
                     does nothing",
                ),
                Some(KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68, L1167, L1175",
            ),
        ]
    }
}

/// "administrative_penalty" → "administrative penalty".
fn label(name: &str) -> String {
    name.replace('_', " ")
}

export_model!(Environment);

#[cfg(test)]
mod tests;
