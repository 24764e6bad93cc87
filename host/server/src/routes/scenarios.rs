//! `/v1/scenarios`: benefit scenarios (the source's "信易+" applications).
//! The province proposes, approves and retires them — a name, a title, the
//! model that decides and its rule, a minimum score or a set of grades.
//! A definition comes into force once the approval quorum of named
//! persons other than its author approved it (four eyes, as for module
//! versions: [`super::proposals`]); retiring is one reviewer's act. Every
//! change is in the audit log. Any authenticated caller reads what is in
//! force: which benefits exist and by what rule they are decided is public
//! policy, and an app needs it to know what it is granted.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use scorehost_registry::{Approved, Defined, ModelName, Rule, Scenario};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::Service;
use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;

/// A scenario's definition. Exactly one of `min_score`, `above_score` and
/// `grades`.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "title": "Hangzhou transit credit-pay", "model": "hangzhou/qianjiang", "min_score": 573 }))]
pub struct ScenarioBody {
    /// What the benefit is, for people (default: the name).
    #[serde(default)]
    pub title: Option<String>,
    /// The model that decides it, `namespace/name` (its pinned version).
    pub model: String,
    /// Eligible from this score on (decimal points, at most two decimals,
    /// on the model's scale).
    #[serde(default)]
    pub min_score: Option<f64>,
    /// Eligible with a score strictly above this one (the source's 「高于」;
    /// decimal points, at most two decimals, below the top of the scale).
    #[serde(default)]
    pub above_score: Option<f64>,
    /// Eligible with one of these grades (declared by the model).
    #[serde(default)]
    pub grades: Option<Vec<String>>,
}

/// Propose a scenario's definition, new or replacing the one in force (a
/// named province person). It comes into force once the approval quorum
/// of other persons approved it (`POST /v1/scenarios/{name}/approve`). Its
/// rule is checked against the model's pinned version now and again when
/// it comes into force: a grade it does not declare, or a minimum off its
/// scale, is a 400 and nothing is stored.
#[utoipa::path(put, path = "/v1/scenarios/{name}", tag = "scenarios",
    params(("name" = String, Path, description = "The scenario's name: lowercase letters, digits and '-'")),
    request_body = ScenarioBody,
    responses(
        (status = 202, description = "Proposed: the proposal (its sha256 and review), waiting for approvals"),
        (status = 400, description = "A malformed name or title, an unknown model or one without a pinned version, not exactly one of min_score, above_score and grades, an undeclared grade, a threshold off the model's scale", body = ErrorBody),
        (status = 403, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn define(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(name): Path<String>,
    body: Request,
) -> Result<(StatusCode, Json<Defined>), ApiError> {
    caller.require(Need::Province, "define benefit scenarios")?;
    let JsonBody(b) = JsonBody::<ScenarioBody>::from_request_body(body).await?;
    // An unknown model is bad input here, not a missing resource.
    let model: ModelName = b.model.parse()?;
    let rule = Rule::new(b.min_score, b.above_score, b.grades)?;
    let defined = service
        .engine
        .catalog
        .registry()
        .define_scenario(&caller.actor, &name, b.title.as_deref(), &model, rule)
        .await?;
    Ok(super::proposals::accepted(defined))
}

/// Approve the definition of a scenario waiting for approval, naming the
/// SHA-256 of the text reviewed (a named province person other than its
/// author). The approval that reaches the quorum brings it into force
/// (`in_force`).
#[utoipa::path(post, path = "/v1/scenarios/{name}/approve", tag = "scenarios",
    params(("name" = String, Path)),
    request_body = super::proposals::ApproveBody,
    responses(
        (status = 200, description = "Approved: the proposal with its review, and the scenario if now in force"),
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
) -> Result<Json<Approved<Scenario>>, ApiError> {
    caller.require(Need::Province, "approve benefit scenarios")?;
    let sha256 = super::proposals::approved_sha256(body).await?;
    let registry = service.engine.catalog.registry();
    let approved = registry
        .approve_scenario(&caller.actor, &name, &sha256)
        .await?;
    Ok(super::proposals::approval_answer(&caller, approved))
}

/// Every scenario, retired ones too (with `retired_at`), by name.
#[utoipa::path(get, path = "/v1/scenarios", tag = "scenarios",
    responses((status = 200, description = "The scenarios")),
    security(("bearer" = [])))]
pub async fn list(
    State(service): State<Arc<Service>>,
    caller: Caller,
) -> Result<Json<Vec<Scenario>>, ApiError> {
    caller.require(Need::Anyone, "read scenarios")?;
    Ok(Json(service.engine.catalog.registry().scenarios().await?))
}

/// One scenario, retired or not; for the province and auditors, with the
/// definition waiting for approval (`pending`, its review).
#[utoipa::path(get, path = "/v1/scenarios/{name}", tag = "scenarios",
    params(("name" = String, Path)),
    responses((status = 200, description = "The scenario"), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    caller.require(Need::Anyone, "read scenarios")?;
    let registry = service.engine.catalog.registry();
    let pending = match caller.sees_tokens() {
        true => registry.scenario_pending(&name).await?,
        false => None,
    };
    let in_force = registry.scenario(&name).await?;
    match super::proposals::with_pending(&caller, &name, in_force, pending)? {
        Some(v) => Ok(Json(v)),
        None => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no benefit scenario is named '{name}'"),
        )),
    }
}

/// Retire a scenario (province only): from now on decisions on it are
/// refused (410) and it can no longer be granted. Its definition and
/// history stay.
#[utoipa::path(delete, path = "/v1/scenarios/{name}", tag = "scenarios",
    params(("name" = String, Path)),
    responses(
        (status = 200, description = "Retired: the scenario with retired_at"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Already retired", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn retire(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(name): Path<String>,
) -> Result<Json<Scenario>, ApiError> {
    caller.require(Need::Province, "retire benefit scenarios")?;
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .retire_scenario(&caller.actor, &name)
            .await?,
    ))
}
