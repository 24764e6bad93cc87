//! Replaying one recorded evaluation.

use super::ReplayReport;
use crate::Error;
use crate::audit;
use crate::catalog::Catalog;

/// Re-run evaluation `id` with the exact module it used (by SHA-256, from
/// the store) on its recorded input, and compare. Fails if the input was
/// erased.
pub async fn replay(catalog: &Catalog, id: &str) -> Result<ReplayReport, Error> {
    let shown = audit::show(catalog.registry(), id).await?;
    if shown.record["kind"] != "evaluation" {
        return Err(Error::BadRequest(format!(
            "record {id} is a registry action, not an evaluation"
        )));
    }
    let Some(input) = shown.input else {
        return Err(Error::BadRequest(format!(
            "the input of record {id} was erased on {}: it can be shown, not replayed",
            shown.erased_at.unwrap_or_default()
        )));
    };
    let sha = shown.record["model"]["sha256"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut model = catalog.load_sha(&sha)?;
    if let Some(budget) = shown.record["fuel_budget"].as_u64() {
        model.tighten(&scorehost_runtime::sandbox::Limits {
            fuel: budget,
            ..*catalog.runtime().limits()
        });
    }
    let (result, response) = match crate::scoring::off_the_runtime(|| model.evaluate_wire(&input))?
    {
        Ok((req, o)) => {
            let resp = model.response(&req, &o);
            (Ok(o), Some(resp))
        }
        Err(e) => (Err(e.into()), None),
    };
    let (now, fuel_now) = audit::outcome_json(&result, response.as_ref());
    let recorded = audit::recorded_white_box(&shown.record);
    let mut differences = Vec::new();
    for field in ["score", "grade", "contributions", "reasons", "error"] {
        if recorded[field] != now[field] {
            differences.push(format!("{field}: {} → {}", recorded[field], now[field]));
        }
    }
    differences.extend(audit::decision_difference(&shown.record["decision"], &now));
    let fuel_recorded = shown.record["fuel"].as_u64().unwrap_or(0);
    let fuel_compared = shown.record["wasmtime_version"] == scorehost_runtime::WASMTIME_VERSION;
    if fuel_compared && fuel_recorded != fuel_now {
        differences.push(format!("fuel: {fuel_recorded} → {fuel_now}"));
    }
    Ok(ReplayReport {
        id: id.to_string(),
        identical: differences.is_empty(),
        differences,
        fuel: (fuel_recorded, fuel_now),
        fuel_compared,
        steps: Vec::new(),
    })
}
