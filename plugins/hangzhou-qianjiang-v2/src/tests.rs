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
    // green (550 ≤ 640.35 < 650); unlocks the 550, 573 and 580 benefits.
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
    assert_eq!(
        benefits(e.score),
        [
            APP_THRESHOLDS[0].1,
            APP_THRESHOLDS[1].1,
            APP_THRESHOLDS[2].1
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

#[test]
fn every_app_threshold_is_reachable() {
    // Each request lands exactly on a threshold (hundredths).
    let reach = [
        // 540 (base 760) + 10 (20 volunteer hours)
        adult(760.0).number("volunteer_hours_1y", 20.0),
        // 540 + 30 (60 hours) + 3 (6 library loans)
        adult(760.0)
            .number("volunteer_hours_1y", 60.0)
            .number("library_loans_1y", 6.0),
        // 540 + 40 (10 years of citizen card)
        adult(760.0).number("citizen_card_years", 10.0),
        // 600 + 1.0 × 50
        adult(850.0),
        // 600 + 1.0 × 100
        adult(900.0),
    ];
    let grades = ["green", "green", "green", "blue", "blue"];
    for (i, req) in reach.into_iter().enumerate() {
        let (t, benefit) = APP_THRESHOLDS[i];
        let e = evaluate::<HangzhouQianjiang>(&req.build()).unwrap();
        assert_eq!(e.score, points_from_f64(t), "threshold {t}");
        assert_eq!(e.grade, grades[i], "threshold {t}");
        let got = benefits(e.score);
        assert_eq!(got.len(), i + 1, "threshold {t}: {got:?}");
        assert_eq!(got.last(), Some(&benefit));
        // One hundredth below, the benefit is not granted.
        assert_eq!(benefits(e.score - 1).len(), i, "just below {t}");
    }
    let thresholds: Vec<f64> = APP_THRESHOLDS.iter().map(|(t, _)| *t).collect();
    assert_eq!(thresholds, [550.0, 573.0, 580.0, 650.0, 700.0]);
}

#[test]
fn benefits_start_at_550_not_549_99() {
    // base 766.66 → 300 + 1.5 × 166.66 = 549.99
    let below = evaluate::<HangzhouQianjiang>(&adult(766.66).build()).unwrap();
    assert_eq!(below.score, 54_999);
    assert_eq!(below.grade, "yellow");
    assert!(benefits(below.score).is_empty());
    // 540 + 10 = 550.00
    let at =
        evaluate::<HangzhouQianjiang>(&adult(760.0).number("volunteer_hours_1y", 20.0).build())
            .unwrap();
    assert_eq!(at.score, 55_000);
    assert_eq!(at.grade, "green");
    assert_eq!(
        benefits(at.score),
        ["hospital pay-later (舒心就医·最多付一次) and ride-hailing 10 % off"]
    );
    assert_eq!(benefits(100_000).len(), 5);
    assert_eq!(benefits(0), Vec::<&str>::new());
}

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

#[test]
fn black_list_caps_at_549_99() {
    let req = exemplary(900.0).list("black:court-defaulter").build();
    let e = evaluate::<HangzhouQianjiang>(&req).unwrap();
    // 700 + 200 = 900, capped.
    assert_eq!(e.score, BLACK_LIST_CAP);
    assert_eq!(e.score, 54_999);
    assert_eq!(part(&e, "black-list"), 54_999 - 90_000);
    assert_eq!(e.grade, "yellow");
    assert!(benefits(e.score).is_empty());
    assert!(
        e.reasons[0].contains("black:court-defaulter"),
        "{:?}",
        e.reasons
    );
    // The same person without the listing is blue.
    let clean = evaluate::<HangzhouQianjiang>(&exemplary(900.0).build()).unwrap();
    assert_eq!((clean.score, clean.grade.as_str()), (90_000, "blue"));
    // A red list does nothing; a low score on a black list is not raised.
    let red =
        evaluate::<HangzhouQianjiang>(&exemplary(900.0).list("red:blood-donor").build()).unwrap();
    assert_eq!(red.score, 90_000);
    let low =
        evaluate::<HangzhouQianjiang>(&adult(500.0).list("black:tax-evader").build()).unwrap();
    assert_eq!(low.score, 25_000);
    assert!(low.contributions.iter().all(|c| c.name != "black-list"));
    assert!(
        low.reasons[0].contains("black:tax-evader"),
        "{:?}",
        low.reasons
    );
    assert_eq!(BLACK_LIST_CAP, points_from_f64(APP_THRESHOLDS[0].0) - 1);
    assert_eq!(BLACK_LIST_CAP, bands().min_of("green").unwrap() - 1);
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
    assert_eq!(info.version, "2.0.0");
    assert_eq!(info.title, "Hangzhou Qianjiang score 2.0 (杭州钱江分)");
    assert_eq!(info.subject_kinds, [SubjectKind::NaturalPerson]);
    assert_eq!((info.scale_min, info.scale_max), (0, 100_000));
    assert_eq!(info.base_weight_bp, 8000);
    let grades: Vec<_> = info
        .grades
        .iter()
        .map(|g| (g.grade.as_str(), g.min_score))
        .collect();
    assert_eq!(grades, [("blue", 65_000), ("green", 55_000), ("yellow", 0)]);
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
            ["base", "black-list", "scale-bound"].contains(&c.name.as_str())
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

/// Frozen: version 2.0.0 answers its sample requests (`samples/`) exactly as
/// it did when it was reviewed and pinned.
#[test]
fn answers_its_samples_as_recorded() {
    scorehost_sdk::testing::golden::check::<HangzhouQianjiang>(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples"
    )));
}
