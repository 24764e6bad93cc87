//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers. Each rule's test quotes the
//! source line it comes from (《信用浙江》2020 no. 1–2,
//! `credit-zhejiang-2020-01.txt`).
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, ok, part, white_box};

/// A subject of `kind` at full research marks for every kind (a unit needs
/// twice the outputs and awards of a researcher for full marks).
fn exemplary_of(kind: SubjectKind, base: f64) -> RequestBuilder {
    RequestBuilder::new(kind, "12330000470000001X", "2026-11-01")
        .base(base, "A")
        .number("research_violations_3y", 0.0)
        .flag("ethics_review_compliant", true)
        .number("overdue_acceptances_2y", 0.0)
        .number("failed_acceptances_3y", 0.0)
        .number("outputs_3y", 20.0)
        .number("science_awards_5y", 4.0)
}

/// A research institute at full research marks.
fn exemplary(base: f64) -> RequestBuilder {
    exemplary_of(SubjectKind::PublicInstitution, base)
}

/// A researcher at full research marks.
fn researcher(base: f64) -> RequestBuilder {
    exemplary_of(SubjectKind::NaturalPerson, base)
}

/// The request of examples/requests/science-integrity.json.
fn worked_example() -> RequestBuilder {
    RequestBuilder::enterprise("91330100MA2SCI0001", "2026-11-01")
        .base(768.4, "B")
        .list("red:high-tech-enterprise")
        .number("research_violations_3y", 0.0)
        .flag("ethics_review_compliant", true)
        .number("overdue_acceptances_2y", 0.0)
        .number("failed_acceptances_3y", 0.0)
        .number("outputs_3y", 7.0)
        .number("science_awards_5y", 1.0)
}

/// L1082: 「评价指标分为两级，一级指标由公共信用和科研信用组成，公共信用数据来源于省
/// 公共信用平台。科研信用包括科研合规度、科研履约度、科研成效度三部分」
/// L1085: 「科研诚信评价总分为1000分」
#[test]
fn research_credit_is_seven_hundred_and_base_three_hundred() {
    let total: f64 = DIMENSIONS.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 700.0);
    assert_eq!(BASE_WEIGHT_BP, 3000);
    let info = ScienceIntegrity::describe();
    assert_eq!((info.scale_min, info.scale_max), (0, 100_000));
}

/// L1085: 「科研诚信评价总分为1000分」
#[test]
fn full_marks_are_one_thousand_excellent_for_every_kind() {
    for s in SYSTEMS {
        let e = ok::<ScienceIntegrity>(&exemplary_of(s.kind, 1000.0).build());
        assert_eq!((e.score, e.grade.as_str()), (100_000, "excellent"), "{s:?}");
        assert_eq!(part(&e, "base"), 30_000);
        assert!(e.reasons.is_empty(), "{:?}", e.reasons);
    }
}

/// L1082: 「公共信用数据来源于省公共信用平台」 (public credit, 30 % of the
/// provincial score: our weight).
#[test]
fn public_credit_is_exactly_thirty_percent_of_the_base() {
    let e = ok::<ScienceIntegrity>(&exemplary(812.5).build());
    assert_eq!(part(&e, "base"), 24_375); // 812.50 × 0.30 = 243.75
    assert_eq!(e.score, 94_375);
    // 0.30 × 333.33 = 99.999 → 100.00, rounded once.
    let e = ok::<ScienceIntegrity>(&exemplary(333.33).build());
    assert_eq!(part(&e, "base"), 10_000);
}

/// The grade bands are ours (the source gives the 1000-point total, L1085,
/// not the grades): excellent ≥ 850, good ≥ 700, fair ≥ 550.
#[test]
fn grades_change_exactly_at_their_bands() {
    // (base, research violations, score, grade): a researcher's full research
    // marks are 700, each violation costs 50.
    let cases = [
        (500.0, 0.0, 85_000, "excellent"),
        (499.96, 0.0, 84_999, "good"),
        (0.0, 0.0, 70_000, "good"),
        (166.63, 1.0, 69_999, "fair"),
        (0.0, 3.0, 55_000, "fair"),
        (166.63, 4.0, 54_999, "poor"),
    ];
    for (base, v, score, grade) in cases {
        let req = researcher(base)
            .set("research_violations_3y", Value::Number(v))
            .build();
        let e = ok::<ScienceIntegrity>(&req);
        assert_eq!(
            (e.score, e.grade.as_str()),
            (score, grade),
            "base {base}, {v} violations"
        );
    }
}

/// L1082: 「针对从事科研诚信的人员、企业、事业单位三类主体分别建立指标体系」;
/// L1085: 「根据科研诚信不同主体评价指标和权重设置」 — three systems: a
/// researcher's counted record weighs 50 (outputs 10), an enterprise's or
/// institution's 25 (outputs 5).
#[test]
fn each_kind_has_its_own_indicator_system() {
    let kinds: Vec<_> = ScienceIntegrity::describe().subject_kinds;
    assert_eq!(
        kinds,
        [
            SubjectKind::NaturalPerson,
            SubjectKind::Enterprise,
            SubjectKind::PublicInstitution
        ]
    );
    let names: Vec<_> = SYSTEMS.iter().map(|s| s.chinese).collect();
    assert_eq!(names, ["人员", "企业", "事业单位"]);
    // One violation, one failed acceptance, 4 outputs, 1 award, at base 0.
    let expected = [
        (SubjectKind::NaturalPerson, [15_000, 5_000, 4_000, 5_000]),
        (SubjectKind::Enterprise, [17_500, 7_500, 2_000, 2_500]),
        (
            SubjectKind::PublicInstitution,
            [17_500, 7_500, 2_000, 2_500],
        ),
    ];
    for (kind, [v, f, o, a]) in expected {
        let req = exemplary_of(kind, 0.0)
            .set("research_violations_3y", Value::Number(1.0))
            .set("failed_acceptances_3y", Value::Number(1.0))
            .set("outputs_3y", Value::Number(4.0))
            .set("science_awards_5y", Value::Number(1.0))
            .build();
        let e = ok::<ScienceIntegrity>(&req);
        assert_eq!(
            [
                part(&e, "research_violations_3y"),
                part(&e, "failed_acceptances_3y"),
                part(&e, "outputs_3y"),
                part(&e, "science_awards_5y")
            ],
            [v, f, o, a],
            "{kind:?}"
        );
        assert!(
            e.contributions[1]
                .note
                .contains(system_of(kind).unwrap().chinese),
            "{:?}",
            e.contributions[1].note
        );
    }
    // A social organization or government agency is not one of the three.
    for kind in [
        SubjectKind::SocialOrganization,
        SubjectKind::GovernmentAgency,
    ] {
        let mut req = exemplary(800.0).build();
        req.subject.kind = kind;
        assert_eq!(
            evaluate::<ScienceIntegrity>(&req),
            Err(EvalError::UnsupportedSubject(kind))
        );
    }
}

/// L1082: 「科研信用包括科研合规度、科研履约度、科研成效度三部分」 — each
/// second-level indicator's rule (points ours), for an institution.
#[test]
fn each_dimension_follows_its_rule() {
    let cases: [(&str, Value, Points); 12] = [
        ("research_violations_3y", Value::Number(1.0), 17_500),
        ("research_violations_3y", Value::Number(2.9), 15_000),
        ("research_violations_3y", Value::Number(9.0), 0),
        ("ethics_review_compliant", Value::Flag(false), 0),
        ("failed_acceptances_3y", Value::Number(1.0), 7_500),
        ("failed_acceptances_3y", Value::Number(4.0), 0),
        ("outputs_3y", Value::Number(4.0), 2_000),
        ("outputs_3y", Value::Number(30.0), 10_000),
        ("science_awards_5y", Value::Number(1.0), 2_500),
        ("science_awards_5y", Value::Number(0.0), 0),
        ("overdue_acceptances_2y", Value::Number(0.0), 10_000),
        ("overdue_acceptances_2y", Value::Number(1.0), 7_500),
    ];
    for (name, v, points) in cases {
        let e = ok::<ScienceIntegrity>(&exemplary(800.0).set(name, v.clone()).build());
        assert_eq!(part(&e, name), points, "{name} = {v:?}");
    }
    // Absent optional indicators count nothing; absent overdue acceptances
    // are none.
    let req = exemplary(800.0)
        .without("ethics_review_compliant")
        .without("science_awards_5y")
        .without("overdue_acceptances_2y")
        .build();
    let e = ok::<ScienceIntegrity>(&req);
    assert_eq!(part(&e, "ethics_review_compliant"), 0);
    assert_eq!(part(&e, "science_awards_5y"), 0);
    assert_eq!(part(&e, "overdue_acceptances_2y"), 10_000);
    assert_eq!(e.score, 24_000 + 50_000);
}

/// L1105: 「在规定期限内未提交验收申请或完成验收工作，2年内暂停项目申请人申报省级
/// 科技计划项目」 — suspended whatever the points, from the day the overdue
/// acceptance is recorded through the corresponding day 2 years later
/// (`Period::years(2)`, Civil Code arts. 200–204).
#[test]
fn an_overdue_acceptance_suspends_applications_for_two_years_whatever_the_points() {
    let with_overdue = |on: &str| {
        researcher(1000.0)
            .without("overdue_acceptances_2y")
            .event("overdue_acceptance", "2024-ZJ-0815", on)
            .build()
    };
    // First day: recorded on the evaluation date.
    let e = ok::<ScienceIntegrity>(&with_overdue("2026-11-01"));
    assert_eq!((e.score, e.grade.as_str()), (95_000, SUSPENDED));
    assert_eq!(part(&e, "overdue_acceptances_2y"), 5_000);
    assert_eq!(
        e.reasons[0],
        "suspended (暂停申报): 1 overdue acceptance(s) (2024-ZJ-0815 recorded on 2026-11-01, \
         suspended through 2028-11-01): it may not apply for provincial science plan projects for 2 \
         years, whatever the points (在规定期限内未提交验收申请或完成验收工作，2年内暂停项目申请人\
         申报省级科技计划项目, L1105); by points alone 950.00 (excellent)"
    );
    // Last day: recorded 2024-11-01, suspended through 2026-11-01.
    let e = ok::<ScienceIntegrity>(&with_overdue("2024-11-01"));
    assert_eq!(e.grade, SUSPENDED);
    assert!(
        e.reasons[0].contains("suspended through 2026-11-01"),
        "{:?}",
        e.reasons
    );
    // The day after the last day: no longer suspended, and no points lost.
    let e = ok::<ScienceIntegrity>(&with_overdue("2024-10-31"));
    assert_eq!((e.score, e.grade.as_str()), (100_000, "excellent"));
    // Recorded after the evaluation date: does not count yet.
    let e = ok::<ScienceIntegrity>(&with_overdue("2026-11-02"));
    assert_eq!(e.grade, "excellent");
    // Two: the one that ends last comes first; both cost points.
    let two = researcher(1000.0)
        .without("overdue_acceptances_2y")
        .event("overdue_acceptance", "A", "2025-03-01")
        .event("overdue_acceptance", "B", "2026-01-31")
        .event("overdue_acceptance", "C", "2023-01-01")
        .build();
    let e = ok::<ScienceIntegrity>(&two);
    assert_eq!((e.score, e.grade.as_str()), (90_000, SUSPENDED));
    assert!(
        e.reasons[0].starts_with(
            "suspended (暂停申报): 2 overdue acceptance(s) (B recorded on 2026-01-31, suspended \
             through 2028-01-31; A recorded on 2025-03-01, suspended through 2027-03-01)"
        ),
        "{:?}",
        e.reasons
    );
}

/// L1105: 「2年内暂停项目申请人申报省级科技计划项目」 — the same given as a count
/// without dates (v1's input): more than 0 within 2 years is suspended.
#[test]
fn a_counted_overdue_acceptance_suspends_too_and_the_two_forms_do_not_mix() {
    let e = ok::<ScienceIntegrity>(
        &researcher(1000.0)
            .set("overdue_acceptances_2y", Value::Number(1.0))
            .build(),
    );
    assert_eq!((e.score, e.grade.as_str()), (95_000, SUSPENDED));
    assert!(
        e.reasons[0].starts_with(
            "suspended (暂停申报): 1 overdue acceptance(s) counted within the last 2 years (no dates \
             given"
        ),
        "{:?}",
        e.reasons
    );
    let e = ok::<ScienceIntegrity>(
        &researcher(1000.0)
            .set("overdue_acceptances_2y", Value::Number(0.0))
            .build(),
    );
    assert_eq!(e.grade, "excellent");
    let both = researcher(1000.0)
        .event("overdue_acceptance", "A", "2025-03-01")
        .build();
    assert!(matches!(
        evaluate::<ScienceIntegrity>(&both),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("overdue_acceptances_2y: give overdue acceptances either")
    ));
    let undated = researcher(1000.0)
        .without("overdue_acceptances_2y")
        .text("overdue_acceptance", "A")
        .build();
    assert!(matches!(
        evaluate::<ScienceIntegrity>(&undated),
        Err(EvalError::InvalidIndicator(m)) if m.contains("overdue_acceptance") && m.contains("observed_on")
    ));
    let not_text = researcher(1000.0)
        .without("overdue_acceptances_2y")
        .indicator("overdue_acceptance", Value::Flag(true), Some("2025-03-01"))
        .build();
    assert_eq!(
        evaluate::<ScienceIntegrity>(&not_text),
        Err(EvalError::InvalidIndicator(
            "overdue_acceptance: expected a text (the project)".into()
        ))
    );
}

/// L1105: 「系统会在科技项目申报时自动预警，对有不良信用记录的拒绝申报」 and
/// 「将严重违背科研诚信要求的信用主体列入红黑名单」; L1078: 「数据交换对接省信用中心和
/// 科技部严重失信名单」; L68: 「被列入严重失信名单的主体纳入重点监管对象」 — a black
/// list refuses applications whatever the points, and the points stand.
#[test]
fn a_black_list_refuses_applications_whatever_the_points() {
    let e = ok::<ScienceIntegrity>(&exemplary(900.0).list("black:most-serious-untrust").build());
    assert_eq!((e.score, e.grade.as_str()), (97_000, REFUSED));
    assert_eq!(
        e.reasons[0],
        "refused (拒绝申报): a bad credit record (不良信用记录) — on a serious-untrust list \
         (严重失信名单): black:most-serious-untrust — so it may not apply for science plan projects, \
         whatever the points (对有不良信用记录的拒绝申报, L1105); by points alone 970.00 (excellent)"
    );
    assert!(e.reasons[1].starts_with("key supervision (重点监管对象)"));
    // No cap: the white box is the points alone.
    assert_eq!(white_box(&e).len(), 7);
    // A red list has no effect the source states (L1105: 「起到激励警示作用」).
    let e = ok::<ScienceIntegrity>(&exemplary(900.0).list("red:integrity-model").build());
    assert_eq!((e.score, e.grade.as_str()), (97_000, "excellent"));
}

/// L1105: 「对有不良信用记录的拒绝申报」 — a research misconduct finding is a bad
/// credit record for 5 years (our window, counted by `Period::years(5)`):
/// refused, whatever the points.
#[test]
fn a_misconduct_finding_refuses_applications_for_five_years() {
    let with_finding = |what: &str, on: &str| {
        exemplary(900.0)
            .event("misconduct_finding", what, on)
            .build()
    };
    for what in MISCONDUCT_KINDS {
        let e = ok::<ScienceIntegrity>(&with_finding(what, "2024-03-02"));
        assert_eq!((e.score, e.grade.as_str()), (97_000, REFUSED), "{what}");
        assert!(
            e.reasons[0].contains(&format!(
                "a research misconduct finding ({what}) of 2024-03-02, a bad record through 2029-03-02"
            )),
            "{:?}",
            e.reasons
        );
    }
    // First day and last day count; the day after the last does not.
    assert_eq!(
        ok::<ScienceIntegrity>(&with_finding("plagiarism", "2026-11-01")).grade,
        REFUSED
    );
    assert_eq!(
        ok::<ScienceIntegrity>(&with_finding("plagiarism", "2021-11-01")).grade,
        REFUSED
    );
    assert_eq!(
        ok::<ScienceIntegrity>(&with_finding("plagiarism", "2021-10-31")).grade,
        "excellent"
    );
    // Dated after the evaluation date: not yet.
    assert_eq!(
        ok::<ScienceIntegrity>(&with_finding("fabrication", "2026-12-01")).grade,
        "excellent"
    );
}

/// L68: 「将公共信用评价等级较差和被列入严重失信名单的主体纳入重点监管对象」 — a poor
/// provincial grade (D 较差, E 差) is key supervision, whatever the points; C is not.
#[test]
fn a_poor_provincial_grade_is_key_supervision() {
    for (grade, read) in [
        ("D", "D (较差)"),
        ("较差", "D (较差)"),
        ("E", "E (差)"),
        ("差", "E (差)"),
    ] {
        let e = ok::<ScienceIntegrity>(&exemplary(900.0).base(900.0, grade).build());
        assert_eq!(
            (e.score, e.grade.as_str()),
            (97_000, KEY_SUPERVISION),
            "{grade}"
        );
        assert!(
            e.reasons[0].starts_with(&format!(
                "key supervision (重点监管对象): provincial public credit grade {read}"
            )),
            "{grade}: {:?}",
            e.reasons
        );
        assert!(e.reasons[0].ends_with("by points alone 970.00 (excellent)"));
    }
    for grade in ["A", "B", "C", "中等"] {
        let e = ok::<ScienceIntegrity>(&exemplary(900.0).base(900.0, grade).build());
        assert_eq!(e.grade, "excellent", "{grade}");
    }
    let unknown = exemplary(900.0).base(900.0, "AAA").build();
    assert!(matches!(
        evaluate::<ScienceIntegrity>(&unknown),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("base.grade: 'AAA'")
    ));
}

/// L1105 (拒绝申报, 暂停申报) and L68 (重点监管): when several hold, refused comes
/// before suspended, suspended before key supervision; every one is named.
#[test]
fn refused_then_suspended_then_key_supervision() {
    let all = researcher(800.0)
        .base(550.0, "D")
        .list("black:court-defaulter")
        .set("overdue_acceptances_2y", Value::Number(1.0))
        .build();
    let e = ok::<ScienceIntegrity>(&all);
    assert_eq!(e.grade, REFUSED);
    assert!(e.reasons[0].starts_with("refused (拒绝申报)"));
    assert!(
        e.reasons[1]
            .starts_with("key supervision (重点监管对象): a subject on a serious-untrust list")
    );
    assert!(e.reasons[2].starts_with("suspended (暂停申报)"));
    assert!(!e.reasons[2].contains("by points alone"));
    assert!(
        e.reasons[3]
            .starts_with("key supervision (重点监管对象): provincial public credit grade D")
    );

    let suspended_and_poor = researcher(800.0)
        .base(550.0, "E")
        .set("overdue_acceptances_2y", Value::Number(1.0))
        .build();
    let e = ok::<ScienceIntegrity>(&suspended_and_poor);
    assert_eq!(e.grade, SUSPENDED);
    assert!(
        e.reasons[1]
            .starts_with("key supervision (重点监管对象): provincial public credit grade E")
    );
}

/// The declaration: every consequence names a declared grade, its trigger
/// and its source line.
#[test]
fn consequences_are_declared_with_their_grades_and_sources() {
    let info = ScienceIntegrity::describe();
    let cs = ScienceIntegrity::consequences();
    let table: Vec<_> = cs
        .iter()
        .map(|c| (c.when.as_str(), c.grade.as_deref(), c.source.as_str()))
        .collect();
    assert_eq!(
        table,
        [
            (
                "list:black",
                Some(REFUSED),
                "credit-zhejiang-2020-01 L1105, L1078, L68"
            ),
            (
                "misconduct_finding",
                Some(REFUSED),
                "credit-zhejiang-2020-01 L1105"
            ),
            (
                "overdue_acceptance",
                Some(SUSPENDED),
                "credit-zhejiang-2020-01 L1105"
            ),
            (
                "overdue_acceptances_2y",
                Some(SUSPENDED),
                "credit-zhejiang-2020-01 L1105"
            ),
            (
                "base:poor",
                Some(KEY_SUPERVISION),
                "credit-zhejiang-2020-01 L68"
            ),
        ]
    );
    for c in &cs {
        let g = c.grade.as_deref().unwrap();
        assert!(info.grades.iter().any(|d| d.grade == g), "{g}");
        assert!(
            c.when.contains(':') || info.indicators.iter().any(|i| i.name == c.when),
            "{}",
            c.when
        );
    }
}

#[test]
fn bad_inputs_are_refused_by_name() {
    let missing = exemplary(800.0).without("outputs_3y").build();
    assert_eq!(
        evaluate::<ScienceIntegrity>(&missing),
        Err(EvalError::MissingIndicator("outputs_3y".into()))
    );
    let negative = exemplary(800.0)
        .set("research_violations_3y", Value::Number(-1.0))
        .build();
    assert!(matches!(
        evaluate::<ScienceIntegrity>(&negative),
        Err(EvalError::InvalidIndicator(m)) if m.contains("research_violations_3y") && m.contains("negative")
    ));
    let wrong_kind = exemplary(800.0)
        .set("ethics_review_compliant", Value::Number(1.0))
        .build();
    assert!(matches!(
        evaluate::<ScienceIntegrity>(&wrong_kind),
        Err(EvalError::InvalidIndicator(m)) if m.contains("ethics_review_compliant")
    ));
    let unknown = exemplary(800.0)
        .event("misconduct_finding", "rudeness", "2025-01-01")
        .build();
    assert!(matches!(
        evaluate::<ScienceIntegrity>(&unknown),
        Err(EvalError::InvalidIndicator(m)) if m.contains("rudeness") && m.contains("plagiarism")
    ));
    let undated = exemplary(800.0)
        .text("misconduct_finding", "plagiarism")
        .build();
    assert!(matches!(
        evaluate::<ScienceIntegrity>(&undated),
        Err(EvalError::InvalidIndicator(m)) if m.contains("misconduct_finding") && m.contains("observed_on")
    ));
}

#[test]
fn worked_example_scores_790_52_good() {
    // By hand, for examples/requests/science-integrity.json (an enterprise:
    // 企业's system, each record 25, outputs 5):
    //   public credit 768.40 × 0.30                       = 230.52
    //   research_violations_3y 0                          = 200.00
    //   ethics_review_compliant                           = 100.00
    //   overdue_acceptances_2y 0                          = 100.00
    //   failed_acceptances_3y 0                           = 100.00
    //   outputs_3y 7 × 5                                  =  35.00
    //   science_awards_5y 1 × 25                          =  25.00
    //   total                                             = 790.52, good
    let e = ok::<ScienceIntegrity>(&worked_example().build());
    let parts = white_box(&e);
    assert_eq!(
        parts,
        [
            ("base", 23_052),
            ("research_violations_3y", 20_000),
            ("ethics_review_compliant", 10_000),
            ("overdue_acceptances_2y", 10_000),
            ("failed_acceptances_3y", 10_000),
            ("outputs_3y", 3_500),
            ("science_awards_5y", 2_500),
        ]
    );
    assert_eq!((e.score, e.grade.as_str()), (79_052, "good"));
    assert!(e.reasons[0].starts_with("science_awards_5y: 25.00 of 100.00"));
    // Version 1.0.0's example (one overdue acceptance counted) is now
    // suspended: 230.52 + 200 + 100 + 75 + 100 + 35 + 25 = 765.52.
    let v1 = worked_example()
        .set("overdue_acceptances_2y", Value::Number(1.0))
        .build();
    let e = ok::<ScienceIntegrity>(&v1);
    assert_eq!((e.score, e.grade.as_str()), (76_552, SUSPENDED));
}

#[test]
fn describe_tells_the_truth() {
    let info = ScienceIntegrity::describe();
    assert_eq!(info.name, "science/integrity");
    assert_eq!(info.version, "2.0.0");
    let grades: Vec<_> = info
        .grades
        .iter()
        .map(|g| (g.grade.as_str(), g.min_score))
        .collect();
    assert_eq!(
        grades,
        [
            ("excellent", 85_000),
            ("good", 70_000),
            ("fair", 55_000),
            ("poor", 0),
            ("key-supervision", 0),
            ("suspended", 0),
            ("refused", 0)
        ]
    );
    let e = ok::<ScienceIntegrity>(&worked_example().build());
    for c in e.contributions.iter().filter(|c| c.name != "base") {
        assert!(
            info.indicators.iter().any(|i| i.name == c.name),
            "{} undeclared",
            c.name
        );
    }
}
