//! Zhejiang enterprise environmental credit model (企业环境信用评价), version 1.0.0.
//!
//! The Department of Ecology and Environment's evaluation of 48,410 polluting
//! enterprises, on a 1000-point scale, recomputed daily. Enterprise public
//! credit (the provincial base) counts for 20 %; industry supervision starts
//! from full marks (800) and loses points for each bad environmental event
//! still in its validity window: 5 years for administrative penalties,
//! supervised listings (挂牌督办), ecological damage (生态环境损害) and the
//! serious-dishonesty list (严重失信名单), 1 year for every other indicator,
//! counted from the day the event was determined. A completed rectification
//! clears the deduction. Grades A–E (excellent, good, average, poor, bad).
//! See README.md for the choices the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model.
pub struct Environment;

/// The share of the provincial base, in basis points: 20 %.
pub const BASE_WEIGHT_BP: u32 = 2000;

/// Full marks of the industry supervision part, in points, before deductions.
pub const SUPERVISION_FULL_MARKS: f64 = 800.0;

/// The highest score (hundredths) allowed to an enterprise on the serious
/// dishonesty list or a provincial black list: 499.99, grade E.
pub const CAP_E: Points = 49_999;

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

/// The indicator whose open, in-window listing caps the score at grade E.
pub const SERIOUS_DISHONESTY: &str = "serious_dishonesty_listing";

/// Grades A–E and their lowest scores (hundredths).
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
            grades: bands().to_wit(),
            indicators: EVENT_INDICATORS
                .iter()
                .map(|&(name, points, years, chinese)| {
                    spec(
                        name,
                        &format!(
                            "{} ({chinese}), one record per event, value \"open\" or \"rectified\", \
                             observed_on = the day it was determined (required): \
                             -{points:.0} points, counts for {years} {} from that day; \
                             \"rectified\" clears the deduction",
                            label(name),
                            if years == 1 { "year" } else { "years" },
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
                let until = day_before(on.add_years(years));
                let what = format!("{} of {on}", label(name));
                let span = format!("{years} {}", if years == 1 { "year" } else { "years" });
                let (deduction, note) = if on > as_of {
                    (
                        0.0,
                        format!(
                            "{what}: dated after the evaluation date {as_of}, does not count yet: 0"
                        ),
                    )
                } else if !on.within_years_of(as_of, years) {
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

        if !dishonesty.is_empty() {
            let dates: Vec<String> = dishonesty.iter().map(Date::to_string).collect();
            card.cap(
                CAP_E,
                "serious-dishonesty",
                &format!(
                    "on the environmental serious-dishonesty list (严重失信名单, {}): graded E whatever the score",
                    dates.join(", ")
                ),
            );
        }
        let black: Vec<&str> = req.lists_with("black:").collect();
        if !black.is_empty() {
            card.cap(
                CAP_E,
                "black-list",
                &format!(
                    "on a provincial black list ({}): graded E whatever the score",
                    black.join(", ")
                ),
            );
        }
        Ok(card.finish(&bands()))
    }
}

/// "administrative_penalty" → "administrative penalty".
fn label(name: &str) -> String {
    name.replace('_', " ")
}

/// The calendar day before `d`: the last day a validity window still counts.
fn day_before(d: Date) -> Date {
    if d.day > 1 {
        return Date {
            day: d.day - 1,
            ..d
        };
    }
    let (year, month) = if d.month == 1 {
        (d.year - 1, 12)
    } else {
        (d.year, d.month - 1)
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let day = match month {
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 31,
    };
    Date { year, month, day }
}

export_model!(Environment);

#[cfg(test)]
mod tests;
