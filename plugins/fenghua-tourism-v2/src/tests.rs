//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate, ok, part, sandbox};

/// A well-run business of kind `business`: every indicator at full marks.
fn exemplary(business: &str, base: f64) -> RequestBuilder {
    fenghua_tourism_rules_v2::full_marks(business, base)
}

/// Points of `name` in the exemplary hotel with `name` set to `value`
/// instead (or removed, for `None`).
fn rule(name: &str, value: Option<Value>) -> Points {
    let req = exemplary("hotel", 800.0).set_or_remove(name, value).build();
    part(&ok::<FenghuaTourismV2>(&req), name)
}

#[test]
fn five_dimensions_make_up_the_industry_sixty_percent() {
    let total: f64 = DIMENSIONS.iter().map(|(_, p)| p).sum();
    assert_eq!(total, 600.0);
    assert_eq!(BASE_WEIGHT_BP, 4000);
    assert_eq!(BUSINESS_TYPES.len(), 7);
}

#[test]
fn full_marks_are_a_thousand_and_a_for_all_seven_kinds() {
    for (business, ..) in BUSINESS_TYPES {
        let e = ok::<FenghuaTourismV2>(&exemplary(business, 1000.0).build());
        assert_eq!((e.score, e.grade.as_str()), (100_000, "A"), "{business}");
        assert!(e.reasons.is_empty(), "{business}: {:?}", e.reasons);
    }
}

#[test]
fn provincial_base_counts_exactly_forty_percent() {
    let e = ok::<FenghuaTourismV2>(&exemplary("scenic-spot", 812.5).build());
    assert_eq!(part(&e, "base"), 32_500);
    assert_eq!((e.score, e.grade.as_str()), (92_500, "A"));
    let e = ok::<FenghuaTourismV2>(&exemplary("scenic-spot", 812.37).build());
    assert_eq!(part(&e, "base"), 32_495); // 324.948 rounded once
}

#[test]
fn grades_change_exactly_at_their_bands() {
    // Full industry marks (600) + 40 % of the base.
    let cases = [
        (750.0, 8.0, 90_000, "A"),
        (749.97, 8.0, 89_999, "B"),
        (625.0, 8.0, 85_000, "B"),
        (624.97, 8.0, 84_999, "C"),
        (250.0, 8.0, 70_000, "C"),
        (249.97, 8.0, 69_999, "D"),
        (0.0, 8.0, 60_000, "D"),
        (0.0, 4.99875, 59_999, "E"),
    ];
    for (base, years, score, grade) in cases {
        let req = exemplary("hotel", base)
            .set("years_in_operation", Value::Number(years))
            .build();
        let e = ok::<FenghuaTourismV2>(&req);
        assert_eq!((e.score, e.grade.as_str()), (score, grade), "base {base}");
    }
}

#[test]
fn basic_info_rules() {
    let n = |v: f64| Some(Value::Number(v));
    for (years, pts) in [(0.0, 0), (2.5, 2_000), (5.0, 4_000), (9.0, 4_000)] {
        assert_eq!(rule("years_in_operation", n(years)), pts, "{years} years");
    }
    assert_eq!(rule("licences_complete", Some(Value::Flag(false))), 0);
    let level = |business: &str, l: Option<&str>| {
        let req = exemplary(business, 800.0)
            .set_or_remove("quality_level", l.map(|l| Value::Text(l.into())))
            .build();
        part(&ok::<FenghuaTourismV2>(&req), "quality_level")
    };
    assert_eq!(level("hotel", Some("3")), 1_200);
    assert_eq!(level("hotel", Some("none")), 0);
    assert_eq!(level("hotel", None), 0);
    assert_eq!(level("scenic-spot", Some("5")), 2_000);
    assert_eq!(level("travel-agency", Some("1")), 400);
    assert_eq!(level("homestay", Some("1")), 667);
    assert_eq!(level("homestay", Some("3")), 2_000);
    assert_eq!(level("restaurant", Some("2")), 1_333);
    // No grading scheme for shops and cultural-creative businesses: full marks.
    assert_eq!(level("shop", None), 2_000);
    assert_eq!(level("cultural-creative", Some("none")), 2_000);
}

#[test]
fn trustworthy_info_rules() {
    let n = |v: f64| Some(Value::Number(v));
    for (h, pts) in [(0.0, 0), (1.0, 3_000), (3.0, 9_000), (5.0, 9_000)] {
        assert_eq!(rule("honours_3y", n(h)), pts, "{h} honours");
    }
    assert_eq!(rule("honours_3y", None), 0);
    assert_eq!(
        rule("credit_commitment_signed", Some(Value::Flag(false))),
        0
    );
    assert_eq!(rule("credit_commitment_signed", None), 0);
    for (w, pts) in [(0.0, 0), (1.0, 1_500), (2.0, 3_000), (4.0, 3_000)] {
        assert_eq!(rule("public_welfare_12m", n(w)), pts, "{w} activities");
    }
}

#[test]
fn untrustworthy_info_rules() {
    let n = |v: f64| Some(Value::Number(v));
    for (p, pts) in [(0.0, 10_000), (1.0, 5_000), (2.0, 0), (3.0, 0)] {
        assert_eq!(rule("penalties_3y", n(p)), pts, "{p} penalties");
    }
    assert_eq!(
        rule("court_judgments_unfulfilled", Some(Value::Flag(true))),
        0
    );
}

#[test]
fn tourist_feedback_and_supervision_rules() {
    let n = |v: f64| Some(Value::Number(v));
    for (c, pts) in [(0.0, 6_000), (1.0, 4_500), (4.0, 0), (6.0, 0)] {
        assert_eq!(rule("verified_complaints_12m", n(c)), pts, "{c} complaints");
    }
    for (c, pts) in [(0.0, 0), (2.0, 2_000), (4.0, 4_000), (9.0, 4_000)] {
        assert_eq!(
            rule("tourist_commendations_12m", n(c)),
            pts,
            "{c} commendations"
        );
    }
    for (r, pts) in [("passed", 6_000), ("rectified", 3_000), ("failed", 0)] {
        assert_eq!(rule("last_inspection", Some(Value::Text(r.into()))), pts);
    }
    for (i, pts) in [(0.0, 4_000), (1.0, 0), (3.0, 0)] {
        assert_eq!(rule("safety_incidents_3y", n(i)), pts, "{i} incidents");
    }
}

#[test]
fn black_list_forces_grade_e() {
    let e = ok::<FenghuaTourismV2>(
        &exemplary("homestay", 900.0)
            .list("black:tourism-serious-dishonesty")
            .build(),
    );
    assert_eq!((e.score, e.grade.as_str()), (59_999, "E"));
    assert_eq!(part(&e, "black-list"), 59_999 - 96_000);
    assert_eq!(
        e.reasons[0],
        "on a provincial black list (black:tourism-serious-dishonesty): capped at 599.99, grade E"
    );
}

#[test]
fn bad_values_are_refused_by_name() {
    let hotel = || exemplary("hotel", 800.0);
    let text = |s: &str| Value::Text(s.into());
    let refused = |req: Request| evaluate::<FenghuaTourismV2>(&req).unwrap_err();
    assert_eq!(
        refused(hotel().set("business_type", text("casino")).build()),
        EvalError::InvalidIndicator(
            "business_type: 'casino' is not one of hotel, restaurant, homestay, travel-agency, scenic-spot, shop, cultural-creative".into()
        )
    );
    assert_eq!(
        refused(hotel().set("quality_level", text("6")).build()),
        EvalError::InvalidIndicator(
            "quality_level: '6' is not 'none' or 1 to 5 for a hotel".into()
        )
    );
    assert_eq!(
        refused(
            exemplary("homestay", 800.0)
                .set("quality_level", text("4"))
                .build()
        ),
        EvalError::InvalidIndicator(
            "quality_level: '4' is not 'none' or 1 to 3 for a homestay".into()
        )
    );
    assert_eq!(
        refused(
            exemplary("shop", 800.0)
                .set("quality_level", text("2"))
                .build()
        ),
        EvalError::InvalidIndicator("quality_level: a shop has no grading scheme, got '2'".into())
    );
    assert_eq!(
        refused(hotel().set("last_inspection", text("ok")).build()),
        EvalError::InvalidIndicator(
            "last_inspection: 'ok' is not one of passed, rectified, failed".into()
        )
    );
    assert!(matches!(
        refused(hotel().set("penalties_3y", Value::Number(-1.0)).build()),
        EvalError::InvalidIndicator(m) if m.starts_with("penalties_3y: must not be negative")
    ));
    assert_eq!(
        refused(hotel().without("last_inspection").build()),
        EvalError::MissingIndicator("last_inspection".into())
    );
    let mut person = hotel().build();
    person.subject.kind = SubjectKind::NaturalPerson;
    assert_eq!(
        refused(person),
        EvalError::UnsupportedSubject(SubjectKind::NaturalPerson)
    );
}

/// `samples/example.request.json` (2.0.0's example request), value for value.
#[test]
fn the_example_request_scores_798_grade_c() {
    let req = RequestBuilder::enterprise("91330283MA2FFFFF6P", "2026-11-01")
        .base(780.0, "B")
        .text("business_type", "hotel")
        .number("years_in_operation", 9.0)
        .flag("licences_complete", true)
        .text("quality_level", "4")
        .number("honours_3y", 1.0)
        .flag("credit_commitment_signed", true)
        .number("public_welfare_12m", 1.0)
        .number("penalties_3y", 0.0)
        .flag("court_judgments_unfulfilled", false)
        .number("verified_complaints_12m", 1.0)
        .number("tourist_commendations_12m", 2.0)
        .text("last_inspection", "passed")
        .number("safety_incidents_3y", 0.0)
        .build();
    let e = ok::<FenghuaTourismV2>(&req);
    // 312 + basic 96 + trustworthy 75 + untrustworthy 150 + feedback 65 + supervision 100
    assert_eq!((e.score, e.grade.as_str()), (79_800, "C"));
    assert_eq!(
        e.reasons[0],
        "honours_3y: 30.00 of 90.00 (trustworthy info: 30 points per honour in 3 years, at most 3)"
    );
}

/// Version 1.0.0 (three grades) and 2.0.0 (five) score the same subjects
/// identically; only the grade differs, and every 2.0.0 grade lies inside
/// one 1.0.0 grade: A, B → excellent; C → good; D, E → poor.
#[test]
fn v1_grades_map_onto_v2_grades_as_documented() {
    use fenghua_tourism_v1::FenghuaTourismV1;
    let v1_of = |v2: &str| match v2 {
        "A" | "B" => "excellent",
        "C" => "good",
        "D" | "E" => "poor",
        other => panic!("undeclared grade {other}"),
    };
    let v1_component = sandbox::component_path("fenghua-tourism-v1");
    let mut seen = std::collections::BTreeSet::new();
    for (business, ..) in BUSINESS_TYPES {
        for base in (0..=20).map(|i| f64::from(i) * 50.0) {
            for (name, value) in [
                ("penalties_3y", Value::Number(0.0)),
                ("penalties_3y", Value::Number(2.0)),
                ("last_inspection", Value::Text("rectified".into())),
                ("verified_complaints_12m", Value::Number(3.0)),
            ] {
                for black in [false, true] {
                    let mut b = exemplary(business, base);
                    if black {
                        b = b.list("black:court-defaulter");
                    }
                    let req = b.set(name, value.clone()).build();
                    let v2 = ok::<FenghuaTourismV2>(&req);
                    let v1 = FenghuaTourismV1::evaluate(&req);
                    if v1_component.exists() {
                        sandbox::compare::<FenghuaTourismV1>(&v1_component, &req, &v1);
                    }
                    let v1 = v1.unwrap();
                    assert_eq!(v1.grade, v1_of(&v2.grade), "{business}, base {base}");
                    if !black {
                        assert_eq!(v1.contributions, v2.contributions);
                        assert_eq!(v1.score, v2.score);
                    }
                    seen.insert(v2.grade);
                }
            }
        }
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["A", "B", "C", "D", "E"]
    );
    // The versions share the bands' edges: 850 and 700 are 1.0.0's cut-offs.
    let v1: Vec<_> = FenghuaTourismV1::describe()
        .grades
        .into_iter()
        .map(|g| (g.grade, g.min_score))
        .collect();
    assert_eq!(
        v1,
        [
            ("excellent".to_string(), 85_000),
            ("good".to_string(), 70_000),
            ("poor".to_string(), 0)
        ]
    );
    assert_eq!(bands().min_of("B"), Some(85_000));
    assert_eq!(bands().min_of("C"), Some(70_000));
}

#[test]
fn describe_tells_the_truth() {
    let info = FenghuaTourismV2::describe();
    assert_eq!(info.name, "fenghua/tourism");
    assert_eq!(info.version, "2.0.0");
    assert_eq!(info.base_weight_bp, 4000);
    assert!(info.title.ends_with("5 grades"), "{}", info.title);
    let grades: Vec<_> = info.grades.iter().map(|g| g.grade.as_str()).collect();
    assert_eq!(grades, ["A", "B", "C", "D", "E"]);
    let e = ok::<FenghuaTourismV2>(&exemplary("hotel", 800.0).build());
    for c in e.contributions.iter().filter(|c| c.name != "base") {
        assert!(
            info.indicators.iter().any(|i| i.name == c.name),
            "{} undeclared",
            c.name
        );
    }
}

/// Frozen: version 2.0.0 answers its sample requests (`samples/`) exactly as
/// it did when it was reviewed and pinned.
#[test]
fn answers_its_samples_as_recorded() {
    scorehost_sdk::testing::golden::check::<FenghuaTourismV2>(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples"
    )));
}
