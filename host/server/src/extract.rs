//! What handlers take from a request besides their caller
//! ([`crate::auth::Caller`]): a JSON body answered in the API's error
//! format ([`JsonBody`]), and a refused body read and thrown away
//! ([`discard_body`]).

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;

use crate::error::ApiError;
use crate::{REFUSED_BODY_DRAIN_MAX, REFUSED_BODY_LINGER};

/// A JSON body whose rejections are answered in the API's error format:
/// 415 without `application/json`, 413 beyond the size limit, 400 for bad
/// syntax or wrong types (naming where).
pub struct JsonBody<T>(pub T);

impl<T: serde::de::DeserializeOwned> JsonBody<T> {
    /// Parse a request's body, after the route has checked its caller (so
    /// that a caller who may not call hears so whatever it sent).
    pub async fn from_request_body(req: Request) -> Result<JsonBody<T>, ApiError> {
        JsonBody::from_request(req, &()).await
    }
}

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<JsonBody<T>, ApiError> {
        // Counted in the request's `parse` stage (`scorehost_stage_seconds`).
        let parsed = scorehost_engine::stages::measure(
            scorehost_engine::stages::Stage::Parse,
            Json::<T>::from_request(req, state),
        );
        match parsed.await {
            Ok(Json(v)) => Ok(JsonBody(v)),
            Err(rejection) => Err(match rejection {
                JsonRejection::MissingJsonContentType(_) => ApiError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "the body must be JSON, sent as Content-Type: application/json",
                ),
                JsonRejection::BytesRejection(e) => ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "too_large",
                    format!(
                        "the body is larger than {} bytes, or could not be read: {e}",
                        crate::MAX_JSON_BODY
                    ),
                ),
                JsonRejection::JsonDataError(e) => {
                    ApiError::bad_request(format!("the JSON does not fit: {}", e.body_text()))
                }
                JsonRejection::JsonSyntaxError(e) => {
                    ApiError::bad_request(format!("the body is not valid JSON: {}", e.body_text()))
                }
                other => ApiError::bad_request(other.body_text()),
            }),
        }
    }
}

/// Read and throw away what arrives of a refused request's body, for at
/// most [`REFUSED_BODY_LINGER`], if its `Content-Length` is at most
/// [`REFUSED_BODY_DRAIN_MAX`] (a body of unknown length is not read), so
/// that its client can read the refusal. Keeps nothing.
pub async fn discard_body(headers: &axum::http::HeaderMap, body: axum::body::Body) {
    use futures_util::StreamExt as _;
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_none_or(|n| n > REFUSED_BODY_DRAIN_MAX) {
        return;
    }
    let mut stream = body.into_data_stream();
    let _ = tokio::time::timeout(REFUSED_BODY_LINGER, async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
}
