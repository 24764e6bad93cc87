//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate};

const ID: &str = "91330100MA27XXXX1K";

/// An enterprise with no environmental events, evaluated on `as_of`.
pub(crate) fn clean(base: f64, as_of: &str) -> RequestBuilder {
    RequestBuilder::enterprise(ID, as_of).base(base, "B")
}

fn date(s: &str) -> Date {
    Date::parse(s).unwrap()
}

fn deduction(name: &str) -> f64 {
    EVENT_INDICATORS
        .iter()
        .find(|(n, ..)| *n == name)
        .map(|(_, p, ..)| *p)
        .unwrap()
}

/// The contributions named `name`, in order.
fn parts<'a>(e: &'a Evaluation, name: &'a str) -> Vec<&'a Contribution> {
    e.contributions.iter().filter(|c| c.name == name).collect()
}

fn adds_up(e: &Evaluation) {
    assert_eq!(
        e.contributions.iter().map(|c| c.points).sum::<i64>(),
        e.score,
        "{:?}",
        e.contributions
    );
}

/// L1175: 「环境信用评价指标中行政处罚、挂牌督办、生态环境损害、严重失信名单4项指标参与环境信用评价
/// 的有效期为5年，其余指标有效期为1年」.
#[test]
fn the_indicator_table_matches_the_source() {
    assert_eq!(BASE_WEIGHT_BP, 2000);
    // 行政处罚、挂牌督办、生态环境损害、严重失信名单: 5 years; the rest: 1 year.
    let five: Vec<_> = EVENT_INDICATORS
        .iter()
        .filter(|(.., y, _)| *y == 5)
        .map(|(.., zh)| *zh)
        .collect();
    assert_eq!(
        five,
        ["行政处罚", "挂牌督办", "生态环境损害", "严重失信名单"]
    );
    assert!(EVENT_INDICATORS.iter().all(|(.., y, _)| *y == 5 || *y == 1));
    assert_eq!(
        EVENT_INDICATORS.iter().filter(|(.., y, _)| *y == 1).count(),
        4
    );
    let deductions: Vec<f64> = EVENT_INDICATORS.iter().map(|(_, p, ..)| *p).collect();
    assert_eq!(
        deductions,
        [100.0, 150.0, 200.0, 400.0, 50.0, 60.0, 30.0, 20.0]
    );
}

/// L1163: 「污染源企业基本信息数据、行业监管数据、企业公共信用数据」 — the public credit
/// data are the base (20 %, ours), the supervision data the events.
#[test]
fn a_clean_enterprise_scores_a_fifth_of_its_base_plus_800() {
    let e = evaluate::<Environment>(&clean(812.5, "2026-11-01").build()).unwrap();
    // 812.50 × 0.20 = 162.50; + 800 = 962.50
    assert_eq!(parts(&e, "base")[0].points, 16_250);
    assert_eq!(parts(&e, "supervision-baseline")[0].points, 80_000);
    assert_eq!(e.contributions.len(), 2);
    assert_eq!(e.score, 96_250);
    assert_eq!(e.grade, "A");
    adds_up(&e);
}

/// L1175: 「有效期自不良环境行为或事件认定之日起计算」, counted by the Civil Code
/// (`Period`, arts. 200–204): a penalty determined on 2021-11-01 counts from
/// that day (the first day) through 2026-11-01, the corresponding day five
/// years later (the last day, art. 202), and no longer on 2026-11-02.
/// Changed on purpose from 1.0.0, whose window ended the day before
/// (2026-10-31).
#[test]
fn a_five_year_penalty_counts_from_the_first_day_through_the_last() {
    assert_eq!(
        Period::years(5).last_day(date("2021-11-01")),
        date("2026-11-01")
    );
    let on = |as_of: &str| {
        evaluate::<Environment>(
            &clean(500.0, as_of)
                .event("administrative_penalty", "open", "2021-11-01")
                .build(),
        )
        .unwrap()
    };
    // The day before it was determined: not yet.
    let e = on("2021-10-31");
    assert_eq!(parts(&e, "administrative_penalty")[0].points, 0);
    assert_eq!(e.score, 90_000);
    // The first day.
    let e = on("2021-11-01");
    assert_eq!(parts(&e, "administrative_penalty")[0].points, -10_000);
    assert_eq!(e.score, 80_000);
    // The last day.
    let e = on("2026-11-01");
    let p = parts(&e, "administrative_penalty");
    assert_eq!(p[0].points, -10_000);
    assert_eq!(
        p[0].note,
        "administrative penalty of 2021-11-01, counts for 5 years until 2026-11-01: -100"
    );
    assert_eq!(e.score, 80_000);
    adds_up(&e);
    // The day after the last.
    let e = on("2026-11-02");
    let p = parts(&e, "administrative_penalty");
    assert_eq!(p.len(), 1, "the expired event is still listed");
    assert_eq!(p[0].points, 0);
    assert_eq!(
        p[0].note,
        "administrative penalty of 2021-11-01: counted for 5 years until 2026-11-01, expired: 0"
    );
    assert_eq!(e.score, 90_000);
    adds_up(&e);
}

/// L1175: 「其余指标有效期为1年」, 「自…认定之日起计算」: a 1-year indicator counts
/// through the day exactly one year after it was determined (its last day)
/// and not the day after. Changed on purpose from 1.0.0, which had closed the
/// window on that last day.
#[test]
fn a_one_year_indicator_counts_through_its_anniversary_and_not_a_day_more() {
    for (name, _, years, _) in ONE_YEAR_EVENTS {
        assert_eq!(years, 1);
        let on = |observed: &str| {
            evaluate::<Environment>(
                &clean(0.0, "2026-11-01")
                    .event(name, "open", observed)
                    .build(),
            )
            .unwrap()
        };
        // 1 year + 1 day old.
        let e = on("2025-10-31");
        assert_eq!(parts(&e, name)[0].points, 0, "{name}");
        assert_eq!(e.score, 80_000);
        // Exactly 1 year old: the last day, it still counts.
        let e = on("2025-11-01");
        assert_eq!(
            parts(&e, name)[0].points,
            points_from_f64(-deduction(name)),
            "{name}"
        );
        assert_eq!(e.score, points_from_f64(800.0 - deduction(name)));
        // Determined on the evaluation day: the first day, it counts.
        let e = on("2026-11-01");
        assert_eq!(e.score, points_from_f64(800.0 - deduction(name)), "{name}");
    }
}

/// L1175: the window starts on the day of determination (「认定之日」): an event
/// dated after the evaluation date does not count yet.
#[test]
fn a_future_dated_event_does_not_count_yet() {
    let e = evaluate::<Environment>(
        &clean(500.0, "2026-11-01")
            .event("ecological_damage", "open", "2026-11-02")
            .build(),
    )
    .unwrap();
    let p = parts(&e, "ecological_damage");
    assert_eq!(p[0].points, 0);
    assert!(p[0].note.contains("does not count yet"), "{}", p[0].note);
    assert_eq!(e.score, 90_000);
    // On the day itself it counts.
    let e = evaluate::<Environment>(
        &clean(500.0, "2026-11-02")
            .event("ecological_damage", "open", "2026-11-02")
            .build(),
    )
    .unwrap();
    assert_eq!(e.score, 70_000);
}

/// L1175: 「一旦企业通过整改满足指标修复情形，相关信用评价指标扣分予以清除」.
#[test]
fn rectification_clears_the_deduction() {
    let with = |status: &str| {
        evaluate::<Environment>(
            &clean(760.0, "2026-11-01")
                .event("administrative_penalty", status, "2023-05-02")
                .build(),
        )
        .unwrap()
    };
    let open = with("open");
    let rectified = with("rectified");
    assert_eq!(rectified.score - open.score, 10_000);
    assert_eq!(open.score, 85_200); // 152 + 800 − 100
    assert_eq!(rectified.score, 95_200);
    let p = parts(&rectified, "administrative_penalty");
    assert_eq!(p[0].points, 0);
    assert!(
        p[0].note.ends_with("rectified: deduction cleared"),
        "{}",
        p[0].note
    );
    assert_eq!(
        parts(&open, "administrative_penalty")[0].note,
        "administrative penalty of 2023-05-02, counts for 5 years until 2028-05-02: -100"
    );
    // Also for a 5-year serious-untrust listing: no deduction, no key
    // supervision (L1181: 「完成环境违法“黑名单”信用修复」).
    let e = evaluate::<Environment>(
        &clean(760.0, "2026-11-01")
            .event(SERIOUS_DISHONESTY, "rectified", "2025-01-10")
            .build(),
    )
    .unwrap();
    assert_eq!((e.score, e.grade.as_str()), (95_200, "A"));
}

#[test]
fn repeated_events_each_count_and_each_show() {
    let e = evaluate::<Environment>(
        &clean(500.0, "2026-11-01")
            .event("emission_exceedance", "open", "2026-03-01")
            .event("emission_exceedance", "open", "2026-06-01")
            .event("emission_exceedance", "rectified", "2026-07-01")
            .build(),
    )
    .unwrap();
    let pts: Vec<_> = parts(&e, "emission_exceedance")
        .iter()
        .map(|c| c.points)
        .collect();
    assert_eq!(pts, [-5_000, -5_000, 0]);
    assert_eq!(e.score, 80_000);
    adds_up(&e);
}

/// The supervision part floors at 0 (ours: the source gives no deductions).
#[test]
fn many_events_floor_the_supervision_part_at_zero() {
    let mut b = clean(600.0, "2026-11-01");
    for month in 1..=9 {
        b = b.event("ecological_damage", "open", &format!("2026-{month:02}-15"));
    }
    let e = evaluate::<Environment>(&b.build()).unwrap();
    // 9 × −200 = −1800 against 800 full marks: the floor gives back 1000.
    assert_eq!(parts(&e, "ecological_damage").len(), 9);
    assert_eq!(parts(&e, "deduction-floor")[0].points, 100_000);
    let supervision: i64 = e
        .contributions
        .iter()
        .filter(|c| c.name != "base")
        .map(|c| c.points)
        .sum();
    assert_eq!(supervision, 0);
    assert_eq!(e.score, 12_000); // only the base: 600 × 0.2
    assert_eq!(e.grade, "E");
    adds_up(&e);
    // Exactly 800 of deductions needs no floor.
    let e = evaluate::<Environment>(
        &clean(600.0, "2026-11-01")
            .event("ecological_damage", "open", "2026-01-15")
            .event("ecological_damage", "open", "2026-02-15")
            .event("ecological_damage", "open", "2026-03-15")
            .event("ecological_damage", "open", "2026-04-15")
            .build(),
    )
    .unwrap();
    assert!(parts(&e, "deduction-floor").is_empty());
    assert_eq!(e.score, 12_000);
}

/// L68: 「将公共信用评价等级较差和被列入严重失信名单的主体纳入重点监管对象」; L1167:
/// 「列入生态环境严重失信名单的单位」 are evaluated; L1175: the listing counts for 5
/// years. An open listing in its window deducts its 400 points and puts the
/// enterprise under key supervision whatever the points. Changed on purpose
/// from 1.0.0, which capped the score at 499.99 (grade E), a rule of its own.
#[test]
fn a_serious_untrust_listing_is_key_supervision() {
    let e = evaluate::<Environment>(
        &clean(1000.0, "2026-11-01")
            .event(SERIOUS_DISHONESTY, "open", "2024-06-30")
            .build(),
    )
    .unwrap();
    // 200 + 800 − 400 = 600: the points alone earn D.
    assert_eq!(parts(&e, SERIOUS_DISHONESTY)[0].points, -40_000);
    assert_eq!((e.score, e.grade.as_str()), (60_000, "key-supervision"));
    assert_eq!(
        e.reasons[0],
        "key supervision (重点监管): on the ecology and environment serious-untrust list \
         (生态环境严重失信名单) since 2024-06-30 — graded 'key-supervision' whatever the points \
         (the points alone earn D (较差)); inspected more often (提高检查频次)"
    );
    assert!(parts(&e, "serious-dishonesty").is_empty());
    adds_up(&e);
    // Its last day (2021-11-01 + 5 years) still counts; the day after not.
    let on = |as_of: &str| {
        evaluate::<Environment>(
            &clean(1000.0, as_of)
                .event(SERIOUS_DISHONESTY, "open", "2021-11-01")
                .build(),
        )
        .unwrap()
    };
    assert_eq!(on("2026-11-01").grade, "key-supervision");
    let e = on("2026-11-02");
    assert_eq!((e.score, e.grade.as_str()), (100_000, "A"));
}

/// L68: a serious-untrust (black) list puts the enterprise under key
/// supervision, whatever the points, which stay. Changed on purpose from
/// 1.0.0, which capped the score at 499.99 (grade E). A red list changes
/// nothing.
#[test]
fn a_black_list_is_key_supervision() {
    let e = evaluate::<Environment>(
        &clean(900.0, "2026-11-01")
            .list("black:court-defaulter")
            .list("red:green-enterprise")
            .build(),
    )
    .unwrap();
    assert_eq!((e.score, e.grade.as_str()), (98_000, "key-supervision"));
    assert!(parts(&e, "black-list").is_empty());
    assert_eq!(
        e.reasons[0],
        "key supervision (重点监管): on a serious-untrust list (严重失信名单: \
         black:court-defaulter) — graded 'key-supervision' whatever the points (the points \
         alone earn A (优秀)); inspected more often (提高检查频次)"
    );
    adds_up(&e);
    let red = evaluate::<Environment>(&clean(900.0, "2026-11-01").list("red:x").build()).unwrap();
    assert_eq!((red.score, red.grade.as_str()), (98_000, "A"));
}

/// L68: 「将公共信用评价等级较差…的主体纳入重点监管对象」 — a provincial grade of D
/// (较差) or E (差) is key supervision whatever the points; C (中等) is not.
#[test]
fn a_poor_provincial_grade_is_key_supervision() {
    let with = |grade: &str| {
        evaluate::<Environment>(
            &RequestBuilder::enterprise(ID, "2026-11-01")
                .base(760.0, grade)
                .build(),
        )
    };
    for (grade, shown) in [("D", "D (较差)"), ("E", "E (差)"), ("较差", "D (较差)")] {
        let e = with(grade).unwrap();
        assert_eq!((e.score, e.grade.as_str()), (95_200, "key-supervision"));
        assert_eq!(
            e.reasons,
            [format!(
                "key supervision (重点监管): provincial public credit grade {shown} — graded \
                 'key-supervision' whatever the points (the points alone earn A (优秀)); \
                 inspected more often (提高检查频次)"
            )]
        );
    }
    assert_eq!(with("C").unwrap().grade, "A");
    // All three triggers at once: one status, every trigger named.
    let e = evaluate::<Environment>(
        &RequestBuilder::enterprise(ID, "2026-11-01")
            .base(760.0, "E")
            .list("black:x")
            .event(SERIOUS_DISHONESTY, "open", "2026-01-05")
            .build(),
    )
    .unwrap();
    assert!(e.reasons[0].starts_with(
        "key supervision (重点监管): provincial public credit grade E (差); on a serious-untrust \
         list (严重失信名单: black:x); on the ecology and environment serious-untrust list \
         (生态环境严重失信名单) since 2026-01-05 — graded"
    ));
    assert_eq!(
        with("F"),
        Err(EvalError::InvalidIndicator(
            "base.grade: 'F' is not a provincial grade (A 优秀, B 良好, C 中等, D 较差, E 差)"
                .into()
        ))
    );
}

/// L1175 and the Civil Code art. 202 (「没有对应日的，月末日为期间的最后一日」): a
/// 1-year event of 2024-02-29 has no corresponding day in 2025, so its last
/// day is 2025-02-28, the month's last day; it no longer counts on
/// 2025-03-01. Changed on purpose from 1.0.0 (last day 2025-02-27).
#[test]
fn a_leap_day_event_counts_until_28_february() {
    let on = |as_of: &str| {
        evaluate::<Environment>(
            &clean(0.0, as_of)
                .event("permit_violation", "open", "2024-02-29")
                .build(),
        )
        .unwrap()
    };
    let e = on("2025-02-28");
    let p = parts(&e, "permit_violation");
    assert_eq!(p[0].points, -6_000);
    assert_eq!(
        p[0].note,
        "permit violation of 2024-02-29, counts for 1 year until 2025-02-28: -60"
    );
    assert_eq!(parts(&on("2025-03-01"), "permit_violation")[0].points, 0);
    assert_eq!(on("2025-03-01").score, 80_000);
}

#[test]
fn an_event_without_a_date_is_refused() {
    let mut req = clean(800.0, "2026-11-01").build();
    req.indicators.push(Indicator {
        name: "supervised_listing".into(),
        value: Value::Text("open".into()),
        observed_on: None,
        source: Some("ecology-environment-bureau".into()),
    });
    assert!(matches!(
        evaluate::<Environment>(&req),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("supervised_listing") && m.contains("observed_on")
    ));
    let bad_date = clean(800.0, "2026-11-01")
        .event("supervised_listing", "open", "2026-02-30")
        .build();
    assert!(matches!(
        evaluate::<Environment>(&bad_date),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("supervised_listing")
    ));
}

#[test]
fn a_bad_status_is_refused() {
    for bad in ["closed", "OPEN", ""] {
        let req = clean(800.0, "2026-11-01")
            .event("verified_complaint", bad, "2026-10-01")
            .build();
        assert!(
            matches!(
                evaluate::<Environment>(&req),
                Err(EvalError::InvalidIndicator(ref m)) if m.starts_with("verified_complaint") && m.contains(&format!("'{bad}'"))
            ),
            "{bad:?}"
        );
    }
    // Even on an event long expired.
    let req = clean(800.0, "2026-11-01")
        .event("administrative_penalty", "appealed", "2010-01-01")
        .build();
    assert!(matches!(
        evaluate::<Environment>(&req),
        Err(EvalError::InvalidIndicator(m)) if m.contains("appealed")
    ));
    let wrong_kind = clean(800.0, "2026-11-01")
        .indicator("verified_complaint", Value::Flag(true), Some("2026-10-01"))
        .build();
    assert!(matches!(
        evaluate::<Environment>(&wrong_kind),
        Err(EvalError::InvalidIndicator(m)) if m.starts_with("verified_complaint")
    ));
    let mut person = clean(800.0, "2026-11-01").build();
    person.subject.kind = SubjectKind::NaturalPerson;
    assert_eq!(
        evaluate::<Environment>(&person),
        Err(EvalError::UnsupportedSubject(SubjectKind::NaturalPerson))
    );
}

/// L1173: 「环境信用评价等级设置为A级（优秀）、B级（良好）、C级（中等）、D级（较差）、E级（差）五档」
/// — five grades by points, with these names (cut-offs ours).
#[test]
fn every_grade_boundary_is_reachable() {
    let names: Vec<String> = GRADE_NAMES
        .iter()
        .map(|(g, zh, _)| format!("{g}级（{zh}）"))
        .collect();
    assert_eq!(
        names.join("、"),
        "A级（优秀）、B级（良好）、C级（中等）、D级（较差）、E级（差）"
    );
    // score = 0.2 × base + 800 − deductions; base 499.95 gives 99.99.
    let score = |base: f64, events: &[&str]| {
        let mut b = clean(base, "2026-11-01");
        for name in events {
            b = b.event(name, "open", "2026-10-01");
        }
        let e = evaluate::<Environment>(&b.build()).unwrap();
        adds_up(&e);
        (e.score, e.grade)
    };
    let g = |s: &str| s.to_string();
    assert_eq!(score(500.0, &[]), (90_000, g("A")));
    assert_eq!(score(499.95, &[]), (89_999, g("B")));
    assert_eq!(score(0.0, &[]), (80_000, g("B")));
    assert_eq!(score(499.95, &["administrative_penalty"]), (79_999, g("C")));
    assert_eq!(score(0.0, &["supervised_listing"]), (65_000, g("C")));
    assert_eq!(
        score(499.95, &["supervised_listing", "administrative_penalty"]),
        (64_999, g("D"))
    );
    assert_eq!(
        score(0.0, &["ecological_damage", "administrative_penalty"]),
        (50_000, g("D"))
    );
    assert_eq!(
        score(
            499.95,
            &[
                "ecological_damage",
                "supervised_listing",
                "emission_exceedance"
            ]
        ),
        (49_999, g("E"))
    );
    assert_eq!(score(0.0, &["ecological_damage"; 5]), (0, g("E")));
    let b = bands();
    for (grade, min) in [
        ("A", 90_000),
        ("B", 80_000),
        ("C", 65_000),
        ("D", 50_000),
        ("E", 0),
    ] {
        assert_eq!(b.min_of(grade), Some(min));
    }
}

/// What `describe()` and `consequences()` declare: version 2.0.0, grades
/// A–E then `key-supervision`, and key supervision for a poor provincial
/// grade, a black list and an open serious-untrust listing (L68).
#[test]
fn describe_tells_the_truth() {
    let info = Environment::describe();
    assert_eq!(info.name, "zhejiang/environment");
    assert_eq!(info.version, "2.0.0");
    assert_eq!(
        info.title,
        "Zhejiang enterprise environmental credit (企业环境信用评价)"
    );
    assert_eq!(info.subject_kinds, [SubjectKind::Enterprise]);
    assert_eq!((info.scale_min, info.scale_max), (0, 100_000));
    assert_eq!(info.base_weight_bp, 2000);
    let grades: Vec<_> = info
        .grades
        .iter()
        .map(|g| (g.grade.as_str(), g.min_score))
        .collect();
    assert_eq!(
        grades,
        [
            ("A", 90_000),
            ("B", 80_000),
            ("C", 65_000),
            ("D", 50_000),
            ("E", 0),
            ("key-supervision", 0)
        ]
    );
    let consequences: Vec<_> = Environment::consequences()
        .into_iter()
        .map(|c| (c.when, c.grade, c.source))
        .collect();
    let s = |t: &str| t.to_string();
    let key = Some(s("key-supervision"));
    assert_eq!(
        consequences,
        [
            (
                s("base:poor"),
                key.clone(),
                s("credit-zhejiang-2020-01 L68")
            ),
            (
                s("list:black"),
                key.clone(),
                s("credit-zhejiang-2020-01 L68")
            ),
            (
                s(SERIOUS_DISHONESTY),
                key,
                s("credit-zhejiang-2020-01 L68, L1167, L1175")
            ),
        ]
    );
    assert_eq!(info.indicators.len(), EVENT_INDICATORS.len());
    for (name, points, years, chinese) in EVENT_INDICATORS {
        let spec = info.indicators.iter().find(|i| i.name == name).unwrap();
        assert_eq!(spec.kind, ValueKind::Text, "{name}");
        assert!(!spec.required, "{name}");
        for needle in [
            format!("-{points:.0} points"),
            format!("counts for {years} year"),
            "through the corresponding day (Civil Code arts. 200-204)".to_string(),
            chinese.to_string(),
            "\"rectified\" clears the deduction".to_string(),
        ] {
            assert!(spec.description.contains(&needle), "{name}: {needle}");
        }
    }
    // Every contribution the model emits is the base, the baseline, the
    // floor, or a declared indicator.
    let mut b = clean(800.0, "2026-11-01").list("black:x");
    for (name, ..) in EVENT_INDICATORS {
        b = b.event(name, "open", "2026-10-01");
    }
    let e = evaluate::<Environment>(&b.build()).unwrap();
    for c in &e.contributions {
        assert!(
            ["base", "supervision-baseline", "deduction-floor"].contains(&c.name.as_str())
                || info.indicators.iter().any(|i| i.name == c.name),
            "{} undeclared",
            c.name
        );
    }
    assert_eq!(e.grade, "key-supervision");
}

/// `examples/requests/environment.json`, value for value: 152 + 800 − 100
/// − 30 = 822, grade B (L1173, L1175).
#[test]
fn the_example_request_scores_822_grade_b() {
    let e = evaluate::<Environment>(
        &clean(760.0, "2026-11-01")
            .event("administrative_penalty", "open", "2023-05-02")
            .event("supervised_listing", "rectified", "2024-08-15")
            .event("emission_exceedance", "open", "2025-09-20")
            .event("disclosure_failure", "open", "2026-04-10")
            .build(),
    )
    .unwrap();
    assert_eq!((e.score, e.grade.as_str()), (82_200, "B"));
    let notes: Vec<&str> = e.contributions.iter().map(|c| c.note.as_str()).collect();
    assert_eq!(
        notes[2..],
        [
            "administrative penalty of 2023-05-02, counts for 5 years until 2028-05-02: -100",
            "supervised listing of 2024-08-15, counts for 5 years until 2029-08-15: rectified: deduction cleared",
            "emission exceedance of 2025-09-20: counted for 1 year until 2026-09-20, expired: 0",
            "disclosure failure of 2026-04-10, counts for 1 year until 2027-04-10: -30",
        ]
    );
}

/// `s` with every "until YYYY-MM-DD" date blanked: the last day of a window,
/// which 2.0.0 moved (one day later, the corresponding day).
fn without_until(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("until ") {
        out.push_str(&rest[..i + "until ".len()]);
        out.push('…');
        rest = rest.get(i + "until ".len() + 10..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// README, "What changed from 1.0.0": 「Scores change for an enterprise on a
/// black list or an open serious-untrust listing (no cap any more) and for
/// one whose event is exactly on its last day (it now counts); grades change
/// for those and for a poor provincial grade.」 (and 「The notes' "until" date
/// is that last day」). Swept over provincial scores and grades A–E, with and
/// without a black list, and events just before, on and after the last day
/// of their 5- and 1-year windows (29 February too), open and rectified:
/// where none of those holds, 2.0.0 answers exactly as 1.0.0 did but for
/// the "until" dates; where one holds, the only differences are an event on
/// its last day (1.0.0: expired, 0; 2.0.0: it counts), the caps'
/// parts (gone, the score back to the points) and the grade
/// (`key-supervision`).
#[test]
fn v2_keeps_1_0_0_answers_but_what_it_corrects() {
    use environment_v1::Environment as V1;
    const AS_OF: &str = "2026-11-01";
    type Event<'a> = (&'a str, &'a str, &'a str);
    // (evaluation date, events as (name, status, determined on)).
    let scenarios: [(&str, &[Event]); 11] = [
        (AS_OF, &[]),
        (AS_OF, &[("administrative_penalty", OPEN, "2021-11-01")]),
        (AS_OF, &[("administrative_penalty", OPEN, "2021-11-02")]),
        (AS_OF, &[("supervised_listing", OPEN, "2021-10-31")]),
        (
            AS_OF,
            &[
                ("emission_exceedance", OPEN, "2025-11-01"),
                ("permit_violation", RECTIFIED, "2025-11-01"),
            ],
        ),
        (
            AS_OF,
            &[
                ("disclosure_failure", OPEN, "2025-11-02"),
                ("verified_complaint", OPEN, "2025-10-31"),
                ("ecological_damage", OPEN, "2026-11-02"),
            ],
        ),
        (AS_OF, &[("serious_dishonesty_listing", OPEN, "2021-11-02")]),
        (AS_OF, &[("serious_dishonesty_listing", OPEN, "2021-11-01")]),
        (
            AS_OF,
            &[("serious_dishonesty_listing", RECTIFIED, "2023-01-01")],
        ),
        (
            AS_OF,
            &[
                ("serious_dishonesty_listing", OPEN, "2024-01-01"),
                ("ecological_damage", OPEN, "2021-11-01"),
                ("supervised_listing", OPEN, "2022-06-30"),
            ],
        ),
        (
            "2025-02-28",
            &[
                ("emission_exceedance", OPEN, "2024-02-29"),
                ("administrative_penalty", OPEN, "2020-02-29"),
            ],
        ),
    ];
    let (mut swept, mut capped, mut uncapped, mut last_days) = (0, 0, 0, 0);
    for base in [0.0, 499.95, 500.0, 1000.0] {
        for grade in ["A", "B", "C", "D", "E"] {
            for black in [None, Some("black:pollution")] {
                for (as_of, events) in scenarios {
                    let mut b = clean(base, as_of);
                    for (name, status, on) in events {
                        b = b.event(name, status, on);
                    }
                    if let Some(l) = black {
                        b = b.list(l);
                    }
                    let mut req = b.build();
                    req.base.grade = grade.into();
                    let at = format!("base {base} {grade}, {black:?}, {as_of}, {events:?}");
                    let v2 = evaluate::<Environment>(&req).unwrap();
                    let v1 = V1::evaluate(&req).unwrap();
                    swept += 1;

                    // The events in the order both versions score them, and
                    // whether each is on the last day of its window (2.0.0's).
                    let today = date(as_of);
                    let mut scored = Vec::new();
                    for &(name, points, years, _) in &EVENT_INDICATORS {
                        for &(n, status, on) in events.iter().filter(|(n, ..)| *n == name) {
                            let on = date(on);
                            let last = on <= today && Period::years(years).last_day(on) == today;
                            scored.push((n, status, points, last));
                        }
                    }
                    let open_last = |e: &(&str, &str, f64, bool)| e.3 && e.1 == OPEN;
                    let poor = matches!(grade, "D" | "E");
                    let listed = v2
                        .contributions
                        .iter()
                        .any(|c| c.name == SERIOUS_DISHONESTY && c.points < 0);
                    let last_day = scored.iter().any(|e| e.3);
                    let blank = |e: &Evaluation| {
                        let mut e = e.clone();
                        for c in &mut e.contributions {
                            c.note = without_until(&c.note);
                        }
                        for r in &mut e.reasons {
                            *r = without_until(r);
                        }
                        e
                    };
                    if !poor && black.is_none() && !listed && !last_day {
                        assert_eq!(blank(&v2), blank(&v1), "{at}");
                        continue;
                    }
                    // 1.0.0's caps, the parts 2.0.0 drops: only for a black
                    // list or a listing open in 1.0.0's window, and only when
                    // the points were above 499.99.
                    let caps: Vec<_> = v1
                        .contributions
                        .iter()
                        .filter(|c| c.name == "black-list" || c.name == "serious-dishonesty")
                        .collect();
                    let cap: Points = caps.iter().map(|c| c.points).sum();
                    assert!(caps.len() <= 1 && cap <= 0, "{at}");
                    assert!(black.is_some() || listed || caps.is_empty(), "{at}");
                    if black.is_some() {
                        assert!(v1.score <= 49_999 && v1.grade == "E", "{at}");
                        if cap < 0 {
                            capped += 1;
                        } else {
                            uncapped += 1;
                        }
                    }
                    let kept: Vec<_> = v1
                        .contributions
                        .iter()
                        .filter(|c| c.name != "black-list" && c.name != "serious-dishonesty")
                        .collect();
                    assert_eq!(kept.len(), v2.contributions.len(), "{at}");
                    let mut moved: Points = 0;
                    let events_from = 2; // base, supervision-baseline
                    for (i, (old, new)) in kept.iter().zip(&v2.contributions).enumerate() {
                        assert_eq!(old.name, new.name, "{at}");
                        let event = i
                            .checked_sub(events_from)
                            .and_then(|k| scored.get(k))
                            .filter(|e| e.3);
                        match event {
                            // On its last day: 1.0.0 had it expired; 2.0.0
                            // counts it (its deduction, or cleared).
                            Some(e) => {
                                last_days += 1;
                                assert_eq!(old.points, 0, "{at}");
                                assert!(old.note.ends_with("expired: 0"), "{at}: {}", old.note);
                                if open_last(e) {
                                    assert_eq!(new.points, -points_from_f64(e.2), "{at}");
                                    assert!(new.note.ends_with(&format!(": -{:.0}", e.2)), "{at}");
                                } else {
                                    assert_eq!(new.points, 0, "{at}");
                                    assert!(new.note.ends_with("deduction cleared"), "{at}");
                                }
                                moved += new.points;
                            }
                            None => {
                                assert_eq!(old.points, new.points, "{at}: {}", new.name);
                                assert_eq!(without_until(&old.note), without_until(&new.note));
                            }
                        }
                    }
                    assert_eq!(v2.score, v1.score - cap + moved, "{at}");
                    let earned = bands().grade_for(v2.score).to_string();
                    if !poor && black.is_none() && !listed {
                        assert_eq!(v2.grade, earned, "{at}");
                        continue;
                    }
                    if caps.is_empty() && moved == 0 {
                        assert_eq!(earned, v1.grade, "{at}");
                    }
                    assert_eq!(v2.grade, KEY_SUPERVISION, "{at}");
                    assert!(
                        v2.reasons[0].contains(&format!("(the points alone earn {earned} (")),
                        "{at}: {:?}",
                        v2.reasons
                    );
                }
            }
        }
    }
    assert_eq!(swept, 4 * 5 * 2 * 11);
    // Both sides of the 1.0.0 cap, and events on their last day, were swept.
    assert!(capped > 0 && uncapped > 0 && last_days > 0);
}
