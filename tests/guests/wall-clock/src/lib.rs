//! Hostile guest: `evaluate` sleeps 20 ms at a time, forever. Sleeping is
//! a WASI host call that costs next to no fuel, so the fuel budget would
//! last for hours: the wall-clock backstop (epoch interruption, checked
//! when the call returns to WebAssembly) is what stops it.
use scorehost_sdk::*;
/// The guest model.
pub struct Guest;
impl Model for Guest {
    fn describe() -> ModelInfo {
        guest_common::info("wall-clock")
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        loop {
            std::thread::sleep(std::time::Duration::from_millis(20));
            if core::hint::black_box(req.subject.id.is_empty()) {
                return Ok(guest_common::evaluation(req));
            }
        }
    }
}
export_model!(Guest);
