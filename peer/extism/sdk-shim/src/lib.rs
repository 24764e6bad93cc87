//! The real `scorehost-sdk`, re-exported whole, except that
//! [`export_model!`] expands to nothing.
//!
//! The model's source (`plugins/ningbo-port/src/lib.rs`) ends with
//! `export_model!(NingboPort);`, which on wasm32 emits the component-model
//! exports `describe`, `evaluate` and `cabi_*`. In the Extism plugin the
//! export `evaluate` is Extism's own; with both in one module the linker
//! silently dropped both. Compiled against this crate, the model source
//! exports nothing and the plugin crate wraps it.

pub use real_sdk::*;

/// A no-op stand-in for the SDK's `export_model!`.
#[macro_export]
macro_rules! export_model {
    ($model:ty) => {};
}
