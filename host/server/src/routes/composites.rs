//! `/v1/composites` and `/v1/reports`: composite scores and credit reports.
//!
//! The province proposes, approves (each definition in force a new
//! version, once the approval quorum of persons other than its author
//! approved it: [`super::proposals`]) and retires composites; any authenticated caller reads them (which models
//! are composed, and how, is public policy, as a scenario's rule is). An
//! app granted a composite evaluates it for a stored subject
//! (`POST /v1/composites/{name}/scores`); an app granted `report` asks for
//! a subject's credit report (`POST /v1/reports`). Both check the role and
//! the grant before reading the body, and consent for every model before
//! reading anything of the subject.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use scorehost_engine::composite::{CompositeFailed, CompositeResponse};
use scorehost_registry::composites::{Definition, REPORT, Step};
use scorehost_registry::{Approved, Composite, Proposal, Role};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::Service;
use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;

/// A composite's definition: its steps, in the order they run, and the
/// step whose result is the composite's.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "title": "Personal credit code from the Hangzhou Qianjiang score",
    "steps": [
        {"id": "city", "model": "hangzhou/qianjiang", "when": {"id_prefix": ["3301"], "label": "Hangzhou (杭州)"}},
        {"id": "code", "model": "zhejiang/credit-code", "inputs": {
            "city_score": {"from": "city", "output": "score"},
            "city_model": {"from": "city", "output": "model"}}}
    ],
    "result": "code"}))]
pub struct CompositeBody {
    /// What it is, for people (default: the name).
    #[serde(default)]
    pub title: Option<String>,
    /// The steps (1 to 16): each a pinned model, optionally routed
    /// (`when`), its inputs fed by earlier steps' outputs.
    #[schema(value_type = Vec<Object>)]
    pub steps: Vec<Step>,
    /// The step whose score and grade are the composite's; absent for a
    /// profile.
    #[serde(default)]
    pub result: Option<String>,
}

/// The body of an evaluation: the stored subject, as of today.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // read as JSON by the engine; this type documents it
pub struct SubjectBody {
    /// `{"id": …}`: the subject, completed from the 1+N store.
    #[schema(value_type = Object)]
    pub subject: serde_json::Value,
    /// Must be today if given: an app evaluates as of today.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// A composite's failure as an answer: its step's status, a message
/// naming the step, and the composite's record as `evaluation_id`.
pub(crate) fn failed(f: CompositeFailed) -> ApiError {
    let message = f.to_string();
    let mut e = ApiError::from(f.error);
    if f.step.is_some() {
        e.message = message;
    }
    e.evaluation_id = f.composite_id;
    e
}

/// Propose a definition of composite `name`, its first version or its
/// next (a named province person). It comes into force once the approval
/// quorum of other persons approved it (`POST
/// /v1/composites/{name}/approve`). The graph is checked against the
/// pinned versions now and again when it comes into force:
/// an unpinned model, an input its model does not declare, an output of
/// the wrong kind for its input, a step fed by a later one, no subject kind
/// every model scores — each is a 400 naming the step, and nothing is
/// stored.
#[utoipa::path(put, path = "/v1/composites/{name}", tag = "composites",
    params(("name" = String, Path, description = "The composite's name: lowercase letters, digits and '-'")),
    request_body = CompositeBody,
    responses(
        (status = 202, description = "Proposed: the proposal (its sha256 and review), waiting for approvals"),
        (status = 400, description = "The graph does not fit the pinned models, or a malformed name or title", body = ErrorBody),
        (status = 403, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn define(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(name): Path<String>,
    body: Request,
) -> Result<(StatusCode, Json<Proposal>), ApiError> {
    caller.require(Need::Province, "define composites")?;
    let JsonBody(b) = JsonBody::<CompositeBody>::from_request_body(body).await?;
    let definition = Definition {
        steps: b.steps,
        result: b.result,
    };
    let c = service
        .engine
        .catalog
        .registry()
        .define_composite(&caller.actor, &name, b.title.as_deref(), definition)
        .await?;
    Ok(super::proposals::accepted(c))
}

/// Approve the definition of a composite waiting for approval, naming the
/// SHA-256 of the text reviewed (a named province person other than its
/// author). The approval that reaches the quorum brings it into force as
/// the next version (`in_force`).
#[utoipa::path(post, path = "/v1/composites/{name}/approve", tag = "composites",
    params(("name" = String, Path)),
    request_body = super::proposals::ApproveBody,
    responses(
        (status = 200, description = "Approved: the proposal with its review, and the composite if now in force"),
        (status = 400, description = "The graph no longer fits the models pinned now", body = ErrorBody),
        (status = 403, description = "Not a named province person, or the definition's author", body = ErrorBody),
        (status = 404, description = "No definition of this name is waiting for approval", body = ErrorBody),
        (status = 409, description = "The waiting definition has another SHA-256", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn approve(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(name): Path<String>,
    body: Request,
) -> Result<Json<Approved<Composite>>, ApiError> {
    caller.require(Need::Province, "approve composites")?;
    let sha256 = super::proposals::approved_sha256(body).await?;
    let registry = service.engine.catalog.registry();
    let approved = registry
        .approve_composite(&caller.actor, &name, &sha256)
        .await?;
    Ok(super::proposals::approval_answer(&caller, approved))
}

/// Every composite (its latest version), retired ones too, by name.
#[utoipa::path(get, path = "/v1/composites", tag = "composites",
    responses((status = 200, description = "The composites")),
    security(("bearer" = [])))]
pub async fn list(
    State(service): State<Arc<Service>>,
    caller: Caller,
) -> Result<Json<Vec<Composite>>, ApiError> {
    caller.require(Need::Anyone, "read composites")?;
    Ok(Json(service.engine.catalog.registry().composites().await?))
}

/// One composite's latest version, retired or not; for the province and
/// auditors, with the definition waiting for approval (`pending`).
#[utoipa::path(get, path = "/v1/composites/{name}", tag = "composites",
    params(("name" = String, Path)),
    responses((status = 200, description = "The composite"), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(Need::Anyone, "read composites")?;
    let registry = service.engine.catalog.registry();
    let pending = match caller.sees_tokens() {
        true => registry.composite_pending(&name).await?,
        false => None,
    };
    let in_force = registry.composite(&name).await?;
    match super::proposals::with_pending(&caller, &name, in_force, pending)? {
        Some(c) => Ok(Json(c)),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no composite is named '{name}'"),
        )),
    }
}

/// Retire a composite (province only): from now on it evaluates nothing
/// and can no longer be granted; defining it again brings a new version
/// into force.
#[utoipa::path(delete, path = "/v1/composites/{name}", tag = "composites",
    params(("name" = String, Path)),
    responses(
        (status = 200, description = "Retired: the composite with retired_at"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Already retired", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn retire(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<Composite>, ApiError> {
    caller.require(Need::Province, "retire composites")?;
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .retire_composite(&caller.actor, &name)
            .await?,
    ))
}

/// Evaluate a composite for a stored subject (apps granted it). Consent
/// from a natural person is required for every model of the composite,
/// before anything of theirs is read. Each step runs in its own fresh
/// sandbox and has its own record; the answer, given once every record is
/// durable, is one white box of every step and how each fed the next, with
/// the composite's record id (`composite_id`). A failing step fails the
/// composite: its status, a message naming the step, and the composite's
/// record as `evaluation_id`.
#[utoipa::path(post, path = "/v1/composites/{name}/scores", tag = "composites",
    params(("name" = String, Path)),
    request_body = SubjectBody,
    responses(
        (status = 200, description = "Every step's white box and the composite's result", body = CompositeResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 409, description = "The composite no longer fits its pinned models: the province must redefine it", body = ErrorBody),
        (status = 422, description = "A step failed (named; recorded: `evaluation_id` is the composite's record)", body = ErrorBody),
        (status = 503, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn score(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(name): Path<String>,
    body: Request,
) -> Result<Json<CompositeResponse>, ApiError> {
    // The role and the grant first, before the body is read.
    if !matches!(caller.actor.role, Role::App(_)) {
        return Err(caller.deny(format!(
            "{} may not evaluate composites: only apps do, with the composites they are granted",
            caller.actor
        )));
    }
    if name == REPORT || !caller.token.may_compose(&name) {
        return Err(caller.deny(format!("{} is not granted composite {name}", caller.actor)));
    }
    let started = std::time::Instant::now();
    let JsonBody(raw) = JsonBody::<serde_json::Value>::from_request_body(body).await?;
    let result = service
        .engine
        .score_composite(&caller.token, &caller.actor, &name, raw)
        .await;
    service.metrics.composed(&name, &result, started.elapsed());
    result.map(Json).map_err(failed)
}

/// A subject's credit report (综合信用报告): the provincial base and every
/// pinned model that applies, each evaluated in its own sandbox with its
/// own record, in one answer and one linked record (apps granted
/// `report`). A model not evaluated is listed with why: not applicable,
/// no consent, no stored data, or its recorded failure.
#[utoipa::path(post, path = "/v1/reports", tag = "composites",
    request_body = SubjectBody,
    responses(
        (status = 200, description = "The report: each model's white box, and those not evaluated with why", body = CompositeResponse),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 503, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn report(
    State(service): State<Arc<Service>>,
    caller: Caller,
    body: Request,
) -> Result<Json<CompositeResponse>, ApiError> {
    if !matches!(caller.actor.role, Role::App(_)) || !caller.token.may_compose(REPORT) {
        return Err(caller.deny(format!(
            "{} may not ask for credit reports: only apps granted them do",
            caller.actor
        )));
    }
    let started = std::time::Instant::now();
    let JsonBody(raw) = JsonBody::<serde_json::Value>::from_request_body(body).await?;
    let result = service
        .engine
        .credit_report(&caller.token, &caller.actor, raw)
        .await;
    service.metrics.composed(REPORT, &result, started.elapsed());
    result.map(Json).map_err(failed)
}
