//! Hostile guest: declares that a poor provincial grade gives "banned", a
//! grade it never declared, so that a benefit scenario would act on a grade
//! the host cannot check. The host must refuse it at load.
use scorehost_sdk::*;
/// The guest model.
pub struct Guest;
impl Model for Guest {
    fn describe() -> ModelInfo {
        guest_common::info("undeclared-consequence")
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        Ok(guest_common::evaluation(req))
    }
    fn consequences() -> Vec<Consequence> {
        vec![consequence(
            "base:poor",
            "banned whatever the points",
            Some("banned"),
            "nowhere",
        )]
    }
}
export_model!(Guest);
