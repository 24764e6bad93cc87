//! People's rights over their records (issue 24), end to end with the real
//! binary, over HTTP and the CLI, on SQLite and PostgreSQL:
//!
//! - a person (a `subject:` token) sees exactly their own evaluations and
//!   every read of their records, and nobody else's; each read is recorded;
//! - leaves name nobody (record format 3): the person, the white box and
//!   the decision are kept beside the log under a salted commitment;
//! - retention erases them: afterwards no stored byte pairs the person's id
//!   with their white box or input, while `audit verify` and every saved
//!   proof still pass;
//! - a data dir made by the code before this change (record format 2)
//!   migrates, verifies, and forgets its records too.

use scorehost_tests::http::{Server, get, post_json};
use scorehost_tests::{
    Backend, Fixture, backends, cli, example, fixture, ok, pin_cli, root, token, token_with,
};
use serde_json::{Value, json};

const A: &str = "91330200MA2AAAAA1X";
const B: &str = "91330200MA2BBBBB2Y";

fn request_of(subject: &str) -> Value {
    let mut r = serde_json::to_value(example("ningbo-port-v1")).unwrap();
    r["subject"]["id"] = json!(subject);
    r["model"] = json!("ningbo/port");
    r
}

fn fails(out: std::process::Output) -> String {
    assert!(
        !out.status.success(),
        "expected a failure: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn json_of(out: std::process::Output) -> Value {
    serde_json::from_str(&ok(out)).unwrap()
}

/// Every table's rows that mention `needle`, as `table: row` lines: on
/// SQLite, every byte of the database file and its WAL is searched too (an
/// erased value left in free space or an old WAL frame counts).
async fn where_stored(f: &Fixture, needle: &str) -> Vec<String> {
    use sqlx::{Connection as _, Row as _};
    let mut found = Vec::new();
    match f.backend {
        Backend::Sqlite => {
            for file in ["registry.db", "registry.db-wal"] {
                if let Ok(bytes) = std::fs::read(f.data_dir.join(file))
                    && bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
                {
                    found.push(format!("{file}: the bytes hold it"));
                }
            }
        }
        Backend::Postgres => {
            let mut conn = sqlx::PgConnection::connect(f.db.as_deref().unwrap())
                .await
                .unwrap();
            let tables: Vec<String> = sqlx::query(
                "SELECT table_name::text AS t FROM information_schema.tables WHERE table_schema = 'public'",
            )
            .fetch_all(&mut conn)
            .await
            .unwrap()
            .iter()
            .map(|r| r.get("t"))
            .collect();
            for t in tables {
                let n: i64 = sqlx::query(&format!(
                    "SELECT COUNT(*) AS n FROM \"{t}\" x WHERE x::text LIKE '%' || $1 || '%'"
                ))
                .bind(needle)
                .fetch_one(&mut conn)
                .await
                .unwrap()
                .get("n");
                if n > 0 {
                    found.push(format!("{t}: {n} row(s)"));
                }
            }
        }
    }
    found
}

/// The log's tables (leaves, inputs, personal parts, the search index)
/// whose rows mention `needle`.
async fn in_the_log(f: &Fixture, needle: &str) -> Vec<String> {
    use sqlx::Row as _;
    let mut conn = scorehost_tests::connect(f).await;
    let mut found = Vec::new();
    for (table, columns) in [
        ("audit_log", "record"),
        ("audit_inputs", "COALESCE(input, '')"),
        (
            "audit_personal",
            "COALESCE(subject, '') || COALESCE(personal, '')",
        ),
        ("audit_search", "subject"),
    ] {
        let n: i64 = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM {table} WHERE {columns} LIKE '%' || $1 || '%'"
        ))
        .bind(needle)
        .fetch_one(&mut conn)
        .await
        .unwrap()
        .get("n");
        if n > 0 {
            found.push(format!("{table}: {n}"));
        }
    }
    found
}

/// The search index reaches the records `ids` (the service indexes each
/// second): what a listing by subject and an erasure read. Asked of a
/// subject nobody is, so that the asking reads nobody's records.
fn wait_indexed(s: &Server, token: &str, ids: &[&str]) {
    let last = ids
        .iter()
        .filter_map(|id| id.split('-').next()?.parse::<u64>().ok())
        .max()
        .unwrap();
    for _ in 0..40 {
        let (status, body) = get(s, "/v1/evaluations?subject=nobody&limit=1", Some(token));
        assert_eq!(status, 200, "{body}");
        if body["indexed"].as_u64() > Some(last) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    panic!("the search index did not catch up");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_sees_exactly_their_own_evaluations_and_who_read_them() {
    for backend in backends() {
        let f = fixture(backend, "rights-access").await;
        pin_cli(
            &f,
            "ningbo-port-v1",
            "ningbo/port@1.0.0",
            "publisher:ningbo",
        );
        let app = token(&f, "app:bank", "ningbo/port");
        let auditor = token(&f, "auditor", "");
        let province = token(&f, "province", "");
        let mine = token_with(&f, &["--role", &format!("subject:{A}")]);
        let theirs = token_with(&f, &["--role", &format!("subject:{B}")]);
        // Only the province issues them.
        let refused = fails(cli(
            &f,
            &[
                "token",
                "create",
                "--role",
                &format!("subject:{A}"),
                "--as",
                "auditor",
            ],
        ));
        assert!(refused.contains("province"), "{refused}");
        let s = Server::start(&f);

        let (mut a_ids, mut b_id) = (Vec::new(), String::new());
        for subject in [A, A, B] {
            let (status, answer) = post_json(&s, "/v1/scores", Some(&app), &request_of(subject));
            assert_eq!(status, 200, "{answer}");
            let id = answer["evaluation_id"].as_str().unwrap().to_string();
            if subject == A {
                a_ids.push(id);
            } else {
                b_id = id;
            }
        }
        let all: Vec<&str> = a_ids.iter().chain([&b_id]).map(String::as_str).collect();
        wait_indexed(&s, &auditor, &all);

        // An auditor reads one of A's records: a read A will see.
        let (status, shown) = get(&s, &format!("/v1/evaluations/{}", a_ids[0]), Some(&auditor));
        assert_eq!(status, 200, "{shown}");
        assert_eq!(shown["record"]["subject"]["id"], A);
        assert_eq!(shown["record"]["format"], 3);
        // The leaf names nobody; its clear text sits beside it, and matches.
        let leaf = shown["entry"]["record"].as_str().unwrap();
        assert!(!leaf.contains(A) && !leaf.contains("grade"), "{leaf}");
        assert!(shown["personal"]["text"].as_str().unwrap().contains(A));

        // A lists their records: exactly their two evaluations, and the reads.
        let (status, listed) = get(&s, "/v1/me/records", Some(&mine));
        assert_eq!(status, 200, "{listed}");
        assert_eq!(listed["subject"], A);
        let mut ids: Vec<&str> = listed["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        ids.sort_unstable();
        let mut expected: Vec<&str> = a_ids.iter().map(String::as_str).collect();
        expected.sort_unstable();
        assert_eq!(ids, expected, "{listed}");
        for e in listed["evaluations"].as_array().unwrap() {
            assert_eq!(e["record"]["subject"]["id"], A);
            assert_eq!(e["record"]["caller"], "app:bank");
            assert_eq!(e["record"]["model"]["name"], "ningbo/port");
            assert!(
                e["record"]["outcome"]["contributions"].is_array(),
                "the white box: {e}"
            );
        }
        let reads = listed["reads"].to_string();
        assert!(
            reads.contains("\"reader\":\"auditor\"")
                && reads.contains(&format!("record {}", a_ids[0])),
            "the auditor's read: {reads}"
        );
        assert!(
            !reads.contains("\"reader\":\"subject\""),
            "this listing is recorded once it has answered: {reads}"
        );
        assert!(!listed.to_string().contains(B), "nothing of B: {listed}");

        // B's record is answered to A exactly as a record that does not
        // exist; A's search finds only A; the rest is refused.
        let (status, other) = get(&s, &format!("/v1/evaluations/{b_id}"), Some(&mine));
        let ghost = format!("{}-{}", 9999, "0".repeat(32));
        let (status_ghost, none) = get(&s, &format!("/v1/evaluations/{ghost}"), Some(&mine));
        assert_eq!((status, status_ghost), (404, 404), "{other} {none}");
        assert_eq!(other["error"]["code"], none["error"]["code"]);
        let (status, proof) = get(&s, &format!("/v1/evaluations/{b_id}/proof"), Some(&mine));
        assert_eq!(status, 404, "{proof}");
        let (status, searched) = get(&s, &format!("/v1/evaluations?subject={B}"), Some(&mine));
        assert_eq!(status, 200, "{searched}");
        let subjects: Vec<&str> = searched["evaluations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["subject"].as_str().unwrap())
            .collect();
        assert!(
            subjects.iter().all(|s| *s == A) && subjects.len() == 2,
            "{searched}"
        );
        for (path, what) in [
            (format!("/v1/subjects/{B}/records"), "another's records"),
            (format!("/v1/subjects/{A}/records"), "the auditors' view"),
            ("/v1/evaluations/stats".to_string(), "the log's numbers"),
        ] {
            let (status, body) = get(&s, &path, Some(&mine));
            assert_eq!(status, 403, "{what}: {body}");
        }
        let (status, body) = post_json(&s, "/v1/scores", Some(&mine), &request_of(A));
        assert_eq!(status, 403, "a person does not score: {body}");
        let (status, body) = post_json(
            &s,
            &format!("/v1/subjects/{A}/erase"),
            Some(&mine),
            &json!({"reason": "mine"}),
        );
        assert_eq!(
            status, 403,
            "a person does not erase through the API: {body}"
        );
        let (status, body) = post_json(
            &s,
            &format!("/v1/subjects/{A}/erase"),
            Some(&app),
            &json!({"reason": "x"}),
        );
        assert_eq!(status, 403, "{body}");
        // Other tokens are refused /v1/me/records; an app is refused a
        // person's page; a page is bounded.
        for t in [&app, &auditor] {
            assert_eq!(get(&s, "/v1/me/records", Some(t)).0, 403);
        }
        assert_eq!(
            get(&s, &format!("/v1/subjects/{A}/records"), Some(&app)).0,
            403
        );
        for limit in [0, 501] {
            let (status, body) = get(&s, &format!("/v1/me/records?limit={limit}"), Some(&mine));
            assert_eq!(status, 400, "{body}");
        }
        // Erasing is the province's: an auditor is refused, and the role is
        // checked before the body is read (a body that is not JSON at all
        // still gets 403), and nothing is erased.
        let (status, body) = post_json(
            &s,
            &format!("/v1/subjects/{A}/erase"),
            Some(&auditor),
            &json!({"reason": "x"}),
        );
        assert_eq!(status, 403, "{body}");
        let (status, body) = scorehost_tests::http::call(
            "POST",
            &format!("{}/v1/subjects/{A}/erase", s.url),
            Some(&app),
            Some("application/json"),
            Some(b"not json"),
        );
        assert_eq!(status, 403, "{body}");

        // The province's view of A is a read A sees next time, with who.
        let (status, viewed) = get(&s, &format!("/v1/subjects/{A}/records"), Some(&province));
        assert_eq!(status, 200, "{viewed}");
        assert_eq!(viewed["evaluations"].as_array().unwrap().len(), 2);
        let (_, again) = get(&s, "/v1/me/records", Some(&mine));
        let reads = again["reads"].to_string();
        assert!(
            reads.contains("\"reader\":\"province\"") && reads.contains("Test Operator"),
            "{reads}"
        );
        assert!(
            reads.contains("\"reader\":\"subject\"") && reads.contains("the list of their records"),
            "their own first listing is a read too: {reads}"
        );
        // A read repeated within minutes is on the record once: a token
        // cannot grow the log at the rate it sends requests.
        let before = log_size(&s, &auditor);
        for _ in 0..20 {
            assert_eq!(get(&s, "/v1/me/records", Some(&mine)).0, 200);
            assert_eq!(
                get(&s, &format!("/v1/evaluations/{}", a_ids[1]), Some(&auditor)).0,
                200
            );
        }
        assert_eq!(
            log_size(&s, &auditor),
            before,
            "no new record for repeated reads"
        );
        // B sees only B, and not A's readers.
        let (_, b_listed) = get(&s, "/v1/me/records", Some(&theirs));
        assert_eq!(b_listed["evaluations"].as_array().unwrap().len(), 1);
        assert!(!b_listed.to_string().contains(A), "{b_listed}");
        assert!(
            !b_listed["reads"]
                .to_string()
                .contains("\"reader\":\"auditor\"")
        );

        // No leaf names either person: not their evaluations, not the
        // reads of their records, not their tokens.
        drop(s);
        let log = ok(cli(&f, &["audit", "verify", "--json"]));
        assert!(log.contains("\"tombstones\": 0"), "{log}");
        let leaves = leaves(&f).await;
        for id in [A, B] {
            assert!(!leaves.contains(id), "a leaf names {id}");
        }
    }
}

/// How many records the log holds, as `GET /v1/audit/verify` counts them.
fn log_size(s: &Server, token: &str) -> u64 {
    let (status, v) = get(s, "/v1/audit/verify", Some(token));
    assert_eq!(status, 200, "{v}");
    v["records"].as_u64().unwrap()
}

/// Every leaf's text, concatenated.
async fn leaves(f: &Fixture) -> String {
    use sqlx::Row as _;
    let mut conn = scorehost_tests::connect(f).await;
    sqlx::query("SELECT record FROM audit_log ORDER BY seq")
        .fetch_all(&mut conn)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("record"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// RFC 3339, `months` months after now.
fn months_ahead(months: i64) -> String {
    (time::OffsetDateTime::now_utc() + time::Duration::days(31 * months))
        .replace_nanosecond(0)
        .unwrap()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_forgets_people_and_every_log_check_still_passes() {
    let person = "330106199001011234";
    for backend in backends() {
        let f = fixture(backend, "rights-retention").await;
        pin_cli(
            &f,
            "ningbo-port-v1",
            "ningbo/port@1.0.0",
            "publisher:ningbo",
        );
        pin_cli(
            &f,
            "hangzhou-qianjiang-v2",
            "hangzhou/qianjiang@2.0.0",
            "publisher:hangzhou",
        );
        let score = |path: &str| -> String {
            json_of(cli(&f, &["score", "--input", path, "--json"]))["evaluation_id"]
                .as_str()
                .unwrap()
                .to_string()
        };
        let qj = root().join("plugins/hangzhou-qianjiang-v2/samples/example.request.json");
        let np: Vec<String> = (0..3).map(|_| score(qj.to_str().unwrap())).collect();
        let enterprise = score(
            scorehost_tests::example_path("ningbo-port-v1")
                .to_str()
                .unwrap(),
        );
        // Saved before: a proof of the person's record, and the record with
        // its clear text (what a person or an auditor would keep).
        let proof = f.data_dir.join("proof.json").display().to_string();
        ok(cli(&f, &["audit", "proof", &np[0], "--out", &proof]));
        let record = f.data_dir.join("record.json");
        std::fs::write(&record, ok(cli(&f, &["audit", "show", &np[0], "--json"]))).unwrap();
        let record = record.display().to_string();
        let checked = ok(cli(
            &f,
            &["audit", "proof", "--check", &proof, "--record", &record],
        ));
        assert!(
            checked.contains("matches the leaf's commitment") && checked.contains(person),
            "the clear text is checked against the leaf: {checked}"
        );
        assert!(
            !where_stored(&f, person).await.is_empty(),
            "the person is stored before retention"
        );

        // Policies: the province, named; sane months; a known kind.
        for (args, needle) in [
            (vec!["natural-person", "0"], "1 to 1200 months"),
            (vec!["people", "25"], "not a subject kind"),
        ] {
            let mut all = vec!["audit", "retention", "set"];
            all.extend(args);
            assert!(fails(cli(&f, &all)).contains(needle));
        }
        let err = fails(cli(
            &f,
            &[
                "audit",
                "retention",
                "set",
                "natural-person",
                "25",
                "--as",
                "auditor",
            ],
        ));
        assert!(err.contains("only the province"), "{err}");
        ok(cli(
            &f,
            &["audit", "retention", "set", "natural-person", "25"],
        ));
        let listed = ok(cli(&f, &["audit", "retention", "list"]));
        assert!(
            listed.contains("natural-person") && listed.contains("25 months"),
            "{listed}"
        );

        // Now: nothing is 25 months old.
        let report = json_of(cli(&f, &["audit", "retention", "run", "--json"]));
        assert_eq!(report["kinds"][0]["records"], 0, "{report}");
        // 26 months on: the person's three records go; the enterprise's
        // (no policy for its kind) stay.
        let report = json_of(cli(
            &f,
            &[
                "audit",
                "retention",
                "run",
                "--as-of",
                &months_ahead(26),
                "--json",
            ],
        ));
        assert_eq!(report["kinds"][0]["records"], 3, "{report}");
        let erasure = report["kinds"][0]["erasures"][0]
            .as_str()
            .unwrap()
            .to_string();
        let stored = where_stored(&f, person).await;
        assert!(stored.is_empty(), "{backend:?}: still stored: {stored:?}");

        // The log, every checkpoint and the saved proof still verify; the
        // saved clear text still matches the leaf it was cut from.
        let verified = json_of(cli(&f, &["audit", "verify", "--json"]));
        assert_eq!(verified["tombstones"], 0);
        let checked = ok(cli(
            &f,
            &["audit", "proof", "--check", &proof, "--record", &record],
        ));
        assert!(checked.contains("the proof verifies"), "{checked}");
        assert!(
            checked.contains("matches the leaf's commitment"),
            "{checked}"
        );
        // What the log says now: the record names nobody, and says when
        // and by which erasure; the erasure names positions and why.
        let shown = ok(cli(&f, &["audit", "show", &np[0]]));
        assert!(
            shown.contains("personal part: erased on") && shown.contains(&erasure),
            "{shown}"
        );
        assert!(
            !shown.contains(person) && !shown.contains("blue"),
            "{shown}"
        );
        let e = json_of(cli(&f, &["audit", "show", &erasure, "--json"]));
        assert_eq!(e["record"]["action"], "erase");
        assert_eq!(e["record"]["records"].as_array().unwrap().len(), 3);
        assert!(
            e["record"]["reason"]
                .as_str()
                .unwrap()
                .contains("25 months")
        );
        assert!(!e["entry"]["record"].as_str().unwrap().contains(person));
        // Replay says why it cannot; the enterprise's record is whole.
        assert!(fails(cli(&f, &["audit", "replay", &np[1]])).contains("erased"));
        assert!(ok(cli(&f, &["audit", "show", &enterprise])).contains("91330200MA2AAAAA1X"));
        // Running again erases nothing more; erasing by hand says so.
        let again = json_of(cli(
            &f,
            &[
                "audit",
                "retention",
                "run",
                "--as-of",
                &months_ahead(26),
                "--json",
            ],
        ));
        assert_eq!(again["kinds"][0]["records"], 0);
        let err = fails(cli(&f, &["audit", "erase", &np[2], "--reason", "again"]));
        assert!(err.contains("nothing personal left to erase"), "{err}");
        // A person erased at their request, by subject.
        let out = ok(cli(
            &f,
            &[
                "audit",
                "erase",
                "--subject",
                "91330200MA2AAAAA1X",
                "--reason",
                "art. 47 request 7",
            ],
        ));
        assert!(out.contains("erased 1 record"), "{out}");
        assert!(where_stored(&f, "91330200MA2AAAAA1X").await.is_empty());
        ok(cli(&f, &["audit", "verify"]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_applies_retention_and_the_province_erases_a_person_over_http() {
    let f = fixture(Backend::Sqlite, "rights-serve").await;
    pin_cli(
        &f,
        "ningbo-port-v1",
        "ningbo/port@1.0.0",
        "publisher:ningbo",
    );
    let app = token(&f, "app:bank", "ningbo/port");
    let province = token(&f, "province", "");
    let reviewer =
        scorehost_tests::token_with(&f, &["--role", "province", "--person", "Second Reviewer"]);
    let own = token_with(&f, &["--role", &format!("subject:{A}")]);
    // A person's token names them by their id alone: a name would stay in
    // the log after they are erased.
    let named = fails(cli(
        &f,
        &[
            "token",
            "create",
            "--role",
            &format!("subject:{A}"),
            "--person",
            "Li Ming",
        ],
    ));
    assert!(named.contains("no --person"), "{named}");
    let s = Server::start(&f);
    assert_eq!(get(&s, "/v1/me", Some(&own)).0, 200);
    let mut ids = Vec::new();
    for subject in [A, B] {
        let (status, answer) = post_json(&s, "/v1/scores", Some(&app), &request_of(subject));
        assert_eq!(status, 200, "{answer}");
        ids.push(answer["evaluation_id"].as_str().unwrap().to_string());
    }
    let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
    wait_indexed(&s, &province, &ids);
    // A bad body changes nothing; the reason is required.
    let (status, body) = post_json(
        &s,
        &format!("/v1/subjects/{A}/erase"),
        Some(&province),
        &json!({"reason": ""}),
    );
    assert_eq!(status, 400, "{body}");
    // The reason stays in the log for ever: it may not name the person.
    let (status, body) = post_json(
        &s,
        &format!("/v1/subjects/{A}/erase"),
        Some(&province),
        &json!({"reason": format!("request of {A}")}),
    );
    assert_eq!(status, 400, "{body}");
    let (status, done) = post_json(
        &s,
        &format!("/v1/subjects/{A}/erase"),
        Some(&reviewer),
        &json!({"reason": "PIPL art. 47 request 2029-017"}),
    );
    assert_eq!(status, 200, "{done}");
    // Their evaluation and their token's record.
    assert_eq!(done["records"], 2, "{done}");
    // Their token went with them (the service's token cache holds a token
    // for at most a few seconds).
    let mut refused = false;
    for _ in 0..40 {
        if get(&s, "/v1/me", Some(&own)).0 == 401 {
            refused = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    assert!(refused, "the erased person's token no longer works");
    let (_, listed) = get(&s, &format!("/v1/subjects/{A}/records"), Some(&province));
    assert_eq!(
        listed["evaluations"].as_array().unwrap().len(),
        0,
        "{listed}"
    );
    let (_, found) = get(&s, &format!("/v1/evaluations?subject={A}"), Some(&province));
    assert_eq!(found["evaluations"].as_array().unwrap().len(), 0, "{found}");
    drop(s);
    // A policy that makes B's record due at once (a month back from a
    // record written now is not due; one written "last year" is).
    ok(cli(&f, &["audit", "retention", "set", "enterprise", "1"]));
    scorehost_tests::run_sql(
        &f,
        "UPDATE audit_personal SET at = '2020-01-01T00:00:00Z' WHERE erased_at IS NULL AND kind = 'evaluation'",
    )
    .await;
    let s = Server::start(&f);
    // serve applies it at its start, then every hour.
    let mut gone = false;
    for _ in 0..40 {
        let (_, found) = get(&s, &format!("/v1/evaluations?subject={B}"), Some(&province));
        if found["evaluations"].as_array().unwrap().is_empty() {
            gone = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    assert!(gone, "serve erased B's record");
    drop(s);
    ok(cli(&f, &["audit", "verify"]));
    let log = leaves(&f).await;
    assert!(
        log.contains("\"action\":\"erase\"") && log.contains("retention policy"),
        "{log}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_data_dir_of_record_format_2_migrates_verifies_and_forgets() {
    let made = root().join("tests/fixtures/format2-datadir");
    let f = fixture(Backend::Sqlite, "rights-format2").await;
    std::fs::create_dir_all(&f.data_dir).unwrap();
    for entry in walk(&made) {
        let to = f.data_dir.join(entry.strip_prefix(&made).unwrap());
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&entry, &to).unwrap();
    }
    let ids: Vec<String> = std::fs::read_to_string(made.join("ids"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let key = std::fs::read_to_string(made.join("log.pub.hex")).unwrap();
    // Today's code opens it (migrating it) and it verifies as it was.
    let verified = json_of(cli(&f, &["audit", "verify", "--json"]));
    assert_eq!(verified["records"], 15, "{verified}");
    assert_eq!(verified["tombstones"], 0);
    // Its records hold their person in the leaf, as format 2 did.
    let old = json_of(cli(&f, &["audit", "show", &ids[1], "--json"]));
    assert_eq!(old["record"]["format"], 2);
    let person = old["record"]["subject"]["id"].as_str().unwrap().to_string();
    assert!(old["entry"]["record"].as_str().unwrap().contains(&person));
    let enterprise = json_of(cli(&f, &["audit", "show", &ids[0], "--json"]));
    let company = enterprise["record"]["subject"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(enterprise["record"]["subject"]["kind"], "enterprise");

    // Erased by subject (their two evaluations and their consent's
    // record): each leaf text is replaced by a tombstone; the stored leaf hash keeps the tree, the checkpoints
    // and the saved proof.
    let out = ok(cli(
        &f,
        &[
            "audit",
            "erase",
            "--subject",
            &person,
            "--reason",
            "art. 47 request",
        ],
    ));
    assert!(out.contains("erased 3 record"), "{out}");
    let verified = json_of(cli(&f, &["audit", "verify", "--json"]));
    assert_eq!(verified["tombstones"], 3, "{verified}");
    assert_eq!(verified["records"], 16, "the erasure is a record");
    let proof = made.join("proof.json").display().to_string();
    let record = made.join("record.json").display().to_string();
    let checked = ok(cli(
        &f,
        &[
            "audit",
            "proof",
            "--check",
            &proof,
            "--record",
            &record,
            "--public-key",
            key.trim(),
        ],
    ));
    assert!(checked.contains("the proof verifies"), "{checked}");
    let shown = ok(cli(&f, &["audit", "show", &ids[1]]));
    assert!(shown.contains("personal part: erased on"), "{shown}");
    // Nothing of theirs is left in the log and beside it; their consent
    // itself (the `consents` table) is the province's live register, which
    // erasing their records does not touch (SECURITY.md §4b).
    assert_eq!(in_the_log(&f, &person).await, Vec::<String>::new());
    assert!(
        !where_stored(&f, &person).await.is_empty(),
        "the register keeps the consent"
    );
    // The enterprise is kept (no policy, not erased) ...
    assert!(ok(cli(&f, &["audit", "show", &ids[0]])).contains(&company));

    // ... until a retention policy for enterprises takes it.
    ok(cli(&f, &["audit", "retention", "set", "enterprise", "1"]));
    let report = json_of(cli(
        &f,
        &[
            "audit",
            "retention",
            "run",
            "--as-of",
            &months_ahead(2),
            "--json",
        ],
    ));
    assert_eq!(report["kinds"][0]["records"], 2, "{report}");
    assert!(where_stored(&f, &company).await.is_empty());
    let verified = json_of(cli(&f, &["audit", "verify", "--json"]));
    assert_eq!(verified["tombstones"], 5, "{verified}");

    // A tombstone no erasure names is caught: an insider "erasing" a
    // record to hide it.
    scorehost_tests::run_sql(
        &f,
        "UPDATE audit_log SET record = '{\"seq\":10,\"kind\":\"evaluation\",\"at\":\"x\",\"erased_by\":\"14-00\"}' WHERE seq = 10",
    )
    .await;
    let err = fails(cli(&f, &["audit", "verify"]));
    assert!(
        err.contains("no erasure record in the log names record 10"),
        "{err}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
