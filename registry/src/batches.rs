//! Batch runs: which model version scores which input for whom, and which
//! of its items already have a record in the audit log.
//!
//! An item's row in `batch_items` is written by the log in the same
//! transaction as the item's evaluation record (see
//! [`NewRecord::batch_item`]): a run killed at any moment and started
//! again finds exactly the items that were scored, answers them from the
//! log, and scores the rest. The start and the end of a run are records in
//! the log too (`batch-start`, `batch-finish`).

use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::log::{NewRecord, append_in_tx, entry_from_row};
use crate::{Error, Registry, now};

/// A batch run as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchRun {
    /// The run's id (16 hex digits).
    pub id: String,
    /// The model, `namespace/name`.
    pub model: String,
    /// Its version at the start of the run; a resumed run uses the same.
    pub version: String,
    /// The module's SHA-256; a resumed run uses exactly these bytes.
    pub sha256: String,
    /// Who started it.
    pub caller: String,
    /// Where the subjects come from (a file path, `upload`, `store`).
    pub source: String,
    /// Where the results go (a file path).
    pub output: String,
    /// When it was started, RFC 3339.
    pub created_at: String,
    /// How many items it has, once known.
    pub total: Option<u64>,
    /// When it finished, if it has.
    pub finished_at: Option<String>,
    /// SHA-256 of the input as read, once finished.
    pub input_sha256: Option<String>,
    /// The summary (JSON), once finished.
    pub summary: Option<String>,
}

const COLUMNS: &str = "id, model, version, sha256, caller, source, output, created_at, total, \
                       finished_at, input_sha256, summary";

fn run_from_row(r: &AnyRow) -> Result<BatchRun, Error> {
    Ok(BatchRun {
        id: r.try_get("id")?,
        model: r.try_get("model")?,
        version: r.try_get("version")?,
        sha256: r.try_get("sha256")?,
        caller: r.try_get("caller")?,
        source: r.try_get("source")?,
        output: r.try_get("output")?,
        created_at: r.try_get("created_at")?,
        total: r.try_get::<Option<i64>, _>("total")?.map(|t| t as u64),
        finished_at: r.try_get("finished_at")?,
        input_sha256: r.try_get("input_sha256")?,
        summary: r.try_get("summary")?,
    })
}

fn log_fields(run: &BatchRun, action: &str) -> serde_json::Map<String, serde_json::Value> {
    let mut fields = serde_json::Map::new();
    fields.insert("actor".into(), run.caller.clone().into());
    fields.insert("action".into(), action.into());
    fields.insert("batch".into(), run.id.clone().into());
    fields.insert("model".into(), run.model.clone().into());
    fields.insert("version".into(), run.version.clone().into());
    fields.insert("sha256".into(), run.sha256.clone().into());
    fields.insert("source".into(), run.source.clone().into());
    fields
}

impl Registry {
    /// Record the start of a run (and a `batch-start` record in the log).
    /// Fails with [`Error::Conflict`] if a run with this id exists.
    pub async fn create_batch(&self, run: &BatchRun) -> Result<(), Error> {
        let mut tx = self.db.begin().await?;
        let exists = sqlx::query("SELECT id FROM batches WHERE id = $1")
            .bind(&run.id)
            .fetch_optional(tx.conn())
            .await?;
        if exists.is_some() {
            return Err(Error::Conflict(format!("batch {} exists already", run.id)));
        }
        sqlx::query(&format!(
            "INSERT INTO batches ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, NULL)"
        ))
        .bind(&run.id)
        .bind(&run.model)
        .bind(&run.version)
        .bind(&run.sha256)
        .bind(&run.caller)
        .bind(&run.source)
        .bind(&run.output)
        .bind(&run.created_at)
        .bind(run.total.map(|t| t as i64))
        .execute(tx.conn())
        .await?;
        let record = NewRecord::from_fields("registry", now(), &log_fields(run, "batch-start"));
        append_in_tx(tx.conn(), vec![record]).await?;
        tx.commit().await
    }

    /// The run with this id, if there is one.
    pub async fn batch(&self, id: &str) -> Result<Option<BatchRun>, Error> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM batches WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?;
        row.as_ref().map(run_from_row).transpose()
    }

    /// Every run, newest first; only `caller`'s when one is given.
    pub async fn batches(&self, caller: Option<&str>) -> Result<Vec<BatchRun>, Error> {
        let rows =
            match caller {
                Some(c) => sqlx::query(&format!(
                    "SELECT {COLUMNS} FROM batches WHERE caller = $1 ORDER BY created_at DESC, id"
                ))
                .bind(c)
                .fetch_all(&self.db.pool)
                .await?,
                None => {
                    sqlx::query(&format!(
                        "SELECT {COLUMNS} FROM batches ORDER BY created_at DESC, id"
                    ))
                    .fetch_all(&self.db.pool)
                    .await?
                }
            };
        rows.iter().map(run_from_row).collect()
    }

    /// Record how many items the run has.
    pub async fn set_batch_total(&self, id: &str, total: u64) -> Result<(), Error> {
        sqlx::query("UPDATE batches SET total = $1 WHERE id = $2")
            .bind(total as i64)
            .bind(id)
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }

    /// How many of the run's items have a record in the log.
    pub async fn batch_recorded(&self, id: &str) -> Result<u64, Error> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM batch_items WHERE batch = $1")
            .bind(id)
            .fetch_one(&self.db.pool)
            .await?;
        Ok(row.try_get::<i64, _>("n")? as u64)
    }

    /// The log records of the run's items numbered `from` or more, by item
    /// number: what a resumed run answers from the log instead of scoring.
    pub async fn batch_records_from(
        &self,
        id: &str,
        from: u64,
    ) -> Result<Vec<(u64, String, serde_json::Value)>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT b.item, l.seq, l.kind, l.at, l.record, l.leaf_hash, {} \
             FROM batch_items b JOIN audit_log l ON l.seq = b.seq \
             LEFT JOIN audit_personal p ON p.seq = l.seq \
             WHERE b.batch = $1 AND b.item >= $2 ORDER BY b.item",
            crate::log::personal::PERSONAL_COLUMNS
        ))
        .bind(id)
        .bind(from as i64)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let entry = entry_from_row(r)?;
                let personal = crate::log::personal::personal_from_row(r)?;
                let record = crate::open_record(&entry.record, personal.as_ref())?;
                Ok((r.try_get::<i64, _>("item")? as u64, entry.id, record))
            })
            .collect()
    }

    /// Record the end of a run: its input's hash and its summary (and a
    /// `batch-finish` record in the log, which carries both).
    pub async fn finish_batch(
        &self,
        id: &str,
        input_sha256: &str,
        summary: &serde_json::Value,
    ) -> Result<BatchRun, Error> {
        let Some(mut run) = self.batch(id).await? else {
            return Err(Error::NotFound(format!("no batch {id}")));
        };
        let at = now();
        let summary_text = summary.to_string();
        let mut tx = self.db.begin().await?;
        sqlx::query(
            "UPDATE batches SET finished_at = $1, input_sha256 = $2, summary = $3 WHERE id = $4",
        )
        .bind(&at)
        .bind(input_sha256)
        .bind(&summary_text)
        .bind(id)
        .execute(tx.conn())
        .await?;
        let mut fields = log_fields(&run, "batch-finish");
        fields.insert("input_sha256".into(), input_sha256.into());
        fields.insert("summary".into(), summary.clone());
        append_in_tx(
            tx.conn(),
            vec![NewRecord::from_fields("registry", at.clone(), &fields)],
        )
        .await?;
        tx.commit().await?;
        run.finished_at = Some(at);
        run.input_sha256 = Some(input_sha256.to_string());
        run.summary = Some(summary_text);
        Ok(run)
    }
}
