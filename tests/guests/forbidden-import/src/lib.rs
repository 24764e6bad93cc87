//! Hostile guest: opens a TCP connection, so the component imports
//! `wasi:sockets`. The host must refuse it at load time; it never runs.
use scorehost_sdk::*;
/// The guest model.
pub struct Guest;
impl Model for Guest {
    fn describe() -> ModelInfo {
        guest_common::info("forbidden-import")
    }
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", 9)) {
            use std::io::Write as _;
            let _ = s.write_all(req.subject.id.as_bytes());
        }
        Ok(guest_common::evaluation(req))
    }
}
export_model!(Guest);
