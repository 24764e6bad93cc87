//! The counters behind `/metrics`, in Prometheus' text format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

use scorehost_engine::scoring::Failed;
use scorehost_runtime::wire::EvaluationResponse;

/// Upper bounds of the latency histogram, in seconds: an evaluation with
/// its durable record takes a few ms; the tail shows group-commit waits.
const LATENCY_BUCKETS: [f64; 12] = [
    0.000_5, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// Upper bounds of the per-stage and whole-request histograms, in seconds:
/// finer at the bottom, where the stages of a fast request are (tens of
/// µs each), and up to the request timeout's order at the top.
const STAGE_BUCKETS: [f64; 17] = [
    0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.02,
    0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

/// The routes whose requests are timed stage by stage
/// (`scorehost_stage_seconds`) and as a whole (`scorehost_request_seconds`):
/// the scoring routes an app calls on its online path.
pub fn timed_route(method: &axum::http::Method, path: &str) -> Option<&'static str> {
    if method != axum::http::Method::POST {
        return None;
    }
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    match segments.as_slice() {
        ["", "v1", "scores"] => Some("scores"),
        ["", "v1", "decisions"] => Some("decisions"),
        ["", "v1", "reports"] => Some("reports"),
        ["", "v1", "composites", _, "scores"] => Some("composites"),
        _ => None,
    }
}

/// Counters of a running service.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// A latency histogram over fixed upper bounds.
struct Histogram {
    bounds: &'static [f64],
    buckets: Vec<u64>,
    count: u64,
    sum: f64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram::over(&LATENCY_BUCKETS)
    }
}

impl Histogram {
    fn over(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            buckets: vec![0; bounds.len()],
            count: 0,
            sum: 0.0,
        }
    }

    fn observe(&mut self, latency: Duration) {
        let secs = latency.as_secs_f64();
        for (i, le) in self.bounds.iter().enumerate() {
            if secs <= *le {
                self.buckets[i] += 1;
            }
        }
        self.count += 1;
        self.sum += secs;
    }

    /// Its exposition as `name`, with `help`.
    fn render(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        self.render_series(out, name, "");
    }

    /// Its series as `name`, with `labels` (`a="x",b="y"` or empty) before
    /// the bucket's own.
    fn render_series(&self, out: &mut String, name: &str, labels: &str) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (le, n) in self.bounds.iter().zip(&self.buckets) {
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {n}");
        }
        let braces = |l: &str| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{{{l}}}")
            }
        };
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}\n{name}_sum{} {}\n{name}_count{} {}",
            self.count,
            braces(labels),
            self.sum,
            braces(labels),
            self.count
        );
    }
}

#[derive(Default)]
struct Inner {
    /// model → outcome → evaluations (composite steps included). Nested,
    /// so that counting one finds its entry without allocating a key.
    evaluations: BTreeMap<String, BTreeMap<String, u64>>,
    /// model → fuel used by its successful evaluations.
    fuel: BTreeMap<String, u64>,
    /// `POST /v1/scores`, from admission to the durable record.
    latency: Histogram,
    /// (composite, outcome) → composite and report requests.
    composites: BTreeMap<(String, String), u64>,
    /// Composite and report requests, from admission to the durable
    /// records.
    composite_latency: Histogram,
    rejected_overloaded: u64,
    /// Bad tokens answered 401.
    auth_unauthorized: u64,
    /// Tokens refused 429 because their client had failed too often.
    auth_throttled: u64,
    /// route → timed requests, from the route's first byte to its last
    /// ([`timed_route`]).
    requests: BTreeMap<&'static str, Histogram>,
    /// (route, stage) → the time timed requests spent in the stage.
    stages: BTreeMap<(&'static str, &'static str), Histogram>,
}

impl Inner {
    /// One more evaluation of `model` with `outcome`; allocates only the
    /// first time a pair is seen.
    fn count_evaluation(&mut self, model: &str, outcome: &str) {
        if let Some(n) = self
            .evaluations
            .get_mut(model)
            .and_then(|outcomes| outcomes.get_mut(outcome))
        {
            *n += 1;
            return;
        }
        *self
            .evaluations
            .entry(model.to_string())
            .or_default()
            .entry(outcome.to_string())
            .or_default() += 1;
    }
}

impl Metrics {
    /// Count one scoring request: its outcome (`ok` or the error code),
    /// fuel and latency.
    pub fn evaluated(
        &self,
        model: &str,
        result: &Result<EvaluationResponse, Failed>,
        latency: Duration,
    ) {
        let mut m = self.inner.lock().expect("metrics");
        let outcome = match result {
            Ok(_) => "ok",
            Err(f) => f.error.code(),
        };
        m.count_evaluation(model, outcome);
        if let Ok(r) = result {
            match m.fuel.get_mut(model) {
                Some(fuel) => *fuel += r.fuel,
                None => {
                    m.fuel.insert(model.to_string(), r.fuel);
                }
            }
        }
        m.latency.observe(latency);
    }

    /// Count one composite or report request (`composite` is `report` for
    /// a credit report): its outcome and latency, and each step that ran as
    /// an evaluation of its model.
    pub fn composed(
        &self,
        composite: &str,
        result: &Result<
            scorehost_engine::composite::CompositeResponse,
            scorehost_engine::composite::CompositeFailed,
        >,
        latency: Duration,
    ) {
        let mut m = self.inner.lock().expect("metrics");
        let outcome = match result {
            Ok(_) => "ok",
            Err(f) => f.error.code(),
        };
        *m.composites
            .entry((composite.to_string(), outcome.to_string()))
            .or_default() += 1;
        m.composite_latency.observe(latency);
        let Ok(answer) = result else { return };
        for step in answer.steps.iter().filter(|s| s.ran) {
            let model = step.model.split('@').next().unwrap_or_default().to_string();
            let outcome = match (&step.evaluation, &step.error) {
                (Some(e), _) => {
                    *m.fuel.entry(model.clone()).or_default() += e.fuel;
                    "ok".to_string()
                }
                (None, Some(e)) => e.code.clone(),
                (None, None) => continue,
            };
            m.count_evaluation(&model, &outcome);
        }
    }

    /// Count one timed request of `route` ([`timed_route`]): its whole
    /// time, and the time it spent in each stage that it met (a stage it
    /// never met, such as consent for an enterprise, is not counted).
    pub fn timed(
        &self,
        route: &'static str,
        whole: Duration,
        clock: &scorehost_engine::stages::Clock,
    ) {
        use scorehost_engine::stages::Stage;
        let mut m = self.inner.lock().expect("metrics");
        m.requests
            .entry(route)
            .or_insert_with(|| Histogram::over(&STAGE_BUCKETS))
            .observe(whole);
        for stage in Stage::ALL {
            let took = clock.get(stage);
            if took.is_zero() {
                continue;
            }
            m.stages
                .entry((route, stage.name()))
                .or_insert_with(|| Histogram::over(&STAGE_BUCKETS))
                .observe(took);
        }
    }

    /// Count a request turned away because the service was full.
    pub fn rejected_overloaded(&self) {
        self.inner.lock().expect("metrics").rejected_overloaded += 1;
    }

    /// Count a refused bearer token: answered 401, or 429 when its client
    /// is throttled (`api::auth::Throttle`).
    pub fn auth_refused(&self, throttled: bool) {
        let mut m = self.inner.lock().expect("metrics");
        if throttled {
            m.auth_throttled += 1;
        } else {
            m.auth_unauthorized += 1;
        }
    }

    /// The Prometheus text exposition of these counters and of the log
    /// writer's.
    pub fn render(
        &self,
        writer: &scorehost_engine::audit::AuditWriter,
        in_flight: usize,
    ) -> String {
        let m = self.inner.lock().expect("metrics");
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP scorehost_evaluations_total Evaluations by model and outcome (ok or the error code).\n# TYPE scorehost_evaluations_total counter"
        );
        for (model, outcomes) in &m.evaluations {
            for (outcome, n) in outcomes {
                let _ = writeln!(
                    out,
                    "scorehost_evaluations_total{{model=\"{model}\",outcome=\"{outcome}\"}} {n}"
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP scorehost_fuel_total Fuel used by successful evaluations, by model.\n# TYPE scorehost_fuel_total counter"
        );
        for (model, fuel) in &m.fuel {
            let _ = writeln!(out, "scorehost_fuel_total{{model=\"{model}\"}} {fuel}");
        }
        m.latency.render(
            &mut out,
            "scorehost_score_seconds",
            "Scoring requests, from admission to the durable record.",
        );
        let _ = writeln!(
            out,
            "# HELP scorehost_composites_total Composite and credit-report requests by composite (`report` for reports) and outcome.\n# TYPE scorehost_composites_total counter"
        );
        for ((composite, outcome), n) in &m.composites {
            let _ = writeln!(
                out,
                "scorehost_composites_total{{composite=\"{composite}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        m.composite_latency.render(
            &mut out,
            "scorehost_composite_seconds",
            "Composite and credit-report requests, from admission to the durable records of every step and of the composite.",
        );
        let _ = writeln!(
            out,
            "# HELP scorehost_request_seconds Scoring requests (scores, decisions, composites, reports) by route, from the request's headers read to the answer's last byte handed to the connection.\n# TYPE scorehost_request_seconds histogram"
        );
        for (route, h) in &m.requests {
            h.render_series(
                &mut out,
                "scorehost_request_seconds",
                &format!("route=\"{route}\""),
            );
        }
        let _ = writeln!(
            out,
            "# HELP scorehost_stage_seconds The time scoring requests spent in each stage (admission, auth, parse, consent, completion, lane, evaluation, handoff, commit, answer), by route; a request is counted in the stages it met.\n# TYPE scorehost_stage_seconds histogram"
        );
        for ((route, stage), h) in &m.stages {
            h.render_series(
                &mut out,
                "scorehost_stage_seconds",
                &format!("route=\"{route}\",stage=\"{stage}\""),
            );
        }
        let _ = writeln!(
            out,
            "# HELP scorehost_audit_batch_records Records per group commit.\n# TYPE scorehost_audit_batch_records histogram"
        );
        let mut cumulative = 0;
        for (le, n) in writer.batch_sizes() {
            cumulative += n;
            let _ = writeln!(
                out,
                "scorehost_audit_batch_records_bucket{{le=\"{le}\"}} {cumulative}"
            );
        }
        let _ = writeln!(
            out,
            "scorehost_audit_batch_records_bucket{{le=\"+Inf\"}} {cumulative}\nscorehost_audit_batch_records_sum {}\nscorehost_audit_batch_records_count {}",
            writer.records(),
            writer.commits()
        );
        let _ = writeln!(
            out,
            "# HELP scorehost_module_compiles_total Modules compiled from their bytes (uploads and cache misses).\n# TYPE scorehost_module_compiles_total counter\nscorehost_module_compiles_total {}",
            scorehost_runtime::sandbox::compiles()
        );
        let _ = writeln!(
            out,
            "# HELP scorehost_audit_queue_depth Records waiting for the log writer.\n# TYPE scorehost_audit_queue_depth gauge\nscorehost_audit_queue_depth {}",
            writer.queue_depth()
        );
        let _ = writeln!(
            out,
            "# HELP scorehost_requests_in_flight Requests being served.\n# TYPE scorehost_requests_in_flight gauge\nscorehost_requests_in_flight {in_flight}"
        );
        let _ = writeln!(
            out,
            "# HELP scorehost_requests_rejected_total Requests answered 503 because the service was full.\n# TYPE scorehost_requests_rejected_total counter\nscorehost_requests_rejected_total {}",
            m.rejected_overloaded
        );
        let _ = writeln!(
            out,
            "# HELP scorehost_auth_refused_total Bearer tokens refused: unknown or revoked (401), or from a client throttled after repeated failures (429).\n# TYPE scorehost_auth_refused_total counter\nscorehost_auth_refused_total{{outcome=\"unauthorized\"}} {}\nscorehost_auth_refused_total{{outcome=\"throttled\"}} {}",
            m.auth_unauthorized, m.auth_throttled
        );
        out
    }
}
