//! # scorehost: run public credit-scoring models in a deterministic sandbox
//!
//! Cities and sectors publish their scoring models ("1+N": N indicators on top
//! of the provincial base evaluation) as WebAssembly components implementing
//! the `zjcredit:scoring@1.0.0` world (`wit/scoring.wit`). This crate runs
//! them:
//!
//! - [`sandbox`]: the wasmtime engine, its limits and the zero-capability,
//!   deterministic WASI environment; [`sandbox::Runtime::load`] refuses what
//!   must never run (not a component, wrong world, forbidden imports);
//! - [`model`]: a loaded model, its `describe()` and the evaluation pipeline —
//!   check the request against the model's declaration, run it in a fresh
//!   instance with fuel, memory, stack, time and result-size limits, then
//!   check the white box;
//! - [`wire`]: the JSON wire format shared by the CLI and the HTTP API;
//! - [`validate`] and [`whitebox`]: the checks before and after a call;
//! - [`report`]: the human-readable white-box table;
//! - [`audit`]: the verifiable log of every evaluation, and [`scoring`]: the
//!   one path that scores with a registered model and records it;
//! - [`population`]: synthetic populations for any model, from its `describe()`;
//! - [`batch`]: scoring a file of subjects on all cores, resumably;
//! - [`store`]: requests completed from the 1+N data store;
//! - [`decide`]: benefit decisions — a scenario's rule applied to a
//!   recorded evaluation of its model;
//! - [`impact`]: what a candidate version would change, replayed on the
//!   pinned version's recorded inputs; [`shadow`]: a candidate evaluating
//!   live requests beside the pinned version, logged, never returned;
//! - [`api`]: the HTTP service.
//!
//! ```no_run
//! use scorehost::{sandbox::{Limits, Runtime}, wire::ScoreRequest};
//! # fn main() -> Result<(), scorehost::Error> {
//! let runtime = Runtime::new(Limits::default())?;
//! let model = runtime.load(&std::fs::read("ningbo_port.wasm").unwrap())?;
//! let req: ScoreRequest = serde_json::from_str(include_str!("../../examples/requests/ningbo-port.json")).unwrap();
//! let (_request, outcome) = model.evaluate_wire(&req)?;
//! println!("{} {}", outcome.evaluation.score, outcome.evaluation.grade);
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

pub mod api;
pub mod artifacts;
pub mod audit;
pub mod batch;
pub mod catalog;
pub mod componentize;
pub mod consent;
pub mod contract;
pub mod decide;
mod error;
pub mod impact;
pub mod model;
pub mod points;
pub mod population;
pub mod report;
pub mod sandbox;
pub mod scoring;
pub mod shadow;
pub mod store;
pub mod validate;
pub mod whitebox;
pub mod wire;

pub use error::{Error, Fault};
pub use model::{Model, Outcome};

/// This host's version, recorded with every evaluation.
pub const HOST_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The wasmtime version the sandbox is built on: fuel figures are only
/// comparable between evaluations run on the same one.
pub const WASMTIME_VERSION: &str = "48.0.8";
