//! Composite scores and credit reports: several pinned models evaluated for
//! one subject as one decision.
//!
//! A composite ([`scorehost_registry::composites`]) is a province-defined
//! graph of pinned models; a credit report ([`report`]) is the built-in
//! composite of every pinned model that applies to the subject. Both run
//! through [`run`]:
//!
//! 1. the graph is checked again against the pinned versions that will run
//!    (a model re-pinned since the definition may break it: 409 until the
//!    province redefines it);
//! 2. each step, in order: its request is completed from the 1+N store like
//!    any stored request; its route (`when`) decides whether it runs; the
//!    outputs of earlier steps it is fed replace those inputs; it is
//!    evaluated in a fresh sandbox of its own with its model's limits, in
//!    its model's fairness lane as any scoring is (`crate::scoring`), and
//!    its record is marked as part of this composite run; in a graph with a
//!    result, a failing step stops it (the steps after it are listed as not
//!    run, and the composite fails naming the step); in a profile or a
//!    report, a failing step is listed with its error and the others go on;
//! 3. the steps' records are appended (one group commit), then the
//!    composite's own record (`kind` `composite`), listing every step, its
//!    record's id, how each input was fed and the result;
//! 4. only then is the answer given: one white box of every step.
//!
//! Consent is the caller's to check before [`run`], for every model of the
//! composite ([`Engine::score_composite`]); replaying a composite record
//! re-runs every step with its exact module ([`crate::replay::composite`]).

pub mod record;
pub mod report;

use std::sync::Arc;

use scorehost_registry::composites::{self, Composite, Output, PinnedDeclaration};
use scorehost_registry::{Actor, ModelName, Registry, Role, Token};
use scorehost_runtime::wire::{EvaluationResponse, ScoreRequest, WireIndicator, WireSubject};
use serde::{Deserialize, Serialize};

use crate::scoring::Recorder;
use crate::{Engine, Error, Model};

/// One step as it will run: its definition and its loaded pinned model.
pub struct PlannedStep {
    /// The step's definition.
    pub step: composites::Step,
    /// The pinned model that runs it.
    pub model: Arc<Model>,
}

/// A composite ready to run: its definition and a loaded model per step,
/// and the models left out before running (a report's "not applicable",
/// "no consent"), listed in the answer and the record.
pub struct Plan {
    /// The composite (for a report, the built-in one).
    pub composite: Composite,
    /// One per step, in order.
    pub steps: Vec<PlannedStep>,
    /// Models not run and why, listed after the steps.
    pub left_out: Vec<LeftOut>,
}

impl Plan {
    /// `composite` with `models`, one per step in order (its pinned
    /// versions, loaded).
    pub fn new(composite: Composite, models: Vec<Arc<Model>>) -> Plan {
        let steps = composite
            .definition
            .steps
            .iter()
            .cloned()
            .zip(models)
            .map(|(step, model)| PlannedStep { step, model })
            .collect();
        Plan {
            composite,
            steps,
            left_out: Vec::new(),
        }
    }
}

/// A model a report leaves out before evaluating anything, and why.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LeftOut {
    /// `namespace/name@version`.
    pub model: String,
    /// Why: `not applicable: …`, `no consent: …`.
    pub why: String,
}

/// An earlier step's output fed into a step's input.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Fed {
    /// The declared input it became.
    pub input: String,
    /// The step it came from.
    pub from: String,
    /// Which output: `score`, `grade`, `model`, `contribution:NAME`.
    pub output: String,
    /// The value given, or `null` when the step it comes from did not run
    /// (the input was then read from the store, as for any stored request).
    pub value: serde_json::Value,
}

/// A step's failure.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StepError {
    /// The error's code (`model_rejected`, `plugin_fault`, …).
    pub code: String,
    /// One sentence.
    pub message: String,
}

/// One step of a composite's answer.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StepAnswer {
    /// The step's id.
    pub step: String,
    /// `namespace/name@version` of the pinned model.
    pub model: String,
    /// Whether it was evaluated.
    pub ran: bool,
    /// Why it ran or did not: its route, a failed step before it.
    pub why: String,
    /// How each fed input entered it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fed: Vec<Fed>,
    /// Its evaluation's record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_id: Option<String>,
    /// The white box, when it succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<EvaluationResponse>,
    /// The failure, when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<StepError>,
}

/// The composite's own result: its result step's score and grade.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CompositeResult {
    /// The result step.
    pub step: String,
    /// Its score, decimal points.
    pub score: f64,
    /// Its grade.
    pub grade: String,
}

/// A composite's answer: one white box of every step.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CompositeResponse {
    /// The composite's name (`report` for a credit report).
    pub composite: String,
    /// The version that ran (0 for a report).
    pub version: i64,
    /// What it is.
    pub title: String,
    /// The composite's record in the log: it lists every step's record.
    pub composite_id: String,
    /// Who was evaluated.
    pub subject: WireSubject,
    /// The evaluation date.
    pub as_of: String,
    /// The provincial base evaluation (the "1") as stored: score, grade,
    /// dimensions, lists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base: Option<scorehost_runtime::wire::WireBase>,
    /// The result step's score and grade; absent for a profile or report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<CompositeResult>,
    /// Every step, in order.
    pub steps: Vec<StepAnswer>,
    /// Models left out before anything ran, and why (reports).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub left_out: Vec<LeftOut>,
}

/// A composite that failed: before anything ran (`step` none, nothing
/// recorded), or at a step: the step's error, the step, and the
/// composite's record (the failure is recorded).
#[derive(Debug)]
pub struct CompositeFailed {
    /// The error (a step's own, its kind and so its status unchanged).
    pub error: Error,
    /// The step that failed, as "composite NAME@V: step 'ID' (MODEL)".
    pub step: Option<String>,
    /// The composite's record, when the failure was recorded.
    pub composite_id: Option<String>,
}

impl From<Error> for CompositeFailed {
    fn from(error: Error) -> CompositeFailed {
        CompositeFailed {
            error,
            step: None,
            composite_id: None,
        }
    }
}

impl From<scorehost_registry::Error> for CompositeFailed {
    fn from(error: scorehost_registry::Error) -> CompositeFailed {
        Error::from(error).into()
    }
}

impl std::fmt::Display for CompositeFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.step {
            Some(step) => write!(f, "{step} failed: {}", self.error),
            None => write!(f, "{}", self.error),
        }
    }
}

/// The pinned declaration `model` gives [`composites::check`].
pub fn declaration(model: &Model) -> PinnedDeclaration {
    let info = model.info();
    PinnedDeclaration {
        reference: format!("{}@{}", info.name, info.version),
        sha256: model.sha256().to_string(),
        describe: serde_json::to_value(scorehost_runtime::wire::WireModelInfo::from(info))
            .unwrap_or_default(),
    }
}

/// Check `plan`'s graph against the models that will run: 409 naming what
/// no longer fits.
pub fn check_plan(plan: &Plan) -> Result<composites::Checked, Error> {
    if plan.composite.name == composites::REPORT {
        // The report's steps are the pins themselves, fed by nothing:
        // nothing can break, and it has as many steps as models apply.
        let mut kinds: Option<Vec<String>> = None;
        for s in &plan.steps {
            let own: Vec<String> = s
                .model
                .info()
                .subject_kinds
                .iter()
                .map(|k| crate::contract::subject_kind_name(*k).to_string())
                .collect();
            kinds = Some(match kinds {
                None => own,
                Some(k) => k.into_iter().filter(|x| own.contains(x)).collect(),
            });
        }
        return Ok(composites::Checked {
            subject_kinds: kinds.unwrap_or_default(),
        });
    }
    let decls: Vec<(ModelName, PinnedDeclaration)> = plan
        .steps
        .iter()
        .filter_map(|s| {
            s.step
                .model
                .parse::<ModelName>()
                .ok()
                .map(|m| (m, declaration(&s.model)))
        })
        .collect();
    composites::check(&plan.composite.definition, &|m| {
        decls.iter().find(|(n, _)| n == m).map(|(_, d)| d.clone())
    })
    .map_err(|why| {
        scorehost_registry::Error::Conflict(format!(
            "composite {} no longer fits the pinned models: {why}; the province must redefine it",
            plan.composite.reference()
        ))
        .into()
    })
}

/// The value of `output` of a step's successful evaluation `e`.
fn output_value(output: &Output, e: &EvaluationResponse) -> serde_json::Value {
    match output {
        Output::Score => serde_json::json!(e.score),
        Output::Grade => e.grade.clone().into(),
        Output::Model => e.model.name.clone().into(),
        Output::Contribution(name) => {
            let points: f64 = e
                .contributions
                .iter()
                .filter(|c| &c.name == name)
                .map(|c| c.points)
                .sum();
            // Hundredths, exactly: the white box's points are decimal.
            serde_json::json!((points * 100.0).round() / 100.0)
        }
    }
}

/// Run `plan` for stored subject `id` as of `as_of`, on behalf of
/// `caller` (consent already checked), recording every step and the
/// composite with `recorder`. Costs four indexed queries (the subject, read
/// once), one sandboxed evaluation per step, one group commit for the
/// steps' records and one for the composite's.
///
/// `Err` before anything ran (no stored subject: 404; a subject of a kind
/// the composite does not score: 400; a graph that no longer fits: 409)
/// records nothing; a failing step fails the composite with its error,
/// naming the step, and its record.
pub async fn run(
    registry: &Registry,
    plan: &Plan,
    id: &str,
    as_of: &str,
    caller: &str,
    recorder: &Recorder<'_>,
) -> Result<CompositeResponse, CompositeFailed> {
    run_amended(registry, plan, id, as_of, caller, recorder, None).await
}

/// [`run`], with `amend` applied to the result step's record and outcome
/// before it is appended: how a benefit scenario decided by a composite
/// records its decision on the result step's evaluation (replay then
/// recomputes it as for any decision).
pub async fn run_amended(
    registry: &Registry,
    plan: &Plan,
    id: &str,
    as_of: &str,
    caller: &str,
    recorder: &Recorder<'_>,
    amend: Option<Amend<'_>>,
) -> Result<CompositeResponse, CompositeFailed> {
    use tracing::Instrument as _;
    let span = tracing::info_span!("composite", composite = %plan.composite.reference(), caller);
    async move {
        let c = &plan.composite;
        let evaluated = evaluate_amended(registry, plan, id, as_of, caller, amend).await?;
        let result = evaluated.result(plan);
        let Evaluated {
            run_id,
            steps: mut answers,
            records,
            subject,
            base,
            failed,
        } = evaluated;
        // The steps' records first (they share group commits), then the
        // composite's, which names them: nothing is answered before all are
        // durable.
        let ids = recorder.append_all(records).await?;
        let mut ids = ids.into_iter();
        for a in answers.iter_mut().filter(|a| a.ran) {
            let id = ids.next();
            if let Some(e) = a.evaluation.as_mut() {
                e.evaluation_id = id.clone();
            }
            a.evaluation_id = id;
        }
        let mut response = CompositeResponse {
            composite: c.name.clone(),
            version: c.version,
            title: c.title.clone(),
            composite_id: String::new(),
            subject,
            as_of: as_of.to_string(),
            base,
            result,
            steps: answers,
            left_out: plan.left_out.clone(),
        };
        let rec = record::composite_record(caller, c, &run_id, &response, failed.as_ref())?;
        let composite_id = recorder.append(rec).await?;
        match failed {
            Some((step, error)) => {
                let model = response
                    .steps
                    .iter()
                    .find(|a| a.step == step)
                    .map(|a| a.model.clone())
                    .unwrap_or_default();
                Err(CompositeFailed {
                    error,
                    step: Some(format!(
                        "composite {}: step '{step}' ({model})",
                        c.reference()
                    )),
                    composite_id: Some(composite_id),
                })
            }
            None => {
                response.composite_id = composite_id;
                Ok(response)
            }
        }
    }
    .instrument(span)
    .await
}

/// Every step of a plan evaluated for one subject, not yet recorded.
pub struct Evaluated {
    /// The run's id, which each step's record carries.
    pub run_id: String,
    /// Each step's answer, in order (no record ids yet).
    pub steps: Vec<StepAnswer>,
    /// The records of the steps that ran, in order.
    pub records: Vec<scorehost_registry::NewRecord>,
    /// The subject as stored.
    pub subject: WireSubject,
    /// The provincial base as stored.
    pub base: Option<scorehost_runtime::wire::WireBase>,
    /// The step that failed a graph with a result, and its error.
    pub failed: Option<(String, Error)>,
}

impl Evaluated {
    /// The result step's score and grade, unless a step failed.
    pub fn result(&self, plan: &Plan) -> Option<CompositeResult> {
        let step = plan.composite.definition.result.as_ref()?;
        if self.failed.is_some() {
            return None;
        }
        self.steps
            .iter()
            .find(|a| &a.step == step)
            .and_then(|a| a.evaluation.as_ref())
            .map(|e| CompositeResult {
                step: step.clone(),
                score: e.score,
                grade: e.grade.clone(),
            })
    }
}

/// Evaluate every step of `plan` for stored subject `id` as of `as_of`,
/// each in a fresh sandbox on a blocking thread, recording nothing: what
/// [`run`] records, and what an impact analysis compares
/// (`crate::impact`). In a graph with a result, a failing step stops the
/// steps after it; in a profile or a report, each step stands alone.
/// Costs four indexed queries (the subject, read once) and one sandboxed
/// evaluation per step.
pub async fn evaluate(
    registry: &Registry,
    plan: &Plan,
    id: &str,
    as_of: &str,
    caller: &str,
) -> Result<Evaluated, CompositeFailed> {
    evaluate_amended(registry, plan, id, as_of, caller, None).await
}

/// What [`run_amended`] does to the result step's record and outcome
/// before it is appended (a benefit decision on the composite's result).
pub type Amend<'a> =
    Box<dyn FnOnce(&mut crate::scoring::Prepared) -> Result<(), Error> + Send + 'a>;

/// [`evaluate`], with `amend` applied to the result step's evaluation.
async fn evaluate_amended(
    registry: &Registry,
    plan: &Plan,
    id: &str,
    as_of: &str,
    caller: &str,
    mut amend: Option<Amend<'_>>,
) -> Result<Evaluated, CompositeFailed> {
    let checked = check_plan(plan)?;
    let c = &plan.composite;
    let stops = c.definition.result.is_some();
    let run_id = record::run_id()?;
    let mut answers: Vec<StepAnswer> = Vec::with_capacity(plan.steps.len());
    let mut records = Vec::with_capacity(plan.steps.len());
    let mut subject: Option<WireSubject> = None;
    let mut base = None;
    let mut failed: Option<(String, Error)> = None;
    // The subject is read once; each step's request is completed from it.
    let read = crate::completion::Stored::read(registry, id);
    let Some(stored) = crate::stages::measure(crate::stages::Stage::Completion, read).await? else {
        return Err(Error::from(scorehost_registry::Error::NotFound(format!(
            "no base evaluation of subject {id} is stored: import it first"
        )))
        .into());
    };
    for (i, planned) in plan.steps.iter().enumerate() {
        let step = &planned.step;
        let info = planned.model.info();
        let reference = format!("{}@{}", info.name, info.version);
        let not_run = |why: String| StepAnswer {
            step: step.id.clone(),
            model: reference.clone(),
            ran: false,
            why,
            fed: Vec::new(),
            evaluation_id: None,
            evaluation: None,
            error: None,
        };
        if let Some((before, _)) = &failed {
            answers.push(not_run(format!("not run: step '{before}' failed")));
            continue;
        }
        let mut request = stored.request(info, as_of);
        if i == 0 && !checked.subject_kinds.contains(&request.subject.kind) {
            return Err(Error::BadRequest(format!(
                "composite {} scores {}; subject {id} is stored as {}",
                c.reference(),
                checked.subject_kinds.join(", "),
                request.subject.kind
            ))
            .into());
        }
        subject.get_or_insert_with(|| request.subject.clone());
        base.get_or_insert_with(|| request.base.clone());
        if let Some(route) = &step.when {
            let id_ok = route.id_matches(id);
            let stored_ok = !route.stored || !request.indicators.is_empty();
            if !(id_ok && stored_ok) {
                let why = if !id_ok {
                    format!("not run: {} does not hold", route.describe())
                } else {
                    "not run: the store holds no record of the model's indicators for this subject"
                        .to_string()
                };
                answers.push(not_run(why));
                continue;
            }
        }
        let why = match &step.when {
            Some(route) => format!("ran: {}", route.describe()),
            None => "ran".to_string(),
        };
        let fed = feed(step, &answers, &mut request)?;
        // In the model's lane of the process's fairness (as `/v1/scores`):
        // a slow model inside a composite queues behind its own lane.
        let model = planned.model.clone();
        let mut prepared = match crate::scoring::fairness() {
            Some(lanes) => {
                crate::scoring::prepare_fairly(lanes, model, request.clone(), caller).await?
            }
            None => {
                let owned_caller = caller.to_string();
                let evaluated = request.clone();
                tokio::task::spawn_blocking(move || {
                    crate::scoring::prepare(&*model, &evaluated, &owned_caller, None)
                })
                .await
                .map_err(|e| {
                    Error::Internal(format!("a composite step's evaluation panicked: {e}"))
                })??
            }
        };
        if c.definition.result.as_ref() == Some(&step.id)
            && let Some(amend) = amend.take()
        {
            amend(&mut prepared)?;
        }
        let mut rec = prepared.record;
        record::mark_step(&mut rec, c, &run_id, &step.id)?;
        records.push(rec);
        let (evaluation, error) = match prepared.outcome {
            Ok(e) => (Some(e), None),
            Err(e) => {
                let err = StepError {
                    code: e.code().to_string(),
                    message: e.to_string(),
                };
                if stops {
                    failed = Some((step.id.clone(), e));
                }
                (None, Some(err))
            }
        };
        answers.push(StepAnswer {
            step: step.id.clone(),
            model: reference,
            ran: true,
            why,
            fed,
            evaluation_id: None,
            evaluation,
            error,
        });
    }
    Ok(Evaluated {
        run_id,
        steps: answers,
        records,
        subject: subject.unwrap_or(WireSubject {
            id: id.to_string(),
            kind: String::new(),
        }),
        base,
        failed,
    })
}

/// Feed `step`'s inputs from the earlier answers into `request`: each fed
/// input replaces the stored record of that name; an input whose step did
/// not run keeps the stored one (`value` null).
fn feed(
    step: &composites::Step,
    answers: &[StepAnswer],
    request: &mut ScoreRequest,
) -> Result<Vec<Fed>, Error> {
    let mut fed = Vec::with_capacity(step.inputs.len());
    for (input, f) in &step.inputs {
        let output = Output::parse(&f.output).map_err(Error::Internal)?;
        let from = answers
            .iter()
            .find(|a| a.step == f.from)
            .and_then(|a| a.evaluation.as_ref());
        let value = match from {
            Some(e) => {
                let value = output_value(&output, e);
                request.indicators.retain(|r| &r.name != input);
                request.indicators.push(WireIndicator {
                    name: input.clone(),
                    value: value.clone(),
                    observed_on: None,
                    source: Some(format!("composite step {} ({})", f.from, f.output)),
                });
                value
            }
            None => serde_json::Value::Null,
        };
        fed.push(Fed {
            input: input.clone(),
            from: f.from.clone(),
            output: f.output.clone(),
            value,
        });
    }
    Ok(fed)
}

impl Engine {
    /// Evaluate composite `name` for the stored subject `raw` names
    /// (`{"subject": {"id": …}}`, as of today) for the app holding
    /// `token`: granted the composite; the composite in force and fitting
    /// its pinned models (409 otherwise); consent from a natural person for
    /// **every** model of the composite, checked before anything of the
    /// subject is read (the uniform refusal otherwise, nothing evaluated);
    /// then [`run`].
    pub async fn score_composite(
        self: &Arc<Self>,
        token: &Token,
        actor: &Actor,
        name: &str,
        raw: serde_json::Value,
    ) -> Result<CompositeResponse, CompositeFailed> {
        let Role::App(app) = &actor.role else {
            return Err(Error::from(scorehost_registry::Error::Forbidden(format!(
                "{actor} may not evaluate composites: only apps do, with the composites they are granted"
            )))
            .into());
        };
        if name == composites::REPORT || !token.may_compose(name) {
            return Err(Error::from(scorehost_registry::Error::Forbidden(format!(
                "{actor} is not granted composite {name} (its token grants composites: {})",
                if token.composites.is_empty() {
                    "none".to_string()
                } else {
                    token.composites.join(", ")
                }
            )))
            .into());
        }
        let (id, as_of) = crate::completion::stored_subject(&raw)?;
        let as_of = crate::completion::app_as_of(as_of)?;
        let plan = self.plan(name).await?;
        self.run_for_app(app, actor, &plan, id, &as_of, None).await
    }

    /// Run `plan` for `app` (acting as `actor`) on stored subject `id`:
    /// consent from a natural person for every model of the plan first,
    /// before anything of the subject is read (the uniform refusal
    /// otherwise, nothing evaluated); then [`run_amended`] with the
    /// process's log writer.
    pub async fn run_for_app(
        &self,
        app: &str,
        actor: &Actor,
        plan: &Plan,
        id: &str,
        as_of: &str,
        amend: Option<Amend<'_>>,
    ) -> Result<CompositeResponse, CompositeFailed> {
        for model in plan.composite.models() {
            let model: ModelName = model.parse()?;
            let admitted = crate::consent::admit_stored(self.catalog.registry(), app, &model, id);
            crate::stages::measure(crate::stages::Stage::Consent, admitted).await?;
        }
        let recorder = Recorder::Writer(&self.writer);
        run_amended(
            self.catalog.registry(),
            plan,
            id,
            as_of,
            &actor.to_string(),
            &recorder,
            amend,
        )
        .await
    }

    /// Composite `name` in force, with its pinned models loaded: 404 if
    /// it was never defined, 410-like 404 naming when it was retired.
    pub async fn plan(&self, name: &str) -> Result<Plan, Error> {
        let composite = live(name, self.catalog.registry().composite(name).await?)?;
        let mut models = Vec::with_capacity(composite.definition.steps.len());
        for step in &composite.definition.steps {
            models.push(self.pinned_model(&step.model.parse()?).await?);
        }
        Ok(Plan::new(composite, models))
    }
}

/// `found`, the latest version of composite `name`, if it is in force.
pub fn live(name: &str, found: Option<Composite>) -> Result<Composite, Error> {
    match found {
        None => Err(
            scorehost_registry::Error::NotFound(format!("no composite is named '{name}'")).into(),
        ),
        Some(c) if c.retired_at.is_some() => Err(scorehost_registry::Error::NotFound(format!(
            "composite '{name}' was retired on {} and evaluates nothing any more",
            c.retired_at.unwrap_or_default()
        ))
        .into()),
        Some(c) => Ok(c),
    }
}
