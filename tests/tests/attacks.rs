//! The service attacked by callers holding valid tokens (SECURITY.md §2,
//! §4 and "Who furnishes the N"): a hostile app, publisher and auditor,
//! each finding of the attack on a fresh service kept as a test against
//! the real `scorehost serve`, the real plugins and a real database
//! (SQLite, and PostgreSQL where storage is involved).
//!
//! Each test asserts outcomes — the status, that nothing was stored or
//! evaluated, that no subject is named, that a counter did not move —
//! never timings.

use std::io::{Read as _, Write as _};
use std::time::Duration;

use scorehost_tests::http::{Server, get, post_json, post_to, put_json as put};
use scorehost_tests::{
    Backend, Fixture, approve_definition, backends, cli, component, fixture, ok, pin_cli as pin,
    sha256_file, token,
};
use serde_json::{Value, json};

/// A citizen whose id has the shape of a resident identity number.
const CITIZEN: &str = "330106199001011234";
/// Another, stored, who consented to nobody.
const STRANGER: &str = "330106198505050011";
/// A resident id that is stored nowhere.
const UNKNOWN: &str = "330106197703030022";
/// A person stored under an id of another format (the synthetic
/// population's), who consented to nobody.
const ODD_ID_PERSON: &str = "33010600000000077X";

/// Records in the log now.
fn records(f: &Fixture) -> u64 {
    let out = ok(cli(f, &["audit", "verify", "--json"]));
    serde_json::from_str::<Value>(&out).unwrap()["records"]
        .as_u64()
        .unwrap()
}

/// A counter or gauge from `/metrics` (0 if absent), read with an
/// auditor's token.
fn metric(s: &Server, auditor: &str, name: &str) -> f64 {
    let (status, text) = get(s, "/metrics", Some(auditor));
    assert_eq!(status, 200, "{text}");
    text.as_str()
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .map_or(0.0, |v| v.trim().parse().unwrap())
}

fn ndjson(rows: &[Value]) -> Vec<u8> {
    rows.iter()
        .map(|r| format!("{r}\n"))
        .collect::<String>()
        .into_bytes()
}

fn import(s: &Server, token: &str, what: &str, rows: &[Value]) -> Value {
    let (status, report) = post_to(
        s,
        &format!("/v1/data/{what}"),
        Some(token),
        "application/x-ndjson",
        &ndjson(rows),
    );
    assert_eq!(status, 200, "{report}");
    report
}

/// Send a request's head claiming a body of `claimed` bytes, and only the
/// first KiB of it; the answer's first bytes, or "" if none came within 20
/// seconds — which is what happens when the server waits for the body.
fn head_only(s: &Server, path: &str, token: &str, content_type: &str, claimed: usize) -> String {
    let mut stream = std::net::TcpStream::connect(s.addr()).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\nContent-Type: {content_type}\r\nContent-Length: {claimed}\r\n\r\n",
        s.addr()
    )
    .unwrap();
    stream.write_all(&[0u8; 1024]).unwrap();
    let mut buf = [0u8; 4096];
    let n = stream.read(&mut buf).unwrap_or(0);
    String::from_utf8_lossy(&buf[..n]).into_owned()
}

/// Finding 1: an app's (or another namespace's) upload is refused by its
/// role before one byte of its body is read, so nothing is compiled; a
/// rightful publisher's upload is compiled (off the request path).
#[test]
fn an_upload_is_refused_by_role_before_its_body_is_read_or_compiled() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "attack-upload"));
    let app = token(&f, "app:bank", "ningbo/port");
    let yiwu = token(&f, "publisher:yiwu", "");
    let ningbo = token(&f, "publisher:ningbo", "");
    let auditor = token(&f, "auditor", "");
    let s = Server::start(&f);
    let compiles = metric(&s, &auditor, "scorehost_module_compiles_total");
    let before = records(&f);
    let upload = "/v1/plugins/ningbo/port/versions/1.0.0";
    for who in [&app, &yiwu] {
        let answer = head_only(&s, upload, who, "application/wasm", 31_000_000);
        assert!(
            answer.starts_with("HTTP/1.1 403"),
            "refused before the 31 MB body arrives: {answer:?}"
        );
    }
    // The import routes too: an app is refused before its 60 MB is read.
    let answer = head_only(
        &s,
        "/v1/data/indicators",
        &app,
        "application/x-ndjson",
        60_000_000,
    );
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer:?}");
    let answer = head_only(
        &s,
        "/v1/data/bases",
        &ningbo,
        "application/x-ndjson",
        60_000_000,
    );
    assert!(answer.starts_with("HTTP/1.1 403"), "{answer:?}");
    // A whole real module from an app: 403 (not 422, and not a broken
    // pipe: what arrives is read and thrown away for a moment, so that the
    // client hears why), and not compiled.
    let wasm = std::fs::read(component("ningbo-port-v1")).unwrap();
    let (status, body) = post_to(&s, upload, Some(&app), "application/wasm", &wasm);
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("forbidden")),
        "{body}"
    );
    assert_eq!(
        metric(&s, &auditor, "scorehost_module_compiles_total"),
        compiles,
        "no refused upload was compiled"
    );
    assert_eq!(records(&f), before, "refused uploads store nothing");
    // The rightful publisher's upload is compiled and published.
    let (status, body) = post_to(&s, upload, Some(&ningbo), "application/wasm", &wasm);
    assert_eq!(status, 201, "{body}");
    assert!(metric(&s, &auditor, "scorehost_module_compiles_total") > compiles);
}

/// The Hangzhou model pinned, the citizen's base imported by the province
/// and its indicators by publisher:hangzhou (the furnisher its model
/// makes it), consent for app:transit; the Ningbo model pinned too.
struct Furnished {
    s: Server,
    province: String,
    hangzhou: String,
    ningbo: String,
    police: String,
    transit: String,
}

fn furnished(f: &Fixture) -> Furnished {
    pin(
        f,
        "hangzhou-qianjiang-v2",
        "hangzhou/qianjiang@2.0.0",
        "publisher:hangzhou",
    );
    pin(f, "ningbo-port-v1", "ningbo/port@1.0.0", "publisher:ningbo");
    ok(cli(
        f,
        &[
            "consent",
            "grant",
            "--subject",
            CITIZEN,
            "--app",
            "transit",
            "--model",
            "hangzhou/qianjiang",
            "--until",
            "2099-12-31",
        ],
    ));
    let t = Furnished {
        province: token(f, "province", ""),
        hangzhou: token(f, "publisher:hangzhou", ""),
        ningbo: token(f, "publisher:ningbo", ""),
        police: token(f, "publisher:police", ""),
        transit: token(f, "app:transit", "hangzhou/qianjiang"),
        s: Server::start(f),
    };
    let example = serde_json::to_value(scorehost_tests::example("hangzhou-qianjiang-v2")).unwrap();
    let base = &example["base"];
    let report = import(
        &t.s,
        &t.province,
        "bases",
        &[
            json!({"subject_id": CITIZEN, "kind": "natural-person", "score": base["score"], "grade": base["grade"], "source": "zhejiang-credit"}),
        ],
    );
    assert_eq!(report["accepted"], 1, "{report}");
    let rows: Vec<Value> = example["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            let mut r = json!({"subject_id": CITIZEN, "name": i["name"], "value": i["value"], "source": i["source"]});
            if let Some(d) = i["observed_on"].as_str() {
                r["observed_on"] = json!(d);
            }
            r
        })
        .collect();
    let report = import(&t.s, &t.hangzhou, "indicators", &rows);
    assert_eq!(report["accepted"], rows.len(), "{report}");
    t
}

fn score_stored(t: &Furnished, id: &str) -> (u16, Value) {
    post_json(
        &t.s,
        "/v1/scores",
        Some(&t.transit),
        &json!({"model": "hangzhou/qianjiang", "subject": {"id": id}}),
    )
}

fn shown_input(t: &Furnished, answer: &Value) -> Value {
    let id = answer["evaluation_id"].as_str().unwrap();
    let (status, shown) = get(&t.s, &format!("/v1/evaluations/{id}"), Some(&t.province));
    assert_eq!(status, 200, "{shown}");
    shown["input"].clone()
}

fn indicators_named<'a>(input: &'a Value, name: &str) -> Vec<&'a Value> {
    input["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["name"] == name)
        .collect()
}

async fn a_publisher_imports_only_what_it_furnishes(f: Fixture) {
    let t = furnished(&f);
    let (status, first) = score_stored(&t, CITIZEN);
    assert_eq!(status, 200, "{first}");
    // Every record the model saw names its authenticated furnisher.
    let input = shown_input(&t, &first);
    for i in input["indicators"].as_array().unwrap() {
        assert!(
            i["source"]
                .as_str()
                .unwrap()
                .starts_with("publisher:hangzhou"),
            "{i}"
        );
    }

    // Ningbo's publisher forges Hangzhou's credit-pay data under sources
    // it names itself: refused row by row, nothing changes.
    let forged = [
        json!({"subject_id": CITIZEN, "name": "credit_pay_defaults_1y", "value": 3, "source": "hangzhou-credit-center"}),
        json!({"subject_id": CITIZEN, "name": "utility_arrears_1y", "value": 2, "observed_on": "2026-10-01", "source": "utilities"}),
    ];
    let report = import(&t.s, &t.ningbo, "indicators", &forged);
    assert_eq!(report["accepted"], 0, "{report}");
    let reasons = report["rejected"].to_string();
    assert!(reasons.contains("does not furnish"), "{reasons}");
    let (_, again) = score_stored(&t, CITIZEN);
    assert_eq!(
        again["score"], first["score"],
        "the forged rows changed nothing"
    );

    // A file cannot name its own furnisher.
    let report = import(
        &t.s,
        &t.ningbo,
        "indicators",
        &[
            json!({"subject_id": CITIZEN, "name": "age", "value": 20, "source": "x", "furnisher": "province"}),
        ],
    );
    assert_eq!(report["accepted"], 0, "{report}");

    // A single-valued indicator has one current record: the furnisher's
    // newer record (another date) replaces its older one, and the citizen
    // stays scorable by everyone.
    let report = import(
        &t.s,
        &t.hangzhou,
        "indicators",
        &[
            json!({"subject_id": CITIZEN, "name": "traffic_violations_1y", "value": 2, "observed_on": "2026-09-01", "source": "traffic-police"}),
        ],
    );
    assert_eq!(report["accepted"], 1, "{report}");
    let (status, newer) = score_stored(&t, CITIZEN);
    assert_eq!(status, 200, "{newer}");
    let input = shown_input(&t, &newer);
    let tv = indicators_named(&input, "traffic_violations_1y");
    assert_eq!(tv.len(), 1, "{input}");
    assert_eq!(tv[0]["value"].as_f64(), Some(2.0));
    assert_eq!(tv[0]["observed_on"], "2026-09-01");

    // The province registers the indicator to the police: Hangzhou may no
    // longer import it, and the police do not overwrite Hangzhou's record.
    let (status, reg) = put(
        &t.s,
        "/v1/furnishers/traffic_violations_1y",
        &t.province,
        &json!({"namespace": "police", "cardinality": "single"}),
    );
    assert_eq!(status, 200, "{reg}");
    assert_eq!(
        put(
            &t.s,
            "/v1/furnishers/traffic_violations_1y",
            &t.hangzhou,
            &json!({"namespace": "hangzhou"})
        )
        .0,
        403
    );
    let row = json!({"subject_id": CITIZEN, "name": "traffic_violations_1y", "value": 0, "observed_on": "2026-11-01", "source": "traffic-police"});
    let report = import(&t.s, &t.hangzhou, "indicators", std::slice::from_ref(&row));
    assert_eq!(report["accepted"], 0, "{report}");
    assert!(report["rejected"].to_string().contains("publisher:police"));
    let report = import(&t.s, &t.police, "indicators", std::slice::from_ref(&row));
    assert_eq!(report["accepted"], 0, "{report}");
    assert!(
        report["rejected"]
            .to_string()
            .contains("one furnisher never overwrites another's record"),
        "{report}"
    );
    let (_, listed) = get(&t.s, "/v1/furnishers", Some(&t.police));
    let entry = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["indicator"] == "traffic_violations_1y")
        .unwrap();
    assert_eq!(entry["namespaces"], json!(["police"]));
    assert_eq!(entry["basis"], "registered");
    assert_eq!(get(&t.s, "/v1/furnishers", Some(&t.transit)).0, 403);

    // A record removed after a dispute is not brought back by its
    // furnisher under another date; the province may re-insert it.
    let (status, d) = post_json(
        &t.s,
        "/v1/disputes",
        Some(&t.province),
        &json!({"subject_id": CITIZEN, "indicator": "library_loans_1y", "reason": "never borrowed"}),
    );
    assert_eq!(status, 201, "{d}");
    let id = d["id"].as_str().unwrap();
    let (status, c) = post_json(
        &t.s,
        &format!("/v1/disputes/{id}/check"),
        Some(&t.province),
        &json!({"verdict": "forward"}),
    );
    assert_eq!(status, 200, "{c}");
    let (status, a) = post_json(
        &t.s,
        &format!("/v1/disputes/{id}/answer"),
        Some(&t.hangzhou),
        &json!({"outcome": "removed", "note": "a mix-up"}),
    );
    assert_eq!(status, 200, "{a}");
    let back = json!({"subject_id": CITIZEN, "name": "library_loans_1y", "value": 24, "observed_on": "2026-11-15", "source": "hangzhou-library"});
    let report = import(&t.s, &t.hangzhou, "indicators", std::slice::from_ref(&back));
    assert_eq!(report["accepted"], 0, "{report}");
    assert!(
        report["rejected"]
            .to_string()
            .contains("only the province may insert it again")
    );
    let report = import(&t.s, &t.province, "indicators", &[back]);
    assert_eq!(report["accepted"], 1, "{report}");
    ok(cli(&f, &["audit", "verify"]));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_publisher_imports_only_what_it_furnishes_and_never_overwrites_another() {
    for backend in backends() {
        a_publisher_imports_only_what_it_furnishes(fixture(backend, "attack-furnish").await).await;
    }
}

/// The province defines the scenario `transit-pay` (Qianjiang ≥ 573); a
/// token of app:transit granted only that scenario.
fn transit_pay(f: &Fixture, t: &Furnished) -> String {
    let (status, body) = put(
        &t.s,
        "/v1/scenarios/transit-pay",
        &t.province,
        &json!({"title": "transit credit-pay", "model": "hangzhou/qianjiang", "min_score": 573}),
    );
    assert_eq!(status, 202, "{body}");
    approve_definition(
        f,
        "scenario",
        "transit-pay",
        body["sha256"].as_str().unwrap(),
    );
    let mut args = vec!["token", "create", "--role", "app:transit"];
    args.extend(["--scenarios", "transit-pay"]);
    ok(cli(f, &args)).trim().to_string()
}

/// Bases of the strangers: a resident-id person and an odd-id person,
/// neither consenting to anyone.
fn store_strangers(t: &Furnished) {
    let report = import(
        &t.s,
        &t.province,
        "bases",
        &[
            json!({"subject_id": STRANGER, "kind": "natural-person", "score": 700, "grade": "B", "source": "zhejiang-credit"}),
            json!({"subject_id": ODD_ID_PERSON, "kind": "natural-person", "score": 700, "grade": "B", "source": "zhejiang-credit"}),
        ],
    );
    assert_eq!(report["accepted"], 2, "{report}");
    let report = import(
        &t.s,
        &t.hangzhou,
        "indicators",
        &[
            json!({"subject_id": STRANGER, "name": "age", "value": 41, "source": "public-security"}),
            json!({"subject_id": STRANGER, "name": "traffic_violations_1y", "value": 1, "observed_on": "2026-06-14", "source": "traffic-police"}),
            json!({"subject_id": ODD_ID_PERSON, "name": "age", "value": 41, "source": "public-security"}),
        ],
    );
    assert_eq!(report["accepted"], 3, "{report}");
}

/// The answer with the subject's id taken out, to compare answers about
/// different subjects.
fn without_id(answer: &(u16, Value), id: &str) -> (u16, String) {
    (answer.0, answer.1.to_string().replace(id, "ID"))
}

fn wait_for_batch(s: &Server, id: &str, token: &str) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    loop {
        let (status, run) = get(s, &format!("/v1/batches/{id}"), Some(token));
        assert_eq!(status, 200, "{run}");
        if !["queued", "running"].contains(&run["status"].as_str().unwrap_or_default()) {
            return run;
        }
        assert!(std::time::Instant::now() < deadline, "{run}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn no_answer_tells_who_is_stored(f: Fixture) {
    let t = furnished(&f);
    store_strangers(&t);
    let decider = transit_pay(&f, &t);
    let before = records(&f);

    // Finding 6: scores from the store, decisions and disputes — a stored
    // person without consent, an unknown resident id and a stored person
    // under an odd id all get the same answer.
    let refused: Vec<(u16, String)> = [STRANGER, UNKNOWN, ODD_ID_PERSON, "NOBODY-1"]
        .iter()
        .map(|id| without_id(&score_stored(&t, id), id))
        .collect();
    assert_eq!(refused[0].0, 403, "{refused:?}");
    assert!(refused.iter().all(|r| r == &refused[0]), "{refused:?}");
    assert!(!refused[0].1.contains("20"), "no dates: {refused:?}");

    // Inline: the stranger claimed as an enterprise is still a person.
    let example = serde_json::to_value(scorehost_tests::example("hangzhou-qianjiang-v2")).unwrap();
    let inline = |id: &str, kind: &str| {
        let mut r = example.clone();
        r["subject"] = json!({"id": id, "kind": kind});
        without_id(&post_json(&t.s, "/v1/scores", Some(&t.transit), &r), id)
    };
    let claimed = [
        inline(STRANGER, "enterprise"),
        inline(UNKNOWN, "enterprise"),
        inline(STRANGER, "natural-person"),
        inline(ODD_ID_PERSON, "enterprise"),
    ];
    assert!(claimed.iter().all(|c| c == &refused[0]), "{claimed:?}");

    // Decisions: the same.
    let decide = |id: &str| {
        without_id(
            &post_json(
                &t.s,
                "/v1/decisions",
                Some(&decider),
                &json!({"scenario": "transit-pay", "subject": {"id": id}}),
            ),
            id,
        )
    };
    let d = [decide(STRANGER), decide(UNKNOWN), decide(ODD_ID_PERSON)];
    assert_eq!(d[0].0, 403, "{d:?}");
    assert!(d.iter().all(|x| x == &d[0]), "{d:?}");

    // Disputes: a record that exists and one that does not.
    let file = |date: &str| {
        without_id(
            &post_json(
                &t.s,
                "/v1/disputes",
                Some(&t.transit),
                &json!({"subject_id": STRANGER, "indicator": "traffic_violations_1y", "observed_on": date, "reason": "not me"}),
            ),
            STRANGER,
        )
    };
    let (exists, absent) = (file("2026-06-14"), file("2026-06-15"));
    assert_eq!(exists.0, 403, "{exists:?}");
    assert_eq!(exists, absent);
    assert_eq!(records(&f), before, "nothing evaluated or recorded");

    // Finding 3: a store batch by an app covers only those who consented
    // to it, and names nobody else.
    let nosy = token(&f, "app:nosy", "hangzhou/qianjiang");
    let (status, run) = post_json(
        &t.s,
        "/v1/batches",
        Some(&nosy),
        &json!({"model": "hangzhou/qianjiang"}),
    );
    assert_eq!(status, 202, "{run}");
    let run = wait_for_batch(&t.s, run["id"].as_str().unwrap(), &nosy);
    assert_eq!(run["status"], "failed", "{run}");
    for id in [CITIZEN, STRANGER, ODD_ID_PERSON] {
        assert!(!run.to_string().contains(id), "{run}");
    }
    let (status, run) = post_json(
        &t.s,
        "/v1/batches",
        Some(&t.transit),
        &json!({"model": "hangzhou/qianjiang"}),
    );
    assert_eq!(status, 202, "{run}");
    let id = run["id"].as_str().unwrap().to_string();
    let run = wait_for_batch(&t.s, &id, &t.transit);
    assert_eq!(run["status"], "finished", "{run}");
    let (_, results) = get(&t.s, &format!("/v1/batches/{id}/results"), Some(&t.transit));
    let text = results.to_string();
    assert!(text.contains(CITIZEN), "{text}");
    for id in [STRANGER, ODD_ID_PERSON] {
        assert!(!text.contains(id), "{text}");
    }
    // Named subjects: not stored and not consented are told apart for
    // nobody but the province.
    let (status, run) = post_json(
        &t.s,
        "/v1/batches",
        Some(&t.transit),
        &json!({"model": "hangzhou/qianjiang", "subjects": [STRANGER, UNKNOWN]}),
    );
    assert_eq!(status, 202, "{run}");
    let run = wait_for_batch(&t.s, run["id"].as_str().unwrap(), &t.transit);
    let error = run["error"].as_str().unwrap_or_default().to_string();
    assert!(
        error.contains(STRANGER) && error.contains(UNKNOWN) && error.contains("not told apart"),
        "{run}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn no_answer_tells_an_app_who_is_stored_and_a_batch_names_only_the_consenting() {
    for backend in backends() {
        no_answer_tells_who_is_stored(fixture(backend, "attack-oracle").await).await;
    }
}

/// Findings 7 and 8: a token's model list narrows what it reads and
/// disputes; a scenario grant gets the decision's minimum.
#[test]
fn a_token_reads_and_disputes_only_within_its_grants_and_a_scenario_grant_gets_the_minimum() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "attack-grants"));
    let t = furnished(&f);
    let port_only = token(&f, "app:transit", "ningbo/port");
    let (status, mine) = score_stored(&t, CITIZEN);
    assert_eq!(status, 200, "{mine}");
    let path = format!(
        "/v1/evaluations/{}",
        mine["evaluation_id"].as_str().unwrap()
    );
    assert_eq!(get(&t.s, &path, Some(&t.transit)).0, 200);
    let (status, other) = get(&t.s, &path, Some(&port_only));
    assert_eq!(status, 404, "the same app's other token: {other}");
    let (absent, _) = get(
        &t.s,
        "/v1/evaluations/999999-00000000000000000000000000000000",
        Some(&port_only),
    );
    assert_eq!(absent, 404, "absent and not yours are one answer");
    assert_eq!(get(&t.s, &format!("{path}/proof"), Some(&port_only)).0, 404);
    // The app's batch of a model the other token is not granted: that
    // token neither sees it nor lists it.
    let (status, run) = post_json(
        &t.s,
        "/v1/batches",
        Some(&t.transit),
        &json!({"model": "hangzhou/qianjiang"}),
    );
    assert_eq!(status, 202, "{run}");
    let id = run["id"].as_str().unwrap().to_string();
    wait_for_batch(&t.s, &id, &t.transit);
    for route in [
        format!("/v1/batches/{id}"),
        format!("/v1/batches/{id}/results"),
    ] {
        assert_eq!(get(&t.s, &route, Some(&port_only)).0, 403, "{route}");
    }
    let (status, listed) = get(&t.s, "/v1/batches", Some(&port_only));
    assert_eq!((status, listed), (200, json!([])));
    let (_, listed) = get(&t.s, "/v1/batches", Some(&t.transit));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    // The consent was given for hangzhou/qianjiang: a token granted only
    // ningbo/port may not dispute on it.
    let dispute =
        json!({"subject_id": CITIZEN, "indicator": "library_loans_1y", "reason": "wrong"});
    let (status, body) = post_json(&t.s, "/v1/disputes", Some(&port_only), &dispute);
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["error"]["code"], "consent_required");
    let (status, body) = post_json(&t.s, "/v1/disputes", Some(&t.transit), &dispute);
    assert_eq!(status, 201, "{body}");

    // A scenario grant: eligible or not, the rule and the reasons; no score.
    let scenario_only = transit_pay(&f, &t);
    let ask = json!({"scenario": "transit-pay", "subject": {"id": CITIZEN}});
    let (status, minimal) = post_json(&t.s, "/v1/decisions", Some(&scenario_only), &ask);
    assert_eq!(status, 200, "{minimal}");
    for absent in ["score", "grade", "evaluation"] {
        assert!(minimal.get(absent).is_none(), "{absent}: {minimal}");
    }
    assert!(minimal["eligible"].is_boolean());
    let first = minimal["reasons"][0].as_str().unwrap();
    assert!(
        first.contains("573") && first.contains("eligible"),
        "{first}"
    );
    let (_, full) = post_json(&t.s, "/v1/decisions", Some(&t.transit), &ask);
    assert!(
        full.get("score").is_none(),
        "not granted the scenario: {full}"
    );
    let both = ok(cli(
        &f,
        &[
            "token",
            "create",
            "--role",
            "app:transit",
            "--models",
            "hangzhou/qianjiang",
            "--scenarios",
            "transit-pay",
        ],
    ))
    .trim()
    .to_string();
    let (status, full) = post_json(&t.s, "/v1/decisions", Some(&both), &ask);
    assert_eq!(status, 200, "{full}");
    let score = full["score"].as_f64().unwrap();
    assert!(
        !first.contains(&format!("{score:.2}")),
        "{first} gives {score}"
    );
    assert_eq!(full["evaluation"]["score"], full["score"]);
    // Nor does the minimal answer's record open to the scenario-only token.
    let id = minimal["evaluation_id"].as_str().unwrap();
    assert_eq!(
        get(&t.s, &format!("/v1/evaluations/{id}"), Some(&scenario_only)).0,
        404
    );
}

/// Findings 9, 10 and 12: the throttle, revocation, and what errors say.
#[test]
fn tokens_are_throttled_revoked_and_never_echoed() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "attack-tokens"));
    pin(
        &f,
        "ningbo-port-v1",
        "ningbo/port@1.0.0",
        "publisher:ningbo",
    );
    let app = token(&f, "app:bank", "ningbo/port");
    let s = Server::start(&f);
    // A valid token between guesses does not reset the count.
    let mut statuses = Vec::new();
    for i in 0..8 {
        statuses.push(get(&s, "/v1/pins", Some(&format!("sht_guess{i}"))).0);
        get(&s, "/v1/pins", Some(&app));
    }
    assert_eq!(&statuses[..5], &[401; 5], "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");

    // The scheme is case-insensitive (another server: this one throttles us).
    let s2 = Server::start(&f);
    let url = format!("{}/v1/pins", s2.url);
    for scheme in ["bearer", "BEARER", "Bearer"] {
        let r = ureq::get(&url)
            .set("Authorization", &format!("{scheme} {app}"))
            .call();
        assert!(r.is_ok(), "{scheme}: {r:?}");
    }

    // A revoked token: refused within the cache's second, then for good,
    // with the same words as an unknown one (no id, no date).
    let victim = token(&f, "app:bank", "ningbo/port");
    assert_eq!(get(&s2, "/v1/pins", Some(&victim)).0, 200);
    let listed = ok(cli(&f, &["token", "list", "--json"]));
    let id = serde_json::from_str::<Value>(&listed)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .rev()
        .find(|t| t["revoked_at"].is_null() && t["role"] == "app:bank")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    ok(cli(&f, &["token", "revoke", &id]));
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    let refused = loop {
        let (status, body) = get(&s2, "/v1/pins", Some(&victim));
        if status == 401 {
            break body;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still accepted 5 s after revocation"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    for _ in 0..5 {
        // 401, or 429 once this client has failed too often: never 200.
        assert_ne!(get(&s2, "/v1/pins", Some(&victim)).0, 200);
    }
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        !message.contains(&id) && !message.contains("20"),
        "{message}"
    );
    let s3 = Server::start(&f);
    let (status, revoked) = get(&s3, "/v1/pins", Some(&victim));
    let (_, unknown) = get(&s3, "/v1/pins", Some("sht_nothing"));
    assert_eq!(status, 401);
    assert_eq!(revoked, unknown, "a revoked token is an unknown one");

    // The CLI never prints a token it refuses; a token file works.
    let secret = format!("{}\rtail", &app[..20]);
    let out = cli(
        &f,
        &["--server", &s3.url, "--token", &secret, "plugin", "list"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains(&app[..20]), "{err}");
    let file = f.data_dir.join("token.txt");
    std::fs::write(&file, format!("{app}\n")).unwrap();
    let out = cli(
        &f,
        &[
            "--server",
            &s3.url,
            "--token-file",
            file.to_str().unwrap(),
            "plugin",
            "list",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Finding 11: points the wire format cannot carry exactly are refused,
/// in an import and in a request, and nothing is stored.
#[test]
fn points_with_more_than_two_decimals_are_refused_not_rounded() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "attack-points"));
    pin(
        &f,
        "ningbo-port-v1",
        "ningbo/port@1.0.0",
        "publisher:ningbo",
    );
    let province = token(&f, "province", "");
    let app = token(&f, "app:bank", "ningbo/port");
    let s = Server::start(&f);
    let before = records(&f);
    let report = import(
        &s,
        &province,
        "bases",
        &[
            json!({"subject_id": "91330200MA2AAAAA1X", "kind": "enterprise", "score": 999.999, "grade": "A", "source": "p"}),
            json!({"subject_id": "91330200MA2AAAAA2X", "kind": "enterprise", "score": 4.9e-324, "grade": "A", "source": "p"}),
        ],
    );
    assert_eq!(report["accepted"], 0, "{report}");
    assert!(
        report["rejected"]
            .to_string()
            .contains("more than two decimals")
    );
    for bad in [999.999, 4.9e-324] {
        let mut r = serde_json::to_value(scorehost_tests::example("ningbo-port-v1")).unwrap();
        r["base"]["score"] = json!(bad);
        let (status, body) = post_json(&s, "/v1/scores", Some(&app), &r);
        assert_eq!(status, 400, "{bad}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("more than two decimals"),
            "{body}"
        );
    }
    // The import's own record, and the two refused requests' (a failed
    // request is on the record too); no base was stored.
    assert_eq!(records(&f), before + 3);
    let (status, body) = post_json(
        &s,
        "/v1/scores",
        Some(&app),
        &json!({"model": "ningbo/port", "subject": {"id": "91330200MA2AAAAA1X"}}),
    );
    assert_eq!(status, 403, "not stored: {body}");
}

/// Finding 5: the data dir and everything in it are owner-only.
#[cfg(unix)]
#[test]
fn the_data_dir_and_everything_in_it_are_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "attack-modes"));
    pin(
        &f,
        "ningbo-port-v1",
        "ningbo/port@1.0.0",
        "publisher:ningbo",
    );
    let app = token(&f, "app:bank", "ningbo/port");
    let s = Server::start(&f);
    let request = serde_json::to_value(scorehost_tests::example("ningbo-port-v1")).unwrap();
    assert_eq!(post_json(&s, "/v1/scores", Some(&app), &request).0, 200);
    let mut seen = 0;
    let mut stack = vec![f.data_dir.clone()];
    while let Some(p) = stack.pop() {
        let meta = std::fs::symlink_metadata(&p).unwrap();
        let mode = meta.permissions().mode() & 0o777;
        assert_eq!(mode & 0o077, 0, "{} is mode {mode:o}", p.display());
        seen += 1;
        if meta.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        }
    }
    assert!(
        seen >= 5,
        "the data dir holds the database, modules, the key"
    );
}

/// Finding 4: a candidate that writes subject ids into its failures and
/// its contribution names cannot hand them to its publisher, neither by
/// replay nor through shadow mode; the province sees them.
async fn a_publishers_report_carries_no_subject(f: Fixture) {
    let publisher = token(&f, "publisher:test", "");
    let province = token(&f, "province", "");
    let app = token(&f, "app:bank", "test/impact");
    pin(&f, "guest-impact-v1", "test/impact@1.0.0", "publisher:test");
    let leaky = component("guest-impact-leaky");
    let sha = sha256_file(&leaky);
    ok(cli(
        &f,
        &[
            "plugin",
            "publish",
            leaky.to_str().unwrap(),
            "--as",
            "publisher:test",
        ],
    ));
    let s = Server::start(&f);
    let request = |id: &str, n: f64| {
        json!({"model": "test/impact", "subject": {"id": id, "kind": "enterprise"},
               "as_of": "2026-11-01", "base": {"score": 700, "grade": "B"},
               "indicators": [{"name": "n", "value": n}]})
    };
    let ids: Vec<String> = (0..12).map(|i| format!("LEAK-{i:02}")).collect();
    for (i, id) in ids.iter().enumerate() {
        let n = if i % 3 == 0 { -1.0 } else { 1.0 };
        let (status, body) = post_json(&s, "/v1/scores", Some(&app), &request(id, n));
        assert_eq!(status, 200, "{body}");
    }
    let path = "/v1/plugins/test/impact/versions/3.0.0/impact";
    let leaks = |report: &Value, ids: &[String]| {
        let text = report.to_string().to_lowercase();
        ids.iter()
            .filter(|id| text.contains(&id.to_lowercase()))
            .count()
    };
    let (status, theirs) = post_json(&s, path, Some(&publisher), &json!({"top": 20}));
    assert_eq!(status, 200, "{theirs}");
    assert!(
        theirs["new_failures"]["count"].as_u64().unwrap() > 0,
        "{theirs}"
    );
    assert_eq!(leaks(&theirs, &ids), 0, "{theirs}");
    let (status, province_view) = post_json(&s, path, Some(&province), &json!({"top": 20}));
    assert_eq!(status, 200);
    assert!(
        leaks(&province_view, &ids) > 0,
        "the control: {province_view}"
    );

    // Through shadow mode, on live inline requests never stored.
    let (status, body) = put(
        &s,
        "/v1/shadows/test/impact",
        &province,
        &json!({"version": "3.0.0", "sha256": sha}),
    );
    assert_eq!(status, 200, "{body}");
    let live: Vec<String> = (0..6).map(|i| format!("LIVE-{i:02}")).collect();
    for (i, id) in live.iter().enumerate() {
        let n = if i % 2 == 0 { -1.0 } else { 1.0 };
        assert_eq!(
            post_json(&s, "/v1/scores", Some(&app), &request(id, n)).0,
            200
        );
    }
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    let shadow = json!({"source": "shadow", "top": 20});
    loop {
        let (_, r) = post_json(&s, path, Some(&province), &shadow);
        if r["subjects"].as_u64() == Some(live.len() as u64) {
            assert!(leaks(&r, &live) > 0, "the control: {r}");
            break;
        }
        assert!(std::time::Instant::now() < deadline, "{r}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (status, theirs) = post_json(&s, path, Some(&publisher), &shadow);
    assert_eq!(status, 200, "{theirs}");
    assert_eq!(leaks(&theirs, &live), 0, "{theirs}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_publishers_impact_report_carries_no_subject_the_candidate_smuggles() {
    for backend in backends() {
        a_publishers_report_carries_no_subject(fixture(backend, "attack-impact").await).await;
    }
}
