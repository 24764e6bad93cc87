//! Shadow mode: a candidate version evaluates live scorings beside the
//! pinned version; its results are logged, never returned.
//!
//! The province designates at most one shadow per model (a submitted or
//! approved version, see `scorehost_registry::Shadow`). While one is set,
//! every `POST /v1/scores` of that model, once its own answer's record is
//! durable, hands the same completed request to the shadow:
//!
//! - on a task of its own, after the live answer is settled: the caller's
//!   answer is neither delayed nor changed, and a shadow's refusal, fault
//!   or storage failure never reaches the caller;
//! - bounded: at most [`MAX_IN_FLIGHT`] shadow evaluations wait or run at
//!   once (more are skipped and counted, `outcome="skipped"`), and at most
//!   half of the cores run them, so a slow or hostile shadow cannot pile
//!   up work or take the cores from live traffic;
//! - recorded like any evaluation (the same caller, the request exactly as
//!   the shadow saw it, its white box or error, fuel), with
//!   `"shadow": true` and `"shadow_of": <the live evaluation's id>`;
//! - counted in `scorehost_shadow_evaluations_total{model,outcome}`.
//!
//! The impact report can be computed from these records
//! (`scorehost plugin impact NS/NAME@VERSION --shadow`, or `"source":
//! "shadow"`): the shadow's answers beside the live ones, nothing replayed.
//!
//! A request completed from the 1+N data store carries the indicators the
//! *pinned* version declares; a shadow that declares more sees them
//! missing (as it would in an impact analysis).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use scorehost_registry::ModelName;

use crate::Model;
use crate::api::Service;
use crate::catalog::Catalog;
use crate::scoring::Failed;
use crate::wire::{EvaluationResponse, ScoreRequest};

/// Shadow evaluations waiting or running at once, over all models; more
/// are skipped. 64: a shadow evaluation takes tens of µs and its record
/// shares a group commit, so 64 absorb a burst; a shadow stuck at its
/// limits (milliseconds each) loses evaluations instead of queueing them.
pub const MAX_IN_FLIGHT: usize = 64;

/// How long a looked-up shadow is trusted, as for pins
/// ([`crate::api::REGISTRY_CACHE_TTL`]).
const CACHE_TTL: std::time::Duration = crate::api::REGISTRY_CACHE_TTL;

/// The shadows of a running service.
pub struct Shadows {
    /// Model → its shadow's SHA-256 (or none), as last read.
    set: Mutex<HashMap<String, (Option<String>, Instant)>>,
    /// Loaded shadow modules by SHA-256.
    models: Mutex<HashMap<String, Arc<Model>>>,
    in_flight: Arc<AtomicUsize>,
    running: Arc<tokio::sync::Semaphore>,
    /// (model, outcome) → shadow evaluations.
    counts: Mutex<BTreeMap<(String, String), u64>>,
}

impl Default for Shadows {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Shadows {
            set: Mutex::new(HashMap::new()),
            models: Mutex::new(HashMap::new()),
            in_flight: Arc::new(AtomicUsize::new(0)),
            running: Arc::new(tokio::sync::Semaphore::new((cores / 2).max(1))),
            counts: Mutex::new(BTreeMap::new()),
        }
    }
}

/// A live request the shadow will evaluate once the live answer is settled.
pub struct Pending {
    model: Arc<Model>,
    name: String,
    request: ScoreRequest,
}

impl Shadows {
    /// Forget every cached shadow: a change made through this server takes
    /// effect at once (others' within [`CACHE_TTL`]).
    pub fn changed(&self) {
        self.set.lock().expect("shadow cache").clear();
    }

    /// If `model` has a shadow, a copy of `request` for it. Never fails:
    /// a shadow that cannot be looked up or loaded is logged and skipped
    /// (the live scoring goes on). Costs a map look-up; a database read
    /// once a second per model.
    pub async fn prepare(
        &self,
        catalog: &Catalog,
        model: &ModelName,
        request: &ScoreRequest,
    ) -> Option<Pending> {
        let name = model.to_string();
        let cached = self
            .set
            .lock()
            .expect("shadow cache")
            .get(&name)
            .filter(|(_, at)| at.elapsed() < CACHE_TTL)
            .map(|(sha, _)| sha.clone());
        let sha = match cached {
            Some(sha) => sha?,
            None => {
                let sha = match catalog.registry().shadow(model).await {
                    Ok(s) => s.map(|s| s.sha256),
                    Err(e) => {
                        tracing::warn!(model = %name, "shadow look-up failed: {e}");
                        return None;
                    }
                };
                self.set
                    .lock()
                    .expect("shadow cache")
                    .insert(name.clone(), (sha.clone(), Instant::now()));
                sha?
            }
        };
        let loaded = self
            .models
            .lock()
            .expect("shadow models")
            .get(&sha)
            .cloned();
        let shadow = match loaded {
            Some(m) => m,
            None => match catalog.load_sha(&sha) {
                Ok(m) => {
                    let m = Arc::new(m);
                    self.models
                        .lock()
                        .expect("shadow models")
                        .insert(sha, m.clone());
                    m
                }
                Err(e) => {
                    tracing::warn!(model = %name, "the shadow module does not load: {e}");
                    self.count(&name, "unloadable");
                    return None;
                }
            },
        };
        Some(Pending {
            model: shadow,
            name,
            request: request.clone(),
        })
    }

    fn count(&self, model: &str, outcome: &str) {
        *self
            .counts
            .lock()
            .expect("shadow counts")
            .entry((model.to_string(), outcome.to_string()))
            .or_default() += 1;
    }

    /// The Prometheus text of the shadow counters.
    pub fn render(&self) -> String {
        let mut out = String::from(
            "# HELP scorehost_shadow_evaluations_total Shadow evaluations by model and outcome (ok, the error code, skipped when too many were in flight, unrecorded when the log refused the record, unloadable).\n# TYPE scorehost_shadow_evaluations_total counter\n",
        );
        for ((model, outcome), n) in self.counts.lock().expect("shadow counts").iter() {
            let _ = writeln!(
                out,
                "scorehost_shadow_evaluations_total{{model=\"{model}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        out
    }
}

/// Once the live answer `live` is settled (its record durable), evaluate
/// `pending` with the shadow on a task of its own and record it as a
/// shadow of the live evaluation. Returns at once; does nothing for a live
/// request that has no record.
pub fn spawn(
    service: &Arc<Service>,
    pending: Pending,
    caller: String,
    live: &Result<EvaluationResponse, Failed>,
) {
    let live_id = match live {
        Ok(r) => r.evaluation_id.clone(),
        Err(f) => f.evaluation_id.clone(),
    };
    let Some(live_id) = live_id else {
        return;
    };
    let shadows = &service.shadows;
    if shadows.in_flight.fetch_add(1, Ordering::AcqRel) >= MAX_IN_FLIGHT {
        shadows.in_flight.fetch_sub(1, Ordering::AcqRel);
        shadows.count(&pending.name, "skipped");
        return;
    }
    let service = service.clone();
    let span = tracing::info_span!("shadow", model = %pending.name, shadow_of = %live_id);
    use tracing::Instrument as _;
    tokio::spawn(
        async move {
            let name = pending.name.clone();
            let outcome = run(&service, pending, caller, &live_id).await;
            service.shadows.count(&name, &outcome);
            service.shadows.in_flight.fetch_sub(1, Ordering::AcqRel);
        }
        .instrument(span),
    );
}

/// Evaluate and record one shadow evaluation; the outcome's label.
async fn run(service: &Service, pending: Pending, caller: String, live_id: &str) -> String {
    let Ok(_permit) = service.shadows.running.clone().acquire_owned().await else {
        return "skipped".into();
    };
    let Pending { model, request, .. } = pending;
    let prepared = tokio::task::spawn_blocking(move || {
        crate::scoring::prepare(&*model, &request, &caller, None)
    })
    .await;
    let mut prepared = match prepared {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            tracing::warn!("a shadow evaluation could not be recorded: {e}");
            return "unrecorded".into();
        }
        Err(e) => {
            tracing::warn!("a shadow evaluation failed: {e}");
            return "unrecorded".into();
        }
    };
    if let Err(e) = crate::audit::mark_shadow(&mut prepared.record, live_id) {
        tracing::warn!("a shadow record could not be marked: {e}");
        return "unrecorded".into();
    }
    let outcome = match &prepared.outcome {
        Ok(_) => "ok".to_string(),
        Err(e) => e.code().to_string(),
    };
    match service.writer.append(prepared.record).await {
        Ok(_) => outcome,
        Err(e) => {
            tracing::warn!("a shadow evaluation's record was not stored: {e}");
            "unrecorded".into()
        }
    }
}
