//! Replaying a composite record: every step re-run with the exact module
//! it used (by SHA-256) on its recorded input ([`super::evaluation`]), and the
//! links between them checked — each step's record belongs to the run, each
//! fed input holds exactly the output of the step it came from, and the
//! result is the result step's.

use serde_json::Value;

use super::{ReplayReport, StepReplay, evaluation};
use crate::Error;
use crate::audit;
use crate::catalog::Catalog;

/// The value `output` names in a step's recorded outcome.
fn recorded_output(step_record: &Value, output: &str) -> Value {
    let outcome = &step_record["outcome"];
    match output {
        "score" => outcome["score"].clone(),
        "grade" => outcome["grade"].clone(),
        "model" => step_record["model"]["name"].clone(),
        _ => match output.strip_prefix("contribution:") {
            Some(name) => {
                let points: f64 = outcome["contributions"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter(|c| c["name"].as_str() == Some(name))
                            .filter_map(|c| c["points"].as_f64())
                            .sum()
                    })
                    .unwrap_or(0.0);
                serde_json::json!((points * 100.0).round() / 100.0)
            }
            None => Value::Null,
        },
    }
}

/// Replay composite record `id` (`kind` `composite`): each step's replay
/// in `steps`, and every difference — a step's, a broken link — in
/// `differences`, prefixed with its step. Fuel is the steps' sum.
pub async fn replay(catalog: &Catalog, id: &str) -> Result<ReplayReport, Error> {
    let shown = audit::show(catalog.registry(), id).await?;
    let record = &shown.record;
    if record["kind"] != "composite" {
        return Err(Error::BadRequest(format!(
            "record {id} is not a composite's record"
        )));
    }
    if let Some(at) = record["erased_at"].as_str().or_else(|| {
        // A record before format 2 erased to a tombstone holds no steps.
        record.get("steps").is_none().then_some("?")
    }) {
        return Err(Error::BadRequest(format!(
            "the steps of composite record {id} were erased on {at} with its person: it can be shown, not replayed"
        )));
    }
    let run = record["run"].as_str().unwrap_or_default();
    let mut differences = Vec::new();
    let mut steps = Vec::new();
    let mut step_records: Vec<(String, Value)> = Vec::new();
    let empty = Vec::new();
    for step in record["steps"].as_array().unwrap_or(&empty) {
        let name = step["step"].as_str().unwrap_or_default().to_string();
        let Some(eid) = step["evaluation_id"].as_str() else {
            continue;
        };
        let r = evaluation::replay(catalog, eid).await?;
        differences.extend(r.differences.iter().map(|d| format!("step {name}: {d}")));
        steps.push(r);
        let step_shown = audit::show(catalog.registry(), eid).await?;
        if step_shown.record["composite"]["run"].as_str() != Some(run) {
            differences.push(format!(
                "step {name}: record {eid} is not marked as part of run {run}"
            ));
        }
        for fed in step["fed"].as_array().unwrap_or(&empty) {
            let value = &fed["value"];
            if value.is_null() {
                continue;
            }
            let input = fed["input"].as_str().unwrap_or_default();
            let from = fed["from"].as_str().unwrap_or_default();
            let output = fed["output"].as_str().unwrap_or_default();
            match step_records.iter().find(|(n, _)| n == from) {
                Some((_, source)) if &recorded_output(source, output) == value => {}
                _ => differences.push(format!(
                    "step {name}: input {input} = {value} is not {from}'s recorded {output}"
                )),
            }
            let given = step_shown.input.as_ref().and_then(|req| {
                req.indicators
                    .iter()
                    .find(|i| i.name == input)
                    .map(|i| i.value.clone())
            });
            if step_shown.input.is_some() && given.as_ref() != Some(value) {
                differences.push(format!(
                    "step {name}: its recorded input {input} is {}, not the {value} fed",
                    given.map_or("absent".to_string(), |v| v.to_string())
                ));
            }
        }
        step_records.push((name, step_shown.record));
    }
    if let Some(step) = record["result"]["step"].as_str() {
        match step_records.iter().find(|(n, _)| n == step) {
            Some((_, r))
                if r["outcome"]["score"] == record["result"]["score"]
                    && r["outcome"]["grade"] == record["result"]["grade"] => {}
            _ => differences.push(format!(
                "the result is not step {step}'s recorded score and grade"
            )),
        }
    }
    let fuel = steps
        .iter()
        .fold((0, 0), |(a, b), r| (a + r.fuel.0, b + r.fuel.1));
    let fuel_compared = steps.iter().all(|r| r.fuel_compared);
    Ok(ReplayReport {
        id: id.to_string(),
        identical: differences.is_empty(),
        differences,
        fuel,
        fuel_compared,
        steps: steps
            .into_iter()
            .map(|r| StepReplay {
                id: r.id,
                identical: r.identical,
                differences: r.differences,
            })
            .collect(),
    })
}
