//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, part, white_box};

/// A sound enterprise at full marks in the four industry dimensions (800).
fn exemplary(base: f64) -> RequestBuilder {
    RequestBuilder::enterprise("91330000MA2AMR0001", "2026-11-01")
        .base(base, "A")
        .flag("annual_report_filed", true)
        .number("legal_rep_changes_1y", 0.0)
        .number("shareholder_changes_1y", 0.0)
        .number("paid_in_capital_10k_cny", 8_000.0)
        .text("tax_credit_grade", "A")
        .number("inspection_failures_1y", 0.0)
        .number("certifications", 3.0)
        .number("revenue_growth_pct", 25.0)
        .number("trademarks", 4.0)
        .number("consumer_complaints_1y", 0.0)
        .flag("abnormal_operations_listed", false)
}

/// The request of examples/requests/market-supervision.json.
fn worked_example() -> RequestBuilder {
    RequestBuilder::enterprise("91330782MA2AMR0042", "2026-11-01")
        .base(736.0, "B")
        .flag("annual_report_filed", true)
        .number("legal_rep_changes_1y", 0.0)
        .number("shareholder_changes_1y", 1.0)
        .number("paid_in_capital_10k_cny", 800.0)
        .text("tax_credit_grade", "B")
        .number("inspection_failures_1y", 0.0)
        .number("certifications", 1.0)
        .number("revenue_growth_pct", 6.5)
        .number("trademarks", 2.0)
        .number("consumer_complaints_1y", 1.0)
        .flag("abnormal_operations_listed", false)
}

/// L1235: 「从公共信用、治理体系、资本能力、质量能力、市场表现五个维度」.
#[test]
fn five_dimensions_of_two_hundred() {
    let total: f64 = DIMENSIONS.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 1000.0);
    assert_eq!(DIMENSIONS[0], ("public-credit", 200.0));
    assert_eq!(BASE_WEIGHT_BP, 2000);
}

/// L1243: 「产生高、中、低风险企业」 — three risk levels, low the best.
#[test]
fn full_marks_are_one_thousand_and_low_risk() {
    let e = evaluate::<MarketSupervision>(&exemplary(1000.0).build()).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (100_000, "low"));
    assert!(e.reasons.is_empty(), "{:?}", e.reasons);
    // "low" risk is the top band.
    assert_eq!(bands().to_wit()[0].grade, "low");
}

/// L1237: 「公共信用是基于企业的合法经营、信用管理、社会责任等要素构建起来的企业基础信用形象」 —
/// the public credit dimension is the provincial evaluation (20 %, ours).
#[test]
fn public_credit_is_exactly_twenty_percent() {
    for (base, points) in [(812.5, 16_250), (333.33, 6_667), (0.0, 0)] {
        let e = evaluate::<MarketSupervision>(&exemplary(base).build()).unwrap();
        assert_eq!(part(&e, "base"), points, "base {base}");
        assert_eq!(e.score, points + 80_000);
    }
}

/// L1243: high, medium and low risk (cut-offs 750 / 550 ours).
#[test]
fn risk_bands_change_exactly_at_their_bounds() {
    // (base, certifications, trademarks, inspection failures, score, risk);
    // full industry 800; base × 0.2.
    let cases = [
        (250.0, 1.0, 0.0, 0.0, 75_000, "low"),
        (249.95, 1.0, 0.0, 0.0, 74_999, "medium"),
        (50.0, 0.0, 0.0, 3.0, 55_000, "medium"),
        (49.95, 0.0, 0.0, 3.0, 54_999, "high"),
    ];
    for (base, c, t, f, score, risk) in cases {
        let req = exemplary(base)
            .set("certifications", Value::Number(c))
            .set("trademarks", Value::Number(t))
            .set("inspection_failures_1y", Value::Number(f))
            .build();
        let e = evaluate::<MarketSupervision>(&req).unwrap();
        assert_eq!((e.score, e.grade.as_str()), (score, risk), "base {base}");
    }
}

/// L1237 says what each dimension covers; the indicators and their points
/// are ours.
#[test]
fn each_dimension_follows_its_rule() {
    let n = Value::Number;
    let t = |s: &str| Value::Text(s.into());
    let cases: [(&str, Value, Points); 22] = [
        ("annual_report_filed", Value::Flag(false), 0),
        ("legal_rep_changes_1y", n(1.0), 3_500),
        ("shareholder_changes_1y", n(1.0), 2_500),
        ("shareholder_changes_1y", n(3.0), 0),
        ("paid_in_capital_10k_cny", n(5_000.0), 10_000),
        ("paid_in_capital_10k_cny", n(1_000.0), 7_500),
        ("paid_in_capital_10k_cny", n(99.0), 2_500),
        ("paid_in_capital_10k_cny", n(0.0), 0),
        ("tax_credit_grade", t("M"), 6_000),
        ("tax_credit_grade", t("D"), 0),
        ("inspection_failures_1y", n(1.0), 8_000),
        ("inspection_failures_1y", n(4.0), 0),
        ("certifications", n(1.0), 4_000),
        ("revenue_growth_pct", n(20.0), 10_000),
        ("revenue_growth_pct", n(0.0), 7_000),
        ("revenue_growth_pct", n(-0.1), 4_000),
        ("revenue_growth_pct", n(-20.0), 4_000),
        ("revenue_growth_pct", n(-35.0), 1_000),
        ("trademarks", n(2.0), 4_000),
        ("consumer_complaints_1y", n(1.0), 3_000),
        ("consumer_complaints_1y", n(9.0), 0),
        ("abnormal_operations_listed", Value::Flag(false), -1),
    ];
    for (name, v, points) in cases {
        let e =
            evaluate::<MarketSupervision>(&exemplary(800.0).set(name, v.clone()).build()).unwrap();
        if points >= 0 {
            assert_eq!(part(&e, name), points, "{name} = {v:?}");
        } else {
            // A trigger flag scores nothing itself.
            assert!(e.contributions.iter().all(|c| c.name != name));
        }
    }
}

/// L1243: 「通过机器学习、规则触发两种方式产生高、中、低风险企业」 — a rule trigger
/// gives the risk level itself: high risk whatever the score, which stays as
/// the points make it. Changed on purpose from 1.0.0, which capped the score
/// at 549.99 (a `rule-trigger` part). The two triggers here are ours.
#[test]
fn each_rule_trigger_forces_high_risk_and_is_named() {
    let abnormal = exemplary(900.0)
        .set("abnormal_operations_listed", Value::Flag(true))
        .build();
    let e = evaluate::<MarketSupervision>(&abnormal).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (98_000, "high"));
    assert_eq!(
        e.reasons[0],
        "rule trigger: listed in the abnormal operations list (经营异常名录) — high risk \
         whatever the score (the score alone: low risk)"
    );
    assert!(e.contributions.iter().all(|c| c.name != "rule-trigger"));

    // One change of legal representative costs 35; two are "sudden".
    let one = exemplary(900.0)
        .set("legal_rep_changes_1y", Value::Number(1.0))
        .build();
    let e = evaluate::<MarketSupervision>(&one).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (94_500, "low"));
    let two = exemplary(900.0)
        .set("legal_rep_changes_1y", Value::Number(2.0))
        .build();
    let e = evaluate::<MarketSupervision>(&two).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (91_000, "high"));
    assert!(e.reasons[0].contains("sudden change of legal representative (2 changes"));

    // Every trigger at once: one level, every trigger named, in order.
    let all = exemplary(900.0)
        .base(900.0, "D")
        .list("black:x")
        .set("abnormal_operations_listed", Value::Flag(true))
        .set("legal_rep_changes_1y", Value::Number(3.0))
        .build();
    let e = evaluate::<MarketSupervision>(&all).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (91_000, "high"));
    assert_eq!(
        e.reasons[0],
        "rule trigger: provincial public credit grade D (较差): a key supervision object \
         (重点监管); on the serious-untrust list (严重失信名单: black:x): a key \
         supervision object (重点监管); listed in the abnormal operations list (经营异常名录); \
         sudden change of legal representative (3 changes in the last year) — high risk \
         whatever the score (the score alone: low risk)"
    );

    // Already high risk: the score stands, the trigger is still named.
    let weak = exemplary(0.0)
        .set("abnormal_operations_listed", Value::Flag(true))
        .set("inspection_failures_1y", Value::Number(5.0))
        .set("tax_credit_grade", Value::Text("D".into()))
        .set("annual_report_filed", Value::Flag(false))
        .build();
    let e = evaluate::<MarketSupervision>(&weak).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (50_000, "high"));
    assert!(
        e.reasons[0].contains("abnormal operations list")
            && e.reasons[0].ends_with("(the score alone: high risk)")
    );
}

/// L68: 「将公共信用评价等级较差和被列入严重失信名单的主体纳入重点监管对象，推送至省行政执法
/// 监管平台，在“双随机、一公开”监管中采取适当提高抽查比例和频次」; L1249: 「在抽取检查对象时，
/// 必须抽取一定比例的高风险企业实施检查」 — key supervision is this model's high risk. A
/// poor provincial grade (较差, D, or worse, E) gives high risk whatever the
/// score; C (中等) does not.
#[test]
fn a_poor_provincial_grade_is_high_risk() {
    for (grade, shown) in [("D", "D (较差)"), ("E", "E (差)"), ("较差", "D (较差)")] {
        let e =
            evaluate::<MarketSupervision>(&worked_example().base(736.0, grade).build()).unwrap();
        assert_eq!((e.score, e.grade.as_str()), (75_220, "high"), "{grade}");
        assert_eq!(
            e.reasons[0],
            format!(
                "rule trigger: provincial public credit grade {shown}: a key supervision object \
                 (重点监管) — high risk whatever the score (the score alone: low risk)"
            )
        );
    }
    let e = evaluate::<MarketSupervision>(&worked_example().base(736.0, "C").build()).unwrap();
    assert_eq!(e.grade, "low");
    assert!(matches!(
        evaluate::<MarketSupervision>(&worked_example().base(736.0, "").build()),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("base.grade: ''")
    ));
}

/// L68 (the serious-untrust list: key supervision), L1247: 「对违法失信者“利剑高悬”」,
/// L1249 — a black list gives high risk whatever the score, which stays.
/// Changed on purpose from 1.0.0's cap at 549.99.
#[test]
fn a_black_list_is_high_risk() {
    let e = evaluate::<MarketSupervision>(
        &exemplary(900.0)
            .list("black:serious-illegal-dishonesty")
            .list("red:x")
            .build(),
    )
    .unwrap();
    assert_eq!((e.score, e.grade.as_str()), (98_000, "high"));
    assert_eq!(
        e.reasons[0],
        "rule trigger: on the serious-untrust list (严重失信名单: \
         black:serious-illegal-dishonesty): a key supervision object (重点监管) — high risk \
         whatever the score (the score alone: low risk)"
    );
    // A red list changes nothing.
    let red = evaluate::<MarketSupervision>(&exemplary(900.0).list("red:x").build()).unwrap();
    assert_eq!((red.score, red.grade.as_str()), (98_000, "low"));
}

/// L1225: 「浙江省市场监管局对全省250万家企业进行智能化、精准化信用风险等级分级」 —
/// enterprises only: a natural person is refused, and only enterprises are
/// declared.
#[test]
fn only_enterprises_are_scored() {
    assert_eq!(
        MarketSupervision::describe().subject_kinds,
        [SubjectKind::Enterprise]
    );
    assert!(evaluate::<MarketSupervision>(&exemplary(800.0).build()).is_ok());
    let mut person = exemplary(800.0).build();
    person.subject.kind = SubjectKind::NaturalPerson;
    assert_eq!(
        evaluate::<MarketSupervision>(&person),
        Err(EvalError::UnsupportedSubject(SubjectKind::NaturalPerson))
    );
}

/// L1231: 「涵盖年报数据、行政检查、行政处罚、黑名单、税务等涉企信用信息」 — the data are
/// the model's inputs: the annual report, inspections, consumer complaints
/// and the tax grade are required indicators (missing, the request is
/// refused by name; each moves the score), and the black lists are read
/// (high risk).
#[test]
fn the_enterprise_credit_data_are_its_inputs() {
    let info = MarketSupervision::describe();
    let changed = [
        ("annual_report_filed", Value::Flag(false), 8_000),
        ("inspection_failures_1y", Value::Number(1.0), 4_000),
        ("consumer_complaints_1y", Value::Number(1.0), 1_000),
        ("tax_credit_grade", Value::Text("B".into()), 2_000),
    ];
    for (name, worse, lost) in changed {
        let declared = info.indicators.iter().find(|i| i.name == name).unwrap();
        assert!(declared.required, "{name}");
        assert_eq!(
            evaluate::<MarketSupervision>(&exemplary(800.0).without(name).build()),
            Err(EvalError::MissingIndicator(name.into()))
        );
        let e = evaluate::<MarketSupervision>(&exemplary(800.0).set(name, worse).build()).unwrap();
        assert_eq!(e.score, 96_000 - lost, "{name}");
    }
    let black = evaluate::<MarketSupervision>(&exemplary(800.0).list("black:x").build()).unwrap();
    assert_eq!((black.score, black.grade.as_str()), (96_000, "high"));
}

#[test]
fn bad_inputs_are_refused_by_name() {
    let tax = exemplary(800.0)
        .set("tax_credit_grade", Value::Text("AAA".into()))
        .build();
    assert!(matches!(
        evaluate::<MarketSupervision>(&tax),
        Err(EvalError::InvalidIndicator(m)) if m.contains("tax_credit_grade") && m.contains("AAA")
    ));
    let growth = exemplary(800.0)
        .set("revenue_growth_pct", Value::Number(-150.0))
        .build();
    assert!(matches!(
        evaluate::<MarketSupervision>(&growth),
        Err(EvalError::InvalidIndicator(m)) if m.contains("revenue_growth_pct")
    ));
    let capital = exemplary(800.0)
        .set("paid_in_capital_10k_cny", Value::Number(-1.0))
        .build();
    assert!(matches!(
        evaluate::<MarketSupervision>(&capital),
        Err(EvalError::InvalidIndicator(m)) if m.contains("paid_in_capital_10k_cny")
    ));
    let missing = exemplary(800.0)
        .without("abnormal_operations_listed")
        .build();
    assert_eq!(
        evaluate::<MarketSupervision>(&missing),
        Err(EvalError::MissingIndicator(
            "abnormal_operations_listed".into()
        ))
    );
    let mut person = exemplary(800.0).build();
    person.subject.kind = SubjectKind::NaturalPerson;
    assert_eq!(
        evaluate::<MarketSupervision>(&person),
        Err(EvalError::UnsupportedSubject(SubjectKind::NaturalPerson))
    );
}

/// L1235: the five dimensions; `examples/requests/market-supervision.json`.
#[test]
fn worked_example_scores_752_20_low_risk() {
    // By hand, for examples/requests/market-supervision.json:
    //   public credit 736.00 × 0.20                      = 147.20
    //   governance: report 80 + rep changes 0 → 70
    //               + 1 shareholder change → 25          = 175.00
    //   capital: paid-in 800 (≥ 100) 50 + tax B 80       = 130.00
    //   quality: no failures 120 + 1 certification 40    = 160.00
    //   market: growth 6.5 % 70 + 2 trademarks 40
    //           + 1 complaint → 30                       = 140.00
    //   no trigger; total                                = 752.20, low risk
    let e = evaluate::<MarketSupervision>(&worked_example().build()).unwrap();
    let parts = white_box(&e);
    assert_eq!(
        parts,
        [
            ("base", 14_720),
            ("annual_report_filed", 8_000),
            ("legal_rep_changes_1y", 7_000),
            ("shareholder_changes_1y", 2_500),
            ("paid_in_capital_10k_cny", 5_000),
            ("tax_credit_grade", 8_000),
            ("inspection_failures_1y", 12_000),
            ("certifications", 4_000),
            ("revenue_growth_pct", 7_000),
            ("trademarks", 4_000),
            ("consumer_complaints_1y", 3_000),
        ]
    );
    assert_eq!((e.score, e.grade.as_str()), (75_220, "low"));
    assert!(e.reasons[0].starts_with("paid_in_capital_10k_cny: 50.00 of 100.00"));
}

/// What `describe()` and `consequences()` declare: version 2.0.0, the three
/// risk levels (no grade of its own for key supervision: it is `high`), and
/// the four triggers, each giving `high`.
#[test]
fn describe_tells_the_truth() {
    let info = MarketSupervision::describe();
    assert_eq!(info.name, "amr/risk");
    assert_eq!(info.version, "2.0.0");
    let grades: Vec<_> = info.grades.iter().map(|g| g.grade.as_str()).collect();
    assert_eq!(grades, ["low", "medium", "high"]);
    let consequences: Vec<_> = MarketSupervision::consequences()
        .into_iter()
        .map(|c| (c.when, c.grade, c.source))
        .collect();
    let s = |t: &str| t.to_string();
    let high = Some(s("high"));
    assert_eq!(
        consequences,
        [
            (
                s("base:poor"),
                high.clone(),
                s("credit-zhejiang-2020-01 L68, L1249")
            ),
            (
                s("list:black"),
                high.clone(),
                s("credit-zhejiang-2020-01 L68, L1247, L1249")
            ),
            (
                s("abnormal_operations_listed"),
                high.clone(),
                s("credit-zhejiang-2020-01 L1243")
            ),
            (
                s("legal_rep_changes_1y"),
                high,
                s("credit-zhejiang-2020-01 L1243")
            ),
        ]
    );
    let e = evaluate::<MarketSupervision>(&worked_example().build()).unwrap();
    for c in e.contributions.iter().filter(|c| c.name != "base") {
        assert!(
            info.indicators.iter().any(|i| i.name == c.name),
            "{} undeclared",
            c.name
        );
    }
}

/// README, "What changed from 1.0.0": 「Scores change only for triggered
/// enterprises (their points, no longer capped at 549.99); risk levels
/// change for enterprises with a poor provincial grade.」 Swept over
/// provincial scores and grades A–E, with and without a black list, and the
/// indicators around their rule edges (the sudden-change trigger at 2, the
/// abnormal operations list, the growth and capital bands): where no trigger
/// holds, 2.0.0 answers exactly as 1.0.0 did; where one holds, the only
/// differences are the `rule-trigger` cap part (gone, the score back to the
/// points) and the risk level (`high`, the level the points alone earn
/// named in the first reason).
#[test]
fn v2_keeps_1_0_0_answers_but_what_it_corrects() {
    use market_supervision_v1::MarketSupervision as V1;
    let n = Value::Number;
    // Variants of the exemplary enterprise (800 industry points), each
    // around a rule edge; 490–690 points with the base put the weak ones on
    // the 1.0.0 cap (549.99) from both sides.
    let variants: [&[(&str, Value)]; 8] = [
        &[],
        &[("legal_rep_changes_1y", n(1.0))],
        &[("legal_rep_changes_1y", n(2.0))],
        &[("abnormal_operations_listed", Value::Flag(true))],
        &[
            ("revenue_growth_pct", n(-20.0)),
            ("paid_in_capital_10k_cny", n(999.9)),
            ("consumer_complaints_1y", n(2.0)),
        ],
        &[
            ("inspection_failures_1y", n(3.0)),
            ("revenue_growth_pct", n(-20.01)),
            ("tax_credit_grade", Value::Text("D".into())),
        ],
        &[
            ("inspection_failures_1y", n(3.0)),
            ("revenue_growth_pct", n(0.0)),
            ("tax_credit_grade", Value::Text("M".into())),
            ("legal_rep_changes_1y", n(1.9)),
        ],
        &[
            ("inspection_failures_1y", n(3.0)),
            ("revenue_growth_pct", n(19.99)),
            ("tax_credit_grade", Value::Text("D".into())),
            ("abnormal_operations_listed", Value::Flag(true)),
            ("legal_rep_changes_1y", n(2.0)),
        ],
    ];
    let (mut swept, mut capped_triggers, mut uncapped_triggers) = (0, 0, 0);
    for base in [0.0, 300.0, 412.5, 600.0, 1000.0] {
        for grade in ["A", "B", "C", "D", "E"] {
            for black in [None, Some("black:serious-illegal")] {
                for variant in variants {
                    let mut b = exemplary(base);
                    for (name, value) in variant {
                        b = b.set(name, value.clone());
                    }
                    if let Some(l) = black {
                        b = b.list(l);
                    }
                    let mut req = b.build();
                    req.base.grade = grade.into();
                    let at = format!("base {base} {grade}, {black:?}, {variant:?}");
                    let v2 = evaluate::<MarketSupervision>(&req).unwrap();
                    let v1 = V1::evaluate(&req).unwrap();
                    swept += 1;

                    let poor = matches!(grade, "D" | "E");
                    let flag = |name: &str| {
                        variant
                            .iter()
                            .any(|(n, v)| *n == name && *v == Value::Flag(true))
                    };
                    let rep = variant
                        .iter()
                        .any(|(n, v)| *n == "legal_rep_changes_1y" && *v == Value::Number(2.0));
                    // The triggers 1.0.0 already had.
                    let v1_trigger = black.is_some() || flag("abnormal_operations_listed") || rep;
                    if !poor && !v1_trigger {
                        assert_eq!(v2, v1, "{at}");
                        continue;
                    }
                    // 1.0.0's cap, the one part 2.0.0 drops: only for its
                    // triggers, and only when the points were above it.
                    let cap: Vec<_> = v1
                        .contributions
                        .iter()
                        .filter(|c| c.name == "rule-trigger")
                        .collect();
                    assert!(v1_trigger || cap.is_empty(), "{at}");
                    let capped = cap.first().map_or(0, |c| c.points);
                    assert!(capped <= 0, "{at}");
                    if v1_trigger {
                        assert_eq!(v1.grade, HIGH, "{at}");
                        assert!(v1.score <= 54_999, "{at}");
                        if capped < 0 {
                            capped_triggers += 1;
                        } else {
                            uncapped_triggers += 1;
                        }
                    }
                    let kept: Vec<_> = v1
                        .contributions
                        .iter()
                        .filter(|c| c.name != "rule-trigger")
                        .cloned()
                        .collect();
                    assert_eq!(v2.contributions, kept, "{at}");
                    assert_eq!(v2.score, v1.score - capped, "{at}");
                    let earned = bands().grade_for(v2.score).to_string();
                    if !v1_trigger {
                        assert_eq!(earned, v1.grade, "{at}");
                    }
                    assert_eq!(v2.grade, HIGH, "{at}");
                    assert!(
                        v2.reasons[0].contains(&format!("(the score alone: {earned} risk)")),
                        "{at}: {:?}",
                        v2.reasons
                    );
                }
            }
        }
    }
    assert_eq!(swept, 5 * 5 * 2 * 8);
    // Both sides of the 1.0.0 cap were swept.
    assert!(capped_triggers > 0 && uncapped_triggers > 0);
}
