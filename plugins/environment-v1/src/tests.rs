//! Domain tests, run natively through the SDK's harness (and, in
//! `scorehost-tests`, against the built component for parity).
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

#[test]
fn a_five_year_penalty_counts_until_the_day_before_its_fifth_anniversary() {
    let event = date("2021-11-01");
    let last = date("2026-10-31");
    // The last day it counts: 5 × 365 days plus the 2024 leap day, less one.
    assert_eq!(last.days_since_epoch() - event.days_since_epoch(), 1_825);
    assert_eq!(event.add_years(5), date("2026-11-01"));
    let on = |as_of: &str| {
        evaluate::<Environment>(
            &clean(500.0, as_of)
                .event("administrative_penalty", "open", "2021-11-01")
                .build(),
        )
        .unwrap()
    };
    let e = on("2026-10-31");
    let p = parts(&e, "administrative_penalty");
    assert_eq!(p[0].points, -10_000);
    assert_eq!(
        p[0].note,
        "administrative penalty of 2021-11-01, counts for 5 years until 2026-10-31: -100"
    );
    assert_eq!(e.score, 80_000);
    adds_up(&e);

    let e = on("2026-11-01");
    let p = parts(&e, "administrative_penalty");
    assert_eq!(p.len(), 1, "the expired event is still listed");
    assert_eq!(p[0].points, 0);
    assert!(p[0].note.contains("expired"), "{}", p[0].note);
    assert_eq!(e.score, 90_000);
    adds_up(&e);
}

#[test]
fn a_one_year_indicator_a_year_and_a_day_old_no_longer_counts() {
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
        // Exactly 1 year old: the window has just closed.
        assert_eq!(on("2025-11-01").score, 80_000, "{name}");
        // 1 year less a day old: still counts.
        let e = on("2025-11-02");
        assert_eq!(
            parts(&e, name)[0].points,
            points_from_f64(-deduction(name)),
            "{name}"
        );
        assert_eq!(e.score, points_from_f64(800.0 - deduction(name)));
    }
}

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
        "administrative penalty of 2023-05-02, counts for 5 years until 2028-05-01: -100"
    );
    // Also for a 5-year serious-dishonesty listing: no deduction, no cap.
    let e = evaluate::<Environment>(
        &clean(760.0, "2026-11-01")
            .event(SERIOUS_DISHONESTY, "rectified", "2025-01-10")
            .build(),
    )
    .unwrap();
    assert_eq!(e.score, 95_200);
    assert!(parts(&e, "serious-dishonesty").is_empty());
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

#[test]
fn serious_dishonesty_caps_at_grade_e() {
    let e = evaluate::<Environment>(
        &clean(1000.0, "2026-11-01")
            .event(SERIOUS_DISHONESTY, "open", "2024-06-30")
            .build(),
    )
    .unwrap();
    // 200 + 800 − 400 = 600, capped to 499.99.
    assert_eq!(parts(&e, SERIOUS_DISHONESTY)[0].points, -40_000);
    assert_eq!(parts(&e, "serious-dishonesty")[0].points, -10_001);
    assert_eq!(e.score, 49_999);
    assert_eq!(e.grade, "E");
    assert!(e.reasons[0].contains("严重失信名单"), "{:?}", e.reasons);
    adds_up(&e);
    // Expired after 5 years: neither deduction nor cap.
    let e = evaluate::<Environment>(
        &clean(1000.0, "2026-11-01")
            .event(SERIOUS_DISHONESTY, "open", "2021-10-31")
            .build(),
    )
    .unwrap();
    assert_eq!(e.score, 100_000);
    assert!(parts(&e, "serious-dishonesty").is_empty());
}

#[test]
fn a_black_list_caps_at_grade_e() {
    let e = evaluate::<Environment>(
        &clean(900.0, "2026-11-01")
            .list("black:court-defaulter")
            .list("red:green-enterprise")
            .build(),
    )
    .unwrap();
    assert_eq!(e.score, 49_999);
    assert_eq!(e.grade, "E");
    assert_eq!(parts(&e, "black-list")[0].points, 49_999 - 98_000);
    assert!(e.reasons[0].contains("black:court-defaulter"));
    adds_up(&e);
}

#[test]
fn a_leap_day_event_counts_until_27_february() {
    let on = |as_of: &str| {
        evaluate::<Environment>(
            &clean(0.0, as_of)
                .event("permit_violation", "open", "2024-02-29")
                .build(),
        )
        .unwrap()
    };
    let e = on("2025-02-27");
    let p = parts(&e, "permit_violation");
    assert_eq!(p[0].points, -6_000);
    assert_eq!(
        p[0].note,
        "permit violation of 2024-02-29, counts for 1 year until 2025-02-27: -60"
    );
    assert_eq!(parts(&on("2025-02-28"), "permit_violation")[0].points, 0);
    assert_eq!(on("2025-02-28").score, 80_000);
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

#[test]
fn every_grade_boundary_is_reachable() {
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

#[test]
fn describe_tells_the_truth() {
    let info = Environment::describe();
    assert_eq!(info.name, "zhejiang/environment");
    assert_eq!(info.version, "1.0.0");
    assert_eq!(
        info.title,
        "Zhejiang enterprise environmental credit (企业环境信用评价)"
    );
    assert_eq!(info.subject_kinds, [SubjectKind::Enterprise]);
    assert_eq!((info.scale_min, info.scale_max), (0, 100_000));
    assert_eq!(info.base_weight_bp, 2000);
    let grades: Vec<_> = info.grades.iter().map(|g| g.grade.as_str()).collect();
    assert_eq!(grades, ["A", "B", "C", "D", "E"]);
    assert_eq!(info.indicators.len(), EVENT_INDICATORS.len());
    for (name, points, years, chinese) in EVENT_INDICATORS {
        let spec = info.indicators.iter().find(|i| i.name == name).unwrap();
        assert_eq!(spec.kind, ValueKind::Text, "{name}");
        assert!(!spec.required, "{name}");
        for needle in [
            format!("-{points:.0} points"),
            format!("counts for {years} year"),
            chinese.to_string(),
            "\"rectified\" clears the deduction".to_string(),
        ] {
            assert!(spec.description.contains(&needle), "{name}: {needle}");
        }
    }
    // Every contribution the model emits is the base, the baseline, a rule,
    // or a declared indicator.
    let mut b = clean(800.0, "2026-11-01").list("black:x");
    for (name, ..) in EVENT_INDICATORS {
        b = b.event(name, "open", "2026-10-01");
    }
    let e = evaluate::<Environment>(&b.build()).unwrap();
    for c in &e.contributions {
        assert!(
            [
                "base",
                "supervision-baseline",
                "deduction-floor",
                "serious-dishonesty",
                "black-list"
            ]
            .contains(&c.name.as_str())
                || info.indicators.iter().any(|i| i.name == c.name),
            "{} undeclared",
            c.name
        );
    }
    assert_eq!(e.grade, "E");
}

/// Frozen: version 1.0.0 answers its sample requests (`samples/`) exactly as
/// it did when it was reviewed and pinned.
#[test]
fn answers_its_samples_as_recorded() {
    scorehost_sdk::testing::golden::check::<Environment>(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples"
    )));
}
