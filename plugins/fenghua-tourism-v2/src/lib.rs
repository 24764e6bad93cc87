//! Fenghua all-area tourism credit model (奉化全域旅游信用评价), version 2.0.0,
//! frozen: a published version is immutable, and so is what it answers
//! (`samples/`). Its corrected successor, 3.0.0, is `fenghua-tourism`.
//!
//! The tourism businesses of Fenghua district, Ningbo — hotels, restaurants,
//! homestays, travel agencies, scenic spots, shops and cultural-creative
//! businesses — on a 1000-point scale, "1+N": the provincial public credit
//! evaluation as the base (40 %) plus N industry indicators in five
//! dimensions (basic info, trustworthy info, untrustworthy info, tourist
//! feedback, industry supervision). Version 1.0.0 graded in three grades
//! (excellent, good, poor); this version grades in five, A–E, each of them
//! inside one of the old grades. The rules live in the `fenghua-tourism-rules-v2`
//! crate (`rules/`), shared with `fenghua-tourism-v1`, which publishes 1.0.0.
//! See README.md for the choices the source leaves open.
#![deny(missing_docs)]

use scorehost_sdk::*;

pub use fenghua_tourism_rules_v2::{
    BASE_WEIGHT_BP, BUSINESS_TYPES, DIMENSIONS, indicators, model_info, score,
};

/// The model, version 2.0.0.
pub struct FenghuaTourismV2;

/// Grades A–E (excellent, good, average, poor, very poor) and their lowest
/// scores (hundredths).
pub fn bands() -> Bands {
    Bands::new(&[
        ("A", 90_000),
        ("B", 85_000),
        ("C", 70_000),
        ("D", 60_000),
        ("E", 0),
    ])
}

impl Model for FenghuaTourismV2 {
    fn describe() -> ModelInfo {
        model_info(env!("CARGO_PKG_VERSION"), &bands())
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        score(req, &bands())
    }
}

export_model!(FenghuaTourismV2);

#[cfg(test)]
mod tests;
