//! The audit log end to end, on SQLite and on PostgreSQL: every evaluation
//! and registry action recorded, tampering in the database detected and
//! named, proofs checked offline, replays identical, inputs erasable.

use std::process::{Command, Output};

use scorehost_tests::{Fixture, backends, binary, component, fixture, root};
use sqlx::Connection as _;

fn cli(f: &Fixture, args: &[&str]) -> Output {
    let mut cmd = Command::new(binary());
    cmd.current_dir(root()).arg("--data-dir").arg(&f.data_dir);
    if let Some(db) = &f.db {
        cmd.args(["--db", db]);
    }
    cmd.args(args).output().expect("scorehost runs")
}

fn ok(out: Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

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
    root()
        .join("examples/requests")
        .join(format!("{model}.json"))
        .display()
        .to_string()
}

/// Publish, approve and pin ningbo-port, then score its sample twice and
/// fail once (fuel too small). Returns the ids of the three evaluations.
fn populate(f: &Fixture) -> Vec<String> {
    let path = component("ningbo-port").display().to_string();
    let hash = sha(&std::fs::read(&path).unwrap());
    ok(cli(
        f,
        &["plugin", "publish", &path, "--as", "publisher:ningbo"],
    ));
    ok(cli(
        f,
        &["plugin", "approve", "ningbo/port@1.0.0", "--sha256", &hash],
    ));
    ok(cli(
        f,
        &["plugin", "pin", "ningbo/port@1.0.0", "--sha256", &hash],
    ));
    let mut ids = Vec::new();
    for _ in 0..2 {
        let v: serde_json::Value = serde_json::from_str(&ok(cli(
            f,
            &["score", "--input", &input("ningbo-port"), "--json"],
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
        &["score", "--input", &input("ningbo-port"), "--fuel", "1000"],
    ));
    assert!(err.contains("used up its fuel budget of 1000"), "{err}");
    let id = err
        .split("evaluation ")
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .expect("the failure names its record");
    ids.push(id.to_string());
    ids
}

/// Run SQL against the fixture's database, as an insider would.
async fn tamper(f: &Fixture, sql: &str) {
    sqlx::any::install_default_drivers();
    let url =
        f.db.clone()
            .unwrap_or_else(|| format!("sqlite://{}", f.data_dir.join("registry.db").display()));
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_evaluation_and_registry_action_is_recorded_and_the_log_verifies() {
    for backend in backends() {
        let f = fixture(backend, "audit-recorded").await;
        let ids = populate(&f);
        let out = ok(cli(&f, &["audit", "verify", "--json"]));
        let report: serde_json::Value = serde_json::from_str(&out).unwrap();
        // publish, approve, pin, two scores, one failure.
        assert_eq!(report["records"], 6, "{backend:?}: {out}");
        assert!(report["checkpoints"].as_u64().unwrap() >= 3);

        let shown: serde_json::Value =
            serde_json::from_str(&ok(cli(&f, &["audit", "show", &ids[0], "--json"]))).unwrap();
        let r = &shown["record"];
        assert_eq!(r["kind"], "evaluation");
        assert_eq!(r["model"]["name"], "ningbo/port");
        assert_eq!(
            r["model"]["sha256"],
            sha(&std::fs::read(component("ningbo-port")).unwrap())
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
    let cases: [(&str, &str, &str); 4] = [
        (
            "changed score",
            "UPDATE audit_log SET record = REPLACE(record, '811.75', '911.75') WHERE seq = 3",
            "record 3 (id",
        ),
        (
            "changed score, hashes recomputed",
            "UPDATE audit_log SET record = REPLACE(record, '811.75', '911.75'), leaf_hash = '__LEAF__' WHERE seq = 3",
            "no longer matches the signed checkpoint",
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
                // An insider who also recomputes the leaf hash and id.
                let out = ok(cli(
                    &f,
                    &["audit", "show", &record_id(&f, 3).await, "--json"],
                ));
                let rec =
                    serde_json::from_str::<serde_json::Value>(&out).unwrap()["entry"]["record"]
                        .as_str()
                        .unwrap()
                        .replace("811.75", "911.75");
                let leaf = hex::encode(scorehost_audit::merkle::leaf_hash(rec.as_bytes()));
                format!(
                    "UPDATE audit_log SET record = '{}', leaf_hash = '{leaf}', id = '{}' WHERE seq = 3",
                    rec.replace('\'', "''"),
                    &leaf[..32]
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
    sqlx::any::install_default_drivers();
    let url =
        f.db.clone()
            .unwrap_or_else(|| format!("sqlite://{}", f.data_dir.join("registry.db").display()));
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    sqlx::query("SELECT id FROM audit_log WHERE seq = $1")
        .bind(seq)
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get::<String, _>("id")
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
        ok(cli(&f, &["audit", "erase", &ids[0]]));
        let shown = ok(cli(&f, &["audit", "show", &ids[0]]));
        assert!(shown.contains("input: erased on"), "{shown}");
        assert!(shown.contains("grade B"), "the white box stays: {shown}");
        let err = fails(cli(&f, &["audit", "replay", &ids[0]]));
        assert!(err.contains("was erased on"), "{err}");
        ok(cli(&f, &["audit", "verify"]));
        assert!(ok(cli(&f, &["audit", "proof", "--check", &file])).contains("the proof verifies"));
        assert!(fails(cli(&f, &["audit", "erase", &ids[0]])).contains("no input left to erase"));
    }
}
