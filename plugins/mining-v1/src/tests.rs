//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, part, white_box};

/// A mining-right holder at full industry marks.
fn exemplary(base: f64) -> RequestBuilder {
    RequestBuilder::enterprise("91330500MA2MINE01X", "2026-11-01")
        .base(base, "A")
        .text("holder_type", "mining-right-holder")
        .flag("annual_report_on_time", true)
        .flag("fees_in_arrears", false)
        .number("safety_accidents_3y", 0.0)
        .text("ecological_restoration", "completed")
        .number("violations_3y", 0.0)
}

/// The request of examples/requests/mining.json.
fn worked_example() -> RequestBuilder {
    RequestBuilder::enterprise("91330500MA2MINE01X", "2026-11-01")
        .base(745.0, "B")
        .text("holder_type", "mining-right-holder")
        .flag("annual_report_on_time", true)
        .flag("fees_in_arrears", false)
        .number("safety_accidents_3y", 0.0)
        .text("ecological_restoration", "in-progress")
        .number("violations_3y", 1.0)
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

#[test]
fn industry_is_eighty_and_the_converted_base_twenty() {
    let total: f64 = INDUSTRY.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 80.0);
    assert_eq!(BASE_CONVERSION * 1000.0, 20.0);
    assert_eq!(BASE_WEIGHT_BP, 2000);
}

#[test]
fn full_marks_are_one_hundred_grade_a() {
    let e = evaluate::<Mining>(&exemplary(1000.0).build()).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (10_000, "A"));
    assert_eq!(part(&e, "base"), 2_000);
    assert_eq!(e.reasons, [format!("grade A: {}", grade_meaning("A"))]);
}

#[test]
fn the_provincial_score_is_converted_1000_to_20_exactly() {
    for (base, points) in [(812.5, 1_625), (333.33, 667), (0.0, 0), (1000.0, 2_000)] {
        let e = evaluate::<Mining>(&exemplary(base).build()).unwrap();
        assert_eq!(part(&e, "base"), points, "base {base}");
    }
    let e = evaluate::<Mining>(&exemplary(812.5).build()).unwrap();
    let note = &e.contributions[0].note;
    assert!(
        note.contains("812.50") && note.contains("1000 → 20"),
        "{note}"
    );
}

#[test]
fn grades_change_exactly_at_their_bands_and_say_what_they_mean() {
    // (base, restoration, accidents, score, grade): industry 80 at full marks;
    // not-started restoration −15, an accident −10; base 250 → 5.00, 249.5 → 4.99.
    let cases = [
        (250.0, "completed", 0.0, 8_500, "A"),
        (249.5, "completed", 0.0, 8_499, "B"),
        (250.0, "not-started", 0.0, 7_000, "B"),
        (249.5, "not-started", 0.0, 6_999, "C"),
        (250.0, "not-started", 1.0, 6_000, "C"),
        (249.5, "not-started", 1.0, 5_999, "D"),
    ];
    for (base, restoration, accidents, score, grade) in cases {
        let req = exemplary(base)
            .set("ecological_restoration", text(restoration))
            .set("safety_accidents_3y", Value::Number(accidents))
            .build();
        let e = evaluate::<Mining>(&req).unwrap();
        assert_eq!(
            (e.score, e.grade.as_str()),
            (score, grade),
            "{base} {restoration} {accidents}"
        );
        assert_eq!(
            e.reasons[0],
            format!("grade {grade}: {}", grade_meaning(grade))
        );
    }
    assert!(grade_meaning("A").contains("may be candidates"));
    assert!(grade_meaning("C").contains("restricted"));
    assert!(grade_meaning("D").contains("not a qualified bidder"));
}

#[test]
fn each_industry_indicator_follows_its_rule() {
    let cases: [(&str, Value, Points); 9] = [
        ("annual_report_on_time", Value::Flag(false), 0),
        ("fees_in_arrears", Value::Flag(true), 0),
        ("safety_accidents_3y", Value::Number(1.0), 1_000),
        ("safety_accidents_3y", Value::Number(2.5), 0),
        ("ecological_restoration", text("in-progress"), 800),
        ("ecological_restoration", text("not-started"), 0),
        ("violations_3y", Value::Number(1.0), 1_000),
        ("violations_3y", Value::Number(5.0), 0),
        ("violations_3y", Value::Number(0.9), 2_000),
    ];
    for (name, v, points) in cases {
        let e = evaluate::<Mining>(&exemplary(800.0).set(name, v.clone()).build()).unwrap();
        assert_eq!(part(&e, name), points, "{name} = {v:?}");
    }
    // An intermediary has no restoration duty: not-applicable is full marks.
    let req = exemplary(800.0)
        .set("holder_type", text("intermediary"))
        .set("ecological_restoration", text("not-applicable"))
        .build();
    let e = evaluate::<Mining>(&req).unwrap();
    assert_eq!(part(&e, "ecological_restoration"), 1_500);
    assert_eq!(e.score, 1_600 + 8_000);
}

#[test]
fn black_list_forces_d_and_says_it_cannot_bid() {
    let e = evaluate::<Mining>(
        &exemplary(950.0)
            .list("black:mining-serious-dishonesty")
            .build(),
    )
    .unwrap();
    assert_eq!((e.score, e.grade.as_str()), (5_999, "D"));
    assert!(
        e.reasons[0].contains("not a qualified bidder"),
        "{:?}",
        e.reasons
    );
    assert!(e.reasons[1].contains("black:mining-serious-dishonesty"));
    assert_eq!(part(&e, "black-list"), 5_999 - 9_900);
    // Already below C: the score stands.
    let weak = exemplary(100.0)
        .list("black:tax-evasion")
        .set("violations_3y", Value::Number(2.0))
        .set("safety_accidents_3y", Value::Number(2.0))
        .build();
    let e = evaluate::<Mining>(&weak).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (200 + 4_000, "D"));
    assert!(e.reasons[1].contains("already below C"));
}

#[test]
fn bad_inputs_are_refused_by_name() {
    let bad_type = exemplary(800.0)
        .set("holder_type", text("quarry-owner"))
        .build();
    assert!(matches!(
        evaluate::<Mining>(&bad_type),
        Err(EvalError::InvalidIndicator(m)) if m.contains("quarry-owner") && m.contains("intermediary")
    ));
    let holder_na = exemplary(800.0)
        .set("ecological_restoration", text("not-applicable"))
        .build();
    assert!(matches!(
        evaluate::<Mining>(&holder_na),
        Err(EvalError::InvalidIndicator(m)) if m.contains("only for intermediaries")
    ));
    let unknown = exemplary(800.0)
        .set("ecological_restoration", text("planted-trees"))
        .build();
    assert!(matches!(
        evaluate::<Mining>(&unknown),
        Err(EvalError::InvalidIndicator(m)) if m.contains("planted-trees")
    ));
    let negative = exemplary(800.0)
        .set("violations_3y", Value::Number(-2.0))
        .build();
    assert!(matches!(
        evaluate::<Mining>(&negative),
        Err(EvalError::InvalidIndicator(m)) if m.contains("violations_3y")
    ));
    let missing = exemplary(800.0).without("annual_report_on_time").build();
    assert_eq!(
        evaluate::<Mining>(&missing),
        Err(EvalError::MissingIndicator("annual_report_on_time".into()))
    );
    let mut person = exemplary(800.0).build();
    person.subject.kind = SubjectKind::NaturalPerson;
    assert_eq!(
        evaluate::<Mining>(&person),
        Err(EvalError::UnsupportedSubject(SubjectKind::NaturalPerson))
    );
}

#[test]
fn worked_example_scores_77_90_grade_b() {
    // By hand, for examples/requests/mining.json:
    //   base: 745.00 × 0.02                 = 14.90
    //   annual_report_on_time               = 15.00
    //   no fees in arrears                  = 10.00
    //   safety_accidents_3y 0               = 20.00
    //   ecological_restoration in-progress  =  8.00
    //   violations_3y 1 → 20 − 10           = 10.00
    //   total                               = 77.90, grade B: may bid
    let e = evaluate::<Mining>(&worked_example().build()).unwrap();
    let parts = white_box(&e);
    assert_eq!(
        parts,
        [
            ("base", 1_490),
            ("annual_report_on_time", 1_500),
            ("fees_in_arrears", 1_000),
            ("safety_accidents_3y", 2_000),
            ("ecological_restoration", 800),
            ("violations_3y", 1_000),
        ]
    );
    assert_eq!((e.score, e.grade.as_str()), (7_790, "B"));
    assert!(e.reasons[0].starts_with("grade B: A and B may be candidates"));
    assert!(e.reasons[1].starts_with("violations_3y: 10.00 of 20.00"));
}

#[test]
fn describe_tells_the_truth() {
    let info = Mining::describe();
    assert_eq!(info.name, "mining/rights");
    assert_eq!((info.scale_min, info.scale_max), (0, 10_000));
    let grades: Vec<_> = info.grades.iter().map(|g| g.grade.as_str()).collect();
    assert_eq!(grades, ["A", "B", "C", "D"]);
    let e = evaluate::<Mining>(&worked_example().build()).unwrap();
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
    scorehost_sdk::testing::golden::check::<Mining>(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples"
    )));
}
