//! # scorehost-sdk: write a credit-scoring model as ordinary Rust
//!
//! A scoring model is a pure function from a [`Request`] (the subject, the
//! evaluation date, the provincial base evaluation — the "1" — and the
//! sector's N indicators) to an [`Evaluation`] (score, grade, per-indicator
//! contributions and reasons). This crate gives a model author:
//!
//! - the types of the `zjcredit:scoring@1.0.0` contract ([`Request`],
//!   [`Evaluation`], [`ModelInfo`], …), generated from `wit/scoring.wit`;
//! - typed, kind-checked indicator access by name ([`Inputs`]), which turns a
//!   missing or ill-typed value into the right [`EvalError`];
//! - ISO dates and validity windows ([`Date`], [`Date::within_years_of`]);
//! - grade bands ([`Bands`]);
//! - a contribution builder ([`Scorecard`]) that rounds each part once and
//!   derives the score from the parts, so the white box always adds up;
//! - [`export_model!`], which turns a [`Model`] into the component's exports;
//! - [`testing`], a native harness to unit-test the same model without wasm.
//!
//! ```
//! use scorehost_sdk::*;
//!
//! struct Demo;
//! impl Model for Demo {
//!     fn describe() -> ModelInfo {
//!         ModelInfo {
//!             name: "demo/minimal".into(),
//!             version: "1.0.0".into(),
//!             title: "Half the provincial score plus 100 per medal".into(),
//!             subject_kinds: vec![SubjectKind::NaturalPerson],
//!             scale_min: 0,
//!             scale_max: 100_000,
//!             base_weight_bp: 5000,
//!             grades: bands().to_wit(),
//!             indicators: vec![spec("medals", "pro-social medals held", ValueKind::Number, true)],
//!         }
//!     }
//!     fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
//!         let medals = req.number("medals")?;
//!         let mut card = Scorecard::new(0, 100_000);
//!         card.add_points("base", points_to_f64(req.base.score) * 0.5, "half of the provincial score");
//!         card.add_points("medals", medals.min(4.0) * 100.0, "100 points per medal, at most 4");
//!         Ok(card.finish(&bands()))
//!     }
//! }
//! fn bands() -> Bands { Bands::new(&[("good", 60_000), ("fair", 0)]) }
//!
//! let req = testing::RequestBuilder::natural_person("p1", "2026-11-01")
//!     .base(800.0, "A")
//!     .number("medals", 3.0)
//!     .build();
//! let out = Demo::evaluate(&req).unwrap();
//! assert_eq!(testing::white_box_violation(&Demo::describe(), &out), None);
//! assert_eq!(out.score, 70_000);
//! assert_eq!(out.grade, "good");
//! ```
#![deny(missing_docs)]

mod alloc;
mod bands;
mod dates;
mod inputs;
mod provincial;
mod scorecard;
pub mod testing;

/// The bindings generated from `wit/scoring.wit` (world
/// `scoring-model-declared`: `describe`, `evaluate` and `consequences`).
///
/// Model authors rarely need this module directly: its types are re-exported
/// at the crate root and [`export_model!`] wires up the exports.
#[doc(hidden)]
#[allow(missing_docs, clippy::too_many_arguments)]
pub mod bindings {
    wit_bindgen::generate!({
        path: "../wit",
        world: "scoring-model-declared",
        pub_export_macro: true,
        export_macro_name: "__export_scoring_model",
        default_bindings_module: "scorehost_sdk::bindings",
        additional_derives: [PartialEq],
    });
}

pub use bands::Bands;
pub use bindings::Consequence;
pub use bindings::zjcredit::scoring::types::{
    BaseEvaluation, Contribution, EvalError, Evaluation, GradeBand, Indicator, IndicatorSpec,
    ModelInfo, Points, Request, Subject, SubjectKind, Value, ValueKind,
};
pub use dates::{Date, Period};
pub use inputs::{Inputs, observed_on};
pub use provincial::{ProvincialGrade, consequence};
pub use scorecard::{
    Scorecard, format_points, format_points_signed, points_from_f64, points_to_f64,
};

/// A scoring model: what a city or sector developer implements.
///
/// Both functions must be pure: the same request always gives the same
/// answer. Models never read a clock (the evaluation date is
/// [`Request::as_of`]), the network or the filesystem — the host gives them
/// none of these.
pub trait Model {
    /// The model's self-description. The host checks every request against it
    /// (required indicators, value kinds, subject kinds) and every result
    /// (declared scale, declared grades), so it must tell the truth.
    fn describe() -> ModelInfo;

    /// Score one subject.
    fn evaluate(req: &Request) -> Result<Evaluation, EvalError>;

    /// What the model does, whatever the points, when a condition the
    /// source gives a consequence holds: a poor provincial grade
    /// ([`ProvincialGrade::is_poor`], `when` = `base:poor`), a list, a
    /// prohibition. Exported as the component's `consequences`; the host
    /// shows it with the declaration and refuses a module whose
    /// consequence names an undeclared grade. Build entries with
    /// [`consequence`]. Default: none.
    fn consequences() -> Vec<Consequence> {
        Vec::new()
    }
}

#[doc(hidden)]
pub use std::vec::Vec as __Vec;

/// Shorthand for an [`IndicatorSpec`].
pub fn spec(name: &str, description: &str, kind: ValueKind, required: bool) -> IndicatorSpec {
    IndicatorSpec {
        name: name.to_string(),
        description: description.to_string(),
        kind,
        required,
    }
}

/// Export a [`Model`] implementation as the component's `describe` and
/// `evaluate` functions.
///
/// Call it once, at the root of the plugin crate. On native targets it
/// expands to nothing, so the same crate can be unit-tested with
/// [`testing`].
///
/// ```ignore
/// struct MyModel;
/// impl scorehost_sdk::Model for MyModel { /* … */ }
/// scorehost_sdk::export_model!(MyModel);
/// ```
#[macro_export]
macro_rules! export_model {
    ($model:ty) => {
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct __ScorehostExport;
            impl $crate::bindings::Guest for __ScorehostExport {
                fn describe() -> $crate::ModelInfo {
                    <$model as $crate::Model>::describe()
                }
                fn evaluate(
                    req: $crate::Request,
                ) -> ::core::result::Result<$crate::Evaluation, $crate::EvalError> {
                    <$model as $crate::Model>::evaluate(&req)
                }
                fn consequences() -> $crate::__Vec<$crate::Consequence> {
                    <$model as $crate::Model>::consequences()
                }
            }
            $crate::bindings::__export_scoring_model!(__ScorehostExport with_types_in $crate::bindings);
        };
    };
}
