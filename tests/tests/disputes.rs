//! Disputes and credit repair, end to end: the real `scorehost serve` with
//! the real ningbo-port component and a real database (SQLite, and
//! PostgreSQL when `SCOREHOST_TEST_POSTGRES_URL` is set).
//!
//! A dispute's full life — filed by an app for the subject, the record
//! withheld (an evaluation during suspension says so in its reasons and its
//! audit record), checked, answered by the furnishing source with a
//! corrected value, an evaluation after the correction — and a rejected
//! dispute of a required indicator, credit repair, the overdue list, the
//! import guard, who may do what, and every step in the verifiable log.

use scorehost_tests::http::{Server, get, post_json, post_to};
use scorehost_tests::{
    Fixture, approve_cli, backends, cli, component, fixture, ok, sha256_file, token,
};
use serde_json::{Value, json};

const FIRM: &str = "91330200MA2AAAAA1X";
const OTHER: &str = "91330200MA2BBBBB2Y";

fn indicator_lines(subject: &str, overdue_debts: bool) -> String {
    scorehost_tests::ningbo_records(subject, overdue_debts)
}

/// The value of indicator `name` in a shown record's input, if present.
fn input_value(shown: &Value, name: &str) -> Option<Value> {
    shown["input"]["indicators"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == name)
        .map(|i| i["value"].clone())
}

fn today_days() -> i64 {
    (std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400) as i64
}

fn score(s: &Server, token: &str, subject: &str) -> (u16, Value) {
    post_json(
        s,
        "/v1/scores",
        Some(token),
        &json!({ "model": "ningbo/port", "subject": { "id": subject } }),
    )
}

fn dispute_count(s: &Server, province: &str) -> usize {
    let (status, all) = get(s, "/v1/disputes", Some(province));
    assert_eq!(status, 200, "{all}");
    all.as_array().unwrap().len()
}

/// The log's registry records with this `action`.
async fn actions(f: &Fixture, action: &str) -> Vec<Value> {
    scorehost_tests::opened_records(f)
        .await
        .into_iter()
        .filter(|r| r["action"] == action)
        .collect()
}

async fn a_dispute_lives_its_whole_life(f: Fixture) {
    // The model, pinned; the data: two firms, each with an overdue debt
    // on record (the example's other indicators as they are).
    let module = component("ningbo-port-v1");
    let file = module.to_str().unwrap();
    let sha = sha256_file(&module);
    ok(cli(
        &f,
        &["plugin", "publish", file, "--as", "publisher:ningbo"],
    ));
    approve_cli(&f, "ningbo/port@1.0.0", &sha);
    ok(cli(
        &f,
        &["plugin", "pin", "ningbo/port@1.0.0", "--sha256", &sha],
    ));
    let province = token(&f, "province", "");
    let ningbo = token(&f, "publisher:ningbo", "");
    let yiwu = token(&f, "publisher:yiwu", "");
    let bank = token(&f, "app:bank", "ningbo/port");
    let auditor = token(&f, "auditor", "");
    let s = Server::start(&f);
    let bases = format!(
        "{}\n{}\n",
        json!({"subject_id": FIRM, "kind": "enterprise", "score": 812.5, "grade": "B", "lists": ["red:customs-advanced-certified"], "source": "province"}),
        json!({"subject_id": OTHER, "kind": "enterprise", "score": 812.5, "grade": "B", "source": "province"}),
    );
    let (status, report) = post_to(
        &s,
        "/v1/data/bases",
        Some(&province),
        "application/x-ndjson",
        bases.as_bytes(),
    );
    assert_eq!(
        (status, report["accepted"].as_u64()),
        (200, Some(2)),
        "{report}"
    );
    let lines = format!(
        "{}{}",
        indicator_lines(FIRM, true),
        indicator_lines(OTHER, true)
    );
    let (status, report) = post_to(
        &s,
        "/v1/data/indicators",
        Some(&ningbo),
        "application/x-ndjson",
        lines.as_bytes(),
    );
    assert_eq!(
        (status, report["accepted"].as_u64()),
        (200, Some(20)),
        "{report}"
    );

    // Before: the overdue debt costs its 50 points (811.75 - 50).
    let (status, before) = score(&s, &bank, FIRM);
    assert_eq!(status, 200, "{before}");
    assert_eq!(before["score"], 761.75);
    assert!(before.get("withheld").is_none(), "{before}");

    // Bad filings: each a specific error, nothing stored.
    let file_body = |indicator: &str, observed_on: Option<&str>, reason: &str| json!({"subject_id": FIRM, "indicator": indicator, "observed_on": observed_on, "reason": reason});
    // Without the subject's consent, a record that exists and one that does
    // not get the same answer: an app learns nothing of what is stored.
    for (body, status, code) in [
        (
            file_body("no_such_indicator", None, "wrong"),
            403,
            "consent_required",
        ),
        (
            file_body("overdue_debts", Some("2026-01-01"), "wrong"),
            403,
            "consent_required",
        ),
        (file_body("overdue_debts", None, "  "), 400, "bad_request"),
        (
            file_body("overdue_debts", Some("2026-02-30"), "wrong"),
            400,
            "bad_request",
        ),
        (
            json!({"subject_id": FIRM, "indicator": "overdue_debts"}),
            400,
            "bad_request",
        ),
    ] {
        let (got, answer) = post_json(&s, "/v1/disputes", Some(&bank), &body);
        assert_eq!(
            (got, answer["error"]["code"].as_str()),
            (status, Some(code)),
            "{body} → {answer}"
        );
    }
    for denied in [&ningbo, &auditor] {
        let body = file_body("overdue_debts", None, "never borrowed");
        assert_eq!(post_json(&s, "/v1/disputes", Some(denied), &body).0, 403);
    }
    // An app acts for the subject only with its consent: otherwise any app
    // could suspend anyone's negative records.
    let body = file_body("overdue_debts", None, "never borrowed");
    let (status, answer) = post_json(&s, "/v1/disputes", Some(&bank), &body);
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (403, Some("consent_required")),
        "{answer}"
    );
    assert_eq!(dispute_count(&s, &province), 0);
    let (status, answer) = post_json(
        &s,
        "/v1/consents",
        Some(&province),
        &json!({"subject_id": FIRM, "app": "bank", "model": "ningbo/port", "expires": "2099-12-31"}),
    );
    assert_eq!(status, 201, "{answer}");
    // With it, a record that does not exist is a 404.
    for body in [
        file_body("no_such_indicator", None, "wrong"),
        file_body("overdue_debts", Some("2026-01-01"), "wrong"),
    ] {
        let (got, answer) = post_json(&s, "/v1/disputes", Some(&bank), &body);
        assert_eq!(
            (got, answer["error"]["code"].as_str()),
            (404, Some("not_found")),
            "{body} → {answer}"
        );
    }

    // 1. Filed by the bank on the firm's behalf: open, with its deadlines.
    let (status, d1) = post_json(
        &s,
        "/v1/disputes",
        Some(&bank),
        &file_body(
            "overdue_debts",
            None,
            "the loan was repaid in full in 2025; no debt is overdue",
        ),
    );
    assert_eq!(status, 201, "{d1}");
    let id = d1["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("dsp_"), "{d1}");
    assert_eq!(d1["state"], "open");
    assert_eq!(d1["filed_by"], "app:bank");
    assert_eq!(d1["disputed_value"], true);
    assert_eq!(d1["source"], "pboc-credit-reference");
    let today = scorehost_tests::date_from_days(today_days());
    assert_eq!(
        d1["close_due"],
        scorehost_tests::date_from_days(today_days() + 20)
    );
    let check_due = d1["check_due"].as_str().unwrap();
    assert!(
        check_due > today.as_str()
            && check_due <= scorehost_tests::date_from_days(today_days() + 4).as_str(),
        "two working days from {today}: {check_due}"
    );
    // The same record again: 409 while the first is open.
    let again = file_body("overdue_debts", None, "again");
    assert_eq!(
        post_json(&s, "/v1/disputes", Some(&province), &again).0,
        409
    );

    // 2. Filed by an app, it suspends nothing until the province has
    // checked it: an app cannot switch a record off by filing alone.
    let (status, filed) = score(&s, &bank, FIRM);
    assert_eq!(status, 200, "{filed}");
    assert_eq!(filed["score"], 761.75, "{filed}");
    assert!(filed.get("withheld").is_none(), "{filed}");

    // 3. The source may not answer before the check; the check forwards it,
    // and from then on the record is withheld.
    let corrected = json!({"outcome": "corrected", "value": false, "note": "repaid 2025-06-30; our record was stale"});
    let answer_path = format!("/v1/disputes/{id}/answer");
    let (status, body) = post_json(&s, &answer_path, Some(&ningbo), &corrected);
    assert_eq!(status, 409, "{body}");
    let check_path = format!("/v1/disputes/{id}/check");
    assert_eq!(
        post_json(&s, &check_path, Some(&bank), &json!({"verdict": "forward"})).0,
        403
    );
    assert_eq!(
        post_json(
            &s,
            &check_path,
            Some(&province),
            &json!({"verdict": "maybe"})
        )
        .0,
        400
    );
    let (status, d1) = post_json(
        &s,
        &check_path,
        Some(&province),
        &json!({"verdict": "forward"}),
    );
    assert_eq!(status, 200, "{d1}");
    assert_eq!(d1["state"], "forwarded");
    assert!(d1["answer_due"].as_str().unwrap() > today.as_str());
    assert_eq!(
        post_json(
            &s,
            &check_path,
            Some(&province),
            &json!({"verdict": "forward"})
        )
        .0,
        409
    );
    // Suspended: the evaluation does not use the record, and says so.
    let (status, during) = score(&s, &bank, FIRM);
    assert_eq!(status, 200, "{during}");
    assert_eq!(
        during["score"], 811.75,
        "the disputed debt no longer counts"
    );
    assert_eq!(during["withheld"][0]["id"], id.as_str());
    assert_eq!(during["withheld"][0]["why"], "disputed");
    assert_eq!(during["withheld"][0]["filed_by"], "app:bank");
    assert_eq!(during["data_from"], "store");
    let last_reason = during["reasons"].as_array().unwrap().last().unwrap();
    assert!(
        last_reason.as_str().unwrap().contains(&format!(
            "the overdue_debts record was not used: it is suspended while dispute {id}"
        )),
        "{during}"
    );
    // Its audit record says so, its input lacks the record, and it
    // replays identically.
    let eval_id = during["evaluation_id"].as_str().unwrap();
    let during_id = eval_id.to_string();
    let (status, record) = get(&s, &format!("/v1/evaluations/{eval_id}"), Some(&auditor));
    assert_eq!(status, 200, "{record}");
    assert_eq!(
        record["record"]["withheld"][0]["id"],
        id.as_str(),
        "{record}"
    );
    assert_eq!(
        input_value(&record, "overdue_debts"),
        None,
        "the model saw no overdue_debts record: {record}"
    );
    assert_eq!(
        input_value(&record, "industry_honours").and_then(|v| v.as_f64()),
        Some(1.0),
        "{record}"
    );
    let (status, replay) = post_json(
        &s,
        &format!("/v1/evaluations/{eval_id}/replay"),
        Some(&auditor),
        &json!({}),
    );
    assert_eq!(status, 200, "{replay}");
    assert_eq!(replay["identical"], true, "{replay}");
    // An import may not overwrite the disputed record.
    let (status, report) = post_to(
        &s,
        "/v1/data/indicators",
        Some(&ningbo),
        "application/x-ndjson",
        indicator_lines(FIRM, false).as_bytes(),
    );
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["accepted"], 9, "{report}");
    assert!(
        report["rejected"][0]["reason"]
            .as_str()
            .unwrap()
            .contains(&id),
        "{report}"
    );

    // Only the host names withheld records: a caller cannot write a
    // suspension that never happened into its own audit record.
    let mut forged = serde_json::to_value(scorehost_tests::example("ningbo-port-v1")).unwrap();
    forged["withheld"] = json!([{"indicator": "customs_violations_3y", "why": "disputed", "id": "dsp_forged", "since": "2026-11-30T00:00:00Zé"}]);
    let (status, answer) = post_json(&s, "/v1/scores", Some(&bank), &forged);
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("withheld"),
        "{answer}"
    );
    let (status, answer) = post_to(
        &s,
        "/v1/batches?model=ningbo/port",
        Some(&bank),
        "application/x-ndjson",
        format!("{forged}\n").as_bytes(),
    );
    assert_eq!(status, 400, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("bad request: line 1: `withheld`")
            || answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("line 1: `withheld`"),
        "{answer}"
    );

    // Still withheld while the source checks.
    assert_eq!(score(&s, &bank, FIRM).1["score"], 811.75);

    // 4. Only the source that furnished it (or the province) answers.
    let (status, body) = post_json(&s, &answer_path, Some(&yiwu), &corrected);
    assert_eq!(status, 403, "{body}");
    let (status, body) = post_json(
        &s,
        &answer_path,
        Some(&ningbo),
        &json!({"outcome": "upheld", "value": 1}),
    );
    assert_eq!(status, 400, "{body}");
    let (status, d1) = post_json(&s, &answer_path, Some(&ningbo), &corrected);
    assert_eq!(status, 200, "{d1}");
    assert_eq!(
        (d1["state"].as_str(), d1["outcome"].as_str()),
        (Some("closed"), Some("corrected"))
    );
    assert_eq!(d1["new_value"], false);
    assert_eq!(
        d1["notes"].as_array().unwrap().len(),
        2,
        "filing and answer notes: {d1}"
    );

    // 5. After the correction: the record counts again, with its new value.
    let (status, after) = score(&s, &bank, FIRM);
    assert_eq!(status, 200, "{after}");
    assert_eq!(after["score"], 811.75);
    assert!(after.get("withheld").is_none(), "{after}");
    let (_, record) = get(
        &s,
        &format!(
            "/v1/evaluations/{}",
            after["evaluation_id"].as_str().unwrap()
        ),
        Some(&auditor),
    );
    assert_eq!(
        input_value(&record, "overdue_debts"),
        Some(json!(false)),
        "{record}"
    );

    // A dispute of a required indicator: the model refuses while it is
    // withheld, and the refusal names the dispute; rejected at the check,
    // the record counts again.
    let (status, d2) = post_json(
        &s,
        "/v1/disputes",
        Some(&province),
        &file_body(
            "customs_violations_3y",
            Some("2026-10-01"),
            "the violation was annulled on appeal",
        ),
    );
    assert_eq!(status, 201, "{d2}");
    let id2 = d2["id"].as_str().unwrap().to_string();
    let (status, refused) = score(&s, &bank, FIRM);
    assert_eq!(status, 422, "{refused}");
    let message = refused["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("customs_violations_3y") && message.contains(&id2),
        "{refused}"
    );
    let (_, record) = get(
        &s,
        &format!(
            "/v1/evaluations/{}",
            refused["error"]["evaluation_id"].as_str().unwrap()
        ),
        Some(&auditor),
    );
    assert_eq!(
        record["record"]["withheld"][0]["id"],
        id2.as_str(),
        "{record}"
    );
    let (status, body) = post_json(
        &s,
        &format!("/v1/disputes/{id2}/check"),
        Some(&province),
        &json!({"verdict": "reject"}),
    );
    assert_eq!(status, 400, "a rejection needs a note: {body}");
    let (status, d2) = post_json(
        &s,
        &format!("/v1/disputes/{id2}/check"),
        Some(&province),
        &json!({"verdict": "reject", "note": "customs confirms the decision was upheld on appeal"}),
    );
    assert_eq!(status, 200, "{d2}");
    assert_eq!(d2["outcome"], "rejected");
    assert_eq!(score(&s, &bank, FIRM).1["score"], 811.75);

    // Credit repair of the other firm's overdue debt.
    assert_eq!(score(&s, &bank, OTHER).1["score"], 761.75);
    let repair = json!({"subject_id": OTHER, "indicator": "overdue_debts", "reason": "debt settled 2026-10-01 under a court-approved plan"});
    assert_eq!(post_json(&s, "/v1/repairs", Some(&ningbo), &repair).0, 403);
    let (status, rep) = post_json(&s, "/v1/repairs", Some(&province), &repair);
    assert_eq!(status, 201, "{rep}");
    assert!(rep["id"].as_str().unwrap().starts_with("rep_"));
    assert_eq!(
        post_json(&s, "/v1/repairs", Some(&province), &repair).0,
        409
    );
    let (status, repaired) = score(&s, &bank, OTHER);
    assert_eq!(status, 200, "{repaired}");
    assert_eq!(repaired["score"], 811.75);
    assert_eq!(repaired["withheld"][0]["why"], "repaired");
    assert!(
        repaired["reasons"]
            .to_string()
            .contains("was marked repaired"),
        "{repaired}"
    );
    let (_, list) = get(
        &s,
        &format!("/v1/repairs?subject_id={OTHER}"),
        Some(&auditor),
    );
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");

    // The overdue list: an open dispute past its check and its 20 days.
    let (status, d3) = post_json(
        &s,
        "/v1/disputes",
        Some(&province),
        &json!({"subject_id": OTHER, "indicator": "industry_honours", "reason": "two honours, not one"}),
    );
    assert_eq!(status, 201, "{d3}");
    let id3 = d3["id"].as_str().unwrap();
    let (_, now) = get(
        &s,
        &format!("/v1/disputes/overdue?as_of={today}"),
        Some(&auditor),
    );
    assert_eq!(now, json!([]), "nothing is late today");
    let later = scorehost_tests::date_from_days(today_days() + 30);
    let (status, late) = get(
        &s,
        &format!("/v1/disputes/overdue?as_of={later}"),
        Some(&auditor),
    );
    assert_eq!(status, 200, "{late}");
    let late = late.as_array().unwrap();
    assert_eq!(late.len(), 1, "only the open one: {late:?}");
    assert_eq!(late[0]["id"], id3);
    assert_eq!(late[0]["missed"].as_array().unwrap().len(), 2, "{late:?}");
    assert_eq!(get(&s, "/v1/disputes/overdue", Some(&bank)).0, 403);
    assert_eq!(
        get(&s, "/v1/disputes/overdue?as_of=soon", Some(&auditor)).0,
        400
    );

    // Who sees what: the bank its own, the source those it must answer.
    let ids = |v: Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|d| d["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(get(&s, "/v1/disputes", Some(&bank)).1),
        vec![id.clone()]
    );
    assert_eq!(ids(get(&s, "/v1/disputes", Some(&ningbo)).1).len(), 3);
    assert_eq!(ids(get(&s, "/v1/disputes", Some(&yiwu)).1).len(), 0);
    assert_eq!(get(&s, &format!("/v1/disputes/{id2}"), Some(&bank)).0, 403);
    assert_eq!(get(&s, &format!("/v1/disputes/{id}"), Some(&bank)).0, 200);
    assert_eq!(
        ids(get(&s, "/v1/disputes?state=open", Some(&province)).1),
        vec![id3.to_string()]
    );
    assert_eq!(
        get(&s, "/v1/disputes?state=pending", Some(&province)).0,
        400
    );

    // The CLI through the service, and withdrawing the last one.
    let out = cli(
        &f,
        &[
            "--server",
            &s.url,
            "--token",
            &province,
            "dispute",
            "withdraw",
            id3,
            "--note",
            "resolved by phone",
            "--json",
        ],
    );
    let withdrawn: Value = serde_json::from_str(&ok(out)).unwrap();
    assert_eq!(withdrawn["outcome"], "withdrawn");
    let table = ok(cli(
        &f,
        &[
            "--server",
            &s.url,
            "--token",
            &auditor,
            "dispute",
            "list",
            "--subject",
            FIRM,
        ],
    ));
    assert!(
        table.contains(&format!("{id}  closed: corrected")),
        "{table}"
    );
    drop(s);

    // Every step is in the log, and the log verifies.
    assert_eq!(actions(&f, "dispute-file").await.len(), 3);
    assert_eq!(actions(&f, "dispute-check").await.len(), 2);
    let answers = actions(&f, "dispute-answer").await;
    assert_eq!(answers.len(), 1);
    assert_eq!(
        (
            answers[0]["actor"].as_str(),
            answers[0]["new_value"].as_bool()
        ),
        (Some("publisher:ningbo"), Some(false))
    );
    assert_eq!(actions(&f, "dispute-withdraw").await.len(), 1);
    assert_eq!(actions(&f, "credit-repair").await.len(), 1);
    let verify: Value = serde_json::from_str(&ok(cli(&f, &["audit", "verify", "--json"]))).unwrap();
    assert!(verify["records"].as_u64().unwrap() > 15, "{verify}");
    // A batch over the store withholds the same records, and says so.
    let results = f.data_dir.join("batch.ndjson");
    ok(cli(
        &f,
        &[
            "batch",
            "--model",
            "ningbo/port",
            "--from-store",
            "--output",
            results.to_str().unwrap(),
        ],
    ));
    let lines: Vec<Value> = std::fs::read_to_string(&results)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let other = lines.iter().find(|l| l["subject"] == OTHER).unwrap();
    assert_eq!(other["score"], 811.75, "{other}");
    assert!(
        other["reasons"].to_string().contains("was marked repaired"),
        "{other}"
    );
    let firm = lines.iter().find(|l| l["subject"] == FIRM).unwrap();
    assert!(
        !firm["reasons"].to_string().contains("was not used"),
        "{firm}"
    );
    // `audit show` names the withheld record in its table.
    let table = ok(cli(&f, &["audit", "show", &during_id]));
    assert!(
        table.contains(&format!(
            "withheld: the overdue_debts record was not used: it is suspended while dispute {id}"
        )),
        "{table}"
    );
    // The local CLI reads the same state.
    let shown: Value =
        serde_json::from_str(&ok(cli(&f, &["dispute", "show", &id, "--json"]))).unwrap();
    assert_eq!(shown["outcome"], "corrected");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dispute_lives_its_whole_life_and_every_step_is_logged() {
    for backend in backends() {
        let f = fixture(backend, "dispute-life").await;
        a_dispute_lives_its_whole_life(f).await;
    }
}

/// Eight filings of the same record at the same moment: one dispute is
/// opened, the seven others are told it exists (409), never a second open
/// dispute, never a storage error.
async fn simultaneous_filings_open_one_dispute(f: Fixture) {
    use scorehost_registry::data::Format;
    use scorehost_registry::{Actor, Error, Registry};
    let reg = std::sync::Arc::new(Registry::open(&f.data_dir, f.db.as_deref()).await.unwrap());
    let province = Actor::province();
    let base = json!({"subject_id": FIRM, "kind": "enterprise", "score": 700.0, "grade": "B", "source": "province"});
    reg.import_bases(&province, &format!("{base}\n"), Format::Ndjson)
        .await
        .unwrap();
    reg.import_indicators(&province, &indicator_lines(FIRM, true), Format::Ndjson)
        .await
        .unwrap();
    let filings: Vec<_> = (0..8)
        .map(|i| {
            let reg = reg.clone();
            tokio::spawn(async move {
                reg.file_dispute(
                    &Actor::province(),
                    &[],
                    FIRM,
                    "overdue_debts",
                    None,
                    &format!("filing {i}"),
                )
                .await
            })
        })
        .collect();
    let (mut opened, mut conflicts) = (0, 0);
    for f in filings {
        match f.await.unwrap() {
            Ok(_) => opened += 1,
            Err(Error::Conflict(_)) => conflicts += 1,
            Err(other) => panic!("a filing failed otherwise: {other}"),
        }
    }
    assert_eq!((opened, conflicts), (1, 7));
    let open = reg
        .disputes(&scorehost_registry::DisputeFilter::default())
        .await
        .unwrap();
    assert_eq!(open.len(), 1);

    // A repair covers the value it was marked on; a new value imported
    // under the same key later is a new fact, and counts.
    let repaired = |w: &[scorehost_registry::Withheld]| {
        w.iter()
            .filter(|w| w.why == "repaired")
            .map(|w| w.indicator.clone())
            .collect::<Vec<_>>()
    };
    reg.mark_repaired(&province, FIRM, "industry_honours", None, "honour restored")
        .await
        .unwrap();
    assert_eq!(
        repaired(&reg.withheld(FIRM).await.unwrap()),
        ["industry_honours"]
    );
    let again = json!({"subject_id": FIRM, "name": "industry_honours", "value": 2, "source": "ningbo-port-office"});
    reg.import_indicators(&province, &format!("{again}\n"), Format::Ndjson)
        .await
        .unwrap();
    assert!(repaired(&reg.withheld(FIRM).await.unwrap()).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn simultaneous_filings_of_one_record_open_one_dispute() {
    for backend in backends() {
        let f = fixture(backend, "dispute-race").await;
        simultaneous_filings_open_one_dispute(f).await;
    }
}
