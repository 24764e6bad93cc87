//! Benefit scenarios (issue 8 item 5), end to end: the real binary and
//! `scorehost serve`, the bundled hangzhou/qianjiang and ningbo/port
//! components, data imported into the 1+N store, SQLite and (when
//! `SCOREHOST_TEST_POSTGRES_URL` is set) PostgreSQL.
//!
//! The scores asserted are computed by hand from the models' READMEs:
//! Qianjiang = band-weighted provincial base + 20 (identity verified) +
//! 0.5 per library loan; ningbo/port's example subject is 811.75 (B), and
//! the same enterprise on a black list is capped at 549.99 (D).
//!
//! The grades rules: mining/rights A or B (state-funded mining bids, the
//! issue's example: 77.90, B; the same holder black-listed, 59.99, D) and
//! ningbo/port A or B (one-stop joint inspection).

use scorehost_tests::http::{Server, call, get, post_json, put_json as put};
use scorehost_tests::{
    Backend, DEFINITION_REVIEWERS, Fixture, approve_cli, approve_definition, approve_pending,
    backends, cli, component, fixture, log_records, ok, pin_cli, sha256_file, token_with,
    write_file,
};
use serde_json::{Value, json};

const TRANSIT: &str = "hangzhou-transit-credit-pay";
const RENTAL: &str = "public-rental-deposit-halved";
const INSPECTION: &str = "ningbo-port-joint-inspection";
const BIDS: &str = "mining-state-funded-bids";

/// Natural persons: (id, provincial base score, library loans, age).
/// 767.99 → 300 + 1.5 × 167.99 = 551.985 → 551.99, + 20 + 1 = 572.99;
/// 768.00 → 552.00 + 21 = 573.00; 879.99 → 600 + 79.99 + 20 = 699.99;
/// 880.00 → 700.00; the fifth never consented; the sixth is 17.
const PEOPLE: [(&str, f64, u32, u32); 6] = [
    ("330106199001010001", 767.99, 2, 30),
    ("330106199001010002", 768.00, 2, 30),
    ("330106199001010003", 879.99, 0, 30),
    ("330106199001010004", 880.00, 0, 30),
    ("330106199001010005", 880.00, 0, 30),
    ("330106200901010006", 880.00, 0, 17),
];

/// Port enterprises: the example (811.75, B) and the same on a black list.
const PORT_OK: &str = "91330200MA2AAAAA1X";
const PORT_BLACK: &str = "91330200MA2DDDDD4W";

/// Mining-right holders: the example (77.90, B) and the same black-listed.
const MINE_OK: &str = "91330500MA2MINE01X";
const MINE_BLACK: &str = "91330500MA2MINE02Y";

/// Both models pinned, the people and enterprises imported, and consent
/// for app:transit and app:housing recorded for all people but the fifth.
fn prepare(f: &Fixture) {
    pin_cli(
        f,
        "hangzhou-qianjiang-v2",
        "hangzhou/qianjiang@2.0.0",
        "publisher:hangzhou",
    );
    pin_cli(f, "ningbo-port-v1", "ningbo/port@1.0.0", "publisher:ningbo");
    pin_cli(f, "mining-v1", "mining/rights@1.0.0", "publisher:mining");
    let mut bases = String::new();
    let mut indicators = String::new();
    let mut push = |subject: &str, name: &str, value: Value| {
        indicators.push_str(
            &json!({ "subject_id": subject, "name": name, "value": value, "source": "test" })
                .to_string(),
        );
        indicators.push('\n');
    };
    for (id, base, loans, age) in PEOPLE {
        bases.push_str(&json!({ "subject_id": id, "kind": "natural-person", "score": base, "grade": "B", "source": "zhejiang-credit" }).to_string());
        bases.push('\n');
        push(id, "age", json!(age));
        push(id, "identity_verified", json!(true));
        if loans > 0 {
            push(id, "library_loans_1y", json!(loans));
        }
    }
    for (plugin, id, black) in [
        ("ningbo-port-v1", PORT_OK, false),
        ("ningbo-port-v1", PORT_BLACK, true),
        ("mining-v1", MINE_OK, false),
        ("mining-v1", MINE_BLACK, true),
    ] {
        let example = serde_json::to_value(scorehost_tests::example(plugin)).unwrap();
        let lists = if black {
            json!(["black:court-defaulter"])
        } else {
            example["base"]["lists"].clone()
        };
        let b = &example["base"];
        bases.push_str(&json!({ "subject_id": id, "kind": "enterprise", "score": b["score"], "grade": b["grade"],
            "dimensions": b["dimensions"], "lists": lists, "source": "zhejiang-credit" }).to_string());
        bases.push('\n');
        for ind in example["indicators"].as_array().unwrap() {
            let mut row = json!({ "subject_id": id, "name": ind["name"], "value": ind["value"], "source": "ningbo-port-authority" });
            if let Some(d) = ind["observed_on"].as_str() {
                row["observed_on"] = json!(d);
            }
            indicators.push_str(&row.to_string());
            indicators.push('\n');
        }
    }
    let bases = write_file(f, "bases.ndjson", &bases);
    let indicators = write_file(f, "indicators.ndjson", &indicators);
    ok(cli(f, &["data", "import", "bases", &bases]));
    ok(cli(f, &["data", "import", "indicators", &indicators]));
    for (id, ..) in PEOPLE {
        if id == PEOPLE[4].0 {
            continue;
        }
        for app in ["transit", "housing"] {
            ok(cli(
                f,
                &[
                    "consent",
                    "grant",
                    "--subject",
                    id,
                    "--app",
                    app,
                    "--model",
                    "hangzhou/qianjiang",
                    "--until",
                    "2099-12-31",
                ],
            ));
        }
    }
}

/// A token of `role` granted `scenario` and its `model`: its decisions
/// carry the whole evaluation.
fn granted_both(f: &Fixture, role: &str, scenario: &str, model: &str) -> String {
    token_with(
        f,
        &["--role", role, "--scenarios", scenario, "--models", model],
    )
}

fn delete(s: &Server, path: &str, token: &str) -> (u16, Value) {
    call(
        "DELETE",
        &format!("{}{path}", s.url),
        Some(token),
        None,
        None,
    )
}

fn decide(s: &Server, token: &str, scenario: &str, subject: &str) -> (u16, Value) {
    post_json(
        s,
        "/v1/decisions",
        Some(token),
        &json!({ "scenario": scenario, "subject": { "id": subject } }),
    )
}

/// The three scenarios of the issue, proposed over HTTP by the province
/// and approved by two other persons.
fn define_all(f: &Fixture, s: &Server, province: &str) {
    for (name, body) in [
        (
            TRANSIT,
            json!({ "title": "Hangzhou transit credit-pay", "model": "hangzhou/qianjiang", "min_score": 573 }),
        ),
        (
            RENTAL,
            json!({ "title": "public-rental housing deposit halved", "model": "hangzhou/qianjiang", "min_score": 700 }),
        ),
        (
            INSPECTION,
            json!({ "title": "one-stop joint port inspection", "model": "ningbo/port", "grades": ["A", "B"] }),
        ),
        (
            BIDS,
            json!({ "title": "state-funded mining bids", "model": "mining/rights", "grades": ["A", "B"] }),
        ),
    ] {
        let (status, body) = put(s, &format!("/v1/scenarios/{name}"), province, &body);
        assert_eq!(status, 202, "{body}");
        assert_eq!(
            (&body["name"], &body["status"]),
            (&json!(name), &json!("pending"))
        );
        assert!(body["replaces"] == false, "{body}");
        let approved = approve_definition(f, "scenario", name, body["sha256"].as_str().unwrap());
        assert_eq!(approved["in_force"]["name"], name, "{approved}");
    }
}

#[test]
fn apps_granted_a_scenario_get_eligibility_by_the_pinned_models_rule() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for backend in backends() {
        let f = rt.block_on(fixture(backend, "scenarios-decide"));
        prepare(&f);
        let province = token_with(&f, &["--role", "province", "--person", "Test Operator"]);
        let auditor = token_with(&f, &["--role", "auditor"]);
        let s = Server::start(&f);
        define_all(&f, &s, &province);
        let (status, list) = get(&s, "/v1/scenarios", Some(&auditor));
        assert_eq!(status, 200);
        let names: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, [TRANSIT, BIDS, INSPECTION, RENTAL], "by name");
        assert_eq!(list[0]["rule"], json!({ "min_score": 573.0 }));
        assert_eq!(list[1]["rule"], json!({ "grades": ["A", "B"] }));
        assert_eq!(list[1]["model"], "mining/rights");

        // An app granted a scenario only may not score its model, and its
        // decisions give the minimum: eligible or not, the rule, the
        // reasons — no score, grade or white box (attacks.rs tests more).
        let transit_only = token_with(&f, &["--role", "app:transit", "--scenarios", TRANSIT]);
        let scored = post_json(
            &s,
            "/v1/scores",
            Some(&transit_only),
            &json!({ "model": "hangzhou/qianjiang", "subject": { "id": PEOPLE[1].0 } }),
        );
        assert_eq!(scored.0, 403, "a scenario is no grant of the raw score");
        let (status, minimal) = decide(&s, &transit_only, TRANSIT, PEOPLE[1].0);
        assert_eq!(status, 200, "{minimal}");
        assert_eq!(minimal["eligible"], true);
        assert!(minimal.get("score").is_none() && minimal.get("evaluation").is_none());
        assert_eq!(
            minimal["reasons"][0],
            "the score reaches 573: eligible for Hangzhou transit credit-pay",
            "{minimal}"
        );
        // Apps granted the scenarios and their models: the whole answer.
        let transit = granted_both(&f, "app:transit", TRANSIT, "hangzhou/qianjiang");
        let housing = granted_both(&f, "app:housing", RENTAL, "hangzhou/qianjiang");
        let port = granted_both(&f, "app:customs", INSPECTION, "ningbo/port");
        let bids = granted_both(&f, "app:tenders", BIDS, "mining/rights");
        let scorer = token_with(
            &f,
            &["--role", "app:transit", "--models", "hangzhou/qianjiang"],
        );

        // Qianjiang ≥ 573 and ≥ 700: one just below and one at each.
        let cases = [
            (
                &transit,
                TRANSIT,
                PEOPLE[0].0,
                572.99,
                false,
                "score 572.99 < 573: not eligible for Hangzhou transit credit-pay",
            ),
            (
                &transit,
                TRANSIT,
                PEOPLE[1].0,
                573.0,
                true,
                "score 573.00 ≥ 573: eligible for Hangzhou transit credit-pay",
            ),
            (
                &housing,
                RENTAL,
                PEOPLE[2].0,
                699.99,
                false,
                "score 699.99 < 700: not eligible for public-rental housing deposit halved",
            ),
            (
                &housing,
                RENTAL,
                PEOPLE[3].0,
                700.0,
                true,
                "score 700.00 ≥ 700: eligible for public-rental housing deposit halved",
            ),
            (
                &port,
                INSPECTION,
                PORT_OK,
                811.75,
                true,
                "grade B is one of A, B: eligible for one-stop joint port inspection",
            ),
            (
                &port,
                INSPECTION,
                PORT_BLACK,
                549.99,
                false,
                "grade D is not one of A, B: not eligible for one-stop joint port inspection",
            ),
            (
                &bids,
                BIDS,
                MINE_OK,
                77.9,
                true,
                "grade B is one of A, B: eligible for state-funded mining bids",
            ),
            (
                &bids,
                BIDS,
                MINE_BLACK,
                59.99,
                false,
                "grade D is not one of A, B: not eligible for state-funded mining bids",
            ),
        ];
        let mut ids = Vec::new();
        for (token, scenario, subject, score, eligible, why) in cases {
            let before = log_records(&f);
            let (status, d) = decide(&s, token, scenario, subject);
            assert_eq!(status, 200, "{scenario} {subject}: {d}");
            assert_eq!(d["scenario"], scenario);
            assert_eq!(d["eligible"], eligible, "{d}");
            assert_eq!(d["score"], score, "{d}");
            assert_eq!(d["evaluation"]["score"], score);
            assert_eq!(d["reasons"][0], why, "{d}");
            // Then the model's own principal reasons, first first.
            assert_eq!(d["reasons"][1], d["evaluation"]["reasons"][0], "{d}");
            assert!(d["reasons"].as_array().unwrap().len() <= 4);
            assert_eq!(d["evaluation"]["subject"]["id"], subject);
            assert_eq!(
                d["evaluation"]["as_of"],
                scorehost_engine::completion::today()
            );
            let id = d["evaluation_id"].as_str().unwrap().to_string();
            assert_eq!(d["evaluation"]["evaluation_id"], id.as_str());
            assert_eq!(log_records(&f), before + 1, "one record per decision");
            ids.push((id, scenario, eligible, token));
        }
        let (status, d) = decide(&s, &port, INSPECTION, PORT_BLACK);
        assert_eq!((status, d["grade"].as_str()), (200, Some("D")));

        // Logged like any evaluation, with the decision; the app reads its
        // own record, the log verifies and every decision replays.
        for (id, scenario, eligible, token) in &ids {
            let (status, shown) = get(&s, &format!("/v1/evaluations/{id}"), Some(&auditor));
            assert_eq!(status, 200, "{shown}");
            let record = &shown["record"];
            assert_eq!(record["kind"], "evaluation");
            assert_eq!(record["decision"]["scenario"], *scenario);
            assert_eq!(record["decision"]["eligible"], *eligible);
            assert!(record["decision"]["rule"].is_object(), "{record}");
            assert!(record["caller"].as_str().unwrap().starts_with("app:"));
            assert_eq!(
                get(&s, &format!("/v1/evaluations/{id}"), Some(token.as_str())).0,
                200
            );
            let (status, replay) = post_json(
                &s,
                &format!("/v1/evaluations/{id}/replay"),
                Some(&auditor),
                &json!({}),
            );
            assert_eq!(status, 200, "{replay}");
            assert_eq!(replay["identical"], true, "{replay}");
        }
        let replayed = ok(cli(&f, &["audit", "replay", &ids[1].0, "--json"]));
        let replayed: Value = serde_json::from_str(&replayed).unwrap();
        assert_eq!(replayed["identical"], true, "{replayed}");
        let shown = ok(cli(&f, &["audit", "show", &ids[1].0, "--json"]));
        assert!(shown.contains(TRANSIT), "{shown}");
        let (status, v) = get(&s, "/v1/audit/verify", Some(&auditor));
        assert_eq!(status, 200, "{v}");

        // Refusals: nothing evaluated, nothing recorded.
        let before = log_records(&f);
        let (status, body) = decide(&s, &housing, TRANSIT, PEOPLE[1].0);
        assert_eq!(status, 403, "{body}");
        assert!(
            body["error"]["message"].as_str().unwrap().contains(RENTAL),
            "names what it is granted: {body}"
        );
        let (status, body) = decide(&s, &scorer, TRANSIT, PEOPLE[1].0);
        assert_eq!(status, 403, "a model grant is no scenario grant: {body}");
        let (status, body) = decide(&s, &province, TRANSIT, PEOPLE[1].0);
        assert_eq!(status, 403, "only apps ask: {body}");
        let (status, body) = decide(&s, &transit, "no-such-benefit", PEOPLE[1].0);
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{body}"
        );
        let (status, body) = decide(&s, &transit, TRANSIT, PEOPLE[4].0);
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("consent_required")),
            "{body}"
        );
        // Not stored: the same answer as a person without consent.
        let (status, body) = decide(&s, &transit, TRANSIT, "nobody");
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (403, Some("consent_required")),
            "{body}"
        );
        let (status, body) = post_json(
            &s,
            "/v1/decisions",
            Some(&transit),
            &json!({ "scenario": TRANSIT, "subject": { "id": PEOPLE[1].0 }, "model": "x/y" }),
        );
        assert_eq!(status, 400, "{body}");
        assert_eq!(log_records(&f), before, "refusals record nothing");

        // A model's refusal is the 422 of /v1/scores, recorded with the
        // scenario and rule but no eligibility.
        let (status, body) = decide(&s, &transit, TRANSIT, PEOPLE[5].0);
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (422, Some("model_rejected")),
            "{body}"
        );
        let id = body["error"]["evaluation_id"].as_str().unwrap();
        let (_, shown) = get(&s, &format!("/v1/evaluations/{id}"), Some(&auditor));
        assert_eq!(shown["record"]["decision"]["scenario"], TRANSIT);
        assert!(shown["record"]["decision"].get("eligible").is_none());
        assert_eq!(
            log_records(&f),
            before + 2,
            "the evaluation, and the auditor's read of it"
        );

        // Retired: refused (410), its history kept, no longer grantable.
        let (status, _) = delete(&s, &format!("/v1/scenarios/{TRANSIT}"), &transit);
        assert_eq!(status, 403);
        let (status, retired) = delete(&s, &format!("/v1/scenarios/{TRANSIT}"), &province);
        assert_eq!(status, 200, "{retired}");
        assert!(retired["retired_at"].is_string());
        let (status, body) = decide(&s, &transit, TRANSIT, PEOPLE[1].0);
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (410, Some("gone")),
            "{body}"
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("retired")
        );
        let (status, _) = delete(&s, &format!("/v1/scenarios/{TRANSIT}"), &province);
        assert_eq!(status, 409, "already retired");
        let (status, shown) = get(&s, &format!("/v1/scenarios/{TRANSIT}"), Some(&transit));
        assert_eq!(status, 200);
        assert!(shown["retired_at"].is_string());
        let out = cli(
            &f,
            &[
                "token",
                "create",
                "--role",
                "app:late",
                "--scenarios",
                TRANSIT,
            ],
        );
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("retired"));
        // Redefined, it decides again, for the tokens that hold it.
        let (status, body) = put(
            &s,
            &format!("/v1/scenarios/{TRANSIT}"),
            &province,
            &json!({ "title": "Hangzhou transit credit-pay", "model": "hangzhou/qianjiang", "min_score": 572.99 }),
        );
        assert_eq!(
            (status, body["replaces"].as_bool()),
            (202, Some(true)),
            "{body}"
        );
        // Waiting for approval, it decides nothing yet: still retired.
        let (status, _) = decide(&s, &transit, TRANSIT, PEOPLE[0].0);
        assert_eq!(status, 410);
        approve_definition(&f, "scenario", TRANSIT, body["sha256"].as_str().unwrap());
        let (status, d) = decide(&s, &transit, TRANSIT, PEOPLE[0].0);
        assert_eq!((status, d["eligible"].as_bool()), (200, Some(true)), "{d}");
        assert_eq!(
            d["reasons"][0],
            "score 572.99 ≥ 572.99: eligible for Hangzhou transit credit-pay"
        );
        // Every definition, retirement and decision is in the log, and it verifies.
        let out = ok(cli(&f, &["audit", "verify", "--json"]));
        assert!(out.contains("\"records\""), "{out}");
    }
}

#[test]
fn bad_scenario_definitions_are_refused_and_store_nothing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for backend in backends() {
        let f = rt.block_on(fixture(backend, "scenarios-bad"));
        pin_cli(
            &f,
            "hangzhou-qianjiang-v2",
            "hangzhou/qianjiang@2.0.0",
            "publisher:hangzhou",
        );
        pin_cli(
            &f,
            "ningbo-port-v1",
            "ningbo/port@1.0.0",
            "publisher:ningbo",
        );
        let province = token_with(&f, &["--role", "province", "--person", "Test Operator"]);
        let app = token_with(&f, &["--role", "app:transit", "--models", "ningbo/port"]);
        let s = Server::start(&f);
        let before = log_records(&f);
        let qj = "hangzhou/qianjiang";
        for (name, body, needle) in [
            (
                TRANSIT,
                json!({ "model": qj, "min_score": 573, "grades": ["blue"] }),
                "not two",
            ),
            (
                TRANSIT,
                json!({ "model": qj, "min_score": 573, "above_score": 580 }),
                "not two",
            ),
            (
                TRANSIT,
                json!({ "model": qj, "above_score": 1000 }),
                "above_score 1000 is outside hangzhou/qianjiang@2.0.0's scale 0–1000",
            ),
            (TRANSIT, json!({ "model": qj }), "needs min_score"),
            (
                TRANSIT,
                json!({ "model": qj, "grades": [] }),
                "at least one grade",
            ),
            (
                TRANSIT,
                json!({ "model": "nosuch/model", "min_score": 573 }),
                "unknown model nosuch/model",
            ),
            (
                TRANSIT,
                json!({ "model": "not a model", "min_score": 573 }),
                "is not a model name",
            ),
            (
                TRANSIT,
                json!({ "model": qj, "grades": ["blue", "A"] }),
                "grade 'A' is not declared by hangzhou/qianjiang@2.0.0 (its grades: blue, green, yellow)",
            ),
            (
                INSPECTION,
                json!({ "model": "ningbo/port", "grades": ["A", "E"] }),
                "grade 'E' is not declared",
            ),
            (
                TRANSIT,
                json!({ "model": qj, "min_score": 1000.01 }),
                "min_score 1000.01 is outside hangzhou/qianjiang@2.0.0's scale 0–1000",
            ),
            (TRANSIT, json!({ "model": qj, "min_score": -1 }), "outside"),
            (
                TRANSIT,
                json!({ "model": qj, "min_score": 573.001 }),
                "more than two decimals",
            ),
            (
                TRANSIT,
                json!({ "model": qj, "min_score": "573" }),
                "does not fit",
            ),
            (
                TRANSIT,
                json!({ "model": qj, "min_score": 573, "extra": 1 }),
                "unknown field",
            ),
            (
                "Not-A-Name",
                json!({ "model": qj, "min_score": 573 }),
                "is not a scenario name",
            ),
            (
                TRANSIT,
                json!({ "model": qj, "min_score": 573, "title": "  " }),
                "title",
            ),
        ] {
            let (status, err) = put(&s, &format!("/v1/scenarios/{name}"), &province, &body);
            assert_eq!(
                (status, err["error"]["code"].as_str()),
                (400, Some("bad_request")),
                "{body}: {err}"
            );
            let message = err["error"]["message"].as_str().unwrap();
            assert!(message.contains(needle), "{body}: {message}");
        }
        let good = json!({ "model": qj, "min_score": 573 });
        let (status, _) = put(&s, &format!("/v1/scenarios/{TRANSIT}"), &app, &good);
        assert_eq!(status, 403, "only the province defines");
        let (status, list) = get(&s, "/v1/scenarios", Some(&app));
        assert_eq!((status, list), (200, json!([])), "nothing stored");
        assert_eq!(log_records(&f), before, "nothing logged");
        let (status, body) = get(&s, &format!("/v1/scenarios/{TRANSIT}"), Some(&app));
        assert_eq!(status, 404, "{body}");
        let (status, _) = delete(&s, &format!("/v1/scenarios/{TRANSIT}"), &province);
        assert_eq!(status, 404);
        // A token may only be granted a scenario that exists.
        let out = cli(
            &f,
            &["token", "create", "--role", "app:x", "--scenarios", TRANSIT],
        );
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("no scenario is named"));
        // The good one is stored, in the log in the same transaction.
        let (status, body) = put(&s, &format!("/v1/scenarios/{TRANSIT}"), &province, &good);
        assert_eq!(status, 202, "{body}");
        assert_eq!(body["checked_against"], "hangzhou/qianjiang@2.0.0");
        assert_eq!(
            body["definition"]["title"], TRANSIT,
            "the title defaults to the name"
        );
        assert_eq!(log_records(&f), before + 1);
        // Proposed, it is not in force: an app reads nothing of it, and no
        // token may be granted it yet.
        let (status, _) = get(&s, &format!("/v1/scenarios/{TRANSIT}"), Some(&app));
        assert_eq!(status, 404);
        let out = cli(
            &f,
            &["token", "create", "--role", "app:x", "--scenarios", TRANSIT],
        );
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr)
                .contains("is waiting for approval (2 more of 2 needed)"),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        approve_definition(&f, "scenario", TRANSIT, body["sha256"].as_str().unwrap());
        assert_eq!(
            log_records(&f),
            before + 4,
            "proposal, two approvals, in force"
        );
        let out = cli(
            &f,
            &[
                "token",
                "create",
                "--role",
                "auditor",
                "--scenarios",
                TRANSIT,
            ],
        );
        assert!(!out.status.success(), "only apps are granted scenarios");
    }
}

#[test]
fn the_cli_defines_lists_and_decides_locally_and_through_the_service() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "scenarios-cli"));
    prepare(&f);
    let defined = ok(cli(
        &f,
        &[
            "scenario",
            "define",
            TRANSIT,
            "--model",
            "hangzhou/qianjiang",
            "--min-score",
            "573",
            "--title",
            "Hangzhou transit credit-pay",
        ],
    ));
    assert!(defined.contains("score ≥ 573.00"), "{defined}");
    assert!(defined.contains("hangzhou/qianjiang@2.0.0"), "{defined}");
    assert!(defined.contains("2 more of 2"), "{defined}");
    let shown: Value =
        serde_json::from_str(&ok(cli(&f, &["scenario", "show", TRANSIT, "--json"]))).unwrap();
    let sha = shown["pending"]["sha256"].as_str().unwrap().to_string();
    // Its author never counts: the operator who proposed it cannot approve
    // it; nor can anyone approve other text than what waits.
    let out = cli(&f, &["scenario", "approve", TRANSIT, "--sha256", &sha]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("never counts"));
    let out = cli(
        &f,
        &[
            "scenario",
            "approve",
            TRANSIT,
            "--sha256",
            &"0".repeat(64),
            "--as",
            DEFINITION_REVIEWERS[0],
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(&sha));
    assert!(
        !ok(cli(&f, &["scenario", "list"])).contains(TRANSIT),
        "not yet in force"
    );
    approve_pending(&f, "scenario", TRANSIT);
    let out = cli(
        &f,
        &[
            "scenario",
            "define",
            RENTAL,
            "--model",
            "hangzhou/qianjiang",
            "--grades",
            "gold",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "bad input");
    assert!(String::from_utf8_lossy(&out.stderr).contains("grade 'gold' is not declared"));
    let list = ok(cli(&f, &["scenario", "list"]));
    assert!(list.contains(TRANSIT) && list.contains("live"), "{list}");
    assert!(!list.contains(RENTAL), "{list}");
    let shown: Value =
        serde_json::from_str(&ok(cli(&f, &["scenario", "show", TRANSIT, "--json"]))).unwrap();
    assert_eq!(shown["rule"], json!({ "min_score": 573.0 }));

    // Locally, acting as the app; the person's consent counts here too.
    let d: Value = serde_json::from_str(&ok(cli(
        &f,
        &[
            "decide",
            "--scenario",
            TRANSIT,
            "--subject",
            PEOPLE[1].0,
            "--as-of",
            "2026-11-01",
            "--as",
            "app:transit",
            "--json",
        ],
    )))
    .unwrap();
    assert_eq!(
        (d["eligible"].as_bool(), d["score"].as_f64()),
        (Some(true), Some(573.0))
    );
    let id = d["evaluation_id"].as_str().unwrap();
    let record: Value =
        serde_json::from_str(&ok(cli(&f, &["audit", "show", id, "--json"]))).unwrap();
    assert_eq!(record["record"]["decision"]["eligible"], true, "{record}");
    assert_eq!(record["record"]["caller"], "app:transit");
    let table = ok(cli(&f, &["audit", "show", id]));
    assert!(
        table.contains(&format!(
            "decision: {TRANSIT} (Hangzhou transit credit-pay), rule score ≥ 573.00: eligible"
        )),
        "{table}"
    );
    let table = ok(cli(
        &f,
        &[
            "decide",
            "--scenario",
            TRANSIT,
            "--subject",
            PEOPLE[0].0,
            "--as-of",
            "2026-11-01",
            "--as",
            "app:transit",
        ],
    ));
    assert!(table.contains("NOT ELIGIBLE"), "{table}");
    assert!(table.contains("score 572.99 < 573"), "{table}");
    for (args, code, needle) in [
        (vec!["--as", "province:Zhang Wei"], 8, "not an app"),
        (
            vec!["--as", "app:bank"],
            8,
            "consent for this app and model stands",
        ),
    ] {
        let mut all = vec!["decide", "--scenario", TRANSIT, "--subject", PEOPLE[1].0];
        all.extend(args);
        let out = cli(&f, &all);
        assert_eq!(out.status.code(), Some(code));
        assert!(String::from_utf8_lossy(&out.stderr).contains(needle));
    }
    let out = cli(
        &f,
        &[
            "decide",
            "--scenario",
            "nope",
            "--subject",
            PEOPLE[1].0,
            "--as",
            "app:transit",
        ],
    );
    assert_eq!(out.status.code(), Some(9));

    // Through the service, with an app token granted the scenario only.
    let transit = granted_both(&f, "app:transit", TRANSIT, "hangzhou/qianjiang");
    let province = token_with(&f, &["--role", "province", "--person", "Test Operator"]);
    let tokens = ok(cli(&f, &["token", "list"]));
    assert!(tokens.contains(&format!("scenarios:{TRANSIT}")), "{tokens}");
    let s = Server::start(&f);
    let remote = |token: &str, args: &[&str]| {
        let mut all = vec!["--server", s.url.as_str(), "--token", token];
        all.extend_from_slice(args);
        cli(&f, &all)
    };
    let d: Value = serde_json::from_str(&ok(remote(
        &transit,
        &[
            "decide",
            "--scenario",
            TRANSIT,
            "--subject",
            PEOPLE[0].0,
            "--json",
        ],
    )))
    .unwrap();
    assert_eq!(
        (d["eligible"].as_bool(), d["score"].as_f64()),
        (Some(false), Some(572.99))
    );
    // An app's decisions are made as of today: another date is refused.
    let out = remote(
        &transit,
        &[
            "decide",
            "--scenario",
            TRANSIT,
            "--subject",
            PEOPLE[0].0,
            "--as-of",
            "2026-11-01",
        ],
    );
    assert_eq!(out.status.code(), Some(8), "forbidden");
    ok(remote(
        &province,
        &[
            "scenario",
            "define",
            RENTAL,
            "--model",
            "hangzhou/qianjiang",
            "--min-score",
            "700",
        ],
    ));
    // Approved through the service by one reviewer and locally by another.
    let shown: Value = serde_json::from_str(&ok(remote(
        &province,
        &["scenario", "show", RENTAL, "--json"],
    )))
    .unwrap();
    let sha = shown["pending"]["sha256"].as_str().unwrap().to_string();
    let hidden: Value =
        serde_json::from_str(&ok(remote(&transit, &["scenario", "list", "--json"]))).unwrap();
    assert!(
        !hidden.to_string().contains(RENTAL),
        "an app never sees a draft"
    );
    let second = token_with(&f, &["--role", "province", "--person", "Second Reviewer"]);
    let first = ok(remote(
        &second,
        &["scenario", "approve", RENTAL, "--sha256", &sha],
    ));
    assert!(first.contains("1 more of 2"), "{first}");
    ok(cli(
        &f,
        &[
            "scenario",
            "approve",
            RENTAL,
            "--sha256",
            &sha,
            "--as",
            DEFINITION_REVIEWERS[1],
        ],
    ));
    let list = ok(remote(&transit, &["scenario", "list"]));
    assert!(
        list.contains(RENTAL) && list.contains("score ≥ 700.00"),
        "{list}"
    );
    let out = remote(
        &transit,
        &["decide", "--scenario", RENTAL, "--subject", PEOPLE[3].0],
    );
    assert_eq!(out.status.code(), Some(8), "not granted");
    ok(remote(&province, &["scenario", "retire", RENTAL]));
    let out = remote(
        &transit,
        &["decide", "--scenario", RENTAL, "--subject", PEOPLE[3].0],
    );
    assert_eq!(out.status.code(), Some(9), "retired");
    assert!(String::from_utf8_lossy(&out.stderr).contains("retired"));
    ok(cli(&f, &["audit", "verify"]));
}

/// A rule is checked against the version pinned when it is defined, and
/// again at every decision: re-pinning a version that no longer declares
/// the rule's grade makes the scenario a conflict (409) until the province
/// redefines it — never a silent "not eligible".
#[test]
fn a_rule_that_no_longer_fits_the_pinned_version_is_a_conflict() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "scenarios-repin"));
    let mut shas = Vec::new();
    for (package, reference) in [
        ("guest-impact-v1", "test/impact@1.0.0"),
        ("guest-impact-v2", "test/impact@2.0.0"),
    ] {
        let wasm = component(package);
        let sha = sha256_file(&wasm);
        ok(cli(
            &f,
            &[
                "plugin",
                "publish",
                wasm.to_str().unwrap(),
                "--as",
                "publisher:test",
            ],
        ));
        approve_cli(&f, reference, &sha);
        shas.push(sha);
    }
    // Version 2: 90 % of the provincial score, grades AA ≥ 900, A, B, C
    // (1000 → 900, AA); version 1: the provincial score, grades A, B, C.
    ok(cli(
        &f,
        &["plugin", "pin", "test/impact@2.0.0", "--sha256", &shas[1]],
    ));
    let bases = write_file(
        &f,
        "bases.ndjson",
        &json!({ "subject_id": "E1", "kind": "enterprise", "score": 1000, "grade": "A", "source": "t" })
            .to_string(),
    );
    ok(cli(&f, &["data", "import", "bases", &bases]));
    let name = "test-top-grade";
    ok(cli(
        &f,
        &[
            "scenario",
            "define",
            name,
            "--model",
            "test/impact",
            "--grades",
            "AA",
        ],
    ));
    approve_pending(&f, "scenario", name);
    let app = granted_both(&f, "app:probe", name, "test/impact");
    let s = Server::start(&f);
    let (status, d) = decide(&s, &app, name, "E1");
    assert_eq!((status, d["eligible"].as_bool()), (200, Some(true)), "{d}");
    assert_eq!(d["evaluation"]["model"]["version"], "2.0.0");
    assert_eq!(d["score"], 900.0);
    // Version 1 pinned again (through the service, so it takes effect at once).
    let province = token_with(&f, &["--role", "province", "--person", "Test Operator"]);
    let (status, body) = put(
        &s,
        "/v1/pins/test/impact",
        &province,
        &json!({ "version": "1.0.0", "sha256": shas[0] }),
    );
    assert_eq!(status, 200, "{body}");
    let before = log_records(&f);
    let (status, body) = decide(&s, &app, name, "E1");
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("grade 'AA' is not declared by test/impact@1.0.0"),
        "{body}"
    );
    assert_eq!(log_records(&f), before, "nothing evaluated");
    // Redefined against what is pinned now, it decides again.
    let (status, body) = put(
        &s,
        &format!("/v1/scenarios/{name}"),
        &province,
        &json!({ "model": "test/impact", "grades": ["A"] }),
    );
    assert_eq!(status, 202, "{body}");
    approve_definition(&f, "scenario", name, body["sha256"].as_str().unwrap());
    let (status, d) = decide(&s, &app, name, "E1");
    assert_eq!((status, d["grade"].as_str()), (200, Some("A")), "{d}");
    assert_eq!(d["eligible"], true);
}

/// The source's 「高于580」 and 「高于550分」 (credit-zhejiang-2020-01.txt
/// L1292) beside 「达到573分」: a scenario's rule may be strict. Defined over
/// HTTP and with the CLI; a subject at exactly the threshold is eligible
/// under "at least" and not under "above", and the decision says which.
#[test]
fn above_is_strict_and_at_least_is_not() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "scenarios-above"));
    prepare(&f);
    let province = token_with(&f, &["--role", "province", "--person", "Test Operator"]);
    let s = Server::start(&f);
    let (status, body) = put(
        &s,
        "/v1/scenarios/above-573",
        &province,
        &json!({ "title": "above 573", "model": "hangzhou/qianjiang", "above_score": 573 }),
    );
    assert_eq!(status, 202, "{body}");
    assert_eq!(
        body["definition"]["rule"],
        json!({ "above_score": 573.0 }),
        "{body}"
    );
    approve_definition(
        &f,
        "scenario",
        "above-573",
        body["sha256"].as_str().unwrap(),
    );
    ok(cli(
        &f,
        &[
            "scenario",
            "define",
            "above-572-99",
            "--model",
            "hangzhou/qianjiang",
            "--above-score",
            "572.99",
            "--title",
            "above 572.99",
        ],
    ));
    approve_pending(&f, "scenario", "above-572-99");
    let listed = ok(cli(&f, &["scenario", "show", "above-572-99"]));
    assert!(listed.contains("score > 572.99"), "{listed}");
    let app = token_with(
        &f,
        &[
            "--role",
            "app:transit",
            "--scenarios",
            "above-573,above-572-99",
            "--models",
            "hangzhou/qianjiang",
        ],
    );
    // PEOPLE[1] scores exactly 573.00.
    let (status, at) = decide(&s, &app, "above-573", PEOPLE[1].0);
    assert_eq!(status, 200, "{at}");
    assert_eq!(at["eligible"], false, "{at}");
    assert_eq!(at["score"], 573.0);
    assert_eq!(
        at["reasons"][0], "score 573.00 ≤ 573: not eligible for above 573",
        "{at}"
    );
    let (_, over) = decide(&s, &app, "above-572-99", PEOPLE[1].0);
    assert_eq!(over["eligible"], true, "{over}");
    assert_eq!(
        over["reasons"][0],
        "score 573.00 > 572.99: eligible for above 572.99"
    );
}
