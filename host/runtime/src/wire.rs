//! The JSON wire format, used by the CLI and the HTTP API alike.
//!
//! Field names are snake_case, enum values kebab-case as in the WIT, points
//! are decimals with at most two places. The types mirror `wit/scoring.wit`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::contract::{
    BaseEvaluation, Evaluation, Indicator, ModelInfo, Request, Subject, Value, ValueKind,
    subject_kind_from_name, subject_kind_name, value_kind_name,
};
use crate::points;

/// A score request as JSON (`POST /v1/scores`, `scorehost score --input`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// `namespace/name` of the model; optional when the module is given
    /// directly, and then it must match the module's own name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Who is scored.
    pub subject: WireSubject,
    /// The evaluation date, ISO `YYYY-MM-DD`.
    pub as_of: String,
    /// The provincial base evaluation (the "1").
    pub base: WireBase,
    /// The N indicators.
    #[serde(default)]
    pub indicators: Vec<WireIndicator>,
    /// The subject's stored records that were *not* given to the model —
    /// under dispute, or marked repaired. Set by the host when it completes
    /// a request from the 1+N store (`scorehost_engine::completion`); each
    /// evaluation's reasons and audit record then say so.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<Withheld>,
    /// Whether the host completed this request from the 1+N store
    /// (`scorehost_engine::completion`) rather than taking the caller's inputs.
    /// Set by the host only, like `withheld`; the evaluation's record says
    /// whose data it used (`data`), so that an app's own inputs about a
    /// stored subject are never taken for the official evaluation.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub from_store: bool,
}

/// A stored indicator record that the model was not given, and why: under
/// a dispute the province admitted, after a dispute that lapsed in the
/// subject's favour, or marked repaired. The host sets these; a caller may
/// not claim them ([`refuse_claimed_withheld`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withheld {
    /// The indicator's name.
    pub indicator: String,
    /// The record's date, if it is dated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_on: Option<String>,
    /// `disputed` (a dispute the province admitted is open), `lapsed`
    /// (a dispute lapsed in the subject's favour) or `repaired`.
    pub why: String,
    /// The dispute's or the repair's id.
    pub id: String,
    /// Since when (RFC 3339; a lapse: the last day the dispute had).
    pub since: String,
    /// Who filed the dispute (`province` or `app:NAME`); absent for a
    /// repair.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_by: Option<String>,
}

/// A subject on the wire.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WireSubject {
    /// The subject's identifier (unified social credit code, ID number, …).
    pub id: String,
    /// `enterprise`, `natural-person`, `social-organization`,
    /// `public-institution` or `government-agency`.
    pub kind: String,
}

/// The provincial base evaluation on the wire.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WireBase {
    /// Provincial score, 0–1000, at most two decimals.
    pub score: f64,
    /// Provincial grade.
    pub grade: String,
    /// Dimension sub-scores by name (passed to the model sorted by name).
    #[serde(default)]
    pub dimensions: BTreeMap<String, f64>,
    /// Red and black list memberships, e.g. `black:court-defaulter`.
    #[serde(default)]
    pub lists: Vec<String>,
}

/// One indicator on the wire. `value` is a JSON number (a `number`), a
/// boolean (a `flag`) or a string (a `text` or a `date`, as the model
/// declares the indicator).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct WireIndicator {
    /// The indicator's name, as the model declares it.
    pub name: String,
    /// Its value: a number, a boolean or a string.
    #[cfg_attr(feature = "openapi", schema(schema_with = indicator_value_schema))]
    pub value: serde_json::Value,
    /// When the fact happened, ISO date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_on: Option<String>,
    /// Who furnished it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The schema of an indicator's value: a number, a boolean or a string.
#[cfg(feature = "openapi")]
fn indicator_value_schema() -> utoipa::openapi::schema::Schema {
    use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
    let one_of = OneOfBuilder::new()
        .item(ObjectBuilder::new().schema_type(Type::Number))
        .item(ObjectBuilder::new().schema_type(Type::Boolean))
        .item(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(
            "A number (a `number`), a boolean (a `flag`) or a string (a `text` or a `date`)",
        ))
        .build();
    Schema::OneOf(one_of)
}

/// The refusal of a request that names `withheld` records itself, or says
/// it comes `from_store`: only the host sets them, from the store's
/// disputes and repairs and from where it took the inputs, so that a
/// caller can write neither a suspension that never happened nor the
/// store's authority into its own audit record.
pub fn refuse_claimed_withheld(where_: &str) -> Error {
    Error::BadRequest(format!(
        "{where_}`withheld` and `from_store` are set by the host, from the store's disputes and repairs and from where it took the inputs; a request may not name them"
    ))
}

/// Whether a request claims what only the host sets (`withheld` records,
/// `from_store`): see [`refuse_claimed_withheld`].
pub fn claims_host_fields(request: &ScoreRequest) -> bool {
    !request.withheld.is_empty() || request.from_store
}

/// The number (1-based) of the first NDJSON line in `text` that names
/// `withheld` records or `from_store`, if any (see
/// [`refuse_claimed_withheld`]). Lines that are not JSON objects are left to
/// the decoder's own errors.
pub fn first_line_claiming_withheld(text: &[u8]) -> Option<usize> {
    text.split(|b| *b == b'\n')
        .enumerate()
        .find_map(|(i, line)| {
            let v = serde_json::from_slice::<serde_json::Value>(line).ok()?;
            let withheld = v
                .get("withheld")
                .is_some_and(|w| w.as_array().is_none_or(|a| !a.is_empty()));
            (withheld || v.get("from_store").is_some()).then_some(i + 1)
        })
}

impl ScoreRequest {
    /// Turn the wire request into the contract's [`Request`] for the model
    /// `info` describes, and check it against that declaration
    /// ([`crate::validate::check_request`]).
    pub fn to_request(&self, info: &ModelInfo) -> Result<Request, Error> {
        let req = self.convert(info)?;
        crate::validate::check_request(info, &req)?;
        Ok(req)
    }

    /// Only the conversion of [`to_request`](ScoreRequest::to_request),
    /// without the check against the declaration — for callers that hand
    /// the result to [`crate::Model::evaluate`], which checks it anyway.
    /// Errors: the model named is another, an unknown subject kind, points
    /// with more than two decimals, a value that is not a number, boolean or
    /// string.
    pub fn convert(&self, info: &ModelInfo) -> Result<Request, Error> {
        let bad = |m: String| Error::BadRequest(m);
        if let Some(m) = &self.model
            && m != &info.name
        {
            return Err(bad(format!(
                "the request is for model '{m}', but the module is '{}'",
                info.name
            )));
        }
        let kind = subject_kind_from_name(&self.subject.kind).ok_or_else(|| {
            bad(format!(
                "subject kind '{}' is not one of enterprise, natural-person, social-organization, public-institution, government-agency",
                self.subject.kind
            ))
        })?;
        let base_score =
            points::from_decimal(self.base.score).map_err(|m| bad(format!("base score: {m}")))?;
        let mut dimensions = Vec::with_capacity(self.base.dimensions.len());
        for (name, v) in &self.base.dimensions {
            let h = points::from_decimal(*v)
                .map_err(|m| bad(format!("base dimension '{name}': {m}")))?;
            dimensions.push((name.clone(), h));
        }
        let mut indicators = Vec::with_capacity(self.indicators.len());
        for ind in &self.indicators {
            let declared = info
                .indicators
                .iter()
                .find(|s| s.name == ind.name)
                .map(|s| s.kind);
            let value = match (&ind.value, declared) {
                (serde_json::Value::Number(n), _) => {
                    Value::Number(n.as_f64().ok_or_else(|| {
                        bad(format!("indicator '{}': number out of range", ind.name))
                    })?)
                }
                (serde_json::Value::Bool(b), _) => Value::Flag(*b),
                (serde_json::Value::String(s), Some(ValueKind::Date)) => Value::Date(s.clone()),
                (serde_json::Value::String(s), _) => Value::Text(s.clone()),
                (other, _) => {
                    return Err(bad(format!(
                        "indicator '{}': value must be a number, a boolean or a string, not {}",
                        ind.name,
                        json_type(other)
                    )));
                }
            };
            indicators.push(Indicator {
                name: ind.name.clone(),
                value,
                observed_on: ind.observed_on.clone(),
                source: ind.source.clone(),
            });
        }
        let req = Request {
            subject: Subject {
                id: self.subject.id.clone(),
                kind,
            },
            as_of: self.as_of.clone(),
            base: BaseEvaluation {
                score: base_score,
                grade: self.base.grade.clone(),
                dimensions,
                lists: self.base.lists.clone(),
            },
            indicators,
        };
        Ok(req)
    }

    /// The wire form of a contract [`Request`] (the inverse of
    /// [`to_request`](ScoreRequest::to_request)).
    pub fn from_request(model: Option<String>, req: &Request) -> ScoreRequest {
        ScoreRequest {
            model,
            subject: WireSubject {
                id: req.subject.id.clone(),
                kind: subject_kind_name(req.subject.kind).to_string(),
            },
            as_of: req.as_of.clone(),
            base: WireBase {
                score: points::to_decimal(req.base.score),
                grade: req.base.grade.clone(),
                dimensions: req
                    .base
                    .dimensions
                    .iter()
                    .map(|(n, p)| (n.clone(), points::to_decimal(*p)))
                    .collect(),
                lists: req.base.lists.clone(),
            },
            indicators: req
                .indicators
                .iter()
                .map(|i| WireIndicator {
                    name: i.name.clone(),
                    value: match &i.value {
                        Value::Number(n) => serde_json::json!(n),
                        Value::Flag(b) => serde_json::Value::Bool(*b),
                        Value::Text(s) | Value::Date(s) => serde_json::Value::String(s.clone()),
                    },
                    observed_on: i.observed_on.clone(),
                    source: i.source.clone(),
                })
                .collect(),
            withheld: Vec::new(),
            from_store: false,
        }
    }
}

/// The wire form of a contract [`Request`], borrowed: it serialises to
/// exactly the JSON of [`ScoreRequest::from_request`] without copying the
/// request first (the audit log serialises every evaluated request).
#[derive(Serialize)]
pub struct WireRequestRef<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    model: Option<&'a str>,
    subject: SubjectRef<'a>,
    as_of: &'a str,
    base: BaseRef<'a>,
    indicators: Vec<IndicatorRef<'a>>,
}

#[derive(Serialize)]
struct SubjectRef<'a> {
    id: &'a str,
    kind: &'static str,
}

#[derive(Serialize)]
struct BaseRef<'a> {
    score: f64,
    grade: &'a str,
    dimensions: DimensionsRef<'a>,
    lists: &'a [String],
}

/// Dimensions as a JSON object, by name (as a `BTreeMap` serialises them).
struct DimensionsRef<'a>(&'a [(String, crate::contract::Points)]);

impl Serialize for DimensionsRef<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        let mut sorted: Vec<&(String, crate::contract::Points)> = self.0.iter().collect();
        sorted.sort_by(|a, b| a.0.cmp(&b.0));
        sorted.dedup_by(|a, b| a.0 == b.0);
        let mut map = s.serialize_map(Some(sorted.len()))?;
        for (name, p) in sorted {
            map.serialize_entry(name, &points::to_decimal(*p))?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct IndicatorRef<'a> {
    name: &'a str,
    value: ValueRef<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    observed_on: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum ValueRef<'a> {
    Number(f64),
    Flag(bool),
    Text(&'a str),
}

impl<'a> WireRequestRef<'a> {
    /// `req` in the wire format, for `model`.
    pub fn new(model: Option<&'a str>, req: &'a Request) -> WireRequestRef<'a> {
        WireRequestRef {
            model,
            subject: SubjectRef {
                id: &req.subject.id,
                kind: subject_kind_name(req.subject.kind),
            },
            as_of: &req.as_of,
            base: BaseRef {
                score: points::to_decimal(req.base.score),
                grade: &req.base.grade,
                dimensions: DimensionsRef(&req.base.dimensions),
                lists: &req.base.lists,
            },
            indicators: req
                .indicators
                .iter()
                .map(|i| IndicatorRef {
                    name: &i.name,
                    value: match &i.value {
                        Value::Number(n) => ValueRef::Number(*n),
                        Value::Flag(b) => ValueRef::Flag(*b),
                        Value::Text(s) | Value::Date(s) => ValueRef::Text(s),
                    },
                    observed_on: i.observed_on.as_deref(),
                    source: i.source.as_deref(),
                })
                .collect(),
        }
    }
}

fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
    }
}

/// Which module produced a result: name, version and the SHA-256 of its bytes.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ModelRef {
    /// `namespace/name`.
    pub name: String,
    /// Semantic version.
    pub version: String,
    /// Hex SHA-256 of the module's exact bytes.
    pub sha256: String,
}

/// One contribution on the wire.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WireContribution {
    /// `base` or the indicator's name.
    pub name: String,
    /// Points, decimal.
    pub points: f64,
    /// What it means.
    pub note: String,
}

/// An evaluation on the wire: the white box.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct EvaluationResponse {
    /// The audit record's id, once evaluations are recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_id: Option<String>,
    /// The module that scored.
    pub model: ModelRef,
    /// Who was scored.
    pub subject: WireSubject,
    /// The evaluation date.
    pub as_of: String,
    /// The score, decimal points.
    pub score: f64,
    /// The grade.
    pub grade: String,
    /// Every part of the score; they add up to it exactly.
    pub contributions: Vec<WireContribution>,
    /// Principal reasons, most important first.
    pub reasons: Vec<String>,
    /// Fuel used: the evaluation's deterministic cost.
    pub fuel: u64,
    /// Wall-clock time of the sandboxed call, in microseconds.
    pub duration_us: u64,
    /// Stored records of the subject the model did not see (under
    /// dispute, or repaired); `reasons` ends with a sentence for each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withheld: Vec<Withheld>,
    /// Whose data the model was given, for a recorded evaluation: `store`
    /// (the 1+N store, each record with its furnisher) or `caller` (the
    /// inputs the caller sent, which are its own statement, not the
    /// province's). The record says the same.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_from: Option<String>,
}

impl EvaluationResponse {
    /// The wire form of an evaluation of `req` by `model`.
    pub fn new(
        model: ModelRef,
        req: &Request,
        eval: &Evaluation,
        fuel: u64,
        duration_us: u64,
    ) -> Self {
        EvaluationResponse {
            evaluation_id: None,
            model,
            subject: WireSubject {
                id: req.subject.id.clone(),
                kind: subject_kind_name(req.subject.kind).to_string(),
            },
            as_of: req.as_of.clone(),
            score: points::to_decimal(eval.score),
            grade: eval.grade.clone(),
            contributions: eval
                .contributions
                .iter()
                .map(|c| WireContribution {
                    name: c.name.clone(),
                    points: points::to_decimal(c.points),
                    note: c.note.clone(),
                })
                .collect(),
            reasons: eval.reasons.clone(),
            fuel,
            duration_us,
            withheld: Vec::new(),
            data_from: None,
        }
    }
}

/// A model's `describe()` on the wire (`scorehost inspect --json`).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WireModelInfo {
    /// `namespace/name`.
    pub name: String,
    /// Semantic version.
    pub version: String,
    /// Human title.
    pub title: String,
    /// Subject kinds scored, kebab-case.
    pub subject_kinds: Vec<String>,
    /// Lowest score, decimal points.
    pub scale_min: f64,
    /// Highest score, decimal points.
    pub scale_max: f64,
    /// Share of the provincial base, basis points.
    pub base_weight_bp: u32,
    /// Grades, best first, with their lowest score.
    pub grades: Vec<WireGradeBand>,
    /// Declared indicators.
    pub indicators: Vec<WireIndicatorSpec>,
    /// What the model does whatever the points when a condition holds (a
    /// poor provincial grade, a list, a prohibition), with its source;
    /// absent for a model that declares none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consequences: Vec<WireConsequence>,
}

/// A declared consequence on the wire (see [`crate::contract::Consequence`]).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WireConsequence {
    /// What triggers it: `base:poor`, `list:black`, `list:red`,
    /// `list:warning`, `score` (the model's own points), or a declared
    /// indicator's name.
    pub when: String,
    /// What it does, one sentence.
    pub effect: String,
    /// The declared grade it gives whatever the points, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Where the source says so.
    pub source: String,
}

impl WireModelInfo {
    /// A loaded model's whole declaration: `describe()` and its
    /// consequences.
    pub fn of(model: &crate::Model) -> WireModelInfo {
        let mut info = WireModelInfo::from(model.info());
        info.consequences = model
            .consequences()
            .iter()
            .map(|c| WireConsequence {
                when: c.when.clone(),
                effect: c.effect.clone(),
                grade: c.grade.clone(),
                source: c.source.clone(),
            })
            .collect();
        info
    }
}

/// A grade band on the wire.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WireGradeBand {
    /// The grade.
    pub grade: String,
    /// Its lowest score, decimal points.
    pub min_score: f64,
}

/// An indicator declaration on the wire.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct WireIndicatorSpec {
    /// Name.
    pub name: String,
    /// What it is and how it counts.
    pub description: String,
    /// `number`, `flag`, `text` or `date`.
    pub kind: String,
    /// Whether every request must carry it.
    pub required: bool,
}

impl From<&ModelInfo> for WireModelInfo {
    fn from(i: &ModelInfo) -> Self {
        WireModelInfo {
            name: i.name.clone(),
            version: i.version.clone(),
            title: i.title.clone(),
            subject_kinds: i
                .subject_kinds
                .iter()
                .map(|k| subject_kind_name(*k).to_string())
                .collect(),
            scale_min: points::to_decimal(i.scale_min),
            scale_max: points::to_decimal(i.scale_max),
            base_weight_bp: i.base_weight_bp,
            grades: i
                .grades
                .iter()
                .map(|g| WireGradeBand {
                    grade: g.grade.clone(),
                    min_score: points::to_decimal(g.min_score),
                })
                .collect(),
            indicators: i
                .indicators
                .iter()
                .map(|s| WireIndicatorSpec {
                    name: s.name.clone(),
                    description: s.description.clone(),
                    kind: value_kind_name(s.kind).to_string(),
                    required: s.required,
                })
                .collect(),
            consequences: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ScoreRequest;

    /// Numbers are read exactly as written, and a request survives its own
    /// JSON — what the audit log keeps and a replay reads back. Without
    /// serde_json's `float_roundtrip` both failed: `0.11416666666666667`
    /// was read one unit in the last place off, and `3.9252506537613346e-227`
    /// changed on every trip (found by fuzz target `request`:
    /// fuzz/regressions/request/float-roundtrip.json).
    #[test]
    fn numbers_are_read_exactly_and_survive_their_own_json() {
        let text = r#"{"subject":{"id":"1","kind":"enterprise"},"as_of":"2026-11-01",
            "base":{"score":702.5,"grade":"B","dimensions":{"d":0.11416666666666667}},
            "indicators":[{"name":"share","value":0.11416666666666667},
                          {"name":"tiny","value":3.9252506537613346e-227}]}"#;
        let req: ScoreRequest = serde_json::from_str(text).unwrap();
        assert_eq!(req.base.dimensions["d"], 0.11416666666666667);
        assert_eq!(req.indicators[0].value.as_f64(), Some(0.11416666666666667));
        assert_eq!(
            req.indicators[1].value.as_f64(),
            Some(3.9252506537613346e-227)
        );
        let mut wire = req.clone();
        for _ in 0..3 {
            wire = serde_json::from_str(&serde_json::to_string(&wire).unwrap()).unwrap();
            assert_eq!(wire, req);
        }
    }
}
