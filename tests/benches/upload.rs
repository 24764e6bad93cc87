//! Uploads as an attack: does a caller's large module upload stall
//! everyone's scoring? Over real HTTP against the real `scorehost serve`
//! (durable audit on SQLite), one client scores `ningbo-port` back to back
//! and its latencies are taken — with nothing else running, then while two
//! clients upload a compile-heavy ~30 MB component as an **app** (which may
//! not publish at all), then while the rightful publisher uploads it (it is
//! compiled, then refused: it is not a scoring model). Prints p50, p99 and
//! max of the good client in each phase, the ratio of each p99 to the quiet
//! one, and what the uploaders got.
//!
//! The server runs on core 0 and this load generator on core 1
//! (`taskset`). `SCOREHOST_BIN` runs another build of the binary, to
//! measure before and after a change in one sitting:
//!
//! ```text
//! scripts/build-plugins.sh && cargo build --release -p scorehost
//! cargo bench -p scorehost-tests --bench upload
//! SCOREHOST_BIN=/tmp/scorehost-before cargo bench -p scorehost-tests --bench upload
//! ```
//! `SCOREHOST_BENCH_SECS` sets a phase's length (default 20 s: one heavy
//! compile takes several seconds). Not part of the test suite.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use scorehost_tests::http::Server;
use scorehost_tests::load::{ms, pin_cores, score_for};
use scorehost_tests::{approve_on, binary, component, run_on as run, sha256_file};

/// A component whose one core module holds `functions` functions of
/// straight-line arithmetic: valid, about 300 bytes of code each, and
/// costly to compile. It does not implement the scoring world, so a
/// publish compiles it and then refuses it.
fn heavy_component(functions: usize) -> Vec<u8> {
    let mut body = String::from("i32.const 1\n");
    for i in 0..60 {
        body.push_str(&format!(
            "i32.const {}\ni32.add\ni32.const 3\ni32.mul\n",
            i + 7
        ));
    }
    let mut wat = String::from("(component (core module\n");
    for _ in 0..functions {
        wat.push_str("(func (result i32)\n");
        wat.push_str(&body);
        wat.push_str(")\n");
    }
    wat.push_str("))");
    wat::parse_str(&wat).expect("a valid component")
}

struct Phase {
    name: &'static str,
    scores: usize,
    failed: usize,
    p50: Duration,
    p99: Duration,
    max: Duration,
    uploads: Vec<String>,
}

fn main() {
    let secs = std::env::var("SCOREHOST_BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20u64);
    let dir = std::env::temp_dir().join(format!("scorehost-bench-upload-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let wasm = component("ningbo-port-v1");
    let sha = sha256_file(&wasm);
    run(
        &dir,
        &[
            "plugin",
            "publish",
            wasm.to_str().unwrap(),
            "--as",
            "publisher:ningbo",
        ],
    );
    approve_on(&dir, "ningbo/port@1.0.0", &sha);
    run(
        &dir,
        &["plugin", "pin", "ningbo/port@1.0.0", "--sha256", &sha],
    );
    let app = run(
        &dir,
        &[
            "token",
            "create",
            "--role",
            "app:bank",
            "--models",
            "ningbo/port",
        ],
    )
    .trim()
    .to_string();
    let publisher = run(&dir, &["token", "create", "--role", "publisher:ningbo"])
        .trim()
        .to_string();
    let heavy = Arc::new(heavy_component(45_000));
    eprintln!("upload: a {} byte component", heavy.len());

    let server = Server::launch(&dir, None, "127.0.0.1:0", &[]);
    // The server on core 0 (all its threads), this generator on core 1.
    pin_cores(&server);
    let request = serde_json::to_vec(&scorehost_tests::example("ningbo-port-v1")).unwrap();
    let score_url = format!("{}/v1/scores", server.url);
    let upload_url = format!("{}/v1/plugins/ningbo/port/versions/1.0.0", server.url);

    let mut phases = Vec::new();
    for (name, uploader) in [
        ("quiet", None),
        ("2 app uploads", Some(app.clone())),
        ("publisher upload", Some(publisher.clone())),
    ] {
        let stop = Arc::new(AtomicBool::new(false));
        let uploads: Vec<_> = uploader
            .iter()
            .flat_map(|token| {
                let n = if token == &app { 2 } else { 1 };
                (0..n).map(|_| token.clone()).collect::<Vec<_>>()
            })
            .map(|token| {
                let (stop, heavy, url) = (stop.clone(), heavy.clone(), upload_url.clone());
                std::thread::spawn(move || {
                    let mut seen = Vec::new();
                    while !stop.load(Ordering::Relaxed) {
                        let started = Instant::now();
                        let r = ureq::post(&url)
                            .timeout(Duration::from_secs(120))
                            .set("Authorization", &format!("Bearer {token}"))
                            .set("Content-Type", "application/wasm")
                            .send_bytes(&heavy);
                        let status = match r {
                            Ok(r) => r.status().to_string(),
                            Err(ureq::Error::Status(s, _)) => s.to_string(),
                            Err(e) => format!("error ({})", e.kind()),
                        };
                        seen.push(format!("{status} in {}", ms(started.elapsed())));
                        if status.starts_with("error") {
                            std::thread::sleep(Duration::from_millis(50));
                        }
                    }
                    seen
                })
            })
            .collect();
        let lat = score_for(&score_url, &app, &request, secs);
        stop.store(true, Ordering::Relaxed);
        let mut seen = Vec::new();
        for u in uploads {
            seen.extend(u.join().unwrap());
        }
        phases.push(Phase {
            name,
            scores: lat.sorted.len(),
            failed: lat.failed,
            p50: lat.percentile(0.50),
            p99: lat.percentile(0.99),
            max: lat.max(),
            uploads: seen,
        });
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);

    let quiet = phases[0].p99.as_secs_f64().max(1e-9);
    println!("binary: {}", binary().display());
    println!("| phase | scores | failed | p50 | p99 | max | p99 / quiet p99 |");
    println!("|---|---|---|---|---|---|---|");
    for p in &phases {
        println!(
            "| {} | {} | {} | {} | {} | {} | {:.1}× |",
            p.name,
            p.scores,
            p.failed,
            ms(p.p50),
            ms(p.p99),
            ms(p.max),
            p.p99.as_secs_f64() / quiet
        );
    }
    for p in &phases {
        if !p.uploads.is_empty() {
            let shown: Vec<_> = p.uploads.iter().take(6).cloned().collect();
            println!(
                "{}: {} uploads answered: {}{}",
                p.name,
                p.uploads.len(),
                shown.join(", "),
                if p.uploads.len() > 6 { ", …" } else { "" }
            );
        }
    }
}
