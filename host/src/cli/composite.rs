//! `composite define | list | show | retire | score` and `report`:
//! composite scores and credit reports, on the local data dir or
//! (`--server`) through the HTTP API.

use std::path::PathBuf;
use std::sync::Arc;

use scorehost_engine::audit;
use scorehost_engine::catalog::Catalog;
use scorehost_engine::composite::{self, CompositeResponse, Plan};
use scorehost_engine::scoring::Recorder;
use scorehost_engine::{Error, completion as store};
use scorehost_registry::{Actor, Definition, ModelName, Role};
use scorehost_runtime::sandbox::{Limits, Runtime};
use serde_json::{Value, json};

use super::block_on;
use super::remote::{self, Remote};
use crate::Global;
use scorehost_registry::governance::proposals::with_pending;

#[derive(clap::Subcommand)]
pub(crate) enum CompositeCommand {
    /// Define a composite, or its next version (province only): a graph of
    /// pinned models from a JSON file, checked against their declarations.
    #[command(
        after_help = "Example:\n  scorehost composite define hangzhou-credit-code --file examples/composites/hangzhou-credit-code.json\n\nThe file: {\"title\": …, \"steps\": [{\"id\", \"model\", \"when\": {\"id_prefix\": […]} or {\"stored\": true}, \"inputs\": {INPUT: {\"from\": STEP, \"output\": \"score\"|\"grade\"|\"model\"|\"contribution:NAME\"}}}], \"result\": STEP}"
    )]
    Define {
        /// The composite's name (lowercase letters, digits and '-').
        name: String,
        /// The definition, JSON: `steps`, `result`, optionally `title`.
        #[arg(long)]
        file: PathBuf,
        /// What it is, for people (default: the file's `title`, or the name).
        #[arg(long)]
        title: Option<String>,
    },
    /// List every composite (latest versions), retired ones too.
    #[command(after_help = "Example:\n  scorehost composite list --json")]
    List,
    /// Show one composite.
    #[command(after_help = "Example:\n  scorehost composite show hangzhou-credit-code --json")]
    Show {
        /// The composite's name.
        name: String,
    },
    /// Approve the definition of a composite waiting for approval, naming the
    /// SHA-256 of the text you read (`composite show`): a named province person
    /// other than its author. The approval that reaches the quorum brings it
    /// into force.
    #[command(
        after_help = "Example:\n  scorehost composite show hangzhou-credit-code          # read what waits, and its sha256\n  scorehost composite approve hangzhou-credit-code --sha256 <SHA256> --as 'province:Li Na'"
    )]
    Approve {
        /// The composite's name.
        name: String,
        /// The SHA-256 of the definition reviewed (its proposal's `sha256`).
        #[arg(long)]
        sha256: String,
    },
    /// Retire a composite: it evaluates nothing from now on (province only).
    #[command(after_help = "Example:\n  scorehost composite retire hangzhou-credit-code")]
    Retire {
        /// The composite's name.
        name: String,
    },
    /// Evaluate a composite for a stored subject: each step in its own
    /// sandbox, each recorded, and the composite's record linking them.
    #[command(
        after_help = "Examples:\n  scorehost composite score hangzhou-credit-code --subject 330106199001011234\n  scorehost composite score hangzhou-credit-code --subject 330106199001011234 --server http://127.0.0.1:8080 --json   # an app's token in SCOREHOST_TOKEN"
    )]
    Score {
        /// The composite's name.
        name: String,
        /// The subject's id; its data come from the 1+N store.
        #[arg(long)]
        subject: String,
        /// The evaluation date, YYYY-MM-DD (default: today; an app: today only).
        #[arg(long)]
        as_of: Option<String>,
    },
}

/// `report`'s arguments.
#[derive(clap::Args)]
pub(crate) struct ReportArgs {
    /// The subject's id.
    #[arg(long)]
    subject: String,
    /// The evaluation date, YYYY-MM-DD (default: today; an app: today only).
    #[arg(long)]
    as_of: Option<String>,
}

/// The body of a definition file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DefinitionFile {
    #[serde(default)]
    title: Option<String>,
    steps: Vec<scorehost_registry::composites::Step>,
    #[serde(default)]
    result: Option<String>,
}

fn read_definition(file: &PathBuf) -> anyhow::Result<DefinitionFile> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", file.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        Error::BadRequest(format!(
            "{} is not a composite definition: {e}",
            file.display()
        ))
        .into()
    })
}

/// A composite (as JSON) on one line.
fn line(c: &Value) -> String {
    let steps: Vec<String> = c["definition"]["steps"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|s| {
                    format!(
                        "{}={}",
                        s["id"].as_str().unwrap_or("?"),
                        s["model"].as_str().unwrap_or("?")
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let status = match c["retired_at"].as_str() {
        Some(at) => format!("retired {at}"),
        None => "live".into(),
    };
    format!(
        "{:<28} v{:<4} {:<28} {}  [{}]",
        c["name"].as_str().unwrap_or_default(),
        c["version"],
        status,
        c["title"].as_str().unwrap_or_default(),
        steps.join(" → ")
    )
}

fn print_composites(g: &Global, v: &Value) -> anyhow::Result<()> {
    if g.json {
        println!("{}", serde_json::to_string_pretty(v)?);
        return Ok(());
    }
    let one = [v.clone()];
    for c in v.as_array().map_or(&one[..], |a| &a[..]) {
        println!("{}", line(c));
    }
    if let Some(against) = v["checked_against"].as_array() {
        let list: Vec<&str> = against.iter().filter_map(Value::as_str).collect();
        println!("checked against {}", list.join(", "));
    }
    Ok(())
}

/// A composite's answer for people: the result, then each step.
pub(crate) fn text(a: &CompositeResponse) -> String {
    let mut out = format!(
        "{} v{} for {} ({}) as of {} — record {}\n",
        a.composite, a.version, a.subject.id, a.subject.kind, a.as_of, a.composite_id
    );
    if let Some(r) = &a.result {
        out += &format!("result: {:.2} {} (step {})\n", r.score, r.grade, r.step);
    }
    for s in &a.steps {
        out += &format!("  {:<24} {:<34} {}\n", s.step, s.model, s.why);
        for f in &s.fed {
            out += &format!(
                "      {} ← {}.{} = {}\n",
                f.input,
                f.from,
                f.output,
                if f.value.is_null() {
                    "(from the store: the step did not run)".to_string()
                } else {
                    f.value.to_string()
                }
            );
        }
        if let Some(e) = &s.evaluation {
            out += &format!(
                "      {:.2} {} — {}  (record {})\n",
                e.score,
                e.grade,
                e.reasons.first().map(String::as_str).unwrap_or(""),
                s.evaluation_id.as_deref().unwrap_or("")
            );
        }
        if let Some(e) = &s.error {
            out += &format!("      failed: {} ({})\n", e.message, e.code);
        }
    }
    for l in &a.left_out {
        out += &format!("  {:<24} {:<34} {}\n", "-", l.model, l.why);
    }
    out
}

fn print_answer(g: &Global, a: &CompositeResponse) -> anyhow::Result<()> {
    if g.json {
        println!("{}", serde_json::to_string_pretty(a)?);
    } else {
        print!("{}", text(a));
    }
    Ok(())
}

/// A `composite` command on the local data dir.
pub(crate) fn run(g: &Global, command: &CompositeCommand) -> anyhow::Result<()> {
    if let CompositeCommand::Score {
        name,
        subject,
        as_of,
    } = command
    {
        return score(g, Some(name), subject, as_of.as_deref());
    }
    let by: Actor = g.actor()?;
    let v = block_on(async {
        let reg = scorehost_registry::Registry::open(&g.data_dir, g.db.as_deref()).await?;
        anyhow::Ok(match command {
            CompositeCommand::Define { name, file, title } => {
                let d = read_definition(file)?;
                let title = title.clone().or(d.title);
                let definition = Definition {
                    steps: d.steps,
                    result: d.result,
                };
                serde_json::to_value(
                    reg.define_composite(&by, name, title.as_deref(), definition)
                        .await?,
                )?
            }
            CompositeCommand::List => serde_json::to_value(reg.composites().await?)?,
            CompositeCommand::Approve { name, sha256 } => {
                serde_json::to_value(reg.approve_composite(&by, name, sha256).await?)?
            }
            CompositeCommand::Show { name } => match with_pending(
                name,
                reg.composite(name).await?,
                reg.composite_pending(name).await?,
            )? {
                Some(c) => c,
                None => {
                    return Err(scorehost_registry::Error::NotFound(format!(
                        "no composite is named '{name}'"
                    ))
                    .into());
                }
            },
            CompositeCommand::Retire { name } => {
                serde_json::to_value(reg.retire_composite(&by, name).await?)?
            }
            CompositeCommand::Score { .. } => unreachable!("handled above"),
        })
    })?;
    super::proposals::print(g, &v, print_composites)
}

/// A `composite` command through the service.
pub(crate) fn run_remote(g: &Global, r: &Remote, command: &CompositeCommand) -> anyhow::Result<()> {
    let v = match command {
        CompositeCommand::Define { name, file, title } => {
            let d = read_definition(file)?;
            let mut body = json!({ "steps": d.steps });
            if let Some(res) = d.result {
                body["result"] = json!(res);
            }
            if let Some(t) = title.clone().or(d.title) {
                body["title"] = json!(t);
            }
            remote::call(r, "PUT", &format!("/v1/composites/{name}"), Some(&body))?
        }
        CompositeCommand::List => remote::call(r, "GET", "/v1/composites", None)?,
        CompositeCommand::Show { name } => {
            remote::call(r, "GET", &format!("/v1/composites/{name}"), None)?
        }
        CompositeCommand::Retire { name } => {
            remote::call(r, "DELETE", &format!("/v1/composites/{name}"), None)?
        }
        CompositeCommand::Approve { name, sha256 } => remote::call(
            r,
            "POST",
            &format!("/v1/composites/{name}/approve"),
            Some(&json!({ "sha256": sha256 })),
        )?,
        CompositeCommand::Score {
            name,
            subject,
            as_of,
        } => {
            let mut body = json!({ "subject": { "id": subject } });
            if let Some(d) = as_of {
                body["as_of"] = json!(d);
            }
            let v = remote::call(
                r,
                "POST",
                &format!("/v1/composites/{name}/scores"),
                Some(&body),
            )?;
            return print_answer(g, &serde_json::from_value(v)?);
        }
    };
    super::proposals::print(g, &v, print_composites)
}

/// `report` on the local data dir.
pub(crate) fn report(g: &Global, args: &ReportArgs) -> anyhow::Result<()> {
    score(g, None, &args.subject, args.as_of.as_deref())
}

/// `report` through the service (`POST /v1/reports`).
pub(crate) fn report_remote(g: &Global, r: &Remote, args: &ReportArgs) -> anyhow::Result<()> {
    let mut body = json!({ "subject": { "id": args.subject } });
    if let Some(d) = &args.as_of {
        body["as_of"] = json!(d);
    }
    let v = remote::call(r, "POST", "/v1/reports", Some(&body))?;
    print_answer(g, &serde_json::from_value(v)?)
}

/// Composite `name` in force, with its pinned models loaded from
/// `catalog`.
pub(crate) async fn load_plan(catalog: &Catalog, name: &str) -> anyhow::Result<Plan> {
    let registry = catalog.registry();
    let c = composite::live(name, registry.composite(name).await?)?;
    let mut models = Vec::new();
    for step in &c.definition.steps {
        let m: ModelName = step.model.parse()?;
        models.push(Arc::new(catalog.load(&m, None).await?.model));
    }
    Ok(Plan::new(c, models))
}

/// Evaluate composite `name` (`None`: the credit report) locally, acting
/// as `--as` (an app needs its consents; the province none), recorded in
/// the local log.
fn score(g: &Global, name: Option<&str>, subject: &str, as_of: Option<&str>) -> anyhow::Result<()> {
    let actor: Actor = g.actor()?;
    let app = match &actor.role {
        Role::App(app) => Some(app.clone()),
        Role::Province => None,
        _ => {
            return Err(scorehost_registry::Error::Forbidden(format!(
                "{actor} may not evaluate composites: act as the province or an app (--as app:NAME)"
            ))
            .into());
        }
    };
    let runtime = Runtime::new(Limits::default())?;
    let answer = block_on(async {
        let catalog = Catalog::open(runtime, &g.data_dir, g.db.as_deref()).await?;
        let registry = catalog.registry();
        let plan: Plan = match name {
            Some(name) => {
                let plan = load_plan(&catalog, name).await?;
                if let Some(app) = &app {
                    for m in plan.composite.models() {
                        scorehost_engine::consent::admit_stored(
                            registry,
                            app,
                            &m.parse()?,
                            subject,
                        )
                        .await?;
                    }
                }
                plan
            }
            None => {
                let mut models = Vec::new();
                for pin in registry.pins().await? {
                    let m: ModelName = pin.model.parse()?;
                    models.push(Arc::new(catalog.load(&m, None).await?.model));
                }
                composite::report::plan(registry, app.as_deref(), subject, models).await?
            }
        };
        let as_of = as_of.map_or_else(store::today, str::to_string);
        let key = audit::load_or_create_key(&g.data_dir)?;
        let recorder = Recorder::Direct {
            registry,
            key: &key,
        };
        composite::run(registry, &plan, subject, &as_of, &g.caller()?, &recorder)
            .await
            .map_err(|f| {
                let message = f.to_string();
                match f.composite_id {
                    Some(id) => anyhow::Error::from(f.error)
                        .context(format!("{message} (composite record {id})")),
                    None => anyhow::Error::from(f.error),
                }
            })
    })?;
    print_answer(g, &answer)
}
