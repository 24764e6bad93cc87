//! Which imports a plugin may have.
//!
//! A model is a pure function, so it needs nothing from the outside. But a
//! component built the ordinary way (`cargo build --target wasm32-wasip2`,
//! or another language's toolchain) imports the WASI interfaces its standard
//! library *could* use. Those are allowed and linked with zero capabilities
//! ([`super::wasi`]). Everything else — the network above all — is refused
//! when the module is loaded, naming the import.

/// WASI 0.2 interfaces a plugin may import (any 0.2.x version). Each is
/// backed by a capability-free implementation: no files, no environment, no
/// arguments, frozen clocks, seeded randomness, captured output.
pub const ALLOWED_WASI: &[&str] = &[
    "wasi:cli/environment",
    "wasi:cli/exit",
    "wasi:cli/stdin",
    "wasi:cli/stdout",
    "wasi:cli/stderr",
    "wasi:cli/terminal-input",
    "wasi:cli/terminal-output",
    "wasi:cli/terminal-stdin",
    "wasi:cli/terminal-stdout",
    "wasi:cli/terminal-stderr",
    "wasi:clocks/wall-clock",
    "wasi:clocks/monotonic-clock",
    "wasi:io/error",
    "wasi:io/poll",
    "wasi:io/streams",
    "wasi:random/random",
    "wasi:random/insecure",
    "wasi:random/insecure-seed",
    "wasi:filesystem/types",
    "wasi:filesystem/preopens",
];

/// The contract's own types interface (types only; any 1.x version).
pub const CONTRACT_TYPES: &str = "zjcredit:scoring/types";

/// Why an import is not allowed, or `None` if it is.
///
/// ```
/// use scorehost_runtime::sandbox::imports::refusal;
/// assert_eq!(refusal("wasi:cli/stderr@0.2.6"), None);
/// assert!(refusal("wasi:sockets/tcp@0.2.6").unwrap().contains("network"));
/// assert!(refusal("acme:spy/exfiltrate").is_some());
/// ```
pub fn refusal(import: &str) -> Option<String> {
    let (name, version) = import.split_once('@').unwrap_or((import, ""));
    if name.starts_with("wasi:sockets/") || name.starts_with("wasi:http/") {
        return Some(format!(
            "it imports '{import}': scoring models get no network access"
        ));
    }
    if ALLOWED_WASI.contains(&name) {
        if version.starts_with("0.2.") {
            return None;
        }
        return Some(format!(
            "it imports '{import}': only WASI 0.2.x is supported"
        ));
    }
    if name == CONTRACT_TYPES {
        if version.starts_with("1.") {
            return None;
        }
        return Some(format!(
            "it imports '{import}': this host implements zjcredit:scoring 1.x"
        ));
    }
    Some(format!(
        "it imports '{import}', which is outside the allowed set (a model may import only the WASI 0.2 interfaces a standard library links, which it gets without any capability)"
    ))
}
