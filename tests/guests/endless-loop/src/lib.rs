//! Hostile guest: `evaluate` loops forever (stopped by fuel or the epoch).
use scorehost_sdk::*;
/// The guest model.
pub struct Guest;
impl Model for Guest {
    fn describe() -> ModelInfo {
        guest_common::info("endless-loop")
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let mut i: u64 = 0;
        loop {
            i = core::hint::black_box(i.wrapping_add(1));
            if core::hint::black_box(i) == 0 && req.subject.id.is_empty() {
                return Ok(guest_common::evaluation(req));
            }
        }
    }
}
export_model!(Guest);
