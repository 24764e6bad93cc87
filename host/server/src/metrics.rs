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

/// Counters of a running service.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// (model, outcome) → evaluations.
    evaluations: BTreeMap<(String, String), u64>,
    /// model → fuel used by its successful evaluations.
    fuel: BTreeMap<String, u64>,
    latency_buckets: [u64; LATENCY_BUCKETS.len()],
    latency_count: u64,
    latency_sum: f64,
    rejected_overloaded: u64,
    /// Bad tokens answered 401.
    auth_unauthorized: u64,
    /// Tokens refused 429 because their client had failed too often.
    auth_throttled: u64,
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
        *m.evaluations
            .entry((model.to_string(), outcome.to_string()))
            .or_default() += 1;
        if let Ok(r) = result {
            *m.fuel.entry(model.to_string()).or_default() += r.fuel;
        }
        let secs = latency.as_secs_f64();
        for (i, le) in LATENCY_BUCKETS.iter().enumerate() {
            if secs <= *le {
                m.latency_buckets[i] += 1;
            }
        }
        m.latency_count += 1;
        m.latency_sum += secs;
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
        for ((model, outcome), n) in &m.evaluations {
            let _ = writeln!(
                out,
                "scorehost_evaluations_total{{model=\"{model}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP scorehost_fuel_total Fuel used by successful evaluations, by model.\n# TYPE scorehost_fuel_total counter"
        );
        for (model, fuel) in &m.fuel {
            let _ = writeln!(out, "scorehost_fuel_total{{model=\"{model}\"}} {fuel}");
        }
        let _ = writeln!(
            out,
            "# HELP scorehost_score_seconds Scoring requests, from admission to the durable record.\n# TYPE scorehost_score_seconds histogram"
        );
        for (le, n) in LATENCY_BUCKETS.iter().zip(m.latency_buckets) {
            let _ = writeln!(out, "scorehost_score_seconds_bucket{{le=\"{le}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "scorehost_score_seconds_bucket{{le=\"+Inf\"}} {}\nscorehost_score_seconds_sum {}\nscorehost_score_seconds_count {}",
            m.latency_count, m.latency_sum, m.latency_count
        );
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
