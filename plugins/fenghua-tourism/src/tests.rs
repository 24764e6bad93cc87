//! Domain tests of 3.0.0, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers. Each rule's test quotes the
//! source line it comes from (《信用浙江》2020 no. 1–2,
//! `credit-zhejiang-2020-01.txt`).
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, ok, part, sandbox};

/// A request for a subject of kind `business` (one of [`BUSINESS_TYPES`])
/// with every indicator at full marks, provincial base score `base` and
/// provincial grade A.
fn exemplary(business: &str, base: f64) -> RequestBuilder {
    let (.., top, _) = BUSINESS_TYPES
        .iter()
        .find(|(t, ..)| *t == business)
        .unwrap_or_else(|| panic!("'{business}' is not a Fenghua business kind"));
    let b = RequestBuilder::enterprise("91330283MA2EEEEE5N", "2026-11-01")
        .base(base, "A")
        .text("business_type", business)
        .number("years_in_operation", 8.0)
        .flag("licences_complete", true);
    let b = if *top > 0 {
        b.text("quality_level", &top.to_string())
    } else {
        b
    };
    b.number("honours_3y", 3.0)
        .flag("credit_commitment_signed", true)
        .number("public_welfare_12m", 2.0)
        .number("penalties_3y", 0.0)
        .flag("court_judgments_unfulfilled", false)
        .number("verified_complaints_12m", 0.0)
        .number("tourist_commendations_12m", 4.0)
        .text("last_inspection", "passed")
        .number("safety_incidents_3y", 0.0)
}

/// Points of `name` in the exemplary hotel with `name` set to `value`
/// instead (or removed, for `None`).
fn rule(name: &str, value: Option<Value>) -> Points {
    let req = exemplary("hotel", 800.0).set_or_remove(name, value).build();
    part(&ok::<FenghuaTourism>(&req), name)
}

/// L1469: 「7类涉旅主体的评价指标均由企业基本信息、守信信息、失信信息等5个纬度构成」
/// — five dimensions; L1467: 「以省公共信用评价结果为基础，叠加N个行业指标」 — the
/// provincial base plus N industry indicators (our shares: 40 % and 600
/// points).
#[test]
fn five_dimensions_make_up_the_industry_sixty_percent() {
    let total: f64 = DIMENSIONS.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 600.0);
    assert_eq!(DIMENSIONS.len(), 5);
    assert_eq!(BASE_WEIGHT_BP, 4000);
}

/// L1459: 「包括酒店、餐饮、民宿、旅行社、景区、购物店和文创」 — the seven kinds; and
/// L1461: 「二期工程已明确将文化领域主体纳入数据归集范围」 — the cultural-sector
/// subjects of the second phase: eight kinds, each at full marks is 1000, A.
#[test]
fn full_marks_are_a_thousand_and_a_for_all_eight_kinds() {
    let kinds: Vec<_> = BUSINESS_TYPES.iter().map(|(t, c, ..)| (*t, *c)).collect();
    assert_eq!(
        kinds,
        [
            ("hotel", "酒店"),
            ("restaurant", "餐饮"),
            ("homestay", "民宿"),
            ("travel-agency", "旅行社"),
            ("scenic-spot", "景区"),
            ("shop", "购物店"),
            ("cultural-creative", "文创"),
            ("cultural-sector", "文化领域主体"),
        ]
    );
    for (business, ..) in BUSINESS_TYPES {
        let e = ok::<FenghuaTourism>(&exemplary(business, 1000.0).build());
        assert_eq!((e.score, e.grade.as_str()), (100_000, "A"), "{business}");
        assert!(e.reasons.is_empty(), "{business}: {:?}", e.reasons);
    }
}

/// L1461: 「二期工程已明确将文化领域主体纳入数据归集范围」 — a cultural-sector subject
/// (new in 3.0.0) is scored on the same indicators; it has no quality
/// grading scheme (our choice: full marks, as shops), and a level sent for
/// it is refused.
#[test]
fn cultural_sector_subjects_are_evaluated_since_the_second_phase() {
    let req = exemplary("cultural-sector", 700.0)
        .set("penalties_3y", Value::Number(1.0))
        .build();
    let e = ok::<FenghuaTourism>(&req);
    // 280 + 600 - 50
    assert_eq!((e.score, e.grade.as_str()), (83_000, "C"));
    assert_eq!(part(&e, "quality_level"), 2_000);
    assert_eq!(
        e.contributions
            .iter()
            .find(|c| c.name == "quality_level")
            .unwrap()
            .note,
        "basic info: cultural-sector (文化领域主体): no grading scheme, full marks"
    );
    let leveled = exemplary("cultural-sector", 700.0)
        .text("quality_level", "1")
        .build();
    assert_eq!(
        evaluate::<FenghuaTourism>(&leveled),
        Err(EvalError::InvalidIndicator(
            "quality_level: a cultural-sector has no grading scheme, got '1'".into()
        ))
    );
    // 2.0.0 did not know the kind.
    assert!(matches!(
        fenghua_tourism_v2::FenghuaTourismV2::evaluate(&req),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("business_type: 'cultural-sector'")
    ));
}

/// L1465–1467: 「以“1+N”的形式进行设置，即以省公共信用评价结果为基础，叠加N个行业
/// 指标」 — the provincial evaluation is the base: exactly 40 % of its score
/// (0–400; the share is ours), rounded once.
#[test]
fn provincial_base_counts_exactly_forty_percent() {
    let e = ok::<FenghuaTourism>(&exemplary("scenic-spot", 812.5).build());
    assert_eq!(part(&e, "base"), 32_500);
    assert_eq!((e.score, e.grade.as_str()), (92_500, "A"));
    let e = ok::<FenghuaTourism>(&exemplary("scenic-spot", 812.37).build());
    assert_eq!(part(&e, "base"), 32_495); // 324.948 rounded once
}

/// L1473: 「二期工程…将信用等级设置为5类」 — five grades in the second phase
/// (cut-offs ours: 900 / 850 / 700 / 600). No score earns `key-supervision`.
#[test]
fn grades_change_exactly_at_their_bands() {
    // Full industry marks (600) + 40 % of the base.
    let cases = [
        (750.0, 8.0, 90_000, "A"),
        (749.97, 8.0, 89_999, "B"),
        (625.0, 8.0, 85_000, "B"),
        (624.97, 8.0, 84_999, "C"),
        (250.0, 8.0, 70_000, "C"),
        (249.97, 8.0, 69_999, "D"),
        (0.0, 8.0, 60_000, "D"),
        (0.0, 4.99875, 59_999, "E"),
    ];
    for (base, years, score, grade) in cases {
        let req = exemplary("hotel", base)
            .set("years_in_operation", Value::Number(years))
            .build();
        let e = ok::<FenghuaTourism>(&req);
        assert_eq!((e.score, e.grade.as_str()), (score, grade), "base {base}");
    }
    assert_eq!(bands().grade_for(0), "E");
}

/// L1469: 「企业基本信息」 — basic information (indicators and points ours).
#[test]
fn basic_info_rules() {
    let n = |v: f64| Some(Value::Number(v));
    for (years, pts) in [(0.0, 0), (2.5, 2_000), (5.0, 4_000), (9.0, 4_000)] {
        assert_eq!(rule("years_in_operation", n(years)), pts, "{years} years");
    }
    assert_eq!(rule("licences_complete", Some(Value::Flag(false))), 0);
    let level = |business: &str, l: Option<&str>| {
        let req = exemplary(business, 800.0)
            .set_or_remove("quality_level", l.map(|l| Value::Text(l.into())))
            .build();
        part(&ok::<FenghuaTourism>(&req), "quality_level")
    };
    assert_eq!(level("hotel", Some("3")), 1_200);
    assert_eq!(level("hotel", Some("none")), 0);
    assert_eq!(level("hotel", None), 0);
    assert_eq!(level("scenic-spot", Some("5")), 2_000);
    assert_eq!(level("travel-agency", Some("1")), 400);
    assert_eq!(level("homestay", Some("1")), 667);
    assert_eq!(level("homestay", Some("3")), 2_000);
    assert_eq!(level("restaurant", Some("2")), 1_333);
    // No grading scheme: full marks.
    assert_eq!(level("shop", None), 2_000);
    assert_eq!(level("cultural-creative", Some("none")), 2_000);
    assert_eq!(level("cultural-sector", None), 2_000);
}

/// L1469: 「守信信息」 — trustworthy information (indicators and points ours).
#[test]
fn trustworthy_info_rules() {
    let n = |v: f64| Some(Value::Number(v));
    for (h, pts) in [(0.0, 0), (1.0, 3_000), (3.0, 9_000), (5.0, 9_000)] {
        assert_eq!(rule("honours_3y", n(h)), pts, "{h} honours");
    }
    assert_eq!(rule("honours_3y", None), 0);
    assert_eq!(
        rule("credit_commitment_signed", Some(Value::Flag(false))),
        0
    );
    assert_eq!(rule("credit_commitment_signed", None), 0);
    for (w, pts) in [(0.0, 0), (1.0, 1_500), (2.0, 3_000), (4.0, 3_000)] {
        assert_eq!(rule("public_welfare_12m", n(w)), pts, "{w} activities");
    }
}

/// L1469: 「失信信息」 — untrustworthy information (indicators and points ours).
#[test]
fn untrustworthy_info_rules() {
    let n = |v: f64| Some(Value::Number(v));
    for (p, pts) in [(0.0, 10_000), (1.0, 5_000), (2.0, 0), (3.0, 0)] {
        assert_eq!(rule("penalties_3y", n(p)), pts, "{p} penalties");
    }
    assert_eq!(
        rule("court_judgments_unfulfilled", Some(Value::Flag(true))),
        0
    );
}

/// L1469: 「等5个纬度」 — the two dimensions the source leaves unnamed (ours:
/// tourist feedback, L1483 「收集游客真实反馈」, and industry supervision).
#[test]
fn tourist_feedback_and_supervision_rules() {
    let n = |v: f64| Some(Value::Number(v));
    for (c, pts) in [(0.0, 6_000), (1.0, 4_500), (4.0, 0), (6.0, 0)] {
        assert_eq!(rule("verified_complaints_12m", n(c)), pts, "{c} complaints");
    }
    for (c, pts) in [(0.0, 0), (2.0, 2_000), (4.0, 4_000), (9.0, 4_000)] {
        assert_eq!(
            rule("tourist_commendations_12m", n(c)),
            pts,
            "{c} commendations"
        );
    }
    for (r, pts) in [("passed", 6_000), ("rectified", 3_000), ("failed", 0)] {
        assert_eq!(rule("last_inspection", Some(Value::Text(r.into()))), pts);
    }
    for (i, pts) in [(0.0, 4_000), (1.0, 0), (3.0, 0)] {
        assert_eq!(rule("safety_incidents_3y", n(i)), pts, "{i} incidents");
    }
}

/// L68: 「将公共信用评价等级较差和被列入严重失信名单的主体纳入重点监管对象」 — a
/// subject whose provincial grade is poor (较差, D) or worse (差, E) is under
/// key supervision: graded `key-supervision` whatever the points, the score
/// unchanged. A fair grade (C) changes nothing.
#[test]
fn a_poor_provincial_grade_puts_the_subject_under_key_supervision() {
    for grade in ["D", "较差", "E", "差"] {
        let req = exemplary("homestay", 900.0).build();
        let mut req = req;
        req.base.grade = grade.into();
        let e = ok::<FenghuaTourism>(&req);
        // 360 + 600: A by its points.
        assert_eq!(
            (e.score, e.grade.as_str()),
            (96_000, "key-supervision"),
            "{grade}"
        );
        assert!(e.contributions.iter().all(|c| c.name != "black-list"));
        let shown = ProvincialGrade::parse(grade).unwrap();
        assert_eq!(
            e.reasons,
            [format!(
                "key supervision (重点监管, L68): the provincial public credit grade is {shown}, poor or worse (公共信用评价等级较差): graded key-supervision whatever the points (by its points alone: A)"
            )]
        );
    }
    for grade in ["A", "B", "C", "中等"] {
        let mut req = exemplary("homestay", 900.0).build();
        req.base.grade = grade.into();
        let e = ok::<FenghuaTourism>(&req);
        assert_eq!((e.score, e.grade.as_str()), (96_000, "A"), "{grade}");
    }
}

/// L68: the scale read is the provincial one (A 优秀 … E 差); a grade off it is
/// refused by name rather than guessed.
#[test]
fn an_unknown_provincial_grade_is_refused() {
    let mut req = exemplary("hotel", 800.0).build();
    req.base.grade = "AAA".into();
    assert_eq!(
        evaluate::<FenghuaTourism>(&req),
        Err(EvalError::InvalidIndicator(
            "base.grade: 'AAA' is not a provincial grade (A 优秀, B 良好, C 中等, D 较差, E 差)"
                .into()
        ))
    );
}

/// L68: 「被列入严重失信名单的主体纳入重点监管对象」 and L1487:
/// 「基于…主体信用评价结果和红黑名单信息，建立…分级分类监管体系和联合奖惩协同机制」 — a
/// black-listed subject is under key supervision (graded `key-supervision`,
/// whatever the points) with joint punishment; the score stays the 1+N
/// evaluation. Changed on purpose from 2.0.0, which capped it at 599.99,
/// grade E — a rule the source does not contain.
#[test]
fn a_black_list_puts_the_subject_under_key_supervision_without_a_cap() {
    let req = exemplary("homestay", 900.0)
        .list("black:tourism-serious-dishonesty")
        .build();
    let e = ok::<FenghuaTourism>(&req);
    assert_eq!((e.score, e.grade.as_str()), (96_000, "key-supervision"));
    assert!(e.contributions.iter().all(|c| c.name != "black-list"));
    assert_eq!(
        e.reasons,
        [
            "key supervision (重点监管, L68): on a black list (black:tourism-serious-dishonesty), the serious-untrust list (严重失信名单), with joint punishment (联合惩戒, L1487): graded key-supervision whatever the points (by its points alone: A)"
        ]
    );
    // 2.0.0 capped the same subject at E.
    let old = fenghua_tourism_v2::FenghuaTourismV2::evaluate(&req).unwrap();
    assert_eq!((old.score, old.grade.as_str()), (59_999, "E"));

    // Both causes at once: one reason naming both.
    let mut both = exemplary("hotel", 500.0)
        .list("black:court-defaulter")
        .set("penalties_3y", Value::Number(2.0))
        .build();
    both.base.grade = "E".into();
    let e = ok::<FenghuaTourism>(&both);
    assert_eq!((e.score, e.grade.as_str()), (70_000, "key-supervision"));
    assert_eq!(
        e.reasons[0],
        "key supervision (重点监管, L68): the provincial public credit grade is E (差), poor or worse (公共信用评价等级较差); on a black list (black:court-defaulter), the serious-untrust list (严重失信名单), with joint punishment (联合惩戒, L1487): graded key-supervision whatever the points (by its points alone: C)"
    );
    assert_eq!(
        e.reasons[1],
        "penalties_3y: 0.00 of 100.00 (untrustworthy info: 2 administrative penalt(ies) in 3 years, 50 points each)"
    );
}

/// L1487: 「基于…主体信用评价结果和红黑名单信息，建立…联合奖惩协同机制」 — red-list
/// information is used beside the evaluation's result: the first reason
/// names the list and its joint incentives (联合激励); the grade and score
/// are the evaluation's (2.0.0 ignored the red list). A red list does not
/// lift key supervision.
#[test]
fn a_red_list_is_used_beside_the_grade_for_joint_incentives() {
    let red = "on a red list (red:tourism-honest-operator): red-list information feeds joint incentives (联合激励, L1487) beside the grade, which it does not change";
    let req = exemplary("scenic-spot", 500.0)
        .list("red:tourism-honest-operator")
        .build();
    let e = ok::<FenghuaTourism>(&req);
    assert_eq!((e.score, e.grade.as_str()), (80_000, "C"));
    assert_eq!(e.reasons, [red]);
    let plain = ok::<FenghuaTourism>(&exemplary("scenic-spot", 500.0).build());
    assert_eq!(plain.contributions, e.contributions);
    assert!(plain.reasons.is_empty());

    let both = exemplary("scenic-spot", 500.0)
        .list("red:tourism-honest-operator")
        .list("black:court-defaulter")
        .build();
    let e = ok::<FenghuaTourism>(&both);
    assert_eq!((e.score, e.grade.as_str()), (80_000, "key-supervision"));
    assert!(e.reasons[0].starts_with("key supervision (重点监管, L68): on a black list"));
    assert_eq!(e.reasons[1], red);
}

/// L68, L1487: what a poor provincial grade and the lists do is declared
/// (`consequences()`), with the grade it gives and the source line; the
/// grade is a declared one.
#[test]
fn the_consequences_are_declared() {
    let declared: Vec<_> = FenghuaTourism::consequences()
        .into_iter()
        .map(|c| (c.when, c.grade, c.source))
        .collect();
    let key = Some(KEY_SUPERVISION.to_string());
    assert_eq!(
        declared,
        [
            (
                "base:poor".to_string(),
                key.clone(),
                "credit-zhejiang-2020-01 L68".to_string()
            ),
            (
                "list:black".to_string(),
                key,
                "credit-zhejiang-2020-01 L68, L1487".to_string()
            ),
            (
                "list:red".to_string(),
                None,
                "credit-zhejiang-2020-01 L1487".to_string()
            ),
        ]
    );
    let info = FenghuaTourism::describe();
    assert!(info.grades.iter().any(|g| g.grade == KEY_SUPERVISION));
    for c in FenghuaTourism::consequences() {
        assert!(!c.effect.is_empty());
    }
    // The built component declares the same: the sandbox harness checks it
    // at every evaluation (and the host, loading it, that each grade is declared).
}

#[test]
fn bad_values_are_refused_by_name() {
    let hotel = || exemplary("hotel", 800.0);
    let text = |s: &str| Value::Text(s.into());
    let refused = |req: Request| evaluate::<FenghuaTourism>(&req).unwrap_err();
    assert_eq!(
        refused(hotel().set("business_type", text("casino")).build()),
        EvalError::InvalidIndicator(
            "business_type: 'casino' is not one of hotel, restaurant, homestay, travel-agency, scenic-spot, shop, cultural-creative, cultural-sector".into()
        )
    );
    assert_eq!(
        refused(hotel().set("quality_level", text("6")).build()),
        EvalError::InvalidIndicator(
            "quality_level: '6' is not 'none' or 1 to 5 for a hotel".into()
        )
    );
    assert_eq!(
        refused(
            exemplary("homestay", 800.0)
                .set("quality_level", text("4"))
                .build()
        ),
        EvalError::InvalidIndicator(
            "quality_level: '4' is not 'none' or 1 to 3 for a homestay".into()
        )
    );
    assert_eq!(
        refused(
            exemplary("shop", 800.0)
                .set("quality_level", text("2"))
                .build()
        ),
        EvalError::InvalidIndicator("quality_level: a shop has no grading scheme, got '2'".into())
    );
    assert_eq!(
        refused(hotel().set("last_inspection", text("ok")).build()),
        EvalError::InvalidIndicator(
            "last_inspection: 'ok' is not one of passed, rectified, failed".into()
        )
    );
    assert!(matches!(
        refused(hotel().set("penalties_3y", Value::Number(-1.0)).build()),
        EvalError::InvalidIndicator(m) if m.starts_with("penalties_3y: must not be negative")
    ));
    assert_eq!(
        refused(hotel().without("last_inspection").build()),
        EvalError::MissingIndicator("last_inspection".into())
    );
    let mut person = hotel().build();
    person.subject.kind = SubjectKind::NaturalPerson;
    assert_eq!(
        refused(person),
        EvalError::UnsupportedSubject(SubjectKind::NaturalPerson)
    );
}

/// `examples/requests/fenghua-tourism.json`, value for value: unchanged
/// from 2.0.0 (provincial grade B, no list).
#[test]
fn the_example_request_scores_798_grade_c() {
    let req = RequestBuilder::enterprise("91330283MA2FFFFF6P", "2026-11-01")
        .base(780.0, "B")
        .text("business_type", "hotel")
        .number("years_in_operation", 9.0)
        .flag("licences_complete", true)
        .text("quality_level", "4")
        .number("honours_3y", 1.0)
        .flag("credit_commitment_signed", true)
        .number("public_welfare_12m", 1.0)
        .number("penalties_3y", 0.0)
        .flag("court_judgments_unfulfilled", false)
        .number("verified_complaints_12m", 1.0)
        .number("tourist_commendations_12m", 2.0)
        .text("last_inspection", "passed")
        .number("safety_incidents_3y", 0.0)
        .build();
    let e = ok::<FenghuaTourism>(&req);
    // 312 + basic 96 + trustworthy 75 + untrustworthy 150 + feedback 65 + supervision 100
    assert_eq!((e.score, e.grade.as_str()), (79_800, "C"));
    assert_eq!(
        e.reasons[0],
        "honours_3y: 30.00 of 90.00 (trustworthy info: 30 points per honour in 3 years, at most 3)"
    );
}

/// What 3.0.0 keeps from 2.0.0: for the seven kinds, a provincial grade A–C
/// and no black list, the same contributions, score and grade (the notes of
/// `quality_level` now also name the kind in Chinese). What it changes: a
/// black list or a poor provincial grade gives `key-supervision` and keeps
/// the score (2.0.0 capped a black-listed subject at E and ignored the
/// grade).
#[test]
fn v3_keeps_2_0_0_scores_and_changes_only_key_supervision() {
    use fenghua_tourism_v2::FenghuaTourismV2;
    let v2_component = sandbox::component_path("fenghua-tourism-v2");
    let mut seen = std::collections::BTreeSet::new();
    for (business, ..) in BUSINESS_TYPES.iter().take(7) {
        for base in (0..=10).map(|i| f64::from(i) * 100.0) {
            for (name, value) in [
                ("penalties_3y", Value::Number(0.0)),
                ("penalties_3y", Value::Number(2.0)),
                ("last_inspection", Value::Text("rectified".into())),
                ("verified_complaints_12m", Value::Number(3.0)),
            ] {
                for (grade, black) in [("A", false), ("C", false), ("D", false), ("B", true)] {
                    let mut b = exemplary(business, base).set(name, value.clone());
                    if black {
                        b = b.list("black:court-defaulter");
                    }
                    let mut req = b.build();
                    req.base.grade = grade.into();
                    let v3 = ok::<FenghuaTourism>(&req);
                    let v2 = FenghuaTourismV2::evaluate(&req);
                    if v2_component.exists() {
                        sandbox::compare::<FenghuaTourismV2>(&v2_component, &req, &v2);
                    }
                    let v2 = v2.unwrap();
                    let points = |e: &Evaluation| -> Vec<(String, Points)> {
                        e.contributions
                            .iter()
                            .filter(|c| c.name != "black-list")
                            .map(|c| (c.name.clone(), c.points))
                            .collect()
                    };
                    assert_eq!(points(&v3), points(&v2), "{business}, base {base}");
                    let by_points = bands().grade_for(v3.score).to_string();
                    if black || grade == "D" {
                        assert_eq!(v3.grade, KEY_SUPERVISION);
                        assert!(
                            v3.reasons[0].ends_with(&format!("(by its points alone: {by_points})"))
                        );
                    } else {
                        assert_eq!((v3.score, &v3.grade), (v2.score, &v2.grade));
                        assert_eq!(v3.grade, by_points);
                    }
                    seen.insert(v3.grade);
                }
            }
        }
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["A", "B", "C", "D", "E", "key-supervision"]
    );
}

#[test]
fn describe_tells_the_truth() {
    let info = FenghuaTourism::describe();
    assert_eq!(info.name, "fenghua/tourism");
    assert_eq!(info.version, "3.0.0");
    assert_eq!(info.base_weight_bp, 4000);
    assert_eq!(info.subject_kinds, [SubjectKind::Enterprise]);
    let grades: Vec<_> = info
        .grades
        .iter()
        .map(|g| (g.grade.as_str(), g.min_score))
        .collect();
    assert_eq!(
        grades,
        [
            ("A", 90_000),
            ("B", 85_000),
            ("C", 70_000),
            ("D", 60_000),
            ("E", 0),
            ("key-supervision", 0)
        ]
    );
    let e = ok::<FenghuaTourism>(&exemplary("hotel", 800.0).build());
    for c in e.contributions.iter().filter(|c| c.name != "base") {
        assert!(
            info.indicators.iter().any(|i| i.name == c.name),
            "{} undeclared",
            c.name
        );
    }
}
