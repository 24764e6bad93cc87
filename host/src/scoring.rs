//! Scoring a subject with a registered model, and recording it: the one
//! path the CLI and the HTTP service share, so that both record exactly the
//! same thing.
//!
//! Every evaluation is recorded before its answer is given — a success, a
//! model's refusal, a plugin fault, and a request that does not even fit
//! the model's declaration. If the record cannot be written, there is no
//! answer: the caller gets the storage error instead.

use scorehost_audit::checkpoint::LogKey;
use scorehost_registry::{NewRecord, Registry};

use crate::audit::{self, AuditWriter, BatchItem, Evaluated};
use crate::contract::{ModelInfo, Request};
use crate::sandbox::Limits;
use crate::wire::{EvaluationResponse, ModelRef, ScoreRequest};
use crate::{Error, Model, Outcome};

/// What scores a request: a sandboxed [`Model`] in production; a natively
/// compiled model in the benchmarks that measure what the sandbox costs,
/// through exactly the same pipeline.
pub trait Scorer: Send + Sync {
    /// The model's declaration.
    fn info(&self) -> &ModelInfo;
    /// Name, version and module hash, as recorded.
    fn model_ref(&self) -> ModelRef;
    /// The limits it runs under (recorded for replay).
    fn limits(&self) -> &Limits;
    /// Check and evaluate one request (see [`Model::evaluate`]).
    fn evaluate(&self, req: &Request) -> Result<Outcome, Error>;
    /// The wire response for an outcome of `req`.
    fn response(&self, req: &Request, outcome: &Outcome) -> EvaluationResponse {
        EvaluationResponse::new(
            self.model_ref(),
            req,
            &outcome.evaluation,
            outcome.fuel,
            outcome.duration.as_micros() as u64,
        )
    }
}

impl Scorer for Model {
    fn info(&self) -> &ModelInfo {
        Model::info(self)
    }
    fn model_ref(&self) -> ModelRef {
        Model::model_ref(self)
    }
    fn limits(&self) -> &Limits {
        Model::limits(self)
    }
    fn evaluate(&self, req: &Request) -> Result<Outcome, Error> {
        Model::evaluate(self, req)
    }
}

/// Where records go.
pub enum Recorder<'a> {
    /// One transaction per record, and a checkpoint signed after it: a
    /// one-shot process (the CLI).
    Direct {
        /// The log's storage.
        registry: &'a Registry,
        /// The log's signing key.
        key: &'a LogKey,
    },
    /// The group-commit writer of a long-running process (the service).
    Writer(&'a AuditWriter),
}

impl Recorder<'_> {
    /// Append `record`; returns its id once it is durable.
    pub async fn append(&self, record: NewRecord) -> Result<String, Error> {
        match self {
            Recorder::Direct { registry, key } => {
                Ok(audit::append_one(registry, key, record).await?.id)
            }
            Recorder::Writer(w) => Ok(w.append(record).await?.id),
        }
    }
}

/// A scoring that failed: why, and the id of its record when it has one
/// (every failure of the model or the request has; a storage failure has
/// none, and then no evaluation counts as given).
#[derive(Debug)]
pub struct Failed {
    /// What went wrong.
    pub error: Error,
    /// The failure's audit record.
    pub evaluation_id: Option<String>,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Failed {
        Failed {
            error,
            evaluation_id: None,
        }
    }
}

/// Score `request` with `model` on behalf of `caller`, and record it.
/// The answer carries its `evaluation_id`; it exists only once the record
/// is durable. Costs one sandboxed evaluation (tens of µs) and one durable
/// append (a shared group commit with [`Recorder::Writer`]).
pub async fn score_recorded(
    model: &Model,
    request: &ScoreRequest,
    caller: &str,
    recorder: &Recorder<'_>,
) -> Result<EvaluationResponse, Failed> {
    use tracing::Instrument as _;
    let span = tracing::info_span!("score", model = %model.info().name, caller);
    score_item(model, request, caller, recorder, None)
        .instrument(span)
        .await
}

/// [`score_recorded`] for any [`Scorer`], as item `batch` of a batch run
/// when one is given (the record says so, and the run's item table gets
/// its row in the same transaction).
pub async fn score_item<S: Scorer + ?Sized>(
    model: &S,
    request: &ScoreRequest,
    caller: &str,
    recorder: &Recorder<'_>,
    batch: Option<BatchItem<'_>>,
) -> Result<EvaluationResponse, Failed> {
    let prepared = prepare(model, request, caller, batch)?;
    let id = recorder.append(prepared.record).await?;
    finish(prepared.outcome, id)
}

/// An evaluation done and its record built, not yet appended.
pub struct Prepared {
    /// The record to append.
    pub record: NewRecord,
    /// The answer, once the record is durable (see [`finish`]).
    pub outcome: Result<EvaluationResponse, Error>,
}

/// The first half of [`score_item`]: check and evaluate `request`, and
/// build its record. A request that does not fit the model's declaration
/// is a (recorded) failure too. `Err` only if the record cannot be built.
pub fn prepare<S: Scorer + ?Sized>(
    model: &S,
    request: &ScoreRequest,
    caller: &str,
    batch: Option<BatchItem<'_>>,
) -> Result<Prepared, Error> {
    let req = match request.convert(model.info()) {
        Ok(req) => req,
        Err(error) => {
            let record = audit::refused_record(
                caller,
                &model.model_ref(),
                model.limits(),
                request,
                &error,
                batch,
            )?;
            return Ok(Prepared {
                record,
                outcome: Err(error),
            });
        }
    };
    let result = model.evaluate(&req);
    let response = result.as_ref().ok().map(|o| model.response(&req, o));
    let model_ref = model.model_ref();
    let record = audit::evaluation_record(&Evaluated {
        caller,
        model: &model_ref,
        limits: model.limits(),
        req: &req,
        result: &result,
        response: response.as_ref(),
        batch,
    })?;
    let outcome = match (result, response) {
        (Ok(_), Some(r)) => Ok(r),
        (Err(error), _) => Err(error),
        (Ok(_), None) => Err(Error::Internal("no response for a success".into())),
    };
    Ok(Prepared { record, outcome })
}

/// The second half of [`score_item`]: the answer, now that the record is
/// durable as `id`.
pub fn finish(
    outcome: Result<EvaluationResponse, Error>,
    id: String,
) -> Result<EvaluationResponse, Failed> {
    match outcome {
        Ok(mut r) => {
            r.evaluation_id = Some(id);
            Ok(r)
        }
        Err(error) => Err(Failed {
            error,
            evaluation_id: Some(id),
        }),
    }
}
