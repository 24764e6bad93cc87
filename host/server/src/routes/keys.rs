//! `/v1/namespaces/{namespace}/keys`: the SSH public keys that sign a
//! publisher namespace's modules. The province registers and revokes them;
//! anyone authenticated reads them (they are public keys, and verifying a
//! module offline needs them: `scorehost plugin verify`).

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use scorehost_registry::{KeyRevoked, SigningKey};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::Service;
use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;

/// A key to register.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct KeyBody {
    /// The OpenSSH public key line: `ssh-ed25519 AAAA… comment`.
    pub public_key: String,
    /// Whose key it is (default: the key's comment).
    #[serde(default)]
    pub label: String,
}

/// A key to revoke.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeKeyBody {
    /// Its fingerprint, `SHA256:…` (as `ssh-keygen -l` prints it).
    pub fingerprint: String,
    /// Why, kept in the log.
    #[serde(default)]
    pub reason: String,
}

/// The keys registered for a namespace, live and revoked.
#[utoipa::path(get, path = "/v1/namespaces/{namespace}/keys", tag = "plugins",
    params(("namespace" = String, Path)),
    responses((status = 200, description = "The namespace's keys, oldest first (empty: the namespace takes unsigned modules)")),
    security(("bearer" = [])))]
pub async fn list(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(namespace): Path<String>,
) -> Result<Json<Vec<SigningKey>>, ApiError> {
    caller.require(Need::Anyone, "read signing keys")?;
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .signing_keys(&namespace)
            .await?,
    ))
}

/// Register a key that signs the namespace's modules (province only).
/// From then on the namespace accepts only modules signed by one of its
/// live keys.
#[utoipa::path(post, path = "/v1/namespaces/{namespace}/keys", tag = "plugins",
    params(("namespace" = String, Path)),
    request_body = KeyBody,
    responses((status = 201, description = "Registered (200: it already was)"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "The key was revoked", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn add(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(namespace): Path<String>,
    body: Request,
) -> Result<(StatusCode, Json<SigningKey>), ApiError> {
    // The role first, before the body is read.
    caller.require(Need::Province, "register signing keys")?;
    let JsonBody(b) = JsonBody::<KeyBody>::from_request_body(body).await?;
    let (key, new) = service
        .engine
        .catalog
        .registry()
        .add_signing_key(&caller.actor, &namespace, &b.public_key, &b.label)
        .await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(key)))
}

/// Revoke a key for good (province only, one person, at once). No module
/// signed by it is accepted or approved any more; the versions in force it
/// signed stay in force, flagged for review, and are listed.
#[utoipa::path(post, path = "/v1/namespaces/{namespace}/keys/revoke", tag = "plugins",
    params(("namespace" = String, Path)),
    request_body = RevokeKeyBody,
    responses((status = 200, description = "Revoked, with the versions in force it signed"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(namespace): Path<String>,
    body: Request,
) -> Result<Json<KeyRevoked>, ApiError> {
    // The role first, before the body is read.
    caller.require(Need::Province, "revoke signing keys")?;
    let JsonBody(b) = JsonBody::<RevokeKeyBody>::from_request_body(body).await?;
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .revoke_signing_key(&caller.actor, &namespace, &b.fingerprint, &b.reason)
            .await?,
    ))
}
