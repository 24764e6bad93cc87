//! Hostile guest: `evaluate` allocates and touches 256 MiB.
use scorehost_sdk::*;
/// The guest model.
pub struct Guest;
impl Model for Guest {
    fn describe() -> ModelInfo {
        guest_common::info("memory-bomb")
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let mut chunks: Vec<Vec<u8>> = Vec::new();
        for _ in 0..256 {
            let mut v = vec![0u8; 1 << 20];
            v[4096] = 1;
            chunks.push(core::hint::black_box(v));
        }
        let _ = core::hint::black_box(&chunks);
        Ok(guest_common::evaluation(req))
    }
}
export_model!(Guest);
