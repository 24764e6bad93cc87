//! `scenario define | list | show | retire` and `decide`: benefit scenarios
//! and decisions on them, on the local data dir or (`--server`) through the
//! HTTP API.

use scorehost_engine::audit;
use scorehost_engine::catalog::Catalog;
use scorehost_engine::decide::{self, DecisionResponse};
use scorehost_engine::scoring::{Recorder, score_recorded_amended};
use scorehost_engine::{Error, completion as store};
use scorehost_registry::{Actor, ModelName, Registry, Role, Rule};
use scorehost_runtime::sandbox::{Limits, Runtime};
use serde_json::{Value, json};

use super::block_on;
use super::remote::{self, Remote};
use crate::Global;
use scorehost_registry::governance::proposals::with_pending;

#[derive(clap::Subcommand)]
pub(crate) enum ScenarioCommand {
    /// Define a scenario, or replace its definition (province only): the
    /// model that decides it and its rule, a minimum score or a set of grades.
    #[command(
        after_help = "Examples:\n  scorehost scenario define hangzhou-transit-credit-pay --model hangzhou/qianjiang --min-score 573 --title \"Hangzhou transit credit-pay\"\n  scorehost scenario define mining-state-funded-bids --model mining/rights --grades A,B"
    )]
    Define {
        /// The scenario's name (lowercase letters, digits and '-').
        name: String,
        /// The model that decides it, NAMESPACE/NAME (its pinned version).
        #[arg(long)]
        model: String,
        /// Eligible from this score on (points, at most two decimals): the
        /// source's 「达到」, "reaches".
        #[arg(long, conflicts_with_all = ["grades", "above_score"], required_unless_present_any = ["grades", "above_score"])]
        min_score: Option<f64>,
        /// Eligible with a score strictly above this one: the source's 「高于」.
        #[arg(long, conflicts_with = "grades")]
        above_score: Option<f64>,
        /// Eligible with one of these grades, comma-separated.
        #[arg(long, value_delimiter = ',')]
        grades: Option<Vec<String>>,
        /// What the benefit is, for people (default: the name).
        #[arg(long)]
        title: Option<String>,
    },
    /// List every scenario, retired ones too.
    #[command(after_help = "Example:\n  scorehost scenario list --json")]
    List,
    /// Show one scenario.
    #[command(after_help = "Example:\n  scorehost scenario show hangzhou-transit-credit-pay")]
    Show {
        /// The scenario's name.
        name: String,
    },
    /// Approve the definition of a scenario waiting for approval, naming the
    /// SHA-256 of the text you read (`scenario show`): a named province person
    /// other than its author. The approval that reaches the quorum brings it
    /// into force.
    #[command(
        after_help = "Example:\n  scorehost scenario show hangzhou-transit-credit-pay          # read what waits, and its sha256\n  scorehost scenario approve hangzhou-transit-credit-pay --sha256 <SHA256> --as 'province:Li Na'"
    )]
    Approve {
        /// The scenario's name.
        name: String,
        /// The SHA-256 of the definition reviewed (its proposal's `sha256`).
        #[arg(long)]
        sha256: String,
    },
    /// Retire a scenario: decisions on it are refused from now on (province only).
    #[command(after_help = "Example:\n  scorehost scenario retire hangzhou-transit-credit-pay")]
    Retire {
        /// The scenario's name.
        name: String,
    },
}

/// `decide`'s arguments.
#[derive(clap::Args)]
pub(crate) struct DecideArgs {
    /// The scenario.
    #[arg(long)]
    scenario: String,
    /// The subject's id; its data come from the 1+N store.
    #[arg(long)]
    subject: String,
    /// The evaluation date, YYYY-MM-DD (default: today).
    #[arg(long)]
    as_of: Option<String>,
}

async fn open(g: &Global) -> Result<Registry, scorehost_registry::Error> {
    Registry::open(&g.data_dir, g.db.as_deref()).await
}

/// A scenario (as JSON, local or remote) on one line.
fn line(s: &Value) -> String {
    let rule = match Rule::from_json(&s["rule"]) {
        Ok(rule) => decide::rule_text(&rule),
        Err(_) => s["rule"].to_string(),
    };
    let status = match s["retired_at"].as_str() {
        Some(at) => format!("retired {at}"),
        None => "live".into(),
    };
    format!(
        "{:<36} {:<24} {:<22} {:<30} {}",
        s["name"].as_str().unwrap_or_default(),
        s["model"].as_str().unwrap_or_default(),
        rule,
        status,
        s["title"].as_str().unwrap_or_default()
    )
}

fn print_scenarios(g: &Global, v: &Value) -> anyhow::Result<()> {
    if g.json {
        println!("{}", serde_json::to_string_pretty(v)?);
        return Ok(());
    }
    let one = [v.clone()];
    let all = v.as_array().map_or(&one[..], |a| &a[..]);
    println!(
        "{:<36} {:<24} {:<22} {:<30} title",
        "scenario", "model", "rule", "status"
    );
    for s in all {
        println!("{}", line(s));
    }
    if let Some(against) = v["checked_against"].as_str() {
        println!("rule checked against {against}");
    }
    Ok(())
}

fn print_decision(g: &Global, d: &DecisionResponse) -> anyhow::Result<()> {
    if g.json {
        println!("{}", serde_json::to_string_pretty(d)?);
    } else {
        print!("{}", d.report());
    }
    Ok(())
}

/// A `scenario` command on the local data dir.
pub(crate) fn run(g: &Global, command: &ScenarioCommand) -> anyhow::Result<()> {
    let by: Actor = g.actor()?;
    let v = block_on(async {
        let reg = open(g).await?;
        anyhow::Ok(match command {
            ScenarioCommand::Define {
                name,
                model,
                min_score,
                above_score,
                grades,
                title,
            } => {
                let model: ModelName = model.parse()?;
                let rule = Rule::new(*min_score, *above_score, grades.clone())?;
                serde_json::to_value(
                    reg.define_scenario(&by, name, title.as_deref(), &model, rule)
                        .await?,
                )?
            }
            ScenarioCommand::List => serde_json::to_value(reg.scenarios().await?)?,
            ScenarioCommand::Approve { name, sha256 } => {
                serde_json::to_value(reg.approve_scenario(&by, name, sha256).await?)?
            }
            ScenarioCommand::Show { name } => match with_pending(
                name,
                reg.scenario(name).await?,
                reg.scenario_pending(name).await?,
            )? {
                Some(s) => s,
                None => {
                    return Err(scorehost_registry::Error::NotFound(format!(
                        "no benefit scenario is named '{name}'"
                    ))
                    .into());
                }
            },
            ScenarioCommand::Retire { name } => {
                serde_json::to_value(reg.retire_scenario(&by, name).await?)?
            }
        })
    })?;
    super::proposals::print(g, &v, print_scenarios)
}

/// A `scenario` command through the service.
pub(crate) fn run_remote(g: &Global, r: &Remote, command: &ScenarioCommand) -> anyhow::Result<()> {
    let v = match command {
        ScenarioCommand::Define {
            name,
            model,
            min_score,
            above_score,
            grades,
            title,
        } => {
            let mut body = json!({ "model": model });
            if let Some(m) = min_score {
                body["min_score"] = json!(m);
            }
            if let Some(a) = above_score {
                body["above_score"] = json!(a);
            }
            if let Some(gr) = grades {
                body["grades"] = json!(gr);
            }
            if let Some(t) = title {
                body["title"] = json!(t);
            }
            remote::call(r, "PUT", &format!("/v1/scenarios/{name}"), Some(&body))?
        }
        ScenarioCommand::List => remote::call(r, "GET", "/v1/scenarios", None)?,
        ScenarioCommand::Show { name } => {
            remote::call(r, "GET", &format!("/v1/scenarios/{name}"), None)?
        }
        ScenarioCommand::Retire { name } => {
            remote::call(r, "DELETE", &format!("/v1/scenarios/{name}"), None)?
        }
        ScenarioCommand::Approve { name, sha256 } => remote::call(
            r,
            "POST",
            &format!("/v1/scenarios/{name}/approve"),
            Some(&json!({ "sha256": sha256 })),
        )?,
    };
    super::proposals::print(g, &v, print_scenarios)
}

/// `decide` on the local data dir: acting as the app `--as app:NAME` (the
/// operator of the data dir holds every grant; the app's consent from a
/// natural person is still required), recorded in the local log.
pub(crate) fn decide(g: &Global, args: &DecideArgs) -> anyhow::Result<()> {
    let actor: Actor = g.actor()?;
    let Role::App(app) = &actor.role else {
        return Err(scorehost_registry::Error::Forbidden(format!(
            "a decision is asked for by an app: pass --as app:NAME ({actor} is not an app)"
        ))
        .into());
    };
    let runtime = Runtime::new(Limits::default())?;
    let answer = block_on(async {
        let catalog = Catalog::open(runtime, &g.data_dir, g.db.as_deref()).await?;
        let registry = catalog.registry();
        let scenario = decide::live(&args.scenario, registry.scenario(&args.scenario).await?)
            .map_err(|e| scorehost_registry::Error::NotFound(e.message().to_string()))?;
        if let Some(name) = scorehost_registry::decided_by_composite(&scenario.model) {
            return decide_by_composite(g, &catalog, &scenario, name, app, args).await;
        }
        let model_name: ModelName = scenario.model.parse().map_err(Error::from)?;
        let loaded = catalog.load(&model_name, None).await?;
        decide::check_fits(&scenario, loaded.model.info())?;
        // Consent first, decided where every path decides it
        // (scorehost_engine::consent), before anything of the subject is read.
        scorehost_engine::consent::admit_stored(registry, app, &model_name, &args.subject).await?;
        let as_of = args.as_of.clone().unwrap_or_else(store::today);
        let request = store::request(registry, loaded.model.info(), &args.subject, &as_of)
            .await?
            .ok_or_else(|| {
                scorehost_registry::Error::NotFound(format!(
                    "no base evaluation of subject {} is stored: import it first",
                    args.subject
                ))
            })?;
        let key = audit::load_or_create_key(&g.data_dir)?;
        let recorder = Recorder::Direct {
            registry,
            key: &key,
        };
        let evaluation = score_recorded_amended(
            &loaded.model,
            &request,
            &g.caller()?,
            &recorder,
            decide::record_decision(&scenario, &[]),
        )
        .await
        .map_err(|f| match f.evaluation_id {
            Some(id) => anyhow::Error::from(f.error).context(format!("evaluation {id} (recorded)")),
            None => anyhow::Error::from(f.error),
        })?;
        anyhow::Ok(DecisionResponse::new(&scenario, evaluation, &[])?)
    })?;
    print_decision(g, &answer)
}

/// `decide` through the service (`POST /v1/decisions`), with the app's token.
pub(crate) fn decide_remote(g: &Global, r: &Remote, args: &DecideArgs) -> anyhow::Result<()> {
    let mut body = json!({ "scenario": args.scenario, "subject": { "id": args.subject } });
    if let Some(d) = &args.as_of {
        body["as_of"] = json!(d);
    }
    let v = remote::call(r, "POST", "/v1/decisions", Some(&body))?;
    let d: DecisionResponse = serde_json::from_value(v)?;
    print_decision(g, &d)
}

/// `decide` on a scenario decided by a composite, locally: the composite
/// runs as `composite score` runs it (consent for every model first), and
/// the rule is applied to its result step's evaluation, whose record
/// carries the decision.
async fn decide_by_composite(
    g: &Global,
    catalog: &Catalog,
    scenario: &scorehost_registry::Scenario,
    name: &str,
    app: &str,
    args: &DecideArgs,
) -> anyhow::Result<DecisionResponse> {
    let registry = catalog.registry();
    let plan = super::composite::load_plan(catalog, name).await?;
    let Some(result) = plan.composite.definition.result.clone() else {
        return Err(scorehost_registry::Error::Conflict(format!(
            "composite {} has no result step: it decides nothing",
            plan.composite.reference()
        ))
        .into());
    };
    if let Some(step) = plan.steps.iter().find(|s| s.step.id == result) {
        decide::check_fits(scenario, step.model.info())?;
    }
    for m in plan.composite.models() {
        scorehost_engine::consent::admit_stored(registry, app, &m.parse()?, &args.subject).await?;
    }
    let as_of = args.as_of.clone().unwrap_or_else(store::today);
    let key = audit::load_or_create_key(&g.data_dir)?;
    let recorder = Recorder::Direct {
        registry,
        key: &key,
    };
    let amend = decide::record_decision(scenario, &[]);
    let answer = scorehost_engine::composite::run_amended(
        registry,
        &plan,
        &args.subject,
        &as_of,
        &g.caller()?,
        &recorder,
        Some(Box::new(amend)),
    )
    .await
    .map_err(|f| {
        let message = f.to_string();
        anyhow::Error::from(f.error).context(message)
    })?;
    let evaluation = answer
        .steps
        .iter()
        .find(|s| s.step == result)
        .and_then(|s| s.evaluation.clone())
        .ok_or_else(|| {
            scorehost_registry::Error::Conflict(format!(
                "the result step '{result}' did not run for {}",
                args.subject
            ))
        })?;
    let mut d = DecisionResponse::new(scenario, evaluation, &[])?;
    d.reasons.push(format!(
        "decided on the result of composite {} (its record: {})",
        plan.composite.reference(),
        answer.composite_id
    ));
    Ok(d)
}
