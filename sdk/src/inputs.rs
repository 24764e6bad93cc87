//! Typed, kind-checked access to a request's indicators and base lists.

use crate::{Date, EvalError, Indicator, Request, Value};

/// Typed access to a [`Request`]'s indicators by name.
///
/// Scalar accessors ([`number`](Inputs::number), [`flag`](Inputs::flag), …)
/// expect the indicator at most once; the `opt_` forms return `None` when it
/// is absent. A value of the wrong kind, or a scalar given twice, is an
/// [`EvalError::InvalidIndicator`] naming the indicator; an absent required
/// one is an [`EvalError::MissingIndicator`]. Event-like indicators that may
/// occur many times (penalties, listings) are read with
/// [`events`](Inputs::events).
pub trait Inputs {
    /// All indicators with this name, in request order.
    fn events<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Indicator> + 'a;
    /// The single indicator with this name, if present.
    fn indicator(&self, name: &str) -> Result<Option<&Indicator>, EvalError>;
    /// A required number.
    fn number(&self, name: &str) -> Result<f64, EvalError>;
    /// An optional number.
    fn opt_number(&self, name: &str) -> Result<Option<f64>, EvalError>;
    /// A required amount: a number that must not be negative.
    fn amount(&self, name: &str) -> Result<f64, EvalError>;
    /// An optional amount.
    fn opt_amount(&self, name: &str) -> Result<Option<f64>, EvalError>;
    /// A required count: not negative, a fraction rounded down (1.9 → 1).
    fn count(&self, name: &str) -> Result<f64, EvalError>;
    /// An optional count.
    fn opt_count(&self, name: &str) -> Result<Option<f64>, EvalError>;
    /// A required flag.
    fn flag(&self, name: &str) -> Result<bool, EvalError>;
    /// An optional flag.
    fn opt_flag(&self, name: &str) -> Result<Option<bool>, EvalError>;
    /// A required text.
    fn text(&self, name: &str) -> Result<&str, EvalError>;
    /// An optional text.
    fn opt_text(&self, name: &str) -> Result<Option<&str>, EvalError>;
    /// A required date.
    fn date(&self, name: &str) -> Result<Date, EvalError>;
    /// An optional date.
    fn opt_date(&self, name: &str) -> Result<Option<Date>, EvalError>;
    /// The evaluation date.
    fn as_of_date(&self) -> Result<Date, EvalError>;
    /// The base list memberships that start with `prefix` (e.g. `"black:"`).
    fn lists_with<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a;
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Number(_) => "number",
        Value::Flag(_) => "flag",
        Value::Text(_) => "text",
        Value::Date(_) => "date",
    }
}

fn wrong_kind(name: &str, want: &str, got: &Value) -> EvalError {
    EvalError::InvalidIndicator(format!(
        "{name}: expected a {want}, got a {}",
        kind_name(got)
    ))
}

fn required<T>(name: &str, v: Option<T>) -> Result<T, EvalError> {
    v.ok_or_else(|| EvalError::MissingIndicator(name.to_string()))
}

impl Inputs for Request {
    fn events<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Indicator> + 'a {
        self.indicators.iter().filter(move |i| i.name == name)
    }

    fn indicator(&self, name: &str) -> Result<Option<&Indicator>, EvalError> {
        let mut it = self.indicators.iter().filter(|i| i.name == name);
        let first = it.next();
        if it.next().is_some() {
            return Err(EvalError::InvalidIndicator(format!(
                "{name}: given more than once"
            )));
        }
        Ok(first)
    }

    fn number(&self, name: &str) -> Result<f64, EvalError> {
        required(name, self.opt_number(name)?)
    }

    fn opt_number(&self, name: &str) -> Result<Option<f64>, EvalError> {
        match self.indicator(name)?.map(|i| &i.value) {
            None => Ok(None),
            Some(Value::Number(n)) if n.is_finite() => Ok(Some(*n)),
            Some(Value::Number(_)) => Err(EvalError::InvalidIndicator(format!(
                "{name}: not a finite number"
            ))),
            Some(other) => Err(wrong_kind(name, "number", other)),
        }
    }

    fn amount(&self, name: &str) -> Result<f64, EvalError> {
        required(name, self.opt_amount(name)?)
    }

    fn opt_amount(&self, name: &str) -> Result<Option<f64>, EvalError> {
        match self.opt_number(name)? {
            Some(v) if v < 0.0 => Err(EvalError::InvalidIndicator(format!(
                "{name}: must not be negative, got {v}"
            ))),
            v => Ok(v),
        }
    }

    fn count(&self, name: &str) -> Result<f64, EvalError> {
        required(name, self.opt_count(name)?)
    }

    fn opt_count(&self, name: &str) -> Result<Option<f64>, EvalError> {
        Ok(self.opt_amount(name)?.map(f64::floor))
    }

    fn flag(&self, name: &str) -> Result<bool, EvalError> {
        required(name, self.opt_flag(name)?)
    }

    fn opt_flag(&self, name: &str) -> Result<Option<bool>, EvalError> {
        match self.indicator(name)?.map(|i| &i.value) {
            None => Ok(None),
            Some(Value::Flag(b)) => Ok(Some(*b)),
            Some(other) => Err(wrong_kind(name, "flag", other)),
        }
    }

    fn text(&self, name: &str) -> Result<&str, EvalError> {
        required(name, self.opt_text(name)?)
    }

    fn opt_text(&self, name: &str) -> Result<Option<&str>, EvalError> {
        match self.indicator(name)?.map(|i| &i.value) {
            None => Ok(None),
            Some(Value::Text(s)) => Ok(Some(s.as_str())),
            Some(other) => Err(wrong_kind(name, "text", other)),
        }
    }

    fn date(&self, name: &str) -> Result<Date, EvalError> {
        required(name, self.opt_date(name)?)
    }

    fn opt_date(&self, name: &str) -> Result<Option<Date>, EvalError> {
        match self.indicator(name)?.map(|i| &i.value) {
            None => Ok(None),
            Some(Value::Date(s)) => Date::parse_for(s, name).map(Some),
            Some(other) => Err(wrong_kind(name, "date", other)),
        }
    }

    fn as_of_date(&self) -> Result<Date, EvalError> {
        Date::parse(&self.as_of)
            .ok_or_else(|| EvalError::Other(format!("as-of '{}' is not an ISO date", self.as_of)))
    }

    fn lists_with<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.base
            .lists
            .iter()
            .map(String::as_str)
            .filter(move |l| l.starts_with(prefix))
    }
}

/// When an event indicator's fact happened: its `observed-on`, parsed.
/// An event without one, or with a malformed one, is an
/// [`EvalError::InvalidIndicator`] naming the indicator.
pub fn observed_on(event: &Indicator) -> Result<Date, EvalError> {
    match &event.observed_on {
        Some(d) => Date::parse_for(d, &event.name),
        None => Err(EvalError::InvalidIndicator(format!(
            "{}: an event needs its observed_on date",
            event.name
        ))),
    }
}
