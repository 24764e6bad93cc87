//! Erasing people from the records: by retention policy (the province sets,
//! per kind of subject, how many months a record keeps its personal part;
//! `serve` applies it every hour and `audit retention run` on demand), or
//! one person at a time (`audit erase --subject`).
//!
//! Each erasure is logged as an `erasure` record that names the positions
//! erased and why, never the person
//! ([`scorehost_registry::Registry::erase_personal`], which also checks that
//! a named province person erases). What
//! an erasure takes and what it leaves is listed in SECURITY.md ("Records
//! that can forget").

use scorehost_registry::{Actor, MAX_ERASED_PER_RECORD, Registry};
use serde::Serialize;

use crate::Error;

/// How often `serve` applies the retention policies: every hour. A policy
/// counts in months, so an hour late is nothing; a run with nothing due
/// costs one indexed query per policy.
pub const RETENTION_EVERY: std::time::Duration = std::time::Duration::from_secs(3600);

/// What one kind's policy erased in a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct KindErased {
    /// The subject kind.
    pub subject_kind: String,
    /// Its retention, in months.
    pub months: u32,
    /// Records written before this instant were due.
    pub before: String,
    /// Records erased.
    pub records: u64,
    /// The ids of the `erasure` records that say so.
    pub erasures: Vec<String>,
}

/// What a retention run did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct RetentionReport {
    /// When the run counted from (now, unless the local operator said
    /// otherwise).
    pub as_of: String,
    /// One entry per policy.
    pub kinds: Vec<KindErased>,
}

/// The instant `months` months before `t` (the same day of the month, or
/// the month's last day when it has fewer days), as RFC 3339 UTC.
pub fn months_before(t: time::OffsetDateTime, months: u32) -> Result<String, Error> {
    let total = i64::from(t.year()) * 12 + i64::from(u8::from(t.month())) - 1 - i64::from(months);
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let month = time::Month::try_from(month as u8).map_err(|e| Error::Internal(e.to_string()))?;
    let year = i32::try_from(year).map_err(|e| Error::Internal(e.to_string()))?;
    let day = t.day().min(time::util::days_in_month(month, year));
    let date = time::Date::from_calendar_date(year, month, day)
        .map_err(|e| Error::Internal(e.to_string()))?;
    let at = date
        .with_time(t.time())
        .assume_utc()
        .replace_nanosecond(0)
        .map_err(|e| Error::Internal(e.to_string()))?;
    at.format(&time::format_description::well_known::Rfc3339)
        .map_err(|e| Error::Internal(e.to_string()))
}

/// Apply every retention policy as of `as_of`: erase, in chunks of
/// [`MAX_ERASED_PER_RECORD`] (one transaction and one `erasure` record
/// each), the personal part and input of every record of a subject of the
/// policy's kind written more than its months before `as_of`. Only records
/// the search index has read are taken (a record is indexed within a
/// second; the next run takes the rest). Costs one indexed query per
/// chunk and one write transaction per chunk.
pub async fn run(
    registry: &Registry,
    actor: &Actor,
    as_of: time::OffsetDateTime,
) -> Result<RetentionReport, Error> {
    actor.must_be_province("apply the retention policies")?;
    let mut kinds = Vec::new();
    for policy in registry.retention_policies().await? {
        let before = months_before(as_of, policy.months)?;
        let reason = format!(
            "retention: records of a {} are kept {} months (policy set {} by {})",
            policy.subject_kind, policy.months, policy.set_at, policy.set_by
        );
        let mut done = KindErased {
            subject_kind: policy.subject_kind.clone(),
            months: policy.months,
            before: before.clone(),
            records: 0,
            erasures: Vec::new(),
        };
        loop {
            let due = registry
                .records_due(&policy.subject_kind, &before, MAX_ERASED_PER_RECORD as u32)
                .await?;
            if due.is_empty() {
                break;
            }
            let Some(entry) = registry.erase_personal(actor, &due, &reason).await? else {
                break;
            };
            done.records += erased_by(&entry);
            done.erasures.push(entry.id);
        }
        kinds.push(done);
    }
    if kinds.iter().any(|k| k.records > 0) {
        registry.scrub_erased().await?;
    }
    Ok(RetentionReport {
        as_of: as_of
            .replace_nanosecond(0)
            .map_err(|e| Error::Internal(e.to_string()))?
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| Error::Internal(e.to_string()))?,
        kinds,
    })
}

/// How many records an `erasure` record says it erased.
fn erased_by(entry: &scorehost_registry::LogEntry) -> u64 {
    serde_json::from_str::<serde_json::Value>(&entry.record)
        .ok()
        .and_then(|v| v["records"].as_array().map(|a| a.len() as u64))
        .unwrap_or(0)
}

/// What erasing one person did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SubjectErased {
    /// Records erased.
    pub records: u64,
    /// The ids of the `erasure` records that say so.
    pub erasures: Vec<String>,
}

/// Erase every record of `subject` now (their request, or a dispute
/// officer's decision), for `reason`:
/// [`scorehost_registry::Registry::erase_personal`] in chunks, after their
/// `subject:` tokens are revoked and forgotten. Records newer than the search index (a second old) are left
/// for a second call.
pub async fn erase_subject(
    registry: &Registry,
    actor: &Actor,
    subject: &str,
    reason: &str,
) -> Result<SubjectErased, Error> {
    // Their own tokens go first: a token kept would name them again with
    // every use.
    registry.forget_subject_tokens(actor, subject).await?;
    let seqs = registry.unerased_records_of(subject).await?;
    let mut done = SubjectErased {
        records: 0,
        erasures: Vec::new(),
    };
    for chunk in seqs.chunks(MAX_ERASED_PER_RECORD) {
        if let Some(entry) = registry.erase_personal(actor, chunk, reason).await? {
            done.records += erased_by(&entry);
            done.erasures.push(entry.id);
        }
    }
    if done.records > 0 {
        registry.scrub_erased().await?;
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_caller_cannot_file_a_person_where_their_policy_does_not_reach() {
        use crate::audit::retention_kind;
        assert_eq!(
            retention_kind("330106199001011234", "enterprise"),
            "natural-person"
        );
        assert_eq!(retention_kind("330106199001011234", "x"), "natural-person");
        assert_eq!(
            retention_kind("91330200MA2AAAAA1X", "enterprise"),
            "enterprise"
        );
        assert_eq!(
            retention_kind("91330200MA2AAAAA1X", "corporation"),
            "unknown"
        );
    }

    #[test]
    fn months_count_back_by_the_calendar() {
        let t = time::macros::datetime!(2029-03-31 10:00 UTC);
        assert_eq!(months_before(t, 1).unwrap(), "2029-02-28T10:00:00Z");
        assert_eq!(months_before(t, 25).unwrap(), "2027-02-28T10:00:00Z");
        assert_eq!(months_before(t, 3).unwrap(), "2028-12-31T10:00:00Z");
        assert_eq!(
            months_before(t, 12 * 4 + 1).unwrap(),
            "2025-02-28T10:00:00Z"
        );
        let leap = time::macros::datetime!(2028-03-29 00:00 UTC);
        assert_eq!(months_before(leap, 1).unwrap(), "2028-02-29T00:00:00Z");
    }
}
