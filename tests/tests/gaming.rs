//! Decisions that cannot be gamed (SECURITY.md, "Decisions an app cannot
//! steer"): apps holding valid tokens and ordinary consents try to turn a
//! benefit decision into what they want, and fail. The real `scorehost
//! serve` with the real ningbo-port component, on SQLite and PostgreSQL.
//!
//! - a filer's own disputes never make its own decisions better (the
//!   hit-and-run: file, decide, withdraw; and filing again after the
//!   province decided);
//! - disputes are limited per app and per subject, an app's filing
//!   silences nothing before the province's check, and a dispute not
//!   closed in 20 days lapses;
//! - an app evaluates the store as of today only, and records observed
//!   after the evaluation date are not used;
//! - an inline evaluation is recorded as the caller's data, and a proof is
//!   checked against the record it is shown with.

use scorehost_tests::http::{Server, get, post_json, post_to, put_json};
use scorehost_tests::{
    Fixture, approve_definition, backends, cli, fixture, ningbo_records, ok, pin_cli, run_sql,
    token,
};
use serde_json::{Value, json};

const FIRM: &str = "91330200MA2AAAAA1X";
const LANE: &str = "port-fast-lane";

/// The ningbo model pinned, the service started, `subjects` imported
/// (base 812.5 B, an overdue debt on record: 761.75), consents of each for
/// `apps`, and the scenario `port-fast-lane` (at least 800). Returns the
/// service, the province's and the ningbo publisher's tokens, and one token
/// per app granted the scenario and the model.
fn setup(f: &Fixture, subjects: &[&str], apps: &[&str]) -> (Server, String, String, Vec<String>) {
    pin_cli(f, "ningbo-port-v1", "ningbo/port@1.0.0", "publisher:ningbo");
    let server = Server::start(f);
    let s = &server;
    let province = token(f, "province", "");
    let ningbo = token(f, "publisher:ningbo", "");
    let mut bases = String::new();
    let mut records = String::new();
    for id in subjects {
        bases.push_str(&json!({"subject_id": id, "kind": "enterprise", "score": 812.5, "grade": "B", "source": "province"}).to_string());
        bases.push('\n');
        records.push_str(&ningbo_records(id, true));
    }
    let (status, report) = post_to(
        s,
        "/v1/data/bases",
        Some(&province),
        "application/x-ndjson",
        bases.as_bytes(),
    );
    assert_eq!(status, 200, "{report}");
    let (status, report) = post_to(
        s,
        "/v1/data/indicators",
        Some(&ningbo),
        "application/x-ndjson",
        records.as_bytes(),
    );
    assert_eq!(
        (status, report["rejected"].as_array().map(Vec::len)),
        (200, Some(0)),
        "{report}"
    );
    let (status, body) = put_json(
        s,
        &format!("/v1/scenarios/{LANE}"),
        &province,
        &json!({"title": "port fast lane", "model": "ningbo/port", "min_score": 800}),
    );
    assert_eq!(status, 202, "{body}");
    approve_definition(f, "scenario", LANE, body["sha256"].as_str().unwrap());
    let mut tokens = Vec::new();
    for app in apps {
        let out = ok(cli(
            f,
            &[
                "token",
                "create",
                "--role",
                &format!("app:{app}"),
                "--scenarios",
                LANE,
                "--models",
                "ningbo/port",
            ],
        ));
        tokens.push(out.trim().to_string());
        for id in subjects {
            let (status, body) = post_json(
                s,
                "/v1/consents",
                Some(&province),
                &json!({"subject_id": id, "app": app, "model": "ningbo/port", "expires": "2099-12-31"}),
            );
            assert_eq!(status, 201, "{body}");
        }
    }
    (server, province, ningbo, tokens)
}

fn decide(s: &Server, token: &str, subject: &str) -> Value {
    let (status, d) = post_json(
        s,
        "/v1/decisions",
        Some(token),
        &json!({"scenario": LANE, "subject": {"id": subject}}),
    );
    assert_eq!(status, 200, "{d}");
    d
}

fn score(s: &Server, token: &str, subject: &str) -> (u16, Value) {
    post_json(
        s,
        "/v1/scores",
        Some(token),
        &json!({"model": "ningbo/port", "subject": {"id": subject}}),
    )
}

fn file(
    s: &Server,
    token: &str,
    subject: &str,
    indicator: &str,
    observed_on: Option<&str>,
) -> (u16, Value) {
    post_json(
        s,
        "/v1/disputes",
        Some(token),
        &json!({"subject_id": subject, "indicator": indicator, "observed_on": observed_on, "reason": "the subject says it is wrong"}),
    )
}

fn filed(
    s: &Server,
    token: &str,
    subject: &str,
    indicator: &str,
    observed_on: Option<&str>,
) -> String {
    let (status, d) = file(s, token, subject, indicator, observed_on);
    assert_eq!(status, 201, "{d}");
    d["id"].as_str().unwrap().to_string()
}

fn dispute_count(s: &Server, province: &str) -> usize {
    get(s, "/v1/disputes", Some(province))
        .1
        .as_array()
        .unwrap()
        .len()
}

async fn filers_own_disputes(f: Fixture) {
    let (s, province, ningbo, apps) = setup(&f, &[FIRM], &["bank", "shop"]);
    let (bank, shop) = (&apps[0], &apps[1]);
    let auditor = token(&f, "auditor", "");

    let before = decide(&s, bank, FIRM);
    assert_eq!(
        (before["eligible"].as_bool(), before["score"].as_f64()),
        (Some(false), Some(761.75)),
        "{before}"
    );

    // The hit-and-run: file, decide, withdraw. Filed by the app, the
    // dispute suspends nothing until the province has checked it.
    let first = filed(&s, bank, FIRM, "overdue_debts", None);
    let during = decide(&s, bank, FIRM);
    assert_eq!(
        (during["eligible"].as_bool(), during["score"].as_f64()),
        (Some(false), Some(761.75)),
        "{during}"
    );
    // A withdrawal says why.
    let (status, body) = post_json(
        &s,
        &format!("/v1/disputes/{first}/withdraw"),
        Some(bank),
        &json!({"note": " "}),
    );
    assert_eq!(status, 400, "{body}");
    let (status, body) = post_json(
        &s,
        &format!("/v1/disputes/{first}/withdraw"),
        Some(bank),
        &json!({}),
    );
    assert_eq!(status, 400, "{body}");
    let (status, body) = post_json(
        &s,
        &format!("/v1/disputes/{first}/withdraw"),
        Some(bank),
        &json!({"note": "filed by mistake"}),
    );
    assert_eq!(
        (status, body["outcome"].as_str()),
        (200, Some("withdrawn")),
        "{body}"
    );

    // Admitted by the province, the dispute withholds the record: the
    // filer's own decision is provisional and grants nothing ...
    let second = filed(&s, bank, FIRM, "overdue_debts", None);
    let (status, body) = post_json(
        &s,
        &format!("/v1/disputes/{second}/check"),
        Some(&province),
        &json!({"verdict": "forward"}),
    );
    assert_eq!(status, 200, "{body}");
    let provisional = decide(&s, bank, FIRM);
    assert_eq!(provisional["eligible"], false, "{provisional}");
    assert_eq!(provisional["provisional"], json!([second]), "{provisional}");
    assert_eq!(
        provisional["score"], 811.75,
        "the record is withheld: {provisional}"
    );
    assert!(
        provisional["reasons"][0]
            .as_str()
            .unwrap()
            .starts_with("provisional, not a grant"),
        "{provisional}"
    );
    let id = provisional["evaluation_id"].as_str().unwrap();
    let (status, shown) = get(&s, &format!("/v1/evaluations/{id}"), Some(&auditor));
    assert_eq!(status, 200, "{shown}");
    assert_eq!(shown["record"]["decision"]["eligible"], false, "{shown}");
    assert_eq!(
        shown["record"]["decision"]["provisional"],
        json!([second]),
        "{shown}"
    );
    let (status, replay) = post_json(
        &s,
        &format!("/v1/evaluations/{id}/replay"),
        Some(&auditor),
        &json!({}),
    );
    assert_eq!(
        (status, replay["identical"].as_bool()),
        (200, Some(true)),
        "{replay}"
    );
    // ... while another app's decision rests on the province's suspension.
    let other = decide(&s, shop, FIRM);
    assert_eq!(
        (other["eligible"].as_bool(), other.get("provisional")),
        (Some(true), None),
        "{other}"
    );

    // The source upholds the record: it counts again, and the same app may
    // not dispute it again; new grounds go to the province.
    let (status, body) = post_json(
        &s,
        &format!("/v1/disputes/{second}/answer"),
        Some(&ningbo),
        &json!({"outcome": "upheld", "note": "the debt is overdue"}),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(decide(&s, bank, FIRM)["eligible"], false);
    let count = dispute_count(&s, &province);
    let (status, body) = file(&s, bank, FIRM, "overdue_debts", None);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    assert!(
        body["error"]["message"].as_str().unwrap().contains(&second),
        "{body}"
    );
    assert_eq!(dispute_count(&s, &province), count, "nothing stored");
    // Rejected at the check: the same.
    let third = filed(&s, shop, FIRM, "overdue_debts", None);
    let (status, _) = post_json(
        &s,
        &format!("/v1/disputes/{third}/check"),
        Some(&province),
        &json!({"verdict": "reject", "note": "no new grounds"}),
    );
    assert_eq!(status, 200);
    assert_eq!(file(&s, shop, FIRM, "overdue_debts", None).0, 409);
    // The province, which accepted new grounds, files it itself.
    filed(&s, &province, FIRM, "overdue_debts", None);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filers_own_disputes_never_make_its_decisions_better() {
    for backend in backends() {
        filers_own_disputes(fixture(backend, "gaming-own-disputes").await).await;
    }
}

async fn limits_and_lapses(f: Fixture) {
    let subjects: Vec<String> = (0..5).map(|i| format!("91330200MA2LIMIT{i}X")).collect();
    let ids: Vec<&str> = subjects.iter().map(String::as_str).collect();
    let (s, province, ningbo, apps) = setup(&f, &ids, &["bank", "shop"]);
    let (bank, shop) = (&apps[0], &apps[1]);
    let indicators = [
        ("customs_violations_3y", Some("2026-10-01")),
        ("overdue_debts", None),
        ("industry_honours", None),
        ("aeo_certified", None),
        ("tax_credit_grade", None),
        ("years_in_operation", None),
    ];
    let unscored = score(&s, shop, ids[0]).1["score"].clone();
    // Five disputes per subject; the sixth is refused, and stores nothing.
    let mut first_ids = Vec::new();
    for (name, on) in &indicators[..5] {
        first_ids.push(filed(&s, bank, ids[0], name, *on));
    }
    let (name, on) = indicators[5];
    let (status, body) = file(&s, bank, ids[0], name, on);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("limit_reached")),
        "{body}"
    );
    assert_eq!(dispute_count(&s, &province), 5);
    // Twenty per app.
    for id in &ids[1..4] {
        for (name, on) in &indicators[..5] {
            filed(&s, bank, id, name, *on);
        }
    }
    let (status, body) = file(&s, bank, ids[4], "overdue_debts", None);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (429, Some("limit_reached")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("app:bank"),
        "{body}"
    );
    assert_eq!(dispute_count(&s, &province), 20);
    // The province is not limited.
    filed(&s, &province, ids[4], "years_in_operation", None);

    // An app's disputes silence nobody before the province's check: the
    // disputed required indicator is used, the positive records count.
    let (status, scored) = score(&s, shop, ids[0]);
    assert_eq!(status, 200, "{scored}");
    assert_eq!(scored["score"], unscored, "{scored}");

    // A dispute past its 20 days lapses: the admitted one in the subject's
    // favour (the record is withheld for good), the unchecked one without
    // effect. Time is moved by rewriting the stored deadlines.
    let admitted = first_ids[1].clone(); // ids[0]'s overdue_debts
    let unchecked = first_ids[0].clone(); // ids[0]'s customs_violations_3y
    let (status, _) = post_json(
        &s,
        &format!("/v1/disputes/{admitted}/check"),
        Some(&province),
        &json!({"verdict": "forward"}),
    );
    assert_eq!(status, 200);
    drop(s);
    run_sql(
        &f,
        &format!(
            "UPDATE disputes SET close_due = '2026-01-01' WHERE id IN ('{admitted}', '{unchecked}')"
        ),
    )
    .await;
    let s = Server::start(&f);
    // Recorded when the service starts.
    let mut closed = None;
    for _ in 0..100 {
        let (_, d) = get(&s, &format!("/v1/disputes/{admitted}"), Some(&province));
        if d["state"] == "closed" {
            closed = Some(d);
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let closed = closed.expect("the lapse is recorded at start");
    assert_eq!(closed["outcome"], "lapsed", "{closed}");
    assert_eq!(
        closed["closed_by"], "scorehost (the 20-day deadline)",
        "{closed}"
    );
    let (_, d) = get(&s, &format!("/v1/disputes/{unchecked}"), Some(&province));
    assert_eq!(
        (d["state"].as_str(), d["outcome"].as_str()),
        (Some("closed"), Some("unchecked")),
        "{d}"
    );
    let (status, scored) = score(&s, shop, ids[0]);
    assert_eq!(status, 200, "{scored}");
    let withheld = scored["withheld"].as_array().unwrap();
    assert!(
        withheld
            .iter()
            .any(|w| w["id"] == admitted.as_str() && w["why"] == "lapsed"),
        "{scored}"
    );
    assert!(
        !withheld.iter().any(|w| w["id"] == unchecked.as_str()),
        "{scored}"
    );
    assert!(
        scored["reasons"]
            .to_string()
            .contains("decided in the subject's favour"),
        "{scored}"
    );
    // Too late to answer, and the furnisher may not bring it back.
    let (status, _) = post_json(
        &s,
        &format!("/v1/disputes/{admitted}/answer"),
        Some(&ningbo),
        &json!({"outcome": "upheld"}),
    );
    assert_eq!(status, 409);
    let (status, report) = post_to(
        &s,
        "/v1/data/indicators",
        Some(&ningbo),
        "application/x-ndjson",
        ningbo_records(ids[0], true).as_bytes(),
    );
    assert_eq!(status, 200, "{report}");
    assert!(
        report["rejected"].to_string().contains("lapsed"),
        "{report}"
    );
    drop(s);
    let log = ok(cli(&f, &["audit", "verify", "--json"]));
    assert!(log.contains("\"records\""), "{log}");
    let reg = scorehost_registry::Registry::open(&f.data_dir, f.db.as_deref())
        .await
        .unwrap();
    let lapses = reg
        .log_entries()
        .await
        .unwrap()
        .iter()
        .filter(|e| e.record.contains("\"action\":\"dispute-lapse\""))
        .count();
    assert_eq!(lapses, 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn disputes_are_limited_silence_nobody_unchecked_and_lapse_at_their_deadline() {
    for backend in backends() {
        limits_and_lapses(fixture(backend, "gaming-limits").await).await;
    }
}

async fn dates(f: Fixture) {
    let (s, _, _, apps) = setup(&f, &[FIRM], &["bank"]);
    let bank = &apps[0];
    let today = scorehost_engine::completion::today();
    for date in ["2032-12-03", "2026-01-01"] {
        let (status, body) = post_json(
            &s,
            "/v1/scores",
            Some(bank),
            &json!({"model": "ningbo/port", "subject": {"id": FIRM}, "as_of": date}),
        );
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("forbidden")),
            "{body}"
        );
        assert!(
            body["error"]["message"].as_str().unwrap().contains(&today),
            "{body}"
        );
        let (status, body) = post_json(
            &s,
            "/v1/decisions",
            Some(bank),
            &json!({"scenario": LANE, "subject": {"id": FIRM}, "as_of": date}),
        );
        assert_eq!(status, 403, "{body}");
        let (status, body) = post_json(
            &s,
            "/v1/batches",
            Some(bank),
            &json!({"model": "ningbo/port", "as_of": date}),
        );
        assert_eq!(status, 403, "{body}");
    }
    let (status, body) = post_json(
        &s,
        "/v1/scores",
        Some(bank),
        &json!({"model": "ningbo/port", "subject": {"id": FIRM}, "as_of": today}),
    );
    assert_eq!(
        (status, body["as_of"].as_str()),
        (200, Some(today.as_str())),
        "{body}"
    );
    drop(s);
    // The province evaluates at another date, without what was observed
    // after it: the customs record of 2026-10-01 did not exist on
    // 2026-09-01, and it is required.
    let out = f.data_dir.join("past.ndjson");
    ok(cli(
        &f,
        &[
            "batch",
            "--model",
            "ningbo/port",
            "--from-store",
            "--as-of",
            "2026-09-01",
            "--output",
            out.to_str().unwrap(),
        ],
    ));
    let line: Value = serde_json::from_str(
        std::fs::read_to_string(&out)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert!(
        line["error"].to_string().contains("customs_violations_3y"),
        "{line}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn apps_evaluate_the_store_as_of_today_and_later_records_are_not_used() {
    for backend in backends() {
        dates(fixture(backend, "gaming-dates").await).await;
    }
}

async fn provenance(f: Fixture) {
    let (s, _, _, apps) = setup(&f, &[FIRM], &["bank"]);
    let bank = &apps[0];
    let auditor = token(&f, "auditor", "");
    let (status, official) = score(&s, bank, FIRM);
    assert_eq!(
        (status, official["data_from"].as_str()),
        (200, Some("store")),
        "{official}"
    );
    // The same subject inline, with a better base and no debt.
    let mut inline = serde_json::to_value(scorehost_tests::example("ningbo-port-v1")).unwrap();
    inline["as_of"] = json!(scorehost_engine::completion::today());
    inline["base"]["score"] = json!(990.0);
    let (status, claimed) = post_json(&s, "/v1/scores", Some(bank), &inline);
    assert_eq!(
        (status, claimed["data_from"].as_str()),
        (200, Some("caller")),
        "{claimed}"
    );
    let mut forged = inline.clone();
    forged["from_store"] = json!(true);
    let (status, body) = post_json(&s, "/v1/scores", Some(bank), &forged);
    assert_eq!(status, 400, "{body}");
    let (status, body) = post_to(
        &s,
        "/v1/batches?model=ningbo/port",
        Some(bank),
        "application/x-ndjson",
        format!("{forged}\n").as_bytes(),
    );
    assert_eq!(status, 400, "{body}");
    let record = |id: &str| -> Value {
        let (status, shown) = get(&s, &format!("/v1/evaluations/{id}"), Some(&auditor));
        assert_eq!(status, 200, "{shown}");
        shown
    };
    let official_id = official["evaluation_id"].as_str().unwrap().to_string();
    let claimed_id = claimed["evaluation_id"].as_str().unwrap().to_string();
    let shown_official = record(&official_id);
    assert_eq!(shown_official["record"]["format"], 3);
    assert_eq!(
        shown_official["record"]["data"],
        json!({"from": "store", "furnishers": ["publisher:ningbo"]})
    );
    let shown_claimed = record(&claimed_id);
    assert_eq!(shown_claimed["record"]["data"], json!({"from": "caller"}));
    drop(s);

    // A proof is checked against the record it is shown with.
    let dir = &f.data_dir;
    let proof = dir.join("proof.json");
    ok(cli(
        &f,
        &[
            "audit",
            "proof",
            &claimed_id,
            "--out",
            proof.to_str().unwrap(),
        ],
    ));
    let proof_json: Value =
        serde_json::from_str(&std::fs::read_to_string(&proof).unwrap()).unwrap();
    let leaf = hex::encode(scorehost_audit::merkle::leaf_hash(
        shown_claimed["entry"]["record"]
            .as_str()
            .unwrap()
            .as_bytes(),
    ));
    assert_eq!(proof_json["leaf_hash"], leaf.as_str());
    let write = |name: &str, v: &Value| {
        let p = dir.join(name);
        std::fs::write(&p, serde_json::to_string_pretty(v).unwrap()).unwrap();
        p
    };
    let check = |record: &std::path::Path| {
        cli(
            &f,
            &[
                "audit",
                "proof",
                "--check",
                proof.to_str().unwrap(),
                "--record",
                record.to_str().unwrap(),
            ],
        )
    };
    let out = ok(check(&write("claimed.json", &shown_claimed)));
    assert!(
        out.contains("data: the caller's own inputs (app:bank), not the store"),
        "{out}"
    );
    let exact = dir.join("exact.txt");
    std::fs::write(&exact, shown_claimed["entry"]["record"].as_str().unwrap()).unwrap();
    ok(check(&exact));
    // The official record is not what this proof proves, nor is an edited
    // copy of the claimed one.
    let wrong = write("official.json", &shown_official);
    let mut edited = shown_claimed.clone();
    edited["entry"]["record"] = json!(
        shown_claimed["entry"]["record"]
            .as_str()
            .unwrap()
            .replace("\"from\":\"caller\"", "\"from\":\"store\"")
    );
    let edited = write("edited.json", &edited);
    for bad in [wrong, edited] {
        let out = check(&bad);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{stderr}");
        assert!(
            stderr.contains("does not verify for this record"),
            "{stderr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn inline_evaluations_are_recorded_as_the_callers_and_proofs_bind_their_record() {
    for backend in backends() {
        provenance(fixture(backend, "gaming-provenance").await).await;
    }
}
