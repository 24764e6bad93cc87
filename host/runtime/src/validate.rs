//! Checks before a call: is the model's declaration sane, and does a request
//! fit it?
//!
//! Every model declares its subject kinds, indicators and their kinds in
//! `describe()`. The host holds requests to that declaration *before* running
//! the plugin, so a missing required indicator or a value of the wrong kind
//! is a bad request naming the indicator — not a plugin's guess.

use std::collections::HashSet;

use crate::Error;
use crate::contract::{ModelInfo, Request, Value, subject_kind_name, value_kind, value_kind_name};

/// The provincial base is on a 0–1000 point scale (hundredths).
pub const BASE_SCALE: std::ops::RangeInclusive<i64> = 0..=100_000;

/// Longest subject id accepted: a unified social credit code is 18
/// characters and an ID card number 18; 128 leaves room for any scheme.
pub const MAX_SUBJECT_ID: usize = 128;

/// Whether `s` is a real calendar date written as ISO `YYYY-MM-DD`.
pub fn is_iso_date(s: &str) -> bool {
    iso_date_days(s).is_some()
}

/// Days since 1970-01-01 of an ISO `YYYY-MM-DD` date, or `None` if `s` is
/// not one (2026-02-29 is not).
pub fn iso_date_days(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return None;
    };
    if y.len() != 4
        || m.len() != 2
        || d.len() != 2
        || !s.bytes().all(|b| b.is_ascii_digit() || b == b'-')
    {
        return None;
    }
    let (y, m, d) = (
        y.parse::<i64>().ok()?,
        m.parse::<i64>().ok()?,
        d.parse::<i64>().ok()?,
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in_month = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => 28 + i64::from(leap),
        _ => return None,
    };
    if !(1..=days_in_month).contains(&d) {
        return None;
    }
    // Days from civil (H. Hinnant), on a March-based year.
    let y = y - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    Some(era * 146_097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719_468)
}

/// Check that a model's `describe()` is a usable, honest declaration.
/// A module whose declaration fails this is refused.
pub fn check_model_info(info: &ModelInfo) -> Result<(), Error> {
    let refuse = |m: String| {
        Err(Error::ModuleRefused(format!(
            "describe() is not valid: {m}"
        )))
    };
    let ok_part = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    match info.name.split_once('/') {
        Some((ns, n)) if ok_part(ns) && ok_part(n) => {}
        _ => {
            return refuse(format!(
                "name '{}' is not 'namespace/name' in lowercase letters, digits and '-'",
                info.name
            ));
        }
    }
    if semver::Version::parse(&info.version).is_err() {
        return refuse(format!(
            "version '{}' is not a semantic version like 1.0.0",
            info.version
        ));
    }
    if info.scale_min >= info.scale_max {
        return refuse(format!(
            "scale {}..{} is empty",
            info.scale_min, info.scale_max
        ));
    }
    if info.subject_kinds.is_empty() {
        return refuse("it scores no subject kind".into());
    }
    if info.base_weight_bp > 10_000 {
        return refuse(format!(
            "base-weight-bp {} is over 10000 (100 %)",
            info.base_weight_bp
        ));
    }
    if info.grades.is_empty() {
        return refuse("it declares no grades".into());
    }
    let mut seen = HashSet::new();
    for g in &info.grades {
        if g.grade.is_empty() || !seen.insert(g.grade.as_str()) {
            return refuse(format!("grade '{}' is empty or declared twice", g.grade));
        }
        if g.min_score < info.scale_min || g.min_score > info.scale_max {
            return refuse(format!("grade '{}' starts off the scale", g.grade));
        }
    }
    let mut seen = HashSet::new();
    for i in &info.indicators {
        if i.name.is_empty() || !seen.insert(i.name.as_str()) {
            return refuse(format!("indicator '{}' is empty or declared twice", i.name));
        }
        if i.name == "base" {
            return refuse("'base' is reserved for the provincial base contribution".into());
        }
    }
    Ok(())
}

/// The most consequences a model may declare, and the longest text of one
/// (bytes): a declaration is read at every load and shown to reviewers,
/// and the source's rules for one model number a handful.
pub const MAX_CONSEQUENCES: usize = 64;
/// See [`MAX_CONSEQUENCES`].
pub const MAX_CONSEQUENCE_TEXT: usize = 2048;

/// Check a model's declared consequences against its declaration: each
/// names its trigger, its effect and its source, within the size limits,
/// and a grade it gives is one of the declared grades.
pub fn check_consequences(
    info: &ModelInfo,
    consequences: &[crate::contract::Consequence],
) -> Result<(), Error> {
    let refuse = |m: String| {
        Err(Error::ModuleRefused(format!(
            "consequences() is not valid: {m}"
        )))
    };
    if consequences.len() > MAX_CONSEQUENCES {
        return refuse(format!(
            "{} consequences, more than {MAX_CONSEQUENCES}",
            consequences.len()
        ));
    }
    for c in consequences {
        for (what, text) in [
            ("when", &c.when),
            ("effect", &c.effect),
            ("source", &c.source),
        ] {
            if text.trim().is_empty() || text.len() > MAX_CONSEQUENCE_TEXT {
                return refuse(format!(
                    "a consequence's {what} is empty or over {MAX_CONSEQUENCE_TEXT} bytes"
                ));
            }
        }
        if let Some(g) = &c.grade
            && !info.grades.iter().any(|d| &d.grade == g)
        {
            return refuse(format!(
                "the consequence of '{}' gives grade '{g}', which is not declared",
                c.when
            ));
        }
    }
    Ok(())
}

/// Check a request against a model's declaration.
///
/// Refuses, naming the culprit: a subject kind the model does not score, an
/// empty or overlong subject id, an `as-of` that is not an ISO date, a base
/// score off the provincial 0–1000 scale, an indicator the model does not
/// declare, a value of the wrong kind, a malformed date, and a missing
/// required indicator. An indicator may appear more than once (events such
/// as penalties); the model decides what repetition means.
pub fn check_request(info: &ModelInfo, req: &Request) -> Result<(), Error> {
    let bad = |m: String| Err(Error::BadRequest(m));
    if !info.subject_kinds.contains(&req.subject.kind) {
        let kinds: Vec<_> = info
            .subject_kinds
            .iter()
            .map(|k| subject_kind_name(*k))
            .collect();
        return bad(format!(
            "model {} does not score subjects of kind '{}' (it scores: {})",
            info.name,
            subject_kind_name(req.subject.kind),
            kinds.join(", ")
        ));
    }
    if req.subject.id.trim().is_empty() || req.subject.id.len() > MAX_SUBJECT_ID {
        return bad(format!(
            "subject id must be 1 to {MAX_SUBJECT_ID} characters"
        ));
    }
    if !is_iso_date(&req.as_of) {
        return bad(format!(
            "as_of '{}' is not an ISO date (YYYY-MM-DD)",
            req.as_of
        ));
    }
    if !BASE_SCALE.contains(&req.base.score) {
        return bad(format!(
            "base score {} is off the provincial 0-1000 scale",
            crate::points::format(req.base.score)
        ));
    }
    for ind in &req.indicators {
        let Some(spec) = info.indicators.iter().find(|s| s.name == ind.name) else {
            let names: Vec<_> = info.indicators.iter().map(|s| s.name.as_str()).collect();
            return bad(format!(
                "indicator '{}' is not declared by model {} (it declares: {})",
                ind.name,
                info.name,
                names.join(", ")
            ));
        };
        if value_kind(&ind.value) != spec.kind {
            return bad(format!(
                "indicator '{}' must be a {}, got a {}",
                ind.name,
                value_kind_name(spec.kind),
                value_kind_name(value_kind(&ind.value))
            ));
        }
        match &ind.value {
            Value::Date(d) if !is_iso_date(d) => {
                return bad(format!(
                    "indicator '{}': '{d}' is not an ISO date (YYYY-MM-DD)",
                    ind.name
                ));
            }
            Value::Number(n) if !n.is_finite() => {
                return bad(format!("indicator '{}' is not a finite number", ind.name));
            }
            _ => {}
        }
        if let Some(d) = &ind.observed_on
            && !is_iso_date(d)
        {
            return bad(format!(
                "indicator '{}': observed_on '{d}' is not an ISO date",
                ind.name
            ));
        }
    }
    for spec in info.indicators.iter().filter(|s| s.required) {
        if !req.indicators.iter().any(|i| i.name == spec.name) {
            return Err(Error::MissingRequired {
                indicator: spec.name.clone(),
                kind: value_kind_name(spec.kind).to_string(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::{is_iso_date, iso_date_days};

    #[test]
    fn iso_dates() {
        for good in ["2026-11-01", "2024-02-29", "2000-02-29", "1999-12-31"] {
            assert!(is_iso_date(good), "{good}");
        }
        for bad in [
            "2026-02-29",
            "1900-02-29",
            "2026-11-1",
            "2026-13-01",
            "2026-00-10",
            "+026-11-01",
            "2026/11/01",
            "",
            "2026-11-01 ",
        ] {
            assert!(!is_iso_date(bad), "{bad}");
        }
        assert_eq!(iso_date_days("1970-01-01"), Some(0));
        assert_eq!(iso_date_days("2000-03-01"), Some(11_017));
    }
}

#[cfg(test)]
mod consequence_tests {
    use super::check_consequences;
    use crate::contract::{Consequence, GradeBand, ModelInfo};

    fn info() -> ModelInfo {
        ModelInfo {
            name: "t/m".into(),
            version: "2.0.0".into(),
            title: "t".into(),
            subject_kinds: vec![crate::contract::SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: 0,
            grades: vec![
                GradeBand {
                    grade: "A".into(),
                    min_score: 50_000,
                },
                GradeBand {
                    grade: "key-supervision".into(),
                    min_score: 0,
                },
            ],
            indicators: vec![],
        }
    }

    fn c(grade: Option<&str>, effect: &str) -> Consequence {
        Consequence {
            when: "base:poor".into(),
            effect: effect.into(),
            grade: grade.map(str::to_string),
            source: "credit-zhejiang-2020-01 L68".into(),
        }
    }

    /// A consequence must name a declared grade, say what it does and cite
    /// its source; a module that breaks this is refused at load.
    #[test]
    fn consequences_name_declared_grades_and_their_source() {
        assert!(
            check_consequences(&info(), &[c(Some("key-supervision"), "key supervision")]).is_ok()
        );
        assert!(check_consequences(&info(), &[c(None, "a reason says so")]).is_ok());
        let undeclared = check_consequences(&info(), &[c(Some("banned"), "x")]).unwrap_err();
        assert!(
            undeclared
                .to_string()
                .contains("gives grade 'banned', which is not declared"),
            "{undeclared}"
        );
        assert!(check_consequences(&info(), &[c(None, " ")]).is_err());
        assert!(check_consequences(&info(), &[c(None, &"x".repeat(2049))]).is_err());
        let many: Vec<_> = (0..65).map(|_| c(None, "x")).collect();
        assert!(check_consequences(&info(), &many).is_err());
    }
}
