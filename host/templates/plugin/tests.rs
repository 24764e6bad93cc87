//! Domain tests through the SDK's harness: `cargo test` runs the model
//! natively and applies the host's white-box checks to every answer.
//! CHANGE: keep one test per rule of your model, with hand-computed values.
use super::*;
use scorehost_sdk::testing::{RequestBuilder, evaluate};

/// The request of examples/request.json.
fn example() -> RequestBuilder {
    RequestBuilder::enterprise("91330000EXAMPLE001", "2026-11-01")
        .base(750.0, "B")
        .number("years_in_operation", 6.0)
        .number("violations_3y", 1.0)
        .flag("certified", true)
}

#[test]
fn example_scores_by_hand() {
    // 40 % of 750 = 300; 6 years × 20 = 120; 250 − 50 = 200; certified 150.
    let e = evaluate::<{{type}}>(&example().build()).unwrap();
    assert_eq!(e.score, 77_000); // 770.00
    assert_eq!(e.grade, "B");
}

#[test]
fn full_marks_are_one_thousand() {
    let req = RequestBuilder::enterprise("x", "2026-11-01")
        .base(1000.0, "A")
        .number("years_in_operation", 12.0)
        .number("violations_3y", 0.0)
        .flag("certified", true)
        .build();
    let e = evaluate::<{{type}}>(&req).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (100_000, "A"));
}

/// L68: 「将公共信用评价等级较差和被列入严重失信名单的主体纳入重点监管对象」
#[test]
fn a_black_list_or_a_poor_provincial_grade_is_key_supervision() {
    let e = evaluate::<{{type}}>(&example().list("black:court-defaulter").build()).unwrap();
    assert_eq!((e.score, e.grade.as_str()), (77_000, "key-supervision"));
    assert!(e.reasons[0].contains("black:court-defaulter"));
    let poor = evaluate::<{{type}}>(&example().base(750.0, "D").build()).unwrap();
    assert_eq!((poor.score, poor.grade.as_str()), (77_000, "key-supervision"));
    let fair = evaluate::<{{type}}>(&example().base(750.0, "C").build()).unwrap();
    assert_eq!(fair.grade, "B");
}

#[test]
fn bad_inputs_are_refused_by_name() {
    let mut req = example().build();
    req.indicators.retain(|i| i.name != "violations_3y");
    assert_eq!(
        evaluate::<{{type}}>(&req),
        Err(EvalError::MissingIndicator("violations_3y".into()))
    );
    let negative = RequestBuilder::enterprise("x", "2026-11-01")
        .base(750.0, "B")
        .number("years_in_operation", -1.0)
        .number("violations_3y", 0.0)
        .build();
    assert!(matches!(
        evaluate::<{{type}}>(&negative),
        Err(EvalError::InvalidIndicator(m)) if m.contains("years_in_operation")
    ));
}

#[test]
fn describe_names_the_model() {
    let info = {{type}}::describe();
    assert_eq!(info.name, "{{model}}");
    assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
}
