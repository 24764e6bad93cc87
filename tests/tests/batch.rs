//! Batch scoring end to end, with the real binary: a run killed with
//! SIGKILL (twice) resumes exactly — every subject once in the output and
//! once in the log, the same results as an uninterrupted run; the summary
//! counts what the model says, for NDJSON and CSV alike; every result
//! points at its record in the log; and `gen` populations score.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use ningbo_port_v1::NingboPort;
use scorehost_engine::population::Population;
use scorehost_registry::Registry;
use scorehost_sdk::Model as _;
use scorehost_sdk::testing::sandbox::{from_host_request, load};
use scorehost_tests::{Backend, Fixture, cli, component, example, fixture, ok, root};
use serde_json::Value;

/// A fixture with `ningbo/port` published, approved and pinned.
async fn with_ningbo(name: &str) -> Fixture {
    let f = fixture(Backend::Sqlite, name).await;
    let rt =
        scorehost_runtime::sandbox::Runtime::new(scorehost_runtime::sandbox::Limits::default())
            .unwrap();
    let reg = Registry::open(&f.data_dir, None).await.unwrap();
    scorehost_tests::pin_as_province(&reg, &rt, "ningbo-port-v1").await;
    f
}

fn lines_of(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn count_lines(path: &Path) -> usize {
    std::fs::read(path)
        .map(|b| b.iter().filter(|c| **c == b'\n').count())
        .unwrap_or(0)
}

/// The evaluation records of batch `id` in the log, by item.
async fn logged_items(f: &Fixture, id: &str) -> BTreeMap<u64, Vec<String>> {
    let reg = Registry::open(&f.data_dir, None).await.unwrap();
    let mut items: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    for e in reg.log_entries().await.unwrap() {
        let v: Value = serde_json::from_str(&e.record).unwrap();
        if v["kind"] == "evaluation" && v["batch"]["id"] == id {
            let item = v["batch"]["item"].as_u64().unwrap();
            items.entry(item).or_default().push(e.id);
        }
    }
    items
}

/// `scorehost batch --json` of ningbo/port over `input`: its summary.
fn batch_json(f: &Fixture, input: &Path, output: &Path) -> Value {
    let out = ok(cli(
        f,
        &[
            "batch",
            "--model",
            "ningbo/port",
            "--input",
            input.to_str().unwrap(),
            "--output",
            output.to_str().unwrap(),
            "--json",
        ],
    ));
    serde_json::from_str(&out).unwrap()
}

/// Start a batch and SIGKILL it once its output has `at_least` lines.
fn kill_when(f: &Fixture, args: &[&str], output: &Path, at_least: usize) {
    let mut child = scorehost_tests::command()
        .current_dir(root())
        .arg("--data-dir")
        .arg(&f.data_dir)
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while count_lines(output) < at_least {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the batch finished before it could be killed"
        );
        assert!(Instant::now() < deadline, "the batch made no progress");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_killed_batch_resumes_without_scoring_anyone_twice_or_missing_anyone() {
    const N: usize = 40_000;
    let f = with_ningbo("batch-resume").await;
    let input = f.data_dir.join("subjects.ndjson");
    let output = f.data_dir.join("results.ndjson");
    let reference = f.data_dir.join("reference.ndjson");
    let (i, o) = (input.to_str().unwrap(), output.to_str().unwrap());
    let n = N.to_string();
    ok(cli(
        &f,
        &[
            "gen",
            "--model",
            "ningbo/port",
            "--count",
            &n,
            "--output",
            i,
            "--as-of",
            "2026-11-01",
        ],
    ));
    let args = [
        "batch",
        "--model",
        "ningbo/port",
        "--input",
        i,
        "--output",
        o,
        "--json",
    ];

    // Killed twice, at different points, then run to its end.
    kill_when(&f, &args, &output, 3_000);
    let first = count_lines(&output);
    kill_when(&f, &args, &output, first + 8_000);
    assert!(
        count_lines(&output) < N,
        "the second run was not interrupted"
    );
    let summary: Value = serde_json::from_str(&ok(cli(&f, &args))).unwrap();
    assert_eq!(summary["items"], N as u64);
    assert!(
        summary["scored_now"].as_u64().unwrap() < N as u64,
        "the last run started over: {summary}"
    );

    // Every item exactly once in the output, in order, each with its own record.
    let results = lines_of(&output);
    assert_eq!(results.len(), N);
    for (k, line) in results.iter().enumerate() {
        assert_eq!(line["item"], (k + 1) as u64, "line {k}: {line}");
    }
    let batch = summary["batch"].as_str().unwrap().to_string();
    let logged = logged_items(&f, &batch).await;
    assert_eq!(logged.len(), N, "items with a record in the log");
    let twice: Vec<_> = logged.iter().filter(|(_, ids)| ids.len() > 1).collect();
    assert!(
        twice.is_empty(),
        "scored twice: {:?}",
        &twice[..twice.len().min(3)]
    );
    for line in &results {
        let item = line["item"].as_u64().unwrap();
        assert_eq!(
            line["evaluation_id"].as_str(),
            Some(logged[&item][0].as_str()),
            "item {item} points at its record"
        );
    }

    // The same results as an uninterrupted run.
    batch_json(&f, &input, &reference);
    let uninterrupted = lines_of(&reference);
    assert_eq!(uninterrupted.len(), N);
    for (a, b) in results.iter().zip(&uninterrupted) {
        for field in ["item", "subject", "score", "grade", "reasons", "error"] {
            assert_eq!(a[field], b[field], "{field} of item {}", a["item"]);
        }
    }

    // The same command once more re-reads the finished run: nothing is scored.
    let again: Value = serde_json::from_str(&ok(cli(&f, &args))).unwrap();
    assert_eq!(again["scored_now"], 0);
    assert_eq!(lines_of(&output), results);
    assert!(ok(cli(&f, &["audit", "verify"])).contains("verifies"));
}

/// Requests whose grades the native model computes, plus items that must
/// fail in known ways.
fn known_requests() -> (Vec<String>, BTreeMap<String, u64>) {
    let template = example("ningbo-port-v1");
    let model = load(&component("ningbo-port-v1"));
    let mut lines = Vec::new();
    let mut grades = BTreeMap::new();
    for (k, base) in [
        300.0, 480.5, 612.0, 700.0, 757.25, 812.5, 905.0, 999.0, 1000.0,
    ]
    .into_iter()
    .enumerate()
    {
        for (j, revenue) in [50.0, 1200.0, 20_000.0].into_iter().enumerate() {
            let mut r = template.clone();
            r.subject.id = format!("91330200KNOWN{k}{j}X");
            r.base.score = base;
            for ind in &mut r.indicators {
                if ind.name == "annual_revenue_10k_cny" {
                    ind.value = revenue.into();
                }
            }
            let req = r.to_request(model.info()).unwrap();
            let grade = NingboPort::evaluate(&from_host_request(&req))
                .unwrap()
                .grade;
            *grades.entry(grade).or_default() += 1;
            lines.push(serde_json::to_string(&r).unwrap());
        }
    }
    (lines, grades)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_summary_counts_what_the_model_says_for_ndjson_and_csv() {
    let f = with_ningbo("batch-summary").await;
    let (mut requests, grades) = known_requests();
    let scored = requests.len() as u64;
    // Failures, each with its reason: not JSON, a business type the model
    // refuses (its own eval-error), a missing required indicator (refused by
    // the host against the declaration); and a blank line (no item).
    requests.push("{not json".into());
    let mut fishing: Value = serde_json::from_str(&requests[0]).unwrap();
    for ind in fishing["indicators"].as_array_mut().unwrap() {
        if ind["name"] == "business_type" {
            ind["value"] = "fishing-boat".into();
        }
    }
    requests.push(fishing.to_string());
    let mut missing: Value = serde_json::from_str(&requests[1]).unwrap();
    missing["indicators"]
        .as_array_mut()
        .unwrap()
        .retain(|i| i["name"] != "tax_credit_grade");
    requests.push(missing.to_string());
    requests.insert(3, String::new());
    let input = f.data_dir.join("known.ndjson");
    std::fs::write(&input, requests.join("\n") + "\n").unwrap();
    let output = f.data_dir.join("known-results.ndjson");
    let summary = batch_json(&f, &input, &output);
    assert_eq!(summary["items"], scored + 3, "{summary}");
    assert_eq!(summary["scored"], scored);
    assert_eq!(summary["failed"], 3);
    let counted: BTreeMap<String, u64> = summary["grades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| (g[0].as_str().unwrap().to_string(), g[1].as_u64().unwrap()))
        .filter(|(_, n)| *n > 0)
        .collect();
    assert_eq!(counted, grades);
    assert_eq!(
        summary["failures"],
        serde_json::json!({"bad_request": 2, "model_rejected": 1})
    );
    assert_eq!(
        summary["histogram"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .sum::<u64>(),
        scored
    );

    // Each result names its line, and each evaluation is in the log with
    // the subject and the batch it belongs to.
    let results = lines_of(&output);
    let reg = Registry::open(&f.data_dir, None).await.unwrap();
    let mut recorded = 0;
    for line in &results {
        let item = line["item"].as_u64().unwrap();
        assert_ne!(item, 4, "the blank line is no item");
        if line["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains(&format!("line {item}: key must be a string")))
        {
            assert!(
                line.get("evaluation_id").is_none(),
                "not JSON, not recorded"
            );
            continue;
        }
        let id = line["evaluation_id"]
            .as_str()
            .unwrap_or_else(|| panic!("not recorded: {line}"));
        let entry = reg.log_entry(id).await.unwrap();
        let personal = reg.log_personal(entry.seq).await.unwrap();
        let record = scorehost_registry::open_record(&entry.record, personal.as_ref()).unwrap();
        assert_eq!(record["subject"]["id"], line["subject"]);
        assert_eq!(record["batch"]["id"], summary["batch"]);
        assert_eq!(record["batch"]["item"], item);
        recorded += 1;
    }
    assert_eq!(recorded, scored + 2);

    // The same subjects as CSV: the same grades.
    let csv = f.data_dir.join("known.csv");
    let header = "subject_id,as_of,base_score,base_grade,base_lists,business_type,years_in_operation,registered_capital_10k_cny,tax_credit_grade,tax_credit_grade.source,overdue_debts,annual_revenue_10k_cny,customs_violations_3y,customs_violations_3y.observed_on,aeo_certified,social_insurance_compliant,industry_honours";
    let mut rows = vec![header.to_string()];
    for text in requests
        .iter()
        .take(scored as usize + 1)
        .filter(|t| !t.is_empty())
    {
        let r: Value = serde_json::from_str(text).unwrap();
        let ind = |name: &str| {
            r["indicators"]
                .as_array()
                .unwrap()
                .iter()
                .find(|i| i["name"] == name)
                .cloned()
                .unwrap_or(Value::Null)
        };
        let cell = |v: &Value| match v {
            Value::String(s) => s.clone(),
            Value::Null => String::new(),
            v => v.to_string(),
        };
        rows.push(
            [
                cell(&r["subject"]["id"]),
                cell(&r["as_of"]),
                cell(&r["base"]["score"]),
                cell(&r["base"]["grade"]),
                r["base"]["lists"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(cell)
                    .collect::<Vec<_>>()
                    .join(";"),
                cell(&ind("business_type")["value"]),
                cell(&ind("years_in_operation")["value"]),
                cell(&ind("registered_capital_10k_cny")["value"]),
                cell(&ind("tax_credit_grade")["value"]),
                cell(&ind("tax_credit_grade")["source"]),
                cell(&ind("overdue_debts")["value"]),
                cell(&ind("annual_revenue_10k_cny")["value"]),
                cell(&ind("customs_violations_3y")["value"]),
                cell(&ind("customs_violations_3y")["observed_on"]),
                cell(&ind("aeo_certified")["value"]),
                cell(&ind("social_insurance_compliant")["value"]),
                cell(&ind("industry_honours")["value"]),
            ]
            .join(","),
        );
    }
    std::fs::write(&csv, rows.join("\n") + "\n").unwrap();
    let csv_out = f.data_dir.join("known-csv-results.ndjson");
    let summary_csv = batch_json(&f, &csv, &csv_out);
    assert_eq!(summary_csv["scored"], scored, "{summary_csv}");
    assert_eq!(summary_csv["failed"], 0);
    assert_eq!(summary_csv["grades"], summary["grades"]);
    let from_csv = lines_of(&csv_out);
    assert_eq!(from_csv.len(), scored as usize);
    for (k, (a, b)) in from_csv.iter().zip(&results).enumerate() {
        assert_eq!(a["score"], b["score"], "row {k}");
        assert_eq!(
            a["item"],
            k as u64 + 2,
            "rows are numbered by line, after the header"
        );
    }

    // A CSV whose header does not fit the model is refused before anything runs.
    let bad = f.data_dir.join("bad.csv");
    std::fs::write(&bad, "subject_id,as_of,base_score,base_grade,shoe_size\n").unwrap();
    let out = cli(
        &f,
        &[
            "batch",
            "--model",
            "ningbo/port",
            "--input",
            bad.to_str().unwrap(),
            "--output",
            f.data_dir.join("bad-out.ndjson").to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("'shoe_size' is not an indicator of ningbo/port"),
        "{err}"
    );
}

/// `gen` makes populations every bundled model scores, across its grades;
/// the Qianjiang scores are left-skewed, as the source describes them.
#[test]
fn generated_populations_score_across_the_grades() {
    let as_of = time::macros::date!(2026 - 11 - 01);
    for (package, min_grades) in [
        ("ningbo-port-v1", 4),
        ("hangzhou-qianjiang-v2", 3),
        ("yiwu-market-v1", 3),
        ("environment-v1", 4),
    ] {
        let model = load(&component(package));
        let mut population = Population::new(model.info(), as_of, 7);
        let mut grades = BTreeMap::<String, u64>::new();
        let mut scores = Vec::new();
        let mut failed = 0;
        for _ in 0..2_000 {
            match model.evaluate_wire(&population.next_request()) {
                Ok((_, o)) => {
                    *grades.entry(o.evaluation.grade).or_default() += 1;
                    scores.push(o.evaluation.score as f64);
                }
                Err(_) => failed += 1,
            }
        }
        assert!(failed <= 20, "{package}: {failed} of 2000 failed");
        assert!(
            grades.len() >= min_grades,
            "{package}: only grades {grades:?}"
        );
        if package == "hangzhou-qianjiang-v2" {
            let (_, skew) = scorehost_engine::population::mean_and_skewness(&scores);
            assert!(skew < 0.0, "Qianjiang skewness {skew}");
        }
    }
}

/// `batch --from-store`: every stored subject of the kinds the model scores,
/// completed from its stored records; run again, it scores nobody twice.
#[tokio::test(flavor = "multi_thread")]
async fn a_batch_over_the_data_store_scores_the_stored_subjects_of_the_models_kinds() {
    let f = with_ningbo("batch-store").await;
    let example = example("ningbo-port-v1");
    let bases = f.data_dir.join("bases.ndjson");
    let lines = [
        serde_json::json!({"subject_id": example.subject.id, "kind": "enterprise", "score": 812.5, "grade": "B", "source": "zj"}),
        serde_json::json!({"subject_id": "91330200MA2BBBBB2X", "kind": "enterprise", "score": 700, "grade": "B", "source": "zj"}),
        serde_json::json!({"subject_id": "330106199001011234", "kind": "natural-person", "score": 700, "grade": "B", "source": "zj"}),
    ];
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    std::fs::write(&bases, text).unwrap();
    ok(cli(
        &f,
        &["data", "import", "bases", bases.to_str().unwrap()],
    ));
    let records = f.data_dir.join("records.ndjson");
    let text: String = example
        .indicators
        .iter()
        .map(|i| {
            let mut v = serde_json::json!({"subject_id": example.subject.id, "name": i.name,
                "value": i.value, "source": i.source.clone().unwrap_or("ningbo".into())});
            if let Some(d) = &i.observed_on {
                v["observed_on"] = d.clone().into();
            }
            format!("{v}\n")
        })
        .collect();
    std::fs::write(&records, text).unwrap();
    ok(cli(
        &f,
        &["data", "import", "indicators", records.to_str().unwrap()],
    ));
    let output = f.data_dir.join("store-results.ndjson");
    let args = [
        "batch",
        "--model",
        "ningbo/port",
        "--from-store",
        "--as-of",
        &example.as_of,
        "--output",
        output.to_str().unwrap(),
        "--json",
    ];
    let summary: Value = serde_json::from_str(&ok(cli(&f, &args))).unwrap();
    // The person is not of a kind ningbo/port scores; the second
    // enterprise has no indicator records, so its required ones are missing.
    assert_eq!(summary["items"], 2, "{summary}");
    assert_eq!(summary["scored"], 1);
    assert_eq!(summary["failures"], serde_json::json!({"bad_request": 1}));
    let results = lines_of(&output);
    assert_eq!(results[0]["subject"], example.subject.id.as_str());
    // The same score as the inline sample request gets.
    let inline = load(&component("ningbo-port-v1"))
        .evaluate_wire(&example)
        .unwrap()
        .1
        .evaluation
        .score as f64
        / 100.0;
    assert_eq!(results[0]["score"], inline);
    let again: Value = serde_json::from_str(&ok(cli(&f, &args))).unwrap();
    assert_eq!(again["scored_now"], 0, "{again}");
    assert_eq!(again["items"], 2);
}
