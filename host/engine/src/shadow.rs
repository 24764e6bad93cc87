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

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use scorehost_registry::ModelName;

use crate::Error;
use crate::Model;
use crate::cache::REGISTRY_CACHE_TTL;
use crate::cache::TtlCache;
use crate::catalog::Catalog;
use crate::wire::ScoreRequest;

/// Shadow evaluations waiting or running at once, over all models; more
/// are skipped. 64: a shadow evaluation takes tens of µs and its record
/// shares a group commit, so 64 absorb a burst; a shadow stuck at its
/// limits (milliseconds each) loses evaluations instead of queueing them.
pub const MAX_IN_FLIGHT: usize = 64;

/// The shadows of a running service.
pub struct Shadows {
    /// Model → its shadow's SHA-256 (or none), as last read
    /// ([`REGISTRY_CACHE_TTL`]).
    set: TtlCache<String, Option<String>>,
    pub(crate) in_flight: Arc<AtomicUsize>,
    pub(crate) running: Arc<tokio::sync::Semaphore>,
    /// (model, outcome) → shadow evaluations.
    counts: Mutex<BTreeMap<(String, String), u64>>,
}

impl Default for Shadows {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Shadows {
            set: TtlCache::new(REGISTRY_CACHE_TTL),
            in_flight: Arc::new(AtomicUsize::new(0)),
            running: Arc::new(tokio::sync::Semaphore::new((cores / 2).max(1))),
            counts: Mutex::new(BTreeMap::new()),
        }
    }
}

/// A live request the shadow will evaluate once the live answer is settled.
pub struct Pending {
    pub(crate) model: Arc<Model>,
    pub(crate) name: String,
    pub(crate) request: ScoreRequest,
}

impl Shadows {
    /// Forget every cached shadow: a change made through this server takes
    /// effect at once (others' within [`REGISTRY_CACHE_TTL`]).
    pub fn changed(&self) {
        self.set.clear();
    }

    /// If `model` has a shadow, a copy of `request` for it. Never fails:
    /// a shadow that cannot be looked up or loaded is logged and skipped
    /// (the live scoring goes on). Costs a map look-up; a database read
    /// once a second per model.
    pub async fn prepare(
        &self,
        catalog: &Catalog,
        load: impl Fn(&str) -> Result<Arc<Model>, Error>,
        model: &ModelName,
        request: &ScoreRequest,
    ) -> Option<Pending> {
        let name = model.to_string();
        let sha = match self.set.get(&name) {
            Some(sha) => sha?,
            None => {
                let sha = match catalog.registry().shadow(model).await {
                    Ok(s) => s.map(|s| s.sha256),
                    Err(e) => {
                        tracing::warn!(model = %name, "shadow look-up failed: {e}");
                        return None;
                    }
                };
                self.set.insert(name.clone(), sha.clone());
                sha?
            }
        };
        let shadow = match load(&sha) {
            Ok(m) => m,
            Err(e) => {
                tracing::warn!(model = %name, "the shadow module does not load: {e}");
                self.count(&name, "unloadable");
                return None;
            }
        };
        Some(Pending {
            model: shadow,
            name,
            request: request.clone(),
        })
    }

    pub(crate) fn count(&self, model: &str, outcome: &str) {
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
