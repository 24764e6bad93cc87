//! Impact analysis and shadow mode, end to end: the real binary and the
//! real service, the test guests `test/impact@1.0.0` (pinned) and
//! `@2.0.0` (candidate), whose arithmetic this file redoes by hand to know
//! the exact migration matrix, distributions, movers and failures of a
//! generated population.
//!
//! v1: score = base; grades A ≥ 800, B ≥ 600, C; refuses n > 1000.
//! v2: score = ⌊base × 9 / 10⌋ (hundredths) + 100 × flag; grades AA ≥ 900,
//! A ≥ 750, B ≥ 550, C; refuses n > 1000 and n < 0; loops (a plugin fault)
//! for n = 666; declares one more optional indicator, `sector`.

use std::collections::{BTreeMap, HashMap};

use scorehost_tests::http::{Server, call, get, post_json};
use scorehost_tests::{Fixture, Rng, approve_cli, backends, cli, component, fixture, ok, token};
use serde_json::{Value, json};

fn json_of(out: std::process::Output) -> Value {
    serde_json::from_str(&ok(out)).expect("JSON output")
}

/// Publish a guest through the CLI; its SHA-256.
fn publish(f: &Fixture, package: &str) -> String {
    let path = component(package);
    let v = json_of(cli(
        f,
        &[
            "plugin",
            "publish",
            path.to_str().unwrap(),
            "--json",
            "--as",
            "publisher:test",
        ],
    ));
    v["version"]["sha256"].as_str().unwrap().to_string()
}

/// One subject of the population.
#[derive(Clone, Debug)]
struct Subject {
    id: String,
    /// Base score, hundredths.
    base: i64,
    flag: bool,
    n: Option<f64>,
}

impl Subject {
    fn request(&self) -> Value {
        let mut indicators = vec![json!({ "name": "flag", "value": self.flag })];
        if let Some(n) = self.n {
            indicators.push(json!({ "name": "n", "value": n }));
        }
        json!({
            "model": "test/impact",
            "subject": { "id": self.id, "kind": "enterprise" },
            "as_of": "2026-11-01",
            "base": { "score": self.base as f64 / 100.0, "grade": "B" },
            "indicators": indicators,
        })
    }

    /// Version 1's answer: (score, grade) in hundredths, or the error code.
    fn v1(&self) -> Result<(i64, &'static str), &'static str> {
        if self.n.is_some_and(|n| n > 1000.0) {
            return Err("model_rejected");
        }
        let g = match self.base {
            s if s >= 80_000 => "A",
            s if s >= 60_000 => "B",
            _ => "C",
        };
        Ok((self.base, g))
    }

    /// Version 2's answer.
    fn v2(&self) -> Result<(i64, &'static str), &'static str> {
        match self.n {
            Some(n) if !(0.0..=1000.0).contains(&n) => return Err("model_rejected"),
            Some(666.0) => return Err("plugin_fault"),
            _ => {}
        }
        let s = self.base * 9 / 10 + if self.flag { 10_000 } else { 0 };
        let g = match s {
            s if s >= 90_000 => "AA",
            s if s >= 75_000 => "A",
            s if s >= 55_000 => "B",
            _ => "C",
        };
        Ok((s, g))
    }
}

/// 200 subjects: one (IMP-000) at base 0 with the flag — the one top
/// mover, +100; five with n = -5 and one with n = 666 (new failures of
/// v2); three with n = 5000 (both refuse); the rest random bases
/// 0.10–999.90 in tenths (so that 90 % is exact), a third with the flag.
fn population() -> Vec<Subject> {
    let mut rng = Rng::new(0x1a9ac7);
    (0..200)
        .map(|i| {
            let (base, flag) = if i == 0 {
                (0, true)
            } else {
                (10 * (1 + rng.below(9999) as i64), rng.chance(33))
            };
            let n = match i {
                1..=5 => Some(-5.0),
                6 => Some(666.0),
                7..=9 => Some(5000.0),
                _ => None,
            };
            Subject {
                id: format!("IMP-{i:03}"),
                base,
                flag,
                n,
            }
        })
        .collect()
}

fn score(s: &Server, app: &str, body: &Value) -> (u16, Value) {
    post_json(s, "/v1/scores", Some(app), body)
}

/// The evaluation id of an answer (success or failure).
fn evaluation_id(answer: &Value) -> String {
    answer["evaluation_id"]
        .as_str()
        .or_else(|| answer["error"]["evaluation_id"].as_str())
        .unwrap_or_else(|| panic!("no evaluation id in {answer}"))
        .to_string()
}

fn decimal(h: i64) -> f64 {
    h as f64 / 100.0
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 0.005)
}

/// The expected report of `subjects` (each: its latest input), computed
/// here from the guests' rules: (matrix by (from, to), before scores,
/// after scores, new failures by code, still failing).
type Expected = (
    BTreeMap<(String, String), u64>,
    Vec<i64>,
    Vec<i64>,
    BTreeMap<String, u64>,
    u64,
);

fn expected(subjects: &[&Subject]) -> Expected {
    let mut matrix = BTreeMap::new();
    let (mut before, mut after) = (Vec::new(), Vec::new());
    let mut new_failures = BTreeMap::new();
    let mut still = 0;
    for s in subjects {
        let from = match s.v1() {
            Ok((score, g)) => {
                before.push(score);
                g.to_string()
            }
            Err(_) => "failed".into(),
        };
        let to = match s.v2() {
            Ok((score, g)) => {
                after.push(score);
                g.to_string()
            }
            Err(code) => {
                if from != "failed" {
                    *new_failures.entry(code.to_string()).or_default() += 1;
                } else {
                    still += 1;
                }
                "failed".into()
            }
        };
        *matrix.entry((from, to)).or_default() += 1;
    }
    (matrix, before, after, new_failures, still)
}

fn matrix_of(report: &Value) -> BTreeMap<(String, String), u64> {
    let m = &report["migration"];
    let rows: Vec<String> = serde_json::from_value(m["rows"].clone()).unwrap();
    let cols: Vec<String> = serde_json::from_value(m["columns"].clone()).unwrap();
    let mut out = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        for (j, c) in cols.iter().enumerate() {
            let n = m["counts"][i][j].as_u64().unwrap();
            if n > 0 {
                out.insert((r.clone(), c.clone()), n);
            }
        }
    }
    out
}

fn mean(v: &[i64]) -> f64 {
    v.iter().sum::<i64>() as f64 / v.len() as f64 / 100.0
}

/// Check a report against the population's expected figures.
fn check_report(report: &Value, expect: &Expected, subjects: u64) {
    let (matrix, before, after, new_failures, still) = expect;
    assert_eq!(report["subjects"], subjects, "{report}");
    assert_eq!(&matrix_of(report), matrix, "migration matrix");
    let m = &report["migration"];
    assert_eq!(m["rows"], json!(["A", "B", "C", "failed"]));
    assert_eq!(m["columns"], json!(["AA", "A", "B", "C", "failed"]));
    assert_eq!(m["total"], subjects);
    let row_sum: u64 = m["row_totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(row_sum, subjects);
    for (name, scores) in [("before", before), ("after", after)] {
        let d = &report[name];
        assert_eq!(d["count"], scores.len() as u64, "{name}");
        assert!(
            close(&d["min"], decimal(*scores.iter().min().unwrap())),
            "{name} min {d}"
        );
        assert!(
            close(&d["max"], decimal(*scores.iter().max().unwrap())),
            "{name} max {d}"
        );
        assert!(close(&d["mean"], mean(scores)), "{name} mean {d}");
        let in_bins: u64 = d["histogram"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!(in_bins, scores.len() as u64, "{name} histogram");
    }
    // The one top mover: IMP-000, 0 → 100, its flag bonus added.
    let top = &report["movers"][0];
    assert_eq!(top["subject"], "IMP-000", "{top}");
    assert!(close(&top["delta"], 100.0) && close(&top["before_score"], 0.0));
    assert_eq!(top["before_grade"], "C");
    assert_eq!(top["after_grade"], "C");
    let contributions: HashMap<String, Value> = top["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap().to_string(), c.clone()))
        .collect();
    assert_eq!(contributions["flag_bonus"]["change"], "added");
    assert!(close(&contributions["flag_bonus"]["delta"], 100.0));
    assert!(contributions["flag_bonus"]["before"].is_null());
    assert_eq!(contributions["base"]["change"], "same");
    // Every other mover moves less.
    for m in report["movers"].as_array().unwrap().iter().skip(1) {
        assert!(m["delta"].as_f64().unwrap().abs() < 100.0, "{m}");
    }
    let nf = &report["new_failures"];
    let count: u64 = new_failures.values().sum();
    assert_eq!(nf["count"], count);
    assert_eq!(nf["by_code"], json!(new_failures));
    let fault = nf["subjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["subject"] == "IMP-006")
        .expect("the looping subject is a new failure");
    assert_eq!(fault["code"], "plugin_fault");
    assert!(fault["fault"].is_string(), "{fault}");
    assert!(fault["before_score"].is_number(), "{fault}");
    assert_eq!(report["still_failing"]["count"], *still);
    let d = &report["declaration"];
    assert_eq!(d["indicators_added"][0]["name"], "sector");
    assert_eq!(d["indicators_added"][0]["required"], false);
    assert_eq!(d["grades_changed"], true);
    assert!(
        report["notes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n.as_str().unwrap().contains("sector")),
        "a note says the recorded inputs lack the new indicator"
    );
}

/// Change the input kept beside record `id` directly in the database (as
/// a careless operator or an attacker with database access could).
async fn tamper_input(f: &Fixture, id: &str) {
    use sqlx::Connection as _;
    let url = match &f.db {
        Some(url) => url.clone(),
        None => format!("sqlite://{}", f.data_dir.join("registry.db").display()),
    };
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&url).await.unwrap();
    let seq: i64 = id.split('-').next().unwrap().parse().unwrap();
    let n = sqlx::query(
        "UPDATE audit_inputs SET input = REPLACE(input, '\"flag\"', '\"flag\" ') WHERE seq = $1",
    )
    .bind(seq)
    .execute(&mut conn)
    .await
    .unwrap()
    .rows_affected();
    assert_eq!(n, 1);
}

/// Records in the log (through `audit verify`, which also checks it).
fn records(f: &Fixture) -> u64 {
    json_of(cli(f, &["audit", "verify", "--json"]))["records"]
        .as_u64()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn impact_report_on_a_known_population_has_the_known_matrix() {
    for backend in backends() {
        let f = fixture(backend, "impact-known").await;
        let (province, app, auditor, publisher, other) = (
            token(&f, "province", ""),
            token(&f, "app:bank", "test/impact"),
            token(&f, "auditor", ""),
            token(&f, "publisher:test", ""),
            token(&f, "publisher:ningbo", ""),
        );
        let sha1 = publish(&f, "guest-impact-v1");
        approve_cli(&f, "test/impact@1.0.0", &sha1);
        ok(cli(
            &f,
            &["plugin", "pin", "test/impact@1.0.0", "--sha256", &sha1],
        ));
        let server = Server::start(&f);

        let people = population();
        // Twenty subjects were scored before with another base: the
        // analysis takes only their latest evaluation.
        for s in &people[10..30] {
            let mut earlier = s.clone();
            earlier.base = 99_990 - s.base.min(99_000);
            let (status, _) = score(&server, &app, &earlier.request());
            assert_eq!(status, 200);
        }
        let mut latest = HashMap::new();
        for s in &people {
            let (status, answer) = score(&server, &app, &s.request());
            assert_eq!(status == 200, s.v1().is_ok(), "{}: {answer}", s.id);
            latest.insert(s.id.clone(), evaluation_id(&answer));
        }
        // Three subjects' inputs were erased (retention over): skipped.
        for s in &people[30..33] {
            ok(cli(
                &f,
                &[
                    "audit",
                    "erase",
                    &latest[&s.id],
                    "--reason",
                    "retention over",
                ],
            ));
        }
        // One subject's kept input was altered behind the log's back: it no
        // longer matches its record's commitment, and is not replayed.
        tamper_input(&f, &latest[&people[33].id]).await;
        let replayed: Vec<&Subject> = people
            .iter()
            .filter(|s| !(30..34).contains(&s.id[4..].parse::<usize>().unwrap()))
            .collect();
        let expect = expected(&replayed);
        assert!(expect.0.len() >= 8, "the population moves across grades");

        // The candidate, published by its own namespace's publisher.
        let sha2 = publish(&f, "guest-impact-v2");
        let before = records(&f);

        // CLI, locally, as the province.
        let started = std::time::Instant::now();
        let report = json_of(cli(
            &f,
            &["plugin", "impact", "test/impact@2.0.0", "--json"],
        ));
        eprintln!(
            "{backend:?}: impact of 196 subjects (CLI, with startup) in {:.2} s",
            started.elapsed().as_secs_f64()
        );
        check_report(&report, &expect, 196);
        assert_eq!(report["skipped"]["erased"], 3);
        assert_eq!(report["skipped"]["undecodable"], 1);
        let reasons = report["skipped"]["examples"].to_string();
        assert!(
            reasons.contains("does not match the commitment"),
            "{reasons}"
        );
        assert_eq!(report["selection"]["records_read"], 220);
        assert_eq!(report["selection"]["truncated"], false);
        assert_eq!(report["candidate"]["sha256"], sha2.as_str());
        assert_eq!(report["pinned"]["sha256"], sha1.as_str());
        assert_eq!(report["candidate_status"], "submitted");
        // The analysis is one registry record of the log, nothing more:
        // no evaluation was recorded for the replay.
        assert_eq!(records(&f), before + 1);
        let shown = json_of(cli(
            &f,
            &[
                "audit",
                "show",
                report["record_id"].as_str().unwrap(),
                "--json",
            ],
        ));
        assert_eq!(shown["record"]["action"], "impact");
        assert_eq!(shown["record"]["actor"], "province");
        assert_eq!(shown["record"]["report_sha256"], report["report_sha256"]);
        assert_eq!(shown["record"]["subjects"], 196);

        // The API: an auditor and the model's own publisher may look; the
        // publisher sees the same figures, but not who the subjects are.
        let path = "/v1/plugins/test/impact/versions/2.0.0/impact";
        let (status, api) = post_json(&server, path, Some(&auditor), &json!({}));
        assert_eq!(status, 200, "{api}");
        check_report(&api, &expect, 196);
        let (status, theirs) = post_json(&server, path, Some(&publisher), &json!({}));
        assert_eq!(status, 200, "{theirs}");
        for same in ["migration", "before", "after", "subjects", "compared"] {
            assert_eq!(theirs[same], api[same], "{same}");
        }
        assert_eq!(theirs["movers"][0]["delta"], api["movers"][0]["delta"]);
        assert_eq!(
            theirs["movers"][0]["contributions"],
            api["movers"][0]["contributions"]
        );
        assert_eq!(theirs["movers"][0]["subject"], "subject-1");
        // Analyses take turns: an auditor asking for three at once holds
        // one turn (its others are 429 `limit_reached`), and the province
        // asking meanwhile is served, never told the server is busy.
        let barrier = std::sync::Barrier::new(4);
        let answers: Vec<(u16, Value, bool)> = std::thread::scope(|scope| {
            let asks: Vec<_> = [
                (&auditor, false),
                (&auditor, false),
                (&auditor, false),
                (&province, true),
            ]
            .into_iter()
            .map(|(t, by_province)| {
                let (barrier, server) = (&barrier, &server);
                scope.spawn(move || {
                    barrier.wait();
                    let (status, v) = post_json(server, path, Some(t), &json!({}));
                    (status, v, by_province)
                })
            })
            .collect();
            asks.into_iter().map(|a| a.join().unwrap()).collect()
        });
        for (status, v, by_province) in &answers {
            match by_province {
                true => assert_eq!(*status, 200, "the province is served: {v}"),
                false => assert!(
                    *status == 200 || (*status == 429 && v["error"]["code"] == "limit_reached"),
                    "{status} {v}"
                ),
            }
        }
        assert_eq!(theirs["movers"][0]["evaluation_id"], "");
        let text = theirs.to_string();
        assert!(
            !text.contains("IMP-")
                && !text.contains(api["movers"][0]["evaluation_id"].as_str().unwrap()),
            "no subject or evaluation id reaches the publisher: {text}"
        );
        // --last and --top bound it; the newest subjects come first.
        let (status, small) = post_json(
            &server,
            path,
            Some(&province),
            &json!({ "last": 10, "top": 3 }),
        );
        assert_eq!(status, 200, "{small}");
        assert_eq!(small["subjects"], 10);
        assert_eq!(small["selection"]["truncated"], true);
        assert_eq!(small["movers"].as_array().unwrap().len(), 3);
        // A date range: today's records are all of them; another day's none.
        let today = scorehost_registry::now()[..10].to_string();
        let ranged = json_of(cli(
            &f,
            &[
                "plugin",
                "impact",
                "test/impact@2.0.0",
                "--from",
                &today,
                "--to",
                &today,
                "--json",
            ],
        ));
        assert_eq!(ranged["subjects"], 196);
        assert_eq!(matrix_of(&ranged), expect.0);
        let none = json_of(cli(
            &f,
            &[
                "plugin",
                "impact",
                "test/impact@2.0.0",
                "--from",
                "2001-01-01",
                "--to",
                "2001-01-31",
                "--json",
            ],
        ));
        assert_eq!(none["subjects"], 0);
        assert_eq!(none["before"]["count"], 0);
        // Through the service from the CLI (--server): the same figures.
        let remote = json_of(cli(
            &f,
            &[
                "--server",
                &server.url,
                "--token",
                &auditor,
                "plugin",
                "impact",
                "test/impact@2.0.0",
                "--json",
            ],
        ));
        check_report(&remote, &expect, 196);
        // The readable report.
        let text = ok(cli(
            &f,
            &["plugin", "impact", "test/impact@2.0.0", "--top", "3"],
        ));
        for part in [
            "grade migration",
            "total",
            "IMP-000",
            "flag_bonus",
            "added",
            "new failures",
            "plugin_fault",
            "indicators added: sector",
        ] {
            assert!(text.contains(part), "missing '{part}' in:\n{text}");
        }

        // Refusals: nothing is stored.
        let stored = records(&f);
        for (who, body, want) in [
            (&app, json!({}), 403),
            (&other, json!({}), 403),
            (&province, json!({ "last": 100_001 }), 400),
            (&province, json!({ "last": 0 }), 400),
            (&province, json!({ "top": 5000 }), 400),
            (&province, json!({ "from": "2026-13-01" }), 400),
            (
                &province,
                json!({ "from": "2026-11-02", "to": "2026-11-01" }),
                400,
            ),
            (&province, json!({ "lats": 10 }), 400),
        ] {
            let (status, answer) = post_json(&server, path, Some(who), &body);
            assert_eq!(status, want, "{body}: {answer}");
        }
        let (status, _) = post_json(
            &server,
            "/v1/plugins/test/impact/versions/9.9.9/impact",
            Some(&province),
            &json!({}),
        );
        assert_eq!(status, 404);
        let (status, _) = post_json(
            &server,
            "/v1/plugins/test/nothing/versions/1.0.0/impact",
            Some(&province),
            &json!({}),
        );
        assert_eq!(status, 404);
        let out = cli(
            &f,
            &["plugin", "impact", "test/impact@2.0.0", "--last", "200000"],
        );
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("last must be between"));
        assert_eq!(records(&f), stored, "refused analyses store nothing");
    }
}

/// Shadow records in the log: (record, its id), oldest first.
async fn shadow_records(f: &Fixture) -> Vec<Value> {
    scorehost_tests::opened_records(f)
        .await
        .into_iter()
        .filter(|r| r["shadow"] == true)
        .collect()
}

/// An answer without what differs between two evaluations of the same
/// request (its id and its wall-clock time).
fn white_box(answer: &Value) -> Value {
    let mut a = answer.clone();
    if let Some(o) = a.as_object_mut() {
        o.remove("evaluation_id");
        o.remove("duration_us");
    }
    if let Some(e) = a.get_mut("error").and_then(|e| e.as_object_mut()) {
        e.remove("evaluation_id");
    }
    a
}

async fn wait_for_shadows(f: &Fixture, n: usize) -> Vec<Value> {
    for _ in 0..100 {
        let found = shadow_records(f).await;
        if found.len() >= n {
            return found;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    shadow_records(f).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shadow_runs_beside_the_pinned_version_and_never_answers() {
    for backend in backends() {
        let f = fixture(backend, "impact-shadow").await;
        let (province, app) = (
            token(&f, "province", ""),
            token(&f, "app:bank", "test/impact"),
        );
        let sha1 = publish(&f, "guest-impact-v1");
        approve_cli(&f, "test/impact@1.0.0", &sha1);
        ok(cli(
            &f,
            &["plugin", "pin", "test/impact@1.0.0", "--sha256", &sha1],
        ));
        let sha2 = publish(&f, "guest-impact-v2");
        let server = Server::start(&f);

        // Ten ordinary subjects, one the shadow refuses (n < 0), one it
        // faults on (n = 666: it loops until the sandbox stops it).
        let mut people: Vec<Subject> = population().into_iter().skip(10).take(10).collect();
        people.push(Subject {
            id: "SHADOW-REFUSED".into(),
            base: 70_000,
            flag: false,
            n: Some(-1.0),
        });
        people.push(Subject {
            id: "SHADOW-FAULT".into(),
            base: 70_000,
            flag: true,
            n: Some(666.0),
        });
        let answers = |server: &Server| -> Vec<(u16, Value)> {
            people
                .iter()
                .map(|s| score(server, &app, &s.request()))
                .collect()
        };
        let without = answers(&server);
        assert!(without.iter().all(|(s, _)| *s == 200));

        // Refusals of the shadow route store nothing.
        let stored = records(&f);
        let put = |token: &str, body: Value| {
            call(
                "PUT",
                &format!("{}/v1/shadows/test/impact", server.url),
                Some(token),
                Some("application/json"),
                Some(body.to_string().as_bytes()),
            )
        };
        assert_eq!(
            put(&app, json!({"version": "2.0.0", "sha256": sha2})).0,
            403
        );
        assert_eq!(
            put(&province, json!({"version": "2.0.0", "sha256": sha1})).0,
            409
        );
        assert_eq!(
            put(&province, json!({"version": "1.0.0", "sha256": sha1})).0,
            409
        );
        assert_eq!(
            put(&province, json!({"version": "3.0.0", "sha256": sha2})).0,
            404
        );
        assert_eq!(put(&province, json!({"version": "2.0.0"})).0, 400);
        assert_eq!(
            put(&province, json!({"version": "2.0.0", "sha256": "xyz"})).0,
            400
        );
        assert_eq!(records(&f), stored);
        assert_eq!(get(&server, "/v1/shadows", Some(&province)).1, json!([]));

        // Set through the CLI (as the province, on the data dir); the
        // server picks it up within a second.
        let set = json_of(cli(
            &f,
            &[
                "plugin",
                "shadow",
                "test/impact@2.0.0",
                "--sha256",
                &sha2,
                "--json",
            ],
        ));
        assert_eq!(set["version"], "2.0.0");
        assert_eq!(records(&f), stored + 1, "setting a shadow is one record");
        let (_, listed) = get(&server, "/v1/shadows", Some(&app));
        assert_eq!(listed[0]["model"], "test/impact");
        assert_eq!(listed[0]["sha256"], sha2.as_str());
        tokio::time::sleep(std::time::Duration::from_millis(1200)).await;

        let with = answers(&server);
        assert_eq!(with.len(), without.len());
        for ((s1, a1), (s2, a2)) in without.iter().zip(&with) {
            assert_eq!(s1, s2);
            assert_eq!(
                white_box(a1),
                white_box(a2),
                "the answer is the pinned version's"
            );
            assert_eq!(a2["model"]["sha256"], sha1.as_str());
        }
        let shadows = wait_for_shadows(&f, people.len()).await;
        assert_eq!(
            shadows.len(),
            people.len(),
            "one shadow record per live scoring"
        );
        let live: Vec<String> = with.iter().map(|(_, a)| evaluation_id(a)).collect();
        let by_live: HashMap<String, &Value> = shadows
            .iter()
            .map(|r| (r["shadow_of"].as_str().unwrap().to_string(), r))
            .collect();
        for (id, s) in live.iter().zip(&people) {
            let r = by_live
                .get(id)
                .unwrap_or_else(|| panic!("no shadow of {id}"));
            assert_eq!(r["model"]["sha256"], sha2.as_str());
            assert_eq!(r["subject"]["id"], s.id.as_str());
            assert_eq!(r["caller"], "app:bank");
            match s.v2() {
                Ok((score, grade)) => {
                    assert!(close(&r["outcome"]["score"], decimal(score)), "{r}");
                    assert_eq!(r["outcome"]["grade"], grade);
                }
                Err(code) => assert_eq!(r["outcome"]["error"]["code"], code, "{r}"),
            }
        }
        // The shadow's answers never reached a caller, and the log verifies.
        assert_eq!(records(&f), stored + 1 + 2 * people.len() as u64);
        // Behind a token: shadow candidates are not public.
        assert_eq!(get(&server, "/metrics", None).0, 401);
        assert_eq!(get(&server, "/metrics", Some(&app)).0, 403);
        let (_, metrics) = get(&server, "/metrics", Some(&province));
        let metrics = metrics.as_str().unwrap().to_string();
        assert!(
            metrics.contains(
                "scorehost_shadow_evaluations_total{model=\"test/impact\",outcome=\"ok\"} 10"
            ),
            "{metrics}"
        );
        assert!(metrics.contains("outcome=\"plugin_fault\"} 1"), "{metrics}");

        // The impact report from the shadow records: the live answers
        // beside the shadow's, nothing replayed.
        let path = "/v1/plugins/test/impact/versions/2.0.0/impact";
        let (status, from_shadow) = post_json(
            &server,
            path,
            Some(&province),
            &json!({ "source": "shadow" }),
        );
        assert_eq!(status, 200, "{from_shadow}");
        assert_eq!(from_shadow["selection"]["source"], "shadow");
        assert_eq!(from_shadow["subjects"], people.len() as u64);
        let refs: Vec<&Subject> = people.iter().collect();
        let (matrix, _, after, new_failures, _) = expected(&refs);
        assert_eq!(matrix_of(&from_shadow), matrix);
        assert_eq!(from_shadow["new_failures"]["by_code"], json!(new_failures));
        assert_eq!(from_shadow["after"]["count"], after.len() as u64);
        assert!(close(&from_shadow["after"]["mean"], mean(&after)));
        let (status, _) = post_json(
            &server,
            path,
            Some(&province),
            &json!({ "source": "guess" }),
        );
        assert_eq!(status, 400);

        // Cleared: live scorings run alone again.
        let (status, cleared) = call(
            "DELETE",
            &format!("{}/v1/shadows/test/impact", server.url),
            Some(&province),
            None,
            None,
        );
        assert_eq!(status, 200, "{cleared}");
        let again = answers(&server);
        for ((_, a1), (_, a2)) in without.iter().zip(&again) {
            assert_eq!(white_box(a1), white_box(a2));
        }
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        assert_eq!(shadow_records(&f).await.len(), people.len());
        let (status, _) = call(
            "DELETE",
            &format!("{}/v1/shadows/test/impact", server.url),
            Some(&province),
            None,
            None,
        );
        assert_eq!(status, 404);

        // Pinning the shadow version clears the shadow.
        assert_eq!(
            put(&province, json!({"version": "2.0.0", "sha256": sha2})).0,
            200
        );
        approve_cli(&f, "test/impact@2.0.0", &sha2);
        ok(cli(
            &f,
            &["plugin", "pin", "test/impact@2.0.0", "--sha256", &sha2],
        ));
        assert_eq!(get(&server, "/v1/shadows", Some(&province)).1, json!([]));
        let history = json_of(cli(&f, &["plugin", "show", "test/impact", "--json"]));
        assert!(
            history.to_string().contains("\"unshadow\""),
            "the history shows the shadow cleared by the pin: {history}"
        );
        ok(cli(&f, &["audit", "verify"]));
    }
}
