//! `/v1/data`: the "1+N" data in bulk — provincial base evaluations (the
//! province) and indicator records (the province and publishers), as NDJSON
//! (`application/x-ndjson`) or CSV (`text/csv`). The answer reports the
//! rows accepted and each row refused, with its line and reason.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use scorehost_registry::data::{Format, ImportReport};

use super::Service;
use super::auth::Caller;
use super::error::{ApiError, ErrorBody};

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
    caller.require(super::auth::Need::Province, "import base evaluations")?;
    let (text, format) = read(&headers, body).await?;
    Ok(Json(
        service
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
    let (text, format) = read(&headers, body).await?;
    service
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
