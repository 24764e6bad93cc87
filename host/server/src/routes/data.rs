//! `/v1/data`: the "1+N" data in bulk — provincial base evaluations (the
//! province) and indicator records (the province and publishers), as NDJSON
//! (`application/x-ndjson`) or CSV (`text/csv`). The answer reports the
//! rows accepted and each row refused, with its line and reason.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use scorehost_registry::Role;
use scorehost_registry::data::{Format, ImportReport};
use scorehost_registry::furnishers::Furnisher;

use crate::Service;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};

/// The largest import: 64 MiB (some hundred thousand records a file).
pub const MAX_IMPORT_BODY: usize = 64 << 20;

async fn read(headers: &HeaderMap, body: axum::body::Body) -> Result<(String, Format), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let format = match content_type.split(';').next().unwrap_or_default().trim() {
        "application/x-ndjson" | "application/jsonl" => Format::Ndjson,
        "text/csv" => Format::Csv,
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!("send records as application/x-ndjson or text/csv, not '{other}'"),
            ));
        }
    };
    let bytes = axum::body::to_bytes(body, MAX_IMPORT_BODY)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!("an import may be at most {MAX_IMPORT_BODY} bytes; split the file"),
            )
        })?;
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::bad_request("the file is not UTF-8"))?;
    Ok((text, format))
}

/// Import provincial base evaluations (province only). Columns / fields:
/// `subject_id, kind, score, grade, source`, optional `lists` (CSV:
/// `;`-separated) and dimensions (NDJSON: `dimensions`; CSV: `dim:NAME`).
#[utoipa::path(post, path = "/v1/data/bases", tag = "data",
    request_body(content = String, content_type = "application/x-ndjson"),
    responses((status = 200, description = "The import report: accepted, rejected (line, reason)"),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn bases(
    State(service): State<Arc<Service>>,
    caller: Caller,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<ImportReport>, ApiError> {
    if let Err(denied) = caller.require(crate::auth::Need::Province, "import base evaluations") {
        crate::extract::discard_body(&headers, body).await;
        return Err(denied);
    }
    let (text, format) = read(&headers, body).await?;
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .import_bases(&caller.actor, &text, format)
            .await?,
    ))
}

/// Import indicator records (the province and publishers). Fields:
/// `subject_id, name, value, source`, optional `observed_on` (YYYY-MM-DD).
#[utoipa::path(post, path = "/v1/data/indicators", tag = "data",
    request_body(content = String, content_type = "application/x-ndjson"),
    responses((status = 200, description = "The import report: accepted, rejected (line, reason)"),
        (status = 403, body = ErrorBody), (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn indicators(
    State(service): State<Arc<Service>>,
    caller: Caller,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Result<Json<ImportReport>, ApiError> {
    // The role before the body: only the province and publishers import
    // (which indicators a publisher may import is checked row by row).
    if !matches!(caller.actor.role, Role::Province | Role::Publisher(_)) {
        crate::extract::discard_body(&headers, body).await;
        return Err(caller.deny(format!(
            "{} may not import indicator records: the province and publishers may",
            caller.actor
        )));
    }
    let (text, format) = read(&headers, body).await?;
    service
        .engine
        .catalog
        .registry()
        .import_indicators(&caller.actor, &text, format)
        .await
        .map(Json)
        .map_err(|e| match e {
            scorehost_registry::Error::Forbidden(m) => caller.deny(m),
            other => other.into(),
        })
}

/// Who furnishes an indicator, as the province registers it.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"namespace": "hangzhou", "cardinality": "single"}))]
pub struct FurnisherBody {
    /// The publisher namespace that furnishes the indicator.
    pub namespace: String,
    /// `single` (one current record per subject; a newer one replaces it,
    /// the default) or `events` (one record per event).
    #[serde(default)]
    pub cardinality: Option<String>,
}

/// Register who furnishes an indicator (province only): from then on only
/// that publisher namespace (and the province) imports its records, and
/// its cardinality decides whether a newer record replaces the older.
#[utoipa::path(put, path = "/v1/furnishers/{indicator}", tag = "data",
    params(("indicator" = String, Path, description = "The indicator's name")),
    request_body = FurnisherBody,
    responses((status = 200, description = "The registration"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn register_furnisher(
    State(service): State<Arc<Service>>,
    caller: Caller,
    axum::extract::Path(indicator): axum::extract::Path<String>,
    body: axum::extract::Request,
) -> Result<Json<Furnisher>, ApiError> {
    caller.require(crate::auth::Need::Province, "register furnishers")?;
    let crate::extract::JsonBody(b) =
        crate::extract::JsonBody::<FurnisherBody>::from_request_body(body).await?;
    let cardinality = b.cardinality.as_deref().unwrap_or("single").parse()?;
    Ok(Json(
        service
            .engine
            .catalog
            .registry()
            .register_furnisher(&caller.actor, &indicator, &b.namespace, cardinality)
            .await?,
    ))
}

/// Who furnishes each indicator: the province's registrations, and for
/// the others the namespaces whose models declare it (the province,
/// auditors and publishers; apps import nothing).
#[utoipa::path(get, path = "/v1/furnishers", tag = "data",
    responses((status = 200, description = "Every indicator's furnishers"), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn furnishers(
    State(service): State<Arc<Service>>,
    caller: Caller,
) -> Result<Json<Vec<Furnisher>>, ApiError> {
    if matches!(caller.actor.role, Role::App(_)) {
        return Err(caller.deny(format!(
            "{} may not list furnishers: the province, auditors and publishers may",
            caller.actor
        )));
    }
    Ok(Json(service.engine.catalog.registry().furnishers().await?))
}
