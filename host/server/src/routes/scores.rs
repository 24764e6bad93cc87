//! `POST /v1/scores`: score a subject with a pinned model, recorded.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Request, State};
use scorehost_registry::Role;
use scorehost_runtime::wire::EvaluationResponse;

use crate::Service;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;

/// The body of `POST /v1/scores`, as the OpenAPI document describes it
/// (the route reads it as JSON and the engine decides which form it is:
/// inline inputs if `base` is present, the stored subject otherwise).
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // read as JSON by the engine; this type documents it
pub struct ScoringBody {
    /// `namespace/name` of a model the caller's token is granted.
    pub model: String,
    /// Who is scored. From the store: only `id`. Inline: `id` and `kind`.
    pub subject: ScoringSubject,
    /// The evaluation date, YYYY-MM-DD: from the store, today (the
    /// default); inline, the caller's date.
    #[serde(default)]
    pub as_of: Option<String>,
    /// Inline only: the provincial base evaluation (the "1").
    #[serde(default)]
    pub base: Option<scorehost_runtime::wire::WireBase>,
    /// Inline only: the N indicators.
    #[serde(default)]
    pub indicators: Option<Vec<scorehost_runtime::wire::WireIndicator>>,
}

/// The subject of a scoring request.
#[derive(serde::Deserialize, utoipa::ToSchema)]
#[allow(dead_code)] // documents the request; see ScoringBody
pub struct ScoringSubject {
    /// The subject's identifier (unified social credit code, ID number, …).
    pub id: String,
    /// Inline requests: `enterprise`, `natural-person`,
    /// `social-organization`, `public-institution` or `government-agency`.
    #[serde(default)]
    pub kind: Option<String>,
}

/// Score a subject. The caller must be an app granted the model; the
/// answer is the white box with its `evaluation_id`, given only once the
/// evaluation's record is durable. A failure of the model or of the
/// request is recorded too, and its error names its `evaluation_id`.
///
/// A request with only a subject is completed from the 1+N store, as of
/// today (an app may not choose another date: 403); a request with its
/// inputs inline is the caller's own statement, and its record and answer
/// say so (`data_from: "caller"`): it is never the official evaluation.
#[utoipa::path(post, path = "/v1/scores", tag = "scores",
    request_body(content = ScoringBody, description = "A scoring request, naming its model: with the inputs inline (`base`, `indicators`: the caller's own statement), or only the subject's id (and `as_of`, which must be today) to score the subject's data in the 1+N store (examples: `examples/requests/`)"),
    responses(
        (status = 200, description = "The evaluation: the white box (score, grade, every contribution, principal reasons, fuel), its `evaluation_id` in the log, and whose data it used (`data_from`)", body = EvaluationResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, description = "The model rejected the request, or the plugin faulted (the failure is recorded: `evaluation_id`)", body = ErrorBody),
        (status = 503, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn score(
    State(service): State<Arc<Service>>,
    caller: Caller,
    body: Request,
) -> Result<axum::response::Response, ApiError> {
    let started = Instant::now();
    // The role first: a caller who may not score hears so whatever it sent.
    if !matches!(caller.actor.role, Role::App(_)) {
        return Err(caller.deny(format!(
            "{} may not score: only apps score, with the models they are granted",
            caller.actor
        )));
    }
    let JsonBody(raw) = JsonBody::<serde_json::Value>::from_request_body(body).await?;
    let scored = service
        .engine
        .score(&caller.token, &caller.actor, raw)
        .await?;
    service
        .metrics
        .evaluated(&scored.model, &scored.result, started.elapsed());
    Ok(crate::timing::answer(Json(scored.result?)))
}
