//! A scoring model built with wit-bindgen against the world
//! `scoring-model` alone — `describe` and `evaluate`, no `consequences` —
//! as every component was before the world `scoring-model-declared`. The
//! host must load it and treat it as declaring no consequence.
#![allow(clippy::too_many_arguments)] // in the generated bindings
wit_bindgen::generate!({ path: "../../../wit", world: "scoring-model" });

use zjcredit::scoring::types::{Contribution, GradeBand, SubjectKind};

/// The guest model: the provincial score, graded A (≥ 600) or B.
pub struct Plain;

impl Guest for Plain {
    fn describe() -> ModelInfo {
        ModelInfo {
            name: "test/plain-world".into(),
            version: "1.0.0".into(),
            title: "a model of the plain world".into(),
            subject_kinds: vec![SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: 10_000,
            grades: vec![
                GradeBand {
                    grade: "A".into(),
                    min_score: 60_000,
                },
                GradeBand {
                    grade: "B".into(),
                    min_score: 0,
                },
            ],
            indicators: vec![],
        }
    }

    fn evaluate(req: Request) -> Result<Evaluation, EvalError> {
        let score = req.base.score;
        Ok(Evaluation {
            score,
            grade: if score >= 60_000 { "A" } else { "B" }.into(),
            contributions: vec![Contribution {
                name: "base".into(),
                points: score,
                note: "the provincial score".into(),
            }],
            reasons: vec![],
        })
    }
}

export!(Plain);
