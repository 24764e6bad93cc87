//! `/v1/shadows`: shadow mode (see [`scorehost_engine::shadow`]). The province sets
//! and clears a model's shadow version; everyone authenticated may list
//! them (like pins, a public fact of the registry).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use scorehost_registry::{ModelName, Shadow, VersionRef};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::Service;
use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;

/// The version to run in the shadow, by version and hash.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShadowBody {
    /// A submitted or approved version of the model (not the pinned one).
    pub version: String,
    /// Its SHA-256: the exact bytes that will see live requests.
    pub sha256: String,
}

fn model_name(namespace: &str, name: &str) -> Result<ModelName, ApiError> {
    Ok(format!("{namespace}/{name}").parse::<ModelName>()?)
}

/// Set a model's shadow version (province only): from now on every live
/// scoring of the model is also evaluated with it, recorded with
/// `"shadow": true` and the live evaluation's id, and never returned.
/// Pinning or revoking the version clears the shadow.
#[utoipa::path(put, path = "/v1/shadows/{namespace}/{name}", tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path)),
    request_body = ShadowBody,
    responses((status = 200, description = "The shadow as stored"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, description = "No such version, or the model has no pinned version to shadow", body = ErrorBody),
        (status = 409, description = "The hash is not the version's, or the version is pinned or revoked", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn set(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path((namespace, name)): Path<(String, String)>,
    body: axum::extract::Request,
) -> Result<Json<Shadow>, ApiError> {
    // The role first, before the body is read.
    caller.require(Need::Province, "set shadow versions")?;
    let body = JsonBody::<ShadowBody>::from_request_body(body).await?;
    let r: VersionRef = format!("{namespace}/{name}@{}", body.0.version).parse()?;
    let shadow = service
        .engine
        .catalog
        .registry()
        .set_shadow(&caller.actor, &r, &body.0.sha256)
        .await?;
    service.engine.shadows.changed();
    Ok(Json(shadow))
}

/// Clear a model's shadow (province only).
#[utoipa::path(delete, path = "/v1/shadows/{namespace}/{name}", tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path)),
    responses((status = 200, description = "The shadow that was cleared"),
        (status = 403, body = ErrorBody), (status = 404, description = "The model has no shadow", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn clear(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<Json<Shadow>, ApiError> {
    caller.require(Need::Province, "clear shadow versions")?;
    let model = model_name(&namespace, &name)?;
    let cleared = service
        .engine
        .catalog
        .registry()
        .clear_shadow(&caller.actor, &model)
        .await?;
    service.engine.shadows.changed();
    Ok(Json(cleared))
}

/// Every shadow version, by model.
#[utoipa::path(get, path = "/v1/shadows", tag = "plugins",
    responses((status = 200, description = "Every shadow")), security(("bearer" = [])))]
pub async fn list(
    State(service): State<Arc<Service>>,
    caller: Caller,
) -> Result<Json<Vec<Shadow>>, ApiError> {
    caller.require(Need::Anyone, "read shadows")?;
    Ok(Json(service.engine.catalog.registry().shadows().await?))
}
