//! Test guest: `test/versioned@1.0.0` — the same ref as v1 with other bytes (must be refused as a conflict).
use scorehost_sdk::*;
/// The guest model.
pub struct Guest;
impl Model for Guest {
    fn describe() -> ModelInfo {
        ModelInfo {
            name: "test/versioned".into(),
            version: "1.0.0".into(),
            ..guest_common::info("versioned")
        }
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let mut card = Scorecard::new(0, 100_000);
        card.add(
            "base",
            req.base.score * 60 / 100,
            "60 % of the provincial score",
        );
        Ok(card.finish(&guest_common::bands()))
    }
}
export_model!(Guest);
