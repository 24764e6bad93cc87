//! Replay: re-run a recorded evaluation with the exact module it used (by
//! SHA-256, from the module store) on its recorded input, and say whether
//! the white box is the same — the "white box, not a black box" promise
//! made checkable by anyone entitled to the record. A composite's record
//! ([`crate::composite`]) replays every step and checks the links between
//! them ([`composite`]).

pub mod composite;
pub mod evaluation;

use crate::Error;
use crate::catalog::Catalog;

/// What replaying a recorded evaluation found.
#[derive(utoipa::ToSchema, Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReplayReport {
    /// The record replayed.
    pub id: String,
    /// Whether the white box (score, grade, contributions, reasons — or the
    /// error) is identical.
    pub identical: bool,
    /// Each field that differs: `field: recorded → now`.
    pub differences: Vec<String>,
    /// Fuel recorded and fuel now.
    #[schema(value_type = Vec<u64>)]
    pub fuel: (u64, u64),
    /// Whether fuel was compared (only on the same wasmtime version).
    pub fuel_compared: bool,
    /// For a composite's record: each step's replay, in order (fuel above
    /// is their sum).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<StepReplay>,
}

/// One step of a composite's replay.
#[derive(utoipa::ToSchema, Debug, Clone, PartialEq, serde::Serialize)]
pub struct StepReplay {
    /// The step's evaluation record.
    pub id: String,
    /// Whether its white box is identical.
    pub identical: bool,
    /// What differs.
    pub differences: Vec<String>,
}

/// Replay record `id`: an evaluation ([`evaluation::replay`]) or a
/// composite's record ([`composite::replay`]). Fails if an input was erased.
pub async fn replay(catalog: &Catalog, id: &str) -> Result<ReplayReport, Error> {
    let shown = crate::audit::show(catalog.registry(), id).await?;
    if shown.record["kind"] == "composite" {
        composite::replay(catalog, id).await
    } else {
        evaluation::replay(catalog, id).await
    }
}
