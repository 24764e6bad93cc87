//! Finding evaluations: a search index over the log's evaluation records
//! (by subject, model, caller, date and outcome), filled behind the log.
//!
//! The index is derived data: it is read from the leaves, never written by
//! the append path (so a durable evaluation costs no more), and it is not
//! part of what the log proves — a reader checks what it finds against the
//! record and its inclusion proof. [`Registry::index_evaluations`] reads
//! the leaves after the last one it read, a bounded number at a time;
//! [`Registry::search_evaluations`] answers from what is indexed and says
//! how far that is.

use serde::Serialize;
use sqlx::Row as _;

use crate::log::{placeholders, record_id};
use crate::{Error, Registry};

/// Leaves read (and parsed) at a time, outside any write transaction:
/// 1,000, a few MB of records.
pub const INDEX_CHUNK: u32 = 1_000;

/// Index rows written per write transaction: 200. Each holds the write
/// lock about a millisecond, so the log writer's next group commit waits
/// behind at most that (measured: with the 1,000 leaves of a chunk read,
/// parsed and written in one transaction, a commit waited up to 400 ms,
/// mostly asleep in SQLite's busy handler).
const ROWS_PER_TRANSACTION: usize = 200;

/// Rows per multi-row INSERT into the index: 10 (110 bound parameters).
/// SQLite finds a parameter's name by a linear scan, so binding costs the
/// square of a statement's parameters: 50 rows (550) spent 3 % of a loaded
/// server's CPU in `sqlite3_bind_parameter_name` alone.
const ROWS_PER_INSERT: usize = 10;

/// The most results one search returns: 200. A page of the console or an
/// API answer stays small; the next page starts `before` the last `seq`.
pub const MAX_RESULTS: u32 = 200;

/// What to look for; every field given narrows the search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvaluationSearch {
    /// The subject's id, exactly.
    pub subject: Option<String>,
    /// The model, `namespace/name`.
    pub model: Option<String>,
    /// Who asked: `app:NAME`, `province`, … exactly.
    pub caller: Option<String>,
    /// Recorded at or after this instant (RFC 3339; a date means its start).
    pub from: Option<String>,
    /// Recorded before this instant (RFC 3339; a date `D` means before `D`).
    pub until: Option<String>,
    /// `ok`, `failed` (any error), or one error code (`plugin_fault`, …).
    pub outcome: Option<String>,
    /// Only records before this position (the previous page's last `seq`).
    pub before_seq: Option<u64>,
    /// At most this many (1..=[`MAX_RESULTS`]).
    pub limit: u32,
}

/// One evaluation found: what a list shows; the record itself is read by
/// its `id`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvaluationSummary {
    /// The record's id (`SEQ-HASH`).
    pub id: String,
    /// Its position in the log.
    pub seq: u64,
    /// When it was recorded (RFC 3339, UTC).
    pub at: String,
    /// Who asked.
    pub caller: String,
    /// The model, `namespace/name`.
    pub model: String,
    /// The version that ran.
    pub version: String,
    /// The subject's id.
    pub subject: String,
    /// `ok`, or the error's code.
    pub outcome: String,
    /// The score, when it succeeded.
    pub score: Option<f64>,
    /// The grade, when it succeeded.
    pub grade: Option<String>,
}

/// A search's answer: what was found, newest first, and how far the index
/// reaches.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvaluationFound {
    /// The evaluations found, newest first.
    pub evaluations: Vec<EvaluationSummary>,
    /// The leaves the index has read (`0..indexed`); a record appended
    /// after them is found once the indexer reaches it.
    pub indexed: u64,
    /// The `seq` to pass as `before` for the next page, when there may be
    /// one.
    pub next_before: Option<u64>,
}

/// Whose evaluations [`Registry::evaluation_stats`] counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StatsScope {
    /// Only this caller's (`app:NAME`).
    pub caller: Option<String>,
    /// Only the models of this namespace.
    pub namespace: Option<String>,
    /// Recorded at or after this instant (RFC 3339).
    pub since: String,
}

/// Evaluations in numbers: per model per day, failures by kind, time taken.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EvaluationStats {
    /// Evaluations of each model each day (UTC), by day then model.
    pub per_day: Vec<DayCount>,
    /// Failures by error code, most first.
    pub failures: Vec<FailureCount>,
    /// The sandboxed call's time per model (successful evaluations).
    pub latency: Vec<ModelTime>,
    /// The leaves the index has read.
    pub indexed: u64,
}

/// One model's evaluations on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DayCount {
    /// The day (UTC), `YYYY-MM-DD`.
    pub day: String,
    /// The model, `namespace/name`.
    pub model: String,
    /// Evaluations.
    pub count: u64,
    /// Of which failed.
    pub failed: u64,
}

/// Failures with one error code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailureCount {
    /// The error code (`plugin_fault`, …).
    pub code: String,
    /// How many.
    pub count: u64,
}

/// One model's time in the sandbox.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ModelTime {
    /// The model, `namespace/name`.
    pub model: String,
    /// Evaluations timed.
    pub count: u64,
    /// Mean time, µs.
    pub mean_us: f64,
    /// Longest time, µs.
    pub max_us: u64,
}

/// One row of the index.
struct IndexRow {
    seq: i64,
    id: String,
    at: String,
    caller: String,
    model: String,
    version: String,
    subject: String,
    outcome: String,
    score: Option<f64>,
    grade: Option<String>,
    duration_us: Option<i64>,
}

impl IndexRow {
    /// The row of an evaluation leaf; `None` for a record that is not one
    /// or does not parse (it stays in the log, unindexed).
    /// `personal` is the clear text of its personal part (format 3 on),
    /// where the subject and the outcome are; a record whose personal part
    /// was erased is not indexed.
    fn of(
        seq: i64,
        leaf_hash: &str,
        at: String,
        record: &str,
        personal: Option<&str>,
    ) -> Option<IndexRow> {
        // Only the fields the index keeps are read: the white box and the
        // rest are skipped, not built.
        #[derive(serde::Deserialize)]
        struct Leaf {
            caller: String,
            model: LeafModel,
            subject: Option<LeafSubject>,
            #[serde(default)]
            outcome: Option<LeafOutcome>,
            duration_us: Option<i64>,
        }
        #[derive(serde::Deserialize)]
        struct Part {
            subject: LeafSubject,
            #[serde(default)]
            outcome: Option<LeafOutcome>,
        }
        #[derive(serde::Deserialize)]
        struct LeafModel {
            name: String,
            #[serde(default)]
            version: String,
        }
        #[derive(serde::Deserialize)]
        struct LeafSubject {
            id: String,
        }
        #[derive(serde::Deserialize, Default)]
        struct LeafOutcome {
            error: Option<LeafError>,
            score: Option<f64>,
            grade: Option<String>,
        }
        #[derive(serde::Deserialize)]
        struct LeafError {
            code: Option<String>,
        }
        let v: Leaf = serde_json::from_str(record).ok()?;
        let (subject, o) = match (v.subject, personal) {
            (Some(s), _) => (s, v.outcome.unwrap_or_default()),
            (None, Some(text)) => {
                let p: Part = serde_json::from_str(text).ok()?;
                (p.subject, p.outcome.unwrap_or_default())
            }
            (None, None) => return None,
        };
        let (outcome, score, grade) = match o.error.and_then(|e| e.code) {
            Some(code) => (code, None, None),
            None => ("ok".to_string(), o.score, o.grade),
        };
        Some(IndexRow {
            seq,
            id: record_id(seq as u64, leaf_hash),
            at,
            caller: v.caller,
            model: v.model.name,
            version: v.model.version,
            subject: subject.id,
            outcome,
            score,
            grade,
            duration_us: v.duration_us,
        })
    }
}

/// Remove again, in the transaction that inserted rows `$1..=$2`, any row of
/// a record whose personal part was erased since the indexer read it: an
/// erasure and this transaction are serialised by the write lock, so either
/// the erasure deleted the row after it was inserted, or this deletes it.
/// One indexed range read of `audit_personal` per transaction.
const UNINDEX_ERASED: &str = "DELETE FROM audit_search WHERE seq IN \
     (SELECT seq FROM audit_personal WHERE seq >= $1 AND seq <= $2 AND erased_at IS NOT NULL)";

/// The leaves the indexer reads next, with the clear text of their
/// personal parts (both backends take `$1`, `$2`).
const LEAVES_TO_INDEX: &str = "SELECT l.seq, l.kind, l.at, l.record, l.leaf_hash, p.personal \
     FROM audit_log l LEFT JOIN audit_personal p ON p.seq = l.seq \
     WHERE l.seq >= $1 ORDER BY l.seq LIMIT $2";

impl Registry {
    /// Read up to `max` leaves after the last one indexed into the search
    /// index, [`INDEX_CHUNK`] per write transaction; returns how many
    /// leaves were read. Two indexers at once only repeat each other's
    /// work (rows are inserted once, the position only moves forward).
    /// Costs one JSON parse and one small row per evaluation.
    pub async fn index_evaluations(&self, max: u64) -> Result<u64, Error> {
        if let Some(path) = self.db.sqlite_path() {
            // On SQLite, on a thread of its own with a connection of its own:
            // through the pool, each statement is a hand-off to the pool's
            // worker thread and back, and the turn was held across dozens of
            // them while the log writer waited.
            // At a lower CPU priority (nice 10): the index is behind the
            // log by design, and its bursts (a second's records parsed at
            // once) must not take the cores from the requests being served.
            let (path, turn) = (path.to_path_buf(), self.db.turn.clone());
            let (done, indexed) = tokio::sync::oneshot::channel();
            std::thread::Builder::new()
                .name("scorehost-index".into())
                .spawn(move || {
                    lower_thread_priority(INDEX_NICE);
                    let _ = done.send(index_sqlite(&path, &turn, max));
                })
                .map_err(|e| Error::Storage(format!("cannot start the search indexer: {e}")))?;
            return indexed
                .await
                .map_err(|_| Error::Storage("the search indexer failed".into()))?;
        }
        let mut read = 0u64;
        while read < max {
            // Where the index stands and where the log ends: answered
            // without the write lock, so a pass with nothing new costs two
            // indexed reads.
            let state = sqlx::query(
                "SELECT (SELECT next_seq FROM audit_search_state WHERE id = 1) AS next, \
                 (SELECT COALESCE(MAX(seq), -1) FROM audit_log) AS last",
            )
            .fetch_one(&self.db.pool)
            .await?;
            let (next, last): (i64, i64) = (state.try_get("next")?, state.try_get("last")?);
            if next > last {
                break;
            }
            let chunk = INDEX_CHUNK.min((max - read).min(u64::from(u32::MAX)) as u32);
            // The leaves are read and parsed outside any write transaction:
            // a stored leaf never changes, and the log writer must not wait
            // behind this reading.
            let leaves = sqlx::query(LEAVES_TO_INDEX)
                .bind(next)
                .bind(i64::from(chunk))
                .fetch_all(&self.db.pool)
                .await?;
            let Some(last) = leaves.last() else {
                break;
            };
            let last: i64 = last.try_get("seq")?;
            let mut rows = Vec::with_capacity(leaves.len());
            for leaf in &leaves {
                let kind: &str = leaf.try_get("kind")?;
                if kind != "evaluation" {
                    continue;
                }
                let record: &str = leaf.try_get("record")?;
                let leaf_hash: &str = leaf.try_get("leaf_hash")?;
                let personal: Option<&str> = leaf.try_get("personal")?;
                if let Some(row) = IndexRow::of(
                    leaf.try_get("seq")?,
                    leaf_hash,
                    leaf.try_get("at")?,
                    record,
                    personal,
                ) {
                    rows.push(row);
                }
            }
            // Then written a few rows per transaction, each taken in this
            // process's write turn: the log writer waits behind at most one
            // short insert, on the turn (woken at once), never in SQLite's
            // busy handler (which sleeps up to 100 ms at a time).
            let mut from = next;
            for part in rows.chunks(ROWS_PER_TRANSACTION) {
                let upto = part.last().map_or(from, |r| r.seq + 1);
                self.index_rows(part, upto).await?;
                from = upto;
            }
            if from <= last {
                self.index_rows(&[], last + 1).await?;
            }
            read += leaves.len() as u64;
            if (leaves.len() as u32) < chunk {
                break;
            }
        }
        Ok(read)
    }

    /// Insert `rows` into the index and move its position to `next` (if
    /// that is forward), in one write transaction in the process's turn.
    /// Two indexers at once insert each row once (`ON CONFLICT DO
    /// NOTHING`), and the position only moves forward.
    async fn index_rows(&self, rows: &[IndexRow], next: i64) -> Result<(), Error> {
        let _turn = self.db.turn.lock().await;
        let mut tx = self.db.begin().await?;
        for part in rows.chunks(ROWS_PER_INSERT) {
            let sql = format!(
                "INSERT INTO audit_search (seq, id, at, caller, model, version, subject, outcome, score, grade, duration_us) \
                 VALUES {} ON CONFLICT (seq) DO NOTHING",
                placeholders(part.len(), 11)
            );
            let mut q = sqlx::query(&sql);
            for r in part {
                q = q
                    .bind(r.seq)
                    .bind(&r.id)
                    .bind(&r.at)
                    .bind(&r.caller)
                    .bind(&r.model)
                    .bind(&r.version)
                    .bind(&r.subject)
                    .bind(&r.outcome)
                    .bind(r.score)
                    .bind(&r.grade)
                    .bind(r.duration_us);
            }
            q.execute(tx.conn()).await?;
        }
        if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
            sqlx::query(UNINDEX_ERASED)
                .bind(first.seq)
                .bind(last.seq)
                .execute(tx.conn())
                .await?;
        }
        sqlx::query("UPDATE audit_search_state SET next_seq = $1 WHERE id = 1 AND next_seq < $1")
            .bind(next)
            .execute(tx.conn())
            .await?;
        tx.commit().await
    }

    /// The evaluations matching `search`, newest first, from the index as
    /// far as it reaches (see [`Registry::index_evaluations`]). Each filter
    /// is served by an index (subject, model or caller, then position; or
    /// the date), so a search costs about as much as the rows it returns,
    /// whatever the log's length.
    pub async fn search_evaluations(
        &self,
        search: &EvaluationSearch,
    ) -> Result<EvaluationFound, Error> {
        if search.limit == 0 || search.limit > MAX_RESULTS {
            return Err(Error::BadRequest(format!(
                "limit must be 1 to {MAX_RESULTS}, not {}",
                search.limit
            )));
        }
        let mut sql = String::from(
            "SELECT s.seq, s.id, s.at, s.caller, s.model, s.version, s.subject, s.outcome, s.score, s.grade \
             FROM audit_search s WHERE s.seq <= $1 AND s.seq >= $2",
        );
        // One range of positions, [lo, hi]: two upper bounds would let the
        // planner start its backward scan at the looser one and pass over
        // every record between them (37 ms at 1 M records).
        let mut hi = search
            .before_seq
            .map_or(i64::MAX, |b| b.min(i64::MAX as u64) as i64)
            .saturating_sub(1);
        let mut lo = 0i64;
        let mut binds: Vec<String> = Vec::new();
        let mut push = |sql: &mut String, clause: &str, value: &str| {
            binds.push(value.to_string());
            sql.push_str(&format!(" AND {clause} ${}", binds.len() + 2));
        };
        if let Some(s) = &search.subject {
            push(&mut sql, "s.subject =", s);
        }
        if let Some(m) = &search.model {
            push(&mut sql, "s.model =", m);
        }
        if let Some(c) = &search.caller {
            push(&mut sql, "s.caller =", c);
        }
        // A date range is served by the position: the log is in time order
        // (to within the time a record waits for its turn, far below
        // STAMP_SLACK), so the first and last records of the range, found
        // on the date index, bound a scan by `seq`. The exact test on `at`
        // is then written so that no index is chosen for it (`|| ''`), or
        // the planner might sort every record of a long range.
        if search.from.is_some() || search.until.is_some() {
            match self
                .seq_bounds(search.from.as_deref(), search.until.as_deref())
                .await?
            {
                Some((first, last)) => {
                    lo = first;
                    hi = hi.min(last);
                }
                None => {
                    return Ok(EvaluationFound {
                        evaluations: Vec::new(),
                        indexed: self.indexed_through().await?,
                        next_before: None,
                    });
                }
            }
        }
        if let Some(f) = &search.from {
            push(&mut sql, "(s.at || '') >=", f);
        }
        if let Some(u) = &search.until {
            push(&mut sql, "(s.at || '') <", u);
        }
        match search.outcome.as_deref() {
            None => {}
            Some("failed") => sql.push_str(" AND s.outcome <> 'ok'"),
            Some(code)
                if !code.is_empty()
                    && code.len() <= 64
                    && code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
            {
                push(&mut sql, "s.outcome =", code)
            }
            Some(other) => {
                return Err(Error::BadRequest(format!(
                    "outcome '{other}' is not ok, failed or an error code (lowercase letters and _)"
                )));
            }
        }
        sql.push_str(&format!(" ORDER BY s.seq DESC LIMIT ${}", binds.len() + 3));
        let mut q = sqlx::query(&sql).bind(hi).bind(lo);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q
            .bind(i64::from(search.limit))
            .fetch_all(&self.db.pool)
            .await?;
        let mut evaluations = Vec::with_capacity(rows.len());
        for r in &rows {
            let seq: i64 = r.try_get("seq")?;
            evaluations.push(EvaluationSummary {
                id: r.try_get("id")?,
                seq: seq as u64,
                at: r.try_get("at")?,
                caller: r.try_get("caller")?,
                model: r.try_get("model")?,
                version: r.try_get("version")?,
                subject: r.try_get("subject")?,
                outcome: r.try_get("outcome")?,
                score: r.try_get("score")?,
                grade: r.try_get("grade")?,
            });
        }
        let indexed = self.indexed_through().await?;
        let next_before = (evaluations.len() as u32 == search.limit)
            .then(|| evaluations.last().map(|e| e.seq))
            .flatten();
        Ok(EvaluationFound {
            evaluations,
            indexed,
            next_before,
        })
    }

    /// Evaluations since `scope.since` in numbers (per model per day,
    /// failures by code, time taken per model), from the index. Reads the
    /// index rows of the period once (three grouped scans of the date
    /// range): tens of milliseconds for a hundred thousand records.
    pub async fn evaluation_stats(&self, scope: &StatsScope) -> Result<EvaluationStats, Error> {
        let mut filter = String::from(" WHERE at >= $1");
        let mut binds = vec![scope.since.clone()];
        if let Some(c) = &scope.caller {
            binds.push(c.clone());
            filter.push_str(&format!(" AND caller = ${}", binds.len()));
        }
        if let Some(ns) = &scope.namespace {
            crate::refs::is_name_part(ns)
                .then_some(())
                .ok_or_else(|| Error::BadRequest(format!("'{ns}' is not a namespace")))?;
            binds.push(format!("{ns}/%"));
            filter.push_str(&format!(" AND model LIKE ${}", binds.len()));
        }
        let run = |sql: String| {
            let binds = binds.clone();
            async move {
                let mut q = sqlx::query(&sql);
                for b in &binds {
                    q = q.bind(b.clone());
                }
                q.fetch_all(&self.db.pool).await
            }
        };
        let per_day = run(format!(
            "SELECT substr(at, 1, 10) AS day, model, COUNT(*) AS n, \
             SUM(CASE WHEN outcome <> 'ok' THEN 1 ELSE 0 END) AS failed \
             FROM audit_search{filter} GROUP BY substr(at, 1, 10), model ORDER BY 1, 2"
        ))
        .await?
        .iter()
        .map(|r| {
            Ok(DayCount {
                day: r.try_get("day")?,
                model: r.try_get("model")?,
                count: r.try_get::<i64, _>("n")? as u64,
                failed: r.try_get::<i64, _>("failed")? as u64,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let failures = run(format!(
            "SELECT outcome, COUNT(*) AS n FROM audit_search{filter} AND outcome <> 'ok' \
             GROUP BY outcome ORDER BY 2 DESC, 1"
        ))
        .await?
        .iter()
        .map(|r| {
            Ok(FailureCount {
                code: r.try_get("outcome")?,
                count: r.try_get::<i64, _>("n")? as u64,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        let latency = run(format!(
            "SELECT model, COUNT(duration_us) AS n, AVG(CAST(duration_us AS DOUBLE PRECISION)) AS mean, \
             MAX(duration_us) AS max FROM audit_search{filter} AND outcome = 'ok' GROUP BY model ORDER BY 1"
        ))
        .await?
        .iter()
        .map(|r| {
            Ok(ModelTime {
                model: r.try_get("model")?,
                count: r.try_get::<i64, _>("n")? as u64,
                mean_us: r.try_get::<Option<f64>, _>("mean")?.unwrap_or(0.0),
                max_us: r.try_get::<Option<i64>, _>("max")?.unwrap_or(0) as u64,
            })
        })
        .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(EvaluationStats {
            per_day,
            failures,
            latency,
            indexed: self.indexed_through().await?,
        })
    }

    /// The leaves the index has read.
    async fn indexed_through(&self) -> Result<u64, Error> {
        let next: i64 = sqlx::query("SELECT next_seq FROM audit_search_state WHERE id = 1")
            .fetch_one(&self.db.pool)
            .await?
            .try_get("next_seq")?;
        Ok(next as u64)
    }

    /// The positions that hold every record stamped from `from` to before
    /// `until` (each widened by [`STAMP_SLACK`]), from two reads of the date
    /// index; `None` when no record falls in the widened range.
    async fn seq_bounds(
        &self,
        from: Option<&str>,
        until: Option<&str>,
    ) -> Result<Option<(i64, i64)>, Error> {
        let lo = match from {
            None => Some(0),
            Some(f) => {
                sqlx::query("SELECT seq FROM audit_search WHERE at >= $1 ORDER BY at LIMIT 1")
                    .bind(shift(f, -STAMP_SLACK)?)
                    .fetch_optional(&self.db.pool)
                    .await?
                    .map(|r| r.try_get::<i64, _>("seq"))
                    .transpose()?
            }
        };
        let hi = match until {
            None => Some(i64::MAX),
            Some(u) => {
                sqlx::query("SELECT seq FROM audit_search WHERE at < $1 ORDER BY at DESC LIMIT 1")
                    .bind(shift(u, STAMP_SLACK)?)
                    .fetch_optional(&self.db.pool)
                    .await?
                    .map(|r| r.try_get::<i64, _>("seq"))
                    .transpose()?
            }
        };
        Ok(match (lo, hi) {
            (Some(lo), Some(hi)) if lo <= hi => Some((lo, hi)),
            _ => None,
        })
    }
}

/// How far a record's stamp may run ahead of a record after it in the log:
/// 60 s. A record is stamped when its evaluation ends and appended within
/// the request's time limit (30 s); a date range is widened by this much
/// before it is turned into positions, and then tested exactly.
const STAMP_SLACK: i64 = 60;

/// An RFC 3339 instant moved by `seconds`, in the log's stamp format.
fn shift(at: &str, seconds: i64) -> Result<String, Error> {
    use time::format_description::well_known::Rfc3339;
    let t = time::OffsetDateTime::parse(at, &Rfc3339)
        .map_err(|_| Error::BadRequest(format!("'{at}' is not an RFC 3339 instant")))?;
    (t + time::Duration::seconds(seconds))
        .to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .map_err(|e| Error::BadRequest(e.to_string()))
}

/// [`Registry::index_evaluations`] on the SQLite file at `path`, on the
/// calling thread (rusqlite): the same passes, the same transactions.
fn index_sqlite(
    path: &std::path::Path,
    turn: &tokio::sync::Mutex<()>,
    max: u64,
) -> Result<u64, Error> {
    let mut conn = rusqlite::Connection::open(path)?;
    crate::db::sqlite_pragmas(|sql| conn.execute_batch(sql))?;
    let mut read = 0u64;
    while read < max {
        let (next, last): (i64, i64) = conn.query_row(
            "SELECT (SELECT next_seq FROM audit_search_state WHERE id = 1), \
             (SELECT COALESCE(MAX(seq), -1) FROM audit_log)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if next > last {
            break;
        }
        let chunk = u64::from(INDEX_CHUNK).min(max - read) as i64;
        let mut rows = Vec::new();
        let mut leaves = 0u64;
        let mut end = next;
        {
            let mut q = conn.prepare_cached(LEAVES_TO_INDEX)?;
            let mut found = q.query(rusqlite::params![next, chunk])?;
            while let Some(leaf) = found.next()? {
                let seq: i64 = leaf.get(0)?;
                leaves += 1;
                end = seq + 1;
                if leaf.get_ref(1)?.as_str().ok() != Some("evaluation") {
                    continue;
                }
                let record = leaf.get_ref(3)?.as_str().unwrap_or_default();
                let leaf_hash = leaf.get_ref(4)?.as_str().unwrap_or_default();
                let personal = leaf.get_ref(5)?.as_str_or_null().ok().flatten();
                if let Some(row) = IndexRow::of(seq, leaf_hash, leaf.get(2)?, record, personal) {
                    rows.push(row);
                }
            }
        }
        let mut from = next;
        for part in rows.chunks(ROWS_PER_TRANSACTION) {
            let upto = part.last().map_or(from, |r| r.seq + 1);
            index_rows_sqlite(&mut conn, turn, part, upto)?;
            from = upto;
        }
        if from < end {
            index_rows_sqlite(&mut conn, turn, &[], end)?;
        }
        read += leaves;
        if (leaves as i64) < chunk {
            break;
        }
    }
    Ok(read)
}

/// [`Registry::index_rows`] on a rusqlite connection.
fn index_rows_sqlite(
    conn: &mut rusqlite::Connection,
    turn: &tokio::sync::Mutex<()>,
    rows: &[IndexRow],
    next: i64,
) -> Result<(), Error> {
    let _turn = turn.blocking_lock();
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    {
        let mut insert = tx.prepare_cached(
            "INSERT INTO audit_search (seq, id, at, caller, model, version, subject, outcome, score, grade, duration_us) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (seq) DO NOTHING",
        )?;
        for r in rows {
            insert.execute(rusqlite::params![
                r.seq,
                r.id,
                r.at,
                r.caller,
                r.model,
                r.version,
                r.subject,
                r.outcome,
                r.score,
                r.grade,
                r.duration_us
            ])?;
        }
    }
    if let (Some(first), Some(last)) = (rows.first(), rows.last()) {
        tx.execute(UNINDEX_ERASED, [first.seq, last.seq])?;
    }
    tx.execute(
        "UPDATE audit_search_state SET next_seq = ?1 WHERE id = 1 AND next_seq < ?1",
        [next],
    )?;
    tx.commit()?;
    Ok(())
}

/// The niceness of the search indexer's thread: 10, as batch runs score.
const INDEX_NICE: i32 = 10;

/// Lower the calling thread's CPU priority to `nice` (Linux sets niceness
/// per thread; elsewhere this does nothing): background work — the search
/// indexer here, the engine's batch workers — yields a core to requests.
/// One system call.
pub fn lower_thread_priority(nice: i32) {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority with PRIO_PROCESS and who = 0 only changes the
    // calling thread's niceness; a failure leaves it as it was.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, nice);
    }
    #[cfg(not(target_os = "linux"))]
    let _ = nice;
}
