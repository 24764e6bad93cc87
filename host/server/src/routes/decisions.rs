//! `POST /v1/decisions`: is this subject eligible for a benefit scenario?
//!
//! An app granted the scenario (it needs no grant of the scenario's model:
//! that is the point of scenarios) names the scenario and the subject; the
//! subject is completed from the 1+N store exactly as `POST /v1/scores`
//! with only a subject is, a natural person's consent for the app and the
//! scenario's model is required as for a score, and the pinned model
//! evaluates through the same recorded path. The evaluation's record in
//! the audit log carries the decision ([`scorehost_engine::decide`]).

use std::sync::Arc;
use std::time::Instant;

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use scorehost_registry::{ModelName, Role};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::Service;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::JsonBody;
use scorehost_engine::decide::{self, DecisionResponse, NotLive};

/// A decision to make.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({ "scenario": "hangzhou-transit-credit-pay", "subject": { "id": "330106199001011234" } }))]
pub struct DecisionBody {
    /// The scenario's name, e.g. `hangzhou-transit-credit-pay`.
    pub scenario: String,
    /// The subject, by id: its data come from the 1+N store.
    pub subject: DecisionSubject,
    /// The evaluation date, YYYY-MM-DD: today, the server's date (UTC), if
    /// given at all. An app's decisions are made as of today; another date
    /// is refused (403).
    #[serde(default)]
    pub as_of: Option<String>,
}

/// The subject of a decision.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionSubject {
    /// The subject's identifier, as its data were imported.
    pub id: String,
}

/// The answer for a scenario that decides nothing: 404 for an unknown
/// name, 410 `gone` for a retired one.
pub fn not_live(e: NotLive) -> ApiError {
    match e {
        NotLive::Unknown(m) => ApiError::new(StatusCode::NOT_FOUND, "not_found", m),
        NotLive::Retired(m) => ApiError::new(StatusCode::GONE, "gone", m),
    }
}

/// Decide whether a subject is eligible for a benefit scenario. The caller
/// must be an app granted the scenario. The answer — `eligible`, the rule,
/// the principal reasons (the rule's outcome first) and the full white box
/// of the evaluation behind it — is given once the evaluation's record,
/// which carries the decision, is durable. A refusal or fault of the model
/// is the same 422 as for `POST /v1/scores`, with its `evaluation_id`.
#[utoipa::path(post, path = "/v1/decisions", tag = "scenarios",
    request_body = DecisionBody,
    responses(
        (status = 200, description = "The decision: scenario, eligible, rule, evaluation_id, score, grade, reasons, evaluation (the white box, to an app also granted the model)", body = DecisionResponse),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "Not an app, not granted the scenario, a natural person's consent is missing, or as_of is not today", body = ErrorBody),
        (status = 404, description = "No such scenario, no pinned version of its model, or no stored data of the subject", body = ErrorBody),
        (status = 409, description = "The scenario's rule no longer fits the model's pinned version", body = ErrorBody),
        (status = 410, description = "The scenario was retired", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, description = "The model rejected the request, or the plugin faulted", body = ErrorBody),
        (status = 503, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn decide(
    State(service): State<Arc<Service>>,
    caller: Caller,
    body: Request,
) -> Result<Json<DecisionResponse>, ApiError> {
    let started = Instant::now();
    if !matches!(caller.actor.role, Role::App(_)) {
        return Err(caller.deny(format!(
            "{} may not ask for decisions: only apps do, for the scenarios they are granted",
            caller.actor
        )));
    }
    let JsonBody(b) = JsonBody::<DecisionBody>::from_request_body(body).await?;
    let registry = service.engine.catalog.registry();
    let scenario =
        decide::live(&b.scenario, registry.scenario(&b.scenario).await?).map_err(not_live)?;
    if !caller.token.may_decide(&scenario.name) {
        return Err(caller.deny(format!(
            "{} is not granted scenario {} (its token grants scenarios: {}; models: {})",
            caller.actor,
            scenario.name,
            none_if_empty(&caller.token.scenarios),
            none_if_empty(&caller.token.models)
        )));
    }
    if let Some(name) = scorehost_registry::decided_by_composite(&scenario.model) {
        return by_composite(&service, &caller, &scenario, name, &b.subject.id, b.as_of).await;
    }
    let model_name: ModelName = scenario.model.parse()?;
    let engine = &service.engine;
    let model = engine.pinned_model(&model_name).await?;
    decide::check_fits(&scenario, model.info())?;
    let as_of = scorehost_engine::completion::app_as_of(b.as_of.as_deref())?;
    let request = engine
        .stored_request(
            &caller.token,
            &caller.actor,
            &model_name,
            &model,
            &b.subject.id,
            Some(&as_of),
        )
        .await?;
    // Records withheld by this app's own disputes make its decision
    // provisional: a filer's dispute never makes its own decision better.
    let provisional = decide::own_disputes(&request.withheld, &caller.actor.to_string());
    let amend = decide::record_decision(&scenario, &provisional);
    let result = engine
        .evaluate_recorded(model, request, &caller.name(), amend)
        .await;
    service
        .metrics
        .evaluated(&scenario.model, &result, started.elapsed());
    // The white box only to an app also granted the model (minimum
    // necessary: see DecisionResponse).
    let answer = if caller.token.may_score(&model_name) {
        DecisionResponse::new(&scenario, result?, &provisional)?
    } else {
        DecisionResponse::minimal(&scenario, result?, &provisional)?
    };
    Ok(Json(answer))
}

fn none_if_empty(list: &[String]) -> String {
    if list.is_empty() {
        "none".into()
    } else {
        list.join(", ")
    }
}

/// A decision on the result of a composite (`"model": "composite/NAME"`):
/// the composite runs for the subject as `POST /v1/composites/{name}/scores`
/// runs it — consent for every model of it first, each step in its own
/// sandbox and record — and the rule is applied to the result step's
/// evaluation, whose record carries the decision (replay recomputes it).
/// The white box goes only to an app also granted the composite.
async fn by_composite(
    service: &Service,
    caller: &Caller,
    scenario: &scorehost_registry::Scenario,
    name: &str,
    subject: &str,
    as_of: Option<String>,
) -> Result<Json<DecisionResponse>, ApiError> {
    let Role::App(app) = &caller.actor.role else {
        return Err(caller.deny(format!("{} may not ask for decisions", caller.actor)));
    };
    let engine = &service.engine;
    let plan = engine.plan(name).await?;
    let Some(result) = plan.composite.definition.result.clone() else {
        return Err(ApiError::from(scorehost_registry::Error::Conflict(
            format!(
                "benefit scenario '{}' cannot decide: composite {} has no result step; the province must redefine it",
                scenario.name,
                plan.composite.reference()
            ),
        )));
    };
    let Some(step) = plan.steps.iter().find(|s| s.step.id == result) else {
        return Err(ApiError::from(scorehost_engine::Error::Internal(format!(
            "composite {} names no step {result}",
            plan.composite.reference()
        ))));
    };
    decide::check_fits(scenario, step.model.info())?;
    let as_of = scorehost_engine::completion::app_as_of(as_of.as_deref())?;
    let amend = decide::record_decision(scenario, &[]);
    let answer = engine
        .run_for_app(
            app,
            &caller.actor,
            &plan,
            subject,
            &as_of,
            Some(Box::new(amend)),
        )
        .await
        .map_err(crate::routes::composites::failed)?;
    let Some(evaluation) = answer
        .steps
        .iter()
        .find(|s| s.step == result)
        .and_then(|s| s.evaluation.clone())
    else {
        return Err(ApiError::from(scorehost_registry::Error::Conflict(
            format!(
                "composite {}'s result step '{result}' did not run for {subject}: nothing to decide on",
                plan.composite.reference()
            ),
        )));
    };
    let mut d = if caller.token.may_compose(name) {
        DecisionResponse::new(scenario, evaluation, &[])?
    } else {
        DecisionResponse::minimal(scenario, evaluation, &[])?
    };
    d.reasons.push(format!(
        "decided on the result of composite {} (its record: {})",
        plan.composite.reference(),
        answer.composite_id
    ));
    Ok(Json(d))
}
