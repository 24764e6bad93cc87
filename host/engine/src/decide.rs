//! Benefit decisions: "is this subject eligible for this scenario?" — the
//! evaluation of a scenario's model, recorded like any evaluation, with the
//! scenario's rule applied to it (`scorehost_registry::Rule`). The HTTP API
//! (`POST /v1/decisions`) and the CLI (`scorehost decide`) share this, so
//! that both answer and record exactly the same thing.
//!
//! A decision is a field of its evaluation's record (`decision`: scenario,
//! title, rule, eligible; see [`crate::audit::mark_decision`]): the log
//! holds one record per decision, `audit show` shows it and `audit replay`
//! recomputes `eligible` from the replayed white box.
//!
//! **Provisional decisions.** While a dispute an app filed withholds one of
//! the subject's records (the province forwarded it to the source), that
//! app's own decisions about the subject are *provisional*: the evaluation
//! runs and is recorded as for anyone (the record stays suspended, as the
//! law wants), but the decision grants nothing — `eligible` is false, the
//! answer and the record name the disputes (`provisional`), and the first
//! reason says to ask again once they are closed. Refusing the decision
//! instead would hide from the log what was asked during the dispute, and
//! from the subject the white box they are owed; granting it would let an
//! app file its way to a benefit (the "hit-and-run"). Other apps' decisions
//! are not provisional: the suspension is the province's act, not theirs.

use scorehost_registry::{Declared, Rule, Scenario};
use scorehost_runtime::wire::Withheld;
use serde::Serialize;
use serde_json::json;

use crate::Error;
use crate::contract::ModelInfo;
use crate::scoring::Prepared;
use crate::wire::EvaluationResponse;

/// How many of the model's own reasons follow the rule's sentence in a
/// decision's `reasons`: its three principal ones (the evaluation, in the
/// answer too, holds them all).
pub const MODEL_REASONS: usize = 3;

/// Why a named scenario decides nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotLive {
    /// No scenario was ever defined by that name.
    Unknown(String),
    /// It was retired.
    Retired(String),
}

impl NotLive {
    /// The sentence to answer with.
    pub fn message(&self) -> &str {
        match self {
            NotLive::Unknown(m) | NotLive::Retired(m) => m,
        }
    }
}

/// The scenario `name` as looked up (`found`), if it still decides.
pub fn live(name: &str, found: Option<Scenario>) -> Result<Scenario, NotLive> {
    match found {
        None => Err(NotLive::Unknown(format!(
            "no benefit scenario is named '{name}'"
        ))),
        Some(Scenario {
            retired_at: Some(at),
            ..
        }) => Err(NotLive::Retired(format!(
            "benefit scenario '{name}' was retired on {at} and decides nothing any more"
        ))),
        Some(s) => Ok(s),
    }
}

/// A loaded model's declared scale and grades, to check a rule against.
pub fn declared(info: &ModelInfo) -> Declared {
    Declared {
        reference: format!("{}@{}", info.name, info.version),
        scale_min: info.scale_min,
        scale_max: info.scale_max,
        grades: info.grades.iter().map(|g| g.grade.clone()).collect(),
    }
}

/// Check, before deciding, that the scenario's rule still fits the model
/// version pinned now (it was checked against the one pinned when it was
/// defined): a conflict the province must resolve by redefining it.
pub fn check_fits(scenario: &Scenario, info: &ModelInfo) -> Result<(), Error> {
    scenario.rule.check_fits(&declared(info)).map_err(|why| {
        Error::Registry(scorehost_registry::Error::Conflict(format!(
            "benefit scenario '{}' cannot decide: {why}; the province must redefine it",
            scenario.name
        )))
    })
}

/// Whether `evaluation` is eligible by `rule`, and the sentence saying why.
fn verdict(scenario: &Scenario, evaluation: &EvaluationResponse) -> Result<(bool, String), Error> {
    let score = crate::points::from_decimal(evaluation.score).map_err(Error::Internal)?;
    Ok(scenario
        .rule
        .verdict(score, &evaluation.grade, &scenario.title))
}

/// What is added to the evaluation's record (see the module docs).
fn recorded(scenario: &Scenario, eligible: Option<bool>) -> serde_json::Value {
    let mut d = json!({
        "scenario": scenario.name,
        "title": scenario.title,
        "rule": scenario.rule,
    });
    if let Some(e) = eligible {
        d["eligible"] = e.into();
    }
    d
}

/// The disputes filed by `caller` among the `withheld` records of a
/// request: if any, the caller's decision is provisional (module docs).
pub fn own_disputes(withheld: &[Withheld], caller: &str) -> Vec<String> {
    withheld
        .iter()
        .filter(|w| w.why == "disputed" && w.filed_by.as_deref() == Some(caller))
        .map(|w| w.id.clone())
        .collect()
}

/// The amendment that puts the decision into the evaluation's record
/// before it is appended (for `crate::scoring::score_fairly_amended` and
/// `score_recorded_amended`). A failed evaluation decides nothing: its
/// record names the scenario and rule, without `eligible`. A provisional
/// decision (`provisional`: the caller's own disputes, [`own_disputes`])
/// is recorded as not eligible, naming them.
pub fn record_decision<'a>(
    scenario: &'a Scenario,
    provisional: &'a [String],
) -> impl FnOnce(&mut Prepared) -> Result<(), Error> + 'a {
    move |prepared| {
        let eligible = match &prepared.outcome {
            Ok(evaluation) => Some(verdict(scenario, evaluation)?.0 && provisional.is_empty()),
            Err(_) => None,
        };
        let mut decision = recorded(scenario, eligible);
        if !provisional.is_empty() {
            decision["provisional"] = json!(provisional);
        }
        crate::audit::mark_decision(&mut prepared.record, &decision)
    }
}

/// The first reason of a provisional decision.
fn provisional_reason(provisional: &[String]) -> String {
    format!(
        "provisional, not a grant: records of this subject are withheld by this app's own dispute{} {}; ask again once the province has closed {}",
        if provisional.len() == 1 { "" } else { "s" },
        provisional.join(", "),
        if provisional.len() == 1 { "it" } else { "them" }
    )
}

/// The answer to a decision: eligible or not, by which rule, why, and —
/// to a caller also granted the scenario's model — the evaluation behind
/// it.
///
/// Minimum necessary (PIPL art. 6): an app granted only the scenario asks
/// a yes-or-no question, and gets the answer, the rule, and the reasons —
/// the rule's outcome in words that do not give the score or grade away,
/// and the model's principal reasons, which the subject is owed — but not
/// the exact score, the grade or the white box ([`DecisionResponse::minimal`]).
/// An app also granted the model, and the province, get the whole
/// evaluation, as `POST /v1/scores` returns it. Either way the audit record
/// holds everything, for the subject, the province and auditors.
#[derive(utoipa::ToSchema, Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct DecisionResponse {
    /// The scenario's name.
    pub scenario: String,
    /// What the benefit is.
    pub title: String,
    /// Whether the subject is eligible. Always false for a provisional
    /// decision.
    pub eligible: bool,
    /// The asking app's own disputes that withhold records of the subject:
    /// while there are any, the decision is provisional and grants nothing
    /// (see the module docs). Absent otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provisional: Vec<String>,
    /// The rule applied: `{"min_score": 573.0}`, `{"above_score": 580.0}`
    /// or `{"grades": ["A", "B"]}`.
    #[schema(value_type = Object)]
    pub rule: serde_json::Value,
    /// The evaluation's (and so the decision's) audit record.
    pub evaluation_id: Option<String>,
    /// The score, decimal points (absent in a minimal answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The grade (absent in a minimal answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// The rule's outcome first ("score 612.40 ≥ 573: eligible for …"; in a
    /// minimal answer "the score reaches 573: eligible for …"), then the
    /// model's [`MODEL_REASONS`] principal reasons.
    pub reasons: Vec<String>,
    /// The white box behind it (absent in a minimal answer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<EvaluationResponse>,
}

impl DecisionResponse {
    /// The full answer for `scenario` on its (recorded) `evaluation`;
    /// provisional when `provisional` names disputes ([`own_disputes`]).
    pub fn new(
        scenario: &Scenario,
        evaluation: EvaluationResponse,
        provisional: &[String],
    ) -> Result<Self, Error> {
        let (eligible, why) = verdict(scenario, &evaluation)?;
        let mut reasons = Vec::new();
        if !provisional.is_empty() {
            reasons.push(provisional_reason(provisional));
        }
        reasons.push(why);
        reasons.extend(evaluation.reasons.iter().take(MODEL_REASONS).cloned());
        Ok(DecisionResponse {
            scenario: scenario.name.clone(),
            title: scenario.title.clone(),
            eligible: eligible && provisional.is_empty(),
            provisional: provisional.to_vec(),
            rule: serde_json::to_value(&scenario.rule).unwrap_or_default(),
            evaluation_id: evaluation.evaluation_id.clone(),
            score: Some(evaluation.score),
            grade: Some(evaluation.grade.clone()),
            reasons,
            evaluation: Some(evaluation),
        })
    }

    /// The minimal answer, for an app granted the scenario but not its
    /// model: eligible or not, the rule, and reasons that name neither the
    /// score nor the grade.
    pub fn minimal(
        scenario: &Scenario,
        evaluation: EvaluationResponse,
        provisional: &[String],
    ) -> Result<Self, Error> {
        let (by_rule, _) = verdict(scenario, &evaluation)?;
        let full = DecisionResponse::new(scenario, evaluation, provisional)?;
        let skip = if provisional.is_empty() { 1 } else { 2 };
        let mut reasons = Vec::new();
        if !provisional.is_empty() {
            reasons.push(provisional_reason(provisional));
        }
        reasons.push(scenario.rule.outcome_text(by_rule, &scenario.title));
        reasons.extend(full.reasons.into_iter().skip(skip));
        Ok(DecisionResponse {
            score: None,
            grade: None,
            evaluation: None,
            reasons,
            ..full
        })
    }

    /// For people: the verdict, the reasons, then the white box.
    pub fn report(&self) -> String {
        let mut out = format!(
            "{}: {} ({})\n",
            self.scenario,
            if self.eligible {
                "ELIGIBLE"
            } else {
                "NOT ELIGIBLE"
            },
            self.title
        );
        if let Some(id) = &self.evaluation_id {
            out.push_str(&format!("evaluation {id}\n"));
        }
        out.push_str("\nreasons:\n");
        for (i, r) in self.reasons.iter().enumerate() {
            out.push_str(&format!("  {}. {r}\n", i + 1));
        }
        if let Some(evaluation) = &self.evaluation {
            out.push('\n');
            out.push_str(&crate::report::white_box(evaluation));
        }
        out
    }
}

/// A scenario's rule for people: `score ≥ 573` or `grade A or B`.
pub fn rule_text(rule: &Rule) -> String {
    match rule {
        Rule::MinScore(h) => format!("score ≥ {}", crate::points::format(*h)),
        Rule::AboveScore(h) => format!("score > {}", crate::points::format(*h)),
        Rule::Grades(g) => format!("grade {}", g.join(" or ")),
    }
}
