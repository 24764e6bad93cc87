//! Domain tests, run natively through the SDK's harness and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers. Each rule's test quotes the
//! source line it follows (《信用浙江》2020 no. 1–2,
//! `credit-zhejiang-2020-01.txt`).
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, ok, part, white_box};

/// A model operator: every indicator at full marks (1000 points), with a
/// provincial grade of A.
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
/// 312.5 + 187.5 = 500 points.
fn minimal(base: f64) -> RequestBuilder {
    RequestBuilder::enterprise("91330782MA28XXXX0Y", "2026-11-01")
        .base(base, "B")
        .number("years_in_market", 0.0)
        .flag("license_valid", false)
        .number("verified_complaints_1y", 0.0)
        .number("market_rule_violations_1y", 0.0)
}

/// The request with the provincial grade `grade` instead.
fn with_grade(b: RequestBuilder, grade: &str) -> Request {
    let mut r = b.build();
    r.base.grade = grade.into();
    r
}

#[test]
fn six_aspects_make_up_the_thousand_points() {
    let total: f64 = ASPECTS.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 1000.0);
    // The five aspects the source names, and basic information (ours).
    let names: Vec<_> = ASPECTS.iter().map(|(a, _)| *a).collect();
    assert_eq!(
        names,
        [
            "basic-information",
            "honest-operation",
            "honours-assets",
            "rule-compliance",
            "party-building",
            "transformation-development"
        ]
    );
    // 1.0.0's industry aspects, each × 1.25: the same proportions.
    let v1 = [100.0, 250.0, 100.0, 150.0, 50.0, 150.0];
    for ((aspect, max), old) in ASPECTS.iter().zip(v1) {
        assert_eq!(*max, old * 1.25, "{aspect}");
    }
}

/// L1403: 「信用评价结果已纳入全市社会法人信用体系，成为《义乌市信用评分办法（2018版）》的重要评价指标」
/// — the market result feeds the city's legal-person score, so the
/// provincial score is not weighted into it (1.0.0 weighted it 20 %; changed
/// on purpose): any base score gives the same points, and the `base` part
/// is shown at 0.
#[test]
fn the_provincial_score_is_not_weighted_in() {
    assert_eq!(BASE_WEIGHT_BP, 0);
    for base in [0.0, 300.0, 743.21, 1000.0] {
        let e = ok::<YiwuMarket>(&exemplary(base).build());
        assert_eq!((e.score, e.grade.as_str()), (100_000, "AAA"), "base {base}");
        assert_eq!(part(&e, "base"), 0);
        assert!(e.reasons.is_empty(), "{:?}", e.reasons);
    }
    let e = ok::<YiwuMarket>(&exemplary(0.0).build());
    assert!(
        e.contributions[0].note.starts_with(
            "not weighted: the market result feeds the city's legal-person credit score (L1403)"
        ),
        "{}",
        e.contributions[0].note
    );
}

#[test]
fn worked_example_matches_the_hand_computation() {
    // The operator of examples/requests/yiwu-market.json, by hand:
    //   provincial base      780, grade B: not weighted         =   0.00
    //   basic information    7 years × 7.5 = 52.5, licence 50   = 102.50
    //   honest operation     312.5 − 1 complaint × 62.5, 0 cases = 250.00
    //   honours & assets     1 honour × 31.25, no stall property =  31.25
    //   rule compliance      187.5 − 2 violations × 37.5        = 112.50
    //   party building       not a member 0, 3 events × 6.25    =  18.75
    //   transformation       online 75, no brand 0, 37.3 % × 0.5 = 93.65
    //                                                     total = 608.65 → B
    // (1.0.0: 642.92, B.)
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
    let e = ok::<YiwuMarket>(&req);
    let expected = [
        ("base", 0),
        ("years_in_market", 5_250),
        ("license_valid", 5_000),
        ("verified_complaints_1y", 25_000),
        ("counterfeit_cases_5y", 0),
        ("honours", 3_125),
        ("owns_stall_property", 0),
        ("market_rule_violations_1y", 11_250),
        ("party_member_operator", 0),
        ("community_service_events_1y", 1_875),
        ("ecommerce_active", 7_500),
        ("own_brand", 0),
        ("export_share_pct", 1_865),
    ];
    assert_eq!(white_box(&e), expected);
    assert_eq!(e.score, 60_865);
    assert_eq!(e.grade, "B");
    assert_eq!(supervision(&e.grade), "inspected more often");
    // The biggest shortfalls lead the reasons: rule compliance (75 lost),
    // then the first two of the 62.5-point shortfalls in scorecard order
    // (honest operation, stall property; own brand is fourth).
    assert_eq!(
        e.reasons,
        [
            "market_rule_violations_1y: 112.50 of 187.50 (rule-compliance: 2 market rule violation(s) in the last year, 37.5 points each)",
            "verified_complaints_1y: 250.00 of 312.50 (honest-operation: 1 verified complaint(s) in the last year, 62.5 points each)",
            "owns_stall_property: 0.00 of 62.50 (honours-assets: does not own the stall property)",
        ]
    );
}

/// L1395: 「市场经营者信用等级分为AAA、AA、A、B、C、D六级」 — six grades (the
/// cut-offs are ours), each reached exactly at its lowest score.
#[test]
fn every_grade_boundary_is_reachable() {
    // From the exemplary 1000: which flags are off, and the export share
    // (0.5 points per percent) that fine-tunes to the hundredth.
    let exemplary_without = |off: &[&str], export: f64| {
        let mut b = exemplary(700.0).set("export_share_pct", Value::Number(export));
        for name in off {
            b = match *name {
                "honours" | "party" => b
                    .set(
                        if *name == "honours" {
                            "honours"
                        } else {
                            "community_service_events_1y"
                        },
                        Value::Number(0.0),
                    )
                    .set("party_member_operator", Value::Flag(*name != "party")),
                flag => b.set(flag, Value::Flag(false)),
            };
        }
        b.build()
    };
    let brand = &["own_brand"][..];
    let online = &["own_brand", "ecommerce_active", "owns_stall_property"][..];
    let honours = &[
        "own_brand",
        "ecommerce_active",
        "owns_stall_property",
        "honours",
    ][..];
    let licence = &[
        "own_brand",
        "ecommerce_active",
        "owns_stall_property",
        "honours",
        "party",
        "license_valid",
    ][..];
    let cases = [
        (exemplary_without(&[], 100.0), 100_000, "AAA"),
        (exemplary_without(brand, 25.0), 90_000, "AAA"),
        (exemplary_without(brand, 24.98), 89_999, "AA"),
        (exemplary_without(online, 100.0), 80_000, "AA"),
        (exemplary_without(online, 99.98), 79_999, "A"),
        (exemplary_without(honours, 25.0), 70_000, "A"),
        (exemplary_without(honours, 24.98), 69_999, "B"),
        (exemplary_without(licence, 50.0), 60_000, "B"),
        (exemplary_without(licence, 49.98), 59_999, "C"),
        // The required ones only (500), two violations (−75), 25 export.
        (
            minimal(700.0)
                .set("market_rule_violations_1y", Value::Number(2.0))
                .number("export_share_pct", 50.0)
                .build(),
            45_000,
            "C",
        ),
        (
            minimal(700.0)
                .set("market_rule_violations_1y", Value::Number(2.0))
                .number("export_share_pct", 49.98)
                .build(),
            44_999,
            "D",
        ),
        // The bottom of the scale: five complaints, five violations.
        (
            minimal(0.0)
                .set("verified_complaints_1y", Value::Number(5.0))
                .set("market_rule_violations_1y", Value::Number(5.0))
                .build(),
            0,
            "D",
        ),
    ];
    for (i, (req, score, grade)) in cases.iter().enumerate() {
        let e = ok::<YiwuMarket>(req);
        assert_eq!((e.score, e.grade.as_str()), (*score, *grade), "case {i}");
    }
}

/// L1407: 「对信用等级AA级以上的市场主体，会适当降低抽查比例、频次；对信用等级B级以下（包括B级）市场主体，适当提高抽查比例和频次，加大检查力度」
/// and L1405: 「信用破产者直接逐出市场」 — AA and above inspected less, B and
/// below more, D (信用破产) expelled; the source says nothing of A.
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
    // Every declared grade has a treatment.
    for g in YiwuMarket::describe().grades {
        assert_ne!(supervision(&g.grade), "not a grade of this model");
    }
}

#[test]
fn honest_operation_never_goes_below_zero() {
    let req = exemplary(800.0);
    for complaints in 0..=8i64 {
        for cases in 0..=4i64 {
            let r = req
                .clone()
                .set("verified_complaints_1y", Value::Number(complaints as f64))
                .set("counterfeit_cases_5y", Value::Number(cases as f64))
                .build();
            let e = ok::<YiwuMarket>(&r);
            let c = part(&e, "verified_complaints_1y");
            let f = part(&e, "counterfeit_cases_5y");
            let left = (31_250 - 6_250 * complaints).max(0);
            assert_eq!(c, left, "{complaints} complaints");
            assert_eq!(
                c + f,
                (31_250 - 6_250 * complaints - 15_625 * cases).max(0),
                "{complaints} complaints, {cases} cases"
            );
            assert!(f <= 0);
        }
    }
    // Many of both: the aspect is 0, not negative, and the rest stands.
    let r = req
        .clone()
        .set("verified_complaints_1y", Value::Number(40.0))
        .set("counterfeit_cases_5y", Value::Number(12.0))
        .build();
    let e = ok::<YiwuMarket>(&r);
    assert_eq!(part(&e, "verified_complaints_1y"), 0);
    assert_eq!(part(&e, "counterfeit_cases_5y"), 0);
    assert_eq!(e.score, 68_750); // 1000 − 312.5
    // One complaint, two counterfeit cases: 250 left, 312.5 deducted → 250.
    let r = req
        .set("verified_complaints_1y", Value::Number(1.0))
        .set("counterfeit_cases_5y", Value::Number(2.0))
        .build();
    let e = ok::<YiwuMarket>(&r);
    assert_eq!(part(&e, "counterfeit_cases_5y"), -25_000);
    assert!(e.reasons.iter().any(|r| r.contains("limited to the 250")));
}

/// L1407: 「仅2018年，就有2家市场经营户因违法情节严重，导致信用破产，被市场主办方取消入场经营资格，实行市场禁入」
/// — a violation of serious circumstances is credit bankruptcy: grade D
/// whatever the points (the score capped at 449.99, the top of D), and the
/// operator is banned from the market.
#[test]
fn a_serious_violation_is_credit_bankruptcy_whatever_the_points() {
    let e = ok::<YiwuMarket>(&exemplary(1000.0).flag("serious_violation", true).build());
    assert_eq!((e.score, e.grade.as_str()), (44_999, "D"));
    assert_eq!(part(&e, "serious-violation"), 44_999 - 100_000);
    assert_eq!(
        e.reasons[0],
        "credit bankruptcy (信用破产): a violation of serious circumstances (违法情节严重) — \
         grade D whatever the points (the points alone earn AAA), the score capped at 449.99; \
         the right to trade in the market is revoked (取消入场经营资格，实行市场禁入)"
    );
    assert_eq!(supervision(&e.grade), "expelled from the market");

    // Already below the cap: nothing to take off, but the reason is first.
    let weak = minimal(600.0)
        .set("market_rule_violations_1y", Value::Number(5.0))
        .flag("serious_violation", true)
        .build();
    let e = ok::<YiwuMarket>(&weak);
    assert_eq!((e.score, e.grade.as_str()), (31_250, "D"));
    assert!(
        e.contributions
            .iter()
            .all(|c| c.name != "serious-violation")
    );
    assert!(
        e.reasons[0].starts_with("credit bankruptcy (信用破产)")
            && e.reasons[0].contains("the points alone earn D"),
        "{:?}",
        e.reasons
    );

    // false, or absent, is no serious violation.
    let e = ok::<YiwuMarket>(&exemplary(1000.0).flag("serious_violation", false).build());
    assert_eq!((e.score, e.grade.as_str()), (100_000, "AAA"));
}

/// L68: 「将公共信用评价等级较差和被列入严重失信名单的主体纳入重点监管对象…采取适当提高抽查比例和频次」
/// with L1407: 「对信用等级B级以下（包括B级）市场主体，适当提高抽查比例和频次」 — a poor
/// provincial grade (D 较差, E 差) is key supervision: graded at most B, the
/// highest grade Yiwu inspects more; the points stay (a status, not a
/// deduction).
#[test]
fn a_poor_provincial_grade_is_key_supervision_at_most_b() {
    for grade in ["D", "较差", "E", "差"] {
        let e = ok::<YiwuMarket>(&with_grade(exemplary(420.0), grade));
        assert_eq!((e.score, e.grade.as_str()), (100_000, "B"), "{grade}");
        assert!(e.contributions.iter().all(|c| c.points >= 0));
        assert_eq!(supervision(&e.grade), "inspected more often");
    }
    let e = ok::<YiwuMarket>(&with_grade(exemplary(420.0), "D"));
    assert_eq!(
        e.reasons,
        [
            "key supervision (重点监管): provincial public credit grade D (较差) — graded B whatever \
          the points (the points alone earn AAA; the score stays), the highest grade inspected \
          more often (提高抽查比例和频次)"
        ]
    );
    // A, B, C (中等) are not poor: nothing changes.
    for grade in ["A", "B", "C", "中等"] {
        let e = ok::<YiwuMarket>(&with_grade(exemplary(700.0), grade));
        assert_eq!((e.score, e.grade.as_str()), (100_000, "AAA"), "{grade}");
        assert!(e.reasons.is_empty(), "{grade}: {:?}", e.reasons);
    }
    // A grade of B or below by points stays; the reason still comes first.
    let e = ok::<YiwuMarket>(&with_grade(minimal(400.0), "E"));
    assert_eq!((e.score, e.grade.as_str()), (50_000, "C"));
    assert_eq!(
        e.reasons[0],
        "key supervision (重点监管): provincial public credit grade E (差) — grade C is already \
         inspected more often (提高抽查比例和频次)"
    );
}

/// L68: 「将…被列入严重失信名单的主体纳入重点监管对象」 — a serious-untrust
/// (black) list is key supervision, like a poor grade: at most B. 1.0.0
/// capped a black-listed operator into D (credit bankruptcy), which the
/// source does not say (changed on purpose). A red list: the source gives
/// Yiwu none, so nothing.
#[test]
fn a_black_list_is_key_supervision_not_bankruptcy() {
    let e = ok::<YiwuMarket>(
        &exemplary(1000.0)
            .list("red:honest-merchant")
            .list("black:court-defaulter")
            .build(),
    );
    assert_eq!((e.score, e.grade.as_str()), (100_000, "B"));
    assert!(e.contributions.iter().all(|c| c.name != "black-list"));
    assert_eq!(
        e.reasons[0],
        "key supervision (重点监管): on a serious-untrust list (严重失信名单: black:court-defaulter) — \
         graded B whatever the points (the points alone earn AAA; the score stays), the highest \
         grade inspected more often (提高抽查比例和频次)"
    );
    // Both causes in one reason.
    let e = ok::<YiwuMarket>(&with_grade(exemplary(300.0).list("black:tax-evasion"), "D"));
    assert_eq!(e.grade, "B");
    assert!(e.reasons[0].contains("provincial public credit grade D (较差); on a serious-untrust list (严重失信名单: black:tax-evasion)"));
    // A red list alone changes nothing.
    let e = ok::<YiwuMarket>(&exemplary(1000.0).list("red:honest-merchant").build());
    assert_eq!((e.score, e.grade.as_str()), (100_000, "AAA"));
    assert!(e.reasons.is_empty());
    // Bankruptcy outranks key supervision: D, both reasons, bankruptcy first.
    let e = ok::<YiwuMarket>(
        &exemplary(1000.0)
            .list("black:court-defaulter")
            .flag("serious_violation", true)
            .build(),
    );
    assert_eq!((e.score, e.grade.as_str()), (44_999, "D"));
    assert!(e.reasons[0].starts_with("credit bankruptcy (信用破产)"));
    assert!(
        e.reasons[1].starts_with("key supervision (重点监管)")
            && e.reasons[1].contains("grade D is already")
    );
}

#[test]
fn an_unknown_provincial_grade_is_refused() {
    for bad in ["", "AAA", "F", "d"] {
        assert_eq!(
            evaluate::<YiwuMarket>(&with_grade(exemplary(800.0), bad)),
            Err(EvalError::InvalidIndicator(format!(
                "base.grade: '{bad}' is not a provincial grade (A 优秀, B 良好, C 中等, D 较差, E 差)"
            ))),
            "{bad}"
        );
    }
}

/// L1399: 「针对从事经营的法人单位和实际经营自然人二类主体建立综合指标体系」 — legal-person
/// operators and individual operators, scored alike.
#[test]
fn both_kinds_of_operator_are_scored_alike() {
    let firm = exemplary(700.0).build();
    let mut person = firm.clone();
    person.subject = Subject {
        id: "330782199001011234".into(),
        kind: SubjectKind::NaturalPerson,
    };
    let a = ok::<YiwuMarket>(&firm);
    let b = ok::<YiwuMarket>(&person);
    assert_eq!(a.score, 100_000);
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
        .set("serious_violation", Value::Text("yes".into()))
        .build();
    assert_eq!(
        evaluate::<YiwuMarket>(&r),
        Err(EvalError::InvalidIndicator(
            "serious_violation: expected a flag, got a text".into()
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

/// L1397: 「对义乌小商品市场经营户的基础信息、诚信经营、荣誉资产、转型发展等八种信息
/// 进行采集」 — basic information (基础信息), collected but not among the aspects
/// L1399 names, is a sixth aspect (ours) of 125 points: 7.5 a year in the
/// market (at most 10 years, 75) and 50 for a valid business licence.
#[test]
fn basic_information_is_a_sixth_aspect_of_125() {
    assert_eq!(ASPECTS[0], ("basic-information", 125.0));
    let n = |v: f64| Value::Number(v);
    for (name, v, pts) in [
        ("years_in_market", n(0.0), 0),
        ("years_in_market", n(4.0), 3_000),
        ("years_in_market", n(10.0), 7_500),
        ("years_in_market", n(12.0), 7_500),
        ("license_valid", Value::Flag(false), 0),
        ("license_valid", Value::Flag(true), 5_000),
    ] {
        let e = ok::<YiwuMarket>(&minimal(500.0).set(name, v.clone()).build());
        assert_eq!(part(&e, name), pts, "{name} = {v:?}");
        let note = &e
            .contributions
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .note;
        assert!(note.starts_with("basic-information: "), "{name}: {note}");
    }
    let info = YiwuMarket::describe();
    let basic: Vec<_> = info
        .indicators
        .iter()
        .filter(|i| i.description.starts_with("basic-information "))
        .map(|i| (i.name.as_str(), i.required))
        .collect();
    assert_eq!(basic, [("years_in_market", true), ("license_valid", true)]);
}

#[test]
fn optional_indicators_default_to_no_points() {
    // Only the required ones, at full marks where they can be.
    let req = minimal(500.0)
        .set("years_in_market", Value::Number(10.0))
        .set("license_valid", Value::Flag(true))
        .build();
    let e = ok::<YiwuMarket>(&req);
    // 125 basic + 312.5 honest + 187.5 rules
    assert_eq!((e.score, e.grade.as_str()), (62_500, "B"));
    assert_eq!(part(&e, "counterfeit_cases_5y"), 0);
    assert_eq!(part(&e, "export_share_pct"), 0);
    assert!(
        e.contributions
            .iter()
            .all(|c| c.name != "serious-violation")
    );
}

/// The declared consequences: what the model does whatever the points, as
/// the host shows them — L1407 (bankruptcy), L68 with L1407 (key
/// supervision) — each giving a declared grade.
#[test]
fn the_consequences_are_declared() {
    let info = YiwuMarket::describe();
    let got: Vec<_> = YiwuMarket::consequences()
        .into_iter()
        .map(|c| (c.when, c.grade, c.source))
        .collect();
    assert_eq!(
        got,
        [
            (
                "serious_violation".to_string(),
                Some("D".to_string()),
                "credit-zhejiang-2020-01 L1407".to_string()
            ),
            (
                "base:poor".to_string(),
                None,
                "credit-zhejiang-2020-01 L68, L1407".to_string()
            ),
            (
                "list:black".to_string(),
                None,
                "credit-zhejiang-2020-01 L68, L1407".to_string()
            ),
        ]
    );
    for c in YiwuMarket::consequences() {
        if let Some(g) = c.grade {
            assert!(info.grades.iter().any(|d| d.grade == g), "{g}");
        } else {
            assert!(c.effect.contains("at most B"), "{}", c.effect);
        }
        assert!(
            c.when.contains(':') || info.indicators.iter().any(|i| i.name == c.when),
            "{} is neither a base condition nor a declared indicator",
            c.when
        );
    }
}

#[test]
fn describe_tells_the_truth() {
    let info = YiwuMarket::describe();
    assert_eq!(info.name, "yiwu/market");
    assert_eq!(info.version, "2.0.0");
    assert_eq!(info.title, "Yiwu market operator credit (义乌市场信用)");
    assert_eq!(
        info.subject_kinds,
        [SubjectKind::Enterprise, SubjectKind::NaturalPerson]
    );
    assert_eq!((info.scale_min, info.scale_max), (0, 100_000));
    assert_eq!(info.base_weight_bp, 0);
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
    // Every contribution the model makes is a declared indicator (or the
    // base, the serious-violation cap or the scale bound), with the kind the
    // model reads; and every declared indicator is counted.
    let given = exemplary(800.0).flag("serious_violation", true).build();
    let e = ok::<YiwuMarket>(&given);
    for c in &e.contributions {
        if ["base", "serious-violation", "scale-bound"].contains(&c.name.as_str()) {
            continue;
        }
        let spec = info.indicators.iter().find(|i| i.name == c.name);
        let spec = spec.unwrap_or_else(|| panic!("{} undeclared", c.name));
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
        let counted = if i.name == "serious_violation" {
            "serious-violation"
        } else {
            i.name.as_str()
        };
        assert!(
            e.contributions.iter().any(|c| c.name == counted),
            "{} declared but never counted",
            i.name
        );
    }
    // Each point-earning description names its aspect, and at full marks the
    // indicators of each aspect add up to the aspect's maximum.
    let e = ok::<YiwuMarket>(&exemplary(1000.0).build());
    for (aspect, max) in ASPECTS {
        let sum: Points = e
            .contributions
            .iter()
            .filter(|c| c.name != "base")
            .filter(|c| {
                let spec = info.indicators.iter().find(|i| i.name == c.name).unwrap();
                spec.description.starts_with(&format!("{aspect} ("))
            })
            .map(|c| c.points)
            .sum();
        assert_eq!(sum, points_from_f64(max), "{aspect}");
    }
    for i in info
        .indicators
        .iter()
        .filter(|i| i.name != "serious_violation")
    {
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

/// L1395 「D表示信用破产」 and L1405 「信用破产者直接逐出市场」: a D reached by
/// points alone is credit bankruptcy too, and the first reason says so.
#[test]
fn a_d_by_points_is_told_it_is_credit_bankruptcy() {
    let weak = minimal(600.0)
        .set("market_rule_violations_1y", Value::Number(5.0))
        .build();
    let e = ok::<YiwuMarket>(&weak);
    assert_eq!(e.grade, "D");
    assert_eq!(
        e.reasons[0],
        "credit bankruptcy (信用破产): grade D by points; 信用破产者直接逐出市场 — the operator is expelled from the market (L1405)"
    );
}
