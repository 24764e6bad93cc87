//! Test guest: `test/impact@1.0.0`, the pinned version of the impact and
//! shadow tests. Arithmetic a test can redo by hand: the score is the
//! provincial score; grades A ≥ 800, B ≥ 600, C. Refuses `n` above 1000.
use scorehost_sdk::*;

/// The guest model.
pub struct Guest;

/// Grades A (≥ 800), B (≥ 600), C.
fn bands() -> Bands {
    Bands::new(&[("A", 80_000), ("B", 60_000), ("C", 0)])
}

impl Model for Guest {
    fn describe() -> ModelInfo {
        ModelInfo {
            name: "test/impact".into(),
            version: "1.0.0".into(),
            title: "impact test model, version 1".into(),
            subject_kinds: vec![SubjectKind::Enterprise],
            scale_min: 0,
            scale_max: 100_000,
            base_weight_bp: 10_000,
            grades: bands().to_wit(),
            indicators: vec![
                spec(
                    "n",
                    "a number; above 1000 is refused",
                    ValueKind::Number,
                    false,
                ),
                spec("flag", "a flag version 1 ignores", ValueKind::Flag, false),
            ],
        }
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        if req.opt_number("n")?.is_some_and(|n| n > 1000.0) {
            return Err(EvalError::InvalidIndicator("n must be at most 1000".into()));
        }
        let mut card = Scorecard::new(0, 100_000);
        card.add("base", req.base.score, "the provincial score");
        Ok(card.finish(&bands()))
    }
}
export_model!(Guest);
