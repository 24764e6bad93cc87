//! Hostile guest: `evaluate` panics with a message naming the subject.
use scorehost_sdk::*;
/// The guest model.
pub struct Guest;
impl Model for Guest {
    fn describe() -> ModelInfo {
        guest_common::info("panic")
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        panic!("deliberate panic while scoring {}", req.subject.id)
    }
}
export_model!(Guest);
