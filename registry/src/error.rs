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
    /// The actor has reached a documented limit (open disputes per app or
    /// per subject, say); the same request may succeed once some of what
    /// counts against the limit is closed. The service answers 429.
    #[error("limit reached: {0}")]
    Limit(String),
    /// Storage cannot take the request now, for a reason that passes: the
    /// disk is full, the database server is down or restarting, the
    /// connection was lost, every connection is busy. Nothing of the request
    /// was stored; the same request may be retried later. The service
    /// answers 503 with `Retry-After`.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
}

impl Error {
    /// Whether retrying later may succeed ([`Error::Unavailable`]).
    pub fn is_transient(&self) -> bool {
        matches!(self, Error::Unavailable(_))
    }
}

/// PostgreSQL SQLSTATE classes and codes that pass: `08` connection
/// exceptions, `53` insufficient resources (disk full, out of memory, too
/// many connections), `57P01`–`57P03` the server shutting down or starting,
/// `40001`/`40P01` serialisation failures and deadlocks.
fn transient_sqlstate(code: &str) -> bool {
    code.starts_with("08")
        || code.starts_with("53")
        || matches!(code, "57P01" | "57P02" | "57P03" | "40001" | "40P01")
}

/// SQLite primary result codes that pass: `SQLITE_BUSY` (5), `SQLITE_LOCKED`
/// (6), `SQLITE_NOMEM` (7), `SQLITE_IOERR` (10), `SQLITE_FULL` (13),
/// `SQLITE_CANTOPEN` (14). sqlx reports the extended code; its low byte is
/// the primary one.
fn transient_sqlite(code: i32) -> bool {
    matches!(code & 0xff, 5 | 6 | 7 | 10 | 13 | 14)
}

/// Whether an I/O error passes: the disk full, over quota, or out of memory.
fn transient_io(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::StorageFull
            | std::io::ErrorKind::QuotaExceeded
            | std::io::ErrorKind::OutOfMemory
    ) || matches!(e.raw_os_error(), Some(28 | 122))
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        let transient = match &e {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => true,
            sqlx::Error::Database(db) => db.code().is_some_and(|c| {
                c.parse::<i32>()
                    .map_or_else(|_| transient_sqlstate(&c), transient_sqlite)
            }),
            _ => false,
        };
        if transient {
            Error::Unavailable(format!("database: {e}"))
        } else {
            Error::Storage(format!("database: {e}"))
        }
    }
}

impl From<sqlx::migrate::MigrateError> for Error {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Error::Storage(format!("database migration: {e}"))
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        if transient_io(&e) {
            Error::Unavailable(format!("module store: {e}"))
        } else {
            Error::Storage(format!("module store: {e}"))
        }
    }
}

impl From<rusqlite::Error> for Error {
    fn from(e: rusqlite::Error) -> Self {
        let transient = e
            .sqlite_error()
            .is_some_and(|s| transient_sqlite(s.extended_code));
        if transient {
            Error::Unavailable(format!("database: {e}"))
        } else {
            Error::Storage(format!("database: {e}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passing_failures_are_told_apart_from_lasting_ones() {
        assert!(transient_sqlstate("08006"));
        assert!(transient_sqlstate("57P01"));
        assert!(transient_sqlstate("53100"));
        assert!(!transient_sqlstate("23505"), "a unique violation stays");
        assert!(!transient_sqlstate("42P01"));
        assert!(transient_sqlite(13), "SQLITE_FULL");
        assert!(transient_sqlite(10 | (3 << 8)), "SQLITE_IOERR_WRITE");
        assert!(!transient_sqlite(19), "SQLITE_CONSTRAINT");
        assert!(!transient_sqlite(11), "SQLITE_CORRUPT");
        let full = std::io::Error::from_raw_os_error(28);
        assert!(Error::from(full).is_transient());
        let missing = std::io::Error::from(std::io::ErrorKind::NotFound);
        assert!(!Error::from(missing).is_transient());
        assert!(Error::from(sqlx::Error::PoolTimedOut).is_transient());
        assert!(!Error::from(sqlx::Error::RowNotFound).is_transient());
    }
}
