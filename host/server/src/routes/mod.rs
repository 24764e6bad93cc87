//! The routes under `/v1`, one module per resource. Each handler is thin:
//! the caller's role, the body, one call into the engine, the answer.

pub mod batches;
pub mod composites;
pub mod consents;
pub mod data;
pub mod decisions;
pub mod disputes;
pub mod impact;
pub mod keys;
pub mod log;
pub mod me;
pub mod ops;
pub mod plugins;
pub mod proposals;
pub mod scenarios;
pub mod scores;
pub mod shadows;
pub mod subjects;
