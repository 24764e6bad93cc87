//! The `ningbo/port` model as an Extism plugin: `evaluate` takes one
//! scorehost wire request (JSON) and returns the white box as JSON.
//!
//! The scoring code is the model's own source file,
//! `plugins/ningbo-port/src/lib.rs`, compiled into this crate as a module
//! (see ../README.md for why it is not a crate dependency). The wire
//! conversion and the checks before and after the call follow the host
//! (`host/runtime/src/wire.rs`, `validate.rs`, `whitebox.rs`), so that a request gets
//! the same answer, or the same refusal, as under scorehost.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use extism_pdk::{FnResult, plugin_fn};
use scorehost_sdk::{
    BaseEvaluation, EvalError, Evaluation, Indicator, Model, ModelInfo, Request, Subject,
    SubjectKind, Value, ValueKind,
};
use serde::{Deserialize, Serialize};

// The model's own source file, compiled against `scorehost-sdk-extism`
// (../sdk-shim), where `export_model!` is a no-op.
#[allow(dead_code, missing_docs)]
#[path = "../../../../plugins/ningbo-port/src/lib.rs"]
mod ningbo_port;

use ningbo_port::NingboPort;

fn info() -> &'static ModelInfo {
    static INFO: OnceLock<ModelInfo> = OnceLock::new();
    INFO.get_or_init(NingboPort::describe)
}

/// `evaluate`: a wire request in, the white box (or `{"error": …}`) out.
#[plugin_fn]
pub fn evaluate(input: String) -> FnResult<String> {
    let info = info();
    let out = match serde_json::from_str::<WireRequest>(&input) {
        Err(e) => error("bad_request", None, format!("not a score request: {e}")),
        Ok(wire) => match wire.into_request(info) {
            Err(m) => error("bad_request", None, m),
            Ok(req) => match NingboPort::evaluate(&req) {
                Err(e) => rejected(e),
                Ok(eval) => match scorehost_sdk::testing::white_box_violation(info, &eval) {
                    Some(why) => error("plugin_fault", None, why),
                    None => serde_json::to_string(&WireEvaluation::from(&eval))?,
                },
            },
        },
    };
    Ok(out)
}

// ---- the wire format (host/runtime/src/wire.rs) -------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireRequest {
    #[serde(default)]
    model: Option<String>,
    subject: WireSubject,
    as_of: String,
    base: WireBase,
    #[serde(default)]
    indicators: Vec<WireIndicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireSubject {
    id: String,
    kind: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireBase {
    score: f64,
    grade: String,
    #[serde(default)]
    dimensions: BTreeMap<String, f64>,
    #[serde(default)]
    lists: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WireIndicator {
    name: String,
    value: serde_json::Value,
    #[serde(default)]
    observed_on: Option<String>,
    #[serde(default)]
    source: Option<String>,
}

#[derive(Serialize)]
struct WireEvaluation<'a> {
    score: f64,
    grade: &'a str,
    contributions: Vec<WireContribution<'a>>,
    reasons: &'a [String],
}

#[derive(Serialize)]
struct WireContribution<'a> {
    name: &'a str,
    points: f64,
    note: &'a str,
}

impl<'a> From<&'a Evaluation> for WireEvaluation<'a> {
    fn from(e: &'a Evaluation) -> Self {
        WireEvaluation {
            score: to_decimal(e.score),
            grade: &e.grade,
            contributions: e
                .contributions
                .iter()
                .map(|c| WireContribution {
                    name: &c.name,
                    points: to_decimal(c.points),
                    note: &c.note,
                })
                .collect(),
            reasons: &e.reasons,
        }
    }
}

fn error(code: &str, kind: Option<&str>, message: String) -> String {
    serde_json::json!({ "error": { "code": code, "kind": kind, "message": message } }).to_string()
}

fn rejected(e: EvalError) -> String {
    let (kind, message) = match e {
        EvalError::MissingIndicator(m) => ("missing-indicator", m),
        EvalError::InvalidIndicator(m) => ("invalid-indicator", m),
        EvalError::UnsupportedSubject(k) => ("unsupported-subject", kind_name(k).to_string()),
        EvalError::Other(m) => ("other", m),
    };
    error("model_rejected", Some(kind), message)
}

const SUBJECT_KINDS: [(SubjectKind, &str); 5] = [
    (SubjectKind::Enterprise, "enterprise"),
    (SubjectKind::NaturalPerson, "natural-person"),
    (SubjectKind::SocialOrganization, "social-organization"),
    (SubjectKind::PublicInstitution, "public-institution"),
    (SubjectKind::GovernmentAgency, "government-agency"),
];

fn kind_name(k: SubjectKind) -> &'static str {
    SUBJECT_KINDS
        .iter()
        .find(|(x, _)| *x == k)
        .map_or("?", |(_, n)| n)
}

fn value_kind_name(k: ValueKind) -> &'static str {
    match k {
        ValueKind::Number => "number",
        ValueKind::Flag => "flag",
        ValueKind::Text => "text",
        ValueKind::Date => "date",
    }
}

fn value_kind(v: &Value) -> ValueKind {
    match v {
        Value::Number(_) => ValueKind::Number,
        Value::Flag(_) => ValueKind::Flag,
        Value::Text(_) => ValueKind::Text,
        Value::Date(_) => ValueKind::Date,
    }
}

// ---- points (host/runtime/src/points.rs) ---------------------------------------------

fn from_decimal(points: f64) -> Result<i64, String> {
    if !points.is_finite() || points.abs() > 1e13 {
        return Err(format!("{points} is not a usable number of points"));
    }
    let scaled = points * 100.0;
    let rounded = scaled.round();
    if (scaled - rounded).abs() > 1e-6 * rounded.abs().max(1.0) {
        return Err(format!("{points} has more than two decimals"));
    }
    Ok(rounded as i64)
}

fn to_decimal(hundredths: i64) -> f64 {
    hundredths as f64 / 100.0
}

// ---- conversion and checks (host/runtime/src/wire.rs, host/runtime/src/validate.rs) ----------

impl WireRequest {
    fn into_request(self, info: &ModelInfo) -> Result<Request, String> {
        if let Some(m) = &self.model
            && m != &info.name
        {
            return Err(format!(
                "the request is for model '{m}', but the module is '{}'",
                info.name
            ));
        }
        let kind = SUBJECT_KINDS
            .iter()
            .find(|(_, n)| *n == self.subject.kind)
            .map(|(k, _)| *k)
            .ok_or_else(|| format!("subject kind '{}' is not known", self.subject.kind))?;
        let score = from_decimal(self.base.score).map_err(|m| format!("base score: {m}"))?;
        let mut dimensions = Vec::with_capacity(self.base.dimensions.len());
        for (name, v) in self.base.dimensions {
            let h = from_decimal(v).map_err(|m| format!("base dimension '{name}': {m}"))?;
            dimensions.push((name, h));
        }
        let mut indicators = Vec::with_capacity(self.indicators.len());
        for ind in self.indicators {
            let declared = info
                .indicators
                .iter()
                .find(|s| s.name == ind.name)
                .map(|s| s.kind);
            let value = match (ind.value, declared) {
                (serde_json::Value::Number(n), _) => Value::Number(
                    n.as_f64()
                        .ok_or_else(|| format!("indicator '{}': number out of range", ind.name))?,
                ),
                (serde_json::Value::Bool(b), _) => Value::Flag(b),
                (serde_json::Value::String(s), Some(ValueKind::Date)) => Value::Date(s),
                (serde_json::Value::String(s), _) => Value::Text(s),
                (_, _) => {
                    return Err(format!(
                        "indicator '{}': value must be a number, a boolean or a string",
                        ind.name
                    ));
                }
            };
            indicators.push(Indicator {
                name: ind.name,
                value,
                observed_on: ind.observed_on,
                source: ind.source,
            });
        }
        let req = Request {
            subject: Subject {
                id: self.subject.id,
                kind,
            },
            as_of: self.as_of,
            base: BaseEvaluation {
                score,
                grade: self.base.grade,
                dimensions,
                lists: self.base.lists,
            },
            indicators,
        };
        check_request(info, &req)?;
        Ok(req)
    }
}

fn check_request(info: &ModelInfo, req: &Request) -> Result<(), String> {
    if !info.subject_kinds.contains(&req.subject.kind) {
        return Err(format!(
            "model {} does not score subjects of kind '{}'",
            info.name,
            kind_name(req.subject.kind)
        ));
    }
    if req.subject.id.trim().is_empty() || req.subject.id.len() > 128 {
        return Err("subject id must be 1 to 128 characters".into());
    }
    if !is_iso_date(&req.as_of) {
        return Err(format!(
            "as_of '{}' is not an ISO date (YYYY-MM-DD)",
            req.as_of
        ));
    }
    if !(0..=100_000).contains(&req.base.score) {
        return Err("base score is off the provincial 0-1000 scale".into());
    }
    for ind in &req.indicators {
        let Some(spec) = info.indicators.iter().find(|s| s.name == ind.name) else {
            return Err(format!(
                "indicator '{}' is not declared by model {}",
                ind.name, info.name
            ));
        };
        if value_kind(&ind.value) != spec.kind {
            return Err(format!(
                "indicator '{}' must be a {}, got a {}",
                ind.name,
                value_kind_name(spec.kind),
                value_kind_name(value_kind(&ind.value))
            ));
        }
        match &ind.value {
            Value::Date(d) if !is_iso_date(d) => {
                return Err(format!(
                    "indicator '{}': '{d}' is not an ISO date",
                    ind.name
                ));
            }
            Value::Number(n) if !n.is_finite() => {
                return Err(format!("indicator '{}' is not a finite number", ind.name));
            }
            _ => {}
        }
        if let Some(d) = &ind.observed_on
            && !is_iso_date(d)
        {
            return Err(format!(
                "indicator '{}': observed_on '{d}' is not an ISO date",
                ind.name
            ));
        }
    }
    for spec in info.indicators.iter().filter(|s| s.required) {
        if !req.indicators.iter().any(|i| i.name == spec.name) {
            return Err(format!(
                "required indicator '{}' ({}) is missing",
                spec.name,
                value_kind_name(spec.kind)
            ));
        }
    }
    Ok(())
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let num = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0i64, |acc, c| {
            c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
        })
    };
    let (Some(y), Some(m), Some(d)) = (num(0..4), num(5..7), num(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 => 28 + i64::from(leap),
        _ => return false,
    };
    (1..=days).contains(&d)
}
