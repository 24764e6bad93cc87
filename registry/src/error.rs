//! The registry's one error type.

/// What can go wrong in the registry. Every refusal leaves storage as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Malformed input: a reference, a version, a hash.
    #[error("bad request: {0}")]
    BadRequest(String),
    /// No valid credentials (an unknown or revoked API token).
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The actor may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// A natural person has not (or no longer) consented to this app
    /// scoring them with this model.
    #[error("consent required: {0}")]
    ConsentRequired(String),
    /// No such model or version.
    #[error("not found: {0}")]
    NotFound(String),
    /// The action contradicts what is stored: immutability, a hash that is
    /// not the stored one, pinning what is not approved or was revoked.
    #[error("conflict: {0}")]
    Conflict(String),
    /// The module failed the load-time check; nothing was stored.
    #[error("module refused: {0}")]
    ModuleRefused(String),
    /// The model has no pinned version, so it scores nobody.
    #[error("no pinned version of {0}: pin an approved version first")]
    NoPinnedVersion(String),
    /// The stored bytes are not the registered bytes. They are never run.
    #[error(
        "integrity failure: the stored module of {reference} hashes to {actual}, but the registry holds {expected}; refusing to run it"
    )]
    Integrity {
        /// `namespace/name@version`.
        reference: String,
        /// The SHA-256 the registry holds.
        expected: String,
        /// The SHA-256 of the bytes found in the store.
        actual: String,
    },
    /// The database or the filesystem failed.
    #[error("storage error: {0}")]
    Storage(String),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        Error::Storage(format!("database: {e}"))
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Error::Storage(format!("database migration: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Storage(format!("module store: {e}"))
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        Error::Storage(format!("database: {e}"))
    }
}
