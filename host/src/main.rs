//! `scorehost`: the command-line front of the scorehost runtime.
//!
//! A thin layer over the libraries: parse arguments, call them, print.
//! Errors are one clear sentence on stderr and a non-zero exit code that
//! says what kind of failure it was (see [`exit_code`]).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use scorehost_engine::Error;

mod cli;

/// mimalloc, not the system allocator: a service hands each evaluation's
/// audit record from the evaluating thread to the log writer's thread, and
/// glibc's malloc spends a quarter of the CPU on such cross-thread frees
/// (measured with `--bench audit`: 0.35 → 0.43 audited/unaudited).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "scorehost",
    version,
    about = "Run public credit-scoring models in a deterministic WebAssembly sandbox"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// Flags every command takes.
#[derive(Args)]
pub(crate) struct Global {
    /// The data dir: registry database (SQLite by default), module store,
    /// artifact cache.
    #[arg(
        long,
        global = true,
        env = "SCOREHOST_DATA_DIR",
        default_value = "./scorehost-data"
    )]
    pub(crate) data_dir: PathBuf,
    /// The registry database: `sqlite://…` or `postgres://…`
    /// (default: SQLite at DATA_DIR/registry.db).
    #[arg(long, global = true, env = "SCOREHOST_DB")]
    pub(crate) db: Option<String>,
    /// Who is acting: `province:<person>` (the province acts only as a
    /// named person, whose approvals count toward a quorum),
    /// `publisher:<namespace>`, `app:<name>` or `auditor`. Set it once for
    /// a shell with SCOREHOST_AS.
    #[arg(long = "as", global = true, env = "SCOREHOST_AS")]
    pub(crate) as_actor: Option<String>,
    /// Print machine-readable JSON instead of tables.
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// Work through the HTTP API of a running service instead of the local
    /// data dir (score, plugin, audit, data, consent commands).
    #[arg(long, global = true, env = "SCOREHOST_SERVER")]
    pub(crate) server: Option<String>,
    /// The bearer token for --server. Prefer SCOREHOST_TOKEN or
    /// --token-file: a token on the command line is visible to every local
    /// user in the process list and stays in the shell's history.
    #[arg(long, global = true, env = "SCOREHOST_TOKEN", hide_env_values = true)]
    pub(crate) token: Option<String>,
    /// A file holding the bearer token for --server (its first line; keep
    /// it owner-only).
    #[arg(long, global = true, env = "SCOREHOST_TOKEN_FILE")]
    pub(crate) token_file: Option<std::path::PathBuf>,
}

impl Global {
    /// Who acts, from `--as` (or SCOREHOST_AS). The local CLI never acts as
    /// an anonymous province: `province` must name its person.
    pub(crate) fn actor(&self) -> anyhow::Result<scorehost_registry::Actor> {
        let Some(spec) = &self.as_actor else {
            anyhow::bail!(
                "say who is acting: --as province:NAME (a named person), --as publisher:NAMESPACE or --as app:NAME; or set SCOREHOST_AS once for the shell"
            );
        };
        let actor: scorehost_registry::Actor = spec.parse()?;
        if actor.role == scorehost_registry::Role::Province && actor.person.is_none() {
            anyhow::bail!(
                "the local CLI acts for the province only as a named person: --as province:NAME (or SCOREHOST_AS=province:NAME)"
            );
        }
        Ok(actor)
    }

    /// [`Global::actor`] as evaluation records name their caller:
    /// `province:NAME`, `publisher:NS`, `app:NAME`, `auditor`.
    pub(crate) fn caller(&self) -> anyhow::Result<String> {
        let actor = self.actor()?;
        Ok(match (&actor.role, &actor.person) {
            (scorehost_registry::Role::Province, Some(person)) => format!("province:{person}"),
            _ => actor.to_string(),
        })
    }
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
    },
    /// Score one subject, and print the white box.
    #[command(
        after_help = "Examples:\n  scorehost score --model ningbo/port --input examples/requests/ningbo-port.json\n  scorehost score --module target/wasm32-wasip2/plugin/ningbo_port.wasm --input examples/requests/ningbo-port.json --json"
    )]
    Score(cli::run::ScoreArgs),
    /// Publish, approve, pin, revoke and list plugin versions; build plugins.
    Plugin {
        #[command(subcommand)]
        command: PluginCommand,
    },
    /// Verify the audit log, show, prove and replay recorded evaluations.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Serve the HTTP API (its OpenAPI document at /openapi.json) until Ctrl-C or SIGTERM.
    #[command(
        after_help = "Examples:\n  scorehost serve\n  scorehost serve --listen 0.0.0.0:8080 --db postgres://scorehost@db/scorehost"
    )]
    Serve {
        /// Where to listen (port 0: any free port, printed on start).
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
    },
    /// From nothing to a working service: pin the bundled models, import a
    /// synthetic population, print tokens and curl commands, and serve.
    #[command(
        after_help = "Example (from the repository, after scripts/build-plugins.sh):\n  scorehost --data-dir /tmp/demo demo"
    )]
    Demo {
        /// Where to listen.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: std::net::SocketAddr,
        /// How many synthetic subjects to import.
        #[arg(long, default_value_t = 3000)]
        subjects: usize,
    },
    /// Score a file of subjects (NDJSON or CSV) with a registered model on
    /// all cores, every evaluation recorded; a killed run resumes exactly.
    #[command(
        after_help = "Examples:\n  scorehost gen --model ningbo/port --count 1000000 --output subjects.ndjson\n  scorehost batch --model ningbo/port --input subjects.ndjson --output results.ndjson\n\nRun the same command again after an interruption: it resumes, scoring no subject twice."
    )]
    Batch(cli::batch::BatchArgs),
    /// Generate a synthetic population for any model, from its describe().
    #[command(
        after_help = "Examples:\n  scorehost gen --model hangzhou/qianjiang --count 10000 --output people.ndjson\n  scorehost gen --module target/wasm32-wasip2/plugin/ningbo_port.wasm --count 100 --format csv"
    )]
    Gen(cli::generate::GenArgs),
    /// Create, list and revoke the API's bearer tokens (province only).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// The SSH public keys that sign each publisher namespace's modules.
    Keys {
        #[command(subcommand)]
        command: cli::signing::KeysCommand,
    },
    /// Import the 1+N data: provincial base evaluations and indicator records.
    Data {
        #[command(subcommand)]
        command: DataCommand,
    },
    /// Record, withdraw and list natural persons' consents to being scored for an app.
    Consent {
        #[command(subcommand)]
        command: ConsentCommand,
    },
    /// Dispute an indicator record (withheld until closed): file, check,
    /// answer, withdraw; list, show, and the overdue ones.
    Dispute {
        #[command(subcommand)]
        command: cli::dispute::DisputeCommand,
    },
    /// Credit repair: mark a negative record repaired, so it is no longer used.
    Repair {
        #[command(subcommand)]
        command: cli::dispute::RepairCommand,
    },
    /// Define, list, show and retire benefit scenarios: a model and a rule
    /// (a minimum score or a set of grades) that decide a benefit.
    Scenario {
        #[command(subcommand)]
        command: cli::scenario::ScenarioCommand,
    },
    /// Is a subject eligible for a benefit scenario? Evaluates the
    /// scenario's model on the stored subject, records it with the decision.
    #[command(
        after_help = "Examples:\n  scorehost decide --scenario hangzhou-transit-credit-pay --subject 330106199001011234 --as app:transit\n  scorehost decide --scenario hangzhou-transit-credit-pay --subject 330106199001011234 --server http://127.0.0.1:8080 --json   # the token in SCOREHOST_TOKEN or --token-file"
    )]
    Decide(cli::scenario::DecideArgs),
    /// Define, list, show, retire and evaluate composites: province-defined
    /// graphs of pinned models, one model's result feeding the next.
    Composite {
        #[command(subcommand)]
        command: cli::composite::CompositeCommand,
    },
    /// A subject's credit report (综合信用报告): the provincial base and
    /// every pinned model that applies, each recorded, in one linked record.
    #[command(
        after_help = "Examples:\n  scorehost report --subject 91330200MA2XXXXXXX\n  scorehost report --subject 91330200MA2XXXXXXX --server http://127.0.0.1:8080 --json   # an app token granted `report`"
    )]
    Report(cli::composite::ReportArgs),
}

#[derive(Subcommand)]
enum DataCommand {
    /// Import a file of records (NDJSON: .ndjson/.jsonl; CSV: .csv); prints the rows accepted and each row refused.
    #[command(
        after_help = "Examples:\n  scorehost data import bases examples/data/bases.csv\n  scorehost data import indicators examples/data/indicators.ndjson --as publisher:ningbo"
    )]
    Import {
        /// `bases` (provincial base evaluations) or `indicators`.
        what: String,
        /// The file.
        file: PathBuf,
    },
    /// Register who furnishes an indicator (province only): from then on only that publisher namespace (and the province) imports its records.
    #[command(
        after_help = "Examples:\n  scorehost data furnisher credit_pay_defaults_1y --namespace hangzhou\n  scorehost data furnisher misconduct_finding --namespace science --cardinality events"
    )]
    Furnisher {
        /// The indicator's name.
        indicator: String,
        /// The publisher namespace that furnishes it.
        #[arg(long)]
        namespace: String,
        /// `single` (one current record per subject; a newer one replaces it) or `events` (one record per event).
        #[arg(long, default_value = "single")]
        cardinality: String,
    },
    /// List who furnishes each indicator: the province's registrations, and by default the namespaces whose models declare it.
    #[command(after_help = "Example:\n  scorehost data furnishers --json")]
    Furnishers,
}

/// Whose consent, to which app, for which model.
#[derive(Args)]
struct ConsentKey {
    /// The person's identifier.
    #[arg(long)]
    subject: String,
    /// The app (NAME of app:NAME).
    #[arg(long)]
    app: String,
    /// The model, namespace/name.
    #[arg(long)]
    model: String,
}

#[derive(Subcommand)]
enum ConsentCommand {
    /// Record that a person consents to an app scoring them with a model, until a date.
    #[command(
        after_help = "Example:\n  scorehost consent grant --subject 330106199001011234 --app transit --model hangzhou/qianjiang --until 2027-12-31"
    )]
    Grant {
        #[command(flatten)]
        key: ConsentKey,
        /// Valid through this date (YYYY-MM-DD), or until an RFC 3339 time.
        #[arg(long)]
        until: String,
    },
    /// Withdraw a consent: it stops counting at once.
    #[command(
        after_help = "Example:\n  scorehost consent withdraw --subject 330106199001011234 --app transit --model hangzhou/qianjiang"
    )]
    Withdraw {
        #[command(flatten)]
        key: ConsentKey,
    },
    /// Every consent a person has given.
    #[command(
        after_help = "Example:\n  scorehost consent list --subject 330106199001011234 --json"
    )]
    List {
        /// The person's identifier.
        #[arg(long)]
        subject: String,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token and print its secret once (only a hash is stored).
    #[command(
        after_help = "Examples:\n  scorehost token create --role app:transit --models ningbo/port,hangzhou/qianjiang --label \"metro credit-pay\"\n  scorehost token create --role app:transit --scenarios hangzhou-transit-credit-pay\n  scorehost token create --role publisher:ningbo\n  scorehost token create --role province --person \"Zhang Wei\"\n  scorehost token create --role auditor --json\n  scorehost token create --role subject:330106199001011234 --label \"identity checked at the Hangzhou service hall, 2029-01-05\""
    )]
    Create {
        /// `province`, `publisher:<namespace>`, `app:<name>`, `auditor`, or
        /// `subject:<subject id>` — a person's (or an enterprise's) own
        /// token, issued once their identity was checked: it reads their
        /// own records and who read them, nothing else.
        #[arg(long)]
        role: String,
        /// For an app: the models it may score, comma-separated.
        #[arg(long, value_delimiter = ',')]
        models: Vec<String>,
        /// For an app: the benefit scenarios it may ask decisions of, comma-separated.
        #[arg(long, value_delimiter = ',')]
        scenarios: Vec<String>,
        /// For an app: the composites it may evaluate, comma-separated;
        /// `report` grants credit reports.
        #[arg(long, value_delimiter = ',')]
        composites: Vec<String>,
        /// The person it is issued to (required for `province`: approvals
        /// count persons; one person's tokens count once). Records of the
        /// token's actions name them.
        #[arg(long)]
        person: Option<String>,
        /// What the token is for.
        #[arg(long, default_value = "")]
        label: String,
    },
    /// List tokens (ids, roles, models; never secrets).
    #[command(after_help = "Example:\n  scorehost token list --json")]
    List,
    /// Revoke a token: it stops working at once.
    #[command(after_help = "Example:\n  scorehost token revoke tok_3f2a9c1e")]
    Revoke {
        /// The token's id (`tok_…`).
        id: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the tree and check every signed checkpoint; names the first bad record.
    #[command(after_help = "Example:\n  scorehost audit verify")]
    Verify,
    /// The white box of a recorded evaluation: inputs, contributions, score, grade, reasons, module hash.
    #[command(after_help = "Example:\n  scorehost audit show 3f2a…")]
    Show {
        /// The evaluation id (as `score` printed it).
        id: String,
    },
    /// Re-run a recorded evaluation with the exact module bytes; reports identical or the difference.
    #[command(after_help = "Example:\n  scorehost audit replay 3f2a…")]
    Replay {
        /// The evaluation id.
        id: String,
    },
    /// Print (or save) an inclusion proof of a record under a signed checkpoint, or check a saved one.
    #[command(
        after_help = "Examples:\n  scorehost audit proof 3f2a… --out proof.json\n  scorehost audit show 3f2a… --json > record.json\n  scorehost audit proof --check proof.json --record record.json --public-key 9c1e…"
    )]
    Proof {
        /// The record id.
        id: Option<String>,
        /// Write the proof to this file (never through a symbolic link; an
        /// existing file only with --force).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Overwrite the --out file if it exists.
        #[arg(long, requires = "out")]
        force: bool,
        /// Check a saved proof offline instead.
        #[arg(long, conflicts_with = "id")]
        check: Option<PathBuf>,
        /// With --check: the log's public key (hex); default: this data dir's.
        #[arg(long)]
        public_key: Option<String>,
        /// With --check: the record the proof is shown with — `audit show
        /// --json` or `GET /v1/evaluations/{id}` output, or the record's
        /// exact text. The check then proves *this* record is in the log
        /// (its leaf hash is the proof's), and prints what it says.
        #[arg(long, requires = "check")]
        record: Option<PathBuf>,
    },
    /// Print the log's public key (hex), which anyone needs to check proofs.
    #[command(after_help = "Example:\n  scorehost audit key")]
    Key,
    /// Erase a person from the records: the personal part (subject, white box, decision) and the input of one record, or of every record of a subject. The log still verifies; an `erasure` record says so.
    #[command(
        after_help = "Examples:\n  scorehost audit erase 12-3f2a… --reason \"retention over\" --as province:Zhang\n  scorehost audit erase --subject 330106199001010011 --reason \"PIPL art. 47 request 2029-017\" --as province:Zhang"
    )]
    Erase {
        /// The record id.
        #[arg(required_unless_present = "subject", conflicts_with = "subject")]
        id: Option<String>,
        /// Every record of this subject instead.
        #[arg(long)]
        subject: Option<String>,
        /// Why (kept in the erasure record; it must not name the person).
        #[arg(long)]
        reason: String,
    },
    /// How long records keep their personal part, per kind of subject; and applying it.
    #[command(subcommand)]
    Retention(RetentionCommand),
}

#[derive(Subcommand)]
enum RetentionCommand {
    /// List the retention policies.
    #[command(after_help = "Example:\n  scorehost audit retention list")]
    List,
    /// Set how many months records of a kind of subject keep their personal part.
    #[command(
        after_help = "Example:\n  scorehost audit retention set natural-person 25 --as province:Zhang"
    )]
    Set {
        /// The subject kind: natural-person, enterprise, social-organization, public-institution, government-agency.
        kind: String,
        /// Months (1 to 1200).
        months: u32,
    },
    /// Remove a kind's policy: its records are kept until erased by hand.
    #[command(
        after_help = "Example:\n  scorehost audit retention remove enterprise --as province:Zhang"
    )]
    Remove {
        /// The subject kind.
        kind: String,
    },
    /// Apply every policy now (serve does it every hour).
    #[command(after_help = "Example:\n  scorehost audit retention run --as province:Zhang")]
    Run {
        /// Count the months back from this instant (RFC 3339) instead of now:
        /// the local operator's "as if it were then" (for a rehearsal on a copy).
        #[arg(long)]
        as_of: Option<String>,
    },
}

#[derive(Subcommand)]
enum PluginCommand {
    /// Publish a module: its describe() name and version become the ref.
    #[command(
        after_help = "Example:\n  scorehost plugin publish target/wasm32-wasip2/plugin/ningbo_port.wasm --as publisher:ningbo"
    )]
    Publish {
        /// The component file (.wasm).
        file: PathBuf,
        #[command(flatten)]
        signing: cli::signing::SignArgs,
    },
    /// Sign a module with an SSH key (what a namespace with registered keys
    /// requires), or print the exact message to sign with ssh-keygen.
    #[command(
        after_help = "Examples:\n  scorehost plugin sign ningbo_port.wasm --key ~/.ssh/id_ed25519 --out ningbo_port.wasm.sig\n  scorehost plugin sign ningbo_port.wasm --message > msg && ssh-keygen -Y sign -n scorehost-module -f ~/.ssh/id_ed25519 msg"
    )]
    Sign {
        /// The component file (.wasm).
        file: PathBuf,
        /// An unencrypted OpenSSH Ed25519 private key file.
        #[arg(long)]
        key: Option<PathBuf>,
        /// Print the message to sign instead of a signature.
        #[arg(long)]
        message: bool,
        /// Write to this file instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a module's signature offline against its namespace's keys.
    #[command(
        after_help = "Examples:\n  scorehost plugin verify ningbo_port.wasm                       # the signature and keys registered in the data dir\n  scorehost plugin verify ningbo_port.wasm --signature ningbo_port.wasm.sig --keys allowed_signers"
    )]
    Verify {
        /// The component file (.wasm).
        file: PathBuf,
        /// The signature file (default: the one stored with the version).
        #[arg(long)]
        signature: Option<PathBuf>,
        /// Public keys, one per line (an allowed_signers file works)
        /// (default: the namespace's keys registered in the data dir).
        #[arg(long)]
        keys: Option<PathBuf>,
    },
    /// Show the approval quorum, or set it (a named province person, on the
    /// local data dir only).
    #[command(
        after_help = "Examples:\n  scorehost plugin quorum\n  scorehost plugin quorum 3 --as \"province:Zhang Wei\""
    )]
    Quorum {
        /// The number of distinct persons who must approve a version.
        set: Option<u32>,
    },
    /// Approve a version, naming the SHA-256 you reviewed (a named province
    /// person; it comes into force once the quorum of distinct persons,
    /// not its publisher, approved it).
    #[command(
        after_help = "Example:\n  scorehost plugin approve ningbo/port@1.0.0 --sha256 ed03e1eb… --as \"province:Zhang Wei\""
    )]
    Approve {
        /// NAMESPACE/NAME@VERSION
        reference: String,
        /// The SHA-256 of the bytes reviewed.
        #[arg(long)]
        sha256: String,
    },
    /// Pin an approved version, by version and hash, as the model's active one (province only).
    #[command(after_help = "Example:\n  scorehost plugin pin ningbo/port@1.0.0 --sha256 ed03e1eb…")]
    Pin {
        /// NAMESPACE/NAME@VERSION
        reference: String,
        /// The SHA-256 of the version's bytes.
        #[arg(long)]
        sha256: String,
    },
    /// Revoke a version for good; a pinned one is unpinned (province only).
    #[command(
        after_help = "Example:\n  scorehost plugin revoke ningbo/port@1.0.0 --reason \"wrong weights\""
    )]
    Revoke {
        /// NAMESPACE/NAME@VERSION
        reference: String,
        /// Why, for the history.
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// List every published version with its status.
    #[command(after_help = "Example:\n  scorehost plugin list --json")]
    List,
    /// Show a model (its versions, pin and history) or one version.
    #[command(
        after_help = "Examples:\n  scorehost plugin show ningbo/port\n  scorehost plugin show ningbo/port@1.0.0 --json"
    )]
    Show {
        /// NAMESPACE/NAME or NAMESPACE/NAME@VERSION
        reference: String,
    },
    /// Before approving: replay the pinned version's recorded inputs through a
    /// candidate and report grade migration, score distributions, top movers and new failures.
    #[command(
        after_help = "Examples:\n  scorehost plugin impact ningbo/port@2.0.0\n  scorehost plugin impact ningbo/port@2.0.0 --from 2026-11-01 --to 2026-11-30 --top 20 --json"
    )]
    Impact(cli::impact::ImpactArgs),
    /// Run a submitted or approved version beside the pinned one on live traffic, its results logged, never returned (province only).
    #[command(
        after_help = "Example:\n  scorehost plugin shadow ningbo/port@2.0.0 --sha256 ed03e1eb…\n\nPinning or revoking the version clears the shadow."
    )]
    Shadow {
        /// NAMESPACE/NAME@VERSION
        reference: String,
        /// The SHA-256 of the version's bytes.
        #[arg(long)]
        sha256: String,
    },
    /// Stop running a model's shadow version (province only).
    #[command(after_help = "Example:\n  scorehost plugin unshadow ningbo/port")]
    Unshadow {
        /// NAMESPACE/NAME
        model: String,
    },
    /// List every model's shadow version.
    #[command(after_help = "Example:\n  scorehost plugin shadows --json")]
    Shadows,
    /// Scaffold a new plugin crate from the SDK: a small working model,
    /// passing tests, an example request and a README (build, run, publish).
    #[command(
        after_help = "Examples:\n  scorehost plugin new wenzhou-market\n  scorehost plugin new market --namespace wenzhou --dir ../wenzhou-market --title \"Wenzhou market credit\""
    )]
    New(cli::new::NewArgs),
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
    // Everything this process creates — the data dir's database, modules,
    // artifacts, batch files, the log key, and outputs of personal data —
    // is owner-only from the start (SECURITY.md). Only a scaffolded plugin
    // crate, source code for its developer, keeps the usual modes.
    #[cfg(unix)]
    if !matches!(
        &cli.command,
        Command::Plugin {
            command: PluginCommand::New(_)
        }
    ) {
        // SAFETY: umask only sets the process's file-creation mask.
        unsafe {
            libc::umask(0o077);
        }
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scorehost: {e:#}");
            ExitCode::from(exit_code(&e))
        }
    }
}

/// Exit codes: 1 usage or I/O, 3 bad request or rejected by the model,
/// 4 module refused, 5 plugin fault, 6 overloaded or storage unavailable
/// (retry later), 7 internal or storage error, 8 forbidden or unauthorized, 9 not found, 10 conflict, 11 no pinned version,
/// 12 integrity failure (stored bytes are not the registered bytes), 13 a
/// limit reached (too many disputes open, say: retry once some close).
fn exit_code(e: &anyhow::Error) -> u8 {
    // The one table of exit codes: scorehost_engine::error::KINDS.
    if let Some(remote) = e.downcast_ref::<cli::remote::RemoteError>() {
        return remote.exit_code();
    }
    if let Some(e) = e.downcast_ref::<Error>() {
        return e.exit_code();
    }
    if let Some(e) = e.downcast_ref::<scorehost_runtime::Error>() {
        return Error::from(e.clone()).exit_code();
    }
    match e.downcast_ref::<scorehost_registry::Error>() {
        Some(r) => Error::from(r.clone()).exit_code(),
        None => 1,
    }
}

/// A command through the HTTP API (`--server`), or `None` for a command
/// that works on the local data dir or a local file only.
fn run_remote(g: &Global, command: &Command) -> Option<anyhow::Result<()>> {
    use cli::remote;
    let r = match remote::Remote::new(g) {
        Ok(Some(r)) => r,
        Ok(None) => return None,
        Err(e) => return Some(Err(e)),
    };
    let r = &r;
    Some(match command {
        Command::Score(args) => cli::run::score_remote(g, args, r),
        Command::Plugin { command } => match command {
            PluginCommand::Publish { file, signing } => remote::publish(g, r, file, signing),
            PluginCommand::Approve { reference, sha256 } => {
                remote::approve(g, r, reference, sha256)
            }
            PluginCommand::Pin { reference, sha256 } => remote::pin(g, r, reference, sha256),
            PluginCommand::Revoke { reference, reason } => remote::revoke(g, r, reference, reason),
            PluginCommand::List => remote::get(g, r, "/v1/plugins"),
            PluginCommand::Show { reference } => remote::show(g, r, reference),
            PluginCommand::Impact(args) => cli::impact::impact_remote(g, r, args),
            PluginCommand::Shadow { reference, sha256 } => {
                cli::shadow::shadow_remote(g, r, reference, sha256)
            }
            PluginCommand::Unshadow { model } => cli::shadow::unshadow_remote(g, r, model),
            PluginCommand::Shadows => remote::get(g, r, "/v1/shadows"),
            PluginCommand::Build { .. } | PluginCommand::New(_) | PluginCommand::Sign { .. } => {
                return None;
            }
            PluginCommand::Verify { .. } | PluginCommand::Quorum { .. } => Err(anyhow::anyhow!(
                "this command works on the local data dir, or on files (plugin verify --signature FILE --keys FILE); drop --server"
            )),
        },
        Command::Keys { command } => remote::keys(g, r, command),
        Command::Audit { command } => match command {
            AuditCommand::Verify => remote::get(g, r, "/v1/audit/verify"),
            AuditCommand::Show { id } => remote::get(g, r, &format!("/v1/evaluations/{id}")),
            AuditCommand::Replay { id } => {
                remote::post_empty(g, r, &format!("/v1/evaluations/{id}/replay"))
            }
            AuditCommand::Proof {
                id: Some(id),
                out,
                check: None,
                force,
                ..
            } => remote::proof(g, r, id, (out.as_deref(), *force)),
            // Checking a saved proof is offline by nature.
            AuditCommand::Proof { .. } => return None,
            AuditCommand::Key | AuditCommand::Erase { .. } | AuditCommand::Retention(_) => {
                Err(anyhow::anyhow!(
                    "this audit command works on the local data dir only (drop --server)"
                ))
            }
        },
        Command::Data { command } => match command {
            DataCommand::Import { what, file } => remote::import(g, r, what, file),
            DataCommand::Furnisher {
                indicator,
                namespace,
                cardinality,
            } => remote::furnisher(g, r, indicator, namespace, cardinality),
            DataCommand::Furnishers => remote::furnishers(g, r),
        },
        Command::Consent { command } => match command {
            ConsentCommand::Grant { key, until } => remote::consent(
                g,
                r,
                "/v1/consents",
                serde_json::json!({ "subject_id": key.subject, "app": key.app, "model": key.model, "expires": until }),
            ),
            ConsentCommand::Withdraw { key } => remote::consent(
                g,
                r,
                "/v1/consents/withdraw",
                serde_json::json!({ "subject_id": key.subject, "app": key.app, "model": key.model }),
            ),
            ConsentCommand::List { subject } => {
                remote::get(g, r, &format!("/v1/consents/{subject}"))
            }
        },
        Command::Dispute { command } => cli::dispute::run_remote(g, r, command),
        Command::Repair { command } => cli::dispute::repair_remote(g, r, command),
        Command::Scenario { command } => cli::scenario::run_remote(g, r, command),
        Command::Decide(args) => cli::scenario::decide_remote(g, r, args),
        Command::Composite { command } => cli::composite::run_remote(g, r, command),
        Command::Report(args) => cli::composite::report_remote(g, r, args),
        Command::Inspect { .. } | Command::Gen(_) => return None,
        Command::Batch(_) => Err(anyhow::anyhow!(
            "batch runs on the local data dir; through a service, use POST /v1/batches"
        )),
        Command::Serve { .. } | Command::Demo { .. } | Command::Token { .. } => Err(
            anyhow::anyhow!("this command works on the local data dir only (drop --server)"),
        ),
    })
}

fn run(cli: Cli) -> anyhow::Result<()> {
    let g = &cli.global;
    if let Some(result) = run_remote(g, &cli.command) {
        return result;
    }
    match cli.command {
        Command::Inspect { module } => cli::run::inspect(&module, g.json),
        Command::Score(args) => cli::run::score(g, &args),
        Command::Audit { command } => match command {
            AuditCommand::Verify => cli::audit::verify(g),
            AuditCommand::Show { id } => cli::audit::show(g, &id),
            AuditCommand::Replay { id } => cli::audit::replay(g, &id),
            AuditCommand::Proof {
                id,
                out,
                check,
                public_key,
                record,
                force,
            } => cli::audit::proof(
                g,
                id.as_deref(),
                (out.as_deref(), force),
                check.as_deref(),
                (public_key.as_deref(), record.as_deref()),
            ),
            AuditCommand::Key => cli::audit::key(g),
            AuditCommand::Erase {
                id,
                subject,
                reason,
            } => cli::audit::erase(g, id.as_deref(), subject.as_deref(), &reason),
            AuditCommand::Retention(c) => match c {
                RetentionCommand::List => cli::audit::retention_list(g),
                RetentionCommand::Set { kind, months } => {
                    cli::audit::retention_set(g, &kind, Some(months))
                }
                RetentionCommand::Remove { kind } => cli::audit::retention_set(g, &kind, None),
                RetentionCommand::Run { as_of } => cli::audit::retention_run(g, as_of.as_deref()),
            },
        },
        Command::Serve { listen } => cli::serve::serve(g, listen),
        Command::Batch(args) => cli::batch::batch(g, &args),
        Command::Gen(args) => cli::generate::generate(g, &args),
        Command::Demo { listen, subjects } => cli::demo::demo(g, listen, subjects),
        Command::Data { command } => match command {
            DataCommand::Import { what, file } => cli::data::import(g, &what, &file),
            DataCommand::Furnisher {
                indicator,
                namespace,
                cardinality,
            } => cli::data::furnisher(g, &indicator, &namespace, &cardinality),
            DataCommand::Furnishers => cli::data::furnishers(g),
        },
        Command::Consent { command } => match command {
            ConsentCommand::Grant { key, until } => {
                cli::consent::grant(g, &key.subject, &key.app, &key.model, &until)
            }
            ConsentCommand::Withdraw { key } => {
                cli::consent::withdraw(g, &key.subject, &key.app, &key.model)
            }
            ConsentCommand::List { subject } => cli::consent::list(g, &subject),
        },
        Command::Dispute { command } => cli::dispute::run(g, &command),
        Command::Repair { command } => cli::dispute::repair(g, &command),
        Command::Scenario { command } => cli::scenario::run(g, &command),
        Command::Decide(args) => cli::scenario::decide(g, &args),
        Command::Composite { command } => cli::composite::run(g, &command),
        Command::Report(args) => cli::composite::report(g, &args),
        Command::Keys { command } => cli::signing::keys(g, &command),
        Command::Token { command } => match command {
            TokenCommand::Create {
                role,
                models,
                scenarios,
                composites,
                person,
                label,
            } => {
                let mut role: scorehost_registry::Actor = role.parse()?;
                if let Some(person) = person {
                    role = role.as_person(&person)?;
                }
                cli::token::create(g, &role, &models, &scenarios, &composites, &label)
            }
            TokenCommand::List => cli::token::list(g),
            TokenCommand::Revoke { id } => cli::token::revoke(g, &id),
        },
        Command::Plugin { command } => match command {
            PluginCommand::Publish { file, signing } => cli::registry::publish(g, &file, &signing),
            PluginCommand::Sign {
                file,
                key,
                message,
                out,
            } => cli::signing::sign(&file, key.as_deref(), message, out.as_deref()),
            PluginCommand::Verify {
                file,
                signature,
                keys,
            } => cli::signing::verify(g, &file, signature.as_deref(), keys.as_deref()),
            PluginCommand::Quorum { set } => cli::registry::quorum(g, set),
            PluginCommand::Approve { reference, sha256 } => {
                cli::registry::approve(g, &reference, &sha256)
            }
            PluginCommand::Pin { reference, sha256 } => cli::registry::pin(g, &reference, &sha256),
            PluginCommand::Revoke { reference, reason } => {
                cli::registry::revoke(g, &reference, &reason)
            }
            PluginCommand::List => cli::registry::list(g),
            PluginCommand::Show { reference } => cli::registry::show(g, &reference),
            PluginCommand::Impact(args) => cli::impact::impact(g, &args),
            PluginCommand::Shadow { reference, sha256 } => {
                cli::shadow::shadow(g, &reference, &sha256)
            }
            PluginCommand::Unshadow { model } => cli::shadow::unshadow(g, &model),
            PluginCommand::Shadows => cli::shadow::list(g),
            PluginCommand::New(args) => cli::new::scaffold(g, &args),
            PluginCommand::Build {
                package,
                manifest_path,
                profile,
                out,
            } => cli::build::build(
                package.as_deref(),
                manifest_path.as_deref(),
                &profile,
                out.as_deref(),
            ),
        },
    }
}
