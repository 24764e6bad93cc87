//! The credit report (综合信用报告, L1350): for one subject, the provincial
//! base and every pinned model that applies, in one answer and one record —
//! what a bank or an inspector asks for.
//!
//! The report is the built-in composite [`REPORT`]: one step per pinned
//! model that scores the subject's kind, each run only when the store
//! holds records of its indicators for the subject, none fed by another.
//! A model that is not evaluated is listed with why, never left out
//! silently: `not applicable` (it scores other kinds), `no consent` (a
//! natural person has not consented to this app and model), `not run` (no
//! stored record of its indicators), or its recorded failure.
//!
//! For an app, a natural person's report needs their consent for at least
//! one applicable model; without any, and for a subject that is not
//! stored, the answer is the same refusal, with nothing evaluated.

use std::collections::BTreeMap;
use std::sync::Arc;

use scorehost_registry::composites::{Definition, Route, Step};
use scorehost_registry::{Actor, Composite, ModelName, REPORT, Registry, Role, Token};

use super::{CompositeFailed, CompositeResponse, LeftOut, Plan, PlannedStep, run};
use crate::contract::subject_kind_name;
use crate::scoring::Recorder;
use crate::{Engine, Error, Model};

/// The report's title, for people.
pub const TITLE: &str =
    "Credit report (综合信用报告): the provincial base and every pinned model that applies";

/// The uniform refusal of a report an app may not have.
fn refused(id: &str, app: &str) -> Error {
    scorehost_registry::Error::ConsentRequired(format!(
        "app:{app} may not have a credit report of {id}: a natural person's report needs their consent for this app and at least one model (the answer is the same whether or not the subject is stored)"
    ))
    .into()
}

impl Engine {
    /// The credit report of the stored subject `raw` names
    /// (`{"subject": {"id": …}}`, as of today) for the app holding
    /// `token`, granted [`REPORT`]: [`Engine::report_plan`], then
    /// [`run`]. Costs one evaluation per applicable model with data.
    pub async fn credit_report(
        self: &Arc<Self>,
        token: &Token,
        actor: &Actor,
        raw: serde_json::Value,
    ) -> Result<CompositeResponse, CompositeFailed> {
        let Role::App(app) = &actor.role else {
            return Err(Error::from(scorehost_registry::Error::Forbidden(format!(
                "{actor} may not ask for credit reports: only apps do, when granted them"
            )))
            .into());
        };
        if !token.may_compose(REPORT) {
            return Err(Error::from(scorehost_registry::Error::Forbidden(format!(
                "{actor} is not granted credit reports (grant: --composites report)"
            )))
            .into());
        }
        let (id, as_of) = crate::completion::stored_subject(&raw)?;
        let as_of = crate::completion::app_as_of(as_of)?;
        let plan = plan(
            self.catalog.registry(),
            Some(app),
            id,
            self.pinned_models().await?,
        )
        .await?;
        let recorder = Recorder::Writer(&self.writer);
        run(
            self.catalog.registry(),
            &plan,
            id,
            &as_of,
            &actor.to_string(),
            &recorder,
        )
        .await
    }

    /// Every pinned model, loaded (each compiled once per process).
    pub async fn pinned_models(&self) -> Result<Vec<Arc<Model>>, Error> {
        let mut out = Vec::new();
        for pin in self.catalog.registry().pins().await? {
            out.push(self.pinned_model(&pin.model.parse()?).await?);
        }
        Ok(out)
    }
}

/// The report's plan for subject `id` over the `pinned` models: each a
/// step, or left out with why. For an app (`Some(app)`), consent is read
/// before anything of the subject, as [`crate::consent`] decides it; the
/// province (`None`) needs none. Costs one or two indexed queries, and one
/// per model for a person's consents.
pub async fn plan(
    registry: &Registry,
    app: Option<&str>,
    id: &str,
    pinned: Vec<Arc<Model>>,
) -> Result<Plan, Error> {
    let stored = registry.stored_kind(id).await?;
    let person =
        crate::consent::looks_like_resident_id(id) || stored.as_deref() == Some("natural-person");
    let kind = match (person, stored, app) {
        (true, _, _) => "natural-person".to_string(),
        (false, Some(k), _) => k,
        (false, None, Some(app)) => return Err(refused(id, app)),
        (false, None, None) => {
            return Err(scorehost_registry::Error::NotFound(format!(
                "no base evaluation of subject {id} is stored"
            ))
            .into());
        }
    };
    let mut steps = Vec::new();
    let mut left_out = Vec::new();
    let mut checked_against = Vec::new();
    for model in pinned {
        let info = model.info();
        let name: ModelName = info.name.parse()?;
        let reference = format!("{}@{}", info.name, info.version);
        let kinds: Vec<&str> = info
            .subject_kinds
            .iter()
            .map(|k| subject_kind_name(*k))
            .collect();
        if !kinds.contains(&kind.as_str()) {
            left_out.push(LeftOut {
                model: reference,
                why: format!("not applicable: it scores {} only", kinds.join(", ")),
            });
            continue;
        }
        if let (true, Some(app)) = (person, app)
            && registry.require_consent(id, app, &name).await.is_err()
        {
            left_out.push(LeftOut {
                    model: reference,
                    why: format!("no consent: the subject has not consented to app:{app} evaluating them with {name}"),
                });
            continue;
        }
        checked_against.push(reference);
        steps.push(PlannedStep {
            step: Step {
                id: format!("{}-{}", name.namespace, name.name),
                model: name.to_string(),
                when: Some(Route {
                    id_prefix: Vec::new(),
                    stored: true,
                    label: None,
                }),
                inputs: BTreeMap::new(),
            },
            model,
        });
    }
    if steps.is_empty() {
        return Err(match (person, app) {
            (true, Some(app)) => refused(id, app),
            _ => scorehost_registry::Error::NotFound(format!(
                "no pinned model scores a subject of kind {kind}"
            ))
            .into(),
        });
    }
    let composite = Composite {
        name: REPORT.to_string(),
        version: 0,
        title: TITLE.to_string(),
        definition: Definition {
            steps: steps.iter().map(|s| s.step.clone()).collect(),
            result: None,
        },
        checked_against,
        defined_by: "province (built in)".into(),
        defined_at: String::new(),
        retired_by: None,
        retired_at: None,
    };
    Ok(Plan {
        composite,
        steps,
        left_out,
    })
}
