//! Batch scoring at provincial scale: a million `ningbo-port` subjects
//! through `scorehost::batch` — sandboxed with the durable audit log,
//! sandboxed without it, the same pipeline with the model compiled natively
//! (with and without the log), and a bare native loop over the same data
//! (the floor). All in one run, on all cores, medians over passes.
//!
//! ```text
//! cargo bench -p scorehost-tests --bench batch
//! SCOREHOST_BENCH_SUBJECTS=200000 SCOREHOST_BENCH_PASSES=3 cargo bench -p scorehost-tests --bench batch
//! ```
//! With `SCOREHOST_EXTISM_RESULT=FILE` (the `EXTISM_RESULT` line that
//! `peer/extism/run.sh` prints), the ratios to Extism are printed too;
//! `scripts/bench-batch.sh` runs both.

use std::io::{BufRead, Write};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use ningbo_port::NingboPort;
use scorehost::audit::{self, AuditWriter};
use scorehost::batch::{self, Format, Job, Log, Progress};
use scorehost::catalog::Catalog;
use scorehost::population::Population;
use scorehost::sandbox::{Limits, Runtime};
use scorehost::scoring::Scorer;
use scorehost::wire::ScoreRequest;
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
    let dir = std::env::temp_dir().join(format!("scorehost-bench-batch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();

    let runtime = Runtime::new(Limits::default()).unwrap();
    let catalog = Catalog::open(runtime.clone(), &dir, None).await.unwrap();
    let registry = catalog.shared_registry();
    scorehost_tests::pin_as_province(&registry, &runtime, "ningbo-port").await;
    let model = catalog
        .load(&"ningbo/port".parse().unwrap(), None)
        .await
        .unwrap()
        .model;
    let native: Arc<dyn Scorer> = Arc::new(Native::<NingboPort>::new(&model));
    let sandboxed: Arc<dyn Scorer> = Arc::new(model);

    // The data: a synthetic population of ningbo-port subjects.
    let input = dir.join("subjects.ndjson");
    {
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

    let key = audit::load_or_create_key(&dir).unwrap();
    let writer = AuditWriter::start(registry.clone(), key).await.unwrap();
    let log = Log {
        writer,
        registry: registry.clone(),
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
            let id = format!("bench-{pass}-{c}");
            let output = dir.join(format!("{id}.ndjson"));
            let job = Job {
                id: id.clone(),
                scorer: (*scorer).clone(),
                caller: "bench".into(),
                log: audited.then(|| log.clone()),
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
    let mut extism = serde_json::Value::Null;
    if let Ok(path) = std::env::var("SCOREHOST_EXTISM_RESULT")
        && let Ok(text) = std::fs::read_to_string(&path)
        && let Some(json) = text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("EXTISM_RESULT "))
        && let Ok(v) = serde_json::from_str::<serde_json::Value>(json)
    {
        if let Some(reused) = v["reused_per_sec"].as_f64() {
            println!(
                "  per subject: scorehost (fresh instance, no audit) / Extism (reused plugin, {} threads)  {:.2}  (target ≥ 1.5)",
                v["threads"],
                unaudited / reused
            );
            println!(
                "  per subject: scorehost (fresh instance, durable audit) / Extism (reused plugin)         {:.2}",
                audited / reused
            );
        }
        extism = v;
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
            "extism": extism,
        })
    );
    drop(log);
    let _ = std::fs::remove_dir_all(&dir);
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
