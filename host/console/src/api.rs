//! Calling the HTTP API in process: every read and action of the console
//! is one request through the API's router — its admission, its
//! authentication and bad-token throttle (the browser's address is passed
//! on), its role checks and its audit records. Nothing here reaches the
//! engine or the registry another way.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Method, Request, StatusCode, header};
use serde_json::Value;
use tower::ServiceExt as _;

use crate::ConsoleError;

/// The largest API answer the console reads: 32 MiB (an impact report of
/// 1,000 movers is a few MB; anything larger is refused, not buffered).
pub const MAX_ANSWER: usize = 32 << 20;

/// The HTTP API's router.
#[derive(Clone)]
pub struct Api {
    router: Router,
}

/// Who calls: the session's token and the browser's address.
#[derive(Clone)]
pub struct Who {
    /// The bearer token's secret.
    pub secret: String,
    /// The browser's address, for the API's per-client throttle.
    pub peer: Option<SocketAddr>,
}

/// An API answer: its status and JSON body (`Null` if it had none).
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The body, parsed.
    pub body: Value,
}

impl Answer {
    /// The body of a 2xx answer, or the API's refusal as an error (its
    /// status, code and message, shown to the person as they are).
    pub fn ok(self) -> Result<Value, ConsoleError> {
        if self.status.is_success() {
            return Ok(self.body);
        }
        Err(ConsoleError::Api {
            status: self.status,
            code: self.body["error"]["code"]
                .as_str()
                .or(self.body["code"].as_str())
                .unwrap_or("error")
                .to_string(),
            message: self.body["error"]["message"]
                .as_str()
                .or(self.body["message"].as_str())
                .unwrap_or("the API refused")
                .to_string(),
        })
    }
}

impl Api {
    /// Wrap the API's router.
    pub fn new(router: Router) -> Api {
        Api { router }
    }

    /// One request: `method path` (with its query) as `who`, with a JSON
    /// body if given. Costs what the route costs, plus one JSON encode and
    /// decode; no network.
    pub async fn call(
        &self,
        who: &Who,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, ConsoleError> {
        let body = match body {
            Some(v) => Some((
                "application/json",
                axum::body::Bytes::from(
                    serde_json::to_vec(v).map_err(|e| ConsoleError::Internal(e.to_string()))?,
                ),
            )),
            None => None,
        };
        self.send(who, method, path, body).await
    }

    /// One request with a body of any type (a module's bytes, as
    /// `application/wasm`); its `Content-Length` is set, so the API's
    /// admission judges its size before reading it.
    pub async fn send(
        &self,
        who: &Who,
        method: Method,
        path: &str,
        body: Option<(&str, axum::body::Bytes)>,
    ) -> Result<Answer, ConsoleError> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {}", who.secret));
        let body = match body {
            Some((content_type, bytes)) => {
                req = req
                    .header(header::CONTENT_TYPE, content_type)
                    .header(header::CONTENT_LENGTH, bytes.len());
                Body::from(bytes)
            }
            None => Body::empty(),
        };
        let mut req = req
            .body(body)
            .map_err(|e| ConsoleError::Internal(e.to_string()))?;
        if let Some(peer) = who.peer {
            req.extensions_mut().insert(ConnectInfo(peer));
        }
        let response = self
            .router
            .clone()
            .oneshot(req)
            .await
            .map_err(|e| ConsoleError::Internal(format!("the API did not answer: {e}")))?;
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), MAX_ANSWER)
            .await
            .map_err(|e| ConsoleError::Internal(format!("the API's answer: {e}")))?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Ok(Answer { status, body })
    }
}
