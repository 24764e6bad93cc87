//! A composite's records: each step's evaluation record marked with the
//! composite run it belongs to, and the composite's own record (`kind`
//! `composite`) that lists them.
//!
//! A step's record ends with `"composite":{"name","version","run","step"}`;
//! the composite's record holds the same `run`, and each step's record id,
//! so each can be found from the other. The record format of a composite
//! record is [`COMPOSITE_RECORD_FORMAT`].

use scorehost_registry::{Composite, NewRecord};
use serde_json::{Value, json};

use super::CompositeResponse;
use crate::Error;

/// The version of the composite record's format, its `format` field.
/// Format 2 (2026-12, issue 24) moved the personal part — `subject`,
/// `as_of`, `steps`, `left_out`, `result`, `error` — out of the leaf, which
/// commits to it as `personal`, as an evaluation record's (format 3) does.
pub const COMPOSITE_RECORD_FORMAT: u32 = 2;

/// A fresh id for one composite run: 16 random bytes, hex.
pub fn run_id() -> Result<String, Error> {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b)
        .map_err(|e| Error::Internal(format!("no randomness for a composite run: {e}")))?;
    Ok(hex::encode(b))
}

/// Mark `record`, a step's evaluation record as
/// [`crate::scoring::prepare`] built it, as step `step` of run `run` of
/// composite `c`. Costs one copy of the record's text.
pub fn mark_step(
    record: &mut NewRecord,
    c: &Composite,
    run: &str,
    step: &str,
) -> Result<(), Error> {
    let body = record.body.trim_end();
    let Some(open) = body.strip_suffix('}') else {
        return Err(Error::Internal(
            "an evaluation record is not a JSON object".into(),
        ));
    };
    let mark = json!({"name": c.name, "version": c.version, "run": run, "step": step});
    record.body = format!("{open},\"composite\":{mark}}}");
    Ok(())
}

/// The composite's own record: who asked, the composite and version, the
/// run, the subject, every step (its model, whether and why it ran, how
/// each input was fed, its record's id, score and grade or error), the
/// models left out and the result or the failing step.
pub fn composite_record(
    caller: &str,
    c: &Composite,
    run: &str,
    answer: &CompositeResponse,
    failed: Option<&(String, Error)>,
) -> Result<NewRecord, Error> {
    let steps: Vec<Value> = answer
        .steps
        .iter()
        .map(|s| {
            let mut v = json!({
                "step": s.step,
                "model": s.model,
                "ran": s.ran,
                "why": s.why,
            });
            if !s.fed.is_empty() {
                v["fed"] = serde_json::to_value(&s.fed).unwrap_or_default();
            }
            if let Some(id) = &s.evaluation_id {
                v["evaluation_id"] = id.clone().into();
            }
            if let Some(e) = &s.evaluation {
                v["sha256"] = e.model.sha256.clone().into();
                v["score"] = json!(e.score);
                v["grade"] = e.grade.clone().into();
            }
            if let Some(e) = &s.error {
                v["error"] = json!({"code": e.code, "message": e.message});
            }
            v
        })
        .collect();
    let mut fields = serde_json::Map::new();
    fields.insert("format".into(), COMPOSITE_RECORD_FORMAT.into());
    fields.insert("caller".into(), caller.into());
    fields.insert(
        "composite".into(),
        json!({"name": c.name, "version": c.version, "title": c.title}),
    );
    fields.insert("run".into(), run.into());
    fields.insert("host_version".into(), env!("CARGO_PKG_VERSION").into());
    // About the person: kept beside the log, erasable.
    let mut personal = serde_json::Map::new();
    personal.insert(
        "subject".into(),
        json!({"id": answer.subject.id, "kind": answer.subject.kind}),
    );
    personal.insert("as_of".into(), answer.as_of.clone().into());
    personal.insert("steps".into(), steps.into());
    if !answer.left_out.is_empty() {
        personal.insert(
            "left_out".into(),
            serde_json::to_value(&answer.left_out).unwrap_or_default(),
        );
    }
    if let Some(r) = &answer.result {
        personal.insert("result".into(), serde_json::to_value(r).unwrap_or_default());
    }
    if let Some((step, e)) = failed {
        personal.insert(
            "error".into(),
            json!({"step": step, "code": e.code(), "message": e.to_string()}),
        );
    }
    let mut record = NewRecord::from_fields("composite", scorehost_registry::now(), &fields);
    record.personal = Some(crate::audit::personal_part(
        &answer.subject.id,
        &answer.subject.kind,
        Value::Object(personal).to_string(),
    )?);
    Ok(record)
}
