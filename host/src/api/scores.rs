//! `POST /v1/scores`: score a subject with a pinned model, recorded.

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use scorehost_registry::{ModelName, Role};

use super::Service;
use super::auth::Caller;
use super::error::{ApiError, ErrorBody};
use crate::scoring::{Fairness, Recorder, score_fairly, score_recorded};
use crate::wire::{EvaluationResponse, ScoreRequest};

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
        match Json::<T>::from_request(req, state).await {
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
                        super::MAX_JSON_BODY
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
    request_body(content = serde_json::Value, description = "A scoring request (the wire format: `host/src/wire.rs`), with \"model\": \"namespace/name\"; or only the model, the subject's id (and as_of, which must be today) to score from the store"),
    responses(
        (status = 200, description = "The evaluation: score, grade, contributions, reasons, fuel, evaluation_id, data_from (store or caller)"),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, description = "The model rejected the request, or the plugin faulted", body = ErrorBody),
        (status = 503, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn score(
    State(service): State<Arc<Service>>,
    caller: Caller,
    body: Request,
) -> Result<Json<EvaluationResponse>, ApiError> {
    let started = Instant::now();
    // The role first: a caller who may not score hears so whatever it sent.
    if !matches!(caller.actor.role, Role::App(_)) {
        return Err(caller.deny(format!(
            "{} may not score: only apps score, with the models they are granted",
            caller.actor
        )));
    }
    let JsonBody(raw) = JsonBody::<serde_json::Value>::from_request_body(body).await?;
    let Some(name) = raw
        .get("model")
        .and_then(|m| m.as_str())
        .map(str::to_string)
    else {
        return Err(ApiError::bad_request(
            "say which model scores: \"model\": \"namespace/name\"",
        ));
    };
    let name = name.as_str();
    let model_name: ModelName = name.parse()?;
    if !caller.token.may_score(&model_name) {
        return Err(caller.deny(format!(
            "{} is not granted {model_name} (its token lists: {})",
            caller.actor,
            caller.token.models.join(", ")
        )));
    }
    let model = service.pinned_model(&model_name).await?;
    // A request that names only its subject is completed from the 1+N data.
    // Consent is decided before anything of the subject is read
    // (crate::consent): a person without it, and for a stored request an
    // unknown subject, get the same answer.
    let request: ScoreRequest = if raw.get("base").is_none() {
        complete_from_store(&service, &caller, raw, &model, &model_name).await?
    } else {
        let request: ScoreRequest = serde_json::from_value(raw)
            .map_err(|e| ApiError::bad_request(format!("the JSON does not fit: {e}")))?;
        if crate::wire::claims_host_fields(&request) {
            return Err(crate::wire::refuse_claimed_withheld("").into());
        }
        if let Role::App(app) = &caller.actor.role {
            let checked = crate::consent::admit_inline(
                service.catalog.registry(),
                app,
                model.info(),
                &request.subject.id,
                &request.subject.kind,
            )
            .await;
            admitted(&caller, checked)?;
        }
        request
    };
    // Shadow mode: the model's shadow version, if any, gets the same
    // request once this answer's record is durable (crate::shadow).
    let shadow = service
        .shadows
        .prepare(&service.catalog, &model_name, &request)
        .await;
    // Off the async workers, within the model's share of the cores.
    let recorder = Recorder::Writer(&service.writer);
    let result = match fairness() {
        Some(lanes) => score_fairly(lanes, model, request, &caller.name(), &recorder).await,
        None => score_recorded(&model, &request, &caller.name(), &recorder).await,
    };
    service.metrics.evaluated(name, &result, started.elapsed());
    if let Some(pending) = shadow {
        crate::shadow::spawn(&service, pending, caller.name(), &result);
    }
    Ok(Json(result?))
}

/// The answer to an app's admission check ([`crate::consent`]): a refusal
/// is logged (a `warn` naming the caller and its token) and answered.
pub(crate) fn admitted(caller: &Caller, checked: Result<(), crate::Error>) -> Result<(), ApiError> {
    checked.map_err(|e| {
        let e = ApiError::from(e);
        tracing::warn!(caller = %caller.actor, token = %caller.token.id, "denied: {}", e.message);
        e
    })
}

/// Admit an app's request for stored subject `id` with `model`
/// ([`crate::consent::admit_stored`]), before anything of the subject is
/// read; the province, which may decide and batch, needs no consent.
/// Shared by `POST /v1/scores` and `POST /v1/decisions`.
pub(crate) async fn admit_stored(
    service: &Service,
    caller: &Caller,
    model: &ModelName,
    id: &str,
) -> Result<(), ApiError> {
    let Role::App(app) = &caller.actor.role else {
        return Ok(());
    };
    let checked = crate::consent::admit_stored(service.catalog.registry(), app, model, id).await;
    admitted(caller, checked)
}

/// The process's evaluation lanes ([`Fairness`]): the cores are shared
/// between models however many services a process runs.
/// `SCOREHOST_FAIRNESS=0` turns them off — evaluations then run inline on
/// the async workers, as they did before — only so that
/// `cargo bench --bench fairness` can measure what the lanes change.
pub(crate) fn fairness() -> Option<&'static Fairness> {
    static FAIRNESS: std::sync::OnceLock<Option<Fairness>> = std::sync::OnceLock::new();
    FAIRNESS
        .get_or_init(|| {
            (std::env::var("SCOREHOST_FAIRNESS").as_deref() != Ok("0")).then(Fairness::default)
        })
        .as_ref()
}

/// Fill in a request that names only its subject (and perhaps `as_of`):
/// the subject's kind and base evaluation, and every stored indicator record
/// of the indicators `model` declares ([`crate::store::request`]). The audit
/// record then holds exactly this completed request.
async fn complete_from_store(
    service: &Service,
    caller: &Caller,
    raw: serde_json::Value,
    model: &crate::Model,
    model_name: &ModelName,
) -> Result<ScoreRequest, ApiError> {
    let Some(id) = raw.pointer("/subject/id").and_then(|v| v.as_str()) else {
        return Err(ApiError::bad_request(
            "give the subject (\"subject\": {\"id\": …}) and either the inputs or nothing else",
        ));
    };
    if raw.get("indicators").is_some() {
        return Err(ApiError::bad_request(
            "inline indicators need an inline base too; or send neither, to use the stored data",
        ));
    }
    if let Some(other) = raw.as_object().and_then(|o| {
        o.keys()
            .find(|k| !["model", "subject", "as_of"].contains(&k.as_str()))
    }) {
        return Err(ApiError::bad_request(format!(
            "unknown field `{other}` (a request from the stored data has model, subject and as_of)"
        )));
    }
    let as_of = match raw.get("as_of") {
        Some(v) => Some(
            v.as_str()
                .ok_or_else(|| ApiError::bad_request("as_of is a date, YYYY-MM-DD"))?,
        ),
        None => None,
    };
    // An app evaluates stored subjects as of today (crate::store::app_as_of).
    let as_of = crate::store::app_as_of(as_of)?;
    admit_stored(service, caller, model_name, id).await?;
    let mut request = stored_request(service, model, id, Some(&as_of)).await?;
    request.model = raw["model"].as_str().map(str::to_string);
    Ok(request)
}

/// The request of stored subject `id` for `model`, evaluated as of `as_of`
/// (default: today), from the 1+N store ([`crate::store::request`]); 404
/// when no base evaluation of the subject is stored. Shared by
/// `POST /v1/scores` with only a subject and `POST /v1/decisions`.
pub(crate) async fn stored_request(
    service: &Service,
    model: &crate::Model,
    id: &str,
    as_of: Option<&str>,
) -> Result<ScoreRequest, ApiError> {
    let as_of = as_of.map_or_else(crate::store::today, str::to_string);
    let Some(request) =
        crate::store::request(service.catalog.registry(), model.info(), id, &as_of).await?
    else {
        return Err(ApiError::from(scorehost_registry::Error::NotFound(
            format!(
                "no base evaluation of subject {id} is stored: import it, or send the inputs inline"
            ),
        )));
    };
    Ok(request)
}
