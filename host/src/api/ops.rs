//! `/healthz` and `/metrics`: for load balancers and Prometheus, without a
//! token (they reveal no personal data).

use std::sync::Arc;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use super::Service;

/// Alive, and the database answers.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "ok"), (status = 503, description = "The database does not answer")))]
pub async fn healthz(State(service): State<Arc<Service>>) -> impl IntoResponse {
    match service.catalog.registry().pins().await {
        Ok(_) => (axum::http::StatusCode::OK, "ok\n"),
        Err(_) => (
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "the database does not answer\n",
        ),
    }
}

/// Prometheus text: evaluations by model and outcome, latency, fuel,
/// group-commit batch sizes, the writer's queue, requests in flight.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format", content_type = "text/plain")))]
pub async fn metrics(State(service): State<Arc<Service>>) -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        service.metrics.render(&service.writer, service.in_flight()) + &service.shadows.render(),
    )
}
