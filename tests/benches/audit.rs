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
use std::time::Instant;

use scorehost::audit::{self, AuditWriter, Evaluated};
use scorehost::catalog::Catalog;
use scorehost::sandbox::{Limits, Runtime};
use scorehost_audit::checkpoint::InclusionProof;
use scorehost_registry::Registry;
use scorehost_tests::example;

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
    scorehost_tests::pin_as_province(reg, &runtime, "ningbo-port").await;
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
    let req = example("ningbo-port").to_request(model.info()).unwrap();

    // 1. Throughput: SCOREHOST_BENCH_IN_FLIGHT requests in flight (default
    // 1024, as a busy service has) on 2 worker threads.
    let in_flight: usize = std::env::var("SCOREHOST_BENCH_IN_FLIGHT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1024);
    let per_task: usize = 25_600 / in_flight;
    let pass = |audited: bool| {
        let (writer, model, req) = (writer.clone(), model.clone(), req.clone());
        async move {
            let t = Instant::now();
            let tasks: Vec<_> = (0..in_flight)
                .map(|_| {
                    let (writer, model, req) = (writer.clone(), model.clone(), req.clone());
                    tokio::spawn(async move {
                        for _ in 0..per_task {
                            let result = model.evaluate(&req);
                            if audited {
                                let response =
                                    result.as_ref().ok().map(|o| model.response(&req, o));
                                let model_ref = model.model_ref();
                                let ev = Evaluated {
                                    caller: "app:bench",
                                    model: &model_ref,
                                    limits: model.limits(),
                                    req: &req,
                                    result: &result,
                                    response: response.as_ref(),
                                };
                                writer.record(&ev).await.unwrap();
                            } else {
                                std::hint::black_box(result.unwrap());
                            }
                        }
                    })
                })
                .collect();
            for t in tasks {
                t.await.unwrap();
            }
            (in_flight * per_task) as f64 / t.elapsed().as_secs_f64()
        }
    };
    let mut plain = Vec::new();
    let mut audited = Vec::new();
    for _ in 0..3 {
        plain.push(pass(false).await);
        audited.push(pass(true).await);
    }
    let (plain, audited) = (median(plain), median(audited));
    println!(
        "ningbo-port, {} evaluations per pass, 2 worker threads, SQLite (medians of 3 passes)",
        in_flight * per_task
    );
    println!("  unaudited evaluations/s:          {plain:>10.0}");
    println!(
        "  durable audited evaluations/s:    {audited:>10.0}  (group commit: {} commits so far)",
        writer.commits()
    );
    println!(
        "  audited / unaudited:              {:>10.2}",
        audited / plain
    );

    // 2. Scale: a log of N records.
    let n: usize = std::env::var("SCOREHOST_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let existing = reg.log_entries().await.unwrap().len();
    let result = model.evaluate(&req);
    let response = result.as_ref().ok().map(|o| model.response(&req, o));
    let model_ref = model.model_ref();
    let ev = Evaluated {
        caller: "app:bench",
        model: &model_ref,
        limits: model.limits(),
        req: &req,
        result: &result,
        response: response.as_ref(),
    };
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
    let _ = std::fs::remove_dir_all(&dir);
}
