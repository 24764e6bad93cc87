//! The commands, one module each; `main.rs` only parses and dispatches.

pub(crate) mod build;
pub(crate) mod run;
