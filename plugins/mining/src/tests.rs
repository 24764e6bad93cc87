//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers. Each rule's test quotes the
//! source line it comes from (《信用浙江》2020 no. 1–2,
//! `credit-zhejiang-2020-01.txt`).
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, ok, part, white_box};

/// A mining-right holder at full industry marks.
fn exemplary(base: f64) -> RequestBuilder {
    RequestBuilder::enterprise("91330500MA2MINE01X", "2026-11-01")
        .base(base, "A")
        .text("holder_type", "mining-right-holder")
        .flag("annual_report_on_time", true)
        .flag("fees_in_arrears", false)
        .number("safety_accidents_3y", 0.0)
        .text("ecological_restoration", "completed")
        .number("violations_3y", 0.0)
}

/// A geological and mining expert (地矿专家).
fn expert(base: f64, grade: &str) -> RequestBuilder {
    RequestBuilder::natural_person("330106198001010011", "2026-11-01")
        .base(base, grade)
        .text("holder_type", "expert")
}

/// The request of examples/requests/mining.json.
fn worked_example() -> RequestBuilder {
    RequestBuilder::enterprise("91330500MA2MINE01X", "2026-11-01")
        .base(745.0, "B")
        .text("holder_type", "mining-right-holder")
        .flag("annual_report_on_time", true)
        .flag("fees_in_arrears", false)
        .number("safety_accidents_3y", 0.0)
        .text("ecological_restoration", "in-progress")
        .number("violations_3y", 1.0)
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

/// L1129: 「矿业权人和地矿中介服务机构信用评价是在行业信用评价和公共信用评价的基础上
/// 进行综合评价」 (the 100-point scale and the 80/20 split are ours).
#[test]
fn industry_is_eighty_and_the_converted_base_twenty() {
    let total: f64 = INDUSTRY.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 80.0);
    assert_eq!(BASE_CONVERSION * 1000.0, 20.0);
    assert_eq!(BASE_WEIGHT_BP, 2000);
}

#[test]
fn full_marks_are_one_hundred_grade_a() {
    let e = ok::<Mining>(&exemplary(1000.0).build());
    assert_eq!((e.score, e.grade.as_str()), (10_000, "A"));
    assert_eq!(part(&e, "base"), 2_000);
    assert_eq!(e.reasons, [format!("grade A: {}", grade_meaning("A"))]);
}

/// L1131: 「公共信用评价是将企业公共信用评价模型计算得出的企业公共信用评价得分折算后
/// 进入评价指标体系」 (the factor, 1000 → 20, is ours).
#[test]
fn the_provincial_score_is_converted_1000_to_20_exactly() {
    for (base, points) in [(812.5, 1_625), (333.33, 667), (0.0, 0), (1000.0, 2_000)] {
        let e = ok::<Mining>(&exemplary(base).build());
        assert_eq!(part(&e, "base"), points, "base {base}");
    }
    let e = ok::<Mining>(&exemplary(812.5).build());
    let note = &e.contributions[0].note;
    assert!(
        note.contains("812.50") && note.contains("1000 → 20"),
        "{note}"
    );
}

/// L1137: 「只有信用A、B级中介机构才可作为财政出资地矿项目承担单位候选人…C级地矿
/// 中介机构，被限制承担…D级地矿中介机构，被视为不具有承担省内财政出资地矿项目应具有的
/// 一般履约能力，不认定为适格投标人」 — the grade carries the prohibition, and the
/// first reason says it (the cut-offs are ours).
#[test]
fn grades_change_exactly_at_their_bands_and_say_what_they_mean() {
    // (base, restoration, accidents, score, grade): industry 80 at full marks;
    // not-started restoration −15, an accident −10; base 250 → 5.00, 249.5 → 4.99.
    let cases = [
        (250.0, "completed", 0.0, 8_500, "A"),
        (249.5, "completed", 0.0, 8_499, "B"),
        (250.0, "not-started", 0.0, 7_000, "B"),
        (249.5, "not-started", 0.0, 6_999, "C"),
        (250.0, "not-started", 1.0, 6_000, "C"),
        (249.5, "not-started", 1.0, 5_999, "D"),
    ];
    for (base, restoration, accidents, score, grade) in cases {
        let req = exemplary(base)
            .set("ecological_restoration", text(restoration))
            .set("safety_accidents_3y", Value::Number(accidents))
            .build();
        let e = ok::<Mining>(&req);
        assert_eq!(
            (e.score, e.grade.as_str()),
            (score, grade),
            "{base} {restoration} {accidents}"
        );
        assert_eq!(
            e.reasons[0],
            format!("grade {grade}: {}", grade_meaning(grade))
        );
    }
    assert!(grade_meaning("A").contains("may be candidates"));
    assert!(grade_meaning("C").contains("restricted"));
    assert!(grade_meaning("D").contains("not a qualified bidder for"));
    assert!(grade_meaning("D").contains("不认定为适格投标人"));
    // Key supervision keeps the letter's meaning; the others have their own.
    assert_eq!(grade_meaning("B-key-supervision"), grade_meaning("B"));
    assert_eq!(grade_meaning("D-key-supervision"), grade_meaning("D"));
    assert!(grade_meaning("serious-untrust").contains("按照规定实施惩戒"));
    assert!(!grade_meaning("expert").contains("bidder"));
}

/// L1119–1121: 「基于…省矿业权审批系统数据和主体行业监管数据等，整合了…储量年报数据库、
/// 规费数据库、开发利用数据库等数据资源」 — the industry data: annual report, fees,
/// restoration, violations and accidents, each scored (points and windows
/// ours).
#[test]
fn each_industry_indicator_follows_its_rule() {
    let cases: [(&str, Value, Points); 9] = [
        ("annual_report_on_time", Value::Flag(false), 0),
        ("fees_in_arrears", Value::Flag(true), 0),
        ("safety_accidents_3y", Value::Number(1.0), 1_000),
        ("safety_accidents_3y", Value::Number(2.5), 0),
        ("ecological_restoration", text("in-progress"), 800),
        ("ecological_restoration", text("not-started"), 0),
        ("violations_3y", Value::Number(1.0), 1_000),
        ("violations_3y", Value::Number(5.0), 0),
        ("violations_3y", Value::Number(0.9), 2_000),
    ];
    for (name, v, points) in cases {
        let e = ok::<Mining>(&exemplary(800.0).set(name, v.clone()).build());
        assert_eq!(part(&e, name), points, "{name} = {v:?}");
    }
    // An intermediary has no restoration duty: not-applicable is full marks.
    let req = exemplary(800.0)
        .set("holder_type", text("intermediary"))
        .set("ecological_restoration", text("not-applicable"))
        .build();
    let e = ok::<Mining>(&req);
    assert_eq!(part(&e, "ecological_restoration"), 1_500);
    assert_eq!(e.score, 1_600 + 8_000);
}

/// L1149: 「矿业权人、矿业权竞买人（投标人）、地矿中介机构在省公共信用信息平台中有被其他
/// 行业主管部门列入严重失信名单的，各级自然资源主管部门也需要按照规定实施惩戒」; L68:
/// 「被列入严重失信名单的主体纳入重点监管对象」 — graded serious-untrust whatever the
/// points; no invented cap: the points stand. Version 1.0.0 capped the score
/// below C and graded D: changed on purpose (the source names no score).
#[test]
fn a_serious_untrust_list_is_punished_as_the_rules_provide() {
    for holder in ["mining-right-holder", "intermediary"] {
        let e = ok::<Mining>(
            &exemplary(950.0)
                .set("holder_type", text(holder))
                .list("black:tax-serious-untrust")
                .build(),
        );
        assert_eq!(
            (e.score, e.grade.as_str()),
            (9_900, SERIOUS_UNTRUST),
            "{holder}"
        );
        assert_eq!(
            e.reasons[0],
            "serious-untrust (严重失信): on a serious-untrust list on the provincial public credit \
             platform (black:tax-serious-untrust): the natural resources departments at every level \
             punish it as the rules provide (各级自然资源主管部门也需要按照规定实施惩戒, L1149), \
             whatever the points; by points alone 99.00 (A)"
        );
        assert!(
            e.reasons[1]
                .starts_with("key supervision (重点监管对象): a subject on a serious-untrust list")
        );
        assert_eq!(white_box(&e).len(), 6, "no cap");
    }
    // The department's own list is one too (pushed to the platform, 实施联合惩戒).
    let e = ok::<Mining>(
        &exemplary(100.0)
            .list("black:mining-serious-untrust")
            .build(),
    );
    assert_eq!((e.score, e.grade.as_str()), (8_200, SERIOUS_UNTRUST));
    // A red list has no effect the source states.
    let e = ok::<Mining>(&exemplary(950.0).list("red:green-mine").build());
    assert_eq!(e.grade, "A");
}

/// L68: 「将公共信用评价等级较差…的主体纳入重点监管对象」 — a poor provincial grade is
/// key supervision; L1137's bidding meaning of A–D stands, so the grade keeps
/// its letter: B becomes B-key-supervision.
#[test]
fn a_poor_provincial_grade_is_key_supervision_and_keeps_the_bidding_meaning() {
    // Base 590 (D 较差) → 11.80 + 80 = 91.80, A by points.
    for (grade, letter) in [("D", "D (较差)"), ("较差", "D (较差)"), ("E", "E (差)")] {
        let e = ok::<Mining>(&exemplary(590.0).base(590.0, grade).build());
        assert_eq!((e.score, e.grade.as_str()), (9_180, "A-key-supervision"));
        assert_eq!(
            e.reasons[0],
            format!(
                "key supervision (重点监管对象): provincial public credit grade {letter}: more spot \
                 checks and strict management (公共信用评价等级较差…纳入重点监管对象, L68); the grade's \
                 bidding meaning stands: A-key-supervision"
            )
        );
        assert_eq!(e.reasons[1], format!("grade A: {}", grade_meaning("A")));
    }
    // Every band has its key-supervision grade, from the band's lowest score.
    let e = ok::<Mining>(
        &exemplary(590.0)
            .base(590.0, "D")
            .set("violations_3y", Value::Number(2.0))
            .set("safety_accidents_3y", Value::Number(2.0))
            .build(),
    );
    assert_eq!((e.score, e.grade.as_str()), (5_180, "D-key-supervision"));
    assert!(e.reasons[1].contains("not a qualified bidder"));
    // C 中等 is not poor.
    let e = ok::<Mining>(&exemplary(590.0).base(590.0, "C").build());
    assert_eq!(e.grade, "A");
    let bad = exemplary(590.0).base(590.0, "poor").build();
    assert!(matches!(
        evaluate::<Mining>(&bad),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("base.grade: 'poor'")
    ));
}

/// L1149: 「修订后的《浙江省地矿专家信用监督管理办法》新增严重失信名单管理。一是对地矿专家
/// 被列入严重失信名单的情形作了规定。二是明确惩戒性措施」 — experts are natural
/// persons graded by their list status; on the experts' list, serious-untrust.
#[test]
fn an_expert_is_graded_by_the_experts_serious_untrust_list() {
    let e = ok::<Mining>(&expert(745.0, "B").build());
    assert_eq!((e.score, e.grade.as_str()), (1_490, EXPERT));
    assert_eq!(white_box(&e), [("base", 1_490)]);
    assert!(e.reasons[0].starts_with("an expert (地矿专家) has no industry evaluation"));

    let e = ok::<Mining>(&expert(745.0, "B").list(EXPERT_LIST).build());
    assert_eq!((e.score, e.grade.as_str()), (1_490, SERIOUS_UNTRUST));
    assert_eq!(
        e.reasons[0],
        "serious-untrust (严重失信): on the experts' serious-untrust list \
         (black:mining-expert-serious-untrust, 地矿专家严重失信名单): the punitive measures of the \
         experts' rules apply (新增严重失信名单管理…明确惩戒性措施, L1149)"
    );

    // Another department's list: L1149's punishment names holders, bidders
    // and intermediaries; for an expert, key supervision (L68).
    let e = ok::<Mining>(&expert(745.0, "B").list("black:court-defaulter").build());
    assert_eq!(e.grade, EXPERT_KEY_SUPERVISION);
    assert!(e.reasons[0].starts_with(
        "key supervision (重点监管对象): on a serious-untrust list (black:court-defaulter)"
    ));
    // A poor provincial grade: key supervision (L68).
    let e = ok::<Mining>(&expert(520.0, "D").build());
    assert_eq!((e.score, e.grade.as_str()), (1_040, EXPERT_KEY_SUPERVISION));
    assert!(
        e.reasons[0]
            .starts_with("key supervision (重点监管对象): provincial public credit grade D")
    );
    // Both lists and a poor grade: the experts' list decides.
    let e = ok::<Mining>(
        &expert(520.0, "E")
            .list("black:court-defaulter")
            .list(EXPERT_LIST)
            .build(),
    );
    assert_eq!(e.grade, SERIOUS_UNTRUST);
    assert_eq!(e.reasons.len(), 4);
}

#[test]
fn experts_and_enterprises_do_not_mix() {
    let with_industry = expert(745.0, "B").number("violations_3y", 1.0).build();
    assert!(matches!(
        evaluate::<Mining>(&with_industry),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("violations_3y: does not apply to an expert")
    ));
    let person_holder = expert(745.0, "B")
        .set("holder_type", text("mining-right-holder"))
        .build();
    assert!(matches!(
        evaluate::<Mining>(&person_holder),
        Err(EvalError::InvalidIndicator(m)) if m.contains("a natural person is graded as an expert")
    ));
    let firm_expert = exemplary(800.0).set("holder_type", text("expert")).build();
    assert!(matches!(
        evaluate::<Mining>(&firm_expert),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("holder_type: 'expert' is a natural person's")
    ));
    for kind in [
        SubjectKind::SocialOrganization,
        SubjectKind::PublicInstitution,
        SubjectKind::GovernmentAgency,
    ] {
        let mut req = exemplary(800.0).build();
        req.subject.kind = kind;
        assert_eq!(
            evaluate::<Mining>(&req),
            Err(EvalError::UnsupportedSubject(kind))
        );
    }
}

#[test]
fn bad_inputs_are_refused_by_name() {
    let bad_type = exemplary(800.0)
        .set("holder_type", text("quarry-owner"))
        .build();
    assert!(matches!(
        evaluate::<Mining>(&bad_type),
        Err(EvalError::InvalidIndicator(m)) if m.contains("quarry-owner") && m.contains("intermediary")
    ));
    let holder_na = exemplary(800.0)
        .set("ecological_restoration", text("not-applicable"))
        .build();
    assert!(matches!(
        evaluate::<Mining>(&holder_na),
        Err(EvalError::InvalidIndicator(m)) if m.contains("only for intermediaries")
    ));
    let unknown = exemplary(800.0)
        .set("ecological_restoration", text("planted-trees"))
        .build();
    assert!(matches!(
        evaluate::<Mining>(&unknown),
        Err(EvalError::InvalidIndicator(m)) if m.contains("planted-trees")
    ));
    let negative = exemplary(800.0)
        .set("violations_3y", Value::Number(-2.0))
        .build();
    assert!(matches!(
        evaluate::<Mining>(&negative),
        Err(EvalError::InvalidIndicator(m)) if m.contains("violations_3y")
    ));
    // Required for holders and intermediaries, though optional in the
    // declaration (an expert gives none).
    for name in [
        "annual_report_on_time",
        "safety_accidents_3y",
        "ecological_restoration",
        "violations_3y",
    ] {
        let missing = exemplary(800.0).without(name).build();
        assert_eq!(
            evaluate::<Mining>(&missing),
            Err(EvalError::MissingIndicator(name.into()))
        );
    }
}

/// The declaration: every consequence names a declared grade (or none), its
/// trigger and its source line.
#[test]
fn consequences_are_declared_with_their_grades_and_sources() {
    let info = Mining::describe();
    let grades: Vec<_> = info
        .grades
        .iter()
        .map(|g| (g.grade.as_str(), g.min_score))
        .collect();
    assert_eq!(
        grades,
        [
            ("A", 8_500),
            ("B", 7_000),
            ("C", 6_000),
            ("D", 0),
            ("A-key-supervision", 8_500),
            ("B-key-supervision", 7_000),
            ("C-key-supervision", 6_000),
            ("D-key-supervision", 0),
            ("expert", 0),
            ("expert-key-supervision", 0),
            ("serious-untrust", 0),
        ]
    );
    let cs = Mining::consequences();
    let table: Vec<_> = cs
        .iter()
        .map(|c| (c.when.as_str(), c.grade.as_deref(), c.source.as_str()))
        .collect();
    assert_eq!(
        table,
        [
            (
                "list:black",
                Some(SERIOUS_UNTRUST),
                "credit-zhejiang-2020-01 L1149, L68"
            ),
            (
                "list:black",
                Some(SERIOUS_UNTRUST),
                "credit-zhejiang-2020-01 L1149"
            ),
            (
                "list:black",
                Some(EXPERT_KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68, L1149"
            ),
            ("base:poor", None, "credit-zhejiang-2020-01 L68"),
        ]
    );
    assert!(
        cs[0]
            .effect
            .contains("各级自然资源主管部门也需要按照规定实施惩戒")
    );
    for c in &cs {
        if let Some(g) = c.grade.as_deref() {
            assert!(info.grades.iter().any(|d| d.grade == g), "{g}");
        }
    }
    for g in &info.grades[4..8] {
        assert!(cs[3].effect.contains(&g.grade), "{}", g.grade);
    }
}

#[test]
fn worked_example_scores_77_90_grade_b() {
    // By hand, for examples/requests/mining.json:
    //   base: 745.00 × 0.02                 = 14.90
    //   annual_report_on_time               = 15.00
    //   no fees in arrears                  = 10.00
    //   safety_accidents_3y 0               = 20.00
    //   ecological_restoration in-progress  =  8.00
    //   violations_3y 1 → 20 − 10           = 10.00
    //   total                               = 77.90, grade B: may bid
    let e = ok::<Mining>(&worked_example().build());
    let parts = white_box(&e);
    assert_eq!(
        parts,
        [
            ("base", 1_490),
            ("annual_report_on_time", 1_500),
            ("fees_in_arrears", 1_000),
            ("safety_accidents_3y", 2_000),
            ("ecological_restoration", 800),
            ("violations_3y", 1_000),
        ]
    );
    assert_eq!((e.score, e.grade.as_str()), (7_790, "B"));
    assert!(e.reasons[0].starts_with("grade B: A and B may be candidates"));
    assert!(e.reasons[1].starts_with("violations_3y: 10.00 of 20.00"));
}

#[test]
fn describe_tells_the_truth() {
    let info = Mining::describe();
    assert_eq!(info.name, "mining/rights");
    assert_eq!(info.version, "2.0.0");
    assert_eq!((info.scale_min, info.scale_max), (0, 10_000));
    assert_eq!(
        info.subject_kinds,
        [SubjectKind::Enterprise, SubjectKind::NaturalPerson]
    );
    let required: Vec<_> = info
        .indicators
        .iter()
        .filter(|i| i.required)
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(required, ["holder_type"]);
    let e = ok::<Mining>(&worked_example().build());
    for c in e.contributions.iter().filter(|c| c.name != "base") {
        assert!(
            info.indicators.iter().any(|i| i.name == c.name),
            "{} undeclared",
            c.name
        );
    }
}
