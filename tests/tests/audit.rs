//! The audit log end to end, on SQLite and on PostgreSQL: every evaluation
//! and registry action recorded, tampering in the database detected and
//! named, proofs checked offline, replays identical, inputs erasable.

use std::process::Output;

use scorehost_tests::{Fixture, approve_cli, backends, cli, component, fixture, ok, root};

fn fails(out: Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn sha(bytes: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(bytes))
}

fn input(model: &str) -> String {
    scorehost_tests::example_path(model).display().to_string()
}

/// Publish, approve and pin ningbo-port, then score its sample twice and
/// fail once (fuel too small). Returns the ids of the three evaluations.
fn populate(f: &Fixture) -> Vec<String> {
    let path = component("ningbo-port-v1").display().to_string();
    let hash = sha(&std::fs::read(&path).unwrap());
    ok(cli(
        f,
        &["plugin", "publish", &path, "--as", "publisher:ningbo"],
    ));
    approve_cli(f, "ningbo/port@1.0.0", &hash);
    ok(cli(
        f,
        &["plugin", "pin", "ningbo/port@1.0.0", "--sha256", &hash],
    ));
    let mut ids = Vec::new();
    for _ in 0..2 {
        let v: serde_json::Value = serde_json::from_str(&ok(cli(
            f,
            &["score", "--input", &input("ningbo-port-v1"), "--json"],
        )))
        .unwrap();
        ids.push(
            v["evaluation_id"]
                .as_str()
                .expect("an evaluation id")
                .to_string(),
        );
    }
    let err = fails(cli(
        f,
        &[
            "score",
            "--input",
            &input("ningbo-port-v1"),
            "--fuel",
            "1000",
        ],
    ));
    assert!(err.contains("used up its fuel budget of 1000"), "{err}");
    let id = err
        .split("evaluation ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("the failure names its record");
    ids.push(id.to_string());
    // A request the host refuses before the model runs is recorded too.
    let mut bad: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(input("ningbo-port-v1")).unwrap()).unwrap();
    bad["indicators"]
        .as_array_mut()
        .unwrap()
        .retain(|i| i["name"] != "tax_credit_grade");
    let bad_path = f.data_dir.join("bad-request.json");
    std::fs::write(&bad_path, bad.to_string()).unwrap();
    let err = fails(cli(
        f,
        &["score", "--input", &bad_path.display().to_string()],
    ));
    assert!(
        err.contains("required indicator 'tax_credit_grade'"),
        "{err}"
    );
    let id = err
        .split("evaluation ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("the refusal names its record");
    ids.push(id.to_string());
    ids
}

/// Run SQL against the fixture's database, as an insider would.
async fn tamper(f: &Fixture, sql: &str) {
    scorehost_tests::run_sql(f, sql).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_evaluation_and_registry_action_is_recorded_and_the_log_verifies() {
    for backend in backends() {
        let f = fixture(backend, "audit-recorded").await;
        let ids = populate(&f);
        let out = ok(cli(&f, &["audit", "verify", "--json"]));
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        // publish, two approvals and the quorum reached, pin, two scores,
        // one plugin fault, one refused request.
        assert_eq!(report["records"], 9, "{backend:?}: {out}");
        assert!(report["checkpoints"].as_u64().unwrap() >= 3);

        let shown: serde_json::Value =
            serde_json::from_str(&ok(cli(&f, &["audit", "show", &ids[0], "--json"]))).unwrap();
        let r = &shown["record"];
        assert_eq!(r["kind"], "evaluation");
        assert_eq!(r["model"]["name"], "ningbo/port");
        assert_eq!(
            r["model"]["sha256"],
            sha(&std::fs::read(component("ningbo-port-v1")).unwrap())
        );
        assert_eq!(r["outcome"]["score"], serde_json::json!(811.75));
        assert_eq!(r["outcome"]["contributions"][0]["name"], "base");
        assert_eq!(r["wasmtime_version"], "48.0.8");
        assert!(r["fuel"].as_u64().unwrap() > 0);
        assert_eq!(shown["input"]["subject"]["id"], "91330200MA2AAAAA1X");
        // The personal input is not in the leaf, only its salted commitment.
        let leaf = shown["entry"]["record"].as_str().unwrap();
        assert!(
            !leaf.contains("ningbo-shipping-exchange") && !leaf.contains("2026-10-01"),
            "{leaf}"
        );
        assert_eq!(
            shown["input"]["indicators"][0]["source"],
            "ningbo-shipping-exchange"
        );

        let failed: serde_json::Value =
            serde_json::from_str(&ok(cli(&f, &["audit", "show", &ids[2], "--json"]))).unwrap();
        assert_eq!(failed["record"]["outcome"]["error"]["code"], "plugin_fault");
        let refused: serde_json::Value =
            serde_json::from_str(&ok(cli(&f, &["audit", "show", &ids[3], "--json"]))).unwrap();
        assert_eq!(refused["record"]["outcome"]["error"]["code"], "bad_request");
        assert_eq!(refused["input"]["subject"]["id"], "91330200MA2AAAAA1X");
        // It replays identically: the same refusal.
        assert!(ok(cli(&f, &["audit", "replay", &ids[3]])).contains("identical"));

        let table = ok(cli(&f, &["audit", "show", &ids[1]]));
        assert!(
            table.contains("customs_violations_3y") && table.contains("grade B"),
            "{table}"
        );
        let all = ok(cli(&f, &["audit", "show", &ids[1]]));
        assert!(all.contains("matches the record's commitment"), "{all}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampering_in_the_database_is_detected_and_named() {
    let cases: [(&str, &str, &str); 7] = [
        (
            "checkpoint altered",
            "UPDATE audit_checkpoints SET root_hash = '0000000000000000000000000000000000000000000000000000000000000000' WHERE tree_size = (SELECT MAX(tree_size) FROM audit_checkpoints)",
            "the checkpoint of size",
        ),
        (
            "changed fuel budget",
            "UPDATE audit_log SET record = REPLACE(record, '\"fuel_budget\":', '\"fuel_budget\":1') WHERE seq = 5",
            "record 5 (id",
        ),
        (
            "changed fuel budget, hashes recomputed",
            "UPDATE audit_log SET record = REPLACE(record, '\"fuel_budget\":', '\"fuel_budget\":1'), leaf_hash = '__LEAF__' WHERE seq = 5",
            "no longer matches the signed checkpoint",
        ),
        // The white box lives beside the leaf (format 3): changing it
        // breaks the leaf's commitment to it.
        (
            "changed score beside the leaf",
            "UPDATE audit_personal SET personal = REPLACE(personal, '811.75', '911.75') WHERE seq = 5",
            "does not match the commitment",
        ),
        // A leaf's text replaced by a tombstone that no erasure record
        // names: the erasure of a pre-format-3 record, faked.
        (
            "unnamed tombstone",
            "UPDATE audit_log SET record = '{\"seq\":5,\"kind\":\"evaluation\",\"at\":\"x\",\"erased_by\":\"99-00\"}' WHERE seq = 5",
            "no erasure record in the log names record 5",
        ),
        (
            "deleted record",
            "DELETE FROM audit_log WHERE seq = 2",
            "record 2 is missing",
        ),
        (
            "two records swapped",
            "UPDATE audit_log SET seq = 100 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 100",
            "out of place",
        ),
    ];
    for backend in backends() {
        for (what, sql, needle) in cases {
            let f = fixture(backend, "audit-tamper").await;
            populate(&f);
            ok(cli(&f, &["audit", "verify"]));
            let sql = if sql.contains("__LEAF__") {
                // An insider who also recomputes the leaf hash.
                let out = ok(cli(
                    &f,
                    &["audit", "show", &record_id(&f, 5).await, "--json"],
                ));
                let rec =
                    serde_json::from_str::<serde_json::Value>(&out).unwrap()["entry"]["record"]
                        .as_str()
                        .unwrap()
                        .replace("\"fuel_budget\":", "\"fuel_budget\":1");
                let leaf = hex::encode(scorehost_audit::merkle::leaf_hash(rec.as_bytes()));
                format!(
                    "UPDATE audit_log SET record = '{}', leaf_hash = '{leaf}' WHERE seq = 5",
                    rec.replace('\'', "''"),
                )
            } else {
                sql.to_string()
            };
            tamper(&f, &sql).await;
            let err = fails(cli(&f, &["audit", "verify"]));
            assert!(
                err.contains("the audit log does not verify"),
                "{backend:?} {what}: {err}"
            );
            assert!(err.contains(needle), "{backend:?} {what}: {err}");
        }
    }
}

async fn record_id(f: &Fixture, seq: i64) -> String {
    use sqlx::Row as _;
    let mut conn = scorehost_tests::connect(f).await;
    let leaf = sqlx::query("SELECT leaf_hash FROM audit_log WHERE seq = $1")
        .bind(seq)
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get::<String, _>("leaf_hash");
    scorehost_registry::record_id(seq as u64, &leaf)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proofs_check_offline_with_only_the_public_key() {
    for backend in backends() {
        let f = fixture(backend, "audit-proof").await;
        let ids = populate(&f);
        let key = ok(cli(&f, &["audit", "key"])).trim().to_string();
        assert_eq!(key.len(), 64);
        let file = f.data_dir.join("proof.json");
        let file_s = file.display().to_string();
        ok(cli(&f, &["audit", "proof", &ids[1], "--out", &file_s]));
        // Offline: another data dir that knows nothing but the key.
        let stranger = fixture(backend, "audit-stranger").await;
        let out = ok(cli(
            &stranger,
            &["audit", "proof", "--check", &file_s, "--public-key", &key],
        ));
        assert!(out.contains("the proof verifies"), "{out}");

        let original = std::fs::read_to_string(&file).unwrap();
        let mut proof: serde_json::Value = serde_json::from_str(&original).unwrap();
        let wrong_key = "0".repeat(63) + "1";
        let err = fails(cli(
            &stranger,
            &[
                "audit",
                "proof",
                "--check",
                &file_s,
                "--public-key",
                &wrong_key,
            ],
        ));
        assert!(err.contains("does not verify"), "{err}");
        proof["leaf_index"] = serde_json::json!(proof["leaf_index"].as_u64().unwrap() + 1);
        std::fs::write(&file, proof.to_string()).unwrap();
        assert!(
            fails(cli(
                &stranger,
                &["audit", "proof", "--check", &file_s, "--public-key", &key]
            ))
            .contains("does not")
        );
        let mut proof: serde_json::Value = serde_json::from_str(&original).unwrap();
        proof["checkpoint"]["tree_size"] =
            serde_json::json!(proof["checkpoint"]["tree_size"].as_u64().unwrap() + 1);
        std::fs::write(&file, proof.to_string()).unwrap();
        assert!(
            fails(cli(
                &stranger,
                &["audit", "proof", "--check", &file_s, "--public-key", &key]
            ))
            .contains("signature")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_is_identical_and_erasing_an_input_keeps_the_log_verifiable() {
    for backend in backends() {
        let f = fixture(backend, "audit-replay").await;
        let ids = populate(&f);
        let out = ok(cli(&f, &["audit", "replay", &ids[0]]));
        assert!(
            out.contains("identical") && out.contains("as recorded"),
            "{out}"
        );
        // The recorded failure replays identically too.
        assert!(ok(cli(&f, &["audit", "replay", &ids[2]])).contains("identical"));

        let file = f.data_dir.join("proof.json").display().to_string();
        ok(cli(&f, &["audit", "proof", &ids[0], "--out", &file]));
        ok(cli(
            &f,
            &["audit", "erase", &ids[0], "--reason", "retention over"],
        ));
        let shown = ok(cli(&f, &["audit", "show", &ids[0]]));
        assert!(shown.contains("input: erased on"), "{shown}");
        // The white box went with the person (format 3): the record names
        // nobody and says what it was, when.
        assert!(
            !shown.contains("grade B") && !shown.contains("91330200MA2AAAAA1X"),
            "{shown}"
        );
        assert!(shown.contains("personal part: erased on"), "{shown}");
        let err = fails(cli(&f, &["audit", "replay", &ids[0]]));
        assert!(err.contains("was erased on"), "{err}");
        ok(cli(&f, &["audit", "verify"]));
        assert!(ok(cli(&f, &["audit", "proof", "--check", &file])).contains("the proof verifies"));
        assert!(
            fails(cli(&f, &["audit", "erase", &ids[0], "--reason", "again"]))
                .contains("nothing personal left to erase")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replay_is_identical_for_every_example_plugin_over_varied_requests() {
    use scorehost_engine::audit::{self, Evaluated};
    use scorehost_engine::catalog::Catalog;
    use scorehost_registry::ModelName;
    /// Per plugin: enough to cross bands, caps and windows (4 × 75 = 300).
    const PER_PLUGIN: usize = 75;
    let f = fixture(scorehost_tests::Backend::Sqlite, "audit-replay-many").await;
    let rt = scorehost_sdk::testing::sandbox::runtime().clone();
    let catalog = Catalog::open(rt.clone(), &f.data_dir, None).await.unwrap();
    let key = audit::load_or_create_key(&f.data_dir).unwrap();
    let reg = catalog.registry();
    let mut ids = Vec::new();
    for (package, name) in [
        ("ningbo-port-v1", "ningbo/port"),
        ("hangzhou-qianjiang-v2", "hangzhou/qianjiang"),
        ("yiwu-market-v1", "yiwu/market"),
        ("environment-v1", "zhejiang/environment"),
    ] {
        scorehost_tests::pin_as_province(reg, &rt, package).await;
        let loaded = catalog
            .load(&name.parse::<ModelName>().unwrap(), None)
            .await
            .unwrap();
        let model = &loaded.model;
        let seed = scorehost_tests::example(package)
            .to_request(model.info())
            .unwrap();
        for req in scorehost_tests::variants(&seed, model.info(), PER_PLUGIN, 99) {
            let result = model.evaluate(&req).map_err(scorehost_engine::Error::from);
            let response = result.as_ref().ok().map(|o| model.response(&req, o));
            let model_ref = model.model_ref();
            let ev = Evaluated {
                caller: "app:test",
                model: &model_ref,
                limits: model.limits(),
                req: &req,
                result: &result,
                response: response.as_ref(),
                batch: None,
                withheld: &[],
                from_store: false,
            };
            ids.push(audit::record_evaluation(reg, &key, &ev).await.unwrap().id);
        }
    }
    assert_eq!(ids.len(), 4 * PER_PLUGIN);
    let mut failures = 0;
    for id in &ids {
        let report = scorehost_engine::replay::replay(&catalog, id)
            .await
            .unwrap();
        assert!(report.identical, "{id}: {:?}", report.differences);
        assert!(report.fuel_compared && report.fuel.0 == report.fuel.1);
        let shown = audit::show(reg, id).await.unwrap();
        if shown.record["outcome"].get("error").is_some() {
            failures += 1;
        }
    }
    // Some variants are refused by their model (ages under 18, shares over 100 %):
    // failures are recorded and replay identically too.
    assert!(failures > 0 && failures < ids.len() / 2, "{failures}");
    let report = audit::verify(reg, &key.public_key_hex()).await.unwrap();
    // Each of the four models: publish, two approvals, the quorum, pin.
    assert_eq!(report.records, 4 * 5 + ids.len() as u64);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_mid_append_leaves_a_log_with_every_answered_evaluation() {
    let f = fixture(scorehost_tests::Backend::Sqlite, "audit-kill").await;
    populate(&f);
    let mut answered = Vec::new();
    let mut killed = 0;
    for i in 0..24u64 {
        let mut cmd = scorehost_tests::command();
        cmd.current_dir(root()).arg("--data-dir").arg(&f.data_dir);
        cmd.args(["score", "--input", &input("ningbo-port-v1"), "--json"]);
        cmd.stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().unwrap();
        // Kill at a different moment each time (2 to 300 ms): before, during
        // and after the append; the early ones always die, the late ones answer.
        std::thread::sleep(std::time::Duration::from_millis(2 + (i * 17) % 300));
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            answered.push(v["evaluation_id"].as_str().unwrap().to_string());
        } else {
            killed += 1;
        }
    }
    assert!(killed > 0, "some processes must have been killed mid-way");
    assert!(!answered.is_empty(), "some processes must have answered");
    ok(cli(&f, &["audit", "verify"]));
    for id in &answered {
        ok(cli(&f, &["audit", "show", id]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_evaluations_share_commits_and_each_answer_waits_for_its_record() {
    use scorehost_engine::audit::{self, AuditWriter, Evaluated};
    use scorehost_engine::catalog::Catalog;
    use scorehost_registry::Registry;
    use std::sync::Arc;
    const N: usize = 200;
    for backend in backends() {
        let f = fixture(backend, "audit-group").await;
        let rt = scorehost_sdk::testing::sandbox::runtime().clone();
        let catalog = Catalog::open(rt.clone(), &f.data_dir, f.db.as_deref())
            .await
            .unwrap();
        let reg = catalog.registry();
        scorehost_tests::pin_as_province(reg, &rt, "ningbo-port-v1").await;
        let model = Arc::new(
            catalog
                .load(&"ningbo/port".parse().unwrap(), None)
                .await
                .unwrap()
                .model,
        );
        let key = audit::load_or_create_key(&f.data_dir).unwrap();
        let public = key.public_key_hex();
        let writer = AuditWriter::start(
            Arc::new(Registry::open(&f.data_dir, f.db.as_deref()).await.unwrap()),
            key,
        )
        .await
        .unwrap();
        let req = scorehost_tests::example("ningbo-port-v1")
            .to_request(model.info())
            .unwrap();
        let tasks: Vec<_> = (0..N)
            .map(|_| {
                let (writer, model, req) = (writer.clone(), model.clone(), req.clone());
                tokio::spawn(async move {
                    let result = model.evaluate(&req).map_err(scorehost_engine::Error::from);
                    let response = result.as_ref().ok().map(|o| model.response(&req, o));
                    let model_ref = model.model_ref();
                    let ev = Evaluated {
                        caller: "app:transit",
                        model: &model_ref,
                        limits: model.limits(),
                        req: &req,
                        result: &result,
                        response: response.as_ref(),
                        batch: None,
                        withheld: &[],
                        from_store: false,
                    };
                    writer.record(&ev).await.unwrap()
                })
            })
            .collect();
        let mut seqs = Vec::new();
        for t in tasks {
            seqs.push(t.await.unwrap().seq);
        }
        seqs.sort();
        assert_eq!(
            seqs,
            (5..5 + N as u64).collect::<Vec<_>>(),
            "contiguous, none lost"
        );
        let commits = writer.commits();
        assert!(
            commits >= 1 && commits < N as u64 / 2,
            "{backend:?}: {commits} commits for {N} records"
        );
        let report = audit::verify(reg, &public).await.unwrap();
        assert_eq!(report.records, 5 + N as u64);
        assert!(report.checkpoints >= 1);
    }
}

/// The audit record's input is serialised straight from the evaluated
/// request (`WireRequestRef`): byte for byte the JSON of the wire request
/// it stands for, so that replay and outside readers see the same input.
#[test]
fn a_records_input_is_exactly_the_wire_request() {
    use scorehost_runtime::wire::{ScoreRequest, WireRequestRef};
    for package in [
        "ningbo-port-v1",
        "hangzhou-qianjiang-v2",
        "yiwu-market-v1",
        "environment-v1",
    ] {
        let model = scorehost_sdk::testing::sandbox::load(&component(package));
        let example = scorehost_tests::example(package);
        let req = example.to_request(model.info()).unwrap();
        let name = model.info().name.clone();
        for v in std::iter::once(req.clone()).chain(scorehost_tests::variants(
            &req,
            model.info(),
            200,
            11,
        )) {
            let borrowed = serde_json::to_string(&WireRequestRef::new(Some(&name), &v)).unwrap();
            let owned =
                serde_json::to_string(&ScoreRequest::from_request(Some(name.clone()), &v)).unwrap();
            assert_eq!(borrowed, owned, "{package}");
        }
    }
}
