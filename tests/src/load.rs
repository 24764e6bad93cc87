//! What the load benchmarks share: the server and the load generator on
//! cores of their own, a client scoring back to back, and its latencies.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::http::Server;

/// Pin every thread of `server` to core 0 and this process to core 1
/// (`taskset`); says whether it could.
pub fn pin_cores(server: &Server) -> bool {
    let pin = |pid: u32, core: &str| {
        Command::new("taskset")
            .args(["-a", "-pc", core, &pid.to_string()])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    let pinned = pin(server.child.id(), "0") && pin(std::process::id(), "1");
    eprintln!(
        "taskset: {}",
        if pinned {
            "server core 0, client core 1"
        } else {
            "not available"
        }
    );
    pinned
}

/// Latencies of one client's scorings, sorted, and how many failed.
pub struct Latencies {
    /// Answered scorings, fastest first.
    pub sorted: Vec<Duration>,
    /// Scorings that got no 2xx answer.
    pub failed: usize,
}

impl Latencies {
    /// The `p` quantile (0.5: the median), or zero if none answered.
    pub fn percentile(&self, p: f64) -> Duration {
        if self.sorted.is_empty() {
            return Duration::ZERO;
        }
        self.sorted[((self.sorted.len() - 1) as f64 * p).round() as usize]
    }

    /// The slowest answer.
    pub fn max(&self) -> Duration {
        self.sorted.last().copied().unwrap_or_default()
    }
}

/// POST `body` to `url` with `token`, back to back, for `secs` seconds.
pub fn score_for(url: &str, token: &str, body: &[u8], secs: u64) -> Latencies {
    let until = Instant::now() + Duration::from_secs(secs);
    let (mut sorted, mut failed) = (Vec::new(), 0);
    while Instant::now() < until {
        let started = Instant::now();
        let r = ureq::post(url)
            .timeout(Duration::from_secs(60))
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", "application/json")
            .send_bytes(body);
        let took = started.elapsed();
        match r {
            Ok(_) => sorted.push(took),
            Err(_) => failed += 1,
        }
    }
    sorted.sort();
    Latencies { sorted, failed }
}

/// `d` in milliseconds, two decimals.
pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
