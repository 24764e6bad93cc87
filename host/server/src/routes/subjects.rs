//! A person's rights over their records (PIPL arts. 44–47; the source's
//! "企业可以查询自身市场信用信息以及采集、使用等情况"): every evaluation of
//! them and every read of their records, for themselves (a `subject:`
//! token) and for the province and auditors; erasing a person.
//!
//! Every read of a person's records is itself recorded ([`log_read`]), in
//! an `access` record whose personal part — who was read — is erasable
//! like an evaluation's.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use scorehost_registry::Role;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::Service;
use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};

/// Record that `caller` read `what` of `subject`'s records: one `access`
/// record, durable before the answer goes out (a read that cannot be
/// recorded is not answered). See [`log_reads`].
pub async fn log_read(
    service: &Service,
    caller: &Caller,
    subject: &str,
    what: &str,
) -> Result<(), ApiError> {
    log_reads(service, caller, [subject], what).await
}

/// How long a read stays recorded for the same reader: 10 minutes. A
/// reader paging back and forth, a console page reloaded, a person
/// checking their records again: each is one record per reader, person and
/// kind of read in those 10 minutes, not one per request — so that no
/// token can grow the log at the rate it can send requests, while every
/// reader of every person is still on the record.
pub const READ_RECORDED_FOR: std::time::Duration = std::time::Duration::from_secs(600);

/// The most reads remembered ([`RecentReads`]): 100,000 (some 20 MB). When
/// full, it is emptied: the cost is only that some reads are recorded
/// twice.
const MAX_RECENT_READS: usize = 100_000;

/// Reads recorded lately: (token, subject, kind of read) → when.
#[derive(Default)]
pub struct RecentReads(
    std::sync::Mutex<std::collections::HashMap<(String, String, String), std::time::Instant>>,
);

impl RecentReads {
    /// Of `subjects`, those whose read `what` by `reader` is not recorded
    /// within [`READ_RECORDED_FOR`]; they are marked recorded now.
    fn due<'a>(&self, reader: &str, subjects: &[&'a str], what: &str) -> Vec<&'a str> {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() + subjects.len() > MAX_RECENT_READS {
            seen.clear();
        }
        let now = std::time::Instant::now();
        subjects
            .iter()
            .copied()
            .filter(|s| {
                let key = (reader.to_string(), s.to_string(), what.to_string());
                match seen.get(&key) {
                    Some(at) if now.duration_since(*at) < READ_RECORDED_FOR => false,
                    _ => {
                        seen.insert(key, now);
                        true
                    }
                }
            })
            .collect()
    }

    /// Forget that these reads were recorded (their record failed).
    fn forget(&self, reader: &str, subjects: &[&str], what: &str) {
        let mut seen = self.0.lock().unwrap_or_else(|e| e.into_inner());
        for s in subjects {
            seen.remove(&(reader.to_string(), s.to_string(), what.to_string()));
        }
    }
}

/// Record that `caller` read `what` of each of `subjects`' records (each
/// once, however often named): one `access` record each, queued together
/// so that they share commits, all durable before this returns. A read the
/// same token made of the same person's records within
/// [`READ_RECORDED_FOR`] is already on the record and is not written again.
/// Each record's personal part — whose records — files it under the kind
/// of subject their records are ([`scorehost_registry::Registry::kind_of_subject`]),
/// so that the same retention erases it. Costs, per subject not recorded
/// lately, two indexed reads and one small record.
pub async fn log_reads<'a>(
    service: &Service,
    caller: &Caller,
    subjects: impl IntoIterator<Item = &'a str>,
    what: &str,
) -> Result<(), ApiError> {
    let mut subjects: Vec<&str> = subjects.into_iter().collect();
    subjects.sort_unstable();
    subjects.dedup();
    // The kind of read, without the record's id: reading one person's
    // records one after another is one read of them (the first is named).
    let kind_of_read = what
        .trim_end_matches(|c: char| c.is_ascii_hexdigit() || c == '-')
        .trim_end();
    let due = service
        .recent_reads
        .due(&caller.token.id, &subjects, kind_of_read);
    if due.is_empty() {
        return Ok(());
    }
    let written = async {
        let registry = service.engine.catalog.registry();
        let mut records = Vec::with_capacity(due.len());
        for subject in &due {
            let kind = registry.kind_of_subject(subject).await?;
            records.push(scorehost_engine::audit::access_record(
                &caller.actor,
                what,
                subject,
                &kind,
            )?);
        }
        for recorded in service.engine.writer.append_all(records).await {
            recorded?;
        }
        Ok::<(), ApiError>(())
    }
    .await;
    if written.is_err() {
        service
            .recent_reads
            .forget(&caller.token.id, &due, kind_of_read);
    }
    written
}

/// What a person may not see in a record about them: the token ids of the
/// officials and apps that acted (only the province and auditors see token
/// ids; who acted, and the person, they see). Removed in place for a
/// `subject:` caller.
pub fn redact_for_subject(caller: &Caller, record: &mut Value) {
    if matches!(caller.actor.role, Role::Subject(_))
        && let Some(o) = record.as_object_mut()
    {
        o.remove("token");
    }
}

/// Which page of a subject's records.
#[derive(Deserialize, IntoParams)]
pub struct RecordsQuery {
    /// Only records before this position (the previous page's
    /// `next_before`).
    pub before: Option<u64>,
    /// At most this many (1 to 500; default 100).
    pub limit: Option<u32>,
}

/// The most records one page lists: 500 (a few hundred KB of white boxes).
pub const MAX_RECORDS_PAGE: u32 = 500;

/// One evaluation of the subject (or a composite of them), as recorded:
/// when, by which app, which model and version, for which benefit, the
/// white box, the records withheld.
#[derive(Serialize, ToSchema)]
pub struct EvaluationOfSubject {
    /// The record's id.
    pub id: String,
    /// `evaluation` or `composite`.
    pub kind: String,
    /// When.
    pub at: String,
    /// The record, opened: `caller`, `model`, `outcome` (the white box),
    /// `withheld`, `decision` (the benefit, if any), `composite`, …
    #[schema(value_type = Object)]
    pub record: Value,
}

/// One read of the subject's records.
#[derive(Serialize, ToSchema)]
pub struct ReadOfRecords {
    /// The access record's id.
    pub id: String,
    /// When.
    pub at: String,
    /// Who read: `app:NAME`, `auditor`, `province`, or the subject.
    pub reader: String,
    /// The person, for a named token.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// What was read.
    pub what: String,
}

/// Another record about the subject: a consent given or withdrawn, a
/// dispute's step, a repair, a token issued to them.
#[derive(Serialize, ToSchema)]
pub struct OtherRecord {
    /// The record's id.
    pub id: String,
    /// When.
    pub at: String,
    /// What it records (`consent-grant`, `dispute-file`, `credit-repair`,
    /// `token-create`, …).
    pub action: String,
    /// The record, opened.
    #[schema(value_type = Object)]
    pub record: Value,
}

/// A page of a subject's records, newest first.
#[derive(Serialize, ToSchema)]
pub struct SubjectRecords {
    /// Whose.
    pub subject: String,
    /// Their evaluations and composites still kept.
    pub evaluations: Vec<EvaluationOfSubject>,
    /// The reads of their records still kept (this one included).
    pub reads: Vec<ReadOfRecords>,
    /// The other records about them still kept: consents, disputes,
    /// repairs, their tokens.
    pub other: Vec<OtherRecord>,
    /// The next page: `?before=` this; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_before: Option<u64>,
}

async fn records_of(
    service: &Service,
    caller: &Caller,
    subject: &str,
    q: &RecordsQuery,
) -> Result<SubjectRecords, ApiError> {
    let limit = q.limit.unwrap_or(100);
    if !(1..=MAX_RECORDS_PAGE).contains(&limit) {
        return Err(ApiError::bad_request(format!(
            "limit must be 1 to {MAX_RECORDS_PAGE}, not {limit}"
        )));
    }
    let registry = service.engine.catalog.registry();
    let found = registry
        .records_of_subject(subject, q.before, limit)
        .await?;
    // The listing is a read of their records, if it found any: a person
    // with nothing kept (erased, or never evaluated) is not named again by
    // a record of the asking.
    if !found.is_empty() {
        log_read(service, caller, subject, "the list of their records").await?;
    }
    let next_before = (found.len() as u32 == limit)
        .then(|| found.last().map(|r| r.entry.seq))
        .flatten();
    let mut out = SubjectRecords {
        subject: subject.to_string(),
        evaluations: Vec::new(),
        reads: Vec::new(),
        other: Vec::new(),
        next_before,
    };
    for r in found {
        let mut record = scorehost_registry::open_record(&r.entry.record, r.personal.as_ref())?;
        redact_for_subject(caller, &mut record);
        match r.entry.kind.as_str() {
            "access" => out.reads.push(ReadOfRecords {
                id: r.entry.id,
                at: r.entry.at,
                reader: record["reader"].as_str().unwrap_or("?").to_string(),
                person: record["person"].as_str().map(String::from),
                what: record["what"].as_str().unwrap_or("?").to_string(),
            }),
            "evaluation" | "composite" => out.evaluations.push(EvaluationOfSubject {
                id: r.entry.id,
                kind: r.entry.kind,
                at: r.entry.at,
                record,
            }),
            _ => out.other.push(OtherRecord {
                id: r.entry.id,
                at: r.entry.at,
                action: record["action"].as_str().unwrap_or("?").to_string(),
                record,
            }),
        }
    }
    Ok(out)
}

/// Every evaluation of the caller — a person holding a `subject:` token —
/// and every read of their records, newest first; this listing is itself
/// recorded as a read. Nobody else's: the subject is the token's.
#[utoipa::path(get, path = "/v1/me/records", tag = "subjects",
    params(RecordsQuery),
    responses((status = 200, description = "Their records", body = SubjectRecords), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn mine(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Query(q): Query<RecordsQuery>,
) -> Result<Json<SubjectRecords>, ApiError> {
    let Role::Subject(me) = &caller.actor.role else {
        return Err(caller.deny(format!(
            "{} is not a person the records are about: /v1/me/records answers a subject: token (the province and auditors use /v1/subjects/{{id}}/records)",
            caller.actor
        )));
    };
    let me = me.clone();
    Ok(Json(records_of(&service, &caller, &me, &q).await?))
}

/// A subject's evaluations and the reads of their records (province and
/// auditors: a dispute officer's or an auditor's view of one person); this
/// listing is itself recorded as a read, which the subject sees.
#[utoipa::path(get, path = "/v1/subjects/{id}/records", tag = "subjects",
    params(("id" = String, Path, description = "The subject's id"), RecordsQuery),
    responses((status = 200, description = "Their records", body = SubjectRecords), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn of_subject(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(id): Path<String>,
    Query(q): Query<RecordsQuery>,
) -> Result<Json<SubjectRecords>, ApiError> {
    caller.require(Need::Audit, "read a person's records")?;
    Ok(Json(records_of(&service, &caller, &id, &q).await?))
}

/// Why a person is erased.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EraseBody {
    /// Why (kept in the erasure record; it must not name the person).
    pub reason: String,
}

/// Erase a person from the records now (the province, named: their
/// request under PIPL art. 47, a dispute officer's decision): the
/// personal part and input of every record of theirs, in erasure records
/// that name positions, never the person. The log and every proof still
/// verify. Records younger than a second (not yet in the search index)
/// are left: ask again.
#[utoipa::path(post, path = "/v1/subjects/{id}/erase", tag = "subjects",
    params(("id" = String, Path, description = "The subject's id")),
    request_body = EraseBody,
    responses((status = 200, description = "What was erased", body = scorehost_engine::retention::SubjectErased), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn erase(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(id): Path<String>,
    body: axum::extract::Request,
) -> Result<Json<scorehost_engine::retention::SubjectErased>, ApiError> {
    // The role first, before the body is read.
    caller.require(Need::Province, "erase a person from the records")?;
    caller
        .actor
        .named_person("erasing a person")
        .map_err(ApiError::from)?;
    let crate::extract::JsonBody(body) =
        crate::extract::JsonBody::<EraseBody>::from_request_body(body).await?;
    if body.reason.trim().is_empty() || body.reason.len() > 500 {
        return Err(ApiError::bad_request(
            "say why, in 1 to 500 bytes (the erasure record keeps it)",
        ));
    }
    if body.reason.contains(id.as_str()) {
        return Err(ApiError::bad_request(
            "the reason names the person, and the erasure record keeps it for ever: say why without their id",
        ));
    }
    let done = scorehost_engine::retention::erase_subject(
        service.engine.catalog.registry(),
        &caller.actor,
        &id,
        &body.reason,
    )
    .await?;
    Ok(Json(done))
}
