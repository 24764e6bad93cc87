//! `/healthz` and `/metrics`: for load balancers and Prometheus.
//!
//! `/healthz` needs no token: it says only that the service and its
//! database answer. `/metrics` needs the token of the province or an
//! auditor (Prometheus sends one with `authorization: credentials_file`):
//! it names every model with its traffic and outcomes, shadow candidates
//! not yet approved among them, which is not public.

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::Service;
use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};

/// Alive, and the database answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "ok"), (status = 503, description = "The database does not answer")))]
pub async fn healthz(State(service): State<Arc<Service>>) -> impl IntoResponse {
    match service.engine.catalog.registry().pins().await {
        Ok(_) => (axum::http::StatusCode::OK, "ok\n"),
        Err(_) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer\n",
        ),
    }
}

/// Prometheus text: evaluations by model and outcome, latency, fuel,
/// group-commit batch sizes, the writer's queue, requests in flight (the
/// province and auditors).
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain"),
        (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn metrics(
    State(service): State<Arc<Service>>,
    caller: Caller,
) -> Result<impl IntoResponse, ApiError> {
    caller.require(Need::Audit, "read the service's metrics")?;
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        service
            .metrics
            .render(&service.engine.writer, service.in_flight())
            + &service.engine.shadows.render(),
    ))
}
