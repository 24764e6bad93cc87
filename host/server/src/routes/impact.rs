//! `POST /v1/plugins/{namespace}/{name}/versions/{version}/impact`: the
//! impact of a candidate version on the pinned version's recorded
//! evaluations (see [`scorehost_engine::impact`]), for the province, auditors and the
//! model's own publisher.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Request, State};
use scorehost_registry::VersionRef;

use crate::Service;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;
use scorehost_engine::impact::{Impact, ImpactRequest};
use scorehost_engine::scoring::Recorder;

/// One analysis runs at a time per server: each takes one core for up to a
/// few seconds. Callers take turns (the queue is first come, first served)
/// and each caller has at most one analysis running or waiting, so that
/// no caller — an auditor, a publisher — can keep another's out: the
/// province's analysis waits behind at most one of each other caller's.
fn running() -> &'static tokio::sync::Semaphore {
    static RUNNING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(1);
    &RUNNING
}

/// The callers with an analysis running or waiting: one each.
fn callers() -> &'static crate::admission::PerKey {
    static CALLERS: std::sync::OnceLock<crate::admission::PerKey> = std::sync::OnceLock::new();
    CALLERS.get_or_init(Default::default)
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
        (status = 404, description = "No such version, or the model has no pinned version", body = ErrorBody)
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
    if let Err(e) = scorehost_engine::impact::may_analyse(&caller.actor, &r.model) {
        let message = e.to_string();
        return Err(caller.deny(message.trim_start_matches("forbidden: ").to_string()));
    }
    let JsonBody(req) = JsonBody::<ImpactRequest>::from_request_body(body).await?;
    let Some(_turn) = callers().try_take(&caller.name(), 1) else {
        return Err(ApiError::limit_reached(
            "you already have an impact analysis running or waiting; wait for its report",
            1,
        ));
    };
    let _one = running().acquire().await.map_err(|_| {
        ApiError::from(scorehost_engine::Error::Internal(
            "the analysis queue closed".into(),
        ))
    })?;
    let recorder = Recorder::Writer(&service.engine.writer);
    let impact = scorehost_engine::impact::analyse(
        &service.engine.catalog,
        &caller.actor,
        &r,
        &req,
        &recorder,
    )
    .await?;
    Ok(Json(impact))
}
