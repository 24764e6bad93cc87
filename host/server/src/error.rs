//! Errors on the wire: `{ "error": { "code", "message" } }` with one status
//! for each kind — never a 500 for bad input.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

use scorehost_engine::Error;
use scorehost_engine::scoring::Failed;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// A stable machine-readable code (`bad_request`, `forbidden`, …).
    pub code: &'static str,
    /// One clear sentence.
    pub message: String,
    /// The failed evaluation's audit record, when it has one.
    pub evaluation_id: Option<String>,
    /// `Retry-After`, in seconds: set for a throttled client (429); every
    /// 503 gets 1 s when none is set.
    pub retry_after: Option<u64>,
}

/// The JSON body of an error.
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// What went wrong.
#[derive(Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code: `bad_request`, `unauthorized`, `forbidden`,
    /// `consent_required`, `not_found`, `conflict`, `too_large`,
    /// `unsupported_media_type`, `model_rejected`, `module_refused`,
    /// `plugin_fault`, `no_pinned_version`, `overloaded`, `unavailable`,
    /// `not_checkpointed` (503 with `Retry-After`: the record's checkpoint
    /// is signed within a second),
    /// `too_many_failures`, `integrity`, `storage`, `internal`.
    pub code: String,
    /// One clear sentence.
    pub message: String,
    /// For a failed evaluation: its audit record (it was recorded).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evaluation_id: Option<String>,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            evaluation_id: None,
            retry_after: None,
        }
    }

    /// 400 `bad_request`.
    pub fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 403 `forbidden`.
    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 429 `limit_reached`, with `Retry-After: retry_after` seconds: one of
    /// the caller's own limits (requests or uploads in flight, stored batch
    /// runs, an analysis already waiting).
    pub fn limit_reached(message: impl Into<String>, retry_after: u64) -> ApiError {
        let mut e = ApiError::new(StatusCode::TOO_MANY_REQUESTS, "limit_reached", message);
        e.retry_after = Some(retry_after);
        e
    }

    /// 503 `overloaded`, with `Retry-After`.
    pub fn overloaded(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::SERVICE_UNAVAILABLE, "overloaded", message)
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> ApiError {
        // The one table of statuses: scorehost_engine::error::KINDS.
        let status =
            StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError {
            status,
            code: e.code(),
            message: e.to_string(),
            evaluation_id: None,
            retry_after: None,
        }
    }
}

impl From<scorehost_runtime::Error> for ApiError {
    fn from(e: scorehost_runtime::Error) -> ApiError {
        ApiError::from(Error::from(e))
    }
}

impl From<scorehost_registry::Error> for ApiError {
    fn from(e: scorehost_registry::Error) -> ApiError {
        ApiError::from(Error::from(e))
    }
}

impl From<Failed> for ApiError {
    fn from(f: Failed) -> ApiError {
        let mut e = ApiError::from(f.error);
        e.evaluation_id = f.evaluation_id;
        e
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if self.status.is_server_error() && self.status != StatusCode::SERVICE_UNAVAILABLE {
            tracing::error!(code = self.code, message = %self.message, "request failed");
        }
        let retry_after = self
            .retry_after
            .or((self.status == StatusCode::SERVICE_UNAVAILABLE).then_some(1));
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                evaluation_id: self.evaluation_id,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}
