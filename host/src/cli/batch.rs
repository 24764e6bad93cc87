//! `batch`: score a file of subjects with a registered model on all cores,
//! with a progress bar, a summary at the end, and exact resumption.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::Context as _;
use scorehost_engine::Error;
use scorehost_engine::audit::{self, AuditWriter};
use scorehost_engine::batch::{self, Format, Job, Log, Progress};
use scorehost_engine::catalog::Catalog;
use scorehost_registry::{BatchRun, ModelName};
use scorehost_runtime::sandbox::{Limits, Runtime};

use crate::Global;

/// What to score, with what, and where the results go.
#[derive(clap::Args)]
pub(crate) struct BatchArgs {
    /// The registered model (NAMESPACE/NAME); its pinned version scores, and
    /// a resumed run uses the very same bytes.
    #[arg(long)]
    model: String,
    /// The subjects: NDJSON (one score request per line, `model` optional)
    /// or CSV (a header row, one subject per row; see the README).
    #[arg(
        long,
        required_unless_present = "from_store",
        conflicts_with = "from_store"
    )]
    input: Option<PathBuf>,
    /// Score every stored subject of the kinds the model scores, from the
    /// 1+N data store: their requests are written first to
    /// OUTPUT.subjects.ndjson (which a resumed run reuses), then scored.
    #[arg(long)]
    from_store: bool,
    /// With --from-store: the evaluation date (default: today).
    #[arg(long, requires = "from_store")]
    as_of: Option<String>,
    /// Where the results go, one NDJSON line per subject in input order.
    #[arg(long)]
    output: PathBuf,
    /// The input's format (default: CSV for a .csv file, otherwise NDJSON).
    #[arg(long, value_enum)]
    format: Option<FormatArg>,
    /// Start a new run even if this command ran before (the output file is
    /// replaced); without it, the same command resumes or re-reads a run.
    #[arg(long)]
    fresh: bool,
    /// Worker threads (default: every core).
    #[arg(long)]
    threads: Option<usize>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum FormatArg {
    Ndjson,
    Csv,
}

/// A canonical path for a file that may not exist yet.
fn canonical(path: &Path) -> anyhow::Result<PathBuf> {
    if let Ok(p) = path.canonicalize() {
        return Ok(p);
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let parent = parent
        .canonicalize()
        .with_context(|| format!("the folder of {} does not exist", path.display()))?;
    Ok(parent.join(path.file_name().unwrap_or_default()))
}

pub(crate) fn batch(g: &Global, args: &BatchArgs) -> anyhow::Result<()> {
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads.max(1))
        .enable_all()
        .build()?;
    rt.block_on(run(g, args))
}

async fn run(g: &Global, args: &BatchArgs) -> anyhow::Result<()> {
    let name: ModelName = args.model.parse().map_err(Error::from)?;
    // Resolving a link would write its target (a dangling one, too).
    super::output::refuse_symlink(&args.output)?;
    let output = canonical(&args.output)?;
    let runtime = Runtime::new(Limits::default())?;
    let catalog = Catalog::open(runtime, &g.data_dir, g.db.as_deref()).await?;
    let registry = catalog.shared_registry();
    let input = match &args.input {
        Some(input) => input.canonicalize().map_err(|e| {
            Error::BadRequest(format!("cannot read the input {}: {e}", input.display()))
        })?,
        None => from_store(&catalog, &name, args, &output).await?,
    };
    anyhow::ensure!(input != output, "the output would overwrite the input");
    let format = match args.format {
        Some(FormatArg::Csv) => Format::Csv,
        Some(FormatArg::Ndjson) => Format::Ndjson,
        None => Format::of_path(&input),
    };
    let salt = if args.fresh {
        scorehost_registry::now()
    } else {
        String::new()
    };
    let id = batch_id(&name, &input, &output, &salt)?;
    let (model, run) = match registry.batch(&id).await? {
        Some(run) => {
            // The same run again: the very bytes it started with.
            let model = catalog.load_sha(&run.sha256)?;
            match &run.finished_at {
                Some(at) => eprintln!(
                    "batch {id} finished at {at}: re-reading it (anything missing from the output comes from the log)"
                ),
                None => eprintln!(
                    "resuming batch {id} ({}@{}, started {})",
                    run.model, run.version, run.created_at
                ),
            }
            (model, run)
        }
        None => {
            if args.fresh {
                let _ = std::fs::remove_file(&output);
            } else if std::fs::metadata(&output)
                .map(|m| m.len() > 0)
                .unwrap_or(false)
            {
                anyhow::bail!(
                    "{} exists and is not the output of this batch; remove it, choose another --output, or pass --fresh",
                    output.display()
                );
            }
            let loaded = catalog.load(&name, None).await?;
            let run = BatchRun {
                id: id.clone(),
                model: name.to_string(),
                version: loaded.record.version.clone(),
                sha256: loaded.model.sha256().to_string(),
                caller: g.caller()?,
                source: input.to_string_lossy().into_owned(),
                output: output.to_string_lossy().into_owned(),
                created_at: scorehost_registry::now(),
                total: None,
                finished_at: None,
                input_sha256: None,
                summary: None,
            };
            registry.create_batch(&run).await?;
            (loaded.model, run)
        }
    };

    let key = audit::load_or_create_key(&g.data_dir)?;
    let writer = AuditWriter::start(registry.clone(), key).await?;
    let progress = Arc::new(Progress::default());
    let bar = show_progress(progress.clone(), g.json);
    let job = Job {
        id: id.clone(),
        scorer: Arc::new(model),
        caller: g.caller()?,
        log: Some(Log {
            writer,
            registry: registry.clone(),
        }),
        consent_app: None,
        input,
        format,
        output: output.clone(),
    };
    let result = batch::run(job, progress.clone()).await;
    progress.cancel.store(true, Ordering::Relaxed);
    if let Some(bar) = bar {
        let _ = bar.join();
    }
    let finished = result?;
    let summary_json = serde_json::to_value(&finished.summary)?;
    if run.finished_at.is_none() {
        registry
            .finish_batch(&id, &finished.input_sha256, &summary_json)
            .await?;
    }
    if g.json {
        println!("{}", serde_json::to_string_pretty(&summary_json)?);
    } else {
        print!("{}", finished.summary.render());
        println!("\nresults: {}", output.display());
        println!("every evaluation is in the audit log: scorehost audit show <evaluation_id>");
    }
    Ok(())
}

/// The run's id for these arguments (see [`batch::batch_id`]): the input
/// is identified by its path, size and modification time.
fn batch_id(name: &ModelName, input: &Path, output: &Path, salt: &str) -> anyhow::Result<String> {
    let meta = std::fs::metadata(input)?;
    let stamp = format!(
        "{}:{:?}",
        meta.len(),
        meta.modified()
            .ok()
            .and_then(|m| m.duration_since(std::time::UNIX_EPOCH).ok())
    );
    Ok(batch::batch_id(
        &name.to_string(),
        &input.to_string_lossy(),
        &stamp,
        &output.to_string_lossy(),
        salt,
    ))
}

/// `--from-store`: the requests of every stored subject the model scores,
/// written to OUTPUT.subjects.ndjson — unless a run over that very file
/// exists already (it is resumed, or re-read, with the same subjects).
async fn from_store(
    catalog: &Catalog,
    name: &ModelName,
    args: &BatchArgs,
    output: &Path,
) -> anyhow::Result<PathBuf> {
    let mut snapshot = output.as_os_str().to_owned();
    snapshot.push(".subjects.ndjson");
    let snapshot = PathBuf::from(snapshot);
    if !args.fresh
        && snapshot.exists()
        && catalog
            .registry()
            .batch(&batch_id(name, &snapshot, output, "")?)
            .await?
            .is_some()
    {
        return Ok(snapshot);
    }
    let loaded = catalog.load(name, None).await?;
    let as_of = args
        .as_of
        .clone()
        .unwrap_or_else(scorehost_engine::completion::today);
    let mut out = std::io::BufWriter::new(std::fs::File::create(&snapshot)?);
    let n = scorehost_engine::completion::export_requests(
        catalog.registry(),
        loaded.model.info(),
        &as_of,
        |_, _| true,
        &mut out,
    )
    .await?;
    std::io::Write::flush(&mut out)?;
    anyhow::ensure!(
        n > 0,
        "no subject of a kind {name} scores has a stored base evaluation: import the data first (scorehost data import)"
    );
    eprintln!("{n} stored subjects → {}", snapshot.display());
    Ok(snapshot)
}

/// A progress bar on stderr (when it is a terminal and not --json), fed
/// from the run's counters until the run sets `cancel`.
fn show_progress(progress: Arc<Progress>, json: bool) -> Option<std::thread::JoinHandle<()>> {
    use indicatif::{ProgressBar, ProgressStyle};
    if json || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return None;
    }
    // No length until the input has been counted: an empty bar, not a full one.
    let bar = ProgressBar::no_length();
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} subjects  {rate}  ETA {eta}  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .with_key(
            "rate",
            |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            },
        ),
    );
    std::thread::Builder::new()
        .name("scorehost-progress".into())
        .spawn(move || {
            loop {
                let total = progress.total.load(Ordering::Relaxed);
                if total > 0 {
                    bar.set_length(total);
                }
                bar.set_position(progress.done.load(Ordering::Relaxed));
                let failed = progress.failed.load(Ordering::Relaxed);
                if failed > 0 {
                    bar.set_message(format!("{failed} failed"));
                }
                if progress.cancel.load(Ordering::Relaxed) {
                    bar.finish_and_clear();
                    return;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        })
        .ok()
}
