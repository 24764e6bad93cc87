//! Batch scoring at provincial scale: a million `ningbo-port` subjects
//! through `scorehost_engine::batch` — sandboxed with the durable audit log,
//! sandboxed without it, the same pipeline with the model compiled natively
//! (with and without the log), and a bare native loop over the same data
//! (the floor). All in one run, on all cores, medians over passes.
//!
//! ```text
//! cargo bench -p scorehost-tests --bench batch
//! SCOREHOST_BENCH_SUBJECTS=200000 SCOREHOST_BENCH_PASSES=3 cargo bench -p scorehost-tests --bench batch
//! ```
//! `SCOREHOST_BENCH_ONLY=NAME` runs only the configurations whose name
//! contains NAME (for profiling). With `SCOREHOST_EXTISM_RESULT=FILE` (the `EXTISM_RESULT` line that
//! `peer/extism/run.sh` prints), the ratios to Extism are printed too;
//! `scripts/bench-batch.sh` runs both.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use ningbo_port_v1::NingboPort;
use scorehost_engine::audit::{self, AuditWriter};
use scorehost_engine::batch::{self, Format, Job, Log, Progress};
use scorehost_engine::catalog::Catalog;
use scorehost_engine::population::Population;
use scorehost_registry::Registry;
use scorehost_runtime::Scorer;
use scorehost_runtime::componentize::componentize;
use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_runtime::wire::ScoreRequest;
use scorehost_sdk::Model as _;
use scorehost_sdk::testing::sandbox::{Native, from_host_request};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run(threads));
}

async fn run(threads: usize) {
    let subjects = env_u64("SCOREHOST_BENCH_SUBJECTS", 1_000_000);
    let passes = env_u64("SCOREHOST_BENCH_PASSES", 1).max(1) as usize;
    // SCOREHOST_BENCH_ONLY=sandboxed (say): only the configurations whose
    // name contains it, for profiling one of them.
    let only = std::env::var("SCOREHOST_BENCH_ONLY").unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("scorehost-bench-batch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let runtime = Runtime::new(Limits::default()).unwrap();
    let catalog = Catalog::open(runtime.clone(), &dir, None).await.unwrap();
    let registry = catalog.shared_registry();
    // The model as `scorehost plugin build` makes it (the fast path: no
    // WASI to set up per instance); SCOREHOST_BENCH_WASIP2=1 pins the plain
    // `cargo build --target wasm32-wasip2` component instead.
    let wasip2 = std::env::var("SCOREHOST_BENCH_WASIP2").is_ok_and(|v| v == "1");
    let bytes = if wasip2 {
        std::fs::read(scorehost_tests::component("ningbo-port-v1")).unwrap()
    } else {
        componentize(&std::fs::read(scorehost_tests::core_module()).unwrap()).unwrap()
    };
    {
        use scorehost_registry::Actor;
        let p = registry
            .publish(
                &Actor::province(),
                &bytes,
                &scorehost_engine::catalog::SandboxCheck(&runtime),
            )
            .await
            .unwrap();
        let r = p.version.reference.parse().unwrap();
        for reviewer in ["Bench Reviewer A", "Bench Reviewer B"] {
            registry
                .approve(
                    &Actor::province_person(reviewer).unwrap(),
                    &r,
                    &p.version.sha256,
                )
                .await
                .unwrap();
        }
        registry
            .pin(&Actor::province(), &r, &p.version.sha256)
            .await
            .unwrap();
    }
    println!(
        "ningbo/port as {}",
        if wasip2 {
            "a wasm32-wasip2 component"
        } else {
            "built by `scorehost plugin build` (fast path)"
        }
    );
    let model = catalog
        .load(&"ningbo/port".parse().unwrap(), None)
        .await
        .unwrap()
        .model;
    let native: Arc<dyn Scorer> = Arc::new(Native::<NingboPort>::new(&model));
    let sandboxed: Arc<dyn Scorer> = Arc::new(model);

    // The data: a synthetic population of ningbo-port subjects (or the
    // file SCOREHOST_BENCH_INPUT names, e.g. the one the Extism bench reads).
    let given = std::env::var_os("SCOREHOST_BENCH_INPUT").map(std::path::PathBuf::from);
    let input = given.clone().unwrap_or_else(|| dir.join("subjects.ndjson"));
    let subjects = match &given {
        Some(path) => batch::count_lines(path).unwrap(),
        None => subjects,
    };
    if given.is_none() {
        let started = Instant::now();
        let as_of = time::OffsetDateTime::now_utc().date();
        let mut population = Population::new(sandboxed.info(), as_of, 2020);
        let mut out = std::io::BufWriter::new(std::fs::File::create(&input).unwrap());
        for _ in 0..subjects {
            serde_json::to_writer(&mut out, &population.next_request()).unwrap();
            out.write_all(b"\n").unwrap();
        }
        out.flush().unwrap();
        println!(
            "{subjects} subjects generated in {:.1} s ({:.0} MB)",
            started.elapsed().as_secs_f64(),
            std::fs::metadata(&input).unwrap().len() as f64 / 1e6
        );
    }

    // Every audited run gets a log of its own, empty at its start, so that
    // each measures the same thing (a log millions of records longer is
    // somewhat slower to append to; the first pass of a run shows it).
    let fresh_log = |name: String| {
        let dir = dir.join(name);
        async move {
            let registry = Arc::new(Registry::open(&dir, None).await.unwrap());
            let key = audit::load_or_create_key(&dir).unwrap();
            let writer = AuditWriter::start(registry.clone(), key).await.unwrap();
            (Log { writer, registry }, dir)
        }
    };

    let configs: [(&str, &Arc<dyn Scorer>, bool); 4] = [
        ("sandboxed, durable audit", &sandboxed, true),
        ("sandboxed, no audit", &sandboxed, false),
        ("native pipeline, durable audit", &native, true),
        ("native pipeline, no audit", &native, false),
    ];
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); configs.len() + 1];
    for pass in 0..passes {
        for (c, (name, scorer, audited)) in configs.iter().enumerate() {
            if !only.is_empty() && !name.contains(only.as_str()) {
                rates[c].push(f64::NAN);
                continue;
            }
            let id = format!("bench-{pass}-{c}");
            let output = dir.join(format!("{id}.ndjson"));
            let log = match audited {
                true => Some(fresh_log(id.clone()).await),
                false => None,
            };
            let job = Job {
                id: id.clone(),
                scorer: (*scorer).clone(),
                caller: "bench".into(),
                log: log.as_ref().map(|(log, _)| log.clone()),
                consent_app: None,
                input: input.clone(),
                format: Format::Ndjson,
                output: output.clone(),
            };
            let started = Instant::now();
            let finished = batch::run(job, Arc::new(Progress::default()))
                .await
                .unwrap();
            let secs = started.elapsed().as_secs_f64();
            assert_eq!(finished.summary.items, subjects);
            let rate = subjects as f64 / secs;
            println!(
                "pass {pass}: {name:<32} {secs:>6.1} s  {rate:>9.0} subjects/s  ({} scored, {} failed)",
                finished.summary.scored, finished.summary.failed
            );
            rates[c].push(rate);
            let _ = std::fs::remove_file(&output);
            if let Some((log, log_dir)) = log {
                drop(log);
                let _ = std::fs::remove_dir_all(log_dir);
            }
        }
        let started = Instant::now();
        let scored = native_loop(&input, sandboxed.as_ref(), threads);
        let secs = started.elapsed().as_secs_f64();
        println!(
            "pass {pass}: {:<32} {secs:>6.1} s  {:>9.0} subjects/s  ({scored} scored)",
            "native loop (the floor)",
            subjects as f64 / secs
        );
        rates[configs.len()].push(subjects as f64 / secs);
    }

    // Per subject, lines in memory, as the Extism bench calls its plugin:
    // decode the JSON request, score it in a fresh instance, encode the
    // JSON answer.
    let text = std::fs::read_to_string(&input).unwrap();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut per_subject = Vec::new();
    let mut per_subject_1 = Vec::new();
    for _ in 0..3 {
        per_subject.push(in_memory(&lines, sandboxed.as_ref(), threads));
        per_subject_1.push(in_memory(
            &lines[..lines.len().min(100_000)],
            sandboxed.as_ref(),
            1,
        ));
    }
    let (per_subject, per_subject_1) = (median(per_subject), median(per_subject_1));
    println!(
        "\nper subject, in memory (decode JSON, fresh instance, encode JSON): {per_subject:.0} subjects/s on {threads} threads, {:.2} µs per subject on 1 thread",
        1e6 / per_subject_1
    );

    let m: Vec<f64> = rates.into_iter().map(median).collect();
    let (audited, unaudited, native_audited, native_unaudited, floor) =
        (m[0], m[1], m[2], m[3], m[4]);
    println!("\nmedians over {passes} pass(es), {subjects} subjects, {threads} threads:");
    for (name, rate) in [
        ("sandboxed, durable audit", audited),
        ("sandboxed, no audit", unaudited),
        ("native pipeline, durable audit", native_audited),
        ("native pipeline, no audit", native_unaudited),
        ("native loop (the floor)", floor),
    ] {
        println!(
            "  {name:<32} {rate:>9.0} subjects/s  {:>5.2} of the floor",
            rate / floor
        );
    }
    println!("\nratios:");
    println!(
        "  sandboxed: audited / unaudited                       {:.2}  (target ≥ 0.50)",
        audited / unaudited
    );
    println!(
        "  audited pipeline: sandboxed / native                 {:.2}  (target ≥ 0.50)",
        audited / native_audited
    );
    println!(
        "  unaudited pipeline: sandboxed / native               {:.2}",
        unaudited / native_unaudited
    );
    println!(
        "  1M subjects with durable audit                       {:.1} s  (target < 30 s)",
        1e6 / audited
    );
    // The Extism results: one EXTISM_RESULT line per thread count.
    let extism: Vec<serde_json::Value> = std::env::var("SCOREHOST_EXTISM_RESULT")
        .ok()
        .and_then(|path| std::fs::read_to_string(path).ok())
        .map(|text| {
            text.lines()
                .filter_map(|l| l.strip_prefix("EXTISM_RESULT "))
                .filter_map(|j| serde_json::from_str(j).ok())
                .collect()
        })
        .unwrap_or_default();
    for v in &extism {
        let (Some(reused), Some(t)) = (v["reused_per_sec"].as_f64(), v["threads"].as_u64()) else {
            continue;
        };
        let ours = match t as usize {
            1 => per_subject_1,
            t if t == threads => per_subject,
            _ => continue,
        };
        println!(
            "  per subject, in memory, {t} thread(s): scorehost fresh instance / Extism reused plugin   {:.2}  ({ours:.0} vs {reused:.0} subjects/s; target ≥ 1.5)",
            ours / reused
        );
        if t as usize == threads {
            println!(
                "  whole batch pipeline (read, write, order), no audit / Extism in-memory calls     {:.2}",
                unaudited / reused
            );
            println!(
                "  whole batch pipeline with durable audit / Extism in-memory calls (no log)       {:.2}",
                audited / reused
            );
        }
    }
    println!(
        "BATCH_RESULT {}",
        serde_json::json!({
            "subjects": subjects,
            "threads": threads,
            "passes": passes,
            "sandboxed_audited_per_sec": audited,
            "sandboxed_per_sec": unaudited,
            "native_audited_per_sec": native_audited,
            "native_per_sec": native_unaudited,
            "native_loop_per_sec": floor,
            "per_subject_in_memory_per_sec": per_subject,
            "per_subject_in_memory_us_1_thread": 1e6 / per_subject_1,
            "extism": extism,
        })
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Subjects per second over `lines` on `threads` threads: decode each JSON
/// request, evaluate it in a fresh instance, encode the JSON answer.
fn in_memory(lines: &[&str], model: &dyn Scorer, threads: usize) -> f64 {
    let started = Instant::now();
    let share = lines.len().div_ceil(threads);
    let scored = AtomicU64::new(0);
    std::thread::scope(|s| {
        for chunk in lines.chunks(share) {
            let scored = &scored;
            s.spawn(move || {
                for line in chunk {
                    let wire: ScoreRequest = serde_json::from_str(line).unwrap();
                    let req = wire.convert(model.info()).unwrap();
                    if let Ok(outcome) = model.evaluate(&req) {
                        let answer =
                            serde_json::to_string(&model.response(&req, &outcome)).unwrap();
                        std::hint::black_box(answer);
                        scored.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    assert_eq!(scored.into_inner(), lines.len() as u64);
    lines.len() as f64 / started.elapsed().as_secs_f64()
}

/// The floor: read each line, decode it, evaluate it natively — nothing
/// else (no sandbox, no output, no log) — on `threads` threads.
fn native_loop(input: &Path, model: &dyn Scorer, threads: usize) -> u64 {
    let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<String>>(64);
    let rx = Mutex::new(rx);
    let scored = AtomicU64::new(0);
    let info = model.info();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let Ok(chunk) = rx.lock().unwrap().recv() else {
                        return;
                    };
                    for line in chunk {
                        let wire: ScoreRequest = serde_json::from_str(&line).unwrap();
                        let req = wire.to_request(info).unwrap();
                        if NingboPort::evaluate(&from_host_request(&req)).is_ok() {
                            scored.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            });
        }
        let reader = std::io::BufReader::new(std::fs::File::open(input).unwrap());
        let mut chunk = Vec::with_capacity(1024);
        for line in reader.lines() {
            chunk.push(line.unwrap());
            if chunk.len() == 1024 {
                tx.send(std::mem::take(&mut chunk)).unwrap();
            }
        }
        tx.send(chunk).unwrap();
        drop(tx);
    });
    scored.into_inner()
}
