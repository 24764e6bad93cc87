//! A native harness: unit-test a model as ordinary Rust, without wasm.
//!
//! [`evaluate`] runs a [`Model`] natively and applies the same white-box
//! checks the host applies to a sandboxed result (the parts add up to the
//! score, the score is on the declared scale, the grade is a declared one),
//! so a model that passes its native tests is not refused as a plugin fault
//! later. [`RequestBuilder`] builds requests tersely, and
//! [`RequestBuilder::set`] / [`RequestBuilder::without`] vary one indicator
//! of a fixture; [`ok`], [`part`] and [`white_box`] read an evaluation in
//! one call.
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
    BaseEvaluation, EvalError, Evaluation, Indicator, Model, ModelInfo, Points, Request, Subject,
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

#[cfg(all(feature = "sandbox", not(target_arch = "wasm32")))]
pub mod golden;

/// [`evaluate`] a request the model must accept: its evaluation.
///
/// Costs one evaluation (two with the `sandbox` feature, like [`evaluate`]).
///
/// # Panics
/// If `M` refuses `req`; the message gives the model's error. Also for the
/// reasons [`evaluate`] panics.
pub fn ok<M: Model>(req: &Request) -> Evaluation {
    accepted(evaluate::<M>(req))
}

/// The evaluation in `out`; panics with the model's error if there is none.
fn accepted(out: Result<Evaluation, EvalError>) -> Evaluation {
    out.unwrap_or_else(|e| panic!("the model refused the request: {e:?}"))
}

/// The points (hundredths) of the contribution named `name` in `e`: the
/// first one, if a model gives several of that name.
///
/// Costs a linear scan of the contributions.
///
/// # Panics
/// If `e` has no contribution named `name`; the message names it and lists
/// the contributions there are.
pub fn part(e: &Evaluation, name: &str) -> Points {
    match e.contributions.iter().find(|c| c.name == name) {
        Some(c) => c.points,
        None => {
            let names: Vec<&str> = e.contributions.iter().map(|c| c.name.as_str()).collect();
            panic!("no contribution named '{name}'; the evaluation has {names:?}")
        }
    }
}

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

/// The white box of `e`: every contribution as (name, points), in order,
/// to compare with a hand computation in one `assert_eq!`.
///
/// Costs one small allocation per call.
pub fn white_box(e: &Evaluation) -> Vec<(&str, Points)> {
    e.contributions
        .iter()
        .map(|c| (c.name.as_str(), c.points))
        .collect()
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

    /// The request with `name` set to `value` instead: every indicator of
    /// that name is removed and one is added at the end, with no observation
    /// date and no source. Adds it if there was none. Costs a linear scan of
    /// the indicators.
    pub fn set(self, name: &str, value: Value) -> Self {
        self.set_or_remove(name, Some(value))
    }

    /// The request without any indicator named `name` (as if it were not
    /// supplied). Costs a linear scan of the indicators.
    pub fn without(self, name: &str) -> Self {
        self.set_or_remove(name, None)
    }

    /// [`set`](RequestBuilder::set) `name` to `value` if it is `Some`,
    /// [`without`](RequestBuilder::without) `name` if it is `None`: for a
    /// table of cases where "not supplied" is one of the values.
    pub fn set_or_remove(mut self, name: &str, value: Option<Value>) -> Self {
        self.req.indicators.retain(|i| i.name != name);
        match value {
            Some(value) => self.indicator(name, value, None),
            None => self,
        }
    }

    /// The finished request.
    pub fn build(self) -> Request {
        self.req
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Contribution;

    fn names_and_values(req: &Request) -> Vec<(&str, &Value)> {
        req.indicators
            .iter()
            .map(|i| (i.name.as_str(), &i.value))
            .collect()
    }

    #[test]
    fn set_replaces_every_indicator_of_the_name_at_the_end() {
        let req = RequestBuilder::enterprise("e1", "2026-11-01")
            .number("a", 1.0)
            .event("b", "open", "2024-03-02")
            .number("c", 3.0)
            .number("a", 2.0)
            .set("b", Value::Flag(true))
            .set("a", Value::Number(9.0))
            .build();
        assert_eq!(
            names_and_values(&req),
            [
                ("c", &Value::Number(3.0)),
                ("b", &Value::Flag(true)),
                ("a", &Value::Number(9.0)),
            ]
        );
        // The replacement has no observation date of its own.
        assert_eq!(req.indicators[1].observed_on, None);
    }

    #[test]
    fn set_adds_a_missing_indicator_and_without_removes_one() {
        let b = RequestBuilder::enterprise("e1", "2026-11-01").number("a", 1.0);
        let added = b.clone().set("z", Value::Text("x".into())).build();
        assert_eq!(
            names_and_values(&added),
            [("a", &Value::Number(1.0)), ("z", &Value::Text("x".into()))]
        );
        let removed = b.clone().number("a", 2.0).without("a").build();
        assert!(removed.indicators.is_empty());
        // Removing what is not there changes nothing.
        assert_eq!(b.clone().without("q").build(), b.clone().build());
        assert_eq!(b.clone().set_or_remove("a", None).build().indicators, []);
        assert_eq!(
            b.clone()
                .set_or_remove("a", Some(Value::Flag(false)))
                .build(),
            b.set("a", Value::Flag(false)).build()
        );
    }

    fn with_parts(parts: &[(&str, Points)]) -> Evaluation {
        Evaluation {
            score: parts.iter().map(|(_, p)| p).sum(),
            grade: "A".into(),
            contributions: parts
                .iter()
                .map(|(name, points)| Contribution {
                    name: (*name).into(),
                    points: *points,
                    note: String::new(),
                })
                .collect(),
            reasons: Vec::new(),
        }
    }

    #[test]
    fn part_is_the_first_contribution_of_the_name() {
        let e = with_parts(&[("base", 40_000), ("x", -1_250), ("x", 7)]);
        assert_eq!(part(&e, "base"), 40_000);
        assert_eq!(part(&e, "x"), -1_250);
    }

    #[test]
    fn white_box_lists_every_part_in_order() {
        let e = with_parts(&[("base", 40_000), ("x", -1_250), ("x", 7)]);
        assert_eq!(white_box(&e), [("base", 40_000), ("x", -1_250), ("x", 7)]);
        assert!(white_box(&with_parts(&[])).is_empty());
    }

    #[test]
    #[should_panic(expected = "no contribution named 'missing'; the evaluation has [\"base\"]")]
    fn part_names_a_missing_contribution() {
        part(&with_parts(&[("base", 1)]), "missing");
    }

    // `ok` itself runs `evaluate`, whose sandbox parity check wants a built
    // component of the package under test; the SDK has none, so its
    // unwrapping is tested on its own.
    #[test]
    fn ok_is_the_evaluation_of_an_accepted_request() {
        let e = with_parts(&[("base", 60_000)]);
        assert_eq!(accepted(Ok(e.clone())), e);
    }

    #[test]
    #[should_panic(expected = "the model refused the request: EvalError::MissingIndicator(\"n\")")]
    fn ok_panics_with_the_refusal() {
        accepted(Err(EvalError::MissingIndicator("n".into())));
    }
}
