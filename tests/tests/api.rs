//! The HTTP service, end to end: the real `scorehost serve` on a free port,
//! driven over HTTP with real tokens, real components and a real database.

use scorehost_tests::http::{Server, call, get, post_json, post_to};
use scorehost_tests::{
    Backend, Fixture, approve_cli, backends, cli, component, fixture, ok, root, token,
};
use serde_json::{Value, json};

/// A POST over a raw socket that keeps reading after a failed write: a
/// server may answer (413) and close before a large body is all sent, which
/// an ordinary client reports as a broken pipe instead of the answer.
fn raw_post(url: &str, path: &str, token: &str, content_type: &str, body: &[u8]) -> (u16, Value) {
    use std::io::{Read as _, Write as _};
    let host = url.trim_start_matches("http://");
    let mut conn = std::net::TcpStream::connect(host).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    conn.write_all(head.as_bytes()).unwrap();
    let _ = conn.write_all(body);
    let mut response = Vec::new();
    let _ = conn.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response);
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP answer: {text}"));
    let json = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .unwrap_or_default();
    (
        status,
        serde_json::from_str(json).unwrap_or(Value::String(json.to_string())),
    )
}

/// `n` ningbo-port scorings at once, one thread each, spread over the
/// servers at `urls` in turn; their answers in order.
fn score_concurrently(urls: &[&str], n: usize, token: &str) -> Vec<(u16, Value)> {
    let body = score_request("ningbo-port-v1", "ningbo/port").to_string();
    let threads: Vec<_> = (0..n)
        .map(|i| {
            let url = format!("{}/v1/scores", urls[i % urls.len()]);
            let (body, token) = (body.clone(), token.to_string());
            std::thread::spawn(move || {
                call(
                    "POST",
                    &url,
                    Some(&token),
                    Some("application/json"),
                    Some(body.as_bytes()),
                )
            })
        })
        .collect();
    threads.into_iter().map(|t| t.join().unwrap()).collect()
}

fn score_request(plugin: &str, model: &str) -> Value {
    let mut v = serde_json::to_value(scorehost_tests::example(plugin)).unwrap();
    v["model"] = json!(model);
    v
}

fn records(f: &Fixture) -> u64 {
    let out = ok(cli(f, &["audit", "verify", "--json"]));
    serde_json::from_str::<Value>(&out).unwrap()["records"]
        .as_u64()
        .unwrap()
}

struct Tokens {
    province: String,
    /// A second, distinct person of the province: four eyes.
    second: String,
    ningbo: String,
    yiwu: String,
    transit: String,
    bank: String,
    auditor: String,
}

fn tokens(f: &Fixture) -> Tokens {
    Tokens {
        province: token(f, "province", ""),
        second: scorehost_tests::token_with(
            f,
            &["--role", "province", "--person", "Second Reviewer"],
        ),
        ningbo: token(f, "publisher:ningbo", ""),
        yiwu: token(f, "publisher:yiwu", ""),
        transit: token(f, "app:transit", "ningbo/port"),
        bank: token(f, "app:bank", "yiwu/market,nosuch/model"),
        auditor: token(f, "auditor", ""),
    }
}

/// Publish, approve and pin ningbo/port over HTTP, checking each role on
/// each registry route as it goes.
fn publish_and_pin_ningbo(s: &Server, t: &Tokens) -> String {
    let bytes = std::fs::read(component("ningbo-port-v1")).unwrap();
    let url = format!("{}/v1/plugins/ningbo/port/versions/1.0.0", s.url);
    let publish = |token: Option<&str>, ct: &str, body: &[u8]| {
        call("POST", &url, token, Some(ct), Some(body))
    };
    // Refusals that come before the body is read are sent with a small
    // body: the server answers without reading a large one, and the client
    // could not finish sending it.
    let head = &bytes[..64];
    assert_eq!(publish(None, "application/wasm", head).0, 401);
    assert_eq!(publish(Some("sht_nope"), "application/wasm", head).0, 401);
    for denied in [&t.yiwu, &t.transit, &t.auditor] {
        let (status, body) = publish(Some(denied), "application/wasm", head);
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    let (status, body) = publish(Some(&t.ningbo), "application/json", head);
    assert_eq!(status, 415, "{body}");
    // The path must name what the module describes.
    let (status, body) = post_to(
        s,
        "/v1/plugins/ningbo/port/versions/9.9.9",
        Some(&t.ningbo),
        "application/wasm",
        &bytes,
    );
    assert_eq!(status, 422, "{body}");
    assert_eq!(get(s, "/v1/plugins", Some(&t.province)).1, json!([]));
    let (status, body) = publish(Some(&t.ningbo), "application/wasm", &bytes);
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["status"], "submitted");
    let sha = body["sha256"].as_str().unwrap().to_string();
    assert_eq!(publish(Some(&t.ningbo), "application/wasm", &bytes).0, 200);

    let approve = "/v1/plugins/ningbo/port/versions/1.0.0/approve";
    for denied in [&t.ningbo, &t.transit, &t.auditor] {
        assert_eq!(
            post_json(s, approve, Some(denied), &json!({ "sha256": sha })).0,
            403
        );
    }
    let (status, body) = post_json(
        s,
        approve,
        Some(&t.province),
        &json!({ "sha256": "00".repeat(32) }),
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    assert_eq!(
        post_json(s, approve, Some(&t.province), &json!({ "sha256": sha })).0,
        200
    );
    assert_eq!(
        post_json(s, approve, Some(&t.second), &json!({ "sha256": sha })).0,
        200
    );

    let pin_url = format!("{}/v1/pins/ningbo/port", s.url);
    let pin_body = json!({ "version": "1.0.0", "sha256": sha }).to_string();
    for denied in [&t.ningbo, &t.transit, &t.auditor] {
        let (status, _) = call(
            "PUT",
            &pin_url,
            Some(denied),
            Some("application/json"),
            Some(pin_body.as_bytes()),
        );
        assert_eq!(status, 403);
    }
    let (status, body) = call(
        "PUT",
        &pin_url,
        Some(&t.province),
        Some("application/json"),
        Some(pin_body.as_bytes()),
    );
    assert_eq!(status, 200, "{body}");
    for reader in [&t.ningbo, &t.transit, &t.auditor, &t.province] {
        let (status, pins) = get(s, "/v1/pins", Some(reader));
        assert_eq!(status, 200);
        assert_eq!(pins[0]["sha256"], sha.as_str());
    }
    sha
}

#[test]
fn every_role_on_every_route_and_denied_calls_change_nothing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "api-roles"));
    let t = tokens(&f);
    let s = Server::start(&f);
    let sha = publish_and_pin_ningbo(&s, &t);

    let request = score_request("ningbo-port-v1", "ningbo/port");
    let before = records(&f);
    // Denied scorings: nothing is evaluated, nothing recorded.
    for denied in [&t.province, &t.ningbo, &t.auditor, &t.bank] {
        let (status, body) = post_json(&s, "/v1/scores", Some(denied), &request);
        assert_eq!(status, 403, "{body}");
        assert_eq!(body["error"]["code"], "forbidden");
    }
    assert_eq!(post_json(&s, "/v1/scores", None, &request).0, 401);
    assert_eq!(records(&f), before, "denied calls record nothing");

    let (status, answer) = post_json(&s, "/v1/scores", Some(&t.transit), &request);
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["score"], 811.75);
    assert_eq!(answer["grade"], "B");
    assert_eq!(answer["model"]["sha256"], sha.as_str());
    let id = answer["evaluation_id"].as_str().unwrap().to_string();
    assert_eq!(records(&f), before + 1);

    // Reading the record: the province, auditors, and the app that asked.
    let path = format!("/v1/evaluations/{id}");
    for reader in [&t.auditor, &t.province, &t.transit] {
        let (status, shown) = get(&s, &path, Some(reader));
        assert_eq!(status, 200, "{shown}");
        assert_eq!(shown["record"]["outcome"]["score"], 811.75);
        assert_eq!(shown["input"]["subject"]["id"], request["subject"]["id"]);
    }
    // Another's record is answered as one that does not exist.
    for denied in [&t.bank, &t.ningbo] {
        assert_eq!(get(&s, &path, Some(denied)).0, 404);
    }
    assert_eq!(
        get(
            &s,
            "/v1/evaluations/0-00000000000000000000000000000000",
            Some(&t.auditor)
        )
        .0,
        404
    );
    assert_eq!(
        get(&s, "/v1/evaluations/not-an-id", Some(&t.auditor)).0,
        400
    );

    // Replay: province and auditors.
    let replay = format!("/v1/evaluations/{id}/replay");
    let (status, report) = post_json(&s, &replay, Some(&t.auditor), &json!({}));
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["identical"], true);
    assert_eq!(post_json(&s, &replay, Some(&t.transit), &json!({})).0, 403);

    // Proofs check offline, with only the public key.
    let ((status, proof), _) = scorehost_tests::http::proof(&s, &id, &t.transit);
    assert_eq!(status, 200, "{proof}");
    let (_, cp) = get(&s, "/v1/log/checkpoint", Some(&t.transit));
    let proof_file = f.data_dir.join("proof.json");
    std::fs::write(&proof_file, proof.to_string()).unwrap();
    let public_key = cp["public_key"].as_str().unwrap();
    ok(cli(
        &f,
        &[
            "audit",
            "proof",
            "--check",
            proof_file.to_str().unwrap(),
            "--public-key",
            public_key,
        ],
    ));

    // Consistency between two sizes; bad sizes are a 400.
    let size = proof["checkpoint"]["tree_size"].as_u64().unwrap();
    let (status, c) = get(
        &s,
        &format!("/v1/log/consistency?from=1&to={size}"),
        Some(&t.bank),
    );
    assert_eq!(status, 200, "{c}");
    assert_eq!(c["to_root"], proof["checkpoint"]["root_hash"]);
    assert_eq!(
        get(&s, "/v1/log/consistency?from=5&to=2", Some(&t.auditor)).0,
        400
    );
    assert_eq!(
        get(&s, "/v1/log/consistency?from=x", Some(&t.auditor)).0,
        400
    );

    // Verify: province and auditors.
    let (status, v) = get(&s, "/v1/audit/verify", Some(&t.auditor));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["records"].as_u64(), Some(records(&f)));
    assert_eq!(get(&s, "/v1/audit/verify", Some(&t.transit)).0, 403);

    // Revoking a version: province only; then the model scores nobody.
    let revoke = "/v1/plugins/ningbo/port/versions/1.0.0/revoke";
    assert_eq!(
        post_json(&s, revoke, Some(&t.ningbo), &json!({ "reason": "x" })).0,
        403
    );
    assert_eq!(
        post_json(
            &s,
            revoke,
            Some(&t.province),
            &json!({ "reason": "wrong weights" })
        )
        .0,
        200
    );
    let (status, body) = post_json(&s, "/v1/scores", Some(&t.transit), &request);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("no_pinned_version")),
        "{body}"
    );

    // A revoked token stops working.
    let listed = ok(cli(&f, &["token", "list", "--json"]));
    let transit_id = serde_json::from_str::<Value>(&listed)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["role"] == "app:transit")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(cli(&f, &["token", "revoke", &transit_id]));
    // Revoked by another process (the CLI): the server trusts what it read
    // for REGISTRY_CACHE_TTL at most.
    std::thread::sleep(
        scorehost_engine::REGISTRY_CACHE_TTL + std::time::Duration::from_millis(200),
    );
    let (status, body) = get(&s, "/v1/pins", Some(&t.transit));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unauthorized")),
        "{body}"
    );
    assert!(!listed.contains("sht_"), "secrets are never listed");
}

#[test]
fn bad_input_gets_the_right_status_and_stores_nothing() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "api-bad-input"));
    let t = tokens(&f);
    let s = Server::start(&f);
    publish_and_pin_ningbo(&s, &t);
    let before = records(&f);
    // (what, content type, body, status, code)
    type Case<'a> = (&'a str, Option<&'a str>, Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        ("malformed JSON", Some("application/json"), b"{\"model\": ".to_vec(), 400, "bad_request"),
        ("wrong type", Some("application/json"), br#"{"model":"ningbo/port","subject":{"id":"x","kind":"enterprise"},"as_of":"2026-11-01","base":{"score":"high","grade":"A"}}"#.to_vec(), 400, "bad_request"),
        ("wrong content type", Some("text/plain"), serde_json::to_vec(&score_request("ningbo-port-v1", "ningbo/port")).unwrap(), 415, "unsupported_media_type"),
        ("oversized body", Some("application/json"), {
            let mut v = score_request("ningbo-port-v1", "ningbo/port");
            v["padding"] = json!("x".repeat(100_000));
            serde_json::to_vec(&v).unwrap()
        }, 413, "too_large"),
    ];
    for (what, ct, body, status, code) in cases {
        let (got, answer) = raw_post(
            &s.url,
            "/v1/scores",
            &t.transit,
            ct.unwrap_or_default(),
            &body,
        );
        assert_eq!(got, status, "{what}: {answer}");
        assert_eq!(answer["error"]["code"], code, "{what}: {answer}");
    }
    let mut no_model = score_request("ningbo-port-v1", "ningbo/port");
    no_model.as_object_mut().unwrap().remove("model");
    let (status, body) = post_json(&s, "/v1/scores", Some(&t.transit), &no_model);
    assert_eq!(status, 400, "{body}");
    // An unknown model the app is granted: 404, nothing evaluated.
    let (status, body) = post_json(
        &s,
        "/v1/scores",
        Some(&t.bank),
        &score_request("ningbo-port-v1", "nosuch/model"),
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("no_pinned_version")),
        "{body}"
    );
    assert_eq!(records(&f), before, "rejected requests store nothing");

    // A request that parses but does not fit the model's declaration is an
    // evaluation that failed: answered 400 and recorded, with its id.
    let mut unfit = score_request("ningbo-port-v1", "ningbo/port");
    unfit["indicators"] = json!([]);
    let (status, body) = post_json(&s, "/v1/scores", Some(&t.transit), &unfit);
    assert_eq!(status, 400, "{body}");
    let id = body["error"]["evaluation_id"]
        .as_str()
        .expect("a recorded failure names its record");
    assert_eq!(records(&f), before + 1);
    let (status, shown) = get(&s, &format!("/v1/evaluations/{id}"), Some(&t.auditor));
    assert_eq!(status, 200);
    assert_eq!(shown["record"]["outcome"]["error"]["code"], "bad_request");

    // Unknown routes and methods answer in the same error format.
    let (status, body) = get(&s, "/v1/nothing-here", Some(&t.auditor));
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (404, Some("not_found"))
    );
    let (status, body) = call(
        "DELETE",
        &format!("{}/v1/pins", s.url),
        Some(&t.province),
        None,
        None,
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (405, Some("method_not_allowed"))
    );
}

#[test]
fn concurrent_scorings_are_each_in_the_log_and_it_verifies() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for backend in backends() {
        let f = rt.block_on(fixture(backend, "api-concurrent"));
        let t = tokens(&f);
        let s = Server::start(&f);
        publish_and_pin_ningbo(&s, &t);
        let mut ids = Vec::new();
        for (status, answer) in score_concurrently(&[&s.url], 200, &t.transit) {
            assert_eq!(status, 200, "{backend:?}: {answer}");
            assert_eq!(answer["score"], 811.75);
            ids.push(answer["evaluation_id"].as_str().unwrap().to_string());
        }
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(
            unique.len(),
            200,
            "{backend:?}: every answer has its own record"
        );
        for id in ids.iter().step_by(20) {
            let (status, shown) = get(&s, &format!("/v1/evaluations/{id}"), Some(&t.auditor));
            assert_eq!(status, 200, "{backend:?}: {shown}");
        }
        let (status, v) = get(&s, "/v1/audit/verify", Some(&t.auditor));
        assert_eq!(status, 200, "{backend:?}: {v}");
        assert!(v["records"].as_u64().unwrap() >= 200);
        // The counters saw them, and the writer shared commits.
        let (_, metrics) = get(&s, "/metrics", Some(&t.auditor));
        let metrics = metrics.as_str().unwrap().to_string();
        assert!(
            metrics
                .contains("scorehost_evaluations_total{model=\"ningbo/port\",outcome=\"ok\"} 200"),
            "{metrics}"
        );
        // Each request's time, whole and stage by stage: every scoring went
        // through admission, auth, parse, the consent check, its evaluation
        // and its commit (an inline request is not completed from the
        // store), and the stages of a request add up to less than the
        // whole.
        let value = |name: &str| -> f64 {
            metrics
                .lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
                .unwrap_or_else(|| panic!("{backend:?}: no {name} in {metrics}"))
        };
        let whole = "scorehost_request_seconds";
        assert_eq!(value(&format!("{whole}_count{{route=\"scores\"}}")), 200.0);
        let mut stages = 0.0;
        for stage in [
            "admission",
            "auth",
            "parse",
            "consent",
            "lane",
            "evaluation",
            "handoff",
            "commit",
            "answer",
        ] {
            let labels = format!("{{route=\"scores\",stage=\"{stage}\"}}");
            assert_eq!(
                value(&format!("scorehost_stage_seconds_count{labels}")),
                200.0,
                "{backend:?}: {stage}"
            );
            stages += value(&format!("scorehost_stage_seconds_sum{labels}"));
        }
        assert!(!metrics.contains("stage=\"completion\""), "{metrics}");
        let total = value(&format!("{whole}_sum{{route=\"scores\"}}"));
        assert!(
            stages > 0.0 && stages <= total,
            "{backend:?}: stages {stages} s of {total} s"
        );
        // Every answered evaluation is still there after a graceful stop.
        let mut s = s;
        assert!(s.stop().success());
        for id in &ids {
            ok(cli(&f, &["audit", "show", id, "--json"]));
        }
    }
}

#[test]
fn the_openapi_document_lists_exactly_the_routes_that_answer() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "api-openapi"));
    let s = Server::start(&f);
    let (status, doc) = get(&s, "/openapi.json", None);
    assert_eq!(status, 200);
    let mut routes: Vec<(String, String)> = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            if ["get", "post", "put", "delete"].contains(&method.as_str()) {
                routes.push((method.to_uppercase(), path.clone()));
            }
        }
    }
    routes.sort();
    // The HTTP API (README, "The HTTP service"), exactly, with the 1+N data and consent (issue 5)
    // and the review tools (issue 8).
    let expected = [
        ("GET", "/healthz"),
        ("GET", "/metrics"),
        ("GET", "/v1/audit/verify"),
        ("GET", "/v1/batches"),
        ("POST", "/v1/batches"),
        ("GET", "/v1/batches/{id}"),
        ("GET", "/v1/batches/{id}/results"),
        ("POST", "/v1/data/bases"),
        ("POST", "/v1/data/indicators"),
        ("POST", "/v1/consents"),
        ("POST", "/v1/consents/withdraw"),
        ("GET", "/v1/consents/{subject_id}"),
        ("GET", "/v1/evaluations/{id}"),
        ("GET", "/v1/evaluations/{id}/proof"),
        ("POST", "/v1/evaluations/{id}/replay"),
        ("GET", "/v1/log/checkpoint"),
        ("GET", "/v1/log/consistency"),
        ("GET", "/v1/furnishers"),
        ("PUT", "/v1/furnishers/{indicator}"),
        ("GET", "/v1/pins"),
        ("PUT", "/v1/pins/{namespace}/{name}"),
        // Issue 23: the keys that sign a namespace's modules.
        ("GET", "/v1/namespaces/{namespace}/keys"),
        ("POST", "/v1/namespaces/{namespace}/keys"),
        ("POST", "/v1/namespaces/{namespace}/keys/revoke"),
        ("GET", "/v1/plugins"),
        ("GET", "/v1/plugins/{namespace}/{name}"),
        ("GET", "/v1/plugins/{namespace}/{name}/versions/{version}"),
        ("POST", "/v1/plugins/{namespace}/{name}/versions/{version}"),
        (
            "POST",
            "/v1/plugins/{namespace}/{name}/versions/{version}/approve",
        ),
        (
            "POST",
            "/v1/plugins/{namespace}/{name}/versions/{version}/revoke",
        ),
        ("POST", "/v1/scores"),
        // Issue 8: disputes and repair, benefit scenarios and decisions,
        // impact analysis, shadows.
        ("GET", "/v1/disputes"),
        ("POST", "/v1/disputes"),
        ("GET", "/v1/disputes/overdue"),
        ("GET", "/v1/disputes/{id}"),
        ("POST", "/v1/disputes/{id}/answer"),
        ("POST", "/v1/disputes/{id}/check"),
        ("POST", "/v1/disputes/{id}/withdraw"),
        ("GET", "/v1/repairs"),
        ("POST", "/v1/repairs"),
        ("GET", "/v1/scenarios"),
        ("GET", "/v1/scenarios/{name}"),
        ("PUT", "/v1/scenarios/{name}"),
        ("DELETE", "/v1/scenarios/{name}"),
        ("POST", "/v1/scenarios/{name}/approve"),
        ("POST", "/v1/decisions"),
        (
            "POST",
            "/v1/plugins/{namespace}/{name}/versions/{version}/impact",
        ),
        ("GET", "/v1/shadows"),
        ("PUT", "/v1/shadows/{namespace}/{name}"),
        ("DELETE", "/v1/shadows/{namespace}/{name}"),
        // Issues 18 and 19 (the console's needs): who a token is, finding
        // evaluations and their numbers, the latest checkpoints.
        ("GET", "/v1/me"),
        ("GET", "/v1/evaluations"),
        ("GET", "/v1/evaluations/stats"),
        ("GET", "/v1/log/checkpoints"),
        // Issue 21: composites and credit reports.
        ("GET", "/v1/composites"),
        ("GET", "/v1/composites/{name}"),
        ("PUT", "/v1/composites/{name}"),
        ("DELETE", "/v1/composites/{name}"),
        ("POST", "/v1/composites/{name}/scores"),
        ("POST", "/v1/reports"),
        // Issue 23: scenario and composite definitions under four eyes.
        ("POST", "/v1/composites/{name}/approve"),
        ("GET", "/v1/proposals"),
        // Issue 24: a person's records, and erasing a person.
        ("GET", "/v1/me/records"),
        ("GET", "/v1/subjects/{id}/records"),
        ("POST", "/v1/subjects/{id}/erase"),
    ];
    let mut expected: Vec<(String, String)> = expected
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    expected.sort();
    assert_eq!(routes, expected);
    // And every documented route is served (not the 404/405 fallbacks).
    for (method, path) in routes {
        let concrete = path
            .replace("{namespace}", "ningbo")
            .replace("{name}", "port")
            .replace("{version}", "1.0.0")
            .replace("{id}", "0-00000000000000000000000000000000")
            .replace("{subject_id}", "330106199001011234");
        let (status, body) = call(&method, &format!("{}{concrete}", s.url), None, None, None);
        let code = body["error"]["code"].as_str().unwrap_or_default();
        assert!(
            !(code == "method_not_allowed"
                || (status == 404 && body["error"]["message"] == "no such route")),
            "{method} {path}: {status} {body}"
        );
    }
}

#[test]
fn a_natural_person_is_scored_for_an_app_only_while_their_consent_stands() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "api-consent"));
    // Pin hangzhou/qianjiang (it scores natural persons) through the CLI.
    let wasm = component("hangzhou-qianjiang-v2");
    let wasm = wasm.to_str().unwrap();
    ok(cli(
        &f,
        &["plugin", "publish", wasm, "--as", "publisher:hangzhou"],
    ));
    let sha = scorehost_tests::sha256_file(&component("hangzhou-qianjiang-v2"));
    approve_cli(&f, "hangzhou/qianjiang@2.0.0", &sha);
    ok(cli(
        &f,
        &[
            "plugin",
            "pin",
            "hangzhou/qianjiang@2.0.0",
            "--sha256",
            &sha,
        ],
    ));
    let province = token(&f, "province", "");
    let transit = token(&f, "app:transit", "hangzhou/qianjiang");
    let bank = token(&f, "app:bank", "hangzhou/qianjiang");
    let auditor = token(&f, "auditor", "");
    let s = Server::start(&f);
    let request = score_request("hangzhou-qianjiang-v2", "hangzhou/qianjiang");
    let person = request["subject"]["id"].as_str().unwrap().to_string();
    let consent = json!({ "subject_id": person, "app": "transit", "model": "hangzhou/qianjiang", "expires": "2099-12-31" });

    let before = records(&f);
    let (status, body) = post_json(&s, "/v1/scores", Some(&transit), &request);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("consent_required")),
        "{body}"
    );
    assert_eq!(
        records(&f),
        before,
        "refused for want of consent: nothing evaluated or recorded"
    );

    // Only the province records consent; a past expiry is refused.
    assert_eq!(
        post_json(&s, "/v1/consents", Some(&transit), &consent).0,
        403
    );
    let mut past = consent.clone();
    past["expires"] = json!("2020-01-01");
    assert_eq!(post_json(&s, "/v1/consents", Some(&province), &past).0, 400);
    assert_eq!(
        post_json(
            &s,
            "/v1/consents",
            Some(&province),
            &json!({ "subject_id": person })
        )
        .0,
        400
    );
    let (status, granted) = post_json(&s, "/v1/consents", Some(&province), &consent);
    assert_eq!(status, 201, "{granted}");
    assert_eq!(
        granted["expires_at"], "2100-01-01T00:00:00Z",
        "a date is valid through that day"
    );
    assert_eq!(records(&f), before + 1, "the grant is in the log");

    let (status, answer) = post_json(&s, "/v1/scores", Some(&transit), &request);
    assert_eq!(status, 200, "{answer}");
    assert!(answer["evaluation_id"].is_string());

    // Consent covers one app and one model: another app is still refused.
    let (status, body) = post_json(&s, "/v1/scores", Some(&bank), &request);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("consent_required"))
    );

    // Withdrawn through the CLI while the service runs: refused at once.
    ok(cli(
        &f,
        &[
            "consent",
            "withdraw",
            "--subject",
            &person,
            "--app",
            "transit",
            "--model",
            "hangzhou/qianjiang",
        ],
    ));
    let (status, body) = post_json(&s, "/v1/scores", Some(&transit), &request);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("consent_required")),
        "{body}"
    );
    // The same words as for a person who never consented: the app learns
    // neither that they once did nor when they withdrew.
    let (_, never) = post_json(&s, "/v1/scores", Some(&bank), &request);
    assert_eq!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .replace("app:transit", "app:X"),
        never["error"]["message"]
            .as_str()
            .unwrap()
            .replace("app:bank", "app:X"),
        "{body}"
    );
    let (status, withdrawn) = post_json(
        &s,
        "/v1/consents/withdraw",
        Some(&province),
        &json!({ "subject_id": person, "app": "transit", "model": "hangzhou/qianjiang" }),
    );
    assert_eq!(status, 404, "already withdrawn: {withdrawn}");

    // The province and auditors see the person's consents; apps do not.
    let (status, list) = get(&s, &format!("/v1/consents/{person}"), Some(&auditor));
    assert_eq!(status, 200);
    assert!(list[0]["withdrawn_at"].is_string(), "{list}");
    assert_eq!(
        get(&s, &format!("/v1/consents/{person}"), Some(&transit)).0,
        403
    );
    // Both the grant and the withdrawal are in the log, and it verifies.
    let (status, v) = get(&s, "/v1/audit/verify", Some(&auditor));
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v["records"].as_u64(),
        Some(before + 4),
        "grant, evaluation, withdrawal, and the auditor's read of the consents"
    );
}

#[test]
fn two_servers_on_one_postgresql_database_keep_one_verifiable_log() {
    if !backends().contains(&Backend::Postgres) {
        eprintln!(
            "note: no PostgreSQL (SCOREHOST_TEST_POSTGRES_URL); the two-server test is skipped"
        );
        return;
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Postgres, "api-two-hosts"));
    let t = tokens(&f);
    // Two hosts: two processes, two data dirs (module stores), one database.
    let second_dir = f.data_dir.with_extension("second");
    let _ = std::fs::remove_dir_all(&second_dir);
    std::fs::create_dir_all(&second_dir).unwrap();
    let second = Fixture {
        data_dir: second_dir,
        db: f.db.clone(),
        backend: Backend::Postgres,
    };
    let a = Server::start(&f);
    publish_and_pin_ningbo(&a, &t);
    // Hosts that share a log share its signing key (the first made it).
    std::fs::create_dir_all(second.data_dir.join("audit")).unwrap();
    for file in ["log.key", "log.pub"] {
        std::fs::copy(
            f.data_dir.join("audit").join(file),
            second.data_dir.join("audit").join(file),
        )
        .unwrap();
    }
    // The second host has no copy of the module yet: it takes the bytes
    // from its own store, so publish them there too (same bytes, no-op in
    // the registry) — as a deployment would sync its module stores.
    let b = Server::start(&second);
    let bytes = std::fs::read(component("ningbo-port-v1")).unwrap();
    let (status, body) = post_to(
        &b,
        "/v1/plugins/ningbo/port/versions/1.0.0",
        Some(&t.ningbo),
        "application/wasm",
        &bytes,
    );
    assert_eq!(status, 200, "{body}");
    let mut ids = Vec::new();
    for (status, answer) in score_concurrently(&[&a.url, &b.url], 100, &t.transit) {
        assert_eq!(status, 200, "{answer}");
        ids.push(answer["evaluation_id"].as_str().unwrap().to_string());
    }
    let mut seqs: Vec<u64> = ids
        .iter()
        .map(|id| id.split('-').next().unwrap().parse().unwrap())
        .collect();
    seqs.sort();
    seqs.dedup();
    assert_eq!(seqs.len(), 100, "one position per record across both hosts");
    // Each host reads the other's records, and the one log verifies from
    // either side.
    for id in &ids {
        let (status, shown) = get(&a, &format!("/v1/evaluations/{id}"), Some(&t.auditor));
        assert_eq!(status, 200, "{shown}");
    }
    for s in [&a, &b] {
        let (status, v) = get(s, "/v1/audit/verify", Some(&t.auditor));
        assert_eq!(status, 200, "{v}");
        assert!(v["records"].as_u64().unwrap() >= 100);
        assert!(v["checkpoints"].as_u64().unwrap() >= 1);
    }
    drop(b);
    let _ = std::fs::remove_dir_all(&second.data_dir);
}

#[test]
fn the_1_plus_n_data_imports_row_by_row_and_completes_a_subject_only_request() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "api-data"));
    let t = tokens(&f);
    let s = Server::start(&f);
    publish_and_pin_ningbo(&s, &t);
    let example = score_request("ningbo-port-v1", "ningbo/port");
    let id = example["subject"]["id"].as_str().unwrap().to_string();
    let post = |path: &str, token: &str, ct: &str, body: &str| {
        post_to(&s, path, Some(token), ct, body.as_bytes())
    };

    // Bases as NDJSON, one bad row among good ones.
    let base = &example["base"];
    let bases = format!(
        "{}\n{}\n{}\n",
        json!({ "subject_id": id, "kind": "enterprise", "score": base["score"], "grade": base["grade"],
                "dimensions": base["dimensions"], "lists": base["lists"], "source": "zhejiang-credit" }),
        json!({ "subject_id": "91330200MA2BBBBB2Y", "kind": "enterprise", "score": 1001, "grade": "A", "source": "zhejiang-credit" }),
        json!({ "subject_id": "91330200MA2CCCCC3Z", "kind": "enterprise", "score": 700, "grade": "B", "source": "zhejiang-credit" }),
    );
    for denied in [&t.ningbo, &t.transit, &t.auditor] {
        assert_eq!(
            post("/v1/data/bases", denied, "application/x-ndjson", &bases).0,
            403
        );
    }
    assert_eq!(
        post("/v1/data/bases", &t.province, "application/json", &bases).0,
        415
    );
    let before = records(&f);
    let (status, report) = post(
        "/v1/data/bases",
        &t.province,
        "application/x-ndjson",
        &bases,
    );
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["accepted"], 2);
    assert_eq!(report["rejected"][0]["line"], 2);
    assert!(
        report["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("between 0 and 1000")
    );
    assert_eq!(records(&f), before + 1, "the import is in the log");

    // Indicator records as CSV from the sector, one bad row.
    let mut csv = String::from("subject_id,name,value,observed_on,source\n");
    for ind in example["indicators"].as_array().unwrap() {
        let value = match &ind["value"] {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        csv.push_str(&format!(
            "{id},{},{value},{},{}\n",
            ind["name"].as_str().unwrap(),
            ind["observed_on"].as_str().unwrap_or_default(),
            ind["source"].as_str().unwrap_or("ningbo-port-authority"),
        ));
    }
    csv.push_str(&format!(
        "{id},customs_violations_3y,2,2025-13-01,customs\n"
    ));
    let lines = csv.lines().count();
    assert_eq!(
        post("/v1/data/indicators", &t.transit, "text/csv", &csv).0,
        403
    );
    let (status, report) = post("/v1/data/indicators", &t.ningbo, "text/csv", &csv);
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        report["accepted"].as_u64(),
        Some(lines as u64 - 2),
        "{report}"
    );
    assert_eq!(
        report["rejected"][0]["line"].as_u64(),
        Some(lines as u64),
        "{report}"
    );

    // A request that names only the subject is completed from the store and
    // scores exactly as the inline one does.
    // An app's evaluations from the store are made as of today.
    let by_subject = json!({ "model": "ningbo/port", "subject": { "id": id } });
    let (status, answer) = post_json(&s, "/v1/scores", Some(&t.transit), &by_subject);
    assert_eq!(status, 200, "{answer}");
    let mut today = example.clone();
    today["as_of"] = json!(scorehost_engine::completion::today());
    let (_, inline) = post_json(&s, "/v1/scores", Some(&t.transit), &today);
    assert_eq!(answer["score"], inline["score"]);
    assert_eq!(answer["contributions"], inline["contributions"]);
    // The record holds exactly what the model saw: the completed request.
    let (_, shown) = get(
        &s,
        &format!(
            "/v1/evaluations/{}",
            answer["evaluation_id"].as_str().unwrap()
        ),
        Some(&t.auditor),
    );
    assert_eq!(shown["input"]["base"]["score"], base["score"]);
    assert_eq!(
        shown["input"]["indicators"].as_array().unwrap().len(),
        example["indicators"].as_array().unwrap().len()
    );
    // An unknown subject: the answer an app gets for a person without its
    // consent (so that no answer tells who is stored), nothing evaluated.
    let before = records(&f);
    let unknown = json!({ "model": "ningbo/port", "subject": { "id": "nobody" } });
    let (status, body) = post_json(&s, "/v1/scores", Some(&t.transit), &unknown);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("consent_required")),
        "{body}"
    );
    assert_eq!(records(&f), before);
}

#[test]
fn the_demo_starts_from_nothing_and_its_printed_commands_work() {
    let mut demo = scorehost_tests::http::Demo::start("demo", 300);
    let out = demo.printed.clone();
    assert!(
        out.contains("12 models pinned, then corrected")
            && out.contains("\n300 subjects (300 base evaluations"),
        "{out}"
    );
    // Each correction's impact on the recorded baseline is printed and kept;
    // all but Fenghua 3.0.0 are pinned over the version first reviewed.
    let impacts: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(" subjects replayed, "))
        .collect();
    assert_eq!(impacts.len(), 12, "{out}");
    for line in &impacts {
        let waiting = line.contains("fenghua/tourism 2.0.0 → 3.0.0");
        assert!(
            line.contains(if waiting {
                "; waiting for review"
            } else {
                "; pinned"
            }),
            "{line}"
        );
        let report = line
            .rsplit("(report ")
            .next()
            .unwrap()
            .trim_end_matches(')');
        let report: Value =
            serde_json::from_str(&std::fs::read_to_string(report).unwrap()).unwrap();
        assert!(report["subjects"].as_u64().unwrap() > 0, "{line}");
        assert!(
            report["record_id"].as_str().is_some(),
            "the analysis is an audit record: {line}"
        );
    }
    let secret = |name: &str| demo.secret(name);
    let (app, auditor, province) = (secret("APP"), secret("AUDITOR"), secret("PROVINCE"));
    // Every printed scoring works as its comment says.
    let mut scored = 0;
    let mut others = Vec::new();
    let mut disputed = None;
    let mut lines = out.lines();
    while let Some(line) = lines.next() {
        let Some(comment) = line.trim().strip_prefix("# ") else {
            continue;
        };
        let curl = lines.next().unwrap();
        let body = curl
            .split("-d '")
            .nth(1)
            .unwrap_or("")
            .trim_end_matches('\'');
        let path = curl
            .split_whitespace()
            .find_map(|w| w.strip_prefix(&demo.server.url))
            .unwrap_or_default()
            .to_string();
        // The other printed commands: a benefit decision, the candidate's
        // impact, a dispute — each works as its comment says.
        for (what, token, status) in [
            ("decision:", &app, 200),
            ("impact:", &province, 200),
            ("dispute:", &province, 201),
        ] {
            if comment.starts_with(what) {
                let (got, answer) = post_to(
                    &demo.server,
                    &path,
                    Some(token),
                    "application/json",
                    body.as_bytes(),
                );
                assert_eq!(got, status, "{comment}: {answer}");
                others.push(what);
                if what == "impact:" {
                    assert_eq!(answer["candidate"]["version"], "3.0.0", "{answer}");
                    assert!(
                        answer["compared"].as_u64().unwrap() > 0,
                        "the pinned version's baseline is there: {answer}"
                    );
                }
                if what == "dispute:" {
                    disputed = Some(answer);
                }
            }
        }
        if !comment.contains("subject kind") {
            continue;
        }
        let (status, answer) = post_to(
            &demo.server,
            "/v1/scores",
            Some(&app),
            "application/json",
            body.as_bytes(),
        );
        if comment.contains("403 consent_required") {
            assert_eq!(
                (status, answer["error"]["code"].as_str()),
                (403, Some("consent_required")),
                "{comment}: {answer}"
            );
        } else {
            assert!(
                status == 200 || answer["error"]["code"] == "model_rejected",
                "{comment}: {status} {answer}"
            );
            scored += 1;
        }
    }
    assert!(scored >= 12, "one example a model at least: {out}");
    assert_eq!(
        others,
        [
            "decision:",
            "decision:",
            "decision:",
            "decision:",
            "decision:",
            "decision:",
            "impact:",
            "dispute:"
        ],
        "{out}"
    );
    // Scored again, the disputed subject's answer says the record was not
    // used (the demo disputes an optional record, so the score goes on).
    let dispute = disputed.expect("the dispute was filed");
    let subject = dispute["subject_id"].as_str().unwrap();
    let again = out
        .lines()
        .find(|l| l.contains("/v1/scores") && l.contains(subject))
        .and_then(|l| l.split("-d '").nth(1))
        .map(|b| b.trim_end_matches('\''))
        .expect("the disputed subject has a printed scoring");
    let (status, answer) = post_to(
        &demo.server,
        "/v1/scores",
        Some(&app),
        "application/json",
        again.as_bytes(),
    );
    assert_eq!(status, 200, "{answer}");
    assert!(
        answer["reasons"].to_string().contains(&format!(
            "was not used: it is suspended while dispute {}",
            dispute["id"].as_str().unwrap()
        )),
        "{answer}"
    );
    let (status, v) = get(&demo.server, "/v1/audit/verify", Some(&auditor));
    assert_eq!(status, 200, "{v}");
    assert!(demo.server.stop().success());
}

#[test]
fn the_cli_works_through_the_service_with_server_and_token() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "api-cli-remote"));
    let t = tokens(&f);
    let s = Server::start(&f);
    // A client with no data dir of its own: everything goes over HTTP.
    let client_dir = f.data_dir.join("client-has-no-data");
    let remote = |token: &str, args: &[&str]| {
        scorehost_tests::command()
            .current_dir(root())
            .arg("--data-dir")
            .arg(&client_dir)
            .args(["--server", &s.url, "--token", token])
            .args(args)
            .output()
            .unwrap()
    };
    let wasm = component("ningbo-port-v1");
    let wasm = wasm.to_str().unwrap();
    let denied = remote(&t.yiwu, &["plugin", "publish", wasm]);
    assert_eq!(
        denied.status.code(),
        Some(8),
        "{}",
        String::from_utf8_lossy(&denied.stderr)
    );
    let published: Value =
        serde_json::from_str(&ok(remote(&t.ningbo, &["plugin", "publish", wasm]))).unwrap();
    let sha = published["sha256"].as_str().unwrap().to_string();
    ok(remote(
        &t.province,
        &["plugin", "approve", "ningbo/port@1.0.0", "--sha256", &sha],
    ));
    ok(remote(
        &t.second,
        &["plugin", "approve", "ningbo/port@1.0.0", "--sha256", &sha],
    ));
    ok(remote(
        &t.province,
        &["plugin", "pin", "ningbo/port@1.0.0", "--sha256", &sha],
    ));
    let table = ok(remote(
        &t.transit,
        &[
            "score",
            "--model",
            "ningbo/port",
            "--input",
            "plugins/ningbo-port-v1/samples/example.request.json",
        ],
    ));
    assert!(table.contains("811.75"), "{table}");
    let answer: Value = serde_json::from_str(&ok(remote(
        &t.transit,
        &[
            "score",
            "--model",
            "ningbo/port",
            "--input",
            "plugins/ningbo-port-v1/samples/example.request.json",
            "--json",
        ],
    )))
    .unwrap();
    let id = answer["evaluation_id"].as_str().unwrap();
    let replay: Value =
        serde_json::from_str(&ok(remote(&t.auditor, &["audit", "replay", id]))).unwrap();
    assert_eq!(replay["identical"], true);
    let verify: Value =
        serde_json::from_str(&ok(remote(&t.auditor, &["audit", "verify"]))).unwrap();
    assert!(verify["records"].as_u64().unwrap() >= 2);
    let no_pin = remote(
        &t.bank,
        &[
            "score",
            "--model",
            "yiwu/market",
            "--input",
            "plugins/yiwu-market-v1/samples/example.request.json",
        ],
    );
    assert_eq!(
        no_pin.status.code(),
        Some(11),
        "{}",
        String::from_utf8_lossy(&no_pin.stderr)
    );
    assert!(
        !client_dir.join("registry.db").exists(),
        "nothing was written locally"
    );
}

/// Poll a batch run until it is no longer queued or running.
fn wait_for_batch(s: &Server, id: &str, token: &str) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        let (status, run) = get(s, &format!("/v1/batches/{id}"), Some(token));
        assert_eq!(status, 200, "{run}");
        if !["queued", "running"].contains(&run["status"].as_str().unwrap_or_default()) {
            return run;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "batch {id} never finished: {run}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn batches_over_http_run_report_and_serve_their_results_to_whom_they_may() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "api-batches"));
    let t = tokens(&f);
    let s = Server::start(&f);
    publish_and_pin_ningbo(&s, &t);
    let module = component("ningbo-port-v1");
    let subjects = ok(cli(
        &f,
        &[
            "gen",
            "--module",
            module.to_str().unwrap(),
            "--count",
            "300",
            "--as-of",
            "2026-11-01",
        ],
    ));
    // Over a raw socket: a refusal may come before the body is all sent.
    let upload = |token: &str, query: &str, ct: &str, body: &str| {
        raw_post(
            &s.url,
            &format!("/v1/batches{query}"),
            token,
            ct,
            body.as_bytes(),
        )
    };
    let before = records(&f);
    // Who may not, and what is not a batch: nothing runs, nothing is stored.
    for denied in [&t.ningbo, &t.auditor, &t.bank] {
        let (status, body) = upload(
            denied,
            "?model=ningbo/port",
            "application/x-ndjson",
            &subjects,
        );
        assert_eq!(status, 403, "{body}");
    }
    let (status, body) = upload(&t.transit, "", "application/x-ndjson", &subjects);
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("?model=")
    );
    let (status, _) = upload(&t.transit, "?model=ningbo/port", "text/plain", &subjects);
    assert_eq!(status, 415);
    let (status, body) = upload(
        &t.transit,
        "?model=ningbo/port",
        "text/csv",
        "subject_id,as_of,base_score,base_grade,shoe_size\n1,2026-11-01,700,B,42\n",
    );
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("shoe_size")
    );
    assert_eq!(get(&s, "/v1/batches", Some(&t.province)).1, json!([]));
    assert_eq!(records(&f), before, "nothing was logged");

    // An app's run: 202, then progress, then the summary.
    let (status, run) = upload(
        &t.transit,
        "?model=ningbo/port",
        "application/x-ndjson",
        &subjects,
    );
    assert_eq!(status, 202, "{run}");
    let id = run["id"].as_str().unwrap().to_string();
    assert!(["queued", "running"].contains(&run["status"].as_str().unwrap()));
    let done = wait_for_batch(&s, &id, &t.transit);
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["summary"]["items"], 300);
    assert_eq!(done["caller"], "app:transit");
    let scored = done["summary"]["scored"].as_u64().unwrap();
    assert!(scored >= 295, "{done}");
    let graded: u64 = done["summary"]["grades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g[1].as_u64().unwrap())
        .sum();
    assert_eq!(graded, scored);

    // Its results, in order, each evaluation in the log.
    let (status, results) = get(&s, &format!("/v1/batches/{id}/results"), Some(&t.transit));
    assert_eq!(status, 200);
    let lines: Vec<Value> = results
        .as_str()
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 300);
    for (k, line) in lines.iter().enumerate() {
        assert_eq!(line["item"], k as u64 + 1);
    }
    for line in lines.iter().step_by(97) {
        let eval = line["evaluation_id"].as_str().unwrap();
        let (status, shown) = get(&s, &format!("/v1/evaluations/{eval}"), Some(&t.auditor));
        assert_eq!(status, 200, "{shown}");
        assert_eq!(shown["record"]["subject"]["id"], line["subject"], "{shown}");
        assert_eq!(shown["record"]["batch"]["id"], id.as_str());
    }
    assert_eq!(
        records(&f),
        before + 302 + 4,
        "start, 300 evaluations, finish, and the auditor's 4 reads of a record"
    );

    // Who may see it: its app, the province, auditors; not another app.
    assert_eq!(get(&s, &format!("/v1/batches/{id}"), Some(&t.bank)).0, 403);
    assert_eq!(
        get(&s, &format!("/v1/batches/{id}/results"), Some(&t.bank)).0,
        403
    );
    assert_eq!(
        get(&s, &format!("/v1/batches/{id}"), Some(&t.auditor)).0,
        200
    );
    assert_eq!(get(&s, "/v1/batches", Some(&t.bank)).1, json!([]));
    assert_eq!(
        get(&s, "/v1/batches", Some(&t.transit)).1[0]["id"],
        id.as_str()
    );
    assert_eq!(get(&s, "/v1/batches/nosuch", Some(&t.province)).0, 404);

    // From the data store: the province scores stored subjects.
    let example = score_request("ningbo-port-v1", "ningbo/port");
    let base = json!({ "subject_id": example["subject"]["id"], "kind": "enterprise",
        "score": 812.5, "grade": "B", "source": "zhejiang-credit" });
    let (status, report) = post_to(
        &s,
        "/v1/data/bases",
        Some(&t.province),
        "application/x-ndjson",
        format!("{base}\n").as_bytes(),
    );
    assert_eq!(status, 200, "{report}");
    let (status, run) = post_json(
        &s,
        "/v1/batches",
        Some(&t.province),
        &json!({ "model": "ningbo/port" }),
    );
    assert_eq!(status, 202, "{run}");
    let done = wait_for_batch(&s, run["id"].as_str().unwrap(), &t.province);
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["summary"]["items"], 1);
    // No indicator records are stored for it: the model's required
    // indicators are missing, and the result says so.
    assert_eq!(done["summary"]["failures"]["bad_request"], 1, "{done}");
    let (status, run) = post_json(
        &s,
        "/v1/batches",
        Some(&t.province),
        &json!({ "model": "ningbo/port", "subjects": ["91330000NOSUCH000X"] }),
    );
    assert_eq!(status, 202, "{run}");
    let failed = wait_for_batch(&s, run["id"].as_str().unwrap(), &t.province);
    assert_eq!(failed["status"], "failed", "{failed}");
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("91330000NOSUCH000X"),
        "{failed}"
    );
    assert!(ok(cli(&f, &["audit", "verify"])).contains("verifies"));
}

#[test]
fn a_batch_cut_short_by_a_killed_server_resumes_when_the_server_starts_again() {
    const N: u64 = 60_000;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "api-batch-kill"));
    let t = tokens(&f);
    let mut s = Server::start(&f);
    publish_and_pin_ningbo(&s, &t);
    let module = component("ningbo-port-v1");
    let n = N.to_string();
    let subjects = ok(cli(
        &f,
        &["gen", "--module", module.to_str().unwrap(), "--count", &n],
    ));
    let before = records(&f);
    let (status, run) = raw_post(
        &s.url,
        "/v1/batches?model=ningbo/port",
        &t.province,
        "application/x-ndjson",
        subjects.as_bytes(),
    );
    assert_eq!(status, 202, "{run}");
    let id = run["id"].as_str().unwrap().to_string();
    // SIGKILL the server part-way through the run.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let (_, now) = get(&s, &format!("/v1/batches/{id}"), Some(&t.province));
        let done = now["done"].as_u64().unwrap_or(0);
        assert!(done < N, "the run finished before the kill: {now}");
        if done > 2_000 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "no progress: {now}");
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    s.child.kill().unwrap();
    s.child.wait().unwrap();
    let s = Server::start(&f);
    let done = wait_for_batch(&s, &id, &t.province);
    assert_eq!(done["status"], "finished", "{done}");
    assert_eq!(done["summary"]["items"], N);
    assert!(
        done["summary"]["scored_now"].as_u64().unwrap() < N,
        "it started over: {done}"
    );
    // Read as a stream: more than ureq's 10 MB `into_string` limit.
    let mut results = String::new();
    std::io::Read::read_to_string(
        &mut ureq::get(&format!("{}/v1/batches/{id}/results", s.url))
            .set("Authorization", &format!("Bearer {}", t.province))
            .call()
            .unwrap()
            .into_reader(),
        &mut results,
    )
    .unwrap();
    let lines: Vec<Value> = results
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, N);
    let ids: std::collections::BTreeSet<&str> = lines
        .iter()
        .map(|l| l["evaluation_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len() as u64, N, "one record per subject");
    // Exactly N evaluations in the log, with the run's start and finish:
    // nobody scored twice; and the log verifies.
    assert_eq!(records(&f), before + N + 2);
}
