//! `gen`: a synthetic population for any model, from its `describe()`
//! (the distributions are documented in `scorehost_engine::population`).

use std::io::Write as _;
use std::path::PathBuf;

use scorehost_engine::Error;
use scorehost_engine::catalog::Catalog;
use scorehost_engine::population::Population;
use scorehost_registry::ModelName;
use scorehost_runtime::contract::{ModelInfo, ValueKind};
use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_runtime::wire::ScoreRequest;

use crate::Global;

/// Which model, how many subjects, where to.
#[derive(clap::Args)]
pub(crate) struct GenArgs {
    /// A registered model (NAMESPACE/NAME): its pinned version's describe().
    #[arg(long, conflicts_with = "module", required_unless_present = "module")]
    model: Option<String>,
    /// A component file instead of a registered model.
    #[arg(long)]
    module: Option<PathBuf>,
    /// How many subjects.
    #[arg(long, default_value_t = 1000)]
    count: u64,
    /// Where to write them (default: standard output). Never through a
    /// symbolic link; an existing file only with --force.
    #[arg(long)]
    output: Option<PathBuf>,
    /// Overwrite the --output file if it exists.
    #[arg(long, requires = "output")]
    force: bool,
    /// NDJSON (score requests, what `batch` and `POST /v1/scores` take) or
    /// CSV (one column per indicator; not for models with repeated events).
    #[arg(long, value_enum, default_value = "ndjson")]
    format: GenFormat,
    /// The seed: the same seed gives the same population.
    #[arg(long, default_value_t = 2020)]
    seed: u64,
    /// The evaluation date of every request (default: today, UTC).
    #[arg(long)]
    as_of: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum GenFormat {
    Ndjson,
    Csv,
}

fn model_info(g: &Global, args: &GenArgs) -> anyhow::Result<ModelInfo> {
    let runtime = Runtime::new(Limits::default())?;
    if let Some(module) = &args.module {
        let bytes = super::run::read_module(module)?;
        return Ok(runtime.load(&bytes)?.info().clone());
    }
    let name: ModelName = args
        .model
        .as_deref()
        .unwrap_or_default()
        .parse()
        .map_err(Error::from)?;
    super::block_on(async {
        let catalog = Catalog::open(runtime, &g.data_dir, g.db.as_deref()).await?;
        Ok(catalog.load(&name, None).await?.model.info().clone())
    })
}

pub(crate) fn generate(g: &Global, args: &GenArgs) -> anyhow::Result<()> {
    let info = model_info(g, args)?;
    let as_of = match &args.as_of {
        Some(d) => time::Date::parse(d, time::macros::format_description!("[year]-[month]-[day]"))
            .map_err(|_| Error::BadRequest(format!("--as-of '{d}' is not a date (YYYY-MM-DD)")))?,
        None => time::OffsetDateTime::now_utc().date(),
    };
    let mut population = Population::new(&info, as_of, args.seed);
    let sink: Box<dyn std::io::Write> = match &args.output {
        Some(p) => Box::new(super::output::create(p, args.force)?),
        None => Box::new(std::io::stdout().lock()),
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 20, sink);
    match args.format {
        GenFormat::Ndjson => {
            for _ in 0..args.count {
                serde_json::to_writer(&mut out, &population.next_request())?;
                out.write_all(b"\n")?;
            }
        }
        GenFormat::Csv => write_csv(&info, &mut population, args.count, &mut out)?,
    }
    out.flush()?;
    if let Some(p) = &args.output {
        eprintln!(
            "{} subjects for {}@{} → {}",
            args.count,
            info.name,
            info.version,
            p.display()
        );
    }
    Ok(())
}

/// The CSV layout `batch` reads: fixed columns, then one per indicator
/// (with its `.observed_on` beside it when it has dates).
fn write_csv(
    info: &ModelInfo,
    population: &mut Population,
    count: u64,
    out: &mut impl std::io::Write,
) -> anyhow::Result<()> {
    let events: Vec<&str> = info
        .indicators
        .iter()
        .filter(|s| s.description.contains("one record per event"))
        .map(|s| s.name.as_str())
        .collect();
    anyhow::ensure!(
        events.is_empty(),
        "{} has indicators with one record per event ({}); CSV has one cell per indicator: use --format ndjson",
        info.name,
        events.join(", ")
    );
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec![
        "subject_id".to_string(),
        "subject_kind".into(),
        "as_of".into(),
        "base_score".into(),
        "base_grade".into(),
        "base_lists".into(),
    ];
    for s in &info.indicators {
        header.push(s.name.clone());
        if s.kind != ValueKind::Date {
            header.push(format!("{}.observed_on", s.name));
        }
    }
    w.write_record(&header)?;
    for _ in 0..count {
        let r: ScoreRequest = population.next_request();
        let mut row = vec![
            r.subject.id.clone(),
            r.subject.kind.clone(),
            r.as_of.clone(),
            r.base.score.to_string(),
            r.base.grade.clone(),
            r.base.lists.join(";"),
        ];
        for s in &info.indicators {
            let found = r.indicators.iter().find(|i| i.name == s.name);
            row.push(match found.map(|i| &i.value) {
                Some(serde_json::Value::String(v)) => v.clone(),
                Some(v) => v.to_string(),
                None => String::new(),
            });
            if s.kind != ValueKind::Date {
                row.push(
                    found
                        .and_then(|i| i.observed_on.clone())
                        .unwrap_or_default(),
                );
            }
        }
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}
