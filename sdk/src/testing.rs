//! A native harness: unit-test a model as ordinary Rust, without wasm.
//!
//! [`evaluate`] runs a [`Model`] natively and applies the same white-box
//! checks the host applies to a sandboxed result (the parts add up to the
//! score, the score is on the declared scale, the grade is a declared one),
//! so a model that passes its native tests is not refused as a plugin fault
//! later. [`RequestBuilder`] builds requests tersely.
//!
//! With the `sandbox` feature (enable it in a plugin's dev-dependency),
//! [`evaluate`] also runs each request through the plugin's built component
//! in the real scorehost sandbox and asserts the two answers are identical
//! ([`sandbox::check_parity`]): every domain test then holds in both.
//!
//! ```
//! use scorehost_sdk::testing::RequestBuilder;
//! let req = RequestBuilder::enterprise("91330200MA2AAAAA1X", "2026-11-01")
//!     .base(812.5, "B")
//!     .list("red:customs-advanced-certified")
//!     .number("customs_violations_3y", 0.0)
//!     .flag("aeo_certified", true)
//!     .event("administrative_penalty", "open", "2024-03-02")
//!     .build();
//! assert_eq!(req.base.score, 81_250);
//! assert_eq!(req.indicators.len(), 3);
//! ```

use crate::{
    BaseEvaluation, EvalError, Evaluation, Indicator, Model, ModelInfo, Request, Subject,
    SubjectKind, Value, points_from_f64,
};

/// Run `M` natively on `req` and check its white box like the host does.
///
/// # Panics
/// If the model returns an evaluation that the host would refuse as a plugin
/// fault; the message says which rule it broke.
pub fn evaluate<M: Model>(req: &Request) -> Result<Evaluation, EvalError> {
    let out = M::evaluate(req);
    if let Ok(e) = &out
        && let Some(why) = white_box_violation(&M::describe(), e)
    {
        panic!("the host would refuse this result as a plugin fault: {why}");
    }
    #[cfg(all(feature = "sandbox", not(target_arch = "wasm32")))]
    sandbox::check_parity::<M>(req, &out);
    out
}

#[cfg(all(feature = "sandbox", not(target_arch = "wasm32")))]
pub mod sandbox;

/// Why `eval` breaks the white-box rules for a model described by `info`,
/// or `None` if it keeps them. The same rules the host enforces.
pub fn white_box_violation(info: &ModelInfo, eval: &Evaluation) -> Option<String> {
    let sum = eval
        .contributions
        .iter()
        .try_fold(0i64, |acc, c| acc.checked_add(c.points));
    if sum != Some(eval.score) {
        return Some(format!(
            "contributions add up to {:?} hundredths, not the score {}",
            sum, eval.score
        ));
    }
    if eval.score < info.scale_min || eval.score > info.scale_max {
        return Some(format!(
            "score {} is off the declared scale {}..={}",
            eval.score, info.scale_min, info.scale_max
        ));
    }
    if !info.grades.iter().any(|g| g.grade == eval.grade) {
        return Some(format!(
            "grade '{}' is not one of the declared grades",
            eval.grade
        ));
    }
    None
}

/// Builds a [`Request`] for tests.
#[derive(Clone, Debug)]
pub struct RequestBuilder {
    req: Request,
}

impl RequestBuilder {
    /// A request for a subject of `kind`, evaluated on `as_of`, with a
    /// provincial base of 0 and no indicators.
    pub fn new(kind: SubjectKind, id: &str, as_of: &str) -> RequestBuilder {
        RequestBuilder {
            req: Request {
                subject: Subject {
                    id: id.to_string(),
                    kind,
                },
                as_of: as_of.to_string(),
                base: BaseEvaluation {
                    score: 0,
                    grade: String::new(),
                    dimensions: Vec::new(),
                    lists: Vec::new(),
                },
                indicators: Vec::new(),
            },
        }
    }

    /// [`new`](RequestBuilder::new) for an enterprise.
    pub fn enterprise(id: &str, as_of: &str) -> RequestBuilder {
        Self::new(SubjectKind::Enterprise, id, as_of)
    }

    /// [`new`](RequestBuilder::new) for a natural person.
    pub fn natural_person(id: &str, as_of: &str) -> RequestBuilder {
        Self::new(SubjectKind::NaturalPerson, id, as_of)
    }

    /// The provincial base score (in points, e.g. 812.5) and grade.
    pub fn base(mut self, score: f64, grade: &str) -> Self {
        self.req.base.score = points_from_f64(score);
        self.req.base.grade = grade.to_string();
        self
    }

    /// A provincial dimension sub-score, in points.
    pub fn dimension(mut self, name: &str, score: f64) -> Self {
        self.req
            .base
            .dimensions
            .push((name.to_string(), points_from_f64(score)));
        self
    }

    /// A red or black list membership, e.g. `"black:court-defaulter"`.
    pub fn list(mut self, list: &str) -> Self {
        self.req.base.lists.push(list.to_string());
        self
    }

    /// Any indicator.
    pub fn indicator(mut self, name: &str, value: Value, observed_on: Option<&str>) -> Self {
        self.req.indicators.push(Indicator {
            name: name.to_string(),
            value,
            observed_on: observed_on.map(str::to_string),
            source: None,
        });
        self
    }

    /// A number indicator.
    pub fn number(self, name: &str, v: f64) -> Self {
        self.indicator(name, Value::Number(v), None)
    }

    /// A flag indicator.
    pub fn flag(self, name: &str, v: bool) -> Self {
        self.indicator(name, Value::Flag(v), None)
    }

    /// A text indicator.
    pub fn text(self, name: &str, v: &str) -> Self {
        self.indicator(name, Value::Text(v.to_string()), None)
    }

    /// A date indicator.
    pub fn date(self, name: &str, v: &str) -> Self {
        self.indicator(name, Value::Date(v.to_string()), None)
    }

    /// An event: a text status (e.g. `"open"`, `"rectified"`) observed on a date.
    pub fn event(self, name: &str, status: &str, observed_on: &str) -> Self {
        self.indicator(name, Value::Text(status.to_string()), Some(observed_on))
    }

    /// The finished request.
    pub fn build(self) -> Request {
        self.req
    }
}
