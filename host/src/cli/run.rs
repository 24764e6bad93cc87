//! `inspect` and `score`: look at a module, score one subject with it.

use std::io::Read as _;
use std::path::{Path, PathBuf};

use scorehost_engine::Error;
use scorehost_engine::audit;
use scorehost_engine::catalog::Catalog;
use scorehost_engine::scoring::{Recorder, score_recorded};
use scorehost_registry::ModelName;
use scorehost_runtime::report;
use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_runtime::wire::{ScoreRequest, WireModelInfo};

use crate::Global;

pub(crate) fn read_module(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read module {}: {e}", path.display()))
}

pub(crate) fn inspect(path: &Path, json: bool) -> anyhow::Result<()> {
    let bytes = read_module(path)?;
    let runtime = Runtime::new(Limits::default())?;
    let model = runtime.load(&bytes)?;
    if json {
        let out = serde_json::json!({
            "sha256": model.sha256(),
            "imports": model.imports(),
            "model": WireModelInfo::of(&model),
        });
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!("sha256: {}", model.sha256());
        println!("size: {} bytes", bytes.len());
        if model.imports().is_empty() {
            println!("imports: none");
        } else {
            println!("imports (all allowed, linked without capabilities):");
            for i in model.imports() {
                println!("  {i}");
            }
        }
        println!();
        print!("{}", report::model_info(model.info()));
        print!("{}", report::consequences(model.consequences()));
    }
    Ok(())
}

/// What to score with and what to score.
#[derive(clap::Args)]
pub(crate) struct ScoreArgs {
    /// A registered model (NAMESPACE/NAME): its pinned version scores.
    /// Default: the request's own `model` field.
    #[arg(long, conflicts_with = "module")]
    model: Option<String>,
    /// With --model: an approved version to use instead of the pinned one.
    #[arg(long, requires = "model")]
    version: Option<String>,
    /// A local component file instead of a registered model (for plugin authors).
    #[arg(long)]
    module: Option<PathBuf>,
    /// The request (JSON wire format); `-` reads standard input.
    #[arg(long)]
    input: PathBuf,
    /// Tighten the fuel budget for this evaluation.
    #[arg(long)]
    fuel: Option<u64>,
}

fn read_input(input: &Path) -> anyhow::Result<String> {
    if input == Path::new("-") {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        Ok(s)
    } else {
        std::fs::read_to_string(input)
            .map_err(|e| anyhow::anyhow!("cannot read request {}: {e}", input.display()))
    }
}

/// `score` through a running service (`--server`): registered models only.
pub(crate) fn score_remote(
    g: &Global,
    args: &ScoreArgs,
    r: &super::remote::Remote,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.module.is_none() && args.version.is_none() && args.fuel.is_none(),
        "through --server only a registered model's pinned version scores (drop --module, --version and --fuel)"
    );
    super::remote::score(g, r, args.model.as_deref(), &read_input(&args.input)?)
}

pub(crate) fn score(g: &Global, args: &ScoreArgs) -> anyhow::Result<()> {
    let text = read_input(&args.input)?;
    let request: ScoreRequest = serde_json::from_str(&text).map_err(|e| {
        Error::BadRequest(format!(
            "the request is not valid JSON for a score request: {e}"
        ))
    })?;
    let runtime = Runtime::new(Limits::default())?;
    let tighten = |model: &mut scorehost_runtime::Model| {
        if let Some(fuel) = args.fuel {
            model.tighten(&Limits {
                fuel,
                ..*runtime.limits()
            });
        }
    };
    let response = match (&args.module, args.model.as_ref().or(request.model.as_ref())) {
        // A local module: for plugin authors; not a registered model, not recorded.
        (Some(module), _) => {
            let mut model = runtime.load(&read_module(module)?)?;
            tighten(&mut model);
            let (req, outcome) = model.evaluate_wire(&request)?;
            model.response(&req, &outcome)
        }
        (None, Some(name)) => {
            let name: ModelName = name.parse().map_err(Error::from)?;
            super::block_on(async {
                let catalog = Catalog::open(runtime.clone(), &g.data_dir, g.db.as_deref()).await?;
                let mut loaded = catalog.load(&name, args.version.as_deref()).await?;
                tracing::info!(reference = %loaded.record.reference, cache = ?loaded.cache, "loaded");
                tighten(&mut loaded.model);
                let key = audit::load_or_create_key(&g.data_dir)?;
                let recorder = Recorder::Direct {
                    registry: catalog.registry(),
                    key: &key,
                };
                score_recorded(&loaded.model, &request, &g.caller()?, &recorder)
                    .await
                    .map_err(|f| match f.evaluation_id {
                        Some(id) => anyhow::Error::from(f.error)
                            .context(format!("evaluation {id} (recorded)")),
                        None => anyhow::Error::from(f.error),
                    })
            })?
        }
        (None, None) => anyhow::bail!(
            "say what to score with: --model NAMESPACE/NAME (a registered model), --module FILE, or a \"model\" field in the request"
        ),
    };
    if g.json {
        println!("{}", serde_json::to_string_pretty(&response)?);
    } else {
        print!("{}", report::white_box(&response));
    }
    Ok(())
}
