//! `scorehost`: the command-line front of the scorehost runtime.
//!
//! A thin layer over the library: parse arguments, call it, print. Errors
//! are one clear sentence on stderr and a non-zero exit code that says whose
//! fault it was (see [`exit_code`]).

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use scorehost::sandbox::{Limits, Runtime};
use scorehost::wire::{ScoreRequest, WireModelInfo};
use scorehost::{Error, report};

#[derive(Parser)]
#[command(
    name = "scorehost",
    version,
    about = "Run public credit-scoring models in a deterministic WebAssembly sandbox"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Show a module's SHA-256, imports and describe(); refuses what the host would refuse.
    #[command(
        after_help = "Example:\n  scorehost inspect target/wasm32-wasip2/plugin/ningbo_port.wasm --json"
    )]
    Inspect {
        /// The component file (.wasm).
        module: PathBuf,
        /// Print `{ "sha256", "imports", "model" }` as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Score one subject with a module file, and print the white box.
    #[command(
        after_help = "Example:\n  scorehost score --module target/wasm32-wasip2/plugin/ningbo_port.wasm \\\n      --input examples/requests/ningbo-port.json"
    )]
    Score {
        /// The component file (.wasm) to score with.
        #[arg(long)]
        module: PathBuf,
        /// The request (JSON wire format); `-` reads standard input.
        #[arg(long)]
        input: PathBuf,
        /// Print the evaluation as JSON (the wire format) instead of a table.
        #[arg(long)]
        json: bool,
        /// Tighten the fuel budget for this evaluation.
        #[arg(long)]
        fuel: Option<u64>,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_env("SCOREHOST_LOG"))
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scorehost: {e}");
            ExitCode::from(exit_code(&e))
        }
    }
}

/// Exit codes: 1 usage or I/O, 3 bad request or rejected by the model,
/// 4 module refused, 5 plugin fault, 6 overloaded, 7 internal error.
fn exit_code(e: &anyhow::Error) -> u8 {
    match e.downcast_ref::<Error>() {
        Some(Error::BadRequest(_) | Error::Rejected(_)) => 3,
        Some(Error::ModuleRefused(_)) => 4,
        Some(Error::PluginFault { .. }) => 5,
        Some(Error::Overloaded(_)) => 6,
        Some(Error::Internal(_)) => 7,
        None => 1,
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Inspect { module, json } => inspect(&module, json),
        Command::Score {
            module,
            input,
            json,
            fuel,
        } => score(&module, &input, json, fuel),
    }
}

fn read_module(path: &Path) -> anyhow::Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| anyhow::anyhow!("cannot read module {}: {e}", path.display()))
}

fn inspect(path: &Path, json: bool) -> anyhow::Result<()> {
    let bytes = read_module(path)?;
    let runtime = Runtime::new(Limits::default())?;
    let model = runtime.load(&bytes)?;
    if json {
        let out = serde_json::json!({
            "sha256": model.sha256(),
            "imports": model.imports(),
            "model": WireModelInfo::from(model.info()),
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
    }
    Ok(())
}

fn score(module: &Path, input: &Path, json: bool, fuel: Option<u64>) -> anyhow::Result<()> {
    let text = if input == Path::new("-") {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        s
    } else {
        std::fs::read_to_string(input)
            .map_err(|e| anyhow::anyhow!("cannot read request {}: {e}", input.display()))?
    };
    let request: ScoreRequest = serde_json::from_str(&text).map_err(|e| {
        Error::BadRequest(format!(
            "the request is not valid JSON for a score request: {e}"
        ))
    })?;
    let runtime = Runtime::new(Limits::default())?;
    let mut model = runtime.load(&read_module(module)?)?;
    if let Some(fuel) = fuel {
        model.tighten(&Limits {
            fuel,
            ..*runtime.limits()
        });
    }
    let (req, outcome) = model.evaluate_wire(&request)?;
    let response = model.response(&req, &outcome);
    if json {
        println!("{}", serde_json::to_string_pretty(&response)?);
    } else {
        print!("{}", report::white_box(&response));
    }
    Ok(())
}
