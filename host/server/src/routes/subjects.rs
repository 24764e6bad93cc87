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

/// Record that `caller` read `what` of each of `subjects`' records (each
/// once, however often named): one `access` record each, queued together
/// so that they share commits, all durable before this returns. Each
/// record's personal part — whose records — files it under the kind of
/// subject their records are ([`scorehost_registry::Registry::kind_of_subject`]),
/// so that the same retention erases it. Costs two indexed reads and one
/// small record per subject.
pub async fn log_reads<'a>(
    service: &Service,
    caller: &Caller,
    subjects: impl IntoIterator<Item = &'a str>,
    what: &str,
) -> Result<(), ApiError> {
    let mut subjects: Vec<&str> = subjects.into_iter().collect();
    subjects.sort_unstable();
    subjects.dedup();
    let registry = service.engine.catalog.registry();
    let mut records = Vec::with_capacity(subjects.len());
    for subject in subjects {
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
    Ok(())
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
    // The listing is a read of their records: recorded first, so that it
    // lists itself.
    log_read(service, caller, subject, "the list of their records").await?;
    let registry = service.engine.catalog.registry();
    let found = registry
        .records_of_subject(subject, q.before, limit)
        .await?;
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
        let record = scorehost_registry::open_record(&r.entry.record, r.personal.as_ref())?;
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
    let done = scorehost_engine::retention::erase_subject(
        service.engine.catalog.registry(),
        &caller.actor,
        &id,
        &body.reason,
    )
    .await?;
    Ok(Json(done))
}
