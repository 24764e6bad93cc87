//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, part, white_box};

/// A research institute at full research marks.
fn exemplary(base: f64) -> RequestBuilder {
    RequestBuilder::new(
        SubjectKind::PublicInstitution,
        "12330000470000001X",
        "2026-11-01",
    )
    .base(base, "A")
    .number("research_violations_3y", 0.0)
    .flag("ethics_review_compliant", true)
    .number("overdue_acceptances_2y", 0.0)
    .number("failed_acceptances_3y", 0.0)
    .number("outputs_3y", 14.0)
    .number("science_awards_5y", 3.0)
}

/// The request of examples/requests/science-integrity.json.
fn worked_example() -> RequestBuilder {
    RequestBuilder::enterprise("91330100MA2SCI0001", "2026-11-01")
        .base(768.4, "B")
        .list("red:high-tech-enterprise")
        .number("research_violations_3y", 0.0)
        .flag("ethics_review_compliant", true)
        .number("overdue_acceptances_2y", 1.0)
        .number("failed_acceptances_3y", 0.0)
        .number("outputs_3y", 7.0)
        .number("science_awards_5y", 1.0)
}

#[test]
fn research_credit_is_seven_hundred_and_base_three_hundred() {
    let total: f64 = DIMENSIONS.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 700.0);
    assert_eq!(BASE_WEIGHT_BP, 3000);
}

#[test]
fn full_marks_are_one_thousand_excellent() {
    let e = evaluate::<ScienceIntegrity>(&exemplary(1000.0).build()).unwrap();
    assert_eq!(e.score, 100_000);
    assert_eq!(e.grade, "excellent");
    assert_eq!(part(&e, "base"), 30_000);
    assert!(e.reasons.is_empty(), "{:?}", e.reasons);
}

#[test]
fn public_credit_is_exactly_thirty_percent_of_the_base() {
    let e = evaluate::<ScienceIntegrity>(&exemplary(812.5).build()).unwrap();
    assert_eq!(part(&e, "base"), 24_375); // 812.50 × 0.30 = 243.75
    assert_eq!(e.score, 94_375);
    // 0.30 × 333.33 = 99.999 → 100.00, rounded once.
    let e = evaluate::<ScienceIntegrity>(&exemplary(333.33).build()).unwrap();
    assert_eq!(part(&e, "base"), 10_000);
}

#[test]
fn grades_change_exactly_at_their_bands() {
    // (base, research violations, score, grade): full research marks are 700,
    // each violation costs 50.
    let cases = [
        (500.0, 0.0, 85_000, "excellent"),
        (499.96, 0.0, 84_999, "good"),
        (0.0, 0.0, 70_000, "good"),
        (166.63, 1.0, 69_999, "fair"),
        (0.0, 3.0, 55_000, "fair"),
        (166.63, 4.0, 54_999, "poor"),
    ];
    for (base, v, score, grade) in cases {
        let req = exemplary(base)
            .set("research_violations_3y", Value::Number(v))
            .build();
        let e = evaluate::<ScienceIntegrity>(&req).unwrap();
        assert_eq!(
            (e.score, e.grade.as_str()),
            (score, grade),
            "base {base}, {v} violations"
        );
    }
}

#[test]
fn each_dimension_follows_its_rule() {
    let cases: [(&str, Value, Points); 12] = [
        ("research_violations_3y", Value::Number(1.0), 15_000),
        ("research_violations_3y", Value::Number(2.9), 10_000),
        ("research_violations_3y", Value::Number(9.0), 0),
        ("ethics_review_compliant", Value::Flag(false), 0),
        ("overdue_acceptances_2y", Value::Number(1.0), 5_000),
        ("overdue_acceptances_2y", Value::Number(3.0), 0),
        ("failed_acceptances_3y", Value::Number(1.0), 5_000),
        ("failed_acceptances_3y", Value::Number(2.0), 0),
        ("outputs_3y", Value::Number(4.0), 4_000),
        ("outputs_3y", Value::Number(10.0), 10_000),
        ("science_awards_5y", Value::Number(1.0), 5_000),
        ("science_awards_5y", Value::Number(0.0), 0),
    ];
    for (name, v, points) in cases {
        let e =
            evaluate::<ScienceIntegrity>(&exemplary(800.0).set(name, v.clone()).build()).unwrap();
        assert_eq!(part(&e, name), points, "{name} = {v:?}");
    }
    // Absent optional indicators count nothing.
    let req = exemplary(800.0)
        .without("ethics_review_compliant")
        .without("science_awards_5y")
        .build();
    let e = evaluate::<ScienceIntegrity>(&req).unwrap();
    assert_eq!(part(&e, "ethics_review_compliant"), 0);
    assert_eq!(part(&e, "science_awards_5y"), 0);
    assert_eq!(e.score, 24_000 + 50_000);
}

#[test]
fn plagiarism_caps_at_fair_and_fabrication_at_poor_for_five_years() {
    let plag = exemplary(900.0)
        .event("misconduct_finding", "plagiarism", "2022-06-01")
        .build();
    let e = evaluate::<ScienceIntegrity>(&plag).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (69_999, "fair"));
    assert!(e.reasons[0].contains("plagiarism") && e.reasons[0].contains("2022-06-01"));
    assert_eq!(part(&e, "misconduct-cap"), 69_999 - 97_000);

    let fab = exemplary(900.0)
        .event("misconduct_finding", "plagiarism", "2025-01-01")
        .event("misconduct_finding", "fabrication", "2024-03-02")
        .build();
    let e = evaluate::<ScienceIntegrity>(&fab).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (54_999, "poor"));
    assert!(e.reasons[0].contains("fabrication"), "{:?}", e.reasons);

    // Five years to the day: no longer counts; the day before, it does.
    let expired = exemplary(900.0)
        .event("misconduct_finding", "falsification", "2021-11-01")
        .build();
    assert_eq!(
        evaluate::<ScienceIntegrity>(&expired).unwrap().score,
        97_000
    );
    let last_day = exemplary(900.0)
        .event("misconduct_finding", "falsification", "2021-11-02")
        .build();
    assert_eq!(
        evaluate::<ScienceIntegrity>(&last_day).unwrap().score,
        54_999
    );
    // A finding dated after the evaluation date does not count yet.
    let future = exemplary(900.0)
        .event("misconduct_finding", "fabrication", "2026-12-01")
        .build();
    assert_eq!(
        evaluate::<ScienceIntegrity>(&future).unwrap().grade,
        "excellent"
    );
}

#[test]
fn black_list_makes_poor_and_a_low_score_keeps_its_own() {
    let e = evaluate::<ScienceIntegrity>(
        &exemplary(900.0)
            .list("black:most-serious-dishonesty")
            .build(),
    )
    .unwrap();
    assert_eq!((e.score, e.grade.as_str()), (54_999, "poor"));
    assert!(e.reasons[0].contains("black:most-serious-dishonesty"));
    // Already below the cap: the score stands and a reason says why.
    let weak = exemplary(100.0)
        .event("misconduct_finding", "plagiarism", "2025-05-05")
        .set("research_violations_3y", Value::Number(4.0))
        .build();
    let e = evaluate::<ScienceIntegrity>(&weak).unwrap();
    assert_eq!(e.score, 3_000 + 50_000);
    assert!(
        e.reasons[0].contains("already below the cap"),
        "{:?}",
        e.reasons
    );
}

#[test]
fn bad_inputs_are_refused_by_name() {
    let missing = exemplary(800.0).without("outputs_3y").build();
    assert_eq!(
        evaluate::<ScienceIntegrity>(&missing),
        Err(EvalError::MissingIndicator("outputs_3y".into()))
    );
    let negative = exemplary(800.0)
        .set("research_violations_3y", Value::Number(-1.0))
        .build();
    assert!(matches!(
        evaluate::<ScienceIntegrity>(&negative),
        Err(EvalError::InvalidIndicator(m)) if m.contains("research_violations_3y") && m.contains("negative")
    ));
    let wrong_kind = exemplary(800.0)
        .set("ethics_review_compliant", Value::Number(1.0))
        .build();
    assert!(matches!(
        evaluate::<ScienceIntegrity>(&wrong_kind),
        Err(EvalError::InvalidIndicator(m)) if m.contains("ethics_review_compliant")
    ));
    let unknown = exemplary(800.0)
        .event("misconduct_finding", "rudeness", "2025-01-01")
        .build();
    assert!(matches!(
        evaluate::<ScienceIntegrity>(&unknown),
        Err(EvalError::InvalidIndicator(m)) if m.contains("rudeness") && m.contains("plagiarism")
    ));
    let undated = exemplary(800.0)
        .text("misconduct_finding", "plagiarism")
        .build();
    assert!(matches!(
        evaluate::<ScienceIntegrity>(&undated),
        Err(EvalError::InvalidIndicator(m)) if m.contains("misconduct_finding") && m.contains("observed_on")
    ));
    let mut agency = exemplary(800.0).build();
    agency.subject.kind = SubjectKind::GovernmentAgency;
    assert_eq!(
        evaluate::<ScienceIntegrity>(&agency),
        Err(EvalError::UnsupportedSubject(SubjectKind::GovernmentAgency))
    );
}

#[test]
fn researchers_enterprises_and_institutions_are_scored_alike() {
    for kind in [
        SubjectKind::NaturalPerson,
        SubjectKind::Enterprise,
        SubjectKind::PublicInstitution,
    ] {
        let mut req = exemplary(700.0).build();
        req.subject.kind = kind;
        assert_eq!(evaluate::<ScienceIntegrity>(&req).unwrap().score, 91_000);
    }
}

#[test]
fn worked_example_scores_800_52_good() {
    // By hand, for examples/requests/science-integrity.json:
    //   public credit 768.40 × 0.30                       = 230.52
    //   research_violations_3y 0                          = 200.00
    //   ethics_review_compliant                           = 100.00
    //   overdue_acceptances_2y 1 → 100 − 50               =  50.00
    //   failed_acceptances_3y 0                           = 100.00
    //   outputs_3y 7 × 10                                 =  70.00
    //   science_awards_5y 1 × 50                          =  50.00
    //   total                                             = 800.52, good
    let e = evaluate::<ScienceIntegrity>(&worked_example().build()).unwrap();
    let parts = white_box(&e);
    assert_eq!(
        parts,
        [
            ("base", 23_052),
            ("research_violations_3y", 20_000),
            ("ethics_review_compliant", 10_000),
            ("overdue_acceptances_2y", 5_000),
            ("failed_acceptances_3y", 10_000),
            ("outputs_3y", 7_000),
            ("science_awards_5y", 5_000),
        ]
    );
    assert_eq!((e.score, e.grade.as_str()), (80_052, "good"));
    assert!(e.reasons[0].starts_with("overdue_acceptances_2y: 50.00 of 100.00"));
}

#[test]
fn describe_tells_the_truth() {
    let info = ScienceIntegrity::describe();
    assert_eq!(info.name, "science/integrity");
    assert_eq!(info.version, "1.0.0");
    let grades: Vec<_> = info.grades.iter().map(|g| g.grade.as_str()).collect();
    assert_eq!(grades, ["excellent", "good", "fair", "poor"]);
    let e = evaluate::<ScienceIntegrity>(&worked_example().build()).unwrap();
    for c in e.contributions.iter().filter(|c| c.name != "base") {
        assert!(
            info.indicators.iter().any(|i| i.name == c.name),
            "{} undeclared",
            c.name
        );
    }
}

/// Frozen: version 1.0.0 answers its sample requests (`samples/`) exactly as
/// it did when it was reviewed and pinned.
#[test]
fn answers_its_samples_as_recorded() {
    scorehost_sdk::testing::golden::check::<ScienceIntegrity>(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples"
    )));
}
