//! Domain tests of 2.0.0, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers. Each rule's test quotes the
//! source line it comes from (《信用浙江》2020 no. 1–2,
//! `credit-zhejiang-2020-01.txt`).
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, ok, part, sandbox, white_box};

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
        .flag("quality_deposit_halved", false)
        .flag("liability_insurance", true)
        .number("valid_complaints_1y", 2.0)
        .number("penalties_3y", 0.0)
        .number("honours_3y", 1.0)
}

/// L1199: 「一级指标主要包括公共信用评价、发展规模、运营能力等7个方面」 — seven
/// first-level indicators, the public credit evaluation first (full marks
/// ours).
#[test]
fn seven_first_level_indicators_make_one_thousand() {
    assert_eq!(FIRST_LEVEL.len(), 7);
    let total: f64 = FIRST_LEVEL.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 1000.0);
    assert_eq!(FIRST_LEVEL[0], ("public-credit", 200.0));
    assert_eq!(BASE_WEIGHT_BP, 2000);
}

/// L1213: 「行业信用评价结果为A级（优秀）」 — A is the best grade.
#[test]
fn full_marks_are_one_thousand_grade_a() {
    let e = evaluate::<TravelAgency>(&exemplary(1000.0).build()).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (100_000, "A"));
    assert!(e.reasons.is_empty(), "{:?}", e.reasons);
}

/// L1199: 「公共信用评价」 is a first-level indicator: 20 % of the provincial
/// score (the share ours), rounded once.
#[test]
fn public_credit_is_exactly_twenty_percent() {
    for (base, points) in [(812.5, 16_250), (333.33, 6_667), (0.0, 0)] {
        let e = evaluate::<TravelAgency>(&exemplary(base).build()).unwrap();
        assert_eq!(part(&e, "base"), points, "base {base}");
        assert_eq!(e.score, points + 80_000);
    }
}

/// L1209, L1213: grades A (优秀) to E (差) (cut-offs ours). No score earns
/// `key-supervision`.
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
    assert_eq!(bands().grade_for(0), "E");
}

/// L1199: 「发展规模、运营能力」 and the first-level indicators the source
/// leaves unnamed (ours): each indicator's points.
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

/// L1213: 「将行业信用评价结果作为旅行社申请质量保证金减半…的重要依据」 — halving
/// the quality guarantee deposit is a reward for the agency's grade; an
/// agency whose deposit was halved is not penalised for a deposit that is
/// not full: the same 40 points. Changed on purpose from 1.0.0, which gave
/// it 0.
#[test]
fn a_deposit_halved_as_a_reward_is_not_penalised() {
    let deposit = |full: Option<bool>, halved: Option<bool>| {
        let req = exemplary(800.0)
            .set_or_remove("quality_deposit_full", full.map(Value::Flag))
            .set_or_remove("quality_deposit_halved", halved.map(Value::Flag))
            .build();
        let e = ok::<TravelAgency>(&req);
        let c = e
            .contributions
            .iter()
            .find(|c| c.name == "quality_deposit_full")
            .unwrap()
            .clone();
        (c.points, c.note, e.score)
    };
    let halved = deposit(Some(false), Some(true));
    assert_eq!(
        halved,
        (
            4_000,
            "service quality: quality guarantee deposit halved as a reward (质量保证金减半) and paid: full marks".to_string(),
            96_000
        )
    );
    assert_eq!(deposit(None, Some(true)).0, 4_000);
    assert_eq!(deposit(Some(true), Some(true)).0, 4_000);
    assert_eq!(deposit(Some(true), None).0, 4_000);
    let short = deposit(Some(false), Some(false));
    assert_eq!(
        (short.0, short.1.as_str(), short.2),
        (
            0,
            "service quality: quality guarantee deposit neither full nor halved as a reward",
            92_000
        )
    );
    assert_eq!(deposit(None, None).0, 0);
    // 1.0.0 took 40 points from the same agency.
    let req = exemplary(800.0)
        .set("quality_deposit_full", Value::Flag(false))
        .flag("quality_deposit_halved", true)
        .build();
    let mut old = req.clone();
    old.indicators
        .retain(|i| i.name != "quality_deposit_halved");
    let v1 = travel_agency_v1::TravelAgency::evaluate(&old).unwrap();
    assert_eq!(part(&v1, "quality_deposit_full"), 0);
    assert_eq!(ok::<TravelAgency>(&req).score - v1.score, 4_000);
}

/// L68: 「将公共信用评价等级较差…的主体纳入重点监管对象」 — an agency whose
/// provincial grade is poor (较差, D) or worse (差, E) is under key
/// supervision: graded `key-supervision` whatever the points, the score
/// unchanged. A fair grade (C) changes nothing.
#[test]
fn a_poor_provincial_grade_puts_the_agency_under_key_supervision() {
    for grade in ["D", "较差", "E", "差"] {
        let mut req = exemplary(900.0).build();
        req.base.grade = grade.into();
        let e = ok::<TravelAgency>(&req);
        assert_eq!(
            (e.score, e.grade.as_str()),
            (98_000, "key-supervision"),
            "{grade}"
        );
        let shown = ProvincialGrade::parse(grade).unwrap();
        assert_eq!(
            e.reasons,
            [format!(
                "key supervision (重点监管, L68): the provincial public credit grade is {shown}, poor or worse (公共信用评价等级较差): graded key-supervision whatever the points (by its points alone: A)"
            )]
        );
    }
    for grade in ["A", "B", "C", "中等"] {
        let mut req = exemplary(900.0).build();
        req.base.grade = grade.into();
        assert_eq!(ok::<TravelAgency>(&req).grade, "A", "{grade}");
    }
    let mut req = exemplary(900.0).build();
    req.base.grade = "F".into();
    assert_eq!(
        evaluate::<TravelAgency>(&req),
        Err(EvalError::InvalidIndicator(
            "base.grade: 'F' is not a provincial grade (A 优秀, B 良好, C 中等, D 较差, E 差)"
                .into()
        ))
    );
}

/// L68: 「被列入严重失信名单的主体纳入重点监管对象」 — a black-listed agency is
/// under key supervision (graded `key-supervision`, whatever the points);
/// the score is unchanged. Changed on purpose from 1.0.0, which capped it
/// at 549.99, grade E — a rule the source does not contain. An agency whose
/// points give E is under key supervision too, and the reason names E.
#[test]
fn a_black_list_puts_the_agency_under_key_supervision_without_a_cap() {
    let req = exemplary(900.0).list("black:zero-fare-tours").build();
    let e = ok::<TravelAgency>(&req);
    assert_eq!((e.score, e.grade.as_str()), (98_000, "key-supervision"));
    assert!(e.contributions.iter().all(|c| c.name != "black-list"));
    assert_eq!(
        e.reasons,
        [
            "key supervision (重点监管, L68): on a black list (black:zero-fare-tours), the serious-untrust list (严重失信名单): graded key-supervision whatever the points (by its points alone: A)"
        ]
    );
    let v1 = travel_agency_v1::TravelAgency::evaluate(&req).unwrap();
    assert_eq!((v1.score, v1.grade.as_str()), (54_999, "E"));

    let mut weak = exemplary(0.0)
        .list("black:x")
        .set("penalties_3y", Value::Number(3.0))
        .set("valid_complaints_1y", Value::Number(5.0))
        .build();
    weak.base.grade = "E".into();
    let e = ok::<TravelAgency>(&weak);
    assert_eq!((e.score, e.grade.as_str()), (50_000, "key-supervision"));
    assert_eq!(
        e.reasons[0],
        "key supervision (重点监管, L68): the provincial public credit grade is E (差), poor or worse (公共信用评价等级较差); on a black list (black:x), the serious-untrust list (严重失信名单): graded key-supervision whatever the points (by its points alone: E, the grade of the targeted enforcement inspections (专项执法行动, L1209))"
    );
}

/// L1209: 「部署对全省信用评价为E级（差）的旅行社开展专项执法行动」 — E agencies get a
/// targeted enforcement inspection: grade E, and the first reason says so.
#[test]
fn grade_e_is_the_targeted_inspection_grade() {
    let weak = exemplary(0.0)
        .set("penalties_3y", Value::Number(3.0))
        .set("valid_complaints_1y", Value::Number(5.0))
        .build();
    let e = ok::<TravelAgency>(&weak);
    assert_eq!((e.score, e.grade.as_str()), (50_000, "E"));
    assert_eq!(
        e.reasons[0],
        "grade E (差): the department's targeted enforcement inspections (专项执法行动) are for E agencies (L1209)"
    );
    assert!(e.reasons[1].starts_with("valid_complaints_1y: 0.00 of 150.00"));
    // D: no such reason.
    let d = ok::<TravelAgency>(
        &exemplary(50.0)
            .set("penalties_3y", Value::Number(3.0))
            .set("valid_complaints_1y", Value::Number(2.0))
            .set("honours_3y", Value::Number(0.0))
            .build(),
    );
    assert_eq!((d.score, d.grade.as_str()), (55_000, "D"));
    assert!(d.reasons[0].starts_with("penalties_3y:"), "{:?}", d.reasons);
}

/// L68: what a poor provincial grade and the black list do is declared
/// (`consequences()`), with the grade it gives and the source line.
#[test]
fn the_consequences_are_declared() {
    let declared: Vec<_> = TravelAgency::consequences()
        .into_iter()
        .map(|c| (c.when, c.grade, c.source))
        .collect();
    let key = Some(KEY_SUPERVISION.to_string());
    let l68 = "credit-zhejiang-2020-01 L68".to_string();
    assert_eq!(
        declared,
        [
            ("base:poor".to_string(), key.clone(), l68.clone()),
            ("list:black".to_string(), key, l68),
        ]
    );
    // The built component declares the same: the sandbox harness checks it
    // at every evaluation (and the host, loading it, that each grade is declared).
}

/// What 2.0.0 keeps from 1.0.0: for an agency with a provincial grade A–C,
/// no black list and no halved deposit, the same contributions, score and
/// grade (the deposit's note when it is not full now names the halving).
#[test]
fn v2_keeps_1_0_0_scores_and_changes_only_what_it_corrects() {
    use travel_agency_v1::TravelAgency as V1;
    let v1_component = sandbox::component_path("travel-agency-v1");
    for base in (0..=10).map(|i| f64::from(i) * 100.0) {
        for (name, value) in [
            ("penalties_3y", Value::Number(0.0)),
            ("penalties_3y", Value::Number(2.0)),
            ("valid_complaints_1y", Value::Number(4.0)),
            ("annual_visitors", Value::Number(3_000.0)),
            ("quality_deposit_full", Value::Flag(false)),
        ] {
            for grade in ["A", "B", "C"] {
                let mut req = exemplary(base).set(name, value.clone()).build();
                req.base.grade = grade.into();
                let v2 = ok::<TravelAgency>(&req);
                let v1 = V1::evaluate(&req);
                if v1_component.exists() {
                    sandbox::compare::<V1>(&v1_component, &req, &v1);
                }
                let v1 = v1.unwrap();
                let points = |e: &Evaluation| -> Vec<Points> {
                    e.contributions.iter().map(|c| c.points).collect()
                };
                assert_eq!(points(&v2), points(&v1), "base {base}, {name}");
                assert_eq!(
                    (v2.score, &v2.grade),
                    (v1.score, &v1.grade),
                    "base {base}, {name}"
                );
            }
        }
    }
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
    // Unchanged from 1.0.0 (provincial grade B, no list, a full deposit).
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
    assert_eq!(info.version, "2.0.0");
    let grades: Vec<_> = info
        .grades
        .iter()
        .map(|g| (g.grade.as_str(), g.min_score))
        .collect();
    assert_eq!(
        grades,
        [
            ("A", 85_000),
            ("B", 75_000),
            ("C", 65_000),
            ("D", 55_000),
            ("E", 0),
            ("key-supervision", 0)
        ]
    );
    let e = evaluate::<TravelAgency>(&worked_example().build()).unwrap();
    for c in e.contributions.iter().filter(|c| c.name != "base") {
        assert!(
            info.indicators.iter().any(|i| i.name == c.name),
            "{} undeclared",
            c.name
        );
    }
}
