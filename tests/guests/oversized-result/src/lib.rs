//! Hostile guest: a result with 10,000 reasons of 100 bytes (about 1 MiB).
use scorehost_sdk::*;
/// The guest model.
pub struct Guest;
impl Model for Guest {
    fn describe() -> ModelInfo {
        guest_common::info("oversized-result")
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let mut e = guest_common::evaluation(req);
        e.reasons = vec!["R".repeat(100); 10_000];
        Ok(e)
    }
}
export_model!(Guest);
