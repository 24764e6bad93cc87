//! `/v1/disputes` and `/v1/repairs`: a subject's dispute of an indicator
//! record, through its life (filed → checked → answered by the source),
//! and credit repair (SECURITY.md, "Decisions an app cannot steer";
//! [`scorehost_registry::disputes`]). While a dispute the province has
//! admitted (filed itself, or forwarded) is open the record is withheld
//! from every evaluation; an app's filing withholds nothing until the
//! province has checked it; a dispute not closed within 20 days lapses.
//! Each step is in the audit log.
//!
//! Who may do what:
//! - file: the province (for the subject) or an app on the subject's behalf
//!   (with the subject's standing consent to that app; at most
//!   `MAX_OPEN_PER_APP` open per app and `MAX_OPEN_PER_SUBJECT` per subject,
//!   429 beyond; not again after the province rejected it or the source
//!   upheld it);
//! - check (forward or reject) and mark repaired: the province;
//! - answer: the publisher that imported the record, or the province;
//! - withdraw: the filer, or the province, with a note saying why;
//! - read: the province and auditors all; an app the disputes it filed; a
//!   publisher those about records it furnished.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::StatusCode;
use scorehost_registry::disputes::{Answer, Overdue};
use scorehost_registry::{Dispute, DisputeFilter, DisputeState, Repair, Role};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::Service;
use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;

/// A record to dispute, or to mark repaired.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordBody {
    /// The subject the record is about.
    pub subject_id: String,
    /// The indicator's name.
    pub indicator: String,
    /// The record's date (YYYY-MM-DD); omit for an undated record.
    #[serde(default)]
    pub observed_on: Option<String>,
    /// Why: the subject's objection, or how the obligation was fulfilled.
    pub reason: String,
}

/// The province's check of an open dispute.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    /// `forward` (to the furnishing source) or `reject` (inadmissible).
    pub verdict: String,
    /// A note; required to reject.
    #[serde(default)]
    pub note: String,
}

/// The source's answer to a forwarded dispute.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// `corrected`, `upheld` or `removed`.
    pub outcome: String,
    /// For `corrected`: the record's right value (number, boolean or string).
    #[serde(default)]
    #[schema(value_type = Object)]
    pub value: Option<serde_json::Value>,
    /// A note.
    #[serde(default)]
    pub note: String,
}

/// A withdrawal.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawBody {
    /// Why it is withdrawn (required, and logged: a withdrawal without a
    /// reason is refused).
    pub note: String,
}

/// Which disputes to list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only this subject's.
    pub subject_id: Option<String>,
    /// Only in this state: `open`, `forwarded` or `closed`.
    pub state: Option<String>,
}

/// The date to judge deadlines on.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OverdueQuery {
    /// YYYY-MM-DD (default: today, UTC).
    pub as_of: Option<String>,
}

/// Whose repairs.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RepairsQuery {
    /// The subject (required).
    pub subject_id: Option<String>,
}

/// File a dispute of one indicator record: from now on the record is
/// withheld from every evaluation. The province (for the subject) or an app
/// on the subject's behalf (one the subject has a standing consent to).
#[utoipa::path(post, path = "/v1/disputes", tag = "disputes",
    request_body = RecordBody,
    responses(
        (status = 201, description = "Filed: the dispute, with its deadlines"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The record is disputed already, or this app disputed it before and the province rejected it or the source upheld it", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn file(
    State(service): State<Arc<Service>>,
    caller: Caller,
    body: Request,
) -> Result<(StatusCode, Json<Dispute>), ApiError> {
    if !matches!(caller.actor.role, Role::Province | Role::App(_)) {
        return Err(caller.deny(format!(
            "{} may not file disputes: the province and apps (for a subject) may",
            caller.actor
        )));
    }
    let JsonBody(b) = JsonBody::<RecordBody>::from_request_body(body).await?;
    let d = service
        .engine
        .catalog
        .registry()
        .file_dispute(
            &caller.actor,
            &caller.token.models,
            &b.subject_id,
            &b.indicator,
            b.observed_on.as_deref(),
            &b.reason,
        )
        .await?;
    tracing::info!(dispute = %d.id, subject = %d.subject_id, indicator = %d.indicator, by = %caller.actor, "dispute filed");
    Ok((StatusCode::CREATED, Json(d)))
}

/// The disputes the caller may see, oldest first: all for the province and
/// auditors; an app's own; a publisher's about records it furnished.
#[utoipa::path(get, path = "/v1/disputes", tag = "disputes",
    params(ListQuery),
    responses((status = 200, description = "The disputes"), (status = 400, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<Dispute>>, ApiError> {
    let mut filter = DisputeFilter {
        subject_id: q.subject_id,
        state: q.state.as_deref().map(DisputeState::parse).transpose()?,
        ..DisputeFilter::default()
    };
    match &caller.actor.role {
        Role::Province | Role::Auditor => {}
        Role::App(_) => filter.filed_by = Some(caller.name()),
        Role::Publisher(_) => filter.source_actor = Some(caller.name()),
        // A person sees their own disputes, whoever filed them.
        Role::Subject(id) => filter.subject_id = Some(id.clone()),
    }
    let found = service.engine.catalog.registry().disputes(&filter).await?;
    // Each person listed had their disputes read.
    crate::routes::subjects::log_reads(
        &service,
        &caller,
        found.iter().map(|d| d.subject_id.as_str()),
        "their disputes (a list)",
    )
    .await?;
    Ok(Json(found))
}

/// Disputes past a deadline (checked within 2 working days, answered
/// within 5 working days of forwarding, closed within 20 days), with the
/// deadlines each missed. Province and auditors.
#[utoipa::path(get, path = "/v1/disputes/overdue", tag = "disputes",
    params(OverdueQuery),
    responses((status = 200, description = "The overdue disputes"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn overdue(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Query(q): Query<OverdueQuery>,
) -> Result<Json<Vec<Overdue>>, ApiError> {
    caller.require(Need::Audit, "list overdue disputes")?;
    let as_of = q.as_of.unwrap_or_else(scorehost_engine::completion::today);
    let overdue = service
        .engine
        .catalog
        .registry()
        .overdue_disputes(&as_of)
        .await?;
    crate::routes::subjects::log_reads(
        &service,
        &caller,
        overdue.iter().map(|o| o.dispute.subject_id.as_str()),
        "their disputes (overdue)",
    )
    .await?;
    Ok(Json(overdue))
}

/// The dispute the caller may see, or 403.
async fn visible(service: &Service, caller: &Caller, id: &str) -> Result<Dispute, ApiError> {
    let d = service.engine.catalog.registry().dispute(id).await?;
    let may = match &caller.actor.role {
        Role::Province | Role::Auditor => true,
        Role::App(_) => d.filed_by == caller.name(),
        Role::Publisher(_) => {
            let filter = DisputeFilter {
                source_actor: Some(caller.name()),
                subject_id: Some(d.subject_id.clone()),
                ..DisputeFilter::default()
            };
            let theirs = service.engine.catalog.registry().disputes(&filter).await?;
            theirs.iter().any(|t| t.id == d.id)
        }
        Role::Subject(id) => d.subject_id == *id,
    };
    if may {
        Ok(d)
    } else {
        Err(caller.deny(format!("{} may not read dispute {id}", caller.actor)))
    }
}

/// One dispute, with every step's note.
#[utoipa::path(get, path = "/v1/disputes/{id}", tag = "disputes",
    params(("id" = String, Path, description = "The dispute's id (dsp_…)")),
    responses((status = 200, description = "The dispute"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Dispute>, ApiError> {
    let d = visible(&service, &caller, &id).await?;
    crate::routes::subjects::log_read(&service, &caller, &d.subject_id, &format!("dispute {id}"))
        .await?;
    Ok(Json(d))
}

/// The province's check: `forward` to the furnishing source (the record
/// stays withheld; the answer is due in 5 working days) or `reject` as
/// inadmissible (closed; the record counts again).
#[utoipa::path(post, path = "/v1/disputes/{id}/check", tag = "disputes",
    params(("id" = String, Path, description = "The dispute's id")),
    request_body = CheckBody,
    responses(
        (status = 200, description = "Checked"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn check(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Request,
) -> Result<Json<Dispute>, ApiError> {
    caller.require(Need::Province, "check disputes")?;
    let JsonBody(b) = JsonBody::<CheckBody>::from_request_body(body).await?;
    let forward = match b.verdict.as_str() {
        "forward" => true,
        "reject" => false,
        other => {
            return Err(ApiError::bad_request(format!(
                "verdict '{other}' is not forward or reject"
            )));
        }
    };
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .check_dispute(&caller.actor, &id, forward, &b.note)
            .await?,
    ))
}

/// The furnishing source's answer (the publisher that imported the record,
/// or the province): `corrected` with a `value`, `upheld`, or `removed`.
/// Closes the dispute.
#[utoipa::path(post, path = "/v1/disputes/{id}/answer", tag = "disputes",
    params(("id" = String, Path, description = "The dispute's id")),
    request_body = AnswerBody,
    responses(
        (status = 200, description = "Answered and closed"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn answer(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Request,
) -> Result<Json<Dispute>, ApiError> {
    if !matches!(caller.actor.role, Role::Province | Role::Publisher(_)) {
        return Err(caller.deny(format!(
            "{} may not answer disputes: the furnishing source or the province may",
            caller.actor
        )));
    }
    let JsonBody(b) = JsonBody::<AnswerBody>::from_request_body(body).await?;
    let answer = parse_answer(&b.outcome, b.value)?;
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .answer_dispute(&caller.actor, &id, answer, &b.note)
            .await?,
    ))
}

/// An answer from its wire form: a value only with `corrected`.
pub fn parse_answer(
    outcome: &str,
    value: Option<serde_json::Value>,
) -> Result<Answer, scorehost_registry::Error> {
    let bad = scorehost_registry::Error::BadRequest;
    match (outcome, value) {
        ("corrected", Some(v)) => Ok(Answer::Corrected(v)),
        ("corrected", None) => Err(bad("a correction gives the record's right value".into())),
        ("upheld", None) => Ok(Answer::Upheld),
        ("removed", None) => Ok(Answer::Removed),
        ("upheld" | "removed", Some(_)) => Err(bad(format!(
            "only a correction gives a value; '{outcome}' does not"
        ))),
        (other, _) => Err(bad(format!(
            "outcome '{other}' is not corrected, upheld or removed"
        ))),
    }
}

/// Withdraw a dispute that is not closed (its filer, or the province).
#[utoipa::path(post, path = "/v1/disputes/{id}/withdraw", tag = "disputes",
    params(("id" = String, Path, description = "The dispute's id")),
    request_body = WithdrawBody,
    responses(
        (status = 200, description = "Withdrawn"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn withdraw(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Request,
) -> Result<Json<Dispute>, ApiError> {
    if !matches!(caller.actor.role, Role::Province | Role::App(_)) {
        return Err(caller.deny(format!(
            "{} may not withdraw disputes: their filer or the province may",
            caller.actor
        )));
    }
    let JsonBody(b) = JsonBody::<WithdrawBody>::from_request_body(body).await?;
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .withdraw_dispute(&caller.actor, &id, &b.note)
            .await?,
    ))
}

/// Mark a negative record repaired (province only): its obligation is
/// fulfilled, and no evaluation uses it from now on.
#[utoipa::path(post, path = "/v1/repairs", tag = "disputes",
    request_body = RecordBody,
    responses(
        (status = 201, description = "Marked repaired"), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn repair(
    State(service): State<Arc<Service>>,
    caller: Caller,
    body: Request,
) -> Result<(StatusCode, Json<Repair>), ApiError> {
    caller.require(Need::Province, "mark records repaired")?;
    let JsonBody(b) = JsonBody::<RecordBody>::from_request_body(body).await?;
    let r = service
        .engine
        .catalog
        .registry()
        .mark_repaired(
            &caller.actor,
            &b.subject_id,
            &b.indicator,
            b.observed_on.as_deref(),
            &b.reason,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// A subject's repaired records (province and auditors).
#[utoipa::path(get, path = "/v1/repairs", tag = "disputes",
    params(RepairsQuery),
    responses((status = 200, description = "The subject's repaired records"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn repairs(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Query(q): Query<RepairsQuery>,
) -> Result<Json<Vec<Repair>>, ApiError> {
    caller.require(Need::Audit, "read repairs")?;
    let Some(subject_id) = q.subject_id else {
        return Err(ApiError::bad_request("say whose repairs: ?subject_id=…"));
    };
    crate::routes::subjects::log_read(&service, &caller, &subject_id, "their repairs").await?;
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .repairs_of(&subject_id)
            .await?,
    ))
}
