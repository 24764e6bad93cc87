//! Hostile guest: reports a score 0.01 above the sum of its contributions.
use scorehost_sdk::*;
/// The guest model.
pub struct Guest;
impl Model for Guest {
    fn describe() -> ModelInfo {
        guest_common::info("broken-whitebox")
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let mut e = guest_common::evaluation(req);
        e.score += 1;
        Ok(e)
    }
}
export_model!(Guest);
