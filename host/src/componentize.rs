//! The fast build path: turn a core module built for `wasm32-unknown-unknown`
//! into a `scoring-model` component with no WASI imports at all.
//!
//! A model built the ordinary way (`--target wasm32-wasip2`) carries the
//! WASI interfaces its standard library could use; the host links them
//! without capabilities, but instantiating them still costs time on every
//! evaluation. A core module built for `wasm32-unknown-unknown` with the
//! SDK (which embeds the contract's component type and provides the arena
//! allocator) imports nothing, and `wit-component` wraps it into a component
//! of exactly the `scoring-model` world. The trade-off: such a plugin has no
//! stderr, so a panic is reported as a trap without its message.

use crate::Error;

/// Componentize a core module that embeds the `scoring-model` component
/// type (as every crate built with `scorehost-sdk` does).
///
/// Cost: a few milliseconds for a typical model. Errors:
/// [`Error::ModuleRefused`] when the bytes are not such a core module, or it
/// imports functions the world does not provide (a `wasm32-wasip1` build,
/// say).
pub fn componentize(core_module: &[u8]) -> Result<Vec<u8>, Error> {
    let refuse = |e: anyhow::Error| {
        Error::ModuleRefused(format!(
            "cannot make a component of this core module: {e:#} (build it with the SDK for wasm32-unknown-unknown)"
        ))
    };
    wit_component::ComponentEncoder::default()
        .module(core_module)
        .map_err(refuse)?
        .validate(true)
        .encode()
        .map_err(refuse)
}
