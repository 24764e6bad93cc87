//! Domain tests, run natively through the SDK's harness (and, in
//! `scorehost-tests`, against the built component for parity).
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, part, white_box};

/// A model operator: every indicator at full marks (industry part 800).
pub(crate) fn exemplary(base: f64) -> RequestBuilder {
    RequestBuilder::enterprise("91330782MA28XXXX0Y", "2026-11-01")
        .base(base, "A")
        .number("years_in_market", 12.0)
        .flag("license_valid", true)
        .number("verified_complaints_1y", 0.0)
        .number("counterfeit_cases_5y", 0.0)
        .number("honours", 3.0)
        .flag("owns_stall_property", true)
        .number("market_rule_violations_1y", 0.0)
        .flag("party_member_operator", true)
        .number("community_service_events_1y", 8.0)
        .flag("ecommerce_active", true)
        .flag("own_brand", true)
        .number("export_share_pct", 100.0)
}

/// Only the required indicators, with no complaints and no violations:
/// 0 + 0 + 250 + 150 = 400 industry points.
fn minimal(base: f64) -> RequestBuilder {
    RequestBuilder::enterprise("91330782MA28XXXX0Y", "2026-11-01")
        .base(base, "B")
        .number("years_in_market", 0.0)
        .flag("license_valid", false)
        .number("verified_complaints_1y", 0.0)
        .number("market_rule_violations_1y", 0.0)
}

/// An operator whose industry part (everything but the base) is exactly
/// `industry` points, for the grade boundaries.
fn with_industry(base: f64, industry: u32) -> Request {
    let b = minimal(base);
    let b = match industry {
        400 => b,
        // + stall property 50
        450 => b.flag("owns_stall_property", true),
        // + stall property 50 + own brand 50
        500 => b.flag("owns_stall_property", true).flag("own_brand", true),
        // + online 60 + full export 40
        600 => b
            .flag("owns_stall_property", true)
            .flag("own_brand", true)
            .flag("ecommerce_active", true)
            .number("export_share_pct", 100.0),
        // + honours 50 + party building 50
        700 => b
            .flag("owns_stall_property", true)
            .flag("own_brand", true)
            .flag("ecommerce_active", true)
            .number("export_share_pct", 100.0)
            .number("honours", 2.0)
            .flag("party_member_operator", true)
            .number("community_service_events_1y", 5.0),
        800 => return exemplary(base).build(),
        _ => unreachable!("no fixture for {industry}"),
    };
    b.build()
}

#[test]
fn aspects_make_up_the_thousand_points() {
    let total: f64 = ASPECTS.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 1000.0);
    assert_eq!(ASPECTS[0], ("public-credit", 200.0));
    assert_eq!(BASE_WEIGHT_BP, 2000);
    // The base's share of the scale is the public-credit aspect.
    assert_eq!(f64::from(BASE_WEIGHT_BP) / 10_000.0 * 1000.0, ASPECTS[0].1);
}

#[test]
fn exemplary_operator_scores_a_fifth_of_the_base_plus_800() {
    // 200 × p / 1000 + 800, to the hundredth.
    let cases = [
        (0.0, 80_000, "AA"),
        (500.0, 90_000, "AAA"),
        (743.21, 94_864, "AAA"), // 148.642 → 148.64
        (812.5, 96_250, "AAA"),
        (1000.0, 100_000, "AAA"),
    ];
    for (base, score, grade) in cases {
        let e = evaluate::<YiwuMarket>(&exemplary(base).build()).unwrap();
        assert_eq!((e.score, e.grade.as_str()), (score, grade), "base {base}");
        assert_eq!(part(&e, "base"), score - 80_000);
        // Full marks: nothing held the score down.
        assert!(e.reasons.is_empty(), "{:?}", e.reasons);
    }
}

#[test]
fn worked_example_matches_the_hand_computation() {
    // The operator of examples/requests/yiwu-market.json, by hand:
    //   public credit        780 × 0.2                          = 156.00
    //   basic information    7 years × 6 = 42, licence 40       =  82.00
    //   honest operation     250 − 1 complaint × 50, 0 cases    = 200.00
    //   honours & assets     1 honour × 25, no stall property   =  25.00
    //   rule compliance      150 − 2 violations × 30            =  90.00
    //   party building       not a member 0, 3 events × 5       =  15.00
    //   transformation       online 60, no brand 0, 37.3 % × 0.4 =  74.92
    //                                                     total = 642.92 → B
    let req = RequestBuilder::enterprise("91330782MA28XXXX0Y", "2026-11-01")
        .base(780.0, "B")
        .number("years_in_market", 7.0)
        .flag("license_valid", true)
        .number("verified_complaints_1y", 1.0)
        .number("counterfeit_cases_5y", 0.0)
        .number("honours", 1.0)
        .flag("owns_stall_property", false)
        .number("market_rule_violations_1y", 2.0)
        .flag("party_member_operator", false)
        .number("community_service_events_1y", 3.0)
        .flag("ecommerce_active", true)
        .flag("own_brand", false)
        .number("export_share_pct", 37.3)
        .build();
    let e = evaluate::<YiwuMarket>(&req).unwrap();
    let expected = [
        ("base", 15_600),
        ("years_in_market", 4_200),
        ("license_valid", 4_000),
        ("verified_complaints_1y", 20_000),
        ("counterfeit_cases_5y", 0),
        ("honours", 2_500),
        ("owns_stall_property", 0),
        ("market_rule_violations_1y", 9_000),
        ("party_member_operator", 0),
        ("community_service_events_1y", 1_500),
        ("ecommerce_active", 6_000),
        ("own_brand", 0),
        ("export_share_pct", 1_492),
    ];
    let got = white_box(&e);
    assert_eq!(got, expected);
    assert_eq!(e.score, 64_292);
    assert_eq!(e.grade, "B");
    assert_eq!(supervision(&e.grade), "inspected more often");
    // The biggest shortfalls lead the reasons: rule compliance (60 lost),
    // then the first two of the 50-point shortfalls in scorecard order
    // (honest operation, stall property; own brand is fourth).
    assert_eq!(
        e.reasons,
        [
            "market_rule_violations_1y: 90.00 of 150.00 (rule-compliance: 2 market rule violation(s) in the last year, 30 points each)",
            "verified_complaints_1y: 200.00 of 250.00 (honest-operation: 1 verified complaint(s) in the last year, 50 points each)",
            "owns_stall_property: 0.00 of 50.00 (honours-assets: does not own the stall property)",
        ]
    );
}

#[test]
fn every_grade_boundary_is_reachable() {
    // (base, industry part, score, grade); the base moves in steps of 0.01
    // points (0.05 provincial points × 20 %).
    let cases = [
        (500.0, 800, 90_000, "AAA"),
        (499.95, 800, 89_999, "AA"),
        (0.0, 800, 80_000, "AA"),
        (499.95, 700, 79_999, "A"),
        (500.0, 600, 70_000, "A"),
        (499.95, 600, 69_999, "B"),
        (500.0, 500, 60_000, "B"),
        (499.95, 500, 59_999, "C"),
        (250.0, 400, 45_000, "C"),
        (249.95, 400, 44_999, "D"),
    ];
    for (base, industry, score, grade) in cases {
        let e = evaluate::<YiwuMarket>(&with_industry(base, industry)).unwrap();
        assert_eq!(
            (e.score, e.grade.as_str()),
            (score, grade),
            "base {base}, industry {industry}"
        );
        assert_eq!(e.score - part(&e, "base"), Points::from(industry) * 100);
    }
    // The bottom of the scale: no base, five complaints, five violations.
    let floor = minimal(0.0)
        .set("verified_complaints_1y", Value::Number(5.0))
        .set("market_rule_violations_1y", Value::Number(5.0))
        .build();
    let e = evaluate::<YiwuMarket>(&floor).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (0, "D"));
}

#[test]
fn grades_map_to_supervision() {
    let cases = [
        ("AAA", "inspected less often"),
        ("AA", "inspected less often"),
        ("A", "normal inspection"),
        ("B", "inspected more often"),
        ("C", "inspected more often"),
        ("D", "expelled from the market"),
    ];
    for (grade, treatment) in cases {
        assert_eq!(supervision(grade), treatment, "{grade}");
    }
    assert_eq!(supervision("E"), "not a grade of this model");
}

#[test]
fn honest_operation_never_goes_below_zero() {
    let req = exemplary(800.0);
    for complaints in 0..=8 {
        for cases in 0..=4 {
            let r = req
                .clone()
                .set(
                    "verified_complaints_1y",
                    Value::Number(f64::from(complaints)),
                )
                .set("counterfeit_cases_5y", Value::Number(f64::from(cases)))
                .build();
            let e = evaluate::<YiwuMarket>(&r).unwrap();
            let c = part(&e, "verified_complaints_1y");
            let f = part(&e, "counterfeit_cases_5y");
            let aspect = (25_000 - 5_000 * complaints - 12_500 * cases).max(0);
            assert_eq!(
                c + f,
                i64::from(aspect),
                "{complaints} complaints, {cases} cases"
            );
            assert_eq!(c, i64::from((25_000 - 5_000 * complaints).max(0)));
            assert!(f <= 0);
        }
    }
    // Many of both: the aspect is 0, not negative, and the rest stands.
    let r = req
        .clone()
        .set("verified_complaints_1y", Value::Number(40.0))
        .set("counterfeit_cases_5y", Value::Number(12.0))
        .build();
    let e = evaluate::<YiwuMarket>(&r).unwrap();
    assert_eq!(part(&e, "verified_complaints_1y"), 0);
    assert_eq!(part(&e, "counterfeit_cases_5y"), 0);
    // 160 base + 800 − 250 honest operation
    assert_eq!(e.score, 71_000);
    // One complaint, two counterfeit cases: 200 left, 250 deducted → 200.
    let r = req
        .set("verified_complaints_1y", Value::Number(1.0))
        .set("counterfeit_cases_5y", Value::Number(2.0))
        .build();
    let e = evaluate::<YiwuMarket>(&r).unwrap();
    assert_eq!(part(&e, "counterfeit_cases_5y"), -20_000);
    assert!(e.reasons.iter().any(|r| r.contains("limited to the 200")));
}

#[test]
fn black_list_means_credit_bankruptcy() {
    let e = evaluate::<YiwuMarket>(
        &exemplary(1000.0)
            .list("red:honest-merchant")
            .list("black:court-defaulter")
            .build(),
    )
    .unwrap();
    assert_eq!(e.score, 44_999);
    assert_eq!(e.grade, "D");
    assert_eq!(part(&e, "black-list"), 44_999 - 100_000);
    assert!(e.reasons[0].contains("black:court-defaulter"));
    assert!(e.reasons[0].contains("信用破产"));
    assert!(!e.reasons[0].contains("red:"));
    assert_eq!(supervision(&e.grade), "expelled from the market");

    // Already below the cap: nothing to take off, but the reason is given.
    let weak = minimal(100.0)
        .list("black:tax-evasion")
        .set("market_rule_violations_1y", Value::Number(5.0))
        .build();
    let e = evaluate::<YiwuMarket>(&weak).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (27_000, "D")); // 20 + 250
    assert!(e.contributions.iter().all(|c| c.name != "black-list"));
    assert!(e.reasons[0].contains("black:tax-evasion"));

    // A red list alone changes nothing.
    let e = evaluate::<YiwuMarket>(&exemplary(1000.0).list("red:honest-merchant").build()).unwrap();
    assert_eq!(e.score, 100_000);
}

#[test]
fn both_kinds_of_operator_are_scored_alike() {
    let firm = exemplary(700.0).build();
    let mut person = firm.clone();
    person.subject = Subject {
        id: "330782199001011234".into(),
        kind: SubjectKind::NaturalPerson,
    };
    let a = evaluate::<YiwuMarket>(&firm).unwrap();
    let b = evaluate::<YiwuMarket>(&person).unwrap();
    assert_eq!(a.score, 94_000);
    assert_eq!(a, b);
    for kind in [
        SubjectKind::SocialOrganization,
        SubjectKind::PublicInstitution,
        SubjectKind::GovernmentAgency,
    ] {
        let mut other = firm.clone();
        other.subject.kind = kind;
        assert_eq!(
            evaluate::<YiwuMarket>(&other),
            Err(EvalError::UnsupportedSubject(kind))
        );
    }
}

#[test]
fn bad_inputs_are_named() {
    let req = exemplary(800.0);
    for pct in [120.0, -5.0] {
        let r = req
            .clone()
            .set("export_share_pct", Value::Number(pct))
            .build();
        assert!(
            matches!(evaluate::<YiwuMarket>(&r), Err(EvalError::InvalidIndicator(ref m)) if m.starts_with("export_share_pct:")),
            "{pct} %"
        );
    }
    // 0 and 100 are the edges of the range, both accepted.
    for pct in [0.0, 100.0] {
        let r = req
            .clone()
            .set("export_share_pct", Value::Number(pct))
            .build();
        assert!(evaluate::<YiwuMarket>(&r).is_ok(), "{pct} %");
    }
    for name in [
        "years_in_market",
        "verified_complaints_1y",
        "counterfeit_cases_5y",
        "honours",
        "market_rule_violations_1y",
        "community_service_events_1y",
    ] {
        let r = req.clone().set(name, Value::Number(-1.0)).build();
        assert_eq!(
            evaluate::<YiwuMarket>(&r),
            Err(EvalError::InvalidIndicator(format!(
                "{name}: must not be negative, got -1"
            )))
        );
    }
    // Wrong kinds.
    let r = req
        .clone()
        .set("years_in_market", Value::Flag(true))
        .build();
    assert_eq!(
        evaluate::<YiwuMarket>(&r),
        Err(EvalError::InvalidIndicator(
            "years_in_market: expected a number, got a flag".into()
        ))
    );
    let r = req
        .clone()
        .set("own_brand", Value::Text("yes".into()))
        .build();
    assert_eq!(
        evaluate::<YiwuMarket>(&r),
        Err(EvalError::InvalidIndicator(
            "own_brand: expected a flag, got a text".into()
        ))
    );
    // Missing required.
    let r = req.without("license_valid").build();
    assert_eq!(
        evaluate::<YiwuMarket>(&r),
        Err(EvalError::MissingIndicator("license_valid".into()))
    );
    // Given twice.
    let twice = exemplary(800.0).number("honours", 1.0).build();
    assert!(
        matches!(evaluate::<YiwuMarket>(&twice), Err(EvalError::InvalidIndicator(ref m)) if m.contains("more than once"))
    );
}

#[test]
fn optional_indicators_default_to_no_points() {
    // Only the required ones, at full marks where they can be.
    let req = minimal(500.0)
        .set("years_in_market", Value::Number(10.0))
        .set("license_valid", Value::Flag(true))
        .build();
    let e = evaluate::<YiwuMarket>(&req).unwrap();
    // 100 base + 100 basic + 250 honest + 150 rules
    assert_eq!((e.score, e.grade.as_str()), (60_000, "B"));
    assert_eq!(part(&e, "counterfeit_cases_5y"), 0);
    assert_eq!(part(&e, "export_share_pct"), 0);
}

#[test]
fn describe_tells_the_truth() {
    let info = YiwuMarket::describe();
    assert_eq!(info.name, "yiwu/market");
    assert_eq!(info.version, "1.0.0");
    assert_eq!(info.title, "Yiwu market operator credit (义乌市场信用)");
    assert_eq!(
        info.subject_kinds,
        [SubjectKind::Enterprise, SubjectKind::NaturalPerson]
    );
    assert_eq!((info.scale_min, info.scale_max), (0, 100_000));
    assert_eq!(info.base_weight_bp, 2000);
    let grades: Vec<_> = info
        .grades
        .iter()
        .map(|g| (g.grade.as_str(), g.min_score))
        .collect();
    assert_eq!(
        grades,
        [
            ("AAA", 90_000),
            ("AA", 80_000),
            ("A", 70_000),
            ("B", 60_000),
            ("C", 45_000),
            ("D", 0)
        ]
    );
    let required: Vec<_> = info
        .indicators
        .iter()
        .filter(|i| i.required)
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(
        required,
        [
            "years_in_market",
            "license_valid",
            "verified_complaints_1y",
            "market_rule_violations_1y"
        ]
    );
    // Every contribution the model makes is a declared indicator (or one of
    // the base, the black-list rule and the scale bound), and the other way
    // round.
    let e = evaluate::<YiwuMarket>(&exemplary(800.0).list("black:x").build()).unwrap();
    for c in &e.contributions {
        if ["base", "black-list", "scale-bound"].contains(&c.name.as_str()) {
            continue;
        }
        let spec = info.indicators.iter().find(|i| i.name == c.name);
        let spec = spec.unwrap_or_else(|| panic!("{} undeclared", c.name));
        // The declared kind is the kind the model reads.
        let given = exemplary(800.0).build();
        let given = given.indicators.iter().find(|i| i.name == c.name).unwrap();
        let kind = match given.value {
            Value::Number(_) => ValueKind::Number,
            Value::Flag(_) => ValueKind::Flag,
            Value::Text(_) => ValueKind::Text,
            Value::Date(_) => ValueKind::Date,
        };
        assert_eq!(spec.kind, kind, "{}", c.name);
    }
    for i in &info.indicators {
        assert!(
            e.contributions.iter().any(|c| c.name == i.name),
            "{} declared but never counted",
            i.name
        );
    }
    // Each description names its aspect, and at full marks the indicators
    // of each aspect add up to the aspect's maximum.
    let e = evaluate::<YiwuMarket>(&exemplary(1000.0).build()).unwrap();
    for (aspect, max) in ASPECTS {
        let sum: Points = e
            .contributions
            .iter()
            .filter(|c| {
                if c.name == "base" {
                    return aspect == "public-credit";
                }
                let spec = info.indicators.iter().find(|i| i.name == c.name).unwrap();
                spec.description.starts_with(&format!("{aspect} ("))
            })
            .map(|c| c.points)
            .sum();
        assert_eq!(sum, points_from_f64(max), "{aspect}");
    }
    for i in &info.indicators {
        assert!(
            ASPECTS
                .iter()
                .any(|(a, _)| i.description.starts_with(&format!("{a} ("))),
            "{}: no aspect in '{}'",
            i.name,
            i.description
        );
    }
}

/// Frozen: version 1.0.0 answers its sample requests (`samples/`) exactly as
/// it did when it was reviewed and pinned.
#[test]
fn answers_its_samples_as_recorded() {
    scorehost_sdk::testing::golden::check::<YiwuMarket>(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples"
    )));
}
