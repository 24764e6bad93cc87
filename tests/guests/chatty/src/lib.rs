//! Hostile guest: writes 1 MiB to stdout and to stderr, then returns a
//! valid result. Its output must be captured (bounded), never printed.
use scorehost_sdk::*;
/// The guest model.
pub struct Guest;
impl Model for Guest {
    fn describe() -> ModelInfo {
        guest_common::info("chatty")
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let line = "CHATTY-GUEST-OUTPUT ".repeat(50);
        for _ in 0..1000 {
            println!("{line}");
            eprintln!("{line}");
        }
        Ok(guest_common::evaluation(req))
    }
}
export_model!(Guest);
