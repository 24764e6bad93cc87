//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, part, white_box};

/// A sound enterprise at full marks in the four industry dimensions (800).
fn exemplary(base: f64) -> RequestBuilder {
    RequestBuilder::enterprise("91330000MA2AMR0001", "2026-11-01")
        .base(base, "A")
        .flag("annual_report_filed", true)
        .number("legal_rep_changes_1y", 0.0)
        .number("shareholder_changes_1y", 0.0)
        .number("paid_in_capital_10k_cny", 8_000.0)
        .text("tax_credit_grade", "A")
        .number("inspection_failures_1y", 0.0)
        .number("certifications", 3.0)
        .number("revenue_growth_pct", 25.0)
        .number("trademarks", 4.0)
        .number("consumer_complaints_1y", 0.0)
        .flag("abnormal_operations_listed", false)
}

/// The request of examples/requests/market-supervision.json.
fn worked_example() -> RequestBuilder {
    RequestBuilder::enterprise("91330782MA2AMR0042", "2026-11-01")
        .base(736.0, "B")
        .flag("annual_report_filed", true)
        .number("legal_rep_changes_1y", 0.0)
        .number("shareholder_changes_1y", 1.0)
        .number("paid_in_capital_10k_cny", 800.0)
        .text("tax_credit_grade", "B")
        .number("inspection_failures_1y", 0.0)
        .number("certifications", 1.0)
        .number("revenue_growth_pct", 6.5)
        .number("trademarks", 2.0)
        .number("consumer_complaints_1y", 1.0)
        .flag("abnormal_operations_listed", false)
}

#[test]
fn five_dimensions_of_two_hundred() {
    let total: f64 = DIMENSIONS.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 1000.0);
    assert_eq!(DIMENSIONS[0], ("public-credit", 200.0));
    assert_eq!(BASE_WEIGHT_BP, 2000);
}

#[test]
fn full_marks_are_one_thousand_and_low_risk() {
    let e = evaluate::<MarketSupervision>(&exemplary(1000.0).build()).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (100_000, "low"));
    assert!(e.reasons.is_empty(), "{:?}", e.reasons);
    // "low" risk is the top band.
    assert_eq!(bands().to_wit()[0].grade, "low");
}

#[test]
fn public_credit_is_exactly_twenty_percent() {
    for (base, points) in [(812.5, 16_250), (333.33, 6_667), (0.0, 0)] {
        let e = evaluate::<MarketSupervision>(&exemplary(base).build()).unwrap();
        assert_eq!(part(&e, "base"), points, "base {base}");
        assert_eq!(e.score, points + 80_000);
    }
}

#[test]
fn risk_bands_change_exactly_at_their_bounds() {
    // (base, certifications, trademarks, inspection failures, score, risk);
    // full industry 800; base × 0.2.
    let cases = [
        (250.0, 1.0, 0.0, 0.0, 75_000, "low"),
        (249.95, 1.0, 0.0, 0.0, 74_999, "medium"),
        (50.0, 0.0, 0.0, 3.0, 55_000, "medium"),
        (49.95, 0.0, 0.0, 3.0, 54_999, "high"),
    ];
    for (base, c, t, f, score, risk) in cases {
        let req = exemplary(base)
            .set("certifications", Value::Number(c))
            .set("trademarks", Value::Number(t))
            .set("inspection_failures_1y", Value::Number(f))
            .build();
        let e = evaluate::<MarketSupervision>(&req).unwrap();
        assert_eq!((e.score, e.grade.as_str()), (score, risk), "base {base}");
    }
}

#[test]
fn each_dimension_follows_its_rule() {
    let n = Value::Number;
    let t = |s: &str| Value::Text(s.into());
    let cases: [(&str, Value, Points); 22] = [
        ("annual_report_filed", Value::Flag(false), 0),
        ("legal_rep_changes_1y", n(1.0), 3_500),
        ("shareholder_changes_1y", n(1.0), 2_500),
        ("shareholder_changes_1y", n(3.0), 0),
        ("paid_in_capital_10k_cny", n(5_000.0), 10_000),
        ("paid_in_capital_10k_cny", n(1_000.0), 7_500),
        ("paid_in_capital_10k_cny", n(99.0), 2_500),
        ("paid_in_capital_10k_cny", n(0.0), 0),
        ("tax_credit_grade", t("M"), 6_000),
        ("tax_credit_grade", t("D"), 0),
        ("inspection_failures_1y", n(1.0), 8_000),
        ("inspection_failures_1y", n(4.0), 0),
        ("certifications", n(1.0), 4_000),
        ("revenue_growth_pct", n(20.0), 10_000),
        ("revenue_growth_pct", n(0.0), 7_000),
        ("revenue_growth_pct", n(-0.1), 4_000),
        ("revenue_growth_pct", n(-20.0), 4_000),
        ("revenue_growth_pct", n(-35.0), 1_000),
        ("trademarks", n(2.0), 4_000),
        ("consumer_complaints_1y", n(1.0), 3_000),
        ("consumer_complaints_1y", n(9.0), 0),
        ("abnormal_operations_listed", Value::Flag(false), -1),
    ];
    for (name, v, points) in cases {
        let e =
            evaluate::<MarketSupervision>(&exemplary(800.0).set(name, v.clone()).build()).unwrap();
        if points >= 0 {
            assert_eq!(part(&e, name), points, "{name} = {v:?}");
        } else {
            // A trigger flag scores nothing itself.
            assert!(e.contributions.iter().all(|c| c.name != name));
        }
    }
}

#[test]
fn each_rule_trigger_forces_high_risk_and_is_named() {
    let abnormal = exemplary(900.0)
        .set("abnormal_operations_listed", Value::Flag(true))
        .build();
    let e = evaluate::<MarketSupervision>(&abnormal).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (54_999, "high"));
    assert!(
        e.reasons[0].contains("abnormal operations list"),
        "{:?}",
        e.reasons
    );
    assert_eq!(part(&e, "rule-trigger"), 54_999 - 98_000);

    let black = exemplary(900.0)
        .list("black:serious-illegal-dishonesty")
        .build();
    let e = evaluate::<MarketSupervision>(&black).unwrap();
    assert_eq!(e.grade, "high");
    assert!(e.reasons[0].contains("black:serious-illegal-dishonesty"));

    // One change of legal representative costs 35; two are "sudden".
    let one = exemplary(900.0)
        .set("legal_rep_changes_1y", Value::Number(1.0))
        .build();
    let e = evaluate::<MarketSupervision>(&one).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (94_500, "low"));
    let two = exemplary(900.0)
        .set("legal_rep_changes_1y", Value::Number(2.0))
        .build();
    let e = evaluate::<MarketSupervision>(&two).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (54_999, "high"));
    assert!(e.reasons[0].contains("sudden change of legal representative (2 changes"));

    // All three at once: one cap, every trigger named.
    let all = exemplary(900.0)
        .list("black:x")
        .set("abnormal_operations_listed", Value::Flag(true))
        .set("legal_rep_changes_1y", Value::Number(3.0))
        .build();
    let e = evaluate::<MarketSupervision>(&all).unwrap();
    assert_eq!(e.score, 54_999);
    for t in ["abnormal operations", "black:x", "legal representative"] {
        assert!(e.reasons[0].contains(t), "{t}: {}", e.reasons[0]);
    }
    assert_eq!(
        e.contributions
            .iter()
            .filter(|c| c.name == "rule-trigger")
            .count(),
        1
    );

    // Already high risk: the score stands, the trigger is still named.
    let weak = exemplary(0.0)
        .set("abnormal_operations_listed", Value::Flag(true))
        .set("inspection_failures_1y", Value::Number(5.0))
        .set("tax_credit_grade", Value::Text("D".into()))
        .set("annual_report_filed", Value::Flag(false))
        .build();
    let e = evaluate::<MarketSupervision>(&weak).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (50_000, "high"));
    assert!(e.reasons[0].contains("abnormal operations list") && e.reasons[0].contains("already"));
}

#[test]
fn bad_inputs_are_refused_by_name() {
    let tax = exemplary(800.0)
        .set("tax_credit_grade", Value::Text("AAA".into()))
        .build();
    assert!(matches!(
        evaluate::<MarketSupervision>(&tax),
        Err(EvalError::InvalidIndicator(m)) if m.contains("tax_credit_grade") && m.contains("AAA")
    ));
    let growth = exemplary(800.0)
        .set("revenue_growth_pct", Value::Number(-150.0))
        .build();
    assert!(matches!(
        evaluate::<MarketSupervision>(&growth),
        Err(EvalError::InvalidIndicator(m)) if m.contains("revenue_growth_pct")
    ));
    let capital = exemplary(800.0)
        .set("paid_in_capital_10k_cny", Value::Number(-1.0))
        .build();
    assert!(matches!(
        evaluate::<MarketSupervision>(&capital),
        Err(EvalError::InvalidIndicator(m)) if m.contains("paid_in_capital_10k_cny")
    ));
    let missing = exemplary(800.0)
        .without("abnormal_operations_listed")
        .build();
    assert_eq!(
        evaluate::<MarketSupervision>(&missing),
        Err(EvalError::MissingIndicator(
            "abnormal_operations_listed".into()
        ))
    );
    let mut person = exemplary(800.0).build();
    person.subject.kind = SubjectKind::NaturalPerson;
    assert_eq!(
        evaluate::<MarketSupervision>(&person),
        Err(EvalError::UnsupportedSubject(SubjectKind::NaturalPerson))
    );
}

#[test]
fn worked_example_scores_752_20_low_risk() {
    // By hand, for examples/requests/market-supervision.json:
    //   public credit 736.00 × 0.20                      = 147.20
    //   governance: report 80 + rep changes 0 → 70
    //               + 1 shareholder change → 25          = 175.00
    //   capital: paid-in 800 (≥ 100) 50 + tax B 80       = 130.00
    //   quality: no failures 120 + 1 certification 40    = 160.00
    //   market: growth 6.5 % 70 + 2 trademarks 40
    //           + 1 complaint → 30                       = 140.00
    //   no trigger; total                                = 752.20, low risk
    let e = evaluate::<MarketSupervision>(&worked_example().build()).unwrap();
    let parts = white_box(&e);
    assert_eq!(
        parts,
        [
            ("base", 14_720),
            ("annual_report_filed", 8_000),
            ("legal_rep_changes_1y", 7_000),
            ("shareholder_changes_1y", 2_500),
            ("paid_in_capital_10k_cny", 5_000),
            ("tax_credit_grade", 8_000),
            ("inspection_failures_1y", 12_000),
            ("certifications", 4_000),
            ("revenue_growth_pct", 7_000),
            ("trademarks", 4_000),
            ("consumer_complaints_1y", 3_000),
        ]
    );
    assert_eq!((e.score, e.grade.as_str()), (75_220, "low"));
    assert!(e.reasons[0].starts_with("paid_in_capital_10k_cny: 50.00 of 100.00"));
}

#[test]
fn describe_tells_the_truth() {
    let info = MarketSupervision::describe();
    assert_eq!(info.name, "amr/risk");
    let grades: Vec<_> = info.grades.iter().map(|g| g.grade.as_str()).collect();
    assert_eq!(grades, ["low", "medium", "high"]);
    let e = evaluate::<MarketSupervision>(&worked_example().build()).unwrap();
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
    scorehost_sdk::testing::golden::check::<MarketSupervision>(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples"
    )));
}
