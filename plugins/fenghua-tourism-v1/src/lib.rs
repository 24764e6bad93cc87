//! Fenghua all-area tourism credit model (奉化全域旅游信用评价), version 1.0.0,
//! frozen.
//!
//! The first version, with the three grades the source describes in use
//! (excellent, good, poor). Its indicator rules are those of version 2.0.0
//! (`fenghua-tourism-v2`, five grades, also frozen), from the crate both share,
//! `fenghua-tourism-rules-v2`: only the grade bands differ, and every 2.0.0
//! grade lies inside one 1.0.0 grade (A, B → excellent; C → good;
//! D, E → poor). Version 3.0.0 (`fenghua-tourism`) has rules of its own.
//! See README.md.
#![deny(missing_docs)]

use scorehost_sdk::*;

/// The model, version 1.0.0.
pub struct FenghuaTourismV1;

/// Grades excellent, good, poor (优秀, 良好, 较差) and their lowest scores
/// (hundredths).
pub fn bands() -> Bands {
    Bands::new(&[("excellent", 85_000), ("good", 70_000), ("poor", 0)])
}

impl Model for FenghuaTourismV1 {
    fn describe() -> ModelInfo {
        fenghua_tourism_rules_v2::model_info(env!("CARGO_PKG_VERSION"), &bands())
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        fenghua_tourism_rules_v2::score(req, &bands())
    }
}

export_model!(FenghuaTourismV1);

#[cfg(test)]
mod tests;
