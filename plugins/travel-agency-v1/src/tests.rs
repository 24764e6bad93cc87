//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, part, white_box};

/// A large, well-run agency at full industry marks (800).
fn exemplary(base: f64) -> RequestBuilder {
    RequestBuilder::enterprise("91330000MA2TRAVEL1", "2026-11-01")
        .base(base, "A")
        .number("annual_visitors", 120_000.0)
        .number("branch_outlets", 6.0)
        .number("annual_revenue_10k_cny", 25_000.0)
        .number("licensed_guides", 30.0)
        .flag("standard_contract_used", true)
        .flag("quality_deposit_full", true)
        .flag("liability_insurance", true)
        .number("valid_complaints_1y", 0.0)
        .number("penalties_3y", 0.0)
        .number("honours_3y", 2.0)
}

/// The request of examples/requests/travel-agency.json.
fn worked_example() -> RequestBuilder {
    RequestBuilder::enterprise("91330106MA2TRAVEL7", "2026-11-01")
        .base(790.0, "B")
        .number("annual_visitors", 18_500.0)
        .number("branch_outlets", 3.0)
        .number("annual_revenue_10k_cny", 3_600.0)
        .number("licensed_guides", 8.0)
        .flag("standard_contract_used", true)
        .flag("quality_deposit_full", true)
        .flag("liability_insurance", true)
        .number("valid_complaints_1y", 2.0)
        .number("penalties_3y", 0.0)
        .number("honours_3y", 1.0)
}

#[test]
fn seven_first_level_indicators_make_one_thousand() {
    assert_eq!(FIRST_LEVEL.len(), 7);
    let total: f64 = FIRST_LEVEL.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 1000.0);
    assert_eq!(FIRST_LEVEL[0], ("public-credit", 200.0));
    assert_eq!(BASE_WEIGHT_BP, 2000);
}

#[test]
fn full_marks_are_one_thousand_grade_a() {
    let e = evaluate::<TravelAgency>(&exemplary(1000.0).build()).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (100_000, "A"));
    assert!(e.reasons.is_empty(), "{:?}", e.reasons);
}

#[test]
fn public_credit_is_exactly_twenty_percent() {
    for (base, points) in [(812.5, 16_250), (333.33, 6_667), (0.0, 0)] {
        let e = evaluate::<TravelAgency>(&exemplary(base).build()).unwrap();
        assert_eq!(part(&e, "base"), points, "base {base}");
        assert_eq!(e.score, points + 80_000);
    }
}

#[test]
fn grades_change_exactly_at_their_bands() {
    // (base, penalties, complaints, honours, score, grade); full industry 800,
    // a penalty −50, a complaint −30, no honours −50; base × 0.2.
    let cases = [
        (250.0, 0.0, 0.0, 2.0, 85_000, "A"),
        (249.95, 0.0, 0.0, 2.0, 84_999, "B"),
        (250.0, 2.0, 0.0, 2.0, 75_000, "B"),
        (249.95, 2.0, 0.0, 2.0, 74_999, "C"),
        (250.0, 3.0, 0.0, 0.0, 65_000, "C"),
        (249.95, 3.0, 0.0, 0.0, 64_999, "D"),
        (50.0, 3.0, 2.0, 0.0, 55_000, "D"),
        (49.95, 3.0, 2.0, 0.0, 54_999, "E"),
    ];
    for (base, p, c, h, score, grade) in cases {
        let req = exemplary(base)
            .set("penalties_3y", Value::Number(p))
            .set("valid_complaints_1y", Value::Number(c))
            .set("honours_3y", Value::Number(h))
            .build();
        let e = evaluate::<TravelAgency>(&req).unwrap();
        assert_eq!(
            (e.score, e.grade.as_str()),
            (score, grade),
            "base {base}, {p} penalties, {c} complaints, {h} honours"
        );
    }
}

#[test]
fn each_indicator_follows_its_rule() {
    let n = Value::Number;
    let cases: [(&str, Value, Points); 17] = [
        ("annual_visitors", n(50_000.0), 9_000),
        ("annual_visitors", n(49_999.0), 7_000),
        ("annual_visitors", n(2_000.0), 4_500),
        ("annual_visitors", n(1_999.0), 2_000),
        ("branch_outlets", n(2.0), 3_000),
        ("annual_revenue_10k_cny", n(2_000.0), 7_000),
        ("annual_revenue_10k_cny", n(499.0), 2_000),
        ("licensed_guides", n(3.0), 1_800),
        ("standard_contract_used", Value::Flag(false), 0),
        ("quality_deposit_full", Value::Flag(false), 0),
        ("liability_insurance", Value::Flag(false), 0),
        ("valid_complaints_1y", n(1.0), 12_000),
        ("valid_complaints_1y", n(5.0), 0),
        ("penalties_3y", n(1.0), 10_000),
        ("penalties_3y", n(4.0), 0),
        ("honours_3y", n(1.0), 2_500),
        ("honours_3y", n(7.0), 5_000),
    ];
    for (name, v, points) in cases {
        let e = evaluate::<TravelAgency>(&exemplary(800.0).set(name, v.clone()).build()).unwrap();
        assert_eq!(part(&e, name), points, "{name} = {v:?}");
    }
}

#[test]
fn black_list_forces_grade_e() {
    let e =
        evaluate::<TravelAgency>(&exemplary(900.0).list("black:zero-fare-tours").build()).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (54_999, "E"));
    assert!(e.reasons[0].contains("black:zero-fare-tours"));
    assert_eq!(part(&e, "black-list"), 54_999 - 98_000);
    // Already E: the score stands, and the reason says so.
    let weak = exemplary(0.0)
        .list("black:x")
        .set("penalties_3y", Value::Number(3.0))
        .set("valid_complaints_1y", Value::Number(5.0))
        .build();
    let e = evaluate::<TravelAgency>(&weak).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (50_000, "E"));
    assert!(e.reasons[0].contains("already below D"));
}

#[test]
fn bad_inputs_are_refused_by_name() {
    let negative = exemplary(800.0)
        .set("annual_visitors", Value::Number(-5.0))
        .build();
    assert!(matches!(
        evaluate::<TravelAgency>(&negative),
        Err(EvalError::InvalidIndicator(m)) if m.contains("annual_visitors") && m.contains("negative")
    ));
    let wrong = exemplary(800.0)
        .set("liability_insurance", Value::Text("yes".into()))
        .build();
    assert!(matches!(
        evaluate::<TravelAgency>(&wrong),
        Err(EvalError::InvalidIndicator(m)) if m.contains("liability_insurance") && m.contains("flag")
    ));
    let twice = exemplary(800.0).number("penalties_3y", 1.0).build();
    assert!(matches!(
        evaluate::<TravelAgency>(&twice),
        Err(EvalError::InvalidIndicator(m)) if m.contains("more than once")
    ));
    let missing = exemplary(800.0).without("valid_complaints_1y").build();
    assert_eq!(
        evaluate::<TravelAgency>(&missing),
        Err(EvalError::MissingIndicator("valid_complaints_1y".into()))
    );
    let mut org = exemplary(800.0).build();
    org.subject.kind = SubjectKind::SocialOrganization;
    assert_eq!(
        evaluate::<TravelAgency>(&org),
        Err(EvalError::UnsupportedSubject(
            SubjectKind::SocialOrganization
        ))
    );
}

#[test]
fn worked_example_scores_806_grade_b() {
    // By hand, for examples/requests/travel-agency.json:
    //   public credit 790.00 × 0.20                = 158.00
    //   annual_visitors 18,500 (≥ 10,000)          =  70.00
    //   branch_outlets 3 × 15                      =  45.00
    //   annual_revenue_10k_cny 3,600 (≥ 2,000)     =  70.00
    //   licensed_guides 8 × 6                      =  48.00
    //   contract 60 + deposit 40 + insurance 50    = 150.00
    //   valid_complaints_1y 2 → 150 − 60           =  90.00
    //   penalties_3y 0                             = 150.00
    //   honours_3y 1 × 25                          =  25.00
    //   total                                      = 806.00, grade B
    let e = evaluate::<TravelAgency>(&worked_example().build()).unwrap();
    let parts = white_box(&e);
    assert_eq!(
        parts,
        [
            ("base", 15_800),
            ("annual_visitors", 7_000),
            ("branch_outlets", 4_500),
            ("annual_revenue_10k_cny", 7_000),
            ("licensed_guides", 4_800),
            ("standard_contract_used", 6_000),
            ("quality_deposit_full", 4_000),
            ("liability_insurance", 5_000),
            ("valid_complaints_1y", 9_000),
            ("penalties_3y", 15_000),
            ("honours_3y", 2_500),
        ]
    );
    assert_eq!((e.score, e.grade.as_str()), (80_600, "B"));
    assert!(e.reasons[0].starts_with("valid_complaints_1y: 90.00 of 150.00"));
}

#[test]
fn describe_tells_the_truth() {
    let info = TravelAgency::describe();
    assert_eq!(info.name, "tourism/travel-agency");
    let grades: Vec<_> = info.grades.iter().map(|g| g.grade.as_str()).collect();
    assert_eq!(grades, ["A", "B", "C", "D", "E"]);
    let e = evaluate::<TravelAgency>(&worked_example().build()).unwrap();
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
    scorehost_sdk::testing::golden::check::<TravelAgency>(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples"
    )));
}
