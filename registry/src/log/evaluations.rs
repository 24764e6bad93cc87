//! Reading back the recorded evaluations of one module, with the inputs
//! kept beside them: what an impact analysis replays through a candidate
//! version.

use sqlx::Row as _;

use crate::log::personal::{PERSONAL_COLUMNS, StoredPersonal, personal_from_row};
use crate::log::{LogEntry, StoredInput, entry_from_row};
use crate::{Error, Registry};

/// One recorded evaluation and the input kept beside it (`None` for a
/// record that has no input row).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedEvaluation {
    /// The leaf.
    pub entry: LogEntry,
    /// Its input, salt and erasure date, as stored.
    pub input: Option<StoredInput>,
    /// Its personal part, as stored (format 3 on; see
    /// [`crate::open_record`]).
    pub personal: Option<StoredPersonal>,
}

/// Which records [`Registry::evaluations_of_module`] reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EvaluationPage<'a> {
    /// Only records stamped at or after this instant (RFC 3339, UTC).
    pub from: Option<&'a str>,
    /// Only records stamped before this instant (RFC 3339, UTC).
    pub until: Option<&'a str>,
    /// Only records before this position in the log (the previous page's
    /// last `seq`): pages run from the newest record back.
    pub before_seq: Option<u64>,
    /// At most this many records.
    pub limit: u32,
}

impl Registry {
    /// The evaluation records of the module `sha256` (any caller, success
    /// or failure), newest first, one page at a time, each with its kept
    /// input. A record names its module in its `model.sha256` field; the
    /// match is on that text, so the query scans the log backwards from
    /// `before_seq` (by primary key) and costs about as much as the records
    /// it passes over.
    pub async fn evaluations_of_module(
        &self,
        sha256: &str,
        page: &EvaluationPage<'_>,
    ) -> Result<Vec<RecordedEvaluation>, Error> {
        crate::refs::check_sha256(sha256)?;
        let pattern = format!("%\"sha256\":\"{sha256}\"%");
        let rows = sqlx::query(&format!(
            "SELECT l.seq, l.kind, l.at, l.record, l.leaf_hash, i.salt, i.input, i.erased_at, {PERSONAL_COLUMNS} \
             FROM audit_log l LEFT JOIN audit_inputs i ON i.seq = l.seq \
             LEFT JOIN audit_personal p ON p.seq = l.seq \
             WHERE l.seq < $1 AND l.kind = 'evaluation' AND l.at >= $2 AND l.at < $3 \
             AND l.record LIKE $4 ORDER BY l.seq DESC LIMIT $5"
        ))
        .bind(page.before_seq.map_or(i64::MAX, |s| s as i64))
        .bind(page.from.unwrap_or(""))
        // After every RFC 3339 time, in any collation (a punctuation bound
        // such as '~' sorts before digits under PostgreSQL's en_US and
        // other non-C collations, and would match nothing).
        .bind(page.until.unwrap_or("9999-12-31T23:59:59Z"))
        .bind(pattern)
        .bind(i64::from(page.limit))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let entry = entry_from_row(row)?;
                let salt: Option<String> = row.try_get("salt")?;
                let input: Option<String> = row.try_get("input")?;
                let erased_at: Option<String> = row.try_get("erased_at")?;
                let kept = (salt.is_some() || input.is_some() || erased_at.is_some()).then_some(
                    StoredInput {
                        salt,
                        input,
                        erased_at,
                    },
                );
                Ok(RecordedEvaluation {
                    entry,
                    input: kept,
                    personal: personal_from_row(row)?,
                })
            })
            .collect()
    }
}
