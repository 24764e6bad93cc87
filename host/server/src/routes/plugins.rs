//! `/v1/plugins` and `/v1/pins`: publish, review, pin, revoke, read.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use scorehost_registry::{ModelName, Pin, VersionRecord, VersionRef};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Service;
use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};

fn model_name(namespace: &str, name: &str) -> Result<ModelName, ApiError> {
    Ok(format!("{namespace}/{name}").parse::<ModelName>()?)
}

fn version_ref(namespace: &str, name: &str, version: &str) -> Result<VersionRef, ApiError> {
    Ok(format!("{namespace}/{name}@{version}").parse::<VersionRef>()?)
}

/// A published version (with its `describe()`), as the publish route
/// answers it.
#[derive(Serialize)]
pub struct PublishedBody {
    /// The stored version.
    #[serde(flatten)]
    pub version: VersionRecord,
    /// True if these exact bytes were already published: nothing changed.
    pub already_published: bool,
}

/// The module a route's path names must be the module the bytes describe:
/// compile and check `bytes` (the sandbox's load-time checks), then compare.
pub(crate) fn check_against_path(
    runtime: &scorehost_runtime::sandbox::Runtime,
    bytes: &[u8],
    expected: &VersionRef,
) -> Result<scorehost_registry::CheckedModule, String> {
    use scorehost_registry::ModuleCheck as _;
    let checked = scorehost_engine::catalog::SandboxCheck(runtime).check(bytes)?;
    let described = format!("{}@{}", checked.name, checked.version);
    if described != expected.to_string() {
        return Err(format!(
            "the module describes itself as {described}, but it was uploaded as {expected}"
        ));
    }
    Ok(checked)
}

/// A module already compiled and checked off the request path: the
/// registry's [`scorehost_registry::ModuleCheck`] then only hands the
/// result over.
pub(crate) struct Checked(pub Result<scorehost_registry::CheckedModule, String>);

impl scorehost_registry::ModuleCheck for Checked {
    fn check(&self, _bytes: &[u8]) -> Result<scorehost_registry::CheckedModule, String> {
        self.0.clone()
    }
}

/// The header that carries a module's SSH signature: the armored
/// signature (`-----BEGIN SSH SIGNATURE-----` …, as `ssh-keygen -Y sign`
/// writes it), base64-encoded onto one line.
pub const SIGNATURE_HEADER: &str = "scorehost-signature";

/// The signature a publish carries, decoded; `None` without the header.
fn signature_of(headers: &HeaderMap) -> Result<Option<String>, ApiError> {
    use base64::Engine as _;
    let Some(value) = headers.get(SIGNATURE_HEADER) else {
        return Ok(None);
    };
    let bad = |why: &str| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            format!(
                "the {SIGNATURE_HEADER} header must hold the armored SSH signature, base64-encoded: {why}"
            ),
        )
    };
    let raw = value.to_str().map_err(|_| bad("it is not ASCII"))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(raw.trim())
        .map_err(|e| bad(&e.to_string()))?;
    String::from_utf8(bytes)
        .map(Some)
        .map_err(|_| bad("it does not decode to text"))
}

/// Publish a module (`application/wasm`). Its `describe()` must name the
/// same model and version as the path. A publisher publishes only into its
/// own namespace; the same bytes again change nothing; other bytes under
/// the same version are a conflict. In a namespace with registered keys the
/// module must carry its SSH signature in the `Scorehost-Signature` header
/// (the armored signature, base64-encoded), checked before the module is
/// compiled: a missing or bad signature is refused (422) with nothing
/// stored.
#[utoipa::path(
    post,
    path = "/v1/plugins/{namespace}/{name}/versions/{version}",
    tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path), ("version" = String, Path)),
    request_body(content = Vec<u8>, content_type = "application/wasm", description = "The component's bytes"),
    responses(
        (status = 201, description = "Published"),
        (status = 200, description = "These exact bytes were already published"),
        (status = 400, description = "The Scorehost-Signature header is not a base64 armored signature", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, description = "The module is refused: its load-time checks, or its signature (missing, bad, or by a key not live for the namespace)", body = ErrorBody)
    ),
    security(("bearer" = []))
)]
pub async fn publish(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path((namespace, name, version)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<(StatusCode, Json<PublishedBody>), ApiError> {
    let r = version_ref(&namespace, &name, &version)?;
    // The role first, before a byte of the body is read or compiled: a
    // caller who may not publish here costs the service nothing.
    if let Err(e) = caller.actor.may_publish_into(&r.model.namespace) {
        crate::extract::discard_body(&headers, body).await;
        return Err(match e {
            scorehost_registry::Error::Forbidden(m) => caller.deny(m),
            other => ApiError::from(other),
        });
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type != "application/wasm" {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            format!("a module is uploaded as application/wasm, not '{content_type}'"),
        ));
    }
    // A module may be larger than the JSON body limit: read it here, up to
    // the sandbox's module size limit.
    let bytes: Bytes = axum::body::to_bytes(body, crate::MAX_MODULE_BODY)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("a module may be at most {} bytes", crate::MAX_MODULE_BODY),
            )
        })?;
    // The signature before the compile: a module the namespace would
    // refuse costs one hash and one signature check, not a compile.
    let signature = signature_of(&headers)?;
    let registry = service.engine.catalog.registry();
    let sha256 = scorehost_registry::sha256_hex(&bytes);
    registry
        .check_signature(&r, &sha256, signature.as_deref())
        .await?;
    // Compiling takes a core for a second or more: on a blocking thread,
    // one upload at a time, so that scoring goes on meanwhile.
    let checked = service.compile_module(bytes.clone(), r.clone()).await?;
    let published = registry
        .publish_signed(&caller.actor, &bytes, &checked, signature.as_deref())
        .await
        .map_err(|e| match e {
            scorehost_registry::Error::Forbidden(m) => caller.deny(m),
            other => ApiError::from(other),
        })?;
    let status = if published.already_published {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(PublishedBody {
            version: published.version,
            already_published: published.already_published,
        }),
    ))
}

/// Every version of every model.
#[utoipa::path(get, path = "/v1/plugins", tag = "plugins",
    responses((status = 200, description = "Every version")), security(("bearer" = [])))]
pub async fn list(
    State(service): State<Arc<Service>>,
    caller: Caller,
) -> Result<Json<Vec<VersionRecord>>, ApiError> {
    caller.require(Need::Anyone, "list plugins")?;
    let mut all = service.engine.catalog.registry().list().await?;
    for v in &mut all {
        caller.redact(&mut v.review);
    }
    Ok(Json(all))
}

/// One model: its versions and its pin.
#[derive(Serialize)]
pub struct ModelBody {
    /// `namespace/name`.
    pub model: String,
    /// Every version, oldest first.
    pub versions: Vec<VersionRecord>,
    /// The pinned version, if any.
    pub pin: Option<Pin>,
}

/// One model: its versions and its pin.
#[utoipa::path(get, path = "/v1/plugins/{namespace}/{name}", tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path)),
    responses((status = 200, description = "The model"), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn show(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path((namespace, name)): Path<(String, String)>,
) -> Result<Json<ModelBody>, ApiError> {
    caller.require(Need::Anyone, "read plugins")?;
    let model = model_name(&namespace, &name)?;
    let registry = service.engine.catalog.registry();
    let mut versions = registry.versions(&model).await?;
    for v in &mut versions {
        caller.redact(&mut v.review);
    }
    if versions.is_empty() {
        return Err(ApiError::from(scorehost_registry::Error::NotFound(
            format!("no model {model} is published"),
        )));
    }
    let pin = match registry.pinned(&model).await {
        Ok(pin) => Some(pin),
        Err(scorehost_registry::Error::NoPinnedVersion(_)) => None,
        Err(e) => return Err(e.into()),
    };
    Ok(Json(ModelBody {
        model: model.to_string(),
        versions,
        pin,
    }))
}

/// One version.
#[utoipa::path(get, path = "/v1/plugins/{namespace}/{name}/versions/{version}", tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path), ("version" = String, Path)),
    responses((status = 200, description = "The version"), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn version(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path((namespace, name, version)): Path<(String, String, String)>,
) -> Result<Json<VersionRecord>, ApiError> {
    caller.require(Need::Anyone, "read plugins")?;
    let r = version_ref(&namespace, &name, &version)?;
    let mut v = service.engine.catalog.registry().version(&r).await?;
    caller.redact(&mut v.review);
    Ok(Json(v))
}

/// The SHA-256 the province reviewed.
#[derive(Deserialize, ToSchema)]
pub struct Sha256Body {
    /// Hex SHA-256 of the module's exact bytes.
    pub sha256: String,
}

/// Approve a version, naming the SHA-256 reviewed (province only).
#[utoipa::path(post, path = "/v1/plugins/{namespace}/{name}/versions/{version}/approve", tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path), ("version" = String, Path)),
    request_body = Sha256Body,
    responses((status = 200, description = "Approved"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, description = "Another hash, or revoked", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn approve(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path((namespace, name, version)): Path<(String, String, String)>,
    body: axum::extract::Request,
) -> Result<Json<VersionRecord>, ApiError> {
    // The role first, before the body is read.
    caller.require(Need::Province, "approve plugin versions")?;
    let r = version_ref(&namespace, &name, &version)?;
    let crate::extract::JsonBody(b) =
        crate::extract::JsonBody::<Sha256Body>::from_request_body(body).await?;
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .approve(&caller.actor, &r, &b.sha256)
            .await?,
    ))
}

/// Why a version is revoked.
#[derive(Deserialize, ToSchema)]
pub struct RevokeBody {
    /// The reason, kept in the history and the log.
    #[serde(default)]
    pub reason: String,
}

/// Revoke a version for good (province only); if it was pinned, the model
/// scores nobody until a new pin.
#[utoipa::path(post, path = "/v1/plugins/{namespace}/{name}/versions/{version}/revoke", tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path), ("version" = String, Path)),
    request_body = RevokeBody,
    responses((status = 200, description = "Revoked"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn revoke(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path((namespace, name, version)): Path<(String, String, String)>,
    body: axum::extract::Request,
) -> Result<Json<VersionRecord>, ApiError> {
    // The role first, before the body is read.
    caller.require(Need::Province, "revoke plugin versions")?;
    let r = version_ref(&namespace, &name, &version)?;
    let body = crate::extract::JsonBody::<RevokeBody>::from_request_body(body).await?;
    let revoked = service
        .engine
        .catalog
        .registry()
        .revoke(&caller.actor, &r, &body.0.reason)
        .await?;
    service.engine.pins_changed();
    Ok(Json(revoked))
}

/// The version to pin, by version and hash.
#[derive(Deserialize, ToSchema)]
pub struct PinBody {
    /// The approved version.
    pub version: String,
    /// Its SHA-256.
    pub sha256: String,
}

/// A pin's answer: the pin, and the composites in force that no longer fit
/// the pinned models now (each evaluation of them is refused, 409, until
/// the province redefines them).
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct PinAnswer {
    /// The pin.
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub pin: Pin,
    /// `name@version` and why, for each composite the pin breaks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(value_type = Vec<Object>)]
    pub breaks_composites: Vec<scorehost_registry::composites::Broken>,
}

/// Pin an approved version: from now on it, and only it, scores for the
/// model (province only). The answer names the composites the pin breaks.
#[utoipa::path(put, path = "/v1/pins/{namespace}/{name}", tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path)),
    request_body = PinBody,
    responses((status = 200, description = "Pinned"), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn pin(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path((namespace, name)): Path<(String, String)>,
    body: axum::extract::Request,
) -> Result<Json<PinAnswer>, ApiError> {
    // The role first, before the body is read.
    caller.require(Need::Province, "pin plugin versions")?;
    let body = crate::extract::JsonBody::<PinBody>::from_request_body(body).await?;
    let r = version_ref(&namespace, &name, &body.0.version)?;
    let registry = service.engine.catalog.registry();
    let pin = registry.pin(&caller.actor, &r, &body.0.sha256).await?;
    service.engine.pins_changed();
    let breaks_composites = registry.composites_broken(&r.model).await?;
    Ok(Json(PinAnswer {
        pin,
        breaks_composites,
    }))
}

/// Every pin.
#[utoipa::path(get, path = "/v1/pins", tag = "plugins",
    responses((status = 200, description = "Every pin")), security(("bearer" = [])))]
pub async fn pins(
    State(service): State<Arc<Service>>,
    caller: Caller,
) -> Result<Json<Vec<Pin>>, ApiError> {
    caller.require(Need::Anyone, "read pins")?;
    Ok(Json(service.engine.catalog.registry().pins().await?))
}
