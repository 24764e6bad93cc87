//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate};

/// A well-run freight forwarder: every indicator at full marks.
pub(crate) fn exemplary(base: f64) -> RequestBuilder {
    RequestBuilder::enterprise("91330200MA2AAAAA1X", "2026-11-01")
        .base(base, "A")
        .text("business_type", "freight-forwarder")
        .number("years_in_operation", 12.0)
        .number("registered_capital_10k_cny", 2000.0)
        .text("tax_credit_grade", "A")
        .flag("overdue_debts", false)
        .number("annual_revenue_10k_cny", 15_000.0)
        .flag("aeo_certified", true)
        .number("customs_violations_3y", 0.0)
        .flag("social_insurance_compliant", true)
        .number("industry_honours", 3.0)
}

#[test]
fn dimensions_make_up_the_industry_seventy_percent() {
    let total: f64 = DIMENSIONS.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 700.0);
    assert_eq!(BASE_WEIGHT_BP, 3000);
}

#[test]
fn provincial_base_counts_exactly_thirty_percent() {
    let e = evaluate::<NingboPort>(&exemplary(812.5).build()).unwrap();
    let base = e.contributions.iter().find(|c| c.name == "base").unwrap();
    assert_eq!(base.points, 24_375); // 812.50 × 0.30 = 243.75
    // Full industry marks (700) + 243.75.
    assert_eq!(e.score, 94_375);
    assert_eq!(e.grade, "A");
}

#[test]
fn grades_follow_the_bands() {
    // Industry part 700 at full marks; base moves the total.
    let cases = [(1000.0, "A"), (500.0, "A"), (0.0, "B")];
    for (base, grade) in cases {
        let e = evaluate::<NingboPort>(&exemplary(base).build()).unwrap();
        assert_eq!(e.grade, grade, "base {base}: score {}", e.score);
    }
    // A weak broker: D.
    let weak = RequestBuilder::enterprise("x", "2026-11-01")
        .base(400.0, "C")
        .text("business_type", "customs-broker")
        .number("years_in_operation", 1.0)
        .text("tax_credit_grade", "C")
        .flag("overdue_debts", true)
        .number("annual_revenue_10k_cny", 100.0)
        .number("customs_violations_3y", 2.0)
        .build();
    let e = evaluate::<NingboPort>(&weak).unwrap();
    // 120 + 6 + 0 + 30 + 0 + 10 + 0 + 50 + 0 + 0 = 216
    assert_eq!(e.score, 21_600);
    assert_eq!(e.grade, "D");
}

#[test]
fn customs_violations_cost_fifty_each_down_to_zero() {
    for (n, pts) in [(0.0, 15_000), (1.0, 10_000), (3.0, 0), (7.0, 0)] {
        let e =
            evaluate::<NingboPort>(&exemplary(800.0).number("customs_violations_3y", n).build());
        // the builder appends a second value: the model must refuse the duplicate
        assert!(
            matches!(e, Err(EvalError::InvalidIndicator(ref m)) if m.contains("more than once"))
        );
        let mut req = exemplary(800.0).build();
        req.indicators.retain(|i| i.name != "customs_violations_3y");
        req.indicators.push(Indicator {
            name: "customs_violations_3y".into(),
            value: Value::Number(n),
            observed_on: None,
            source: Some("customs".into()),
        });
        let e = evaluate::<NingboPort>(&req).unwrap();
        let c = e
            .contributions
            .iter()
            .find(|c| c.name == "customs_violations_3y")
            .unwrap();
        assert_eq!(c.points, pts, "{n} violations");
    }
}

#[test]
fn black_list_forces_grade_d() {
    let e =
        evaluate::<NingboPort>(&exemplary(900.0).list("black:court-defaulter").build()).unwrap();
    assert_eq!(e.score, 54_999);
    assert_eq!(e.grade, "D");
    assert!(e.reasons[0].contains("black:court-defaulter"));
    assert!(
        e.contributions
            .iter()
            .any(|c| c.name == "black-list" && c.points < 0)
    );
}

#[test]
fn bad_inputs_are_named() {
    let req = exemplary(800.0).build();
    let no_tax = exemplary(800.0).without("tax_credit_grade").build();
    assert_eq!(
        evaluate::<NingboPort>(&no_tax),
        Err(EvalError::MissingIndicator("tax_credit_grade".into()))
    );
    let bad_type = exemplary(800.0)
        .set("business_type", Value::Text("airline".into()))
        .build();
    assert!(
        matches!(evaluate::<NingboPort>(&bad_type), Err(EvalError::InvalidIndicator(m)) if m.contains("airline"))
    );
    let mut person = req;
    person.subject.kind = SubjectKind::NaturalPerson;
    assert_eq!(
        evaluate::<NingboPort>(&person),
        Err(EvalError::UnsupportedSubject(SubjectKind::NaturalPerson))
    );
}

#[test]
fn describe_tells_the_truth() {
    let info = NingboPort::describe();
    assert_eq!(info.name, "ningbo/port");
    assert_eq!(info.base_weight_bp, 3000);
    let grades: Vec<_> = info.grades.iter().map(|g| g.grade.as_str()).collect();
    assert_eq!(grades, ["A", "B", "C", "D"]);
    // Every indicator the model reads is declared.
    let e = evaluate::<NingboPort>(&exemplary(800.0).build()).unwrap();
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
    scorehost_sdk::testing::golden::check::<NingboPort>(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples"
    )));
}
