//! Composite scores and credit reports (issue 21), end to end: the real
//! binary and `scorehost serve`, the bundled components (Qianjiang 3.0.0,
//! the credit code 2.0.0, Ningbo port 2.0.0) and hostile guests, SQLite and
//! (when `SCOREHOST_TEST_POSTGRES_URL` is set) PostgreSQL; and, in process,
//! the credit code through the composite against the credit code from the
//! imported city score on a generated population of 10,000 people.

use std::sync::Arc;

use scorehost_engine::Engine;
use scorehost_engine::composite;
use scorehost_engine::scoring::{Recorder, prepare};
use scorehost_registry::data::Format;
use scorehost_registry::{Actor, ModelName};
use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_tests::http::{Server, call, get, post_json, put_json as put};
use scorehost_tests::{
    Backend, Fixture, approve_cli, approve_definition, approve_pending, backends, cli, fixture,
    log_records, ok, pin_cli, root, token_with, write_file,
};
use serde_json::{Value, json};

/// A Hangzhou resident (administrative division 330106): consents to
/// app:bank for every model of the composites.
const HANGZHOU: &str = "330106199001010001";
/// A Hangzhou resident who consented to the credit code only.
const HANGZHOU_PARTIAL: &str = "330106199001010002";
/// A Quzhou resident (330802): no pinned city model; the city score is an
/// imported record.
const QUZHOU: &str = "330802199001010003";
/// Never stored.
const NOBODY: &str = "330106199001019999";
/// A port enterprise: the Ningbo example.
const PORT: &str = "91330200MA2AAAAA1X";

fn consent(f: &Fixture, id: &str, app: &str, model: &str) {
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
            model,
            "--until",
            "2099-12-31",
        ],
    ));
}

/// The models pinned, the people and the port enterprise imported, and
/// app:bank's consents.
fn prepare_store(f: &Fixture) {
    pin_cli(
        f,
        "hangzhou-qianjiang",
        "hangzhou/qianjiang@3.0.0",
        "publisher:hangzhou",
    );
    pin_cli(
        f,
        "credit-code",
        "zhejiang/credit-code@2.0.0",
        "publisher:zhejiang",
    );
    pin_cli(f, "ningbo-port", "ningbo/port@2.0.0", "publisher:ningbo");
    pin_cli(f, "hostile-panic", "test/panic@1.0.0", "publisher:test");
    pin_cli(f, "guest-impact-v2", "test/impact@2.0.0", "publisher:test");
    let qianjiang = scorehost_tests::example("hangzhou-qianjiang");
    let port = serde_json::to_value(scorehost_tests::example("ningbo-port")).unwrap();
    let mut bases = String::new();
    let mut indicators = String::new();
    let mut row = |subject: &str, name: &str, value: Value, observed: Option<&str>| {
        let mut r =
            json!({ "subject_id": subject, "name": name, "value": value, "source": "test" });
        if let Some(d) = observed {
            r["observed_on"] = json!(d);
        }
        indicators.push_str(&r.to_string());
        indicators.push('\n');
    };
    for id in [HANGZHOU, HANGZHOU_PARTIAL, QUZHOU] {
        bases.push_str(&json!({ "subject_id": id, "kind": "natural-person", "score": 742.5, "grade": "B", "source": "zhejiang-credit" }).to_string());
        bases.push('\n');
        for i in &qianjiang.indicators {
            row(id, &i.name, i.value.clone(), None);
        }
    }
    // The hostile guest's input, so that it runs (and fails) in a report.
    row(HANGZHOU, "n", json!(1), None);
    // The Quzhou resident's city score comes from Quzhou, imported.
    row(QUZHOU, "city_model", json!("quzhou/xinan"), None);
    row(QUZHOU, "city_score", json!(650), None);
    let b = &port["base"];
    bases.push_str(&json!({ "subject_id": PORT, "kind": "enterprise", "score": b["score"], "grade": b["grade"],
        "dimensions": b["dimensions"], "lists": b["lists"], "source": "zhejiang-credit" }).to_string());
    bases.push('\n');
    for ind in port["indicators"].as_array().unwrap() {
        row(
            PORT,
            ind["name"].as_str().unwrap(),
            ind["value"].clone(),
            ind["observed_on"].as_str(),
        );
    }
    let bases = write_file(f, "bases.ndjson", &bases);
    let indicators = write_file(f, "indicators.ndjson", &indicators);
    ok(cli(f, &["data", "import", "bases", &bases]));
    ok(cli(f, &["data", "import", "indicators", &indicators]));
    for id in [HANGZHOU, QUZHOU] {
        for model in ["hangzhou/qianjiang", "zhejiang/credit-code", "test/panic"] {
            consent(f, id, "bank", model);
        }
    }
    consent(f, HANGZHOU_PARTIAL, "bank", "zhejiang/credit-code");
}

fn definition(file: &str) -> Value {
    let text = std::fs::read_to_string(root().join("examples/composites").join(file)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn score(s: &Server, token: &str, name: &str, subject: &str) -> (u16, Value) {
    post_json(
        s,
        &format!("/v1/composites/{name}/scores"),
        Some(token),
        &json!({ "subject": { "id": subject } }),
    )
}

/// Define, evaluate, read, replay and verify a composite over HTTP, and
/// every refusal around it.
#[test]
fn apps_get_a_composite_score_in_one_call_and_one_linked_record() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for backend in backends() {
        let f = rt.block_on(fixture(backend, "composites"));
        prepare_store(&f);
        let province = token_with(&f, &["--role", "province", "--person", "Test Operator"]);
        let auditor = token_with(&f, &["--role", "auditor"]);
        let s = Server::start(&f);

        // Bad definitions: each refused, naming what does not fit, nothing stored.
        let before = log_records(&f);
        let good = definition("hangzhou-credit-code.json");
        let mut bad_kind = good.clone();
        bad_kind["steps"][1]["inputs"]["city_score"]["output"] = json!("grade");
        let mut forward = good.clone();
        forward["steps"][1]["inputs"]["city_score"]["from"] = json!("code");
        let mut undeclared = good.clone();
        undeclared["steps"][1]["inputs"]["no_such_input"] =
            json!({"from": "city", "output": "score"});
        let mut unpinned = good.clone();
        unpinned["steps"][0]["model"] = json!("quzhou/xinan");
        let mut mixed = good.clone();
        mixed["steps"][1]["model"] = json!("ningbo/port");
        mixed["steps"][1]["inputs"] = json!({});
        for (body, expect) in [
            (&bad_kind, "declares it number"),
            (&forward, "not an earlier step"),
            (&undeclared, "declares no input 'no_such_input'"),
            (&unpinned, "no pinned version"),
            (&mixed, "no subject kind"),
        ] {
            let (status, answer) = put(&s, "/v1/composites/hangzhou-credit-code", &province, body);
            assert_eq!(status, 400, "{answer}");
            let message = answer["error"]["message"].as_str().unwrap();
            assert!(message.contains(expect), "{message}");
        }
        let (status, _) = put(&s, "/v1/composites/report", &province, &good);
        assert_eq!(status, 400, "the report's name is reserved");
        assert_eq!(
            log_records(&f),
            before,
            "a refused definition stores nothing"
        );
        let (status, _) = get(&s, "/v1/composites/hangzhou-credit-code", Some(&auditor));
        assert_eq!(status, 404);

        // Only the province defines; then it is version 1.
        let app_models = token_with(
            &f,
            &["--role", "app:shop", "--models", "hangzhou/qianjiang"],
        );
        let (status, _) = put(
            &s,
            "/v1/composites/hangzhou-credit-code",
            &app_models,
            &good,
        );
        assert_eq!(status, 403);
        let (status, proposed) = put(&s, "/v1/composites/hangzhou-credit-code", &province, &good);
        assert_eq!(status, 202, "{proposed}");
        // Proposed, not in force: only the province and auditors see it.
        let (status, _) = get(&s, "/v1/composites/hangzhou-credit-code", Some(&app_models));
        assert_eq!(status, 404);
        let (status, draft) = get(&s, "/v1/composites/hangzhou-credit-code", Some(&auditor));
        assert_eq!(
            (status, &draft["pending"]["sha256"]),
            (200, &proposed["sha256"]),
            "{draft}"
        );
        let approved = approve_definition(
            &f,
            "composite",
            "hangzhou-credit-code",
            proposed["sha256"].as_str().unwrap(),
        );
        let defined = &approved["in_force"];
        assert_eq!(defined["version"], 1, "{approved}");
        assert_eq!(
            defined["checked_against"],
            json!(["hangzhou/qianjiang@3.0.0", "zhejiang/credit-code@2.0.0"])
        );
        let mut panic_chain = good.clone();
        panic_chain["steps"][1] = json!({"id": "guest", "model": "test/panic",
            "inputs": {"n": {"from": "city", "output": "score"}}});
        panic_chain["result"] = json!("guest");
        let (status, body) = put(&s, "/v1/composites/panic-chain", &province, &panic_chain);
        assert_eq!(status, 202, "{body}");
        approve_definition(
            &f,
            "composite",
            "panic-chain",
            body["sha256"].as_str().unwrap(),
        );
        let impact_chain = json!({"steps": [
            {"id": "port", "model": "ningbo/port"},
            {"id": "impact", "model": "test/impact", "inputs": {"sector": {"from": "port", "output": "grade"}}}
        ], "result": "impact"});
        let (status, body) = put(&s, "/v1/composites/impact-chain", &province, &impact_chain);
        assert_eq!(status, 202, "{body}");
        approve_definition(
            &f,
            "composite",
            "impact-chain",
            body["sha256"].as_str().unwrap(),
        );

        let bank = token_with(
            &f,
            &[
                "--role",
                "app:bank",
                "--composites",
                "hangzhou-credit-code,panic-chain,impact-chain,report",
            ],
        );
        let other = token_with(
            &f,
            &[
                "--role",
                "app:other",
                "--composites",
                "hangzhou-credit-code",
            ],
        );

        // A Hangzhou resident: the city step runs and feeds the code.
        let (status, a) = score(&s, &bank, "hangzhou-credit-code", HANGZHOU);
        assert_eq!(status, 200, "{a}");
        let city = &a["steps"][0];
        let code = &a["steps"][1];
        assert_eq!(city["ran"], true);
        assert!(city["why"].as_str().unwrap().contains("3301"), "{city}");
        assert_eq!(city["model"], "hangzhou/qianjiang@3.0.0");
        let city_score = city["evaluation"]["score"].clone();
        assert!(city_score.as_f64().unwrap() > 0.0);
        assert_eq!(
            code["fed"],
            json!([
                {"input": "city_model", "from": "city", "output": "model", "value": "hangzhou/qianjiang"},
                {"input": "city_score", "from": "city", "output": "score", "value": city_score}
            ])
        );
        assert_eq!(a["result"]["step"], "code");
        assert_eq!(a["result"]["score"], code["evaluation"]["score"]);
        assert_eq!(a["result"]["grade"], code["evaluation"]["grade"]);
        assert!(
            code["evaluation"]["contributions"][0]["note"]
                .as_str()
                .unwrap()
                .contains("Qianjiang"),
            "{code}"
        );
        let composite_id = a["composite_id"].as_str().unwrap().to_string();
        let step_ids: Vec<String> = a["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["evaluation_id"].as_str().unwrap().to_string())
            .collect();

        // The records: the composite's lists its steps; each step says
        // which run it belongs to. The app reads its own; another app reads
        // neither (the same 404 as an id that does not exist).
        let (status, shown) = get(&s, &format!("/v1/evaluations/{composite_id}"), Some(&bank));
        assert_eq!(status, 200, "{shown}");
        let record = &shown["record"];
        assert_eq!(record["kind"], "composite");
        assert_eq!(record["composite"]["name"], "hangzhou-credit-code");
        assert_eq!(record["steps"][0]["evaluation_id"], step_ids[0].as_str());
        assert_eq!(record["steps"][1]["evaluation_id"], step_ids[1].as_str());
        for id in &step_ids {
            let (status, step) = get(&s, &format!("/v1/evaluations/{id}"), Some(&bank));
            assert_eq!(status, 200, "{step}");
            assert_eq!(step["record"]["composite"]["run"], record["run"]);
            let (status, _) = get(&s, &format!("/v1/evaluations/{id}"), Some(&other));
            assert_eq!(status, 404);
        }
        let (status, _) = get(&s, &format!("/v1/evaluations/{composite_id}"), Some(&other));
        assert_eq!(status, 404);

        // Replay re-runs the whole graph with the exact modules: identical.
        let (status, replay) = post_json(
            &s,
            &format!("/v1/evaluations/{composite_id}/replay"),
            Some(&auditor),
            &json!({}),
        );
        assert_eq!(status, 200, "{replay}");
        assert_eq!(replay["identical"], true, "{replay}");
        assert_eq!(replay["steps"].as_array().unwrap().len(), 2);

        // Governance follows the graph: a candidate of a model a composite
        // uses is analysed downstream too — the composite run both ways for
        // the subjects it evaluated.
        let wasm = scorehost_tests::component("credit-code-v1");
        ok(cli(
            &f,
            &[
                "plugin",
                "publish",
                wasm.to_str().unwrap(),
                "--as",
                "publisher:zhejiang",
            ],
        ));
        let (status, impact) = post_json(
            &s,
            "/v1/plugins/zhejiang/credit-code/versions/1.0.0/impact",
            Some(&province),
            &json!({}),
        );
        assert_eq!(status, 200, "{impact}");
        let down = &impact["downstream"][0];
        assert_eq!(down["composite"], "hangzhou-credit-code@1", "{impact}");
        assert_eq!(
            down["subjects"], 1,
            "the one subject the composite evaluated: {impact}"
        );
        assert!(down.get("breaks").is_none(), "{impact}");

        // A benefit decided by the composite's result: the rule is checked
        // against the result step's declaration, consent for every model
        // is required, and the result step's record carries the decision.
        let (status, bad) = put(
            &s,
            "/v1/scenarios/code-benefit",
            &province,
            &json!({"model": "composite/hangzhou-credit-code", "grades": ["A"]}),
        );
        assert_eq!(status, 400, "{bad}");
        let (status, defined) = put(
            &s,
            "/v1/scenarios/code-benefit",
            &province,
            &json!({"title": "credit-code benefits", "model": "composite/hangzhou-credit-code", "grades": ["blue", "green"]}),
        );
        assert_eq!(status, 202, "{defined}");
        approve_definition(
            &f,
            "scenario",
            "code-benefit",
            defined["sha256"].as_str().unwrap(),
        );
        let metro = token_with(&f, &["--role", "app:bank", "--scenarios", "code-benefit"]);
        let (status, d) = post_json(
            &s,
            "/v1/decisions",
            Some(&metro),
            &json!({"scenario": "code-benefit", "subject": {"id": HANGZHOU}}),
        );
        assert_eq!(status, 200, "{d}");
        let colour = a["result"]["grade"].as_str().unwrap();
        assert_eq!(d["eligible"], colour != "yellow", "{d}");
        assert!(
            d.get("score").is_none(),
            "a scenario grant alone gets the minimum: {d}"
        );
        assert!(
            d["reasons"]
                .as_array()
                .unwrap()
                .last()
                .unwrap()
                .as_str()
                .unwrap()
                .contains("composite hangzhou-credit-code@1"),
            "{d}"
        );
        let decided = d["evaluation_id"].as_str().unwrap();
        let (_, rec) = get(&s, &format!("/v1/evaluations/{decided}"), Some(&auditor));
        assert_eq!(
            rec["record"]["decision"]["scenario"], "code-benefit",
            "{rec}"
        );
        assert_eq!(rec["record"]["model"]["name"], "zhejiang/credit-code");
        let (_, replay) = post_json(
            &s,
            &format!("/v1/evaluations/{decided}/replay"),
            Some(&auditor),
            &json!({}),
        );
        assert_eq!(replay["identical"], true, "{replay}");
        let (status, refused) = post_json(
            &s,
            "/v1/decisions",
            Some(&metro),
            &json!({"scenario": "code-benefit", "subject": {"id": HANGZHOU_PARTIAL}}),
        );
        assert_eq!(status, 403, "{refused}");
        assert_eq!(refused["error"]["code"], "consent_required");

        // A Quzhou resident: no city step, the imported city score is used.
        let (status, q) = score(&s, &bank, "hangzhou-credit-code", QUZHOU);
        assert_eq!(status, 200, "{q}");
        assert_eq!(q["steps"][0]["ran"], false);
        assert!(
            q["steps"][0]["why"]
                .as_str()
                .unwrap()
                .starts_with("not run")
        );
        assert!(q["steps"][0].get("evaluation_id").is_none());
        assert_eq!(q["steps"][1]["fed"][1]["value"], Value::Null);
        // Xin'an 650 is half-way from good (600) to excellent (700): 700.00, green.
        assert_eq!(q["result"]["score"], 700.0, "{q}");
        assert_eq!(q["result"]["grade"], "green");

        // Consent for every model, before anything is read: a person who
        // consented to the credit code only, one never stored, and an app
        // without consents all get the same refusal; nothing is recorded.
        let before = log_records(&f);
        let refusals: Vec<(u16, Value)> = vec![
            score(&s, &bank, "hangzhou-credit-code", HANGZHOU_PARTIAL),
            score(&s, &bank, "hangzhou-credit-code", NOBODY),
            score(&s, &other, "hangzhou-credit-code", HANGZHOU),
        ];
        for ((status, body), id) in refusals.iter().zip([HANGZHOU_PARTIAL, NOBODY, HANGZHOU]) {
            assert_eq!(*status, 403, "{body}");
            assert_eq!(body["error"]["code"], "consent_required", "{body}");
            assert!(body["error"]["message"].as_str().unwrap().contains(id));
        }
        let shape = |b: &Value, id: &str| b["error"]["message"].as_str().unwrap().replace(id, "ID");
        assert_eq!(
            shape(&refusals[0].1, HANGZHOU_PARTIAL),
            shape(&refusals[1].1, NOBODY),
            "absent and not consented read alike"
        );
        assert_eq!(
            log_records(&f),
            before,
            "a refused composite records nothing"
        );

        // The role and the grant before the body: a caller not granted the
        // composite is refused whatever it sends.
        for t in [&province, &auditor, &app_models] {
            let (status, body) = scorehost_tests::http::post_to(
                &s,
                "/v1/composites/hangzhou-credit-code/scores",
                Some(t),
                "application/json",
                b"{not json",
            );
            assert_eq!(status, 403, "{body}");
        }
        // The same for the credit report: only an app granted `report`.
        for t in [&province, &auditor, &app_models, &other] {
            let (status, body) = scorehost_tests::http::post_to(
                &s,
                "/v1/reports",
                Some(t),
                "application/json",
                b"{not json",
            );
            assert_eq!(status, 403, "{body}");
        }
        let (status, _) = score(&s, &bank, "no-such-composite", HANGZHOU);
        assert_eq!(status, 403, "an ungranted name is refused, defined or not");

        // A hostile model inside a composite fails alone: the step is named,
        // the failure recorded; the next request is served.
        let (status, p) = score(&s, &bank, "panic-chain", HANGZHOU);
        assert_eq!(status, 422, "{p}");
        assert_eq!(p["error"]["code"], "plugin_fault");
        let message = p["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("step 'guest' (test/panic@1.0.0)"),
            "{message}"
        );
        let failed_id = p["error"]["evaluation_id"].as_str().unwrap();
        let (status, shown) = get(&s, &format!("/v1/evaluations/{failed_id}"), Some(&auditor));
        assert_eq!(status, 200);
        assert_eq!(shown["record"]["error"]["step"], "guest");
        assert_eq!(shown["record"]["steps"][0]["ran"], true);
        assert_eq!(shown["record"]["steps"][1]["error"]["code"], "plugin_fault");
        let (status, again) = score(&s, &bank, "hangzhou-credit-code", HANGZHOU);
        assert_eq!(status, 200, "{again}");
        assert_eq!(again["result"], a["result"], "the same answer as before");
        // /metrics counts composites by outcome, and their steps as
        // evaluations of their models.
        let (_, metrics) = get(&s, "/metrics", Some(&auditor));
        let metrics = metrics.as_str().unwrap();
        for line in [
            "scorehost_composites_total{composite=\"panic-chain\",outcome=\"plugin_fault\"} 1",
            "scorehost_evaluations_total{model=\"zhejiang/credit-code\",outcome=\"ok\"}",
            "scorehost_composite_seconds_count",
        ] {
            assert!(metrics.contains(line), "{line} in {metrics}");
        }

        // Governance follows the graph: pinning a version that no longer
        // declares an input a composite feeds names the composite, and the
        // composite is refused (409) until the province redefines it.
        let (status, ok_chain) = score(&s, &bank, "impact-chain", PORT);
        assert_eq!(status, 200, "{ok_chain}");
        assert_eq!(
            ok_chain["steps"][1]["fed"][0]["value"],
            ok_chain["steps"][0]["evaluation"]["grade"]
        );
        let wasm = scorehost_tests::component("guest-impact-v1");
        let sha = scorehost_tests::sha256_file(&wasm);
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
        approve_cli(&f, "test/impact@1.0.0", &sha);
        // The impact analysis of the candidate says, before the pin, that
        // it breaks the composite downstream.
        let (status, impact) = post_json(
            &s,
            "/v1/plugins/test/impact/versions/1.0.0/impact",
            Some(&province),
            &json!({}),
        );
        assert_eq!(status, 200, "{impact}");
        assert_eq!(
            impact["downstream"][0]["composite"], "impact-chain@1",
            "{impact}"
        );
        assert!(
            impact["downstream"][0]["breaks"]
                .as_str()
                .unwrap()
                .contains("sector"),
            "{impact}"
        );
        let (status, pinned) = put(
            &s,
            "/v1/pins/test/impact",
            &province,
            &json!({"version": "1.0.0", "sha256": sha}),
        );
        assert_eq!(status, 200, "{pinned}");
        assert_eq!(
            pinned["breaks_composites"][0]["composite"], "impact-chain@1",
            "{pinned}"
        );
        assert!(
            pinned["breaks_composites"][0]["why"]
                .as_str()
                .unwrap()
                .contains("sector")
        );
        let (status, refused) = score(&s, &bank, "impact-chain", PORT);
        assert_eq!(status, 409, "{refused}");
        assert!(
            refused["error"]["message"]
                .as_str()
                .unwrap()
                .contains("redefine")
        );
        let redefined = json!({"steps": [{"id": "port", "model": "ningbo/port"}, {"id": "impact", "model": "test/impact"}], "result": "impact"});
        let (status, v2) = put(&s, "/v1/composites/impact-chain", &province, &redefined);
        assert_eq!(status, 202, "{v2}");
        let v2 = approve_definition(
            &f,
            "composite",
            "impact-chain",
            v2["sha256"].as_str().unwrap(),
        );
        assert_eq!(v2["in_force"]["version"], 2, "{v2}");
        let (status, _) = score(&s, &bank, "impact-chain", PORT);
        assert_eq!(status, 200);

        // Retired: evaluates nothing; its history stays.
        let (status, _) = call(
            "DELETE",
            &format!("{}/v1/composites/panic-chain", s.url),
            Some(&province),
            None,
            None,
        );
        assert_eq!(status, 200);
        let (status, _) = score(&s, &bank, "panic-chain", HANGZHOU);
        assert_eq!(status, 404);

        // The credit report: every pinned model, evaluated or listed with why.
        let (status, report) = post_json(
            &s,
            "/v1/reports",
            Some(&bank),
            &json!({"subject": {"id": PORT}}),
        );
        assert_eq!(status, 200, "{report}");
        assert_eq!(report["composite"], "report");
        let step = |r: &Value, m: &str| {
            r["steps"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["model"].as_str().unwrap().starts_with(m))
                .cloned()
        };
        assert_eq!(step(&report, "ningbo/port").unwrap()["ran"], true);
        let panic_step = step(&report, "test/panic").unwrap();
        assert_eq!(
            panic_step["ran"], false,
            "no record of its indicators: not run"
        );
        assert!(panic_step["why"].as_str().unwrap().contains("no record"));
        let left: Vec<&str> = report["left_out"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["why"].as_str().unwrap())
            .collect();
        assert_eq!(
            left.len(),
            2,
            "Qianjiang and the credit code score persons only: {left:?}"
        );
        assert!(left.iter().all(|w| w.starts_with("not applicable")));
        let (status, person) = post_json(
            &s,
            "/v1/reports",
            Some(&bank),
            &json!({"subject": {"id": HANGZHOU_PARTIAL}}),
        );
        assert_eq!(status, 200, "{person}");
        assert!(step(&person, "zhejiang/credit-code").is_some());
        let no_consent: Vec<&Value> = person["left_out"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|l| l["why"].as_str().unwrap().starts_with("no consent"))
            .collect();
        assert!(
            no_consent.iter().any(|l| l["model"]
                .as_str()
                .unwrap()
                .starts_with("hangzhou/qianjiang")),
            "{person}"
        );
        assert_eq!(
            report["base"]["score"].as_f64(),
            Some(scorehost_tests::example("ningbo-port").base.score),
            "the provincial base, as stored: {report}"
        );
        // In a report each model stands alone: a failing one is listed with
        // its error, the others are evaluated.
        let (status, own) = post_json(
            &s,
            "/v1/reports",
            Some(&bank),
            &json!({"subject": {"id": HANGZHOU}}),
        );
        assert_eq!(status, 200, "{own}");
        let failed = step(&own, "test/panic").unwrap();
        assert_eq!(failed["ran"], true);
        assert_eq!(failed["error"]["code"], "plugin_fault", "{own}");
        assert!(step(&own, "hangzhou/qianjiang").unwrap()["evaluation"]["score"].is_number());
        let (status, nobody) = post_json(
            &s,
            "/v1/reports",
            Some(&bank),
            &json!({"subject": {"id": NOBODY}}),
        );
        assert_eq!(status, 403, "{nobody}");
        assert_eq!(nobody["error"]["code"], "consent_required");
        let (status, _) = post_json(
            &s,
            "/v1/reports",
            Some(&other),
            &json!({"subject": {"id": PORT}}),
        );
        assert_eq!(status, 403, "an app not granted reports");
        let report_id = report["composite_id"].as_str().unwrap();
        let (status, replay) = post_json(
            &s,
            &format!("/v1/evaluations/{report_id}/replay"),
            Some(&auditor),
            &json!({}),
        );
        assert_eq!(status, 200);
        assert_eq!(replay["identical"], true, "{replay}");

        // The whole log verifies.
        let verified = ok(cli(&f, &["audit", "verify", "--json"]));
        let verified: Value = serde_json::from_str(&verified).unwrap();
        assert!(verified["records"].as_u64().unwrap() > 0, "{verified}");
        drop(s);
    }
}

/// The CLI: define from the example file, evaluate locally as the
/// province, and the report; `--json` parses as the API's answer.
#[test]
fn the_cli_defines_and_evaluates_composites_locally() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "composites-cli"));
    prepare_store(&f);
    let file = root().join("examples/composites/hangzhou-credit-code.json");
    let out = ok(cli(
        &f,
        &[
            "composite",
            "define",
            "hangzhou-credit-code",
            "--file",
            file.to_str().unwrap(),
        ],
    ));
    assert!(
        out.contains("hangzhou-credit-code") && out.contains("2 more of 2"),
        "{out}"
    );
    let approved = approve_pending(&f, "composite", "hangzhou-credit-code");
    assert_eq!(approved["in_force"]["version"], 1, "{approved}");
    let out = ok(cli(&f, &["composite", "show", "hangzhou-credit-code"]));
    assert!(out.contains("v1"), "{out}");
    let out = ok(cli(
        &f,
        &[
            "composite",
            "score",
            "hangzhou-credit-code",
            "--subject",
            HANGZHOU,
            "--json",
        ],
    ));
    let a: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(a["steps"][0]["ran"], true);
    assert!(a["result"]["grade"].is_string());
    let text = ok(cli(
        &f,
        &[
            "composite",
            "score",
            "hangzhou-credit-code",
            "--subject",
            QUZHOU,
        ],
    ));
    assert!(text.contains("700.00 green"), "{text}");
    let out = ok(cli(&f, &["report", "--subject", PORT, "--json"]));
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["composite"], "report");
    let id = a["composite_id"].as_str().unwrap();
    let replay = ok(cli(&f, &["audit", "replay", id, "--json"]));
    let replay: Value = serde_json::from_str(&replay).unwrap();
    assert_eq!(replay["identical"], true, "{replay}");
    // An app acting locally still needs consent for every model.
    let refused = cli(
        &f,
        &[
            "composite",
            "score",
            "hangzhou-credit-code",
            "--subject",
            HANGZHOU_PARTIAL,
            "--as",
            "app:bank",
        ],
    );
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("consent"));
}

/// The figure of merit for correctness: on 10,000 generated
/// people, the credit code computed through the composite (Qianjiang
/// evaluated and fed forward) equals, exactly, the credit code scored from
/// the Qianjiang score imported as a record.
#[test]
fn the_composite_credit_code_equals_the_one_from_the_imported_city_score() {
    const PEOPLE: usize = 10_000;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "composites-10k"));
    pin_cli(
        &f,
        "hangzhou-qianjiang",
        "hangzhou/qianjiang@3.0.0",
        "publisher:hangzhou",
    );
    pin_cli(
        &f,
        "credit-code",
        "zhejiang/credit-code@2.0.0",
        "publisher:zhejiang",
    );
    let file = root().join("examples/composites/hangzhou-credit-code.json");
    ok(cli(
        &f,
        &[
            "composite",
            "define",
            "hangzhou-credit-code",
            "--file",
            file.to_str().unwrap(),
        ],
    ));
    approve_pending(&f, "composite", "hangzhou-credit-code");
    rt.block_on(async {
        let runtime = Runtime::new(Limits::default()).unwrap();
        let engine = Arc::new(Engine::open(runtime, &f.data_dir, None).await.unwrap());
        let registry = engine.catalog.registry();
        let province = Actor::province();
        let qianjiang = engine
            .pinned_model(&"hangzhou/qianjiang".parse::<ModelName>().unwrap())
            .await
            .unwrap();
        let code = engine
            .pinned_model(&"zhejiang/credit-code".parse::<ModelName>().unwrap())
            .await
            .unwrap();
        let today = scorehost_engine::completion::today();
        let date = time::Date::parse(
            &today,
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap();
        // The population: Qianjiang's generator, as Hangzhou residents, with
        // a tenth of them on a black list or with a poor provincial grade.
        let mut population = scorehost_engine::population::Population::new(qianjiang.info(), date, 21);
        let (mut bases, mut indicators) = (String::new(), String::new());
        let mut ids = Vec::with_capacity(PEOPLE);
        for n in 0..PEOPLE {
            let req = population.next_request();
            let id = format!("330106{:04}0101{:04}", 1950 + n % 50, n);
            let grade = match n % 10 {
                0 => "D".to_string(),
                _ => req.base.grade.clone(),
            };
            let lists = if n % 10 == 1 { json!(["black:court-defaulter"]) } else { json!(req.base.lists) };
            bases.push_str(&json!({"subject_id": id, "kind": "natural-person", "score": req.base.score,
                "grade": grade, "lists": lists, "source": "test"}).to_string());
            bases.push('\n');
            for i in &req.indicators {
                let mut r = json!({"subject_id": id, "name": i.name, "value": i.value, "source": "test"});
                if let Some(d) = &i.observed_on {
                    r["observed_on"] = json!(d);
                }
                indicators.push_str(&r.to_string());
                indicators.push('\n');
            }
            ids.push(id);
        }
        let b = registry.import_bases(&province, &bases, Format::Ndjson).await.unwrap();
        assert_eq!(b.accepted, PEOPLE, "{:?}", b.rejected.first());
        registry.import_indicators(&province, &indicators, Format::Ndjson).await.unwrap();

        // 1. Through the composite, recorded.
        let plan = Arc::new(engine.plan("hangzhou-credit-code").await.unwrap());
        let mut composite_results = Vec::with_capacity(PEOPLE);
        // One caller may keep at most MAX_WAITING_PER_MODEL evaluations of
        // a model waiting once the model is judged slow (as it can be on a
        // loaded CI machine): bursts of that size are never refused.
        for chunk in ids.chunks(scorehost_engine::scoring::MAX_WAITING_PER_MODEL) {
            let mut tasks = Vec::new();
            for id in chunk {
                let (engine, plan, id, today) = (engine.clone(), plan.clone(), id.clone(), today.clone());
                tasks.push(tokio::spawn(async move {
                    let recorder = Recorder::Writer(&engine.writer);
                    composite::run(engine.catalog.registry(), &plan, &id, &today, "province", &recorder)
                        .await
                        .map_err(|e| e.to_string())
                }));
            }
            for t in tasks {
                let a = t.await.unwrap().unwrap();
                assert!(a.steps[0].ran);
                let r = a.result.unwrap();
                composite_results.push((r.score, r.grade, a.steps[0].evaluation.as_ref().unwrap().score));
            }
        }

        // 2. Qianjiang alone, its score imported as the city-score record.
        let mut city = String::new();
        for id in &ids {
            let req = scorehost_engine::completion::request(registry, qianjiang.info(), id, &today)
                .await
                .unwrap()
                .unwrap();
            let e = prepare(&*qianjiang, &req, "province", None).unwrap().outcome.unwrap();
            for (name, value) in [("city_model", json!("hangzhou/qianjiang")), ("city_score", json!(e.score))] {
                city.push_str(&json!({"subject_id": id, "name": name, "value": value, "source": "hangzhou-credit-center"}).to_string());
                city.push('\n');
            }
        }
        registry.import_indicators(&province, &city, Format::Ndjson).await.unwrap();

        // 3. The credit code from the store, compared.
        let mut colours = std::collections::BTreeMap::new();
        for (id, (score, grade, city_score)) in ids.iter().zip(&composite_results) {
            let req = scorehost_engine::completion::request(registry, code.info(), id, &today)
                .await
                .unwrap()
                .unwrap();
            let imported = req.indicators.iter().find(|i| i.name == "city_score").unwrap();
            assert_eq!(imported.value, json!(city_score), "{id}: the imported city score is the composite's");
            let e = prepare(&*code, &req, "province", None).unwrap().outcome.unwrap();
            assert_eq!((e.score, &e.grade), (*score, grade), "{id}");
            *colours.entry(e.grade.clone()).or_insert(0) += 1;
        }
        // The population reaches every colour, so the equality is not
        // vacuous.
        assert_eq!(colours.len(), 3, "{colours:?}");
        eprintln!("{PEOPLE} people, identical through the composite and from the record: {colours:?}");
    });
    // Every composite record and its two steps' records verify.
    let verified: Value =
        serde_json::from_str(&ok(cli(&f, &["audit", "verify", "--json"]))).unwrap();
    assert!(
        verified["records"].as_u64().unwrap() as usize > 3 * PEOPLE,
        "{verified}"
    );
}
