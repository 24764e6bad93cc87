//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers. Each rule's test quotes the
//! source line it follows (《信用浙江》2020 no. 1–2,
//! `credit-zhejiang-2020-01.txt`).
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, ok, part, white_box};
use subjects::{ENTERPRISE, FARM, MERCHANT};

/// A subject of type `ty` at full marks in the grid and volunteer parts,
/// with a provincial grade of A.
fn exemplary(ty: &SubjectType, base: f64) -> RequestBuilder {
    let mut b = RequestBuilder::enterprise("92330825MA2CCCCC3L", "2026-11-01")
        .base(base, "A")
        .text("business_type", ty.name)
        .number("volunteer_hours_12m", 64.0)
        .number("good_deeds_12m", 3.0);
    for (name, _) in ty.dimensions {
        b = b.number(name, 0.0);
    }
    for (name, _) in ty.behaviours {
        b = b.flag(name, true);
    }
    b
}

/// A town resident (a natural person) at full marks in the grid and
/// volunteer parts, with a provincial grade of A.
fn resident(base: f64) -> RequestBuilder {
    RequestBuilder::natural_person("330825199203040021", "2026-11-01")
        .base(base, "A")
        .number(RESIDENT_GRID_PROBLEMS, 0.0)
        .number("volunteer_hours_12m", 64.0)
        .number("good_deeds_12m", 3.0)
}

/// The request with the provincial grade `grade` instead.
fn with_grade(b: RequestBuilder, grade: &str) -> Request {
    let mut r = b.build();
    r.base.grade = grade.into();
    r
}

/// L1427: 「商户评价指标有9个二级维度和5个诚信经营行为，企业评价指标有5个二级维度和4个诚信经营行为，养殖场评价指标有9个二级维度和4个诚信经营行为」.
#[test]
fn each_type_has_the_source_counts_and_the_same_grid_total() {
    let counts: Vec<_> = TYPES
        .iter()
        .map(|t| (t.name, t.dimensions.len(), t.behaviours.len()))
        .collect();
    assert_eq!(
        counts,
        [("merchant", 9, 5), ("enterprise", 5, 4), ("farm", 9, 4)]
    );
    for t in TYPES {
        assert_eq!(t.grid_max(), GRID_POINTS, "{}", t.name);
    }
    assert_eq!(
        f64::from(BASE_WEIGHT_BP) / 10.0 + GRID_POINTS + VOLUNTEER_POINTS,
        1000.0
    );
}

/// L1425: 「有礼积分由三部分组成，信安分（信用分）、网格分和志愿分」 — three
/// parts, for every type: full marks are 1000.
#[test]
fn full_marks_are_a_thousand_for_every_type() {
    for t in TYPES {
        let e = ok::<LongyouCourtesy>(&exemplary(t, 1000.0).build());
        assert_eq!((e.score, e.grade.as_str()), (100_000, "top"), "{}", t.name);
        assert!(e.reasons.is_empty(), "{:?}", e.reasons);
    }
    let e = ok::<LongyouCourtesy>(&resident(1000.0).build());
    assert_eq!((e.score, e.grade.as_str()), (100_000, "top"));
}

#[test]
fn credit_part_is_exactly_thirty_percent_of_the_base() {
    let e = ok::<LongyouCourtesy>(&exemplary(&FARM, 812.5).build());
    assert_eq!(part(&e, "base"), 24_375); // 812.50 × 0.30 = 243.75
    assert_eq!(e.score, 94_375);
    let e = ok::<LongyouCourtesy>(&exemplary(&FARM, 0.0).build());
    assert_eq!(part(&e, "base"), 0);
    assert_eq!((e.score, e.grade.as_str()), (70_000, "good"));
}

/// L1445: 「信用积分高的提供5-50万元的不同贷款额度…积分靠后的商户降低信用贷款额度，并列为重点监管对象」
/// — the bands of points (the cut-offs and the three credit line tiers are
/// ours), and a market subject at the back is under key supervision.
#[test]
fn grades_change_exactly_at_their_bands() {
    // A merchant with a full grid part (500): base, volunteer hours, good
    // deeds. 30 % of a base in hundredths is rounded once (666.67 → 200.00).
    let cases = [
        (1000.0, 25.0, 1.0, 90_000, "top"),
        (999.97, 25.0, 1.0, 89_999, "high"),
        (1000.0, 0.0, 0.0, 80_000, "high"),
        (999.97, 0.0, 0.0, 79_999, "good"),
        (666.67, 0.0, 0.0, 70_000, "good"),
        (666.63, 0.0, 0.0, 69_999, "normal"),
        (166.67, 0.0, 0.0, 55_000, "normal"),
        (166.63, 0.0, 0.0, 54_999, "key-supervision"),
    ];
    for (base, hours, deeds, score, grade) in cases {
        let req = exemplary(&MERCHANT, base)
            .set("volunteer_hours_12m", Value::Number(hours))
            .set("good_deeds_12m", Value::Number(deeds))
            .build();
        let e = ok::<LongyouCourtesy>(&req);
        assert_eq!(
            (e.score, e.grade.as_str()),
            (score, grade),
            "base {base}, {hours} h, {deeds} deeds"
        );
    }
    assert_eq!(
        meaning("top", false),
        "courtesy credit line up to CNY 500,000, green channel"
    );
    assert_eq!(
        meaning("good", false),
        "courtesy credit line up to CNY 50,000, green channel"
    );
}

/// L1419: 「将信用积分靠后的商户列为重点监管对象，加大巡查频率，督促整改」 and
/// L1445: 「积分靠后的商户降低信用贷款额度，并列为重点监管对象」 — a market
/// subject whose points are at the back (below 550, our cut-off) is under
/// key supervision with its credit line lowered; the score is not touched.
#[test]
fn a_market_subject_at_the_back_is_under_key_supervision() {
    for t in TYPES {
        let req = exemplary(t, 0.0)
            .set("volunteer_hours_12m", Value::Number(0.0))
            .set("good_deeds_12m", Value::Number(0.0))
            .build();
        let e = ok::<LongyouCourtesy>(&req);
        assert_eq!(
            (e.score, e.grade.as_str()),
            (50_000, "key-supervision"),
            "{}",
            t.name
        );
        assert_eq!(
            e.reasons[0],
            "key supervision (重点监管): points at the back (积分靠后, below 550.00): credit line lowered (降低信用贷款额度)"
        );
    }
}

/// L1431: 「将商户在省市公共平台中信用记录较差的纳入重点监管对象」 and L68:
/// 「将公共信用评价等级较差…的主体纳入重点监管对象」 — a poor provincial grade
/// (D 较差, E 差) is key supervision whatever the points, not a place on the
/// red board with a credit line tier (1.0.0 graded it by points: changed
/// on purpose). The points stay.
#[test]
fn a_poor_provincial_record_is_key_supervision_whatever_the_points() {
    for grade in ["D", "较差", "E", "差"] {
        let e = ok::<LongyouCourtesy>(&with_grade(exemplary(&MERCHANT, 900.0), grade));
        assert_eq!(
            (e.score, e.grade.as_str()),
            (97_000, "key-supervision"),
            "{grade}"
        );
        assert!(e.contributions.iter().all(|c| c.points >= 0));
    }
    let e = ok::<LongyouCourtesy>(&with_grade(exemplary(&MERCHANT, 900.0), "D"));
    assert_eq!(
        e.reasons,
        [
            "key supervision (重点监管): provincial public credit grade D (较差) — graded \
          'key-supervision' whatever the points (the points alone earn 'top'; the score stays)"
        ]
    );
    // A, B and C (中等) are not poor.
    for grade in ["A", "B", "C", "中等"] {
        let e = ok::<LongyouCourtesy>(&with_grade(exemplary(&FARM, 900.0), grade));
        assert_eq!((e.score, e.grade.as_str()), (97_000, "top"), "{grade}");
    }
    // Poor and at the back: one reason, both causes.
    let req = with_grade(
        exemplary(&ENTERPRISE, 100.0)
            .set("volunteer_hours_12m", Value::Number(0.0))
            .set("good_deeds_12m", Value::Number(0.0)),
        "E",
    );
    let e = ok::<LongyouCourtesy>(&req);
    assert_eq!((e.score, e.grade.as_str()), (53_000, "key-supervision"));
    assert_eq!(
        e.reasons[0],
        "key supervision (重点监管): provincial public credit grade E (差) — graded \
         'key-supervision' whatever the points (the points alone earn 'low'; the score stays); \
         points at the back (积分靠后, below 550.00): credit line lowered (降低信用贷款额度)"
    );
}

/// L1431: 「将商户在省市公共平台中信用记录较差的纳入重点监管对象」 — the city's
/// platform (市) too: a declared input, `city_record_poor`.
#[test]
fn a_poor_city_record_is_key_supervision_too() {
    let e = ok::<LongyouCourtesy>(
        &exemplary(&MERCHANT, 900.0)
            .flag("city_record_poor", true)
            .build(),
    );
    assert_eq!((e.score, e.grade.as_str()), (97_000, "key-supervision"));
    assert_eq!(
        e.reasons[0],
        "key supervision (重点监管): a poor credit record on the city's public platform — graded \
         'key-supervision' whatever the points (the points alone earn 'top'; the score stays)"
    );
    let e = ok::<LongyouCourtesy>(
        &exemplary(&MERCHANT, 900.0)
            .flag("city_record_poor", false)
            .build(),
    );
    assert_eq!(e.grade, "top");
}

/// L68: 「将…被列入严重失信名单的主体纳入重点监管对象」 — a serious-untrust
/// (black) list is key supervision, whatever the points; 1.0.0 capped the
/// score into its black board (549.99), a rule the source does not give
/// (changed on purpose: the score stays). A red list: the source gives
/// Longyou none, so nothing.
#[test]
fn a_black_list_is_key_supervision_and_the_score_stays() {
    let e = ok::<LongyouCourtesy>(
        &exemplary(&MERCHANT, 900.0)
            .list("black:court-defaulter")
            .build(),
    );
    assert_eq!((e.score, e.grade.as_str()), (97_000, "key-supervision"));
    assert!(!e.contributions.iter().any(|c| c.name == "black-list"));
    assert_eq!(
        e.reasons[0],
        "key supervision (重点监管): on a serious-untrust list (严重失信名单: black:court-defaulter) — \
         graded 'key-supervision' whatever the points (the points alone earn 'top'; the score stays)"
    );
    // Every cause named once, in one reason.
    let e = ok::<LongyouCourtesy>(&with_grade(
        resident(300.0)
            .list("black:tax-evasion")
            .flag("city_record_poor", true),
        "D",
    ));
    assert_eq!(e.grade, "key-supervision");
    assert!(e.reasons[0].starts_with(
        "key supervision (重点监管): provincial public credit grade D (较差); on a serious-untrust \
         list (严重失信名单: black:tax-evasion); a poor credit record on the city's public platform — "
    ));
    // A red list changes nothing.
    let e = ok::<LongyouCourtesy>(
        &exemplary(&MERCHANT, 900.0)
            .list("red:star-merchant")
            .build(),
    );
    assert_eq!((e.score, e.grade.as_str()), (97_000, "top"));
    assert!(e.reasons.is_empty());
}

/// L1431: 「对商户进行打分，每日公布红黑榜，每月形成信用积分排行榜」 and L1437:
/// 「“红黑榜”公示2216户次（红榜占比88.9%）」 — the board is published daily after
/// the grid's visits; the source gives no rule for who is on it, so the
/// model puts no one on it: no grade is a board (1.0.0's `red-*` and
/// `black` grades were ours, renamed on purpose).
#[test]
fn no_grade_is_a_red_or_black_board() {
    let info = LongyouCourtesy::describe();
    for g in &info.grades {
        assert!(
            !g.grade.contains("red") && !g.grade.contains("black"),
            "{}",
            g.grade
        );
    }
    for c in LongyouCourtesy::consequences() {
        assert!(!c.effect.contains("board"), "{}", c.effect);
    }
}

/// L1419: 「今年3月份…出台《溪口乡村版未来社区新时代工分体系管理办法（试行）》，将集镇居民、个体工商户、企业和养殖场共同纳入“信用+社会治理”体系中」
/// with L1425: 「有礼积分由三部分组成，信安分（信用分）、网格分和志愿分」 — town
/// residents (natural persons) are scored on the same three parts; their
/// grid part is one count of problems (ours: 10 points each, what a problem
/// costs in a merchant's dimension).
#[test]
fn town_residents_are_scored_on_the_three_parts() {
    let req = RequestBuilder::natural_person("330825199203040021", "2026-11-01")
        .base(690.0, "C")
        .number(RESIDENT_GRID_PROBLEMS, 1.0)
        .number("volunteer_hours_12m", 40.0)
        .number("good_deeds_12m", 2.0)
        .build();
    let e = ok::<LongyouCourtesy>(&req);
    // 207 (30 % of 690) + 490 (500 less one problem) + 120 (40 h × 3) + 50
    assert_eq!(
        white_box(&e),
        [
            ("base", 20_700),
            (RESIDENT_GRID_PROBLEMS, 49_000),
            ("volunteer_hours_12m", 12_000),
            ("good_deeds_12m", 5_000),
        ]
    );
    assert_eq!((e.score, e.grade.as_str()), (86_700, "high"));
    assert_eq!(
        meaning(&e.grade, true),
        "high points (no credit line for residents in the source)"
    );
    // Problems: 10 points each, never below 0.
    for (problems, pts) in [
        (0.0, 50_000),
        (3.0, 47_000),
        (3.7, 47_000),
        (50.0, 0),
        (80.0, 0),
    ] {
        let e = ok::<LongyouCourtesy>(
            &resident(800.0)
                .set(RESIDENT_GRID_PROBLEMS, Value::Number(problems))
                .build(),
        );
        assert_eq!(part(&e, RESIDENT_GRID_PROBLEMS), pts, "{problems}");
    }
    // Low points are only low for a resident: the source ties key
    // supervision to a merchant's place at the back, not a resident's.
    let low = resident(0.0)
        .set(RESIDENT_GRID_PROBLEMS, Value::Number(5.0))
        .set("volunteer_hours_12m", Value::Number(0.0))
        .set("good_deeds_12m", Value::Number(0.0))
        .build();
    let e = ok::<LongyouCourtesy>(&low);
    assert_eq!((e.score, e.grade.as_str()), (45_000, "low"));
    assert!(
        e.reasons.iter().all(|r| !r.contains("重点监管")),
        "{:?}",
        e.reasons
    );
    // A poor provincial grade is key supervision for a resident too (L68).
    let e = ok::<LongyouCourtesy>(&with_grade(resident(300.0), "D"));
    assert_eq!((e.score, e.grade.as_str()), (79_000, "key-supervision"));
    // The grid count is required for a resident.
    assert_eq!(
        evaluate::<LongyouCourtesy>(&resident(800.0).without(RESIDENT_GRID_PROBLEMS).build()),
        Err(EvalError::MissingIndicator(RESIDENT_GRID_PROBLEMS.into()))
    );
}

/// L1419: 「今年3月份…将集镇居民…共同纳入」 — residents joined in March 2020;
/// the first day scored is 2020-03-01 (the day is ours), the day before is
/// refused. Market subjects have no such start.
#[test]
fn residents_are_scored_from_march_2020() {
    let on = |as_of: &str| {
        let mut r = resident(800.0).build();
        r.as_of = as_of.into();
        r
    };
    assert_eq!(ok::<LongyouCourtesy>(&on("2020-03-01")).score, 94_000);
    assert_eq!(
        evaluate::<LongyouCourtesy>(&on("2020-02-29")),
        Err(EvalError::Other(
            "town residents (集镇居民) are scored from 2020-03-01 (they joined the system in March 2020, L1419); as-of 2020-02-29 is before".into()
        ))
    );
    let mut merchant = exemplary(&MERCHANT, 800.0).build();
    merchant.as_of = "2019-06-01".into();
    assert_eq!(ok::<LongyouCourtesy>(&merchant).score, 94_000);
}

#[test]
fn residents_and_market_subjects_keep_to_their_own_indicators() {
    assert_eq!(
        evaluate::<LongyouCourtesy>(&resident(800.0).text("business_type", "merchant").build()),
        Err(EvalError::InvalidIndicator(
            "business_type: a natural person is scored as a town resident (集镇居民), without one; \
             merchants, enterprises and farms are scored as enterprise-kind subjects"
                .into()
        ))
    );
    assert_eq!(
        evaluate::<LongyouCourtesy>(&resident(800.0).number("merchant_sanitation_problems", 0.0).build()),
        Err(EvalError::InvalidIndicator(
            "merchant_sanitation_problems: an indicator for business_type 'merchant', not for a town resident".into()
        ))
    );
    assert_eq!(
        evaluate::<LongyouCourtesy>(&exemplary(&FARM, 800.0).number(RESIDENT_GRID_PROBLEMS, 0.0).build()),
        Err(EvalError::InvalidIndicator(
            "resident_grid_problems: an indicator for town residents (natural persons), not for 'farm'".into()
        ))
    );
    // A market subject needs its business_type.
    assert_eq!(
        evaluate::<LongyouCourtesy>(&exemplary(&FARM, 800.0).without("business_type").build()),
        Err(EvalError::MissingIndicator("business_type".into()))
    );
}

#[test]
fn every_problem_costs_a_quarter_of_its_dimension_and_every_behaviour_counts() {
    for t in TYPES {
        let full = points_from_f64(t.dimension_points);
        for (name, _) in t.dimensions {
            for (problems, pts) in [
                (0.0, full),
                (1.0, full * 3 / 4),
                (2.0, full / 2),
                (2.6, full / 2),
                (3.0, full / 4),
                (4.0, 0),
                (9.0, 0),
            ] {
                let e = ok::<LongyouCourtesy>(
                    &exemplary(t, 800.0)
                        .set(name, Value::Number(problems))
                        .build(),
                );
                assert_eq!(part(&e, name), pts, "{name}: {problems} problems");
                assert_eq!(e.score, 94_000 - (full - pts), "{name}: {problems}");
            }
        }
        for (name, _) in t.behaviours {
            let e =
                ok::<LongyouCourtesy>(&exemplary(t, 800.0).set(name, Value::Flag(false)).build());
            assert_eq!(part(&e, name), 0, "{name}");
            assert_eq!(e.score, 94_000 - points_from_f64(t.behaviour_points));
            assert!(e.reasons[0].starts_with(name), "{:?}", e.reasons);
        }
    }
}

/// L1443: 「溪口镇通过志愿时间银行发布志愿任务并给与相应赋分」 — the volunteer
/// part: hours in the time bank and good deeds (好人好事); the points are ours.
#[test]
fn volunteer_hours_and_good_deeds() {
    for (hours, pts) in [
        (0.0, 0),
        (10.0, 3_000),
        (12.5, 3_750),
        (50.0, 15_000),
        (80.0, 15_000),
    ] {
        let e = ok::<LongyouCourtesy>(
            &exemplary(&ENTERPRISE, 800.0)
                .set("volunteer_hours_12m", Value::Number(hours))
                .build(),
        );
        assert_eq!(part(&e, "volunteer_hours_12m"), pts, "{hours} h");
    }
    for (deeds, pts) in [
        (0.0, 0),
        (1.0, 2_500),
        (1.9, 2_500),
        (2.0, 5_000),
        (6.0, 5_000),
    ] {
        let e = ok::<LongyouCourtesy>(
            &exemplary(&ENTERPRISE, 800.0)
                .set("good_deeds_12m", Value::Number(deeds))
                .build(),
        );
        assert_eq!(part(&e, "good_deeds_12m"), pts, "{deeds} deeds");
    }
    let no_deeds = exemplary(&ENTERPRISE, 800.0)
        .without("good_deeds_12m")
        .build();
    assert_eq!(part(&ok::<LongyouCourtesy>(&no_deeds), "good_deeds_12m"), 0);
}

#[test]
fn each_type_uses_its_own_set_and_refuses_another_types() {
    // A farm's indicator sent for a merchant is refused, naming it.
    let req = exemplary(&MERCHANT, 800.0)
        .number("farm_manure_problems", 0.0)
        .build();
    assert_eq!(
        evaluate::<LongyouCourtesy>(&req),
        Err(EvalError::InvalidIndicator(
            "farm_manure_problems: an indicator for business_type 'farm', not for 'merchant'"
                .into()
        ))
    );
    let req = exemplary(&FARM, 800.0)
        .flag("enterprise_wages_on_time", true)
        .build();
    assert!(matches!(
        evaluate::<LongyouCourtesy>(&req),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("enterprise_wages_on_time:")
    ));
    // Each type's own indicators are required for it.
    for t in TYPES {
        for (name, _) in t.dimensions.iter().chain(t.behaviours) {
            let req = exemplary(t, 800.0).without(name).build();
            assert_eq!(
                evaluate::<LongyouCourtesy>(&req),
                Err(EvalError::MissingIndicator(name.to_string()))
            );
        }
    }
    // The white box names exactly the type's own indicators.
    let e = ok::<LongyouCourtesy>(&exemplary(&ENTERPRISE, 800.0).build());
    let names: Vec<_> = e.contributions.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), 1 + 5 + 4 + 2);
    assert!(
        names
            .iter()
            .skip(1)
            .take(9)
            .all(|n| n.starts_with("enterprise_"))
    );
}

#[test]
fn bad_values_are_refused_by_name() {
    let base = || exemplary(&MERCHANT, 800.0);
    assert_eq!(
        evaluate::<LongyouCourtesy>(
            &base()
                .set("merchant_sanitation_problems", Value::Number(-1.0))
                .build()
        ),
        Err(EvalError::InvalidIndicator(
            "merchant_sanitation_problems: must not be negative, got -1".into()
        ))
    );
    assert!(matches!(
        evaluate::<LongyouCourtesy>(&base().set("merchant_sanitation_problems", Value::Text("two".into())).build()),
        Err(EvalError::InvalidIndicator(m)) if m == "merchant_sanitation_problems: expected a number, got a text"
    ));
    assert_eq!(
        evaluate::<LongyouCourtesy>(
            &base()
                .set("business_type", Value::Text("school".into()))
                .build()
        ),
        Err(EvalError::InvalidIndicator(
            "business_type: 'school' is not one of merchant, enterprise, farm".into()
        ))
    );
    assert!(matches!(
        evaluate::<LongyouCourtesy>(&base().set("volunteer_hours_12m", Value::Number(-3.0)).build()),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("volunteer_hours_12m: must not be negative")
    ));
    assert!(matches!(
        evaluate::<LongyouCourtesy>(&base().set("merchant_clear_prices", Value::Number(1.0)).build()),
        Err(EvalError::InvalidIndicator(m)) if m == "merchant_clear_prices: expected a flag, got a number"
    ));
    assert!(matches!(
        evaluate::<LongyouCourtesy>(&resident(800.0).set(RESIDENT_GRID_PROBLEMS, Value::Number(-2.0)).build()),
        Err(EvalError::InvalidIndicator(m)) if m == "resident_grid_problems: must not be negative, got -2"
    ));
    assert_eq!(
        evaluate::<LongyouCourtesy>(&with_grade(base(), "F")),
        Err(EvalError::InvalidIndicator(
            "base.grade: 'F' is not a provincial grade (A 优秀, B 良好, C 中等, D 较差, E 差)"
                .into()
        ))
    );
    for kind in [
        SubjectKind::SocialOrganization,
        SubjectKind::PublicInstitution,
        SubjectKind::GovernmentAgency,
    ] {
        let mut other = base().build();
        other.subject.kind = kind;
        assert_eq!(
            evaluate::<LongyouCourtesy>(&other),
            Err(EvalError::UnsupportedSubject(kind))
        );
    }
}

/// `examples/requests/quzhou-longyou.json`, value for value (1.0.0: 763.00,
/// `red-50k`; 2.0.0: the same points, grade `good`).
#[test]
fn the_example_request_scores_763_good() {
    let problems = [0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 2.0, 0.0, 0.0];
    let mut b = RequestBuilder::enterprise("92330825MA2DDDDD4M", "2026-11-01")
        .base(720.0, "B")
        .text("business_type", "merchant");
    for ((name, _), r) in MERCHANT.dimensions.iter().zip(problems) {
        b = b.number(name, r);
    }
    for (name, _) in MERCHANT.behaviours {
        b = b.flag(name, *name != "merchant_receipts_issued");
    }
    let req = b
        .number("volunteer_hours_12m", 30.0)
        .number("good_deeds_12m", 1.0)
        .build();
    let e = ok::<LongyouCourtesy>(&req);
    // 216 (30 % of 720) + 320 (360 less 4 problems × 10) + 112 (4 of 5 behaviours) + 90 + 25
    assert_eq!(e.score, 76_300);
    assert_eq!(e.grade, "good");
    assert_eq!(
        e.reasons,
        [
            "volunteer_hours_12m: 90.00 of 150.00 (volunteer: 3 points an hour in the time bank, at most 50 hours)",
            "merchant_receipts_issued: 0.00 of 28.00 (grid honest operation: receipts issued (开具票据) — not kept)",
            "good_deeds_12m: 25.00 of 50.00 (volunteer: 25 points a good deed, at most 2)",
        ]
    );
}

/// The declared consequences — L1431 and L68 — each giving the declared
/// grade `key-supervision`.
#[test]
fn the_consequences_are_declared() {
    let info = LongyouCourtesy::describe();
    let got: Vec<_> = LongyouCourtesy::consequences()
        .into_iter()
        .map(|c| (c.when, c.grade, c.source))
        .collect();
    let key = Some("key-supervision".to_string());
    assert_eq!(
        got,
        [
            (
                "base:poor".to_string(),
                key.clone(),
                "credit-zhejiang-2020-01 L1431, L68".to_string()
            ),
            (
                "list:black".to_string(),
                key.clone(),
                "credit-zhejiang-2020-01 L68, L1431".to_string()
            ),
            (
                "city_record_poor".to_string(),
                key.clone(),
                "credit-zhejiang-2020-01 L1431".to_string()
            ),
            (
                "score".to_string(),
                key,
                "credit-zhejiang-2020-01 L1419, L1445".to_string()
            ),
        ]
    );
    for c in LongyouCourtesy::consequences() {
        let g = c.grade.unwrap();
        assert!(info.grades.iter().any(|d| d.grade == g), "{g}");
        assert!(
            c.when.contains(':')
                || c.when == "score"
                || info.indicators.iter().any(|i| i.name == c.when),
            "{}",
            c.when
        );
    }
}

#[test]
fn describe_tells_the_truth() {
    let info = LongyouCourtesy::describe();
    assert_eq!(info.name, "quzhou/longyou-courtesy");
    assert_eq!(info.version, "2.0.0");
    assert_eq!(info.base_weight_bp, 3000);
    assert_eq!(
        info.subject_kinds,
        [SubjectKind::Enterprise, SubjectKind::NaturalPerson]
    );
    let grades: Vec<_> = info
        .grades
        .iter()
        .map(|g| (g.grade.as_str(), g.min_score))
        .collect();
    assert_eq!(
        grades,
        [
            ("top", 90_000),
            ("high", 80_000),
            ("good", 70_000),
            ("normal", 55_000),
            ("low", 0),
            ("key-supervision", 0)
        ]
    );
    for g in &info.grades {
        for resident in [false, true] {
            assert_ne!(meaning(&g.grade, resident), "not a grade of this model");
        }
    }
    // business_type, two volunteer indicators, city_record_poor, the
    // residents' grid count, 9+5 + 5+4 + 9+4 grid ones.
    assert_eq!(info.indicators.len(), 5 + 36);
    let required: Vec<_> = info
        .indicators
        .iter()
        .filter(|i| i.required)
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(required, ["volunteer_hours_12m"]);
    let mut counted = std::collections::BTreeSet::new();
    for req in TYPES
        .iter()
        .map(|t| exemplary(t, 800.0).build())
        .chain([resident(800.0).build()])
    {
        let e = ok::<LongyouCourtesy>(&req);
        for c in e.contributions.iter().filter(|c| c.name != "base") {
            assert!(
                info.indicators.iter().any(|i| i.name == c.name),
                "{} undeclared",
                c.name
            );
            counted.insert(c.name.clone());
        }
    }
    // Every declared indicator but the type switch and the city flag (a
    // rule, not points) is counted for some subject.
    for i in &info.indicators {
        if !["business_type", "city_record_poor"].contains(&i.name.as_str()) {
            assert!(counted.contains(&i.name), "{} never counted", i.name);
        }
    }
}
