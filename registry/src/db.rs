//! The SQL connection: SQLite or PostgreSQL behind one pool, migrations, and
//! write transactions that serialise registry changes across processes.

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool, Executor as _};

use crate::Error;

/// Which database the URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Sqlite,
    Postgres,
}

pub(crate) struct Db {
    pub(crate) pool: AnyPool,
    backend: Backend,
    /// The file, for a SQLite database in one (not in memory).
    sqlite_path: Option<std::path::PathBuf>,
    /// The write turn of this process: the log writer's batches and each
    /// chunk of a long write (an import) take it, first come first served.
    /// SQLite's own lock is not fair — a waiting writer polls, and a long
    /// run of transactions that follow each other at once starves it — so
    /// the turn hands the lock over between an import's chunks.
    pub(crate) turn: std::sync::Arc<tokio::sync::Mutex<()>>,
}

/// The page size of a new SQLite database, in bytes. 16 KiB (SQLite's
/// default is 4 KiB): an audit record with its input is 2–3 KB, and larger
/// pages mean fewer pages, B-tree splits and WAL frames per group commit
/// (measured: about 40 % less time per appended record). It applies only
/// when the file is created; an existing database keeps its page size.
const SQLITE_PAGE_SIZE: u32 = 16 * 1024;

/// What every SQLite connection runs first, pooled or the log writer's own.
/// `synchronous = FULL`: a commit is on disk when it returns — the audit
/// log's promise that no answer is given before its record is durable
/// depends on it. `secure_delete = ON`: content deleted or overwritten
/// (an erased person's record beside the log) is overwritten with zeros in
/// the file, not left in free space for anyone holding the file to read.
fn sqlite_pragma_list() -> [String; 5] {
    [
        format!("PRAGMA page_size = {SQLITE_PAGE_SIZE}"),
        format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}"),
        format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}"),
        "PRAGMA synchronous = FULL".to_string(),
        "PRAGMA secure_delete = ON".to_string(),
    ]
}

/// Run [`sqlite_pragma_list`] through `run`.
pub(crate) fn sqlite_pragmas<E>(mut run: impl FnMut(&str) -> Result<(), E>) -> Result<(), E> {
    for pragma in sqlite_pragma_list() {
        run(&pragma)?;
    }
    Ok(())
}

/// The file a `sqlite:` URL names, or `None` for an in-memory database.
fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && !path.contains(":memory:")).then(|| path.into())
}

/// How long a writer waits for another process's write transaction on
/// SQLite. 10 s: registry writes take milliseconds; a longer wait means a
/// stuck process, and the caller should hear about it.
pub(crate) const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

/// SQLite's page cache per connection, in KiB. 64 MiB (the default is
/// 2 MiB): the audit log's id index takes inserts at random places, and with
/// the default cache most of them read pages back from the file.
const SQLITE_CACHE_KIB: u32 = 64 * 1024;

/// The key of the PostgreSQL advisory lock that serialises registry writes
/// ("SCOR" in ASCII). Writes are rare (publish, approve, pin, revoke), so
/// one lock is simpler and safer than reasoning about row locks.
const PG_WRITE_LOCK: i64 = 0x5343_4f52;

impl Db {
    pub(crate) async fn open(url: &str) -> Result<Db, Error> {
        install_default_drivers();
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(Error::BadRequest(format!(
                "database URL '{url}' is neither sqlite:… nor postgres://…"
            )));
        };
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 4 } else { 8 })
            // No ping before each use: a dead connection fails its query
            // with a clear error, and the ping was a round trip per query.
            .test_before_acquire(false)
            // A caller waits at most 5 s for a connection (sqlx's default is
            // 30 s, the service's whole request budget). While the database
            // is down, sqlx keeps trying to connect until then; a request
            // then fails as `Unavailable` (503, retry later) instead of
            // hanging until the request timeout.
            .acquire_timeout(std::time::Duration::from_secs(5))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in sqlite_pragma_list() {
                            conn.execute(pragma.as_str()).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await
            .map_err(|e| Error::Storage(format!("cannot open database {}: {e}", redact(url))))?;
        if backend == Backend::Sqlite {
            // WAL lets readers go on while one process writes.
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        let sqlite_path = (backend == Backend::Sqlite)
            .then(|| sqlite_file(url))
            .flatten();
        let db = Db {
            pool,
            backend,
            sqlite_path,
            turn: Default::default(),
        };
        db.migrate().await?;
        Ok(db)
    }

    async fn migrate(&self) -> Result<(), Error> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("./migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("./migrations/postgres"),
        };
        // Two processes opening a fresh database at once may race to create
        // the migrations table; the loser retries once the winner is done.
        let mut last = None;
        for _ in 0..5 {
            match migrator.run(&self.pool).await {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        Err(last
            .map(Error::from)
            .unwrap_or_else(|| Error::Storage("migration failed".into())))
    }

    /// Start a write transaction on a pooled connection (see [`begin_on`]).
    pub(crate) async fn begin(&self) -> Result<Tx, Error> {
        let mut conn = self.pool.acquire().await?;
        begin_on(&mut conn, self.backend).await?;
        Ok(Tx { conn, open: true })
    }

    /// The SQLite file, if the database is one.
    pub(crate) fn sqlite_path(&self) -> Option<&std::path::Path> {
        self.sqlite_path.as_deref()
    }

    /// Which database this is.
    pub(crate) fn backend(&self) -> Backend {
        self.backend
    }
}

/// Start a write transaction on `conn` that excludes every other writer, in
/// this process or another: `BEGIN IMMEDIATE` on SQLite, an advisory
/// transaction lock on PostgreSQL.
pub(crate) async fn begin_on(conn: &mut AnyConnection, backend: Backend) -> Result<(), Error> {
    match backend {
        Backend::Sqlite => {
            conn.execute("BEGIN IMMEDIATE").await?;
        }
        Backend::Postgres => {
            conn.execute("BEGIN").await?;
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(PG_WRITE_LOCK)
                .execute(&mut *conn)
                .await?;
        }
    }
    Ok(())
}

/// A write transaction. Dropped without [`Tx::commit`], its connection is
/// closed rather than returned to the pool, which rolls it back.
pub(crate) struct Tx {
    conn: PoolConnection<Any>,
    open: bool,
}

impl Tx {
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }

    pub(crate) async fn commit(mut self) -> Result<(), Error> {
        self.conn.execute("COMMIT").await?;
        self.open = false;
        Ok(())
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if self.open {
            self.conn.close_on_drop();
        }
    }
}

/// A database URL without its password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}
