//! Benchmark: the audit log.
//!
//! 1. Durable audited evaluations per second (SQLite, 2 threads, group
//!    commit) against unaudited evaluations per second, in one run.
//! 2. `verify` over a log of `SCOREHOST_BENCH_RECORDS` records (default one
//!    million), and an inclusion proof's size and verification time there.
//!
//! Run with `cargo bench -p scorehost-tests --bench audit` after
//! `scripts/build-plugins.sh`. Part 2 writes about 1 GB to the temp dir and
//! takes a minute or two.

use std::sync::Arc;

/// The allocator the `scorehost` binary uses (see its `main.rs`).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::time::Instant;

use scorehost_audit::checkpoint::InclusionProof;
use scorehost_engine::audit::{self, AuditWriter, Evaluated};
use scorehost_engine::catalog::Catalog;
use scorehost_registry::Registry;
use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_tests::example;

/// CPU seconds this process has used (user + system), from /proc.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields of the whole line, in clock ticks (100 a second
    // on Linux).
    let after = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// CPU seconds used so far by this process's threads named `name`.
fn thread_cpu_seconds(name: &str) -> f64 {
    let mut total = 0.0;
    for task in std::fs::read_dir("/proc/self/task")
        .into_iter()
        .flatten()
        .flatten()
    {
        let comm = std::fs::read_to_string(task.path().join("comm")).unwrap_or_default();
        if comm.trim() != name {
            continue;
        }
        let stat = std::fs::read_to_string(task.path().join("stat")).unwrap_or_default();
        let after = stat.rsplit(')').next().unwrap_or_default();
        let f: Vec<&str> = after.split_whitespace().collect();
        let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        total += (ticks(11) + ticks(12)) / 100.0;
    }
    total
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let dir = std::env::temp_dir().join(format!("scorehost-bench-audit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let runtime = Runtime::new(Limits::default()).unwrap();
    let catalog = Catalog::open(runtime.clone(), &dir, None).await.unwrap();
    let reg = catalog.registry();
    scorehost_tests::pin_as_province(reg, &runtime, "ningbo-port-v1").await;
    let model = Arc::new(
        catalog
            .load(&"ningbo/port".parse().unwrap(), None)
            .await
            .unwrap()
            .model,
    );
    let key = audit::load_or_create_key(&dir).unwrap();
    let writer = AuditWriter::start(
        Arc::new(Registry::open(&dir, None).await.unwrap()),
        key.clone_key(),
    )
    .await
    .unwrap();
    let req = example("ningbo-port-v1").to_request(model.info()).unwrap();

    // One evaluation, to record again and again (parts 0 and 2).
    let result = model.evaluate(&req).map_err(scorehost_engine::Error::from);
    let response = result.as_ref().ok().map(|o| model.response(&req, o));
    let model_ref = model.model_ref();
    let ev = Evaluated {
        caller: "app:bench",
        model: &model_ref,
        limits: model.limits(),
        req: &req,
        result: &result,
        response: response.as_ref(),
        batch: None,
        withheld: &[],
        from_store: false,
    };

    // 0. What building a record costs the evaluating thread (serialising
    // the white box and the input, the salted commitment).
    {
        let t = Instant::now();
        for _ in 0..20_000 {
            std::hint::black_box(audit::evaluation_record(&ev).unwrap());
        }
        let record = t.elapsed().as_secs_f64() / 20_000.0 * 1e6;
        let t = Instant::now();
        for _ in 0..20_000 {
            std::hint::black_box(model.response(&req, result.as_ref().unwrap()));
        }
        println!(
            "building a record: {record:.1} µs (the wire response alone: {:.1} µs)",
            t.elapsed().as_secs_f64() / 20_000.0 * 1e6
        );
    }

    // 1. Throughput. A request is what a service serves: one task that
    // evaluates, builds the wire answer and (audited) waits until its record
    // is durable. SCOREHOST_BENCH_IN_FLIGHT requests in flight (default
    // 1024, as a busy service has), on 2 worker threads, for both passes;
    // the driver that starts them runs on the same workers.
    let in_flight: usize = std::env::var("SCOREHOST_BENCH_IN_FLIGHT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    const REQUESTS: usize = 25_600;
    let pass = |audited: bool| {
        let (writer, model, req) = (writer.clone(), model.clone(), req.clone());
        async move {
            let t = Instant::now();
            let cpu = cpu_seconds();
            let driver = tokio::spawn(async move {
                let slots = Arc::new(tokio::sync::Semaphore::new(in_flight));
                let mut requests = Vec::with_capacity(REQUESTS);
                for _ in 0..REQUESTS {
                    let slot = slots.clone().acquire_owned().await.unwrap();
                    let (writer, model, req) = (writer.clone(), model.clone(), req.clone());
                    requests.push(tokio::spawn(async move {
                        let result = model.evaluate(&req).map_err(scorehost_engine::Error::from);
                        let response = result.as_ref().ok().map(|o| model.response(&req, o));
                        if audited {
                            let model_ref = model.model_ref();
                            let ev = Evaluated {
                                caller: "app:bench",
                                model: &model_ref,
                                limits: model.limits(),
                                req: &req,
                                result: &result,
                                response: response.as_ref(),
                                batch: None,
                                withheld: &[],
                                from_store: false,
                            };
                            writer.record(&ev).await.unwrap();
                        }
                        std::hint::black_box(response.unwrap());
                        drop(slot);
                    }));
                }
                for r in requests {
                    r.await.unwrap();
                }
            });
            driver.await.unwrap();
            let n = REQUESTS as f64;
            (
                n / t.elapsed().as_secs_f64(),
                (cpu_seconds() - cpu) / n * 1e6,
            )
        }
    };
    // The floor: evaluations back to back on the 2 workers, no request
    // handling at all.
    let floor = {
        let (model, req) = (model.clone(), req.clone());
        let t = Instant::now();
        let loops: Vec<_> = (0..2)
            .map(|_| {
                let (model, req) = (model.clone(), req.clone());
                tokio::spawn(async move {
                    for _ in 0..REQUESTS / 2 {
                        std::hint::black_box(model.evaluate(&req).unwrap());
                    }
                })
            })
            .collect();
        for l in loops {
            l.await.unwrap();
        }
        REQUESTS as f64 / t.elapsed().as_secs_f64()
    };
    let (mut plain, mut audited, mut plain_cpu, mut audited_cpu) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut writer_cpu = 0.0;
    for _ in 0..3 {
        let (rate, cpu) = pass(false).await;
        plain.push(rate);
        plain_cpu.push(cpu);
        let before = thread_cpu_seconds("scorehost-audit");
        let (rate, cpu) = pass(true).await;
        writer_cpu += thread_cpu_seconds("scorehost-audit") - before;
        audited.push(rate);
        audited_cpu.push(cpu);
    }
    let (plain, audited) = (median(plain), median(audited));
    println!(
        "ningbo-port, {REQUESTS} requests per pass, {in_flight} in flight, 2 worker threads, SQLite (medians of 3 passes)"
    );
    println!("  evaluations/s back to back, no requests (the floor): {floor:>10.0}");
    println!(
        "  unaudited evaluations/s:          {plain:>10.0}  ({:.1} µs of CPU each)",
        median(plain_cpu)
    );
    println!(
        "  durable audited evaluations/s:    {audited:>10.0}  ({:.1} µs of CPU each; {} group commits so far)",
        median(audited_cpu),
        writer.commits()
    );
    println!(
        "  audited / unaudited:              {:>10.2}",
        audited / plain
    );
    println!(
        "  the log writer's thread:          {:>10.1} µs of CPU per record (mean)",
        writer_cpu / (3 * REQUESTS) as f64 * 1e6
    );

    // 2. Scale: a log of N records.
    let n: usize = std::env::var("SCOREHOST_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    if n == 0 {
        // SCOREHOST_BENCH_RECORDS=0: the throughput part only.
        return;
    }
    let existing = reg.log_leaf_hashes().await.unwrap().len();
    let t = Instant::now();
    let mut left = n.saturating_sub(existing);
    while left > 0 {
        let batch: Vec<_> = (0..left.min(5_000))
            .map(|_| audit::evaluation_record(&ev).unwrap())
            .collect();
        left -= batch.len();
        reg.append_records(batch).await.unwrap();
    }
    let fill = t.elapsed().as_secs_f64();
    audit::checkpoint(reg, &key).await.unwrap();
    let t = Instant::now();
    let report = audit::verify(reg, &key.public_key_hex()).await.unwrap();
    let verify = t.elapsed().as_secs_f64();
    let entries = reg.log_entries().await.unwrap();
    let id = entries[entries.len() / 2].id.clone();
    drop(entries);
    let t = Instant::now();
    let proof = audit::proof(reg, &key, &id).await.unwrap();
    let prove = t.elapsed().as_secs_f64();
    let json = serde_json::to_string(&proof).unwrap();
    let back: InclusionProof = serde_json::from_str(&json).unwrap();
    let public = key.public_key_hex();
    let check = median(
        (0..2001)
            .map(|_| {
                let t = Instant::now();
                back.verify(&public, None).unwrap();
                t.elapsed().as_nanos() as f64
            })
            .collect(),
    );
    println!(
        "a log of {} records (filled in {fill:.1} s)",
        report.records
    );
    println!(
        "  audit verify (recompute every leaf and the tree, check checkpoints): {verify:.1} s"
    );
    println!(
        "  inclusion proof: {} hashes, {} bytes as JSON; built in {prove:.2} s",
        proof.path.len(),
        json.len()
    );
    println!(
        "  offline proof check (signature + path), median: {:.1} µs",
        check / 1e3
    );
    // The service's path: a writer started over this log builds its tree
    // once (and signs a checkpoint of it), then answers each proof from
    // the tree under that checkpoint, without the database.
    drop(writer);
    let t = Instant::now();
    let service_writer = AuditWriter::start(
        Arc::new(Registry::open(&dir, None).await.unwrap()),
        key.clone_key(),
    )
    .await
    .unwrap();
    let start = t.elapsed().as_secs_f64();
    let size = report.records;
    let mut times: Vec<f64> = (0..2001u64)
        .map(|i| {
            let seq = i * 7919 % size;
            let t = Instant::now();
            let p = service_writer.proof(seq).unwrap();
            let took = t.elapsed().as_nanos() as f64;
            assert_eq!(p.leaf_index, seq);
            took
        })
        .collect();
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    println!(
        "  service: writer start (tree of every leaf, one checkpoint): {start:.2} s; an inclusion proof from its tree: median {:.1} µs, p99 {:.1} µs ({:.0}x faster than building one from the leaves)",
        times[times.len() / 2] / 1e3,
        times[times.len() * 99 / 100] / 1e3,
        prove * 1e9 / times[times.len() / 2]
    );
    let _ = std::fs::remove_dir_all(&dir);
}
