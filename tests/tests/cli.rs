//! The real `scorehost` binary, end to end: a white box for each plugin,
//! `inspect --json`, and one clear sentence with a distinct exit code for
//! every kind of failure.

use std::path::Path;
use std::process::Output;

use scorehost_tests::{binary, component, core_module, root};
use sha2::{Digest, Sha256};

/// Every bundled plugin (the README's table of models: each model's current
/// version, and its versions as first reviewed, frozen), with the score and
/// grade of its example request (as its README documents it): (component,
/// example, score, grade). A frozen version's example is its own sample.
const PLUGINS: [(&str, &str, f64, &str); 27] = [
    ("ningbo-port", "ningbo-port", 811.75, "B"),
    ("hangzhou-qianjiang", "hangzhou-qianjiang", 640.35, "green"),
    ("yiwu-market", "yiwu-market", 608.65, "B"),
    ("environment", "environment", 822.0, "B"),
    ("taizhou-finance", "taizhou-finance", 765.0, "A"),
    ("quzhou-longyou", "quzhou-longyou", 763.0, "good"),
    ("quzhou-longyou", "quzhou-longyou-resident", 867.0, "high"),
    ("fenghua-tourism", "fenghua-tourism", 798.0, "C"),
    ("science-integrity", "science-integrity", 790.52, "good"),
    ("mining", "mining", 77.9, "B"),
    ("mining", "mining-expert", 15.2, "expert"),
    ("travel-agency", "travel-agency", 806.0, "B"),
    ("market-supervision", "market-supervision", 752.2, "low"),
    ("credit-code", "credit-code", 780.7, "green"),
    ("ningbo-port-v1", "ningbo-port-v1", 811.75, "B"),
    (
        "hangzhou-qianjiang-v2",
        "hangzhou-qianjiang-v2",
        640.35,
        "green",
    ),
    ("yiwu-market-v1", "yiwu-market-v1", 642.92, "B"),
    ("environment-v1", "environment-v1", 822.0, "B"),
    ("taizhou-finance-v1", "taizhou-finance-v1", 765.0, "A"),
    ("quzhou-longyou-v1", "quzhou-longyou-v1", 763.0, "red-50k"),
    ("fenghua-tourism-v2", "fenghua-tourism-v2", 798.0, "C"),
    (
        "fenghua-tourism-v1",
        "fenghua-tourism-v1",
        895.33,
        "excellent",
    ),
    (
        "science-integrity-v1",
        "science-integrity-v1",
        800.52,
        "good",
    ),
    ("mining-v1", "mining-v1", 77.9, "B"),
    ("travel-agency-v1", "travel-agency-v1", 806.0, "B"),
    (
        "market-supervision-v1",
        "market-supervision-v1",
        752.2,
        "low",
    ),
    ("credit-code-v1", "credit-code-v1", 780.7, "green"),
];

fn run(args: &[&str]) -> Output {
    scorehost_tests::command()
        .args(args)
        .current_dir(root())
        .output()
        .expect("scorehost runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn example(plugin: &str) -> String {
    scorehost_tests::example_path(plugin).display().to_string()
}

fn hundredths(v: &serde_json::Value) -> i64 {
    (v.as_f64().expect("a number") * 100.0).round() as i64
}

#[test]
fn score_prints_a_white_box_that_adds_up_for_every_plugin() {
    for (plugin, sample, documented, documented_grade) in PLUGINS {
        let module = component(plugin).display().to_string();
        let out = run(&[
            "score",
            "--module",
            &module,
            "--input",
            &example(sample),
            "--json",
        ]);
        assert!(out.status.success(), "{plugin}: {}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON output");
        let parts: i64 = v["contributions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| hundredths(&c["points"]))
            .sum();
        assert_eq!(parts, hundredths(&v["score"]), "{plugin}");
        assert_eq!(
            (v["score"].as_f64().unwrap(), v["grade"].as_str().unwrap()),
            (documented, documented_grade),
            "{plugin}: the example's score as its README says"
        );
        assert!(v["fuel"].as_u64().unwrap() > 0);
        assert_eq!(v["model"]["sha256"].as_str().unwrap().len(), 64);

        let table = run(&["score", "--module", &module, "--input", &example(sample)]);
        assert!(table.status.success());
        let t = text(&table.stdout);
        let grade = v["grade"].as_str().unwrap();
        let score = format!("{:.2}", v["score"].as_f64().unwrap());
        assert!(
            t.lines().any(|l| l.contains("score")
                && l.contains(&score)
                && l.ends_with(&format!("grade {grade}"))),
            "{t}"
        );
        for c in v["contributions"].as_array().unwrap() {
            assert!(
                t.contains(c["note"].as_str().unwrap()),
                "{plugin}: table lacks {c}"
            );
        }
        assert!(table.stderr.is_empty(), "{}", text(&table.stderr));
    }
}

#[test]
fn ningbo_port_sample_scores_as_computed_by_hand() {
    let module = component("ningbo-port-v1").display().to_string();
    let out = run(&[
        "score",
        "--module",
        &module,
        "--input",
        &example("ningbo-port-v1"),
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    // 0.3 × 812.50 = 243.75; 48 + 20 + 100 + 50 + 90 + 80 + 100 + 60 + 20 = 568.
    assert_eq!(v["score"], serde_json::json!(811.75));
    assert_eq!(v["grade"], "B");
    assert_eq!(v["contributions"][0]["name"], "base");
    assert_eq!(v["contributions"][0]["points"], serde_json::json!(243.75));
}

#[test]
fn inspect_json_reports_hash_imports_and_model() {
    let path = component("environment-v1");
    let out = run(&["inspect", &path.display().to_string(), "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["sha256"],
        hex::encode(Sha256::digest(std::fs::read(&path).unwrap()))
    );
    assert!(
        v["imports"]
            .as_array()
            .unwrap()
            .iter()
            .all(|i| !i.as_str().unwrap().starts_with("wasi:sockets"))
    );
    assert_eq!(v["model"]["name"], "zhejiang/environment");
    assert_eq!(v["model"]["scale_max"], serde_json::json!(1000.0));
    assert_eq!(
        v["model"]["subject_kinds"],
        serde_json::json!(["enterprise"])
    );
    let grades: Vec<&str> = v["model"]["grades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["grade"].as_str().unwrap())
        .collect();
    assert_eq!(grades, ["A", "B", "C", "D", "E"]);
}

fn fails(args: &[&str], code: i32, needle: &str) {
    let out = run(args);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "{args:?}: {err}");
    assert!(
        out.stdout.is_empty(),
        "{args:?} printed to stdout: {}",
        text(&out.stdout)
    );
    assert!(err.starts_with("scorehost: "), "{err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one sentence, got: {err}"
    );
    assert!(err.contains(needle), "{args:?}: {err} lacks {needle}");
}

#[test]
fn every_failure_is_one_clear_sentence_with_its_own_exit_code() {
    let ningbo = component("ningbo-port-v1").display().to_string();
    let dir = std::env::temp_dir().join(format!("scorehost-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, body: &str| {
        let p = dir.join(name);
        std::fs::write(&p, body).unwrap();
        p.display().to_string()
    };
    let broken_json = write("broken.json", "{ \"subject\": ");
    fails(
        &["score", "--module", &ningbo, "--input", &broken_json],
        3,
        "not valid JSON",
    );
    let mut req: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(example("ningbo-port-v1")).unwrap()).unwrap();
    req["indicators"]
        .as_array_mut()
        .unwrap()
        .retain(|i| i["name"] != "customs_violations_3y");
    let missing = write("missing.json", &req.to_string());
    fails(
        &["score", "--module", &ningbo, "--input", &missing],
        3,
        "'customs_violations_3y'",
    );
    let wrong_model = write(
        "wrong.json",
        &std::fs::read_to_string(example("environment-v1")).unwrap(),
    );
    fails(
        &["score", "--module", &ningbo, "--input", &wrong_model],
        3,
        "is for model 'zhejiang/environment'",
    );

    let panicky = component("hostile-panic").display().to_string();
    fails(
        &[
            "score",
            "--module",
            &panicky,
            "--input",
            &write("guest.json", GUEST),
        ],
        5,
        "deliberate panic while scoring",
    );
    let sockets = component("hostile-forbidden-import").display().to_string();
    fails(&["inspect", &sockets], 4, "wasi:sockets");
    fails(
        &["inspect", &core_module().display().to_string()],
        4,
        "core WebAssembly module",
    );
    fails(
        &["inspect", "no/such/module.wasm"],
        1,
        "cannot read module no/such/module.wasm",
    );
    std::fs::remove_dir_all(&dir).ok();
}

const GUEST: &str = r#"{ "subject": { "id": "X1", "kind": "enterprise" }, "as_of": "2026-11-01",
  "base": { "score": 700, "grade": "B" } }"#;

#[test]
fn a_plugins_output_never_reaches_the_hosts_own() {
    let chatty = component("hostile-chatty").display().to_string();
    let dir = std::env::temp_dir();
    let input = dir.join(format!("scorehost-chatty-{}.json", std::process::id()));
    std::fs::write(&input, GUEST).unwrap();
    let out = run(&[
        "score",
        "--module",
        &chatty,
        "--input",
        &input.display().to_string(),
    ]);
    std::fs::remove_file(&input).ok();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("CHATTY"));
    assert!(!text(&out.stderr).contains("CHATTY"));
    assert!(text(&out.stdout).contains("grade A"));
}

#[test]
fn help_has_examples() {
    for cmd in [
        &["inspect"][..],
        &["score"],
        &["plugin", "publish"],
        &["plugin", "approve"],
        &["plugin", "pin"],
        &["plugin", "revoke"],
        &["plugin", "list"],
        &["plugin", "show"],
        &["plugin", "build"],
    ] {
        let out = run(&[cmd, &["--help"]].concat());
        assert!(out.status.success());
        assert!(text(&out.stdout).contains("Example"), "{cmd:?}");
    }
    assert!(Path::new(&binary()).exists());
}

#[test]
fn fuel_can_be_tightened_from_the_command_line() {
    let module = component("ningbo-port-v1").display().to_string();
    fails(
        &[
            "score",
            "--module",
            &module,
            "--input",
            &example("ningbo-port-v1"),
            "--fuel",
            "1000",
        ],
        5,
        "used up its fuel budget of 1000",
    );
}
