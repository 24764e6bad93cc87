//! Admission: who may take what of the service's shared capacity, decided
//! before a route runs.
//!
//! In order, for every request:
//!
//! 1. **The body's size, before a byte of it is read.** A declared
//!    `Content-Length` above the route's limit ([`body_limit`]) is answered
//!    413 at once; the body is never polled, so a client that sent
//!    `Expect: 100-continue` is never told to go on.
//! 2. **Whose request.** A valid bearer token counts as its actor (all of
//!    an app's tokens together); anything else as its client address. One
//!    caller has at most [`MAX_IN_FLIGHT_PER_CALLER`] requests in the
//!    service at once — reading their bodies included; more are answered
//!    429 `limit_reached` with `Retry-After` at once.
//! 3. **A small body of a caller with a valid token is read whole, within
//!    [`BODY_READ_TIMEOUT`], before a slot is taken** (without one, the
//!    route answers 401 before the body is touched): a client that sends its JSON a byte at a time holds
//!    one of its own [`MAX_IN_FLIGHT_PER_CALLER`], never one of the
//!    service's [`super::MAX_IN_FLIGHT`] slots, and is cut off (408) when
//!    the time is up. An upload (module, import, batch) is streamed to its
//!    route, each chunk within [`BODY_IDLE_TIMEOUT`] of the last, and one
//!    caller sends at most [`MAX_UPLOADS_PER_CALLER`] at once.
//! 4. **One of the service's slots** ([`super::MAX_IN_FLIGHT`]); none free:
//!    503 `overloaded` with `Retry-After`. The request then has
//!    [`super::REQUEST_TIMEOUT`] to be answered.
//!
//! The token found in step 2 is handed to the route ([`crate::auth::Admitted`]), so it
//! is looked up once.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse as _, Response};

use scorehost_engine::stages::{self, Stage};

use super::error::ApiError;
use super::{MAX_IN_FLIGHT, REQUEST_TIMEOUT, Service};

/// Requests one caller (an actor, or a client address without a valid
/// token) may have in the service at once. 256, a quarter of
/// [`MAX_IN_FLIGHT`]: an app's scoring takes a few milliseconds, so 256 in
/// flight carry tens of thousands of scorings a second, more than any one
/// app sends; and four callers would have to hold their whole share at
/// once to fill the service.
pub const MAX_IN_FLIGHT_PER_CALLER: usize = 256;

/// Uploads (a module, an import, a batch) one caller may be sending at
/// once: 2. Each may be tens or hundreds of MiB, buffered or written as it
/// arrives; two let a publisher upload a module while an import runs.
pub const MAX_UPLOADS_PER_CALLER: usize = 2;

/// How long a small (JSON) body may take to arrive, whole. 10 s: 64 KiB at
/// 64 kbit/s takes 8 s; a real scoring request (1 KB) arrives with its
/// headers.
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(10);

/// How long an upload may go without sending a byte. 10 s: a stalled
/// network; a client sending one byte every few seconds is cut off by
/// [`super::REQUEST_TIMEOUT`] instead.
pub const BODY_IDLE_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest body `method path` takes: uploads have their own limits,
/// every other route [`super::MAX_JSON_BODY`].
pub fn body_limit(method: &Method, path: &str) -> usize {
    if method != Method::POST {
        return super::MAX_JSON_BODY;
    }
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match segments.as_slice() {
        ["", "v1", "batches"] => super::batches::MAX_BATCH_BODY,
        ["", "v1", "data", "bases" | "indicators"] => super::data::MAX_IMPORT_BODY,
        ["", "v1", "plugins", _, _, "versions", _] => super::MAX_MODULE_BODY,
        _ => super::MAX_JSON_BODY,
    }
}

/// How many places each key (a caller) holds, each key at most a given
/// number: requests and uploads in flight per caller here, a caller's one
/// batch start ([`super::batches::storage`]) and its one impact analysis
/// ([`super::impact`]). A place is given back when its [`Held`] is
/// dropped, and a key with none is forgotten, so the table holds only the
/// callers using it now.
#[derive(Clone, Default)]
pub struct PerKey(Arc<Mutex<HashMap<String, usize>>>);

/// A place taken in a [`PerKey`]; given back when dropped.
pub struct Held {
    table: PerKey,
    key: String,
}

impl PerKey {
    /// A place for `key` if it holds fewer than `max`.
    pub fn try_take(&self, key: &str, max: usize) -> Option<Held> {
        let mut table = self.0.lock().expect("per-key table");
        if table.get(key).copied().unwrap_or(0) >= max {
            return None;
        }
        *table.entry(key.to_string()).or_insert(0) += 1;
        Some(Held {
            table: self.clone(),
            key: key.to_string(),
        })
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let mut table = self.table.0.lock().expect("per-key table");
        if let Some(n) = table.get_mut(&self.key) {
            *n -= 1;
            if *n == 0 {
                table.remove(&self.key);
            }
        }
    }
}

/// Whom a request counts against: its token's actor if the token is valid
/// (and its client is not being slowed down for bad tokens), else its
/// client address (an IPv6 client by its /64).
async fn whose(
    service: &Service,
    secret: Option<String>,
    client: Option<IpAddr>,
) -> (String, Option<scorehost_registry::Token>) {
    let client = client.map(super::auth::Throttle::client_key);
    let throttled = client.is_some_and(|ip| service.failures.check(ip, Instant::now()).is_err());
    if let Some(secret) = secret.filter(|_| !throttled)
        && let Ok(token) = service.engine.authenticate(&secret).await
    {
        return (format!("actor {}", token.role), Some(token));
    }
    let client = client.unwrap_or(IpAddr::from([0, 0, 0, 0]));
    (format!("client {client}"), None)
}

/// The declared `Content-Length`, if any.
fn declared_length(req: &Request) -> Option<u64> {
    req.headers()
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

fn too_large(limit: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!("this route takes a body of at most {limit} bytes"),
    )
}

/// The middleware: steps 1–4 of the module docs, then the route.
pub async fn admit(State(service): State<Arc<Service>>, req: Request, next: Next) -> Response {
    match super::metrics::timed_route(req.method(), req.uri().path()) {
        Some(route) => {
            let open = super::timing::Open::start(route);
            let clock = open.clock();
            let response = stages::timed(clock, admit_and_run(service.clone(), req, next)).await;
            open.finish(service, response)
        }
        None => admit_and_run(service, req, next).await,
    }
}

/// [`admit`] itself, its stages counted in the request's clock if it has
/// one ([`stages`]).
async fn admit_and_run(service: Arc<Service>, req: Request, next: Next) -> Response {
    use tracing::Instrument as _;
    let admitting = Instant::now();
    let limit = body_limit(req.method(), req.uri().path());
    if declared_length(&req).is_some_and(|n| n > limit as u64) {
        return too_large(limit).into_response();
    }
    let client = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip());
    let secret = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(super::auth::bearer_secret)
        .map(str::to_string);
    let authenticating = Instant::now();
    let (key, token) = whose(&service, secret, client).await;
    let auth = authenticating.elapsed();
    stages::add(Stage::Auth, auth);
    let upload = limit > super::MAX_JSON_BODY;
    let _upload_place = match upload {
        true => match service.uploads.try_take(&key, MAX_UPLOADS_PER_CALLER) {
            Some(place) => Some(place),
            None => {
                return ApiError::limit_reached(
                    format!(
                        "you are already sending {MAX_UPLOADS_PER_CALLER} uploads; wait for their answers"
                    ),
                    1,
                )
                .into_response();
            }
        },
        false => None,
    };
    let Some(_place) = service.in_flight.try_take(&key, MAX_IN_FLIGHT_PER_CALLER) else {
        return ApiError::limit_reached(
            format!(
                "you already have {MAX_IN_FLIGHT_PER_CALLER} requests in flight; wait for their answers"
            ),
            1,
        )
        .into_response();
    };
    let (mut parts, body) = req.into_parts();
    // A body is read here only for a caller with a valid token: anything
    // else is refused by its route (401) before the body is touched.
    let read_now = !upload && token.is_some();
    if let Some(token) = token {
        parts.extensions.insert(super::auth::Admitted(token));
    }
    let body = if read_now {
        match tokio::time::timeout(BODY_READ_TIMEOUT, read_small(body, limit)).await {
            Ok(Ok(bytes)) => Body::from(bytes),
            Ok(Err(e)) => return e.into_response(),
            Err(_) => {
                return ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    "body_timeout",
                    format!(
                        "the body did not arrive within {} s",
                        BODY_READ_TIMEOUT.as_secs()
                    ),
                )
                .into_response();
            }
        }
    } else {
        idle_limited(body)
    };
    let req = Request::from_parts(parts, body);
    let Ok(_slot) = service.slots.clone().try_acquire_owned() else {
        service.metrics.rejected_overloaded();
        return ApiError::overloaded(format!(
            "{MAX_IN_FLIGHT} requests are in flight; retry shortly"
        ))
        .into_response();
    };
    stages::add(Stage::Admission, admitting.elapsed().saturating_sub(auth));
    let span = tracing::info_span!("request", method = %req.method(), path = %req.uri().path());
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req).instrument(span)).await {
        Ok(response) => response,
        Err(_) => ApiError::overloaded(format!(
            "the request took longer than {} s",
            REQUEST_TIMEOUT.as_secs()
        ))
        .into_response(),
    }
}

/// A small body, whole: 413 past `limit` (a body sent without a
/// `Content-Length`), 400 if the client stops sending midway.
async fn read_small(body: Body, limit: usize) -> Result<bytes::Bytes, ApiError> {
    use futures_util::StreamExt as _;
    let mut stream = body.into_data_stream();
    let mut buf = bytes::BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request(format!("the body could not be read: {e}")))?;
        if buf.len() + chunk.len() > limit {
            return Err(too_large(limit));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// `body`, failing if a chunk takes longer than [`BODY_IDLE_TIMEOUT`] to
/// arrive.
fn idle_limited(body: Body) -> Body {
    use futures_util::StreamExt as _;
    let stream = futures_util::stream::unfold(Some(body.into_data_stream()), |state| async move {
        let mut stream = state?;
        match tokio::time::timeout(BODY_IDLE_TIMEOUT, stream.next()).await {
            Ok(Some(Ok(chunk))) => Some((Ok(chunk), Some(stream))),
            Ok(Some(Err(e))) => Some((Err(axum::BoxError::from(e)), None)),
            Ok(None) => None,
            Err(_) => Some((
                Err(axum::BoxError::from(format!(
                    "no part of the body arrived for {} s",
                    BODY_IDLE_TIMEOUT.as_secs()
                ))),
                None,
            )),
        }
    });
    Body::from_stream(stream)
}
