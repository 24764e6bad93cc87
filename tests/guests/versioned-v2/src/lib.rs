//! Test guest: `test/versioned@2.0.0` — the provincial score at 80 %.
use scorehost_sdk::*;
/// The guest model.
pub struct Guest;
impl Model for Guest {
    fn describe() -> ModelInfo {
        ModelInfo {
            name: "test/versioned".into(),
            version: "2.0.0".into(),
            ..guest_common::info("versioned")
        }
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let mut card = Scorecard::new(0, 100_000);
        card.add(
            "base",
            req.base.score * 80 / 100,
            "80 % of the provincial score",
        );
        Ok(card.finish(&guest_common::bands()))
    }
}
export_model!(Guest);
