//! Scoring a subject with a registered model, and recording it: the one
//! path the CLI and the HTTP service share, so that both record exactly the
//! same thing.
//!
//! Every evaluation is recorded before its answer is given — a success, a
//! model's refusal, a plugin fault, and a request that does not even fit
//! the model's declaration. If the record cannot be written, there is no
//! answer: the caller gets the storage error instead.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use scorehost_audit::checkpoint::LogKey;
use scorehost_registry::{NewRecord, Registry};

use crate::audit::{self, AuditWriter, BatchItem, Evaluated};
use crate::stages::Stage;
use crate::wire::{EvaluationResponse, ScoreRequest};
use crate::{Error, Fault, Model};
use scorehost_runtime::Scorer;

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
            Recorder::Writer(w) => {
                let appended = crate::stages::measure(Stage::Commit, w.append(record)).await;
                Ok(appended?.id)
            }
        }
    }

    /// Append `records` in order; returns their ids once all are durable
    /// (with [`Recorder::Writer`], they share group commits). The first
    /// failure is returned.
    pub async fn append_all(&self, records: Vec<NewRecord>) -> Result<Vec<String>, Error> {
        match self {
            Recorder::Direct { .. } => {
                let mut ids = Vec::with_capacity(records.len());
                for r in records {
                    ids.push(self.append(r).await?);
                }
                Ok(ids)
            }
            Recorder::Writer(w) => crate::stages::measure(Stage::Commit, w.append_all(records))
                .await
                .into_iter()
                .map(|r| r.map(|r| r.id))
                .collect(),
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
    score_recorded_amended(model, request, caller, recorder, |_| Ok(())).await
}

/// [`score_recorded`], with `amend` called on the evaluation's record and
/// outcome once the evaluation is done and before the record is appended:
/// how a benefit decision (`POST /v1/decisions`) becomes part of the
/// evaluation's record. An `Err` from `amend` appends nothing.
pub async fn score_recorded_amended(
    model: &Model,
    request: &ScoreRequest,
    caller: &str,
    recorder: &Recorder<'_>,
    amend: impl FnOnce(&mut Prepared) -> Result<(), Error>,
) -> Result<EvaluationResponse, Failed> {
    use tracing::Instrument as _;
    let span = tracing::info_span!("score", model = %model.info().name, caller);
    async move {
        let mut prepared = prepare_off_the_runtime(model, request, caller, None)?;
        amend(&mut prepared)?;
        let id = recorder.append(prepared.record).await?;
        finish(prepared.outcome, id)
    }
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
    let prepared = prepare_off_the_runtime(model, request, caller, batch)?;
    let id = recorder.append(prepared.record).await?;
    finish(prepared.outcome, id)
}

/// [`prepare`], [off the runtime](off_the_runtime).
fn prepare_off_the_runtime<S: Scorer + ?Sized>(
    model: &S,
    request: &ScoreRequest,
    caller: &str,
    batch: Option<BatchItem<'_>>,
) -> Result<Prepared, Error> {
    off_the_runtime(|| prepare(model, request, caller, batch))?
}

/// Run `f` (an evaluation) on a thread of its own when called on a tokio
/// runtime's thread (the CLI's `block_on`, a replay): wasmtime-wasi runs a
/// plugin's WASI calls — writing its output, a panic message say — with
/// `Handle::block_on`, which panics on a thread that is already running a
/// runtime. Elsewhere `f` runs here. One thread per evaluation costs tens
/// of µs; the service avoids it ([`score_fairly`] evaluates on a blocking
/// thread).
pub(crate) fn off_the_runtime<R: Send>(f: impl FnOnce() -> R + Send) -> Result<R, Error> {
    if tokio::runtime::Handle::try_current().is_err() {
        return Ok(f());
    }
    std::thread::scope(|s| {
        std::thread::Builder::new()
            .name("scorehost-evaluate".into())
            .spawn_scoped(s, f)
            .map_err(|e| Error::Internal(format!("cannot start an evaluation thread: {e}")))?
            .join()
            .map_err(|_| Error::Internal("the evaluation thread panicked".into()))
    })
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
            let error = Error::from(error);
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
    let result = model.evaluate(&req).map_err(Error::from);
    if let Err(Error::PluginFault { fault, .. }) = &result {
        // Every limit hit is a typed fault: logged here with its kind, and
        // recorded (code `plugin_fault`, `fault` = the kind) in the log.
        tracing::warn!(
            model = %model.info().name,
            subject = %req.subject.id,
            caller,
            fault = fault.kind(),
            "plugin fault: {fault}"
        );
    }
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
        withheld: &request.withheld,
        from_store: request.from_store,
    })?;
    let outcome = match (result, response) {
        (Ok(_), Some(mut r)) => {
            r.data_from = Some(
                if request.from_store {
                    "store"
                } else {
                    "caller"
                }
                .into(),
            );
            Ok(r)
        }
        (Err(error), _) => Err(error),
        (Ok(_), None) => Err(Error::Internal("no response for a success".into())),
    };
    Ok(Prepared {
        record,
        outcome: tell_withheld(outcome, &request.withheld),
    })
}

/// The answer says which stored records the model did not see (the record
/// holds them apart from the model's own output, which replay compares):
/// a sentence for each at the end of the reasons; and a refusal for a
/// missing indicator says when its record was withheld.
fn tell_withheld(
    outcome: Result<EvaluationResponse, Error>,
    withheld: &[crate::wire::Withheld],
) -> Result<EvaluationResponse, Error> {
    if withheld.is_empty() {
        return outcome;
    }
    // The host's own check of the declaration refuses a missing required
    // indicator before the model runs: when its record was withheld, the
    // request was not bad, the record is suspended — 422, as the model's
    // own refusal would be.
    let outcome = match outcome {
        Err(Error::MissingRequired { indicator, kind }) => {
            if withheld.iter().any(|w| w.indicator == indicator) {
                Err(Error::Rejected(
                    crate::contract::EvalError::MissingIndicator(indicator),
                ))
            } else {
                Err(Error::MissingRequired { indicator, kind })
            }
        }
        other => other,
    };
    match outcome {
        Ok(mut r) => {
            r.reasons
                .extend(withheld.iter().map(crate::completion::sentence));
            r.withheld = withheld.to_vec();
            Ok(r)
        }
        Err(Error::Rejected(crate::contract::EvalError::MissingIndicator(name))) => {
            let why: Vec<String> = withheld
                .iter()
                .filter(|w| w.indicator == name)
                .map(crate::completion::sentence)
                .collect();
            Err(Error::Rejected(
                crate::contract::EvalError::MissingIndicator(if why.is_empty() {
                    name
                } else {
                    format!("{name} ({})", why.join("; "))
                }),
            ))
        }
        Err(e) => Err(e),
    }
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

/// Fair shares of the CPU for the service's evaluations, so that a hostile
/// or merely slow model hammered at full concurrency cannot take the cores
/// from every other model:
///
/// - evaluations run on blocking threads (`spawn_blocking`), never on the
///   async workers that accept connections, parse requests and answer: a
///   model at its fuel limit (tens of ms of CPU) no longer stalls every
///   request queued behind it on the same worker;
/// - a model known to be fast (measured, on average at most a quarter of
///   [`SLOW_EVALUATION`]) goes straight to a blocking thread: a queue's
///   place is handed from one waiting task to the next only when that task
///   next runs, and on a loaded machine that hand-over, not the
///   evaluation, set the pace (measured: half a millisecond of each
///   request's 1.8 ms at 16 connections). A model that turns slow pays for
///   at most a few evaluations at its fuel limit before its moving average
///   sends it through the queues below;
/// - any other model runs at most [`Fairness::per_model`] evaluations at once
///   for each caller, and a slow one keeps at most
///   [`MAX_WAITING_PER_MODEL`] more of each caller's waiting; beyond that
///   that caller is told `overloaded` (503, `Retry-After`) at once instead
///   of holding the service's admission slots — an app hammering a slow
///   model fills its own queue, never another app's;
/// - a model whose evaluations use much CPU ([`SLOW_EVALUATION`], as a moving
///   average of its recent ones) or hit a limit also needs a permit of the
///   shared slow lane, [`Fairness::slow_lane`] permits for all slow models
///   together, and holds it, resting, as long again as it ran: however many
///   of them are hammered, they use at most half of the slow lane's cores,
///   and the rest stay free for the models that answer in microseconds.
///   One caller holds at most half of the slow lane (at least one permit)
///   and queues the rest of its slow evaluations behind its own gate, so
///   that another caller's slow evaluation waits behind at most that many
///   of its — turns, not a queue one app fills.
///
/// Measured with `cargo bench -p scorehost-tests --bench fairness`.
pub struct Fairness {
    lanes: std::sync::RwLock<std::collections::HashMap<String, Arc<Lane>>>,
    queues: std::sync::Mutex<std::collections::HashMap<(String, String), Arc<Queue>>>,
    slow_gates: std::sync::Mutex<std::collections::HashMap<String, Arc<tokio::sync::Semaphore>>>,
    slow: Arc<tokio::sync::Semaphore>,
    per_model: usize,
    slow_lane: usize,
}

/// How many requests of one slow model may wait for a free evaluation
/// before more are refused as overloaded. 32: resting as long as it runs,
/// a model at its fuel limit (1–3 ms an evaluation here) works off 32
/// waiting requests in well under the second of `Retry-After` the refused
/// ones are given, one at its memory limit in about a quarter of a second.
/// A fast model's requests are never refused here: they wait their turn
/// (the service's admission, `MAX_IN_FLIGHT`, bounds them).
pub const MAX_WAITING_PER_MODEL: usize = 32;

/// A model whose evaluations use more CPU than this (moving average of the
/// evaluating thread's user CPU time, so a busy machine's preemptions and
/// the kernel's page faults do not count) is slow and shares the slow lane; so is, at once, a model whose
/// evaluation was stopped by a limit (fuel, memory, stack, wall clock).
/// 1 ms: a real scorecard takes 20–50 µs (20× less); a model at its 20 M fuel
/// limit takes 1–3 ms on this project's hardware, one that grows to its
/// memory limit about 4 ms, one at its wall-clock limit 1 s.
pub const SLOW_EVALUATION: std::time::Duration = std::time::Duration::from_millis(1);

/// A model's cost, learnt from every caller's evaluations of it.
struct Lane {
    /// Moving average of an evaluation's CPU time, in µs.
    cost_us: AtomicU64,
    /// Evaluations of the model running now on the fast path (every
    /// caller's together).
    fast_running: AtomicUsize,
}

/// A place on a model's fast path, given back when dropped.
struct FastPlace(Arc<Lane>);

impl Drop for FastPlace {
    fn drop(&mut self) {
        self.0.fast_running.fetch_sub(1, Ordering::AcqRel);
    }
}

/// One caller's evaluations of one model: those running and those waiting.
struct Queue {
    running: Arc<tokio::sync::Semaphore>,
    waiting: AtomicUsize,
}

impl Default for Fairness {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Fairness::new(cores, (cores / 2).max(1))
    }
}

impl Fairness {
    /// At most `per_model` evaluations of one model at once, and
    /// `slow_lane` of all slow models together. The default: every core for
    /// one model (a fast model cannot hog them: it answers in µs), and half
    /// of them, at least one, for the slow ones — on 2 cores, one core is
    /// always left to the fast models.
    pub fn new(per_model: usize, slow_lane: usize) -> Fairness {
        Fairness {
            lanes: std::sync::RwLock::new(std::collections::HashMap::new()),
            queues: std::sync::Mutex::new(std::collections::HashMap::new()),
            slow_gates: std::sync::Mutex::new(std::collections::HashMap::new()),
            slow: Arc::new(tokio::sync::Semaphore::new(slow_lane.max(1))),
            per_model: per_model.max(1),
            slow_lane: slow_lane.max(1),
        }
    }

    /// Evaluations of one model at once.
    pub fn per_model(&self) -> usize {
        self.per_model
    }

    /// Evaluations of all slow models together at once.
    pub fn slow_lane(&self) -> usize {
        self.slow_lane
    }

    fn lane(&self, key: &str) -> Arc<Lane> {
        // Every request asks, from every thread at once: a shared read. Only
        // a model's first request writes (and allocates its key).
        if let Some(lane) = self.lanes.read().expect("fairness lanes").get(key) {
            return lane.clone();
        }
        self.lanes
            .write()
            .expect("fairness lanes")
            .entry(key.to_string())
            .or_insert_with(|| {
                Arc::new(Lane {
                    cost_us: AtomicU64::new(0),
                    fast_running: AtomicUsize::new(0),
                })
            })
            .clone()
    }

    fn queue(&self, key: &str, caller: &str) -> Arc<Queue> {
        let mut queues = self.queues.lock().expect("fairness queues");
        let k = (key.to_string(), caller.to_string());
        queues
            .entry(k)
            .or_insert_with(|| {
                Arc::new(Queue {
                    running: Arc::new(tokio::sync::Semaphore::new(self.per_model)),
                    waiting: AtomicUsize::new(0),
                })
            })
            .clone()
    }

    /// The gate a caller's slow evaluations pass before the slow lane: half
    /// of the lane, at least one permit.
    fn slow_gate(&self, caller: &str) -> Arc<tokio::sync::Semaphore> {
        let mut gates = self.slow_gates.lock().expect("slow gates");
        if let Some(g) = gates.get(caller) {
            return g.clone();
        }
        gates
            .entry(caller.to_string())
            .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new((self.slow_lane / 2).max(1))))
            .clone()
    }

    /// Run `f` (one evaluation of the model `key` for `caller`) on a
    /// blocking thread: at once for a model known to be fast; otherwise
    /// once the caller's queue for the model — and, for a slow model, the
    /// caller's slow gate and the slow lane — has room.
    /// [`Error::Overloaded`] at once if this caller already has
    /// [`MAX_WAITING_PER_MODEL`] evaluations of the slow model waiting.
    pub async fn run<R: Send + 'static>(
        &self,
        key: &str,
        caller: &str,
        f: impl FnOnce() -> R + Send + 'static,
        hit_a_limit: impl FnOnce(&R) -> bool,
    ) -> Result<R, Error> {
        let entered = std::time::Instant::now();
        let lane = self.lane(key);
        let slow_limit = SLOW_EVALUATION.as_micros() as u64;
        // The fast path: a place is taken, never waited for — there are
        // 2 × per_model of them for each model, enough for the evaluations
        // a loaded service has running at once; when all are taken, the
        // evaluation waits in the caller's queue like any other, so that
        // one app's burst cannot start hundreds of evaluation threads.
        let fast = is_known_fast(lane.cost_us.load(Ordering::Relaxed)) && {
            let taken = lane.fast_running.fetch_add(1, Ordering::AcqRel) < 2 * self.per_model;
            if !taken {
                lane.fast_running.fetch_sub(1, Ordering::AcqRel);
            }
            taken
        };
        let fast_place = fast.then(|| FastPlace(lane.clone()));
        let (own, slow) = if fast {
            (None, None)
        } else {
            let queue = self.queue(key, caller);
            let is_slow = lane.cost_us.load(Ordering::Relaxed) > slow_limit;
            if queue.waiting.fetch_add(1, Ordering::AcqRel) >= MAX_WAITING_PER_MODEL && is_slow {
                queue.waiting.fetch_sub(1, Ordering::AcqRel);
                return Err(Error::Overloaded(format!(
                    "this model is slow and you already have {MAX_WAITING_PER_MODEL} evaluations of it waiting; retry shortly"
                )));
            }
            let permits = async {
                let own = queue.running.clone().acquire_owned().await;
                let slow = if lane.cost_us.load(Ordering::Relaxed) > slow_limit {
                    let gate = self.slow_gate(caller).acquire_owned().await;
                    Some((gate, self.slow.clone().acquire_owned().await))
                } else {
                    None
                };
                (own, slow)
            }
            .await;
            queue.waiting.fetch_sub(1, Ordering::AcqRel);
            match permits {
                (Ok(own), Some((Ok(gate), Ok(slow)))) => (Some(own), Some((gate, slow))),
                (Ok(own), None) => (Some(own), None),
                _ => return Err(Error::Internal("the evaluation lanes were closed".into())),
            }
        };
        // A fast model's place in its queue is given back on the
        // evaluating thread the moment the evaluation ends, not once this
        // task has run again. A slow model keeps its places while it rests
        // (below).
        let (own_inside, own_after) = match slow {
            None => (own, None),
            Some(_) => (None, own),
        };
        let evaluate = move || {
            // Timed on its thread: the wait for a thread is not the model's.
            let (start, cpu_start) = (std::time::Instant::now(), thread_cpu_time());
            let r = f();
            let (took, cpu) = (start.elapsed(), thread_cpu_time().saturating_sub(cpu_start));
            drop((own_inside, fast_place));
            (r, start, took, cpu)
        };
        let (result, start, took, cpu) = tokio::task::spawn_blocking(evaluate)
            .await
            .map_err(|e| Error::Internal(format!("an evaluation thread failed: {e}")))?;
        crate::stages::add(Stage::Lane, start.saturating_duration_since(entered));
        crate::stages::add(Stage::Evaluation, took);
        crate::stages::add(Stage::Handoff, (start + took).elapsed());
        let old = lane.cost_us.load(Ordering::Relaxed);
        // The CPU the evaluation used, not the time it took: on a busy
        // machine a fast model's evaluation is preempted for milliseconds,
        // which says nothing about the model.
        let mut cost = cpu.as_micros() as u64;
        if hit_a_limit(&result) {
            // An evaluation stopped by a limit cost as much as the sandbox
            // allows: its model is slow at once, whatever the clock said.
            cost = cost.max(4 * slow_limit);
        } else if old == 0 {
            // A model's first evaluation also warms its pool slot and
            // caches (milliseconds): no verdict on the model. Counted at
            // most as half the threshold, it cannot make the burst that follows
            // it "slow"; a model that is slow shows it on the next ones.
            // Half the threshold, so that one more warm-up alone cannot
            // tip it either.
            cost = cost.min(slow_limit / 2);
        }
        // A quarter of the newest: a few slow evaluations in a row move a
        // fast model into the slow lane; as many fast ones move it back.
        let new = if old == 0 { cost } else { (old * 3 + cost) / 4 };
        lane.cost_us.store(new.max(1), Ordering::Relaxed);
        if slow.is_some() {
            // A slow model rests as long as it ran before its lane and the
            // slow lane take another of its evaluations: the slow models
            // together use at most half of the slow lane's cores, and the
            // requests they leave waiting cost no thread.
            tokio::time::sleep(took).await;
        }
        drop((slow, own_after));
        Ok(result)
    }
}

/// Whether a model's evaluations are known to be fast: measured at least
/// once, and on average at most a quarter of [`SLOW_EVALUATION`]. Such a
/// model's evaluations skip the caller's queue (see [`Fairness::run`]).
fn is_known_fast(cost_us: u64) -> bool {
    cost_us != 0 && cost_us <= SLOW_EVALUATION.as_micros() as u64 / 4
}

/// The CPU time the calling thread has spent in user mode: what an
/// evaluation's own computation costs, whatever else the machine is doing.
/// Kernel time is left out: the page faults of a pool slot's first use and
/// its memory reset are the host's cost, not the model's, and under a burst
/// on a fresh server they pushed a 150 µs model over the slow threshold
/// (`api::concurrent_scorings_are_each_in_the_log_and_it_verifies`). A model
/// that spends its time growing memory hits the memory limit, which makes it
/// slow at once. Wall-clock time where the platform has no per-thread clock.
fn thread_cpu_time() -> std::time::Duration {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: an all-zero rusage is a valid value for the call to fill.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        // SAFETY: `usage` is a valid rusage for the call to fill.
        if unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) } == 0 {
            return std::time::Duration::new(
                usage.ru_utime.tv_sec as u64,
                (usage.ru_utime.tv_usec as u32) * 1000,
            );
        }
    }
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

/// [`score_recorded`] for the service: the evaluation runs under
/// `fairness` (a blocking thread, its model's share of the cores), the
/// record is appended on the caller's task. The same record, the same
/// answer.
pub async fn score_fairly(
    fairness: &Fairness,
    model: Arc<Model>,
    request: ScoreRequest,
    caller: &str,
    recorder: &Recorder<'_>,
) -> Result<EvaluationResponse, Failed> {
    score_fairly_amended(fairness, model, request, caller, recorder, |_| Ok(())).await
}

/// [`score_fairly`], with `amend` called on the caller's task once the
/// evaluation is done and before its record is appended (see
/// [`score_recorded_amended`]).
pub async fn score_fairly_amended(
    fairness: &Fairness,
    model: Arc<Model>,
    request: ScoreRequest,
    caller: &str,
    recorder: &Recorder<'_>,
    amend: impl FnOnce(&mut Prepared) -> Result<(), Error>,
) -> Result<EvaluationResponse, Failed> {
    use tracing::Instrument as _;
    let span = tracing::info_span!("score", model = %model.info().name, caller);
    async move {
        let mut prepared = prepare_fairly(fairness, model, request, caller).await?;
        amend(&mut prepared)?;
        let id = recorder.append(prepared.record).await?;
        finish(prepared.outcome, id)
    }
    .instrument(span)
    .await
}

/// Whether an evaluation's outcome is a fault of one of the sandbox's
/// limits (fuel, memory, stack, wall clock): its model is slow at once.
fn hit_a_limit(outcome: &Result<EvaluationResponse, Error>) -> bool {
    matches!(
        outcome,
        Err(Error::PluginFault {
            fault: Fault::FuelExhausted { .. }
                | Fault::MemoryExhausted { .. }
                | Fault::StackOverflow
                | Fault::Timeout { .. },
            ..
        })
    )
}

/// [`prepare`] in `model`'s lane of `fairness` for `caller`: the
/// evaluation and its record, not yet appended (a composite's steps are
/// appended together). `Err` when the lane refuses (overloaded) or the
/// record cannot be built; the evaluation's own failure is in
/// [`Prepared::outcome`].
pub async fn prepare_fairly(
    fairness: &Fairness,
    model: Arc<Model>,
    request: ScoreRequest,
    caller: &str,
) -> Result<Prepared, Error> {
    let key = model.sha256().to_string();
    let who = caller.to_string();
    let inner = tracing::Span::current();
    fairness
        .run(
            &key,
            &who.clone(),
            move || {
                let _enter = inner.enter();
                prepare(&*model, &request, &who, None)
            },
            |prepared| matches!(prepared, Ok(p) if hit_a_limit(&p.outcome)),
        )
        .await?
}

/// The process's evaluation lanes ([`Fairness`]): the cores are shared
/// between models however many services a process runs.
/// `SCOREHOST_FAIRNESS=0` turns them off — evaluations then run inline on
/// the async workers, as they did before — only so that
/// `cargo bench --bench fairness` can measure what the lanes change.
pub fn fairness() -> Option<&'static Fairness> {
    static FAIRNESS: std::sync::OnceLock<Option<Fairness>> = std::sync::OnceLock::new();
    FAIRNESS
        .get_or_init(|| {
            (std::env::var("SCOREHOST_FAIRNESS").as_deref() != Ok("0")).then(Fairness::default)
        })
        .as_ref()
}
