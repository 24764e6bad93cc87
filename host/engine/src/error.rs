//! The engine's one error type, and the one mapping from an error's kind
//! to what a caller is told: the HTTP status ([`status_of`]) and the exit
//! code of the command line ([`exit_code_of`]). The server, the local CLI
//! and the CLI talking to a server (which sees only the code) all read the
//! same table, [`KINDS`].

use scorehost_runtime::contract::EvalError;
use scorehost_runtime::{Error as RuntimeError, Fault};

/// Everything that can go wrong in a use case: the runtime's errors (the
/// request, the module, the plugin, the host's capacity, the host), a
/// proof asked too early, and the registry's.
///
/// The runtime's variants are repeated here rather than wrapped, so that a
/// caller matches `Error::Rejected(_)` whether the runtime or the engine
/// raised it; `From<scorehost_runtime::Error>` maps each to its namesake.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The request is malformed or does not fit the model's declaration.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The request lacks an indicator the model declares required (see
    /// [`scorehost_runtime::Error::MissingRequired`]).
    #[error("bad request: required indicator '{indicator}' ({kind}) is missing")]
    MissingRequired {
        /// The indicator's name.
        indicator: String,
        /// Its declared value kind.
        kind: String,
    },
    /// The model ran and declined the request with its own `eval-error`.
    #[error("{}", RuntimeError::Rejected(.0.clone()))]
    Rejected(EvalError),
    /// The module must not run (see [`scorehost_runtime::Error::ModuleRefused`]).
    #[error("module refused: {0}")]
    ModuleRefused(String),
    /// The plugin trapped, ran out of a budget or broke the white box.
    #[error("{}", RuntimeError::fault(.fault.clone(), .output.clone()))]
    PluginFault {
        /// What went wrong.
        fault: Fault,
        /// What the plugin wrote to stdout/stderr, bounded.
        output: String,
    },
    /// No sandbox slot or queue place is free right now; try again later.
    #[error("overloaded: {0}")]
    Overloaded(String),
    /// An inclusion proof was asked for a record that no signed checkpoint
    /// covers yet: the log writer signs one within a second
    /// ([`crate::audit::writer::CHECKPOINT_EVERY`]); ask again then.
    #[error(
        "record {seq} is not yet under a signed checkpoint (the latest covers {covered} records); the log signs one within a second: ask again"
    )]
    NotCheckpointed {
        /// The record's position.
        seq: u64,
        /// Records the latest checkpoint covers.
        covered: u64,
    },
    /// A bug or an environment failure in the host.
    #[error("internal error: {0}")]
    Internal(String),
    /// The registry refused or failed (forbidden, not found, conflict, no
    /// pinned version, integrity failure, storage).
    #[error(transparent)]
    Registry(#[from] scorehost_registry::Error),
}

impl From<RuntimeError> for Error {
    fn from(e: RuntimeError) -> Error {
        match e {
            RuntimeError::BadRequest(m) => Error::BadRequest(m),
            RuntimeError::MissingRequired { indicator, kind } => {
                Error::MissingRequired { indicator, kind }
            }
            RuntimeError::Rejected(e) => Error::Rejected(e),
            RuntimeError::ModuleRefused(m) => Error::ModuleRefused(m),
            RuntimeError::PluginFault { fault, output } => Error::PluginFault { fault, output },
            RuntimeError::Overloaded(m) => Error::Overloaded(m),
            RuntimeError::Internal(m) => Error::Internal(m),
        }
    }
}

impl Error {
    /// A stable, machine-readable code for this kind of error: one of
    /// [`KINDS`].
    pub fn code(&self) -> &'static str {
        use scorehost_registry::Error as R;
        match self {
            Error::BadRequest(_) | Error::MissingRequired { .. } => "bad_request",
            Error::Rejected(_) => "model_rejected",
            Error::ModuleRefused(_) => "module_refused",
            Error::PluginFault { .. } => "plugin_fault",
            Error::Overloaded(_) => "overloaded",
            Error::NotCheckpointed { .. } => "not_checkpointed",
            Error::Internal(_) => "internal",
            Error::Registry(e) => match e {
                R::BadRequest(_) => "bad_request",
                R::Unauthorized(_) => "unauthorized",
                R::Forbidden(_) => "forbidden",
                R::ConsentRequired(_) => "consent_required",
                R::NotFound(_) => "not_found",
                R::Conflict(_) => "conflict",
                R::ModuleRefused(_) => "module_refused",
                R::NoPinnedVersion(_) => "no_pinned_version",
                R::Integrity { .. } => "integrity",
                R::Storage(_) => "storage",
                R::Limit(_) => "limit_reached",
                R::Unavailable(_) => "unavailable",
            },
        }
    }

    /// The HTTP status for this error ([`status_of`] its code).
    pub fn http_status(&self) -> u16 {
        status_of(self.code())
    }

    /// The command line's exit code for this error ([`exit_code_of`] its
    /// code).
    pub fn exit_code(&self) -> u8 {
        exit_code_of(self.code())
    }
}

/// One kind of error as every caller sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// The stable code in an error body (`bad_request`, …).
    pub code: &'static str,
    /// The HTTP status the service answers with.
    pub status: u16,
    /// The exit code of the command line: 3 the request (bad, or rejected
    /// by the model), 4 module refused, 5 plugin fault, 6 retry later,
    /// 7 internal or storage, 8 not allowed, 9 not found, 10 conflict,
    /// 11 no pinned version, 12 integrity, 13 a limit reached.
    pub exit_code: u8,
}

const fn kind(code: &'static str, status: u16, exit_code: u8) -> Kind {
    Kind {
        code,
        status,
        exit_code,
    }
}

/// Every error code the service answers with, its status and its exit
/// code. Codes raised only by the server's admission and body handling
/// (`too_large`, `unsupported_media_type`, `body_timeout`, `gone`,
/// `too_many_failures`, `method_not_allowed`) are here too, so that the
/// CLI talking to a server exits as a local run would.
pub const KINDS: &[Kind] = &[
    kind("bad_request", 400, 3),
    kind("model_rejected", 422, 3),
    kind("too_large", 413, 3),
    kind("unsupported_media_type", 415, 3),
    kind("module_refused", 422, 4),
    kind("plugin_fault", 422, 5),
    kind("overloaded", 503, 6),
    kind("unavailable", 503, 6),
    kind("not_checkpointed", 503, 6),
    kind("internal", 500, 7),
    kind("storage", 500, 7),
    kind("body_timeout", 408, 7),
    kind("too_many_failures", 429, 7),
    kind("method_not_allowed", 405, 7),
    kind("unauthorized", 401, 8),
    kind("forbidden", 403, 8),
    kind("consent_required", 403, 8),
    kind("not_found", 404, 9),
    kind("gone", 410, 9),
    kind("conflict", 409, 10),
    kind("no_pinned_version", 404, 11),
    kind("integrity", 500, 12),
    kind("limit_reached", 429, 13),
];

/// The kind with this code; an unknown code is an internal error (500, 7).
pub fn kind_of(code: &str) -> Kind {
    KINDS
        .iter()
        .copied()
        .find(|k| k.code == code)
        .unwrap_or(kind("internal", 500, 7))
}

/// The HTTP status for an error code.
pub fn status_of(code: &str) -> u16 {
    kind_of(code).status
}

/// The exit code for an error code.
pub fn exit_code_of(code: &str) -> u8 {
    kind_of(code).exit_code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once() {
        for (i, k) in KINDS.iter().enumerate() {
            assert!(
                KINDS[i + 1..].iter().all(|o| o.code != k.code),
                "{} twice",
                k.code
            );
        }
    }

    #[test]
    fn an_error_and_its_code_map_alike() {
        let e = Error::Registry(scorehost_registry::Error::NoPinnedVersion("x".into()));
        assert_eq!((e.http_status(), e.exit_code()), (404, 11));
        let e = Error::from(RuntimeError::Overloaded("busy".into()));
        assert_eq!(
            (e.code(), e.http_status(), e.exit_code()),
            ("overloaded", 503, 6)
        );
        assert_eq!(kind_of("no_such_code").status, 500);
    }
}
