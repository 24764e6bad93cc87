//! Benchmark: what a composite of k steps costs against one evaluation —
//! the aim is close to k (no overhead beyond the steps). The
//! composite is the bundled `hangzhou-credit-code` (k = 2: Qianjiang 3.0.0
//! fed into the credit code 2.0.0), on a stored Hangzhou resident.
//!
//! - in process: `Engine` with its group-commit writer, one request at a
//!   time: Qianjiang alone, the credit code alone (each recorded), and the
//!   composite (both steps and the composite's record);
//! - over HTTP: `scorehost serve` on core 0 (`taskset -c 0`), this client
//!   on core 1, one connection, closed loop: `POST /v1/scores` (Qianjiang,
//!   from the store) against `POST /v1/composites/hangzhou-credit-code/scores`.
//!
//! Run with `taskset -c 1 cargo bench -p scorehost-tests --bench composite`
//! after `scripts/build-plugins.sh` and `cargo build --release -p scorehost`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use scorehost_engine::Engine;
use scorehost_engine::composite;
use scorehost_engine::scoring::Recorder;
use scorehost_registry::ModelName;
use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_tests::{approve_on, root, run_on, sha256_file};
use serde_json::json;

const ID: &str = "330106199001011234";
const SAMPLES: usize = 2_000;

fn summary(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[v.len() * 99 / 100])
}

fn pin(dir: &std::path::Path, package: &str, reference: &str, publisher: &str) {
    let wasm = scorehost_tests::component(package);
    let sha = sha256_file(&wasm);
    run_on(
        dir,
        &[
            "plugin",
            "publish",
            wasm.to_str().unwrap(),
            "--as",
            publisher,
        ],
    );
    approve_on(dir, reference, &sha);
    run_on(dir, &["plugin", "pin", reference, "--sha256", &sha]);
}

fn main() {
    let dir =
        std::env::temp_dir().join(format!("scorehost-bench-composite-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    pin(
        &dir,
        "hangzhou-qianjiang",
        "hangzhou/qianjiang@3.0.0",
        "publisher:hangzhou",
    );
    pin(
        &dir,
        "credit-code",
        "zhejiang/credit-code@2.0.0",
        "publisher:zhejiang",
    );
    let example = scorehost_tests::example("hangzhou-qianjiang");
    std::fs::write(
        dir.join("bases.ndjson"),
        json!({"subject_id": ID, "kind": "natural-person", "score": 742.5, "grade": "B", "source": "bench"}).to_string(),
    )
    .unwrap();
    let indicators: Vec<String> = example
        .indicators
        .iter()
        .map(|i| json!({"subject_id": ID, "name": i.name, "value": i.value, "source": "bench"}).to_string())
        .chain([
            json!({"subject_id": ID, "name": "city_model", "value": "hangzhou/qianjiang", "source": "bench"}).to_string(),
            json!({"subject_id": ID, "name": "city_score", "value": 600, "source": "bench"}).to_string(),
        ])
        .collect();
    std::fs::write(dir.join("indicators.ndjson"), indicators.join("\n")).unwrap();
    let path = |f: &str| dir.join(f).to_str().unwrap().to_string();
    run_on(&dir, &["data", "import", "bases", &path("bases.ndjson")]);
    run_on(
        &dir,
        &["data", "import", "indicators", &path("indicators.ndjson")],
    );
    let def = root().join("examples/composites/hangzhou-credit-code.json");
    run_on(
        &dir,
        &[
            "composite",
            "define",
            "hangzhou-credit-code",
            "--file",
            def.to_str().unwrap(),
        ],
    );
    let shown: serde_json::Value = serde_json::from_str(&run_on(
        &dir,
        &["composite", "show", "hangzhou-credit-code", "--json"],
    ))
    .unwrap();
    let sha = shown["pending"]["sha256"].as_str().unwrap().to_string();
    for reviewer in scorehost_tests::DEFINITION_REVIEWERS {
        run_on(
            &dir,
            &[
                "composite",
                "approve",
                "hangzhou-credit-code",
                "--sha256",
                &sha,
                "--as",
                reviewer,
            ],
        );
    }
    for model in ["hangzhou/qianjiang", "zhejiang/credit-code"] {
        run_on(
            &dir,
            &[
                "consent",
                "grant",
                "--subject",
                ID,
                "--app",
                "bench",
                "--model",
                model,
                "--until",
                "2099-12-31",
            ],
        );
    }

    // In process.
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (single_q, single_c, comp) = rt.block_on(async {
        let engine = Arc::new(
            Engine::open(Runtime::new(Limits::default()).unwrap(), &dir, None)
                .await
                .unwrap(),
        );
        let registry = engine.catalog.registry();
        let today = scorehost_engine::completion::today();
        let one = |name: &'static str| {
            let engine = engine.clone();
            let today = today.clone();
            async move {
                let model = engine
                    .pinned_model(&name.parse::<ModelName>().unwrap())
                    .await
                    .unwrap();
                let mut times = Vec::with_capacity(SAMPLES);
                for i in 0..SAMPLES + 200 {
                    let t = Instant::now();
                    let req = scorehost_engine::completion::request(
                        engine.catalog.registry(),
                        model.info(),
                        ID,
                        &today,
                    )
                    .await
                    .unwrap()
                    .unwrap();
                    engine
                        .evaluate_recorded(model.clone(), req, "bench", |_| Ok(()))
                        .await
                        .unwrap();
                    if i >= 200 {
                        times.push(t.elapsed().as_secs_f64() * 1e6);
                    }
                }
                summary(times)
            }
        };
        let q = one("hangzhou/qianjiang").await;
        let c = one("zhejiang/credit-code").await;
        let plan = engine.plan("hangzhou-credit-code").await.unwrap();
        let recorder = Recorder::Writer(&engine.writer);
        let mut times = Vec::with_capacity(SAMPLES);
        for i in 0..SAMPLES + 200 {
            let t = Instant::now();
            composite::run(registry, &plan, ID, &today, "bench", &recorder)
                .await
                .unwrap();
            if i >= 200 {
                times.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
        (q, c, summary(times))
    });
    println!("in process, {SAMPLES} sequential requests each, durable records (µs, median / p99):");
    println!(
        "  hangzhou/qianjiang alone    {:>8.0} / {:>8.0}",
        single_q.0, single_q.1
    );
    println!(
        "  zhejiang/credit-code alone  {:>8.0} / {:>8.0}",
        single_c.0, single_c.1
    );
    println!(
        "  composite (2 steps)         {:>8.0} / {:>8.0}",
        comp.0, comp.1
    );
    let one_eval = (single_q.0 + single_c.0) / 2.0;
    println!(
        "  composite / one evaluation = {:.2} (k = 2); composite / (the two alone) = {:.2}",
        comp.0 / one_eval,
        comp.0 / (single_q.0 + single_c.0)
    );

    // Over HTTP.
    let app = run_on(
        &dir,
        &[
            "token",
            "create",
            "--role",
            "app:bench",
            "--models",
            "hangzhou/qianjiang",
            "--composites",
            "hangzhou-credit-code",
        ],
    )
    .trim()
    .to_string();
    let mut server = scorehost_tests::http::Server::on_core(&dir, 0);
    let base = server.url.clone();
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build();
    let http = |path: &str, body: serde_json::Value| {
        let mut times = Vec::with_capacity(SAMPLES);
        for i in 0..SAMPLES + 200 {
            let t = Instant::now();
            let r = agent
                .post(&format!("{base}{path}"))
                .set("Authorization", &format!("Bearer {app}"))
                .send_json(body.clone())
                .unwrap();
            let _ = r.into_string().unwrap();
            if i >= 200 {
                times.push(t.elapsed().as_secs_f64() * 1e6);
            }
        }
        summary(times)
    };
    let s = http(
        "/v1/scores",
        json!({"model": "hangzhou/qianjiang", "subject": {"id": ID}}),
    );
    let c = http(
        "/v1/composites/hangzhou-credit-code/scores",
        json!({"subject": {"id": ID}}),
    );
    println!(
        "over HTTP, server on core 0, one connection, {SAMPLES} requests each (µs, median / p99):"
    );
    println!("  POST /v1/scores (Qianjiang)  {:>8.0} / {:>8.0}", s.0, s.1);
    println!("  POST composite (2 steps)     {:>8.0} / {:>8.0}", c.0, c.1);
    println!("  composite / one evaluation = {:.2} (k = 2)", c.0 / s.0);
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
