//! Hostile guest: answers grade "AAA+", which it never declared.
use scorehost_sdk::*;
/// The guest model.
pub struct Guest;
impl Model for Guest {
    fn describe() -> ModelInfo {
        guest_common::info("unknown-grade")
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let mut e = guest_common::evaluation(req);
        e.grade = "AAA+".into();
        Ok(e)
    }
}
export_model!(Guest);
