//! Probe guest: reports what it can observe of its environment — the wall
//! clock, the monotonic clock, random bytes, `HashMap` iteration order,
//! environment variables, arguments, the filesystem — in its reasons, so a
//! test can check the sandbox hides and freezes all of it.
use scorehost_sdk::*;
use std::collections::HashMap;
/// The guest model.
pub struct Guest;
impl Model for Guest {
    fn describe() -> ModelInfo {
        guest_common::info("determinism-probe")
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let mut e = guest_common::evaluation(req);
        let wall = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        e.reasons.push(format!("wall-clock-secs {wall}"));
        let mono = std::time::Instant::now();
        e.reasons.push(format!(
            "monotonic-elapsed-ns {}",
            mono.elapsed().as_nanos()
        ));
        let map: HashMap<u32, u32> = (0..32).map(|i| (i, i)).collect();
        let order: Vec<String> = map.keys().map(|k| k.to_string()).collect();
        e.reasons.push(format!("hashmap-order {}", order.join(",")));
        e.reasons
            .push(format!("env-vars {}", std::env::vars().count()));
        e.reasons.push(format!("args {}", std::env::args().count()));
        e.reasons
            .push(format!("root-readable {}", std::fs::read_dir("/").is_ok()));
        Ok(e)
    }
}
export_model!(Guest);
