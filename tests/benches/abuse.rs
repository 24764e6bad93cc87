//! Issue 16's attacks, measured: what each does to a normal app's scoring.
//! Over real HTTP against the real `scorehost serve` (durable audit on
//! SQLite), one client (`app:bank`) scores `ningbo-port` back to back and
//! its latencies are taken — with nothing else running, then while another
//! caller runs one attack:
//!
//! - **proofs**: two clients of `app:prover` alternate a scoring and the
//!   inclusion proof of it;
//! - **import**: the province imports 184,000 indicator rows (16 MiB) again
//!   and again;
//! - **slow bodies**: `app:slow` opens 300 scoring requests that promise a
//!   60 KB body and send a byte every 5 s;
//! - **batch uploads**: `app:uploader` uploads two ~200 MiB NDJSON batches
//!   at once, again and again (last: the runs they start go on).
//!
//! Prints, per phase, the good client's scorings, failures, p50, p99, max
//! and its p99 over the quiet one, and what the attacker got. The server
//! runs on core 0 and this load generator on core 1 (`taskset`).
//! `SCOREHOST_BIN` runs another build, to compare before and after a change
//! in one sitting:
//!
//! ```text
//! scripts/build-plugins.sh && cargo build --release -p scorehost
//! cargo bench -p scorehost-tests --bench abuse
//! SCOREHOST_BIN=/tmp/scorehost-before cargo bench -p scorehost-tests --bench abuse
//! ```
//! `SCOREHOST_BENCH_SECS` sets a phase's length (default 20 s). Not part of
//! the test suite.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use scorehost_tests::http::Server;
use scorehost_tests::load::{ms, pin_cores, score_for};
use scorehost_tests::{approve_on, component, run_on as run, sha256_file};

/// A request's status, or the transport error's kind.
fn outcome(r: Result<ureq::Response, ureq::Error>) -> String {
    match r {
        Ok(r) => r.status().to_string(),
        Err(ureq::Error::Status(s, _)) => s.to_string(),
        Err(e) => format!("error ({})", e.kind()),
    }
}

/// What the attackers got: status → count.
type Seen = Arc<Mutex<BTreeMap<String, u64>>>;

fn count(seen: &Seen, what: String) {
    *seen.lock().unwrap().entry(what).or_default() += 1;
}

fn ningbo_request(id: &str) -> serde_json::Value {
    let mut v = serde_json::to_value(scorehost_tests::example("ningbo-port-v1")).unwrap();
    v["model"] = serde_json::json!("ningbo/port");
    v["subject"]["id"] = serde_json::json!(id);
    v
}

fn main() {
    let secs = std::env::var("SCOREHOST_BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20u64);
    let dir = std::env::temp_dir().join(format!("scorehost-bench-abuse-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let wasm = component("ningbo-port-v1");
    let sha = sha256_file(&wasm);
    let w = wasm.to_str().unwrap();
    run(&dir, &["plugin", "publish", w, "--as", "publisher:ningbo"]);
    approve_on(&dir, "ningbo/port@1.0.0", &sha);
    run(
        &dir,
        &["plugin", "pin", "ningbo/port@1.0.0", "--sha256", &sha],
    );
    let token = |role: &str| {
        let mut args = vec!["token", "create", "--role", role];
        if role.starts_with("app:") {
            args.extend(["--models", "ningbo/port"]);
        }
        run(&dir, &args).trim().to_string()
    };
    let (bank, prover, uploader, slow, province) = (
        token("app:bank"),
        token("app:prover"),
        token("app:uploader"),
        token("app:slow"),
        token("province"),
    );
    // The attackers' bodies, made once.
    let mut batch = Vec::new();
    let mut i = 0;
    while batch.len() < 200 << 20 {
        serde_json::to_writer(&mut batch, &ningbo_request(&format!("91330200MA{i:08}"))).unwrap();
        batch.push(b'\n');
        i += 1;
    }
    let batch = Arc::new(batch);
    let mut import = Vec::new();
    for i in 0..184_000 {
        writeln!(
            import,
            "{{\"subject_id\":\"91330200MB{i:08}\",\"name\":\"years_in_operation\",\"value\":{},\"source\":\"amr-bench\"}}",
            i % 30
        )
        .unwrap();
    }
    let import = Arc::new(import);
    eprintln!(
        "abuse: a {} MiB batch ({i} subjects), a {} MiB import",
        batch.len() >> 20,
        import.len() >> 20
    );

    let server = Server::launch(&dir, None, "127.0.0.1:0", &[]);
    pin_cores(&server);
    let url = server.url.clone();
    let good = serde_json::to_vec(&ningbo_request("91330200MA2AAAAA1X")).unwrap();

    let mut quiet_p99 = None;
    println!(
        "| phase | scorings | failed | p50 | p99 | max | p99 / quiet | the attacker got |\n|---|---|---|---|---|---|---|---|"
    );
    // The batch uploads last: the runs they start go on after their phase.
    for phase in ["quiet", "proofs", "import", "slow bodies", "batch uploads"] {
        let stop = Arc::new(AtomicBool::new(false));
        let seen: Seen = Arc::default();
        let mut attackers = Vec::new();
        let spawn = |f: Box<dyn FnOnce() + Send>| std::thread::spawn(f);
        match phase {
            "proofs" => {
                for _ in 0..2 {
                    let (stop, seen, url, t, body) = (
                        stop.clone(),
                        seen.clone(),
                        url.clone(),
                        prover.clone(),
                        good.clone(),
                    );
                    attackers.push(spawn(Box::new(move || {
                        while !stop.load(Ordering::Relaxed) {
                            let r = ureq::post(&format!("{url}/v1/scores"))
                                .set("Authorization", &format!("Bearer {t}"))
                                .set("Content-Type", "application/json")
                                .send_bytes(&body);
                            let Ok(r) = r else { continue };
                            let v: serde_json::Value = r.into_json().unwrap();
                            let id = v["evaluation_id"].as_str().unwrap_or_default();
                            let p = ureq::get(&format!("{url}/v1/evaluations/{id}/proof"))
                                .set("Authorization", &format!("Bearer {t}"))
                                .call();
                            count(&seen, format!("proof {}", outcome(p)));
                        }
                    })));
                }
            }
            "batch uploads" => {
                for _ in 0..2 {
                    let (stop, seen, url, t, body) = (
                        stop.clone(),
                        seen.clone(),
                        url.clone(),
                        uploader.clone(),
                        batch.clone(),
                    );
                    attackers.push(spawn(Box::new(move || {
                        while !stop.load(Ordering::Relaxed) {
                            let r = ureq::post(&format!("{url}/v1/batches?model=ningbo/port"))
                                .timeout(Duration::from_secs(300))
                                .set("Authorization", &format!("Bearer {t}"))
                                .set("Content-Type", "application/x-ndjson")
                                .send_bytes(&body);
                            count(&seen, format!("upload {}", outcome(r)));
                        }
                    })));
                }
            }
            "import" => {
                let (stop, seen, url, t, body) = (
                    stop.clone(),
                    seen.clone(),
                    url.clone(),
                    province.clone(),
                    import.clone(),
                );
                attackers.push(spawn(Box::new(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let started = Instant::now();
                        let r = ureq::post(&format!("{url}/v1/data/indicators"))
                            .timeout(Duration::from_secs(300))
                            .set("Authorization", &format!("Bearer {t}"))
                            .set("Content-Type", "application/x-ndjson")
                            .send_bytes(&body);
                        count(
                            &seen,
                            format!(
                                "import {} ({:.0} s)",
                                outcome(r),
                                started.elapsed().as_secs_f64()
                            ),
                        );
                    }
                })));
            }
            "slow bodies" => {
                let (stop, seen, addr, t) =
                    (stop.clone(), seen.clone(), server.addr(), slow.clone());
                attackers.push(spawn(Box::new(move || {
                    let head = format!(
                        "POST /v1/scores HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n"
                    );
                    let mut conns: Vec<std::net::TcpStream> = (0..300)
                        .filter_map(|_| {
                            let mut c = std::net::TcpStream::connect(addr).ok()?;
                            c.write_all(head.as_bytes()).ok()?;
                            Some(c)
                        })
                        .collect();
                    count(&seen, format!("{} connections held", conns.len()));
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(Duration::from_secs(5));
                        conns.retain_mut(|c| c.write_all(b" ").is_ok());
                    }
                    count(&seen, format!("{} still open at the end", conns.len()));
                })));
            }
            _ => {}
        }
        // Let the attack get going.
        if phase != "quiet" {
            std::thread::sleep(Duration::from_secs(2));
        }
        let lat = score_for(&format!("{url}/v1/scores"), &bank, &good, secs);
        stop.store(true, Ordering::Relaxed);
        for a in attackers {
            let _ = a.join();
        }
        let p99 = lat.percentile(0.99);
        let quiet = *quiet_p99.get_or_insert(p99);
        let got: Vec<String> = seen
            .lock()
            .unwrap()
            .iter()
            .map(|(k, n)| format!("{k}: {n}"))
            .collect();
        println!(
            "| {phase} | {} | {} | {} | {} | {} | {:.1}x | {} |",
            lat.sorted.len(),
            lat.failed,
            ms(lat.percentile(0.50)),
            ms(p99),
            ms(lat.max()),
            p99.as_secs_f64() / quiet.as_secs_f64().max(1e-9),
            got.join(", ")
        );
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
