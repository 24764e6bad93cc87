//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, ok, part};

/// A sound small enterprise: every indicator at full marks, on a red list.
fn exemplary() -> RequestBuilder {
    RequestBuilder::enterprise("91331000MA2AAAAA1T", "2026-11-01")
        .base(700.0, "B")
        .list("red:tax-a-grade")
        .number("years_in_operation", 12.0)
        .number("overdue_loans_12m", 0.0)
        .flag("cultivation_pool", true)
        .flag("tax_arrears", false)
        .number("tax_paid_change_pct", 5.0)
        .number("power_use_change_pct", 3.0)
        .number("violations_12m", 0.0)
        .number("related_parties_black_listed", 0.0)
        .number("rating_change_notches", 1.0)
}

/// Changes of number indicators from full marks, the score and grade they give.
type GradeCase<'a> = (&'a [(&'a str, f64)], Points, &'a str);

#[test]
fn lists_are_ten_percent_and_the_rest_ninety() {
    let industry: f64 = DIMENSIONS.iter().map(|(_, p)| p).sum();
    assert_eq!(industry, 900.0);
    assert_eq!(LISTS_RED * 10_000.0 / 1000.0, f64::from(BASE_WEIGHT_BP));
}

#[test]
fn full_marks_are_a_thousand_and_aaa() {
    let e = ok::<TaizhouFinance>(&exemplary().build());
    assert_eq!(e.score, 100_000);
    assert_eq!(e.grade, "AAA");
    assert!(e.reasons.is_empty(), "{:?}", e.reasons);
}

#[test]
fn the_base_is_the_lists_share_not_the_provincial_score() {
    // Red list: 100 (full 10 %); neither list: 80; black list: 0.
    let red = ok::<TaizhouFinance>(&exemplary().build());
    assert_eq!(part(&red, "base"), 10_000);
    let clear = {
        let mut r = exemplary().build();
        r.base.lists.clear();
        ok::<TaizhouFinance>(&r)
    };
    assert_eq!(part(&clear, "base"), 8_000);
    assert_eq!(clear.score, 98_000);
    let black = ok::<TaizhouFinance>(&exemplary().list("black:court-defaulter").build());
    assert_eq!(part(&black, "base"), 0);
    // The provincial score itself moves nothing.
    for score in [0.0, 455.5, 1000.0] {
        assert_eq!(
            ok::<TaizhouFinance>(&exemplary().base(score, "C").build()).score,
            100_000
        );
    }
}

#[test]
fn grades_change_exactly_at_their_bands() {
    // Each case: (changes from full marks, expected score, grade).
    let cases: [GradeCase; 8] = [
        (&[("violations_12m", 2.0)], 90_000, "AAA"),
        (
            &[("violations_12m", 2.0), ("years_in_operation", 9.999)],
            89_999,
            "AA",
        ),
        (
            &[("violations_12m", 3.0), ("rating_change_notches", -2.0)],
            80_000,
            "AA",
        ),
        (
            &[
                ("violations_12m", 3.0),
                ("rating_change_notches", -2.0),
                ("years_in_operation", 9.999),
            ],
            79_999,
            "A",
        ),
        (
            &[
                ("violations_12m", 3.0),
                ("related_parties_black_listed", 2.0),
                ("rating_change_notches", -2.0),
            ],
            70_000,
            "A",
        ),
        (
            &[
                ("violations_12m", 3.0),
                ("related_parties_black_listed", 2.0),
                ("rating_change_notches", -2.0),
                ("years_in_operation", 9.999),
            ],
            69_999,
            "B",
        ),
        (
            &[
                ("violations_12m", 3.0),
                ("related_parties_black_listed", 2.0),
                ("rating_change_notches", -2.0),
                ("overdue_loans_12m", 1.0),
                ("power_use_change_pct", -5.0),
                ("years_in_operation", 9.0),
            ],
            60_000,
            "B",
        ),
        (
            &[
                ("violations_12m", 3.0),
                ("related_parties_black_listed", 2.0),
                ("rating_change_notches", -2.0),
                ("overdue_loans_12m", 1.0),
                ("power_use_change_pct", -5.0),
                ("years_in_operation", 8.999),
            ],
            59_999,
            "C",
        ),
    ];
    for (changes, score, grade) in cases {
        let changes: Vec<_> = changes
            .iter()
            .map(|(n, v)| (*n, Value::Number(*v)))
            .collect();
        let req = changes
            .iter()
            .fold(exemplary(), |b, (n, v)| b.set(n, v.clone()))
            .build();
        let e = ok::<TaizhouFinance>(&req);
        assert_eq!((e.score, e.grade.as_str()), (score, grade), "{changes:?}");
    }
}

#[test]
fn credit_file_rules() {
    for (years, pts) in [(0.0, 0), (5.0, 5_000), (10.0, 10_000), (30.0, 10_000)] {
        let e = ok::<TaizhouFinance>(
            &exemplary()
                .set("years_in_operation", Value::Number(years))
                .build(),
        );
        assert_eq!(part(&e, "years_in_operation"), pts, "{years} years");
    }
    for (n, pts) in [
        (0.0, 12_000),
        (1.0, 6_000),
        (2.0, 0),
        (5.0, 0),
        (1.7, 6_000),
    ] {
        let e = ok::<TaizhouFinance>(
            &exemplary()
                .set("overdue_loans_12m", Value::Number(n))
                .build(),
        );
        assert_eq!(part(&e, "overdue_loans_12m"), pts, "{n} overdue");
    }
    let e = ok::<TaizhouFinance>(
        &exemplary()
            .set("cultivation_pool", Value::Flag(false))
            .build(),
    );
    assert_eq!(part(&e, "cultivation_pool"), 0);
    let absent = exemplary().without("cultivation_pool").build();
    assert_eq!(part(&ok::<TaizhouFinance>(&absent), "cultivation_pool"), 0);
}

#[test]
fn tax_rules_and_their_warnings() {
    let e = ok::<TaizhouFinance>(&exemplary().set("tax_arrears", Value::Flag(true)).build());
    assert_eq!(part(&e, "tax_arrears"), 0);
    assert_eq!(e.reasons[0], "risk warning: tax arrears recorded");
    for (change, pts, warned) in [
        (12.0, 9_000, false),
        (0.0, 9_000, false),
        (-5.0, 7_000, false),
        (-29.9, 4_000, false),
        (-30.0, 0, true),
        (-100.0, 0, true),
    ] {
        let e = ok::<TaizhouFinance>(
            &exemplary()
                .set("tax_paid_change_pct", Value::Number(change))
                .build(),
        );
        assert_eq!(part(&e, "tax_paid_change_pct"), pts, "{change} %");
        assert_eq!(
            e.reasons
                .iter()
                .any(|r| r.starts_with("risk warning: tax paid down")),
            warned,
            "{change} %: {:?}",
            e.reasons
        );
    }
}

#[test]
fn power_use_rules_and_the_warning_text() {
    for (change, pts) in [
        (20.0, 15_000),
        (0.0, 15_000),
        (-9.9, 12_000),
        (-10.0, 6_000),
        (-29.9, 6_000),
        (-30.0, 0),
    ] {
        let e = ok::<TaizhouFinance>(
            &exemplary()
                .set("power_use_change_pct", Value::Number(change))
                .build(),
        );
        assert_eq!(part(&e, "power_use_change_pct"), pts, "{change} %");
    }
    let e = ok::<TaizhouFinance>(
        &exemplary()
            .set("power_use_change_pct", Value::Number(-45.0))
            .build(),
    );
    assert_eq!(
        e.reasons[0],
        "risk warning: electricity use down 45 % year on year"
    );
    assert_eq!(e.score, 85_000);
    assert_eq!(e.grade, "AA");
}

#[test]
fn violations_related_parties_and_rating_volatility() {
    for (n, pts) in [(0.0, 15_000), (1.0, 10_000), (3.0, 0), (4.0, 0)] {
        let e = ok::<TaizhouFinance>(&exemplary().set("violations_12m", Value::Number(n)).build());
        assert_eq!(part(&e, "violations_12m"), pts, "{n} violations");
        assert_eq!(
            e.reasons.iter().any(|r| r.contains("violation(s) of law")),
            n > 0.0
        );
    }
    for (n, pts) in [(0.0, 10_000), (1.0, 4_000), (2.0, 0), (9.0, 0)] {
        let e = ok::<TaizhouFinance>(
            &exemplary()
                .set("related_parties_black_listed", Value::Number(n))
                .build(),
        );
        assert_eq!(part(&e, "related_parties_black_listed"), pts, "{n} related");
    }
    for (n, pts, warned) in [
        (2.0, 5_000, false),
        (0.0, 5_000, false),
        (-1.0, 2_500, false),
        (-2.0, 0, true),
        (-4.0, 0, true),
    ] {
        let e = ok::<TaizhouFinance>(
            &exemplary()
                .set("rating_change_notches", Value::Number(n))
                .build(),
        );
        assert_eq!(part(&e, "rating_change_notches"), pts, "{n} notches");
        assert_eq!(
            e.reasons
                .iter()
                .any(|r| r.starts_with("risk warning: credit rating down")),
            warned
        );
    }
    let absent = exemplary().without("rating_change_notches").build();
    assert_eq!(
        part(&ok::<TaizhouFinance>(&absent), "rating_change_notches"),
        5_000
    );
}

#[test]
fn warnings_lead_the_reasons_most_important_first() {
    let req = exemplary()
        .list("black:tax-evasion")
        .set("tax_arrears", Value::Flag(true))
        .set("tax_paid_change_pct", Value::Number(-40.0))
        .set("power_use_change_pct", Value::Number(-45.4))
        .set("violations_12m", Value::Number(2.0))
        .set("related_parties_black_listed", Value::Number(1.0))
        .set("rating_change_notches", Value::Number(-3.0))
        .build();
    let e = ok::<TaizhouFinance>(&req);
    // 0 + 100 + 120 + 80 + 0 + 0 + 0 + 50 + 40 + 0 = 390: already under the cap.
    assert_eq!(e.score, 39_000);
    assert_eq!(e.grade, "C");
    assert_eq!(
        e.reasons[..7],
        [
            "on a provincial black list (black:tax-evasion): capped at 599.99, grade C",
            "risk warning: 1 related part(ies) on a black list",
            "risk warning: tax arrears recorded",
            "risk warning: electricity use down 45 % year on year",
            "risk warning: tax paid down 40 % year on year",
            "risk warning: 2 violation(s) of law or regulation in 12 months",
            "risk warning: credit rating down 3 notches in 12 months",
        ]
    );
    assert!(!e.contributions.iter().any(|c| c.name == "black-list"));
}

#[test]
fn black_list_caps_at_grade_c() {
    let e = ok::<TaizhouFinance>(&exemplary().list("black:court-defaulter").build());
    // 900 without the lists' 100, capped at 599.99.
    assert_eq!(e.score, 59_999);
    assert_eq!(e.grade, "C");
    assert_eq!(part(&e, "black-list"), 59_999 - 90_000);
    assert!(e.reasons[0].contains("black:court-defaulter"));
}

#[test]
fn bad_values_are_refused_by_name() {
    assert_eq!(
        evaluate::<TaizhouFinance>(
            &exemplary()
                .set("power_use_change_pct", Value::Number(-120.0))
                .build()
        ),
        Err(EvalError::InvalidIndicator(
            "power_use_change_pct: a fall cannot exceed 100 %, got -120".into()
        ))
    );
    assert_eq!(
        evaluate::<TaizhouFinance>(
            &exemplary()
                .set("rating_change_notches", Value::Number(-1.5))
                .build()
        ),
        Err(EvalError::InvalidIndicator(
            "rating_change_notches: must be a whole number of notches, got -1.5".into()
        ))
    );
    assert!(matches!(
        evaluate::<TaizhouFinance>(&exemplary().set("violations_12m", Value::Number(-1.0)).build()),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("violations_12m: must not be negative")
    ));
    assert!(matches!(
        evaluate::<TaizhouFinance>(&exemplary().set("tax_arrears", Value::Text("no".into())).build()),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("tax_arrears")
    ));
    let missing = exemplary().without("power_use_change_pct").build();
    assert_eq!(
        evaluate::<TaizhouFinance>(&missing),
        Err(EvalError::MissingIndicator("power_use_change_pct".into()))
    );
    let mut person = exemplary().build();
    person.subject.kind = SubjectKind::NaturalPerson;
    assert_eq!(
        evaluate::<TaizhouFinance>(&person),
        Err(EvalError::UnsupportedSubject(SubjectKind::NaturalPerson))
    );
}

/// `examples/requests/taizhou-finance.json`, value for value.
#[test]
fn the_example_request_scores_765_grade_a() {
    let req = RequestBuilder::enterprise("91331002MA2BBBBB2K", "2026-11-01")
        .base(760.0, "B")
        .number("years_in_operation", 6.0)
        .number("overdue_loans_12m", 0.0)
        .flag("cultivation_pool", true)
        .flag("tax_arrears", false)
        .number("tax_paid_change_pct", 8.5)
        .number("power_use_change_pct", -45.0)
        .number("violations_12m", 0.0)
        .number("related_parties_black_listed", 0.0)
        .number("rating_change_notches", -1.0)
        .build();
    let e = ok::<TaizhouFinance>(&req);
    // 80 + 60 + 120 + 80 + 60 + 90 + 0 + 150 + 100 + 25
    assert_eq!(e.score, 76_500);
    assert_eq!(e.grade, "A");
    assert_eq!(
        e.reasons,
        [
            "risk warning: electricity use down 45 % year on year",
            "power_use_change_pct: 0.00 of 150.00 (power use: electricity use down 45 % year on year)",
            "years_in_operation: 60.00 of 100.00 (credit file: 10 points a year in operation, at most 10 years)",
            "rating_change_notches: 25.00 of 50.00 (rating volatility: credit rating moved -1 notch(es) in 12 months)",
        ]
    );
}

#[test]
fn describe_tells_the_truth() {
    let info = TaizhouFinance::describe();
    assert_eq!(info.name, "taizhou/finance");
    assert_eq!(info.version, "1.0.0");
    assert_eq!(info.base_weight_bp, 1000);
    let grades: Vec<_> = info.grades.iter().map(|g| g.grade.as_str()).collect();
    assert_eq!(grades, ["AAA", "AA", "A", "B", "C"]);
    let e = ok::<TaizhouFinance>(&exemplary().build());
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
    scorehost_sdk::testing::golden::check::<TaizhouFinance>(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples"
    )));
}
