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
    let mut v = serde_json::to_value(scorehost_tests::example("ningbo-port-v1")).unwrap();
    v["model"] = json!("ningbo/port");
    v
}

async fn verify_under_load(f: Fixture) {
    pin_cli(
        &f,
        "ningbo-port-v1",
        "ningbo/port@1.0.0",
        "publisher:ningbo",
    );
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
                        assert!(
                            status == 200
                                || (status == 503 && proof["error"]["code"] == "not_checkpointed"),
                            "{status} {proof}"
                        );
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

/// An app alternating scorings and proofs, 400 times: every proof is
/// answered (at once, or after the `Retry-After` second of
/// `not_checkpointed`) and checks offline, and the log signs checkpoints on
/// its own schedule — at most one a second however many proofs are asked.
async fn proofs_on_schedule(f: Fixture) {
    use scorehost_audit::checkpoint::InclusionProof;
    pin_cli(
        &f,
        "ningbo-port-v1",
        "ningbo/port@1.0.0",
        "publisher:ningbo",
    );
    let app = token(&f, "app:bank", "ningbo/port");
    let auditor = token(&f, "auditor", "");
    let s = Server::start(&f);
    let checkpoints = || {
        let (status, v) = get(&s, "/v1/audit/verify", Some(&auditor));
        assert_eq!(status, 200, "{v}");
        v["checkpoints"].as_u64().unwrap()
    };
    let (_, cp) = get(&s, "/v1/log/checkpoint", Some(&app));
    let public_key = cp["public_key"].as_str().unwrap().to_string();
    let before = checkpoints();
    let started = std::time::Instant::now();
    let (mut proven, mut later) = (0, 0);
    let mut last = String::new();
    for _ in 0..400 {
        let (status, answer) = post_json(&s, "/v1/scores", Some(&app), &request());
        assert_eq!(status, 200, "{answer}");
        let id = answer["evaluation_id"].as_str().unwrap().to_string();
        let (status, proof) = get(&s, &format!("/v1/evaluations/{id}/proof"), Some(&app));
        match status {
            200 => {
                let proof: InclusionProof = serde_json::from_value(proof).unwrap();
                let (_, shown) = get(&s, &format!("/v1/evaluations/{id}"), Some(&app));
                let record = shown["entry"]["record"].as_str().unwrap();
                proof
                    .verify(&public_key, Some(record.as_bytes()))
                    .expect("the proof checks offline");
                proven += 1;
            }
            _ => {
                assert_eq!(status, 503, "{proof}");
                assert_eq!(proof["error"]["code"], "not_checkpointed", "{proof}");
                later += 1;
            }
        }
        last = id;
    }
    // What was not yet under a checkpoint is within a second: the last
    // record's proof, asked again after Retry-After, checks. (Asked before
    // counting: a run shorter than a second may end before the writer's
    // next checkpoint is due, and CI once counted none.)
    let ((status, proof), _) = scorehost_tests::http::proof(&s, &last, &app);
    assert_eq!(status, 200, "{proof}");
    let proof: InclusionProof = serde_json::from_value(proof).unwrap();
    proof.verify(&public_key, None).expect("the proof checks");
    // Whole seconds elapsed, rounded up, and one for the checkpoint the
    // writer may have signed as the run began.
    let seconds = started.elapsed().as_secs() + 2;
    let signed = checkpoints() - before;
    assert!(
        signed <= seconds,
        "400 proofs in under {seconds} s made {signed} checkpoints: the writer signs at most one a second"
    );
    // The last record is covered, by a checkpoint signed after it.
    assert!(signed >= 1, "the records came under a checkpoint");
    eprintln!(
        "400 scorings and proofs: {signed} checkpoints in {seconds} s; {proven} proofs at once, {later} not yet checkpointed"
    );
    // Consistency proofs come from the same tree, and bad sizes are a 400.
    let size = checkpoints_size(&s, &app);
    let (status, c) = get(
        &s,
        &format!("/v1/log/consistency?from=1&to={size}"),
        Some(&app),
    );
    assert_eq!(status, 200, "{c}");
    let (status, c) = get(
        &s,
        &format!("/v1/log/consistency?from=0&to={size}"),
        Some(&app),
    );
    assert_eq!(status, 400, "{c}");
}

fn checkpoints_size(s: &Server, token: &str) -> u64 {
    let (status, cp) = get(s, "/v1/log/checkpoint", Some(token));
    assert_eq!(status, 200, "{cp}");
    cp["tree_size"].as_u64().unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn proofs_cost_no_checkpoints_beyond_the_writers_schedule() {
    for backend in backends() {
        proofs_on_schedule(fixture(backend, "abuse-proofs").await).await;
    }
}

async fn outputs(f: Fixture) {
    pin_cli(
        &f,
        "ningbo-port-v1",
        "ningbo/port@1.0.0",
        "publisher:ningbo",
    );
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

/// Finding 7: `--server https://…` speaks TLS and checks the certificate
/// against the platform's roots (here SSL_CERT_FILE, which they honour): a
/// service whose certificate chains to them answers; without them the
/// same call is refused before the token is sent. The TLS server is
/// OpenSSL's own (`openssl s_server -HTTP`, serving files that hold whole
/// HTTP answers), with a certificate from a CA made for the test.
#[test]
fn the_cli_speaks_https_and_checks_the_services_certificate() {
    use std::process::{Command, Stdio};
    let dir = std::env::temp_dir().join(format!("scorehost-https-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let www = dir.join("www");
    std::fs::create_dir_all(www.join("v1/audit")).unwrap();
    std::fs::write(
        www.join("v1/audit/verify"),
        "HTTP/1.0 200 ok\r\nContent-Type: application/json\r\n\r\n{\"records\": 4242, \"root_hash\": \"served-over-tls\"}",
    )
    .unwrap();
    let (ca, cert, key) = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    );
    let openssl = |args: &[&str]| {
        let made = Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .stderr(Stdio::null())
            .status()
            .expect("openssl is installed (scripts/test.sh installs it)");
        assert!(made.success(), "openssl {args:?}");
    };
    let ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    let run = |line: &str| openssl(&line.split(' ').collect::<Vec<_>>());
    run(&format!(
        "req -x509 {ec} -days 1 -subj /CN=scorehost-test-CA -keyout ca.key -out ca.pem"
    ));
    run(&format!(
        "req {ec} -subj /CN=localhost -keyout key.pem -out leaf.csr"
    ));
    std::fs::write(
        dir.join("leaf.ext"),
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    run(
        "x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile leaf.ext -out cert.pem",
    );
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new("openssl")
        .args(["s_server", "-HTTP", "-quiet", "-accept"])
        .arg(format!("127.0.0.1:{port}"))
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .current_dir(&www)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(started.elapsed() < std::time::Duration::from_secs(20));
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let url = format!("https://localhost:{port}");
    let call = |trust: bool| {
        let mut cmd = scorehost_tests::command();
        cmd.args(["--server", &url, "audit", "verify", "--json"])
            .env(
                "SCOREHOST_TOKEN",
                "sht_0000000000000000000000000000000000000000",
            )
            .env_remove("SSL_CERT_DIR");
        match trust {
            true => cmd.env("SSL_CERT_FILE", &ca),
            // An empty bundle: none of the platform's roots vouch for it.
            false => cmd.env("SSL_CERT_FILE", dir.join("none.pem")),
        };
        cmd.output().unwrap()
    };
    std::fs::write(dir.join("none.pem"), "").unwrap();
    let trusted = call(true);
    let refused = call(false);
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    assert!(trusted.status.success(), "{trusted:?}");
    assert!(
        String::from_utf8_lossy(&trusted.stdout).contains("served-over-tls"),
        "{trusted:?}"
    );
    assert!(!refused.status.success(), "{refused:?}");
    let err = String::from_utf8_lossy(&refused.stderr).to_lowercase();
    assert!(err.contains("certificate") || err.contains("tls"), "{err}");
}
