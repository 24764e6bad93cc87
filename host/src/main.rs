//! `scorehost`: the command-line front of the scorehost runtime.
//!
//! A thin layer over the library: parse arguments, call it, print. Errors
//! are one clear sentence on stderr and a non-zero exit code that says whose
//! fault it was (see [`exit_code`]).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use scorehost::Error;

mod cli;

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
    /// Work with plugins.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
}

#[derive(Subcommand)]
enum PluginCommand {
    /// Build a plugin crate the fast way: a core module for wasm32-unknown-unknown,
    /// componentised with no WASI imports (faster to instantiate; panics lose their message).
    #[command(
        after_help = "Example:\n  scorehost plugin build -p ningbo-port --profile plugin --out ningbo_port.fast.wasm"
    )]
    Build {
        /// The package to build (as for `cargo build -p`).
        #[arg(short, long)]
        package: Option<String>,
        /// The crate's Cargo.toml (default: the one cargo finds from here).
        #[arg(long)]
        manifest_path: Option<PathBuf>,
        /// The cargo profile to build with.
        #[arg(long, default_value = "release")]
        profile: String,
        /// Where to write the component (default: beside the core module,
        /// as NAME.component.wasm). Only with a single package.
        #[arg(long)]
        out: Option<PathBuf>,
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
        Command::Inspect { module, json } => cli::run::inspect(&module, json),
        Command::Score {
            module,
            input,
            json,
            fuel,
        } => cli::run::score(&module, &input, json, fuel),
        Command::Plugin {
            command:
                PluginCommand::Build {
                    package,
                    manifest_path,
                    profile,
                    out,
                },
        } => cli::build::build(
            package.as_deref(),
            manifest_path.as_deref(),
            &profile,
            out.as_deref(),
        ),
    }
}
