//! # scorehost-runtime: run one credit-scoring model in a deterministic sandbox
//!
//! Cities and sectors publish their scoring models ("1+N": N indicators on top
//! of the provincial base evaluation) as WebAssembly components implementing
//! the `zjcredit:scoring@1.0.0` world (`wit/scoring.wit`). This crate loads
//! and runs one of them, and nothing else: no HTTP, no SQL, no command line.
//! The SDK's `sandbox` test feature depends on this crate alone.
//!
//! - [`sandbox`]: the wasmtime engine, its limits and the zero-capability,
//!   deterministic WASI environment; [`sandbox::Runtime::load`] refuses what
//!   must never run (not a component, wrong world, forbidden imports);
//! - [`model`]: a loaded model, its `describe()` and the evaluation pipeline —
//!   check the request against the model's declaration, run it in a fresh
//!   instance with fuel, memory, stack, time and result-size limits, then
//!   check the white box; [`Scorer`] is what the scoring path runs;
//! - [`wire`]: the JSON wire format shared by the CLI and the HTTP API;
//! - [`validate`] and [`whitebox`]: the checks before and after a call;
//! - [`contract`]: the WIT bindings and the model's declaration;
//! - [`points`]: exact hundredths of points;
//! - [`report`]: the human-readable white-box table;
//! - [`artifacts`]: compiled modules cached on disk by hash;
//! - [`componentize`]: the fast build path (core module → component).
//!
//! ```no_run
//! use scorehost_runtime::{sandbox::{Limits, Runtime}, wire::ScoreRequest};
//! # fn main() -> Result<(), scorehost_runtime::Error> {
//! let runtime = Runtime::new(Limits::default())?;
//! let model = runtime.load(&std::fs::read("ningbo_port.wasm").unwrap())?;
//! let req: ScoreRequest = serde_json::from_str(include_str!("../../../examples/requests/ningbo-port.json")).unwrap();
//! let (_request, outcome) = model.evaluate_wire(&req)?;
//! println!("{} {}", outcome.evaluation.score, outcome.evaluation.grade);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod artifacts;
pub mod componentize;
pub mod contract;
mod error;
pub mod model;
pub mod points;
pub mod report;
pub mod sandbox;
pub mod validate;
pub mod whitebox;
pub mod wire;

pub use error::{Error, Fault};
pub use model::{Model, Outcome, Scorer};

/// This host's version, recorded with every evaluation.
pub const HOST_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The wasmtime version the sandbox is built on: fuel figures are only
/// comparable between evaluations run on the same one.
pub const WASMTIME_VERSION: &str = "48.0.8";
