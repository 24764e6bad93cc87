//! `/v1/consents`: a natural person's consent to an app scoring them with a
//! model (SECURITY.md §4). The province records grants and
//! withdrawals (for the person, from its own portal); both take effect at
//! once and both are in the audit log.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use scorehost_registry::{Consent, ModelName};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::Service;
use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;

/// A consent to record.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    /// The person's identifier, as scoring requests name the subject.
    pub subject_id: String,
    /// The app (the NAME of `app:NAME`).
    pub app: String,
    /// The model, `namespace/name`.
    pub model: String,
    /// Until when: a date (valid through that day) or an RFC 3339 time.
    pub expires: String,
}

/// A consent to withdraw.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawBody {
    /// The person's identifier.
    pub subject_id: String,
    /// The app.
    pub app: String,
    /// The model, `namespace/name`.
    pub model: String,
}

/// Record a consent (province only). It replaces an earlier one for the
/// same person, app and model.
#[utoipa::path(post, path = "/v1/consents", tag = "consent",
    request_body = GrantBody,
    responses((status = 201, description = "Recorded"), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn grant(
    State(service): State<Arc<Service>>,
    caller: Caller,
    body: Request,
) -> Result<(StatusCode, Json<Consent>), ApiError> {
    caller.require(Need::Province, "record consent")?;
    let JsonBody(b) = JsonBody::<GrantBody>::from_request_body(body).await?;
    let model: ModelName = b.model.parse()?;
    let consent = service
        .engine
        .catalog
        .registry()
        .grant_consent(&caller.actor, &b.subject_id, &b.app, &model, &b.expires)
        .await?;
    Ok((StatusCode::CREATED, Json(consent)))
}

/// Withdraw a consent (province only): from now on the app may not score
/// the person with the model.
#[utoipa::path(post, path = "/v1/consents/withdraw", tag = "consent",
    request_body = WithdrawBody,
    responses((status = 200, description = "Withdrawn"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn withdraw(
    State(service): State<Arc<Service>>,
    caller: Caller,
    body: Request,
) -> Result<Json<Consent>, ApiError> {
    caller.require(Need::Province, "withdraw consent")?;
    let JsonBody(b) = JsonBody::<WithdrawBody>::from_request_body(body).await?;
    let model: ModelName = b.model.parse()?;
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .withdraw_consent(&caller.actor, &b.subject_id, &b.app, &model)
            .await?,
    ))
}

/// Every consent a person has given (province and auditors).
#[utoipa::path(get, path = "/v1/consents/{subject_id}", tag = "consent",
    params(("subject_id" = String, Path)),
    responses((status = 200, description = "The person's consents"), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn of_subject(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(subject_id): Path<String>,
) -> Result<Json<Vec<Consent>>, ApiError> {
    caller.require(Need::Audit, "read consents")?;
    crate::routes::subjects::log_read(&service, &caller, &subject_id, "their consents").await?;
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .consents_of(&subject_id)
            .await?,
    ))
}
