//! The audit log's storage: leaves in log order, the erasable inputs beside
//! them, and signed checkpoints — in the registry's database, so that a
//! registry action and its log record commit in one transaction.
//!
//! Every append runs inside the registry's write transaction (one writer at
//! a time across processes), which gives the log one total order; a batch of
//! records shares one transaction and one fsync (group commit).

use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::db::Tx;
use crate::{Error, Registry};

/// A record to append. `body` is a JSON object; `kind`, `at` and `seq` are
/// added to it, and the canonical JSON (keys sorted) is the leaf.
#[derive(Debug, Clone)]
pub struct NewRecord {
    /// `evaluation` or `registry`.
    pub kind: String,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// The record's fields.
    pub body: serde_json::Map<String, serde_json::Value>,
    /// For an evaluation: the salt and the complete input, kept erasable
    /// beside the log (the body holds only their commitment).
    pub input: Option<(String, String)>,
}

/// One leaf of the log as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    /// Position in the log, from 0.
    pub seq: u64,
    /// The record's id: the first 32 hex digits of its leaf hash.
    pub id: String,
    /// `evaluation` or `registry`.
    pub kind: String,
    /// When.
    pub at: String,
    /// The exact leaf data (canonical JSON).
    pub record: String,
    /// The stored leaf hash, hex.
    pub leaf_hash: String,
}

/// An evaluation's input as kept beside the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredInput {
    /// The salt of the commitment (gone once erased).
    pub salt: Option<String>,
    /// The complete input, JSON (gone once erased).
    pub input: Option<String>,
    /// When it was erased, if it was.
    pub erased_at: Option<String>,
}

/// A stored signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredCheckpoint {
    /// Records covered.
    pub tree_size: u64,
    /// Root hash, hex.
    pub root_hash: String,
    /// When signed.
    pub at: String,
    /// Ed25519 signature, hex.
    pub signature: String,
}

fn entry_from_row(row: &AnyRow) -> Result<LogEntry, Error> {
    Ok(LogEntry {
        seq: row.try_get::<i64, _>("seq")? as u64,
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        at: row.try_get("at")?,
        record: row.try_get("record")?,
        leaf_hash: row.try_get("leaf_hash")?,
    })
}

/// Rows per multi-row INSERT. 20: measured fastest here (SQLite: 16 k
/// records/s against 14 k at 200 rows and 7 k at 1), and far below both
/// SQLite's (32,766) and PostgreSQL's (65,535) limit on bound parameters.
const ROWS_PER_INSERT: usize = 20;

/// `($1, $2, …), ($n+1, …), …` for `rows` rows of `cols` columns.
fn placeholders(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| {
            format!(
                "({})",
                (1..=cols)
                    .map(|c| format!("${}", r * cols + c))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Append `records` in the open write transaction `tx`.
pub(crate) async fn append_in_tx(
    tx: &mut Tx,
    records: Vec<NewRecord>,
) -> Result<Vec<LogEntry>, Error> {
    let next: i64 = sqlx::query("SELECT COALESCE(MAX(seq), -1) + 1 AS next FROM audit_log")
        .fetch_one(tx.conn())
        .await?
        .try_get("next")?;
    let mut out = Vec::with_capacity(records.len());
    let mut inputs = Vec::new();
    for (i, r) in records.into_iter().enumerate() {
        let seq = next + i as i64;
        let mut body = r.body;
        body.insert("seq".into(), seq.into());
        body.insert("kind".into(), r.kind.clone().into());
        body.insert("at".into(), r.at.clone().into());
        let record = serde_json::Value::Object(body).to_string();
        let leaf_hash = hex::encode(scorehost_audit::merkle::leaf_hash(record.as_bytes()));
        let id = leaf_hash[..32].to_string();
        if let Some((salt, input)) = r.input {
            inputs.push((seq, salt, input));
        }
        out.push(LogEntry {
            seq: seq as u64,
            id,
            kind: r.kind,
            at: r.at,
            record,
            leaf_hash,
        });
    }
    // Multi-row inserts: a statement per chunk, not per record, is what makes
    // a group commit cheap.
    for chunk in out.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO audit_log (seq, id, kind, at, record, leaf_hash) VALUES {}",
            placeholders(chunk.len(), 6)
        );
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = q
                .bind(e.seq as i64)
                .bind(&e.id)
                .bind(&e.kind)
                .bind(&e.at)
                .bind(&e.record)
                .bind(&e.leaf_hash);
        }
        q.execute(tx.conn()).await?;
    }
    for chunk in inputs.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO audit_inputs (seq, salt, input) VALUES {}",
            placeholders(chunk.len(), 3)
        );
        let mut q = sqlx::query(&sql);
        for (seq, salt, input) in chunk {
            q = q.bind(*seq).bind(salt).bind(input);
        }
        q.execute(tx.conn()).await?;
    }
    Ok(out)
}

impl Registry {
    /// Append records to the audit log in one transaction (group commit):
    /// when this returns they are durable, in this order, contiguous.
    pub async fn append_records(&self, records: Vec<NewRecord>) -> Result<Vec<LogEntry>, Error> {
        let mut tx = self.db.begin().await?;
        let out = append_in_tx(&mut tx, records).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Every leaf of the log, in stored order (by `seq`).
    pub async fn log_entries(&self) -> Result<Vec<LogEntry>, Error> {
        let rows =
            sqlx::query("SELECT seq, id, kind, at, record, leaf_hash FROM audit_log ORDER BY seq")
                .fetch_all(&self.db.pool)
                .await?;
        rows.iter().map(entry_from_row).collect()
    }

    /// Every stored leaf hash, in log order: what building a tree, a
    /// checkpoint or a proof needs, at 64 bytes a record instead of the
    /// whole record.
    pub async fn log_leaf_hashes(&self) -> Result<Vec<String>, Error> {
        let rows = sqlx::query("SELECT leaf_hash FROM audit_log ORDER BY seq")
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>("leaf_hash").map_err(Error::from))
            .collect()
    }

    /// The leaf with this id.
    pub async fn log_entry(&self, id: &str) -> Result<LogEntry, Error> {
        let row =
            sqlx::query("SELECT seq, id, kind, at, record, leaf_hash FROM audit_log WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.db.pool)
                .await?
                .ok_or_else(|| Error::NotFound(format!("no audit record has id {id}")))?;
        entry_from_row(&row)
    }

    /// The input kept beside leaf `seq`, if it is an evaluation.
    pub async fn log_input(&self, seq: u64) -> Result<Option<StoredInput>, Error> {
        let row = sqlx::query("SELECT salt, input, erased_at FROM audit_inputs WHERE seq = $1")
            .bind(seq as i64)
            .fetch_optional(&self.db.pool)
            .await?;
        row.map(|r| {
            Ok(StoredInput {
                salt: r.try_get("salt")?,
                input: r.try_get("input")?,
                erased_at: r.try_get("erased_at")?,
            })
        })
        .transpose()
    }

    /// Erase the input of leaf `seq` (its retention period is over). The
    /// leaf, which holds only a salted commitment, still verifies.
    pub async fn erase_input(&self, seq: u64, at: &str) -> Result<(), Error> {
        let mut tx = self.db.begin().await?;
        let n = sqlx::query("UPDATE audit_inputs SET salt = NULL, input = NULL, erased_at = $1 WHERE seq = $2 AND erased_at IS NULL")
            .bind(at)
            .bind(seq as i64)
            .execute(tx.conn())
            .await?
            .rows_affected();
        if n == 0 {
            return Err(Error::NotFound(format!(
                "record {seq} has no input left to erase"
            )));
        }
        tx.commit().await
    }

    /// Store a signed checkpoint (idempotent per tree size).
    pub async fn save_checkpoint(&self, cp: &StoredCheckpoint) -> Result<(), Error> {
        let mut tx = self.db.begin().await?;
        let exists = sqlx::query("SELECT tree_size FROM audit_checkpoints WHERE tree_size = $1")
            .bind(cp.tree_size as i64)
            .fetch_optional(tx.conn())
            .await?
            .is_some();
        if !exists {
            sqlx::query("INSERT INTO audit_checkpoints (tree_size, root_hash, at, signature) VALUES ($1, $2, $3, $4)")
                .bind(cp.tree_size as i64)
                .bind(&cp.root_hash)
                .bind(&cp.at)
                .bind(&cp.signature)
                .execute(tx.conn())
                .await?;
        }
        tx.commit().await
    }

    /// Every stored checkpoint, smallest tree first.
    pub async fn checkpoints(&self) -> Result<Vec<StoredCheckpoint>, Error> {
        let rows = sqlx::query(
            "SELECT tree_size, root_hash, at, signature FROM audit_checkpoints ORDER BY tree_size",
        )
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(StoredCheckpoint {
                    tree_size: r.try_get::<i64, _>("tree_size")? as u64,
                    root_hash: r.try_get("root_hash")?,
                    at: r.try_get("at")?,
                    signature: r.try_get("signature")?,
                })
            })
            .collect()
    }
}
