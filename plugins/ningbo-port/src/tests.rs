//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, ok};

/// A well-run freight forwarder: every indicator at full marks.
pub(crate) fn exemplary(base: f64) -> RequestBuilder {
    RequestBuilder::enterprise("91330200MA2AAAAA1X", "2026-11-01")
        .base(base, "A")
        .text("business_type", "freight-forwarder")
        .number("years_in_operation", 12.0)
        .number("registered_capital_10k_cny", 2000.0)
        .text("tax_credit_grade", "A")
        .flag("overdue_debts", false)
        .number("annual_revenue_10k_cny", 15_000.0)
        .flag("aeo_certified", true)
        .number("customs_violations_3y", 0.0)
        .flag("social_insurance_compliant", true)
        .number("industry_honours", 3.0)
}

/// A weak customs broker: 216 points, grade D.
fn weak() -> RequestBuilder {
    RequestBuilder::enterprise("x", "2026-11-01")
        .base(400.0, "C")
        .text("business_type", "customs-broker")
        .number("years_in_operation", 1.0)
        .text("tax_credit_grade", "C")
        .flag("overdue_debts", true)
        .number("annual_revenue_10k_cny", 100.0)
        .number("customs_violations_3y", 2.0)
}

/// L1322: 「占比30%」 and the five dimensions: the provincial evaluation is 30 %,
/// the five industry dimensions the other 700 points.
#[test]
fn dimensions_make_up_the_industry_seventy_percent() {
    let total: f64 = DIMENSIONS.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 700.0);
    assert_eq!(BASE_WEIGHT_BP, 3000);
}

/// L1322: 「基于省公共信用信息平台信用评价结果数据（占比30%）」.
#[test]
fn provincial_base_counts_exactly_thirty_percent() {
    let e = evaluate::<NingboPort>(&exemplary(812.5).build()).unwrap();
    let base = e.contributions.iter().find(|c| c.name == "base").unwrap();
    assert_eq!(base.points, 24_375); // 812.50 × 0.30 = 243.75
    // Full industry marks (700) + 243.75.
    assert_eq!(e.score, 94_375);
    assert_eq!(e.grade, "A");
}

/// L1334: 「企业信用等级由经济主体信用得分确定」,
/// 「将等级设置为A、B、C、D四个等级, 分别对应信用优秀、信用良好、信用一般、信用低下」 — the grade follows the score.
#[test]
fn grades_follow_the_bands() {
    // Industry part 700 at full marks; base moves the total.
    let cases = [(1000.0, "A"), (500.0, "A"), (0.0, "B")];
    for (base, grade) in cases {
        let e = evaluate::<NingboPort>(&exemplary(base).build()).unwrap();
        assert_eq!(e.grade, grade, "base {base}: score {}", e.score);
    }
    // Each band's edge, on both sides: 700 industry points + 30 % of the
    // base (0.3 × 499.97 = 149.991 → 149.99); with 3 customs violations the
    // law-abiding dimension's 150 is gone (550 + 30 % of the base).
    let three = || exemplary(0.0).set("customs_violations_3y", Value::Number(3.0));
    let edges = [
        (exemplary(500.0), 85_000, "A"),
        (exemplary(499.97), 84_999, "B"),
        (three().base(500.0, "A"), 70_000, "B"),
        (three().base(499.97, "A"), 69_999, "C"),
        (three().base(0.0, "A"), 55_000, "C"),
    ];
    for (req, score, grade) in edges {
        let e = evaluate::<NingboPort>(&req.build()).unwrap();
        assert_eq!((e.score, e.grade.as_str()), (score, grade));
    }
    // A weak broker: D.
    let e = evaluate::<NingboPort>(&weak().build()).unwrap();
    // 120 + 6 + 0 + 30 + 0 + 10 + 0 + 50 + 0 + 0 = 216
    assert_eq!(e.score, 21_600);
    assert_eq!(e.grade, "D");
}

/// L1322 names 「遵纪守法」 (law-abiding) among the dimensions; the points per
/// customs violation are ours.
#[test]
fn customs_violations_cost_fifty_each_down_to_zero() {
    for (n, pts) in [(0.0, 15_000), (1.0, 10_000), (3.0, 0), (7.0, 0)] {
        let e =
            evaluate::<NingboPort>(&exemplary(800.0).number("customs_violations_3y", n).build());
        // the builder appends a second value: the model must refuse the duplicate
        assert!(
            matches!(e, Err(EvalError::InvalidIndicator(ref m)) if m.contains("more than once"))
        );
        let mut req = exemplary(800.0).build();
        req.indicators.retain(|i| i.name != "customs_violations_3y");
        req.indicators.push(Indicator {
            name: "customs_violations_3y".into(),
            value: Value::Number(n),
            observed_on: None,
            source: Some("customs".into()),
        });
        let e = evaluate::<NingboPort>(&req).unwrap();
        let c = e
            .contributions
            .iter()
            .find(|c| c.name == "customs_violations_3y")
            .unwrap();
        assert_eq!(c.points, pts, "{n} violations");
    }
}

/// L68: 「将公共信用评价等级较差和被列入严重失信名单的主体纳入重点监管对象」 —
/// a poor provincial grade (较差, D, or worse, E) puts the enterprise under key
/// supervision: graded `key-supervision` whatever the points, which stay as
/// they are. A fair grade (C, 中等) does not.
#[test]
fn a_poor_provincial_grade_is_key_supervision() {
    for (grade, shown) in [("D", "D (较差)"), ("E", "E (差)"), ("较差", "D (较差)")] {
        let e = ok::<NingboPort>(&exemplary(900.0).base(900.0, grade).build());
        // 270 + 700: the points alone earn A.
        assert_eq!(
            (e.score, e.grade.as_str()),
            (97_000, "key-supervision"),
            "{grade}"
        );
        assert_eq!(
            e.reasons[0],
            format!(
                "key supervision (重点监管): provincial public credit grade {shown} — graded \
                 'key-supervision' whatever the points (the points alone earn A); inspection \
                 rate and supervision frequency raised (提高查验率或监管频次)"
            )
        );
        assert_eq!(e.reasons.len(), 1, "{:?}", e.reasons);
    }
    for grade in ["A", "B", "C", "中等"] {
        let e = ok::<NingboPort>(&exemplary(900.0).base(900.0, grade).build());
        assert_eq!((e.score, e.grade.as_str()), (97_000, "A"), "{grade}");
    }
}

/// L1342: 「对C、D类高风险企业或失信企业, 提高查验率或监管频次」 and L68 (the
/// serious-untrust list, 严重失信名单: key supervision). Changed on purpose
/// from 1.0.0, which capped the score at 549.99 (grade D), a rule of its own:
/// the source raises the inspection rate of an untrustworthy enterprise, it
/// does not give it points or a credit grade.
#[test]
fn a_black_list_is_key_supervision_and_keeps_the_points() {
    let e = ok::<NingboPort>(&exemplary(900.0).list("black:court-defaulter").build());
    assert_eq!((e.score, e.grade.as_str()), (97_000, "key-supervision"));
    assert_eq!(
        e.reasons[0],
        "key supervision (重点监管): on a serious-untrust list (严重失信名单: \
         black:court-defaulter) — graded 'key-supervision' whatever the points (the points \
         alone earn A); inspection rate and supervision frequency raised (提高查验率或监管频次)"
    );
    assert!(!e.contributions.iter().any(|c| c.name == "black-list"));
    // A poor grade and two black lists: one status, every trigger named.
    let e = ok::<NingboPort>(
        &exemplary(300.0)
            .base(300.0, "E")
            .list("black:a")
            .list("black:b")
            .build(),
    );
    assert_eq!((e.score, e.grade.as_str()), (79_000, "key-supervision"));
    assert!(
        e.reasons[0].starts_with(
            "key supervision (重点监管): provincial public credit grade E (差); on a \
             serious-untrust list (严重失信名单: black:a, black:b) — graded"
        ),
        "{}",
        e.reasons[0]
    );
}

/// L1322: 「根据企业信用等级、预警名单等指标进行动态分析监测，探索信用风险分类管理」 —
/// the warning list is read beside the credit grade: an enterprise on one
/// (`warning:…` in the base's lists) is graded `warning` whatever the points,
/// which stay as they are.
#[test]
fn a_warning_list_grades_warning() {
    let e = ok::<NingboPort>(&exemplary(900.0).list("warning:customs-risk").build());
    assert_eq!((e.score, e.grade.as_str()), (97_000, "warning"));
    assert_eq!(
        e.reasons[0],
        "on a warning list (预警名单: warning:customs-risk) — graded 'warning' whatever the \
         points (the points alone earn A); under dynamic monitoring (动态分析监测)"
    );
    // Whatever the points: a weak enterprise too.
    let e = ok::<NingboPort>(&weak().list("warning:customs-risk").build());
    assert_eq!((e.score, e.grade.as_str()), (21_600, "warning"));
    assert!(
        e.reasons[0].contains("(the points alone earn D)"),
        "{}",
        e.reasons[0]
    );
}

/// L68 and L1322 together: key supervision is the stricter status and
/// decides the grade; the warning list is still named.
#[test]
fn key_supervision_outranks_a_warning_list() {
    let e = ok::<NingboPort>(
        &exemplary(900.0)
            .list("warning:customs-risk")
            .list("black:court-defaulter")
            .build(),
    );
    assert_eq!(e.grade, "key-supervision");
    assert!(e.reasons[0].starts_with("key supervision (重点监管)"));
    assert_eq!(
        e.reasons[1],
        "also on a warning list (预警名单: warning:customs-risk); under dynamic monitoring \
         (动态分析监测)"
    );
}

/// The source gives Ningbo's red lists no effect: a red list changes nothing
/// (the customs advanced certification it often stands for is scored by
/// `aeo_certified`).
#[test]
fn a_red_list_changes_nothing() {
    let plain = ok::<NingboPort>(&exemplary(812.5).build());
    let red = ok::<NingboPort>(&exemplary(812.5).list("red:provincial-honour").build());
    assert_eq!(plain, red);
}

/// `ProvincialGrade::of`: a base grade that is not one of the five is
/// refused, naming it.
#[test]
fn an_unknown_provincial_grade_is_refused() {
    assert_eq!(
        evaluate::<NingboPort>(&exemplary(800.0).base(800.0, "AAA").build()),
        Err(EvalError::InvalidIndicator(
            "base.grade: 'AAA' is not a provincial grade (A 优秀, B 良好, C 中等, D 较差, E 差)"
                .into()
        ))
    );
}

/// L1322: 「基于省公共信用信息平台信用评价结果数据（占比30%）」, the five dimensions
/// 「基本情况、金融财税、经营能力、遵纪守法、社会责任」; L1334: 「将等级设置为A、B、C、D四个等级」.
/// `examples/requests/ningbo-port.json`, value for value: 243.75 + 568.
#[test]
fn the_example_request_scores_811_75_grade_b() {
    let req = RequestBuilder::enterprise("91330200MA2AAAAA1X", "2026-11-01")
        .base(812.5, "B")
        .list("red:customs-advanced-certified")
        .text("business_type", "freight-forwarder")
        .number("years_in_operation", 8.0)
        .number("registered_capital_10k_cny", 500.0)
        .text("tax_credit_grade", "A")
        .flag("overdue_debts", false)
        .number("annual_revenue_10k_cny", 4200.0)
        .number("customs_violations_3y", 1.0)
        .flag("aeo_certified", true)
        .flag("social_insurance_compliant", true)
        .number("industry_honours", 1.0)
        .build();
    let e = ok::<NingboPort>(&req);
    assert_eq!((e.score, e.grade.as_str()), (81_175, "B"));
    assert_eq!(
        e.reasons[0],
        "customs_violations_3y: 100.00 of 150.00 (1 customs violation(s) in 3 years, 50 points each)"
    );
}

/// L1332: 「宁波口岸领域企业信用评价对象涵盖国际货运代理、国际船舶代理、仓储堆场、报关
/// 报检四类企业」 — enterprises only, of the four kinds: each is scored, any other
/// `business_type` is refused, and so is a natural person.
#[test]
fn only_enterprises_of_the_four_kinds_are_scored() {
    assert_eq!(
        BUSINESS_TYPES,
        [
            "freight-forwarder",
            "ship-agent",
            "warehouse-yard",
            "customs-broker"
        ]
    );
    assert_eq!(
        NingboPort::describe().subject_kinds,
        [SubjectKind::Enterprise]
    );
    for kind in BUSINESS_TYPES {
        let req = exemplary(800.0)
            .set("business_type", Value::Text(kind.into()))
            .build();
        assert!(evaluate::<NingboPort>(&req).is_ok(), "{kind}");
    }
    let other = exemplary(800.0)
        .set("business_type", Value::Text("shipping-line".into()))
        .build();
    assert_eq!(
        evaluate::<NingboPort>(&other),
        Err(EvalError::InvalidIndicator(
            "business_type: 'shipping-line' is not one of freight-forwarder, ship-agent, \
             warehouse-yard, customs-broker"
                .into()
        ))
    );
    let mut person = exemplary(800.0).build();
    person.subject.kind = SubjectKind::NaturalPerson;
    assert_eq!(
        evaluate::<NingboPort>(&person),
        Err(EvalError::UnsupportedSubject(SubjectKind::NaturalPerson))
    );
}

#[test]
fn bad_inputs_are_named() {
    let req = exemplary(800.0).build();
    let no_tax = exemplary(800.0).without("tax_credit_grade").build();
    assert_eq!(
        evaluate::<NingboPort>(&no_tax),
        Err(EvalError::MissingIndicator("tax_credit_grade".into()))
    );
    let bad_type = exemplary(800.0)
        .set("business_type", Value::Text("airline".into()))
        .build();
    assert!(
        matches!(evaluate::<NingboPort>(&bad_type), Err(EvalError::InvalidIndicator(m)) if m.contains("airline"))
    );
    let mut person = req;
    person.subject.kind = SubjectKind::NaturalPerson;
    assert_eq!(
        evaluate::<NingboPort>(&person),
        Err(EvalError::UnsupportedSubject(SubjectKind::NaturalPerson))
    );
}

/// What `describe()` and `consequences()` declare: version 2.0.0, the
/// grades A–D then the two statuses, and a consequence for a poor provincial
/// grade (L68), a black list (L68, L1342) and a warning list (L1322), each
/// giving a declared grade.
#[test]
fn describe_tells_the_truth() {
    let info = NingboPort::describe();
    assert_eq!(info.name, "ningbo/port");
    assert_eq!(info.version, "2.0.0");
    assert_eq!(info.base_weight_bp, 3000);
    let grades: Vec<_> = info
        .grades
        .iter()
        .map(|g| (g.grade.as_str(), g.min_score))
        .collect();
    assert_eq!(
        grades,
        [
            ("A", 85_000),
            ("B", 70_000),
            ("C", 55_000),
            ("D", 0),
            ("warning", 0),
            ("key-supervision", 0)
        ]
    );
    let consequences: Vec<_> = NingboPort::consequences()
        .into_iter()
        .map(|c| (c.when, c.grade, c.source))
        .collect();
    let some = |g: &str| Some(g.to_string());
    assert_eq!(
        consequences,
        [
            (
                "base:poor".to_string(),
                some("key-supervision"),
                "credit-zhejiang-2020-01 L68".to_string()
            ),
            (
                "list:black".to_string(),
                some("key-supervision"),
                "credit-zhejiang-2020-01 L68, L1342".to_string()
            ),
            (
                "list:warning".to_string(),
                some("warning"),
                "credit-zhejiang-2020-01 L1322".to_string()
            ),
        ]
    );
    for c in NingboPort::consequences() {
        assert!(
            info.grades
                .iter()
                .any(|g| Some(&g.grade) == c.grade.as_ref())
        );
    }
    // Every indicator the model reads is declared.
    let e = evaluate::<NingboPort>(&exemplary(800.0).build()).unwrap();
    for c in e.contributions.iter().filter(|c| c.name != "base") {
        assert!(
            info.indicators.iter().any(|i| i.name == c.name),
            "{} undeclared",
            c.name
        );
    }
}

/// README, "What changed from 1.0.0": 「No score changes: every enterprise
/// gets the points 1.0.0 gave it, except a black-listed one, which keeps its
/// points instead of the 549.99 cap. What changes is the grade of an
/// enterprise with a poor provincial grade, on a black list, or on a warning
/// list.」 Swept over provincial scores and grades A–E, with and without a
/// black and a warning list, and the indicators around their rule edges:
/// where none of those holds, 2.0.0 answers exactly as 1.0.0 did; where one
/// holds, the only differences are the `black-list` cap part (gone, the
/// score back to the points) and the grade (`key-supervision`, or
/// `warning`).
#[test]
fn v2_keeps_1_0_0_answers_but_what_it_corrects() {
    use ningbo_port_v1::NingboPort as V1;
    let n = Value::Number;
    // Variants of the exemplary forwarder (700 industry points), each
    // around a rule edge: 550 and 450 points put the total on the C/D edge
    // (the 1.0.0 cap); the revenue, years and tax edges move it between.
    let variants: [&[(&str, Value)]; 6] = [
        &[],
        &[("customs_violations_3y", n(3.0))],
        &[
            ("customs_violations_3y", n(2.9)),
            ("tax_credit_grade", Value::Text("D".into())),
        ],
        &[
            ("annual_revenue_10k_cny", n(2_999.0)),
            ("years_in_operation", n(9.5)),
        ],
        &[
            ("annual_revenue_10k_cny", n(299.0)),
            ("overdue_debts", Value::Flag(true)),
            ("customs_violations_3y", n(4.0)),
        ],
        &[
            ("annual_revenue_10k_cny", n(10_000.0)),
            ("aeo_certified", Value::Flag(false)),
            ("customs_violations_3y", n(1.0)),
        ],
    ];
    let lists: [&[&str]; 4] = [
        &[],
        &["black:court-defaulter"],
        &["warning:customs-risk"],
        &["black:court-defaulter", "warning:customs-risk", "red:aeo"],
    ];
    let (mut swept, mut uncapped_black, mut capped_black) = (0, 0, 0);
    for base in [0.0, 333.33, 500.0, 812.5, 1000.0] {
        for grade in ["A", "B", "C", "D", "E"] {
            for list in lists {
                for variant in variants {
                    let mut b = exemplary(base);
                    for (name, value) in variant {
                        b = b.set(name, value.clone());
                    }
                    for l in list {
                        b = b.list(l);
                    }
                    let mut req = b.build();
                    req.base.grade = grade.into();
                    let at = format!("base {base} {grade}, lists {list:?}, {variant:?}");
                    let v2 = ok::<NingboPort>(&req);
                    let v1 = V1::evaluate(&req).unwrap();
                    swept += 1;

                    let poor = matches!(grade, "D" | "E");
                    let black = list.iter().any(|l| l.starts_with("black:"));
                    let warning = list.iter().any(|l| l.starts_with("warning:"));
                    if !poor && !black && !warning {
                        assert_eq!(v2, v1, "{at}");
                        continue;
                    }
                    // 1.0.0's cap, the one part 2.0.0 drops: only for a
                    // black list, and only when the points were above it.
                    let cap: Vec<_> = v1
                        .contributions
                        .iter()
                        .filter(|c| c.name == "black-list")
                        .collect();
                    assert!(black || cap.is_empty(), "{at}");
                    let capped = cap.first().map_or(0, |c| c.points);
                    assert!(capped <= 0, "{at}");
                    if black {
                        if capped < 0 {
                            capped_black += 1;
                        } else {
                            uncapped_black += 1;
                        }
                        assert_eq!(v1.grade, "D", "{at}");
                        assert!(v1.score <= 54_999, "{at}");
                    }
                    let kept: Vec<_> = v1
                        .contributions
                        .iter()
                        .filter(|c| c.name != "black-list")
                        .cloned()
                        .collect();
                    assert_eq!(v2.contributions, kept, "{at}");
                    assert_eq!(v2.score, v1.score - capped, "{at}");
                    // The grade is the status; the points alone still earn
                    // 1.0.0's grade (uncapped), named in the first reason.
                    let earned = bands().grade_for(v2.score).to_string();
                    if !black {
                        assert_eq!(earned, v1.grade, "{at}");
                    }
                    let status = if poor || black {
                        KEY_SUPERVISION
                    } else {
                        WARNING
                    };
                    assert_eq!(v2.grade, status, "{at}");
                    assert!(
                        v2.reasons[0].contains(&format!("(the points alone earn {earned})")),
                        "{at}: {:?}",
                        v2.reasons
                    );
                }
            }
        }
    }
    assert_eq!(swept, 5 * 5 * 4 * 6);
    // Both sides of the 1.0.0 cap were swept.
    assert!(capped_black > 0 && uncapped_black > 0);
}
