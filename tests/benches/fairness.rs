//! Fairness: does a hostile model hammered at full concurrency slow down a
//! good one? Over real HTTP against the real `scorehost serve` (durable
//! audit on SQLite), one client scores `ningbo-port` back to back and its
//! latencies are taken — first with nothing else running (unloaded), then
//! while `SCOREHOST_BENCH_HOSTILE` clients (default 16) hammer
//! `hostile-endless-loop` (each call burns its whole 20 M fuel budget, tens
//! of ms of CPU), then `hostile-memory-bomb`, then both at once. Prints p50
//! and p99 of the good model in each phase, the ratio of each p99 to the
//! unloaded one (the goal: within 2×), and what the hostile clients got.
//!
//! ```text
//! scripts/build-plugins.sh && cargo build --release -p scorehost
//! cargo bench -p scorehost-tests --bench fairness
//! SCOREHOST_BENCH_SECS=20 SCOREHOST_BENCH_HOSTILE=32 cargo bench -p scorehost-tests --bench fairness
//! ```
//! Short by default (5 s a phase); not part of the test suite.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use scorehost_tests::http::Server;
use scorehost_tests::{approve_on, component, root, run_on as run, sha256_file};

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Publish, approve and pin a built component as `publisher`.
fn pin(dir: &Path, package: &str, model: &str, publisher: &str) {
    let path = component(package);
    let sha = sha256_file(&path);
    run(
        dir,
        &[
            "plugin",
            "publish",
            &path.display().to_string(),
            "--as",
            publisher,
        ],
    );
    let version = format!("{model}@1.0.0");
    approve_on(dir, &version, &sha);
    run(dir, &["plugin", "pin", &version, "--sha256", &sha]);
}

/// The server on `dir`, with the evaluation lanes on or off; quiet (the
/// hostile models' refusals are logged as warnings).
fn serve(dir: &Path, lanes: bool) -> Server {
    let lanes = if lanes { "1" } else { "0" };
    Server::launch(
        dir,
        None,
        "127.0.0.1:0",
        &[("SCOREHOST_FAIRNESS", lanes), ("SCOREHOST_LOG", "error")],
    )
}

/// One POST /v1/scores; its status and latency.
fn post(agent: &ureq::Agent, url: &str, token: &str, body: &str) -> (u16, Duration) {
    let start = Instant::now();
    let status = match agent
        .post(&format!("{url}/v1/scores"))
        .set("Authorization", &format!("Bearer {token}"))
        .set("Content-Type", "application/json")
        .send_string(body)
    {
        Ok(r) => {
            let s = r.status();
            let _ = r.into_string();
            s
        }
        Err(ureq::Error::Status(s, r)) => {
            let _ = r.into_string();
            s
        }
        Err(e) => panic!("POST /v1/scores: {e}"),
    };
    (status, start.elapsed())
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

struct Phase {
    name: String,
    p50: Duration,
    p99: Duration,
    good: usize,
    good_failed: usize,
    hostile: BTreeMap<u16, u64>,
}

/// The good client for `secs`, with `hostile` clients on each of `models`.
fn phase(
    url: &str,
    token: &str,
    good_body: &str,
    hostile_bodies: &[String],
    clients: u64,
    secs: u64,
    name: &str,
) -> Phase {
    let stop = Arc::new(AtomicBool::new(false));
    let statuses = Arc::new(Mutex::new(BTreeMap::<u16, u64>::new()));
    let mut hammers = Vec::new();
    for body in hostile_bodies {
        for _ in 0..clients {
            let (stop, statuses) = (stop.clone(), statuses.clone());
            let (url, token, body) = (url.to_string(), token.to_string(), body.clone());
            hammers.push(std::thread::spawn(move || {
                let agent = ureq::AgentBuilder::new().build();
                let mut seen = BTreeMap::<u16, u64>::new();
                while !stop.load(Ordering::Relaxed) {
                    let (s, _) = post(&agent, &url, &token, &body);
                    *seen.entry(s).or_default() += 1;
                    if s == 503 {
                        // Retry-After says 1 s; a hostile client may not
                        // listen, but a tight retry loop only measures the
                        // 503 path: pause a little.
                        std::thread::sleep(Duration::from_millis(5));
                    }
                }
                let mut all = statuses.lock().unwrap();
                for (s, n) in seen {
                    *all.entry(s).or_default() += n;
                }
            }));
        }
    }
    if !hostile_bodies.is_empty() {
        // Let the hammering reach its steady state.
        std::thread::sleep(Duration::from_millis(500));
    }
    let agent = ureq::AgentBuilder::new().build();
    let mut lat = Vec::new();
    let mut failed = 0;
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        let (s, d) = post(&agent, url, token, good_body);
        if s == 200 {
            lat.push(d);
        } else {
            failed += 1;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for h in hammers {
        h.join().unwrap();
    }
    lat.sort();
    let hostile = statuses.lock().unwrap().clone();
    Phase {
        name: name.to_string(),
        p50: percentile(&lat, 0.50),
        p99: percentile(&lat, 0.99),
        good: lat.len(),
        good_failed: failed,
        hostile,
    }
}

fn main() {
    let secs = env_u64("SCOREHOST_BENCH_SECS", 5);
    let clients = env_u64("SCOREHOST_BENCH_HOSTILE", 16);
    let dir: PathBuf =
        std::env::temp_dir().join(format!("scorehost-bench-fairness-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    pin(&dir, "ningbo-port-v1", "ningbo/port", "publisher:ningbo");
    pin(
        &dir,
        "hostile-endless-loop",
        "test/endless-loop",
        "publisher:test",
    );
    pin(
        &dir,
        "hostile-memory-bomb",
        "test/memory-bomb",
        "publisher:test",
    );
    let token = run(
        &dir,
        &[
            "token",
            "create",
            "--role",
            "app:bench",
            "--models",
            "ningbo/port,test/endless-loop,test/memory-bomb",
        ],
    )
    .trim()
    .to_string();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "fairness: good model ningbo/port, one client back to back; {clients} hostile clients per hostile model; {secs} s a phase; {cores} cores"
    );
    let modes: Vec<bool> = match std::env::var("SCOREHOST_BENCH_LANES").as_deref() {
        Ok("on") => vec![true],
        Ok("off") => vec![false],
        _ => vec![false, true],
    };
    for lanes in modes {
        let server = serve(&dir, lanes);
        println!(
            "\n== evaluation lanes {} (SCOREHOST_FAIRNESS={})",
            if lanes {
                "on (the default)"
            } else {
                "off: inline on the async workers"
            },
            u8::from(lanes)
        );
        bench(&server, &token, clients, secs);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

fn bench(server: &Server, token: &str, clients: u64, secs: u64) {
    let mut good: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            root().join("plugins/ningbo-port-v1/samples/example.request.json"),
        )
        .unwrap(),
    )
    .unwrap();
    good["model"] = "ningbo/port".into();
    let good = good.to_string();
    let hostile = |model: &str| {
        serde_json::json!({
            "model": model,
            "subject": {"id": "91330100HOSTILE01X", "kind": "enterprise"},
            "as_of": "2026-11-01",
            "base": {"score": 700.0, "grade": "B"},
            "indicators": []
        })
        .to_string()
    };
    let (looping, bomb) = (hostile("test/endless-loop"), hostile("test/memory-bomb"));

    // Warm up: every model loaded (compiled) and the log's first commits.
    for body in [&good, &looping, &bomb] {
        for _ in 0..5 {
            post(&ureq::Agent::new(), &server.url, token, body);
        }
    }

    let phases = [
        phase(&server.url, token, &good, &[], 0, secs, "unloaded"),
        phase(
            &server.url,
            token,
            &good,
            std::slice::from_ref(&looping),
            clients,
            secs,
            "endless-loop",
        ),
        phase(
            &server.url,
            token,
            &good,
            std::slice::from_ref(&bomb),
            clients,
            secs,
            "memory-bomb",
        ),
        phase(
            &server.url,
            token,
            &good,
            &[looping.clone(), bomb.clone()],
            clients,
            secs,
            "both",
        ),
    ];
    let base = phases[0].p99;
    println!(
        "{:<14} {:>9} {:>9} {:>8} {:>8} {:>8}  hostile answers (status: count)",
        "phase", "p50 ms", "p99 ms", "p99 ×", "good n", "good ✗"
    );
    for p in &phases {
        let hostile: Vec<String> = p.hostile.iter().map(|(s, n)| format!("{s}: {n}")).collect();
        println!(
            "{:<14} {:>9.2} {:>9.2} {:>8.2} {:>8} {:>8}  {}",
            p.name,
            ms(p.p50),
            ms(p.p99),
            p.p99.as_secs_f64() / base.as_secs_f64().max(1e-9),
            p.good,
            p.good_failed,
            if hostile.is_empty() {
                "-".to_string()
            } else {
                hostile.join(", ")
            }
        );
    }
}
