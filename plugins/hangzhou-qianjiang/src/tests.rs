//! Domain tests, run natively through the SDK's harness (and, in
//! `scorehost-tests`, against the built component for parity).
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, part, white_box};

/// An adult with only the required indicators, identity not verified: every
/// positive indicator is 0, so the score is the band-weighted base alone.
pub(crate) fn adult(base: f64) -> RequestBuilder {
    RequestBuilder::natural_person("330106199001011234", "2026-11-01")
        .base(base, "B")
        .number("age", 36.0)
        .flag("identity_verified", false)
}

/// A model citizen: every positive indicator at (or above) full marks, no
/// deductions.
pub(crate) fn exemplary(base: f64) -> RequestBuilder {
    RequestBuilder::natural_person("330106199001011234", "2026-11-01")
        .base(base, "A")
        .number("age", 41.0)
        .flag("identity_verified", true)
        .number("citizen_card_years", 12.0)
        .number("blood_donations_3y", 4.0)
        .number("volunteer_hours_1y", 80.0)
        .number("library_loans_1y", 50.0)
        .number("campus_fitness_visits_1y", 100.0)
        .number("public_transport_trips_1y", 900.0)
        .number("traffic_violations_1y", 0.0)
        .number("utility_arrears_1y", 0.0)
        .number("credit_pay_defaults_1y", 0.0)
}

/// The request of examples/requests/hangzhou-qianjiang.json.
pub(crate) fn worked_example() -> RequestBuilder {
    RequestBuilder::natural_person("330106199001011234", "2026-11-01")
        .base(742.5, "B")
        .number("age", 36.0)
        .flag("identity_verified", true)
        .number("citizen_card_years", 7.0)
        .number("blood_donations_3y", 2.0)
        .number("volunteer_hours_1y", 36.0)
        .number("library_loans_1y", 24.0)
        .number("campus_fitness_visits_1y", 40.0)
        .number("public_transport_trips_1y", 412.0)
        .number("traffic_violations_1y", 1.0)
        .number("utility_arrears_1y", 0.0)
        .number("credit_pay_defaults_1y", 0.0)
}

/// L1280–1282: 「钱江分2.0以省自然人公共信用评价信息（以下简称省信用分）作为基础分，对省
/// 公共信用评价的不同分数段赋予不同权重」 (and L1271: 「钱江分以浙江省自然人公共信用评价
/// 作为基础性指标」) — the base is the provincial score weighted by band: 0.5 per
/// point below 600, 1.5 from 600 to 800, 1.0 from 800 to 1000, at most 800
/// (the weights are ours).
#[test]
fn base_is_weighted_by_band_at_the_edges() {
    // (provincial score, Qianjiang base in hundredths)
    let cases = [
        (0.0, 0),
        (599.99, 30_000), // 0.5 × 599.99 = 299.995, rounded half up once
        (600.0, 30_000),  // 0.5 × 600
        (700.0, 45_000),  // 300 + 1.5 × 100
        (799.99, 59_999), // 300 + 1.5 × 199.99 = 599.985 → 599.99
        (800.0, 60_000),  // 300 + 1.5 × 200
        (900.0, 70_000),  // 600 + 1.0 × 100
        (1000.0, 80_000), // 600 + 1.0 × 200: at most 800
    ];
    for (p, want) in cases {
        assert_eq!(base_points(points_from_f64(p)), want, "base_points({p})");
        let e = evaluate::<HangzhouQianjiang>(&adult(p).build()).unwrap();
        assert_eq!(part(&e, "base"), want, "base part at {p}");
        // Nothing else scores for this adult.
        assert_eq!(e.score, want, "score at {p}");
    }
    let e = evaluate::<HangzhouQianjiang>(&adult(742.5).build()).unwrap();
    let base = e.contributions.iter().find(|c| c.name == "base").unwrap();
    assert_eq!(
        base.note,
        "provincial score 742.50 in band 600–800 (weight 1.5): 300.00 + 1.5 × (742.50 − 600) = 513.75"
    );
}

#[test]
fn base_never_falls_as_the_provincial_score_rises() {
    let mut last = base_points(0);
    for h in 1..=100_000 {
        let b = base_points(h);
        assert!(b >= last, "base_points({h}) = {b} < {last}");
        last = b;
    }
    assert_eq!(last, 80_000);
    assert_eq!(i64::from(BASE_WEIGHT_BP) * 10, last);
}

#[test]
fn positive_maxima_add_up_to_two_hundred() {
    let total = IDENTITY_POINTS + POSITIVES.iter().map(|c| c.limit).sum::<f64>();
    assert_eq!(total, 200.0);
    let maxima: Vec<f64> = POSITIVES.iter().map(|c| c.limit).collect();
    assert_eq!(maxima, [40.0, 45.0, 30.0, 20.0, 15.0, 30.0]);
    // A model citizen earns all 200 on top of the base.
    let e = evaluate::<HangzhouQianjiang>(&exemplary(1000.0).build()).unwrap();
    let n: Points = e
        .contributions
        .iter()
        .filter(|c| c.name != "base")
        .map(|c| c.points)
        .sum();
    assert_eq!(n, 20_000);
    assert_eq!((e.score, e.grade.as_str()), (100_000, "blue"));
    assert!(e.reasons.is_empty(), "{:?}", e.reasons);
}

#[test]
fn notes_name_the_medal() {
    let e = evaluate::<HangzhouQianjiang>(&worked_example().build()).unwrap();
    let note = |name: &str| {
        e.contributions
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .note
            .clone()
    };
    for (name, medal) in [
        ("blood_donations_3y", "爱心使者"),
        ("volunteer_hours_1y", "爱心使者"),
        ("library_loans_1y", "文体达人"),
        ("campus_fitness_visits_1y", "文体达人"),
        ("public_transport_trips_1y", "低碳行者"),
    ] {
        assert!(note(name).contains(medal), "{name}: {}", note(name));
    }
    assert_eq!(
        note("blood_donations_3y"),
        "2 × blood donation in the last 3 years: 15 points each, at most 45 \
         (pro-social, 爱心使者 medal (blood donation & volunteering))"
    );
}

#[test]
fn worked_example_scores_640_35() {
    // By hand, for examples/requests/hangzhou-qianjiang.json:
    //   base: 742.50 is in band 600–800 → 300 + 1.5 × 142.50   = 513.75
    //   identity_verified                                      =  20.00
    //   citizen_card_years 7 × 4                               =  28.00
    //   blood_donations_3y 2 × 15                              =  30.00
    //   volunteer_hours_1y 36 × 0.5                            =  18.00
    //   library_loans_1y 24 × 0.5                              =  12.00
    //   campus_fitness_visits_1y 40 × 0.2                      =   8.00
    //   public_transport_trips_1y 412 × 0.05                   =  20.60
    //   traffic_violations_1y 1 × −10                          = −10.00
    //   utility_arrears_1y, credit_pay_defaults_1y 0           =   0.00
    //   total 513.75 + 136.60 − 10.00                          = 640.35
    // green (550 ≤ 640.35 < 650); unlocks the benefits of at least 550,
    // above 550, at least 573 and above 580.
    let e = evaluate::<HangzhouQianjiang>(&worked_example().build()).unwrap();
    let parts = white_box(&e);
    assert_eq!(
        parts,
        [
            ("base", 51_375),
            ("identity_verified", 2_000),
            ("citizen_card_years", 2_800),
            ("blood_donations_3y", 3_000),
            ("volunteer_hours_1y", 1_800),
            ("library_loans_1y", 1_200),
            ("campus_fitness_visits_1y", 800),
            ("public_transport_trips_1y", 2_060),
            ("traffic_violations_1y", -1_000),
            ("utility_arrears_1y", 0),
            ("credit_pay_defaults_1y", 0),
        ]
    );
    assert_eq!(e.score, 64_035);
    assert_eq!(e.grade, "green");
    let unlocked: Vec<&str> = benefits(e.score).iter().map(|b| b.name).collect();
    assert_eq!(
        unlocked,
        [
            "hangzhou-hospital-pay-once",
            "hangzhou-caocao-ride-hailing",
            "hangzhou-transit-credit-pay",
            "hangzhou-library-deposit-waiver",
            "hangzhou-park-and-leave-later",
        ]
    );
    // The largest shortfalls explain why it is not higher: 15 (blood), 12
    // (citizen card), 12 (volunteering), ahead of the 10-point deduction.
    assert_eq!(
        e.reasons,
        [
            "blood_donations_3y: 30.00 of 45.00 (2 × blood donation in the last 3 years: 15 points each, at most 45 (pro-social, 爱心使者 medal (blood donation & volunteering)))",
            "citizen_card_years: 28.00 of 40.00 (7 × full year holding a Hangzhou citizen card: 4 points each, at most 40 (life/credit use))",
            "volunteer_hours_1y: 18.00 of 30.00 (36 × whole volunteer hour in the last year (1 point per 2 hours): 0.5 points each, at most 30 (pro-social, 爱心使者 medal (blood donation & volunteering)))",
        ]
    );
}

/// The names of the benefits a score (hundredths) unlocks.
fn unlocked(score: Points) -> Vec<&'static str> {
    benefits(score).iter().map(|b| b.name).collect()
}

/// The score of a request the model must accept.
fn score_of(req: RequestBuilder) -> Points {
    evaluate::<HangzhouQianjiang>(&req.build()).unwrap().score
}

/// Each benefit as the source words it (3.0.0: each its own entry, with
/// 达到 read as "at least" and 高于 as "above"):
/// L707: 「钱江分达到550分的市民可签约舒心就医·最多付一次服务」;
/// L1292: 「钱江分达到573分的用户…信用付」, 「为钱江分高于580的用户开通信用账户」,
/// 「对于分数高于550分的用户…曹操专车」; L1294: 「钱江分达到700分的…押金减半」;
/// L1300: 「钱江分达到573的非市民卡用户…无需支付100元押金」;
/// L1314: 「为法定代表人钱江分达到650的入驻企业提供…优质服务」.
#[test]
fn benefits_follow_the_sources_words() {
    let table: Vec<(&str, Points, Bound, u32)> = BENEFITS
        .iter()
        .map(|b| (b.name, b.threshold, b.bound, b.line))
        .collect();
    use Bound::*;
    assert_eq!(
        table,
        [
            ("hangzhou-hospital-pay-once", 55_000, AtLeast, 707),
            ("hangzhou-caocao-ride-hailing", 55_000, Above, 1292),
            ("hangzhou-transit-credit-pay", 57_300, AtLeast, 1292),
            ("hangzhou-library-deposit-waiver", 57_300, AtLeast, 1300),
            ("hangzhou-park-and-leave-later", 58_000, Above, 1292),
            ("hangzhou-pilot-park-enterprise", 65_000, AtLeast, 1314),
            ("hangzhou-rental-deposit-halved", 70_000, AtLeast, 1294),
        ]
    );
    for b in BENEFITS {
        // The source's word (达到 or 高于) is the bound's.
        assert!(b.words.contains(b.bound.chinese()), "{}", b.name);
        // At the threshold only "at least" is met; one hundredth above,
        // both; one hundredth below, neither.
        assert_eq!(b.admits(b.threshold), b.bound == AtLeast, "{}", b.name);
        assert!(b.admits(b.threshold + 1), "{}", b.name);
        assert!(!b.admits(b.threshold - 1), "{}", b.name);
    }
    assert_eq!(BENEFITS[1].rule(), "above 550 (高于)");
    assert_eq!(BENEFITS[2].rule(), "at least 573 (达到)");
}

/// L1292: 「对于分数高于550分的用户…曹操专车」 but L707: 「钱江分达到550分的市民可签约
/// 舒心就医」 — at exactly 550.00, hospital pay-once and not Caocao (2.0.0
/// gave both at 550.00); at 550.01, both; at 549.99, neither.
#[test]
fn at_550_hospital_pay_once_but_not_caocao() {
    // 540 (base 760) + 10 (20 volunteer hours) = 550.00
    let at = score_of(adult(760.0).number("volunteer_hours_1y", 20.0));
    assert_eq!(at, 55_000);
    assert_eq!(unlocked(at), ["hangzhou-hospital-pay-once"]);
    // base 766.67 → 300 + 1.5 × 166.67 = 550.005 → 550.01
    let above = score_of(adult(766.67));
    assert_eq!(above, 55_001);
    assert_eq!(
        unlocked(above),
        ["hangzhou-hospital-pay-once", "hangzhou-caocao-ride-hailing"]
    );
    // base 766.66 → 549.99: yellow, nothing.
    let below = evaluate::<HangzhouQianjiang>(&adult(766.66).build()).unwrap();
    assert_eq!((below.score, below.grade.as_str()), (54_999, "yellow"));
    assert!(unlocked(below.score).is_empty());
}

/// L1292: 「为钱江分高于580的用户开通信用账户、享受信用支付，实现停车"先离场后付费"」 —
/// strictly above 580: 580.00 does not unlock parking (2.0.0 did), 580.01 does.
#[test]
fn parking_needs_more_than_580() {
    // 540 (base 760) + 40 (10 years of citizen card) = 580.00
    let at = score_of(adult(760.0).number("citizen_card_years", 10.0));
    assert_eq!(at, 58_000);
    assert!(!unlocked(at).contains(&"hangzhou-park-and-leave-later"));
    assert_eq!(unlocked(at).len(), 4);
    // base 786.67 → 300 + 1.5 × 186.67 = 580.005 → 580.01
    let above = score_of(adult(786.67));
    assert_eq!(above, 58_001);
    assert_eq!(
        unlocked(above).last(),
        Some(&"hangzhou-park-and-leave-later")
    );
}

/// L1292: 「钱江分达到573分的用户…通过信用付快速乘车」 and L1300: 「对于钱江分达到573的
/// 非市民卡用户…无需支付100元押金」 — at least 573: 573.00 unlocks both.
#[test]
fn transit_and_library_at_573() {
    // 540 + 30 (60 volunteer hours) + 3 (6 library loans) = 573.00
    let at = score_of(
        adult(760.0)
            .number("volunteer_hours_1y", 60.0)
            .number("library_loans_1y", 6.0),
    );
    assert_eq!(at, 57_300);
    assert_eq!(
        unlocked(at)[2..],
        [
            "hangzhou-transit-credit-pay",
            "hangzhou-library-deposit-waiver"
        ]
    );
    assert_eq!(unlocked(at - 1).len(), 2);
}

/// L1314: 「为法定代表人钱江分达到650的入驻企业」 and L1294: 「家庭中任意一成员钱江分
/// 达到700分的，可…申请押金减半优惠」 — at least 650 and at least 700.
#[test]
fn pilot_park_at_650_and_rental_deposit_at_700() {
    // 600 + 1.0 × 50 = 650.00: blue
    let e = evaluate::<HangzhouQianjiang>(&adult(850.0).build()).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (65_000, "blue"));
    assert_eq!(
        unlocked(e.score).last(),
        Some(&"hangzhou-pilot-park-enterprise")
    );
    assert_eq!(unlocked(e.score - 1).len(), 5);
    // 600 + 1.0 × 100 = 700.00: every benefit.
    let at = score_of(adult(900.0));
    assert_eq!(at, 70_000);
    assert_eq!(unlocked(at).len(), 7);
    assert_eq!(unlocked(at).last(), Some(&"hangzhou-rental-deposit-halved"));
    assert_eq!(unlocked(at - 1).len(), 6);
    assert_eq!(unlocked(100_000).len(), 7);
    assert!(unlocked(0).is_empty());
}

/// L42: 「设置三个等级，对应"蓝、绿、黄"三色，依次代表信用状况优秀、良好、待提高」 — the
/// grade is the credit code colour: blue from 650, green from 550, yellow
/// below (the cut-offs are ours).
#[test]
fn grades_are_the_credit_code_colours() {
    let b = bands();
    for (score, grade) in [
        (100_000, "blue"),
        (65_000, "blue"),
        (64_999, "green"),
        (55_000, "green"),
        (54_999, "yellow"),
        (0, "yellow"),
    ] {
        assert_eq!(b.grade_for(score), grade, "{score}");
    }
}

#[test]
fn deductions_stop_at_their_floors() {
    let cases = [
        ("traffic_violations_1y", 1.0, -1_000),
        ("traffic_violations_1y", 6.0, -6_000),
        ("traffic_violations_1y", 9.0, -6_000),
        ("utility_arrears_1y", 2.0, -3_000),
        ("utility_arrears_1y", 5.0, -4_500),
        ("credit_pay_defaults_1y", 2.0, -4_000),
        ("credit_pay_defaults_1y", 4.0, -6_000),
        ("credit_pay_defaults_1y", 1.9, -2_000), // whole units only
    ];
    for (name, n, want) in cases {
        let e = evaluate::<HangzhouQianjiang>(&adult(800.0).number(name, n).build()).unwrap();
        assert_eq!(part(&e, name), want, "{name} = {n}");
        assert_eq!(e.score, 60_000 + want, "{name} = {n}");
    }
    let floors: Vec<f64> = DEDUCTIONS.iter().map(|c| c.limit).collect();
    assert_eq!(floors, [-60.0, -45.0, -60.0]);
    // Deductions below the bottom of the scale show as a scale-bound part.
    let e = evaluate::<HangzhouQianjiang>(
        &adult(0.0)
            .number("traffic_violations_1y", 10.0)
            .number("utility_arrears_1y", 10.0)
            .number("credit_pay_defaults_1y", 10.0)
            .build(),
    )
    .unwrap();
    assert_eq!(e.score, 0);
    assert_eq!(part(&e, "scale-bound"), 16_500);
    assert_eq!(e.grade, "yellow");
}

/// L1284: 「重大失信显著扣分」 — 3.0.0: a black-listed person loses 200 points
/// from where the score stands (2.0.0 only capped at 549.99, so a person
/// already below kept the score): 250.00 → 50.00.
#[test]
fn serious_dishonesty_is_a_marked_deduction_from_where_the_score_stands() {
    let e = evaluate::<HangzhouQianjiang>(&adult(500.0).list("black:tax-evader").build()).unwrap();
    assert_eq!(
        white_box(&e),
        [
            ("base", 25_000),
            ("identity_verified", 0),
            ("citizen_card_years", 0),
            ("blood_donations_3y", 0),
            ("volunteer_hours_1y", 0),
            ("library_loans_1y", 0),
            ("campus_fitness_visits_1y", 0),
            ("public_transport_trips_1y", 0),
            ("traffic_violations_1y", 0),
            ("utility_arrears_1y", 0),
            ("credit_pay_defaults_1y", 0),
            ("black-list", -20_000),
        ]
    );
    assert_eq!((e.score, e.grade.as_str()), (5_000, KEY_SUPERVISION));
    assert_eq!(
        e.reasons[..2],
        [
            "key supervision (重点监管, L68): on the serious-untrust list (严重失信名单: \
             black:tax-evader); graded key-supervision whatever the score",
            "serious dishonesty (重大失信显著扣分, L1284): on a black list (black:tax-evader), \
             200 points off the score where it stood: 250.00 → 50.00",
        ]
    );
    // In the middle: 700.00 → 500.00, no ceiling needed.
    let mid = evaluate::<HangzhouQianjiang>(&adult(900.0).list("black:x").build()).unwrap();
    assert_eq!(mid.score, 50_000);
    assert!(mid.contributions.iter().all(|c| c.name != "black-list-cap"));
    // Near the bottom: 150.00 − 200 is raised to 0, visibly.
    let low = evaluate::<HangzhouQianjiang>(&adult(300.0).list("black:x").build()).unwrap();
    assert_eq!((low.score, part(&low, "scale-bound")), (0, 5_000));
    // One listing or three: one deduction (the status, not the count).
    let many = evaluate::<HangzhouQianjiang>(
        &adult(900.0)
            .list("black:a")
            .list("black:b")
            .list("black:c")
            .build(),
    )
    .unwrap();
    assert_eq!(many.score, 50_000);
    assert_eq!(SERIOUS_DISHONESTY_DEDUCTION, 20_000);
}

/// L1284: 「重大失信显著扣分」 — and the 2.0.0 ceiling stays (our choice): high up,
/// the deduction goes at least down to 549.99, below every app benefit.
#[test]
fn black_list_ends_below_every_benefit() {
    let e = evaluate::<HangzhouQianjiang>(&exemplary(900.0).list("black:court-defaulter").build())
        .unwrap();
    // 700 + 200 = 900.00 − 200 = 700.00, then the ceiling: 549.99.
    assert_eq!(part(&e, "black-list"), -20_000);
    assert_eq!(part(&e, "black-list-cap"), 54_999 - 70_000);
    assert_eq!((e.score, e.grade.as_str()), (54_999, KEY_SUPERVISION));
    assert!(benefits(e.score).is_empty());
    assert_eq!(
        e.reasons[2],
        "on a black list: at most 549.99 after the deduction, below every app benefit (our choice)"
    );
    // The same person without the listing is blue; a red list does nothing
    // (the source gives Qianjiang no red-list rule).
    let clean = evaluate::<HangzhouQianjiang>(&exemplary(900.0).build()).unwrap();
    assert_eq!((clean.score, clean.grade.as_str()), (90_000, "blue"));
    let red =
        evaluate::<HangzhouQianjiang>(&exemplary(900.0).list("red:blood-donor").build()).unwrap();
    assert_eq!(red, clean);
    assert_eq!(BLACK_LIST_CAP, BENEFITS[0].threshold - 1);
    assert_eq!(BLACK_LIST_CAP, bands().min_of("green").unwrap() - 1);
}

/// L68: 「将公共信用评价等级较差和被列入严重失信名单的主体纳入重点监管对象」 — a poor
/// provincial grade (D 较差, or E 差) is key supervision: the grade
/// `key-supervision` whatever the score, which is unchanged (no deduction).
#[test]
fn a_poor_provincial_grade_is_key_supervision() {
    for grade in ["D", "较差", "E", "差"] {
        let e =
            evaluate::<HangzhouQianjiang>(&exemplary(900.0).base(900.0, grade).build()).unwrap();
        assert_eq!(
            (e.score, e.grade.as_str()),
            (90_000, KEY_SUPERVISION),
            "{grade}"
        );
        assert!(e.contributions.iter().all(|c| !c.name.starts_with("black")));
    }
    let d = evaluate::<HangzhouQianjiang>(&adult(550.0).base(550.0, "D").build()).unwrap();
    assert_eq!((d.score, d.grade.as_str()), (27_500, KEY_SUPERVISION));
    assert_eq!(
        d.reasons[0],
        "key supervision (重点监管, L68): the provincial public credit grade is D (较差), poor \
         (较差) or worse; graded key-supervision whatever the score"
    );
    // C (中等) is not poor: the colour.
    let c = evaluate::<HangzhouQianjiang>(&adult(550.0).base(550.0, "C").build()).unwrap();
    assert_eq!((c.score, c.grade.as_str()), (27_500, "yellow"));
    assert!(c.reasons.iter().all(|r| !r.contains("重点监管")));
    // Both causes: one reason naming both.
    let both =
        evaluate::<HangzhouQianjiang>(&adult(550.0).base(550.0, "E").list("black:x").build())
            .unwrap();
    assert!(
        both.reasons[0].contains("E (差)") && both.reasons[0].contains("black:x"),
        "{:?}",
        both.reasons
    );
    assert_eq!((both.score, both.grade.as_str()), (7_500, KEY_SUPERVISION));
}

/// L68 (the grade scale is the SDK's): a base grade that is not one of A–E
/// is refused, naming it (2.0.0 did not read it).
#[test]
fn an_unknown_provincial_grade_is_refused() {
    let req = adult(800.0).base(800.0, "AAA").build();
    assert_eq!(
        evaluate::<HangzhouQianjiang>(&req),
        Err(EvalError::InvalidIndicator(
            "base.grade: 'AAA' is not a provincial grade (A 优秀, B 良好, C 中等, D 较差, E 差)"
                .into()
        ))
    );
}

/// L68 and L1284: what the model does whatever the points, declared.
#[test]
fn consequences_are_declared() {
    let c = HangzhouQianjiang::consequences();
    let declared: Vec<_> = c
        .iter()
        .map(|c| (c.when.as_str(), c.grade.as_deref(), c.source.as_str()))
        .collect();
    assert_eq!(
        declared,
        [
            (
                "base:poor",
                Some(KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68"
            ),
            (
                "list:black",
                Some(KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68"
            ),
            ("list:black", None, "credit-zhejiang-2020-01 L1284"),
        ]
    );
    let info = HangzhouQianjiang::describe();
    for g in c.iter().filter_map(|c| c.grade.as_deref()) {
        assert!(info.grades.iter().any(|d| d.grade == g), "{g} undeclared");
    }
    assert!(c[0].effect.contains("重点监管") && c[2].effect.contains("重大失信显著扣分"));
}

#[test]
fn under_eighteen_is_refused() {
    let req = adult(800.0).without("age").build();
    assert_eq!(
        evaluate::<HangzhouQianjiang>(&req),
        Err(EvalError::MissingIndicator("age".into()))
    );
    let minor = RequestBuilder::natural_person("330106201001011234", "2026-11-01")
        .base(800.0, "B")
        .number("age", 17.0)
        .flag("identity_verified", true)
        .build();
    assert!(
        matches!(evaluate::<HangzhouQianjiang>(&minor), Err(EvalError::InvalidIndicator(m)) if m.starts_with("age:") && m.contains("17"))
    );
    let eighteen = RequestBuilder::natural_person("330106200801011234", "2026-11-01")
        .base(800.0, "B")
        .number("age", 18.0)
        .flag("identity_verified", true)
        .build();
    let e = evaluate::<HangzhouQianjiang>(&eighteen).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (62_000, "green"));
}

/// L1267: 「在杭州工作或生活且年满18周岁的市民，无论户籍归属，都可以申请授权开通」 —
/// natural persons only, aged 18 or over: `age` is required, 17.99 is
/// refused, 18 is scored; an enterprise is refused whatever its indicators.
/// (The opt-in, 授权, is the host's.)
#[test]
fn only_natural_persons_aged_18_or_over_are_scored() {
    assert_eq!(
        HangzhouQianjiang::describe().subject_kinds,
        [SubjectKind::NaturalPerson]
    );
    let mut firm = adult(800.0).build();
    firm.subject.kind = SubjectKind::Enterprise;
    assert_eq!(
        evaluate::<HangzhouQianjiang>(&firm),
        Err(EvalError::UnsupportedSubject(SubjectKind::Enterprise))
    );
    assert_eq!(
        evaluate::<HangzhouQianjiang>(&adult(800.0).without("age").build()),
        Err(EvalError::MissingIndicator("age".into()))
    );
    let young = adult(800.0).set("age", Value::Number(17.99)).build();
    assert_eq!(
        evaluate::<HangzhouQianjiang>(&young),
        Err(EvalError::InvalidIndicator(
            "age: the Qianjiang score is for persons aged 18 or over, got 17.99".into()
        ))
    );
    let eighteen = adult(800.0).set("age", Value::Number(18.0)).build();
    assert_eq!(
        evaluate::<HangzhouQianjiang>(&eighteen).unwrap().score,
        60_000
    );
}

/// L1279: 「钱江分1.0包括基本信息、遵纪守法、生活用信等五大维度」 — basic information
/// (基本信息): a verified real-name identity, 20 points; not verified, none.
#[test]
fn basic_information_is_twenty_for_a_verified_identity() {
    let unverified = evaluate::<HangzhouQianjiang>(&adult(800.0).build()).unwrap();
    assert_eq!(part(&unverified, "identity_verified"), 0);
    assert_eq!(unverified.score, 60_000);
    let verified = evaluate::<HangzhouQianjiang>(
        &adult(800.0)
            .set("identity_verified", Value::Flag(true))
            .build(),
    )
    .unwrap();
    assert_eq!(part(&verified, "identity_verified"), 2_000);
    assert_eq!(verified.score, 62_000);
    assert_eq!(IDENTITY_POINTS, 20.0);
}

/// L1279: 「遵纪守法」 (law-abiding), with L1273: 「政务信用数据作为主要指标」 — each
/// traffic violation in the last year costs 10 points, down to −60 (from the
/// 6th on, nothing more).
#[test]
fn law_abiding_traffic_violations_cost_ten_each_down_to_sixty() {
    for (n, want) in [
        (0.0, 0),
        (1.0, -1_000),
        (5.0, -5_000),
        (6.0, -6_000),
        (7.0, -6_000),
    ] {
        let e =
            evaluate::<HangzhouQianjiang>(&adult(800.0).number("traffic_violations_1y", n).build())
                .unwrap();
        assert_eq!(part(&e, "traffic_violations_1y"), want, "{n} violations");
        assert_eq!(e.score, 60_000 + want, "{n} violations");
    }
    let e =
        evaluate::<HangzhouQianjiang>(&adult(800.0).number("traffic_violations_1y", 2.0).build())
            .unwrap();
    let note = &e
        .contributions
        .iter()
        .find(|c| c.name == "traffic_violations_1y")
        .unwrap()
        .note;
    assert!(note.ends_with("(law-abiding)"), "{note}");
}

/// L1279: 「生活用信」 (life and credit use) and L1273: 「结合杭州市民卡公司运营十余年积累的
/// 用户信息和行为信息作为辅助指标」 — a full year holding a citizen card +4 (at most
/// 40), a utility bill in arrears −15 (down to −45), a credit-pay default −20
/// (down to −60).
#[test]
fn life_and_credit_use_rules() {
    let cases = [
        ("citizen_card_years", 1.0, 400),
        ("citizen_card_years", 10.0, 4_000),
        ("citizen_card_years", 11.0, 4_000),
        ("utility_arrears_1y", 1.0, -1_500),
        ("utility_arrears_1y", 3.0, -4_500),
        ("utility_arrears_1y", 4.0, -4_500),
        ("credit_pay_defaults_1y", 1.0, -2_000),
        ("credit_pay_defaults_1y", 3.0, -6_000),
        ("credit_pay_defaults_1y", 4.0, -6_000),
    ];
    for (name, n, want) in cases {
        let e = evaluate::<HangzhouQianjiang>(&adult(800.0).number(name, n).build()).unwrap();
        assert_eq!(part(&e, name), want, "{name} = {n}");
        assert_eq!(e.score, 60_000 + want, "{name} = {n}");
        let note = &e
            .contributions
            .iter()
            .find(|c| c.name == name)
            .unwrap()
            .note;
        assert!(note.ends_with("(life/credit use)"), "{name}: {note}");
    }
}

/// L1308: 「目前勋章体系包括"爱心使者""文体达人"及"低碳行者"三大勋章，分别对应市民献血与
/// 志愿者服务、图书借阅与校园健身、以及乘坐公交地铁出行等社会正能量行为」 — the pro-social
/// medals: blood donation 15 each (at most 45), volunteering 0.5 an hour (at
/// most 30), library loans 0.5 (at most 20), campus fitness 0.2 (at most 15),
/// public transport 0.05 a trip (at most 30).
#[test]
fn pro_social_medals_points_and_limits() {
    // (indicator, one unit, units at the limit, points at the limit)
    let cases = [
        ("blood_donations_3y", 1_500, 3.0, 4_500),
        ("volunteer_hours_1y", 50, 60.0, 3_000),
        ("library_loans_1y", 50, 40.0, 2_000),
        ("campus_fitness_visits_1y", 20, 75.0, 1_500),
        ("public_transport_trips_1y", 5, 600.0, 3_000),
    ];
    let points = |name: &str, n: f64| {
        let e = evaluate::<HangzhouQianjiang>(&adult(800.0).number(name, n).build()).unwrap();
        assert_eq!(e.score, 60_000 + part(&e, name), "{name} = {n}");
        part(&e, name)
    };
    for (name, one, at_limit, limit) in cases {
        assert_eq!(points(name, 1.0), one, "{name}: one unit");
        assert_eq!(points(name, at_limit), limit, "{name}: at the limit");
        assert_eq!(
            points(name, at_limit + 1.0),
            limit,
            "{name}: above the limit"
        );
    }
}

/// L1306: 「同时助老服务时长也会纳入钱江分亲社会行为维度进行加分」 — volunteering for
/// the elderly counts: its hours are reported in `volunteer_hours_1y`, a
/// pro-social indicator (no indicator of its own), and add points: 20 hours,
/// +10.
#[test]
fn volunteering_for_the_elderly_counts_as_volunteer_hours() {
    let info = HangzhouQianjiang::describe();
    let volunteering: Vec<_> = info
        .indicators
        .iter()
        .filter(|i| i.name.contains("volunteer") || i.name.contains("elderly"))
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(volunteering, ["volunteer_hours_1y"]);
    let e = evaluate::<HangzhouQianjiang>(&adult(800.0).number("volunteer_hours_1y", 20.0).build())
        .unwrap();
    assert_eq!(part(&e, "volunteer_hours_1y"), 1_000);
    assert_eq!(e.score, 61_000);
    let note = &e
        .contributions
        .iter()
        .find(|c| c.name == "volunteer_hours_1y")
        .unwrap()
        .note;
    assert!(note.contains("pro-social"), "{note}");
}

#[test]
fn negative_counts_are_refused() {
    for c in POSITIVES.iter().chain(&DEDUCTIONS) {
        let req = adult(800.0).number(c.name, -1.0).build();
        assert!(
            matches!(evaluate::<HangzhouQianjiang>(&req), Err(EvalError::InvalidIndicator(ref m)) if m.starts_with(c.name) && m.contains("negative")),
            "{}",
            c.name
        );
    }
}

#[test]
fn wrong_kinds_and_subjects_are_refused() {
    let req = adult(800.0).without("identity_verified").build();
    let as_number = adult(800.0)
        .set("identity_verified", Value::Number(1.0))
        .build();
    assert_eq!(
        evaluate::<HangzhouQianjiang>(&as_number),
        Err(EvalError::InvalidIndicator(
            "identity_verified: expected a flag, got a number".into()
        ))
    );
    assert_eq!(
        evaluate::<HangzhouQianjiang>(&req),
        Err(EvalError::MissingIndicator("identity_verified".into()))
    );
    let text_count = adult(800.0).text("blood_donations_3y", "two").build();
    assert_eq!(
        evaluate::<HangzhouQianjiang>(&text_count),
        Err(EvalError::InvalidIndicator(
            "blood_donations_3y: expected a number, got a text".into()
        ))
    );
    let mut firm = adult(800.0).build();
    firm.subject.kind = SubjectKind::Enterprise;
    assert_eq!(
        evaluate::<HangzhouQianjiang>(&firm),
        Err(EvalError::UnsupportedSubject(SubjectKind::Enterprise))
    );
    let mut off_scale = adult(800.0).build();
    off_scale.base.score = 100_001;
    assert!(matches!(
        evaluate::<HangzhouQianjiang>(&off_scale),
        Err(EvalError::Other(m)) if m.contains("1000.01")
    ));
}

#[test]
fn describe_tells_the_truth() {
    let info = HangzhouQianjiang::describe();
    assert_eq!(info.name, "hangzhou/qianjiang");
    assert_eq!(info.version, "3.0.0");
    assert_eq!(info.title, "Hangzhou Qianjiang score 2.0 (杭州钱江分)");
    assert_eq!(info.subject_kinds, [SubjectKind::NaturalPerson]);
    assert_eq!((info.scale_min, info.scale_max), (0, 100_000));
    assert_eq!(info.base_weight_bp, 8000);
    let grades: Vec<_> = info
        .grades
        .iter()
        .map(|g| (g.grade.as_str(), g.min_score))
        .collect();
    assert_eq!(
        grades,
        [
            ("blue", 65_000),
            ("green", 55_000),
            ("yellow", 0),
            ("key-supervision", 0)
        ]
    );
    let declared: Vec<_> = info
        .indicators
        .iter()
        .map(|i| (i.name.as_str(), i.kind, i.required))
        .collect();
    use ValueKind::*;
    assert_eq!(
        declared,
        [
            ("age", Number, true),
            ("identity_verified", Flag, true),
            ("citizen_card_years", Number, false),
            ("blood_donations_3y", Number, false),
            ("volunteer_hours_1y", Number, false),
            ("library_loans_1y", Number, false),
            ("campus_fitness_visits_1y", Number, false),
            ("public_transport_trips_1y", Number, false),
            ("traffic_violations_1y", Number, false),
            ("utility_arrears_1y", Number, false),
            ("credit_pay_defaults_1y", Number, false),
        ]
    );
    let vol = info
        .indicators
        .iter()
        .find(|i| i.name == "volunteer_hours_1y")
        .unwrap();
    assert_eq!(
        vol.description,
        "pro-social, 爱心使者 medal (blood donation & volunteering) (up to 30): \
         0.5 points per whole volunteer hour in the last year (1 point per 2 hours), at most 30"
    );
    // Every contribution is the base, a hard rule, the scale bound or a
    // declared indicator; every declared indicator but age shows in the box.
    let e = evaluate::<HangzhouQianjiang>(&exemplary(1000.0).list("black:court-defaulter").build())
        .unwrap();
    for c in &e.contributions {
        assert!(
            ["base", "black-list", "black-list-cap", "scale-bound"].contains(&c.name.as_str())
                || info.indicators.iter().any(|i| i.name == c.name),
            "{} undeclared",
            c.name
        );
    }
    for i in info.indicators.iter().filter(|i| i.name != "age") {
        assert!(
            e.contributions.iter().any(|c| c.name == i.name),
            "{} declared but never scored",
            i.name
        );
        assert!(!i.description.is_empty());
    }
}
