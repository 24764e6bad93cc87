//! Hostile guest: `evaluate` recurses a billion frames deep.
use scorehost_sdk::*;
/// The guest model.
pub struct Guest;
#[inline(never)]
fn dive(depth: u64) -> u64 {
    if core::hint::black_box(depth) == 0 {
        0
    } else {
        1 + dive(core::hint::black_box(depth - 1))
    }
}
impl Model for Guest {
    fn describe() -> ModelInfo {
        guest_common::info("deep-recursion")
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let d = dive(1_000_000_000);
        let mut e = guest_common::evaluation(req);
        e.reasons.push(format!("depth {d}"));
        Ok(e)
    }
}
export_model!(Guest);
