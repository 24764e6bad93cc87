//! Domain tests, run through the SDK's harness: natively, and (the
//! dev-dependency's `sandbox` feature) against the built component in the
//! real sandbox, asserting identical answers.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate};

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

#[test]
fn black_list_makes_the_code_yellow() {
    let e = evaluate::<CreditCode>(&citizen(XINAN, 820.0).list("black:court-defaulter").build())
        .unwrap();
    assert_eq!((e.score, e.grade.as_str()), (59_999, "yellow"));
    assert!(e.reasons[0].contains("black:court-defaulter"));
    assert!(e.reasons[1].starts_with("yellow: credit needs improvement"));
    let e = evaluate::<CreditCode>(&citizen(QIANJIANG, 400.0).list("black:x").build()).unwrap();
    assert_eq!(e.grade, "yellow");
    assert!(e.reasons[0].contains("already yellow"));
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
    let text_score = RequestBuilder::natural_person("p", "2026-11-01")
        .text("city_model", QIANJIANG)
        .text("city_score", "high")
        .build();
    assert!(matches!(
        evaluate::<CreditCode>(&text_score),
        Err(EvalError::InvalidIndicator(m)) if m.contains("city_score") && m.contains("number")
    ));
    let missing = RequestBuilder::natural_person("p", "2026-11-01")
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
            "green: good credit (良好); recognised across cities (互认): Qianjiang score (钱江分) \
          maps onto the common scale, green from 600, blue from 800"
        ]
    );
}

#[test]
fn describe_tells_the_truth() {
    let info = CreditCode::describe();
    assert_eq!(info.name, "zhejiang/credit-code");
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

/// Frozen: version 1.0.0 answers its sample requests (`samples/`) exactly as
/// it did when it was reviewed and pinned.
#[test]
fn answers_its_samples_as_recorded() {
    scorehost_sdk::testing::golden::check::<CreditCode>(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/samples"
    )));
}
