//! `POST /v1/plugins/{namespace}/{name}/versions/{version}/impact`: the
//! impact of a candidate version on the pinned version's recorded
//! evaluations (see [`crate::impact`]), for the province, auditors and the
//! model's own publisher.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Request, State};
use scorehost_registry::VersionRef;

use super::Service;
use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use super::scores::JsonBody;
use crate::impact::{Impact, ImpactRequest};
use crate::scoring::Recorder;

/// One analysis at a time per server: each takes one core for up to a few
/// seconds; a second one waiting would only hold a request slot.
fn running() -> &'static tokio::sync::Semaphore {
    static RUNNING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
    &RUNNING
}

/// Replay the pinned version's recorded inputs (the latest evaluation of
/// each of the last `last` subjects, default 1000, at most 100,000; or
/// those recorded from `from` to `to`, dates inclusive) through the
/// candidate, and report the grade-migration matrix, the score
/// distributions before and after, the `top` movers with their
/// contribution differences, new failures and declaration differences.
/// Nothing is recorded as an evaluation; the analysis itself is one
/// record in the audit log (its id and the report's SHA-256 are in the
/// answer).
#[utoipa::path(post, path = "/v1/plugins/{namespace}/{name}/versions/{version}/impact", tag = "plugins",
    params(("namespace" = String, Path), ("name" = String, Path), ("version" = String, Path)),
    request_body = ImpactRequest,
    responses(
        (status = 200, description = "The impact report, with report_sha256 and the record_id of the analysis"),
        (status = 400, description = "A bad selection: last beyond 1..=100000, top beyond 1000, a malformed date, from after to", body = ErrorBody),
        (status = 403, description = "Only the province, auditors and the publisher of the namespace", body = ErrorBody),
        (status = 404, description = "No such version, or the model has no pinned version", body = ErrorBody),
        (status = 503, description = "Another analysis is running on this server", body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn impact(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path((namespace, name, version)): Path<(String, String, String)>,
    body: Request,
) -> Result<Json<Impact>, ApiError> {
    let r: VersionRef = format!("{namespace}/{name}@{version}").parse()?;
    // The role first: a caller who may not hears so whatever it sent.
    if let Err(e) = crate::impact::may_analyse(&caller.actor, &r.model) {
        let message = e.to_string();
        return Err(caller.deny(message.trim_start_matches("forbidden: ").to_string()));
    }
    let JsonBody(req) = JsonBody::<ImpactRequest>::from_request_body(body).await?;
    let Ok(_one) = running().try_acquire() else {
        return Err(ApiError::overloaded(
            "another impact analysis is running on this server; retry shortly",
        ));
    };
    let recorder = Recorder::Writer(&service.writer);
    let impact =
        crate::impact::analyse(&service.catalog, &caller.actor, &r, &req, &recorder).await?;
    Ok(Json(impact))
}
