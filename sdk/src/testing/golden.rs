//! Recorded answers (feature `sandbox`): a frozen model version's answers to
//! its sample requests, kept as files, so that a test fails the day they
//! change.
//!
//! A published version is immutable, and so must be what it answers: when a
//! model's rules are corrected in a new version, the old version stays as
//! its own frozen crate, and [`check`] holds it to the answers it gave.

use std::path::Path;

use scorehost_runtime::wire::ScoreRequest;
use serde_json::{Value, json};

use crate::{self as sdk, Model};

/// For every `NAME.request.json` in `dir` (the wire format of `POST
/// /v1/scores`), evaluate it with `M` ([`super::evaluate`]: natively and,
/// when the component is built, in the sandbox) and compare the answer
/// with `NAME.answer.json` beside it: score, grade, contributions and
/// reasons, or the model's error.
///
/// The declaration is held too: `declaration.json` in `dir` is what
/// `describe()` and `consequences()` declared when the version was frozen
/// (the wire form `scorehost inspect --json` prints).
///
/// A missing answer file fails the test, unless `SCOREHOST_BLESS=1` is set,
/// in which case it is written (once, when the version is frozen; review
/// and commit it). Costs one evaluation per sample (two with the sandbox).
///
/// # Panics
/// On a changed answer (naming the sample and showing both), an unreadable
/// sample, or no sample at all.
pub fn check<M: Model>(dir: &Path) {
    let info = super::sandbox::model_info_to_host(&M::describe());
    let mut samples: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".request.json"))
        .collect();
    samples.sort();
    assert!(
        !samples.is_empty(),
        "no *.request.json in {}",
        dir.display()
    );
    let bless = std::env::var_os("SCOREHOST_BLESS").is_some_and(|v| v == "1");
    let mut declared = scorehost_runtime::wire::WireModelInfo::from(&info);
    declared.consequences = M::consequences()
        .into_iter()
        .map(|c| scorehost_runtime::wire::WireConsequence {
            when: c.when,
            effect: c.effect,
            grade: c.grade,
            source: c.source,
        })
        .collect();
    let declared = serde_json::to_value(&declared).unwrap();
    compare(
        &dir.join("declaration.json"),
        &declared,
        bless,
        &M::describe().version,
        "its declaration",
    );
    for path in samples {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let wire: ScoreRequest = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{}: not a score request: {e}", path.display()));
        let host = wire
            .to_request(&info)
            .unwrap_or_else(|e| panic!("{}: refused by the host: {e}", path.display()));
        let req = super::sandbox::from_host_request(&host);
        let got = answer(&super::evaluate::<M>(&req));
        let recorded = path.with_file_name(
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .replace(".request.json", ".answer.json"),
        );
        compare(
            &recorded,
            &got,
            bless,
            &M::describe().version,
            &format!("its answer to {}", path.display()),
        );
    }
}

/// Compare `got` with the JSON recorded at `recorded` (written when it is
/// missing and `bless` is set).
fn compare(recorded: &Path, got: &Value, bless: bool, version: &str, what: &str) {
    match std::fs::read_to_string(recorded) {
        Ok(text) => {
            let want: Value = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: not JSON: {e}", recorded.display()));
            assert_eq!(
                *got,
                want,
                "{version}: {what} differs from what is recorded in {}",
                recorded.display()
            );
        }
        Err(_) if bless => {
            let mut text = serde_json::to_string_pretty(got).unwrap();
            text.push('\n');
            std::fs::write(recorded, text)
                .unwrap_or_else(|e| panic!("cannot write {}: {e}", recorded.display()));
        }
        Err(e) => panic!(
            "{}: {e} (record it once with SCOREHOST_BLESS=1 and commit it)",
            recorded.display()
        ),
    }
}

/// An answer as recorded: points in hundredths, so that nothing is rounded.
fn answer(out: &Result<sdk::Evaluation, sdk::EvalError>) -> Value {
    match out {
        Ok(e) => json!({
            "score": e.score,
            "grade": e.grade,
            "contributions": e.contributions.iter()
                .map(|c| json!({"name": c.name, "points": c.points, "note": c.note}))
                .collect::<Vec<_>>(),
            "reasons": e.reasons,
        }),
        Err(e) => json!({ "error": format!("{e:?}") }),
    }
}
