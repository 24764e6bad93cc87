//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, ok, part};
use subjects::{ENTERPRISE, FARM, MERCHANT};

/// A subject of type `ty` at full marks in the grid and volunteer parts.
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

#[test]
fn full_marks_are_a_thousand_on_the_top_red_board_for_every_type() {
    for t in TYPES {
        let e = ok::<LongyouCourtesy>(&exemplary(t, 1000.0).build());
        assert_eq!(
            (e.score, e.grade.as_str()),
            (100_000, "red-500k"),
            "{}",
            t.name
        );
        assert!(e.reasons.is_empty(), "{:?}", e.reasons);
    }
}

#[test]
fn credit_part_is_exactly_thirty_percent_of_the_base() {
    let e = ok::<LongyouCourtesy>(&exemplary(&FARM, 812.5).build());
    assert_eq!(part(&e, "base"), 24_375); // 812.50 × 0.30 = 243.75
    assert_eq!(e.score, 94_375);
    let e = ok::<LongyouCourtesy>(&exemplary(&FARM, 0.0).build());
    assert_eq!(part(&e, "base"), 0);
    assert_eq!((e.score, e.grade.as_str()), (70_000, "red-50k"));
}

#[test]
fn boards_change_exactly_at_their_bands() {
    // A merchant with a full grid part (500): base, volunteer hours, good
    // deeds. 30 % of a base in hundredths is rounded once (666.67 → 200.00).
    let cases = [
        (1000.0, 25.0, 1.0, 90_000, "red-500k"),
        (999.97, 25.0, 1.0, 89_999, "red-200k"),
        (1000.0, 0.0, 0.0, 80_000, "red-200k"),
        (999.97, 0.0, 0.0, 79_999, "red-50k"),
        (666.67, 0.0, 0.0, 70_000, "red-50k"),
        (666.63, 0.0, 0.0, 69_999, "normal"),
        (166.67, 0.0, 0.0, 55_000, "normal"),
        (166.63, 0.0, 0.0, 54_999, "black"),
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
fn black_list_puts_the_subject_on_the_black_board() {
    let e = ok::<LongyouCourtesy>(
        &exemplary(&MERCHANT, 900.0)
            .list("black:court-defaulter")
            .build(),
    );
    assert_eq!(e.score, 54_999);
    assert_eq!(e.grade, "black");
    assert_eq!(part(&e, "black-list"), 54_999 - 97_000);
    assert_eq!(
        e.reasons[0],
        "on a provincial black list (black:court-defaulter): capped at 549.99, black board and key supervision"
    );
    // Already under the cap: no black-list part, the reason still first.
    let req = exemplary(&MERCHANT, 0.0)
        .list("black:tax-evasion")
        .set("volunteer_hours_12m", Value::Number(0.0))
        .set("good_deeds_12m", Value::Number(0.0))
        .build();
    let e = ok::<LongyouCourtesy>(&req);
    assert_eq!((e.score, e.grade.as_str()), (50_000, "black"));
    assert!(!e.contributions.iter().any(|c| c.name == "black-list"));
    assert!(e.reasons[0].contains("black:tax-evasion"));
    // A red list changes nothing: the red board is earned by points.
    let e = ok::<LongyouCourtesy>(
        &exemplary(&MERCHANT, 900.0)
            .list("red:star-merchant")
            .build(),
    );
    assert_eq!(e.score, 97_000);
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
    let mut person = base().build();
    person.subject.kind = SubjectKind::NaturalPerson;
    assert_eq!(
        evaluate::<LongyouCourtesy>(&person),
        Err(EvalError::UnsupportedSubject(SubjectKind::NaturalPerson))
    );
}

/// `examples/requests/quzhou-longyou.json`, value for value.
#[test]
fn the_example_request_scores_763_red_board_50k() {
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
    assert_eq!(e.grade, "red-50k");
    assert_eq!(
        e.reasons,
        [
            "volunteer_hours_12m: 90.00 of 150.00 (volunteer: 3 points an hour in the time bank, at most 50 hours)",
            "merchant_receipts_issued: 0.00 of 28.00 (grid honest operation: receipts issued (开具票据) — not kept)",
            "good_deeds_12m: 25.00 of 50.00 (volunteer: 25 points a good deed, at most 2)",
        ]
    );
}

#[test]
fn describe_tells_the_truth() {
    let info = LongyouCourtesy::describe();
    assert_eq!(info.name, "quzhou/longyou-courtesy");
    assert_eq!(info.version, "1.0.0");
    assert_eq!(info.base_weight_bp, 3000);
    let grades: Vec<_> = info.grades.iter().map(|g| g.grade.as_str()).collect();
    assert_eq!(
        grades,
        ["red-500k", "red-200k", "red-50k", "normal", "black"]
    );
    // business_type, two volunteer indicators, 9+5 + 5+4 + 9+4 grid ones.
    assert_eq!(info.indicators.len(), 3 + 36);
    let required: Vec<_> = info
        .indicators
        .iter()
        .filter(|i| i.required)
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(required, ["business_type", "volunteer_hours_12m"]);
    for t in TYPES {
        let e = ok::<LongyouCourtesy>(&exemplary(t, 800.0).build());
        for c in e.contributions.iter().filter(|c| c.name != "base") {
            assert!(
                info.indicators.iter().any(|i| i.name == c.name),
                "{} undeclared",
                c.name
            );
        }
    }
}

/// Frozen: version 1.0.0 answers its sample requests (`samples/`) exactly as
/// it did when it was reviewed and pinned.
#[test]
fn answers_its_samples_as_recorded() {
    scorehost_sdk::testing::golden::check::<LongyouCourtesy>(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples"
    )));
}
