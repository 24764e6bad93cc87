//! Domain tests of version 1.0.0, run through the SDK's harness: natively,
//! and (the dev-dependency's `sandbox` feature) against the built component
//! in the real sandbox, asserting identical answers. The indicator rules are
//! tested in full with version 2.0.0 (`fenghua-tourism-v2`), which also checks
//! the grade mapping between the versions; here: what 1.0.0 itself declares
//! and grades.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, ok};

/// A well-run homestay: every indicator at full marks.
fn exemplary(base: f64) -> RequestBuilder {
    fenghua_tourism_rules_v2::full_marks("homestay", base)
}

#[test]
fn full_marks_are_a_thousand_and_excellent() {
    let e = ok::<FenghuaTourismV1>(&exemplary(1000.0).build());
    assert_eq!((e.score, e.grade.as_str()), (100_000, "excellent"));
    let base = e.contributions.iter().find(|c| c.name == "base").unwrap();
    assert_eq!(base.points, 40_000); // the same 40 % as 2.0.0
}

#[test]
fn three_grades_change_exactly_at_their_bands() {
    // Full industry marks (600) + 40 % of the base.
    let cases = [
        (625.0, 85_000, "excellent"),
        (624.97, 84_999, "good"),
        (250.0, 70_000, "good"),
        (249.97, 69_999, "poor"),
        (0.0, 60_000, "poor"),
    ];
    for (base, score, grade) in cases {
        let e = ok::<FenghuaTourismV1>(&exemplary(base).build());
        assert_eq!((e.score, e.grade.as_str()), (score, grade), "base {base}");
    }
}

#[test]
fn black_list_forces_grade_poor() {
    let e = ok::<FenghuaTourismV1>(&exemplary(900.0).list("black:court-defaulter").build());
    assert_eq!((e.score, e.grade.as_str()), (69_999, "poor"));
    assert_eq!(
        e.reasons[0],
        "on a provincial black list (black:court-defaulter): capped at 699.99, grade poor"
    );
}

#[test]
fn refusals_are_the_shared_rules() {
    let req = exemplary(800.0)
        .set("quality_level", Value::Text("4".into()))
        .build();
    assert_eq!(
        evaluate::<FenghuaTourismV1>(&req),
        Err(EvalError::InvalidIndicator(
            "quality_level: '4' is not 'none' or 1 to 3 for a homestay".into()
        ))
    );
    let mut person = exemplary(800.0).build();
    person.subject.kind = SubjectKind::GovernmentAgency;
    assert_eq!(
        evaluate::<FenghuaTourismV1>(&person),
        Err(EvalError::UnsupportedSubject(SubjectKind::GovernmentAgency))
    );
}

/// `examples/requests/fenghua-tourism-v1.json`, value for value.
#[test]
fn the_example_request_scores_895_33_excellent() {
    let req = RequestBuilder::enterprise("92330283MA2HHHHH8R", "2026-11-01")
        .base(850.0, "A")
        .text("business_type", "homestay")
        .number("years_in_operation", 4.0)
        .flag("licences_complete", true)
        .text("quality_level", "2")
        .number("honours_3y", 2.0)
        .flag("credit_commitment_signed", true)
        .number("public_welfare_12m", 2.0)
        .number("penalties_3y", 0.0)
        .flag("court_judgments_unfulfilled", false)
        .number("verified_complaints_12m", 0.0)
        .number("tourist_commendations_12m", 5.0)
        .text("last_inspection", "passed")
        .number("safety_incidents_3y", 0.0)
        .build();
    let e = ok::<FenghuaTourismV1>(&req);
    // 340 + basic 85.33 (32 + 40 + 13.33) + 120 + 150 + 100 + 100
    assert_eq!((e.score, e.grade.as_str()), (89_533, "excellent"));
}

#[test]
fn describe_is_the_same_model_with_three_grades() {
    let info = FenghuaTourismV1::describe();
    assert_eq!(info.name, "fenghua/tourism");
    assert_eq!(info.version, "1.0.0");
    assert_eq!(info.base_weight_bp, 4000);
    assert!(info.title.ends_with("3 grades"), "{}", info.title);
    let grades: Vec<_> = info.grades.iter().map(|g| g.grade.as_str()).collect();
    assert_eq!(grades, ["excellent", "good", "poor"]);
    assert_eq!(info.indicators, fenghua_tourism_rules_v2::indicators());
}

/// Frozen: version 1.0.0 answers its sample requests (`samples/`) exactly as
/// it did when it was reviewed and pinned.
#[test]
fn answers_its_samples_as_recorded() {
    scorehost_sdk::testing::golden::check::<FenghuaTourismV1>(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples"
    )));
}
