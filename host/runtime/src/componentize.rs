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
    // Validate first: wit-component slices each section by its declared
    // size before validating anything, and panics on a truncated module
    // (found by fuzzing: fuzz/regressions/publish/).
    wasmtime::Module::validate(&wasmtime::Engine::default(), core_module).map_err(|e| {
        refuse(anyhow::anyhow!(
            "it is not a valid core WebAssembly module: {e:#}"
        ))
    })?;
    wit_component::ComponentEncoder::default()
        .module(core_module)
        .map_err(refuse)?
        .validate(true)
        .encode()
        .map_err(refuse)
}

#[cfg(test)]
mod tests {
    use super::componentize;
    use crate::Error;

    /// A core module whose code section claims more bytes than there are
    /// is refused, not a panic inside wit-component (found by fuzzing).
    #[test]
    fn a_truncated_core_module_is_refused() {
        let truncated = b"\0asm\x01\0\0\0\x01\x04\x01\x60\0\0\x03\x02\x01\0\x0a\x20\x01\x02\0\x0b";
        match componentize(truncated) {
            Err(Error::ModuleRefused(why)) => assert!(
                why.starts_with(
                    "cannot make a component of this core module: it is not a valid core"
                ),
                "{why}"
            ),
            other => panic!("{other:?}"),
        }
        for garbage in [
            &b""[..],
            b"\0asm",
            b"\0asm\x01\0\0\0\x0a\x10\x01",
            b"not wasm",
        ] {
            assert!(matches!(
                componentize(garbage),
                Err(Error::ModuleRefused(_))
            ));
        }
    }
}
