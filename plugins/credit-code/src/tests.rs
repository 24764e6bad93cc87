//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, part, white_box};

const QIANJIANG: &str = "hangzhou/qianjiang";
const XINAN: &str = "quzhou/xinan";

/// A citizen of the city scored by `model`, with `score` on its scale.
fn citizen(model: &str, score: f64) -> RequestBuilder {
    let id = if model == QIANJIANG {
        "330106199001011234"
    } else {
        "330802198805052345"
    };
    RequestBuilder::natural_person(id, "2026-11-01")
        .base(742.5, "B")
        .text("city_model", model)
        .number("city_score", score)
}

fn code(model: &str, score: f64) -> (Points, String) {
    let e = evaluate::<CreditCode>(&citizen(model, score).build()).unwrap();
    (e.score, e.grade)
}

#[test]
fn full_marks_are_one_thousand_blue_in_both_cities() {
    for model in [QIANJIANG, XINAN] {
        assert_eq!(code(model, 1000.0), (100_000, "blue".into()), "{model}");
        assert_eq!(code(model, 0.0), (0, "yellow".into()), "{model}");
    }
}

/// L38: 「推动有意愿的设区市加入互认圈」 and L1316: 「与省内其他城市实现跨地区互认」 —
/// recognised across cities: one common scale, on which each city's own
/// good/excellent thresholds land on 600/800 (the anchors are ours). L1314:
/// 「为法定代表人钱江分达到650的入驻企业」 — Qianjiang's blue anchor is 650: 650.00
/// is common 800.00 (blue), 649.99 is green.
#[test]
fn each_city_threshold_lands_on_the_common_bands() {
    // (city, city score, common score, colour)
    let cases = [
        (QIANJIANG, 550.0, 60_000, "green"),
        (QIANJIANG, 549.99, 59_999, "yellow"),
        (QIANJIANG, 650.0, 80_000, "blue"),
        (QIANJIANG, 649.99, 79_998, "green"),
        (XINAN, 600.0, 60_000, "green"),
        (XINAN, 599.99, 59_999, "yellow"),
        (XINAN, 700.0, 80_000, "blue"),
        (XINAN, 699.99, 79_998, "green"),
    ];
    for (model, s, common, colour) in cases {
        assert_eq!(code(model, s), (common, colour.into()), "{model} {s}");
    }
}

#[test]
fn a_hangzhou_and_a_quzhou_citizen_at_the_same_standing_get_the_same_colour() {
    // Same relative position inside the same anchor segment of each city.
    let pairs = [
        (275.0, 300.0, 30_000, "yellow"), // half-way to "good"
        (600.0, 650.0, 70_000, "green"),  // half-way from good to excellent
        (640.35, 690.35, 78_070, "green"),
        (825.0, 850.0, 90_000, "blue"), // half-way from excellent to the top
    ];
    for (q, x, common, colour) in pairs {
        assert_eq!(code(QIANJIANG, q), (common, colour.into()), "Qianjiang {q}");
        assert_eq!(code(XINAN, x), (common, colour.into()), "Xin'an {x}");
    }
    // The same raw number is NOT the same standing: 580 is green in
    // Hangzhou (above 550) but yellow in Quzhou (below 600).
    assert_eq!(code(QIANJIANG, 580.0).1, "green");
    assert_eq!(code(XINAN, 580.0).1, "yellow");
}

#[test]
fn the_conversion_is_explained_in_the_white_box() {
    let e = evaluate::<CreditCode>(&citizen(QIANJIANG, 640.35).build()).unwrap();
    assert_eq!(e.contributions.len(), 1);
    let c = &e.contributions[0];
    assert_eq!(c.name, "city_score");
    assert_eq!(
        c.note,
        "Qianjiang score (钱江分) 640.35 (hangzhou/qianjiang) on the anchor segment 550–650 → \
         600–800: 600 + (640.35 − 550) × 200/100 = 780.70 on the common scale"
    );
    let e = evaluate::<CreditCode>(&citizen(XINAN, 850.0).build()).unwrap();
    assert!(
        e.contributions[0].note.contains(
            "Xin'an score (信安分) 850.00 (quzhou/xinan) on the anchor segment 700–1000 → 800–1000"
        ),
        "{}",
        e.contributions[0].note
    );
    // The top of the scale belongs to the last segment.
    let e = evaluate::<CreditCode>(&citizen(XINAN, 1000.0).build()).unwrap();
    assert!(e.contributions[0].note.contains("700–1000"));
}

/// L42: 「个人"信用码"依据杭州"钱江分"…产生」; L707: 「钱江分达到550分的市民可签约舒心就医」
/// and L54: 「黄码：暂时无法享受…信用普惠政策」 — Qianjiang's green anchor is 550,
/// its lowest benefit (at least 550): a green Hangzhou code unlocks it, a
/// yellow one (below 550) none.
#[test]
fn anchors_rise_and_match_the_common_bands() {
    for c in CITIES {
        assert!(
            c.anchors
                .windows(2)
                .all(|w| w[0].0 < w[1].0 && w[0].1 < w[1].1)
        );
        assert_eq!(c.anchors[0], (0, 0));
        assert_eq!(c.anchors[3], (1000, 1000));
        assert_eq!(
            (c.anchors[1].1, c.anchors[2].1),
            (COMMON_GREEN, COMMON_BLUE)
        );
    }
    // Qianjiang's anchors are hangzhou/qianjiang's own colour thresholds.
    assert_eq!((CITIES[0].anchors[1].0, CITIES[0].anchors[2].0), (550, 650));
}

/// L68: 「将公共信用评价等级较差和被列入严重失信名单的主体纳入重点监管对象」 and L42:
/// 「码颜色将根据信用状况和"钱江分"、"信安分"分值动态更新」 — on the serious-untrust
/// list, the code is yellow whatever the city score (2.0.0: the part is
/// `key-supervision` and the reason names 重点监管; 1.0.0 called it `black-list`).
#[test]
fn black_list_makes_the_code_yellow() {
    let e = evaluate::<CreditCode>(&citizen(XINAN, 820.0).list("black:court-defaulter").build())
        .unwrap();
    // 820 Xin'an → 800 + 120 × 200/300 = 880.00, capped at 599.99.
    assert_eq!(
        white_box(&e),
        [("city_score", 88_000), ("key-supervision", 59_999 - 88_000)]
    );
    assert_eq!((e.score, e.grade.as_str()), (59_999, "yellow"));
    assert_eq!(
        e.reasons[0],
        "key supervision (重点监管, L68): on the serious-untrust list (严重失信名单: \
         black:court-defaulter); yellow whatever the city score, the colour following credit \
         status as well as the score (L42)"
    );
    assert!(e.reasons[1].starts_with("yellow: credit needs improvement (待提高)"));
    let e = evaluate::<CreditCode>(&citizen(QIANJIANG, 400.0).list("black:x").build()).unwrap();
    assert_eq!(e.grade, "yellow");
    assert!(
        e.reasons[0].ends_with("; already yellow"),
        "{:?}",
        e.reasons
    );
    assert!(e.contributions.iter().all(|c| c.name != "key-supervision"));
    // A red list changes nothing: the source gives the code no red-list rule.
    let red = evaluate::<CreditCode>(&citizen(XINAN, 820.0).list("red:x").build()).unwrap();
    assert_eq!((red.score, red.grade.as_str()), (88_000, "blue"));
}

/// L68: 「将公共信用评价等级较差…的主体纳入重点监管对象」 and L42: 「码颜色将根据信用状况和
/// …分值动态更新」 — a provincial grade D (较差) or E (差) makes the code yellow
/// whatever the city score (1.0.0 did not read the grade); C (中等) does not.
#[test]
fn a_poor_provincial_grade_makes_the_code_yellow() {
    for grade in ["D", "较差", "E", "差"] {
        let e =
            evaluate::<CreditCode>(&citizen(QIANJIANG, 900.0).base(742.5, grade).build()).unwrap();
        assert_eq!(
            (e.score, e.grade.as_str()),
            (KEY_SUPERVISION_CAP, "yellow"),
            "{grade}"
        );
        assert!(
            e.reasons[0].starts_with(
                "key supervision (重点监管, L68): the provincial public credit grade is"
            ),
            "{grade}"
        );
    }
    let e = evaluate::<CreditCode>(&citizen(QIANJIANG, 640.35).base(560.0, "D").build()).unwrap();
    assert_eq!(
        e.reasons[0],
        "key supervision (重点监管, L68): the provincial public credit grade is D (较差), poor (较差) \
         or worse; yellow whatever the city score, the colour following credit status as well as \
         the score (L42)"
    );
    assert_eq!(part(&e, "key-supervision"), 59_999 - 78_070);
    // C (中等): the colour of the score.
    let c = evaluate::<CreditCode>(&citizen(QIANJIANG, 640.35).base(650.0, "C").build()).unwrap();
    assert_eq!((c.score, c.grade.as_str()), (78_070, "green"));
    // Both causes, one part and one reason naming both.
    let both = evaluate::<CreditCode>(
        &citizen(XINAN, 900.0)
            .base(500.0, "E")
            .list("black:y")
            .build(),
    )
    .unwrap();
    assert_eq!(both.score, KEY_SUPERVISION_CAP);
    assert!(both.reasons[0].contains("E (差)") && both.reasons[0].contains("black:y"));
    assert_eq!(KEY_SUPERVISION_CAP, bands().min_of("green").unwrap() - 1);
}

/// L68 (the grade scale is the SDK's): a base grade that is not one of A–E
/// is refused, naming it.
#[test]
fn an_unknown_provincial_grade_is_refused() {
    let req = citizen(QIANJIANG, 640.35).base(742.5, "B+").build();
    assert_eq!(
        evaluate::<CreditCode>(&req),
        Err(EvalError::InvalidIndicator(
            "base.grade: 'B+' is not a provincial grade (A 优秀, B 良好, C 中等, D 较差, E 差)"
                .into()
        ))
    );
}

/// L68 and L42: what the code does whatever the score, declared; its
/// grades are the three colours of L42 「设置三个等级，对应"蓝、绿、黄"三色」.
#[test]
fn consequences_are_declared() {
    let c = CreditCode::consequences();
    let declared: Vec<_> = c
        .iter()
        .map(|c| (c.when.as_str(), c.grade.as_deref(), c.source.as_str()))
        .collect();
    assert_eq!(
        declared,
        [
            (
                "base:poor",
                Some("yellow"),
                "credit-zhejiang-2020-01 L68, L42"
            ),
            (
                "list:black",
                Some("yellow"),
                "credit-zhejiang-2020-01 L68, L42"
            ),
        ]
    );
    assert!(c.iter().all(|c| c.effect.contains("重点监管")));
}

/// L46, L50, L54: 「蓝码…享受信用特惠、普惠政策」, 「绿码…享受信用普惠政策」,
/// 「黄码：暂时无法享受…信用普惠政策」 — the colour's last reason says what it gives.
#[test]
fn each_colour_says_what_it_gives() {
    let last = |model, s| {
        evaluate::<CreditCode>(&citizen(model, s).build())
            .unwrap()
            .reasons
            .last()
            .unwrap()
            .clone()
    };
    assert!(last(QIANJIANG, 700.0).contains("信用特惠、普惠政策"));
    assert!(
        last(QIANJIANG, 600.0)
            .starts_with("green: good credit (良好); general credit benefits (信用普惠政策)")
    );
    assert!(last(XINAN, 500.0).contains("暂时无法享受信用普惠政策"));
}

#[test]
fn bad_inputs_are_refused_by_name() {
    let unknown = citizen("ningbo/tianyi", 700.0).build();
    assert_eq!(
        evaluate::<CreditCode>(&unknown),
        Err(EvalError::InvalidIndicator(
            "city_model: 'ningbo/tianyi' is not recognised; accepted: hangzhou/qianjiang, quzhou/xinan"
                .into()
        ))
    );
    for s in [1000.01, -0.5] {
        let off = citizen(XINAN, s).build();
        assert!(
            matches!(
                evaluate::<CreditCode>(&off),
                Err(EvalError::InvalidIndicator(m)) if m.contains("city_score") && m.contains("0–1000")
            ),
            "{s}"
        );
    }
    // (2.0.0: the requests carry a provincial grade, which is now read first.)
    let text_score = RequestBuilder::natural_person("p", "2026-11-01")
        .base(742.5, "B")
        .text("city_model", QIANJIANG)
        .text("city_score", "high")
        .build();
    assert!(matches!(
        evaluate::<CreditCode>(&text_score),
        Err(EvalError::InvalidIndicator(m)) if m.contains("city_score") && m.contains("number")
    ));
    let missing = RequestBuilder::natural_person("p", "2026-11-01")
        .base(742.5, "B")
        .text("city_model", QIANJIANG)
        .build();
    assert_eq!(
        evaluate::<CreditCode>(&missing),
        Err(EvalError::MissingIndicator("city_score".into()))
    );
    let mut firm = citizen(QIANJIANG, 700.0).build();
    firm.subject.kind = SubjectKind::Enterprise;
    assert_eq!(
        evaluate::<CreditCode>(&firm),
        Err(EvalError::UnsupportedSubject(SubjectKind::Enterprise))
    );
}

#[test]
fn worked_example_is_780_70_green() {
    // examples/requests/credit-code.json: a Hangzhou citizen whose Qianjiang
    // score is 640.35 (the hangzhou-qianjiang worked example).
    //   segment 550–650 → 600–800: 600 + (640.35 − 550) × 200/100 = 780.70
    //   780.70 is in 600–800: green (good)
    let e = evaluate::<CreditCode>(&citizen(QIANJIANG, 640.35).build()).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (78_070, "green"));
    assert_eq!(
        e.reasons,
        [
            "green: good credit (良好); general credit benefits (信用普惠政策) in Hangzhou and \
             Quzhou; recognised across cities (互认): Qianjiang score (钱江分) maps onto the \
             common scale, green from 600, blue from 800"
        ]
    );
}

#[test]
fn describe_tells_the_truth() {
    let info = CreditCode::describe();
    assert_eq!(info.name, "zhejiang/credit-code");
    assert_eq!(info.version, "2.0.0");
    assert_eq!(info.base_weight_bp, 0);
    let grades: Vec<_> = info.grades.iter().map(|g| g.grade.as_str()).collect();
    assert_eq!(grades, ["blue", "green", "yellow"]);
    assert!(info.indicators.iter().all(|i| i.required));
    assert!(
        info.indicators[0]
            .description
            .contains("hangzhou/qianjiang or quzhou/xinan")
    );
}
