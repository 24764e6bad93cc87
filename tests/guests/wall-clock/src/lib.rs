//! Hostile guest: `evaluate` sleeps 20 ms at a time, forever, hoping to
//! hold a worker for hours on next to no fuel (the wall-clock backstop is
//! checked only when a host call returns to WebAssembly). The sandbox's
//! clock is frozen, so each sleep is over at once and the loop runs out of
//! fuel like any other.
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
