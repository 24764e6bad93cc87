//! The console's pages with a long log: server time per page with
//! 1,000,000 evaluations recorded (aim: under 100 ms; the searches use the
//! index, `registry/src/log/search.rs`).
//!
//! Fills a data dir with N evaluation records (`SCOREHOST_BENCH_RECORDS`,
//! default 1,000,000) of 100,000 distinct subjects over 100 days, indexes
//! them (timed), starts the real `scorehost serve` on it, signs in as an
//! auditor and as the province, and times each page: median and p99 of
//! sequential requests over loopback (so the figure includes HTTP on
//! loopback, not a browser's rendering). Pin the server and this process to
//! different cores, as the README says:
//!
//! ```sh
//! cargo build --release -p scorehost
//! taskset -c 1 cargo bench -p scorehost-tests --bench console
//! ```
//! (the bench starts the server under `taskset -c 0` itself).

use std::time::{Duration, Instant};

use scorehost_engine::audit::{self, Evaluated};
use scorehost_engine::catalog::Catalog;
use scorehost_registry::Actor;
use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_tests::example;

/// Requests per page.
const SAMPLES: usize = 100;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

fn percentile(v: &mut [f64], p: f64) -> f64 {
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

async fn run() {
    let n: usize = std::env::var("SCOREHOST_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = std::env::temp_dir().join(format!("scorehost-bench-console-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let runtime = Runtime::new(Limits::default()).unwrap();
    let (auditor, province, middle_id) = {
        let catalog = Catalog::open(runtime.clone(), &dir, None).await.unwrap();
        let reg = catalog.registry();
        scorehost_tests::pin_as_province(reg, &runtime, "ningbo-port-v1").await;
        let model = catalog
            .load(&"ningbo/port".parse().unwrap(), None)
            .await
            .unwrap()
            .model;
        let mut req = example("ningbo-port-v1").to_request(model.info()).unwrap();
        let result = model.evaluate(&req).map_err(scorehost_engine::Error::from);
        let response = result.as_ref().ok().map(|o| model.response(&req, o));
        let model_ref = model.model_ref();
        let t = Instant::now();
        let start = time::OffsetDateTime::now_utc() - time::Duration::days(100);
        let mut written = 0usize;
        while written < n {
            let mut batch = Vec::with_capacity(5_000);
            for i in written..(written + 5_000).min(n) {
                req.subject.id = format!("9133{:014}", i % 100_000);
                let ev = Evaluated {
                    caller: if i % 3 == 0 {
                        "app:bank"
                    } else {
                        "app:transit"
                    },
                    model: &model_ref,
                    limits: model.limits(),
                    req: &req,
                    result: &result,
                    response: response.as_ref(),
                    batch: None,
                    withheld: &[],
                    from_store: false,
                };
                let mut record = audit::evaluation_record(&ev).unwrap();
                // Spread over 100 days, in log order.
                let at = start + time::Duration::seconds((i as i64) * 100 * 86_400 / n as i64);
                record.at = at
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap();
                batch.push(record);
            }
            written += batch.len();
            reg.append_records(batch).await.unwrap();
        }
        println!(
            "filled {n} evaluation records in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        let t = Instant::now();
        reg.index_evaluations(u64::MAX).await.unwrap();
        println!(
            "indexed them for search in {:.1} s ({:.1} µs a record)",
            t.elapsed().as_secs_f64(),
            t.elapsed().as_secs_f64() / n as f64 * 1e6
        );
        let key = audit::load_or_create_key(&dir).unwrap();
        audit::checkpoint(reg, &key).await.unwrap();
        let province = Actor::province_person("Bench Reviewer").unwrap();
        let auditor = reg
            .create_token(&province, &"auditor".parse().unwrap(), &[], "bench")
            .await
            .unwrap()
            .secret;
        let prov = reg
            .create_token(&province, &province, &[], "bench")
            .await
            .unwrap()
            .secret;
        let middle = reg.log_entries_page((n / 2) as u64, 1).await.unwrap();
        (auditor, prov, middle[0].id.clone())
    };

    let mut server = scorehost_tests::http::Server::on_core(&dir, 0);
    let base = server.url.clone();
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .redirects(0)
        .build();
    let sign_in = |token: &str| -> String {
        let page = agent.get(&format!("{base}/console/")).call().unwrap();
        let pre = page
            .all("set-cookie")
            .into_iter()
            .find_map(|c| c.strip_prefix("scorehost_console_sign_in="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .unwrap();
        let r = agent
            .post(&format!("{base}/console/sign-in"))
            .set("Cookie", &format!("scorehost_console_sign_in={pre}"))
            .send_form(&[("csrf", &pre), ("token", token)])
            .unwrap();
        r.all("set-cookie")
            .into_iter()
            .find_map(|c| c.strip_prefix("scorehost_console="))
            .map(|c| c.split(';').next().unwrap().to_string())
            .expect("signed in")
    };
    let (as_auditor, as_province) = (sign_in(&auditor), sign_in(&province));
    let day = |d: i64| {
        (time::OffsetDateTime::now_utc() - time::Duration::days(d))
            .date()
            .to_string()
    };
    let pages = [
        ("home (province)", "/console/".to_string(), &as_province),
        ("review queue", "/console/review".into(), &as_province),
        (
            "version page",
            "/console/review/ningbo/port/1.0.0".into(),
            &as_province,
        ),
        (
            "search: one subject",
            "/console/audit?go=1&subject=913300000000050000".into(),
            &as_auditor,
        ),
        (
            "search: a model",
            "/console/audit?go=1&model=ningbo/port".into(),
            &as_auditor,
        ),
        (
            "search: a caller",
            "/console/audit?go=1&caller=app:bank".into(),
            &as_auditor,
        ),
        (
            "search: failures (none)",
            "/console/audit?go=1&outcome=failed".into(),
            &as_auditor,
        ),
        (
            "search: 3 days, 60 days ago",
            format!("/console/audit?go=1&from={}&to={}", day(62), day(60)),
            &as_auditor,
        ),
        (
            "evaluation page",
            format!("/console/audit/evaluations/{middle_id}"),
            &as_auditor,
        ),
        ("log page", "/console/audit/log".into(), &as_auditor),
    ];
    println!(
        "\n{:<30} {:>10} {:>10}   ({SAMPLES} sequential requests each, {n} records)",
        "page", "median ms", "p99 ms"
    );
    for (name, path, cookie) in pages {
        let mut times = Vec::with_capacity(SAMPLES);
        for i in 0..=SAMPLES {
            let t = Instant::now();
            let r = agent
                .get(&format!("{base}{path}"))
                .set("Cookie", &format!("scorehost_console={cookie}"))
                .call()
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            assert_eq!(r.status(), 200, "{path}");
            let body = r.into_string().unwrap();
            if i == 0 {
                assert!(body.contains("<html"), "{path}");
                if path.contains("subject=") {
                    assert!(body.contains("evaluation-link"), "the subject is found");
                }
                continue; // warm-up
            }
            times.push(t.elapsed().as_secs_f64() * 1e3);
        }
        let median = percentile(&mut times, 0.5);
        let p99 = percentile(&mut times, 0.99);
        println!("{name:<30} {median:>10.2} {p99:>10.2}");
    }
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
}
