//! What a candidate changes downstream: through every composite in force
//! that uses its model (`crate::composite`), the composite's result with
//! the pinned version against the result with the candidate in its place.
//!
//! For each such composite, the subjects of the analysis that are in the
//! store (at most [`DOWNSTREAM_MAX`], the first the analysis compared) are
//! run through the whole graph twice, on today's stored data — the pinned
//! versions, then the same with the candidate — recording nothing, and the
//! composite's results compared: its score and grade, or, for a profile,
//! every step's. A candidate that no longer fits the graph is reported as
//! breaking it (its pin would be refused by the composite, 409, until the
//! province redefines it).

use std::sync::Arc;

use scorehost_registry::{Composite, ModelName};
use serde::{Deserialize, Serialize};

use crate::catalog::Catalog;
use crate::composite::{self, Plan};
use crate::{Error, Model};

/// The most subjects run through each composite: each costs two runs of
/// the whole graph (2 × k evaluations and 8 × k indexed queries), so 1,000
/// keep a graph of a few steps within seconds of one core.
pub const DOWNSTREAM_MAX: usize = 1000;

/// Subjects whose composite result moves, listed per composite.
const EXAMPLES: usize = 10;

/// One composite's change under the candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Downstream {
    /// `name@version`.
    pub composite: String,
    /// Why the candidate no longer fits the graph, if it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub breaks: Option<String>,
    /// Subjects run through the graph both ways.
    pub subjects: u64,
    /// Subjects of the analysis not run: not in the store, or of a kind
    /// the composite does not score.
    pub skipped: u64,
    /// Subjects whose composite result (score or grade; for a profile, any
    /// step's) differs.
    pub changed: u64,
    /// Of those, subjects whose grade differs.
    pub changed_grade: u64,
    /// Up to ten of those: subject, before and after (withheld from a
    /// publisher).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<DownstreamChange>,
}

/// One subject whose composite result moves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct DownstreamChange {
    /// The subject.
    pub subject: String,
    /// The result with the pinned versions ("score grade", per step for a profile).
    pub before: String,
    /// The result with the candidate.
    pub after: String,
}

/// The composite's outcome for people: "780.70 blue", or each step's.
fn outcome(plan: &Plan, e: &composite::Evaluated) -> String {
    if let Some(r) = e.result(plan) {
        return format!("{:.2} {}", r.score, r.grade);
    }
    if let Some((step, err)) = &e.failed {
        return format!("step {step} failed: {}", err.code());
    }
    e.steps
        .iter()
        .map(|s| match (&s.evaluation, &s.error) {
            (Some(ev), _) => format!("{} {:.2} {}", s.step, ev.score, ev.grade),
            (None, Some(err)) => format!("{} failed: {}", s.step, err.code),
            _ => format!("{} not run", s.step),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// The grades a composite's outcome gives: its result's, or each step's
/// for a profile.
fn grades(plan: &Plan, e: &composite::Evaluated) -> Vec<Option<String>> {
    match (&plan.composite.definition.result, e.result(plan)) {
        (Some(_), r) => vec![r.map(|r| r.grade)],
        (None, _) => e
            .steps
            .iter()
            .map(|s| s.evaluation.as_ref().map(|ev| ev.grade.clone()))
            .collect(),
    }
}

/// The pinned models of `c`'s steps, with `candidate` in place of
/// `model`'s when given.
fn models(
    pins: &[(String, Arc<Model>)],
    c: &Composite,
    model: &ModelName,
    candidate: Option<&Arc<Model>>,
) -> Result<Vec<Arc<Model>>, Error> {
    let name = model.to_string();
    c.definition
        .steps
        .iter()
        .map(|s| match (candidate, s.model == name) {
            (Some(m), true) => Ok(m.clone()),
            _ => pins
                .iter()
                .find(|(n, _)| *n == s.model)
                .map(|(_, m)| m.clone())
                .ok_or_else(|| {
                    Error::from(scorehost_registry::Error::NoPinnedVersion(s.model.clone()))
                }),
        })
        .collect()
}

/// Run `subjects` through every composite in force that uses `model`,
/// with the pinned versions and with `candidate`; one entry per
/// composite. `publisher`: leave out the examples (they name subjects).
pub async fn analyse(
    catalog: &Catalog,
    model: &ModelName,
    candidate: Arc<Model>,
    subjects: &[String],
    publisher: bool,
) -> Result<Vec<Downstream>, Error> {
    let registry = catalog.registry();
    let composites = registry.composites_using(model).await?;
    if composites.is_empty() {
        return Ok(Vec::new());
    }
    let mut pins: Vec<(String, Arc<Model>)> = Vec::new();
    for pin in registry.pins().await? {
        pins.push((pin.model.clone(), Arc::new(catalog.load_sha(&pin.sha256)?)));
    }
    let today = crate::completion::today();
    let mut out = Vec::new();
    for c in composites {
        let before = Plan::new(c.clone(), models(&pins, &c, model, None)?);
        let after = Plan::new(c.clone(), models(&pins, &c, model, Some(&candidate))?);
        let mut d = Downstream {
            composite: c.reference(),
            breaks: None,
            subjects: 0,
            skipped: 0,
            changed: 0,
            changed_grade: 0,
            examples: Vec::new(),
        };
        if let Err(e) = composite::check_plan(&after) {
            d.breaks = Some(e.to_string());
            out.push(d);
            continue;
        }
        for id in subjects.iter().take(DOWNSTREAM_MAX) {
            let (Ok(b), Ok(a)) = (
                composite::evaluate(registry, &before, id, &today, "impact").await,
                composite::evaluate(registry, &after, id, &today, "impact").await,
            ) else {
                d.skipped += 1;
                continue;
            };
            d.subjects += 1;
            let (was, now) = (outcome(&before, &b), outcome(&after, &a));
            if was == now {
                continue;
            }
            d.changed += 1;
            if grades(&before, &b) != grades(&after, &a) {
                d.changed_grade += 1;
            }
            if !publisher && d.examples.len() < EXAMPLES {
                d.examples.push(DownstreamChange {
                    subject: id.clone(),
                    before: was,
                    after: now,
                });
            }
        }
        out.push(d);
    }
    Ok(out)
}
