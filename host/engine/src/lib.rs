//! # scorehost-engine: the use cases the server, the CLI and batch share
//!
//! Everything here works on registered models and the registry; nothing
//! here speaks HTTP or parses a command line. One request to score goes
//! through [`Engine::score`] whoever asks — the HTTP API, the CLI, a batch
//! run — so each policy is decided in one place:
//!
//! - [`consent`]: consent first, before any read of a natural person's data,
//!   with the same answer whether or not the subject is stored;
//! - [`completion`]: a stored subject's request completed from the 1+N
//!   store, with its withheld records;
//! - [`scoring`]: fairness between apps, the sandbox, and the durable record
//!   before the answer;
//! - [`audit`]: the log's records, their writer (group commit, signed
//!   checkpoints), verify and proofs; [`replay`]: re-running a record;
//! - [`catalog`]: registered models and their loaded modules, and [`cache`]:
//!   the one cache with a stated freshness in front of pins and tokens;
//! - [`decide`]: benefit decisions on a recorded evaluation;
//! - [`composite`]: composite scores and credit reports, several pinned
//!   models for one subject as one linked decision;
//! - [`shadow`], [`impact`]: what a candidate version would change;
//! - [`batch`]: many subjects, resumably; [`population`]: synthetic ones;
//! - [`stages`]: where one request's time goes, stage by stage;
//! - [`error`]: the engine's error, and the one mapping from its kind to an
//!   HTTP status and an exit code.
#![deny(missing_docs)]

pub mod audit;
pub mod batch;
pub mod cache;
pub mod catalog;
pub mod completion;
pub mod composite;
pub mod consent;
pub mod decide;
mod engine;
pub mod error;
pub mod impact;
pub mod population;
pub mod replay;
pub mod retention;
pub mod scoring;
pub mod shadow;
pub mod stages;

pub use cache::REGISTRY_CACHE_TTL;
pub use engine::{Engine, Scored};

// The runtime's modules by their short names, for paths inside this crate
// (`crate::wire::ScoreRequest`); other crates name them
// `scorehost_runtime::wire` and so on.
pub use error::Error;
pub use scorehost_runtime::{Fault, Model, Outcome};
use scorehost_runtime::{artifacts, contract, points, report, sandbox, validate, wire};
