//! Test guest: `test/versioned@1.0.0` — the provincial score, halved.
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
            req.base.score * 50 / 100,
            "50 % of the provincial score",
        );
        Ok(card.finish(&guest_common::bands()))
    }
}
export_model!(Guest);
