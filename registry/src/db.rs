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
}

/// How long a writer waits for another process's write transaction on
/// SQLite. 10 s: registry writes take milliseconds; a longer wait means a
/// stuck process, and the caller should hear about it.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 10_000;

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
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute(
                            format!("PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}").as_str(),
                        )
                        .await?;
                        conn.execute(format!("PRAGMA cache_size = -{SQLITE_CACHE_KIB}").as_str())
                            .await?;
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
        let db = Db { pool, backend };
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

    /// Start a write transaction that excludes every other writer, in this
    /// process or another: `BEGIN IMMEDIATE` on SQLite, an advisory
    /// transaction lock on PostgreSQL.
    pub(crate) async fn begin(&self) -> Result<Tx, Error> {
        let mut conn = self.pool.acquire().await?;
        match self.backend {
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
        Ok(Tx { conn, open: true })
    }
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
