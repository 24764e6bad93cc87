//! The log and the shared resources under abuse (SECURITY.md, "What the log
//! promises under load"): callers holding valid tokens try to make the
//! audit log cry wolf, or to take what others need. The real `scorehost
//! serve` with the real ningbo-port component, on SQLite and PostgreSQL.

use std::sync::atomic::{AtomicBool, Ordering};

use scorehost_tests::http::{Server, get, post_json};
use scorehost_tests::{Fixture, backends, cli, fixture, ok, pin_cli, token};
use serde_json::{Value, json};

/// The ningbo example as an inline request for `ningbo/port`.
fn request() -> Value {
    let mut v = serde_json::to_value(scorehost_tests::example("ningbo-port")).unwrap();
    v["model"] = json!("ningbo/port");
    v
}

async fn verify_under_load(f: Fixture) {
    pin_cli(&f, "ningbo-port", "ningbo/port@1.0.0", "publisher:ningbo");
    // A log long enough that reading it takes a while (20,000 evaluations,
    // through a local batch run): the window in which a checkpoint can be
    // signed while verify reads.
    let people = f.data_dir.join("people.ndjson");
    let scored = f.data_dir.join("scored.ndjson");
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    ok(cli(
        &f,
        &[
            "gen",
            "--model",
            "ningbo/port",
            "--count",
            "20000",
            "--output",
            &path(&people),
        ],
    ));
    ok(cli(
        &f,
        &[
            "batch",
            "--model",
            "ningbo/port",
            "--input",
            &path(&people),
            "--output",
            &path(&scored),
        ],
    ));
    let app = token(&f, "app:bank", "ningbo/port");
    let auditor = token(&f, "auditor", "");
    let s = Server::start(&f);
    let stop = AtomicBool::new(false);
    // Two apps' worth of traffic: scorings, and proofs of them (each proof
    // may sign a checkpoint), for as long as verify is being asked. Scoped,
    // so that a failure stops the server too.
    let scored: u32 = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        let (status, answer) = post_json(&s, "/v1/scores", Some(&app), &request());
                        assert_eq!(status, 200, "{answer}");
                        let id = answer["evaluation_id"].as_str().unwrap();
                        let (status, proof) =
                            get(&s, &format!("/v1/evaluations/{id}/proof"), Some(&app));
                        assert!(status == 200 || status == 503, "{status} {proof}");
                        n += 1;
                    }
                    n
                })
            })
            .collect();
        let verdicts: Vec<(u16, Value)> = (0..20)
            .map(|_| get(&s, "/v1/audit/verify", Some(&auditor)))
            .collect();
        stop.store(true, Ordering::Relaxed);
        let scored = workers.into_iter().map(|w| w.join().unwrap()).sum();
        for (status, v) in verdicts {
            assert_eq!(status, 200, "an honest log verifies while it grows: {v}");
        }
        scored
    });
    assert!(scored > 0);
    let (status, v) = get(&s, "/v1/audit/verify", Some(&auditor));
    assert_eq!(status, 200, "{v}");
    assert!(v["records"].as_u64().unwrap() >= u64::from(scored), "{v}");
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_never_cries_tamper_on_an_honest_log_while_scorings_and_proofs_run() {
    for backend in backends() {
        verify_under_load(fixture(backend, "abuse-verify").await).await;
    }
}

async fn outputs(f: Fixture) {
    pin_cli(&f, "ningbo-port", "ningbo/port@1.0.0", "publisher:ningbo");
    let dir = &f.data_dir;
    let path = |name: &str| dir.join(name).to_str().unwrap().to_string();
    let people = path("people.ndjson");
    ok(cli(
        &f,
        &[
            "gen",
            "--model",
            "ningbo/port",
            "--count",
            "3",
            "--output",
            &people,
        ],
    ));
    // An existing file is not overwritten without --force, and is left as it was.
    let before = std::fs::read(&people).unwrap();
    let out = cli(
        &f,
        &[
            "gen",
            "--model",
            "ningbo/port",
            "--count",
            "5",
            "--seed",
            "7",
            "--output",
            &people,
        ],
    );
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("exists: add --force"),
        "{out:?}"
    );
    assert_eq!(std::fs::read(&people).unwrap(), before);
    ok(cli(
        &f,
        &[
            "gen",
            "--model",
            "ningbo/port",
            "--count",
            "5",
            "--output",
            &people,
            "--force",
        ],
    ));
    assert_eq!(std::fs::read_to_string(&people).unwrap().lines().count(), 5);
    // No command writes through a symbolic link, dangling or not: the
    // target is neither created nor changed.
    let target = dir.join("elsewhere.txt");
    for (i, args) in [
        vec![
            "gen",
            "--model",
            "ningbo/port",
            "--count",
            "1",
            "--force",
            "--output",
        ],
        vec![
            "batch",
            "--model",
            "ningbo/port",
            "--input",
            &people,
            "--output",
        ],
    ]
    .into_iter()
    .enumerate()
    {
        let link = dir.join(format!("link-{i}"));
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let mut all = args.clone();
        let link_s = link.to_str().unwrap().to_string();
        all.push(&link_s);
        let out = cli(&f, &all);
        assert!(!out.status.success(), "{all:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is a symbolic link"),
            "{out:?}"
        );
        assert!(!target.exists(), "{all:?} wrote through the link");
    }
    let scored = path("scored.ndjson");
    ok(cli(
        &f,
        &[
            "batch",
            "--model",
            "ningbo/port",
            "--input",
            &people,
            "--output",
            &scored,
        ],
    ));
    let id = std::fs::read_to_string(&scored)
        .unwrap()
        .lines()
        .next()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["evaluation_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .unwrap();
    let proof = path("proof.json");
    std::fs::write(&proof, "keep").unwrap();
    let out = cli(&f, &["audit", "proof", &id, "--out", &proof]);
    assert!(!out.status.success());
    assert_eq!(std::fs::read_to_string(&proof).unwrap(), "keep");
    ok(cli(
        &f,
        &["audit", "proof", &id, "--out", &proof, "--force"],
    ));
    let link = path("proof-link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = cli(&f, &["audit", "proof", &id, "--out", &link, "--force"]);
    assert!(!out.status.success());
    assert!(!target.exists());
}

#[tokio::test(flavor = "multi_thread")]
async fn outputs_are_never_written_through_a_link_nor_over_a_file_without_force() {
    outputs(fixture(scorehost_tests::Backend::Sqlite, "abuse-outputs").await).await;
}
