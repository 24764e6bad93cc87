//! Shared helpers for scorehost's end-to-end tests and benchmarks: where the
//! built components and the binary are, the example requests, and a seeded
//! generator of request variants for parity tests.
//!
//! Components are built by `scripts/build-plugins.sh` (the test script runs
//! it first); a missing one fails with the command that builds it.
#![deny(missing_docs)]

pub mod http;
pub mod load;

use std::path::{Path, PathBuf};

use scorehost_runtime::contract as c;
use scorehost_runtime::validate::iso_date_days;
use scorehost_runtime::wire::ScoreRequest;
pub use scorehost_sdk::testing::sandbox::{component_path, target_dir};

/// The workspace root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// The built component of `package` (a plugin or a test guest).
///
/// # Panics
/// If it has not been built, naming the command that builds it.
pub fn component(package: &str) -> PathBuf {
    let p = component_path(package);
    assert!(
        p.exists(),
        "{} is missing: run scripts/build-plugins.sh",
        p.display()
    );
    p
}

/// `ningbo-port-v1` built as a plain core module (wasm32-unknown-unknown).
pub fn core_module() -> PathBuf {
    let p = target_dir().join("wasm32-unknown-unknown/plugin/ningbo_port_v1.wasm");
    assert!(
        p.exists(),
        "{} is missing: run scripts/build-plugins.sh",
        p.display()
    );
    p
}

/// The `scorehost` binary of the same build profile as the running test,
/// or the one `SCOREHOST_BIN` names (a benchmark then measures another
/// build, say the one before a change, in the same sitting).
pub fn binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("SCOREHOST_BIN") {
        return PathBuf::from(bin);
    }
    let exe = std::env::current_exe().expect("test binary path");
    // <target>/<profile>/deps/<test> → <target>/<profile>/scorehost
    let p = exe
        .ancestors()
        .nth(2)
        .expect("profile dir")
        .join("scorehost");
    assert!(
        p.exists(),
        "{} is missing: run cargo build -p scorehost",
        p.display()
    );
    p
}

/// Where the sample request of a plugin is: a frozen version's own
/// `plugins/<plugin>/samples/example.request.json`, else
/// `examples/requests/<plugin>.json`.
pub fn example_path(plugin: &str) -> PathBuf {
    let frozen = root()
        .join("plugins")
        .join(plugin)
        .join("samples/example.request.json");
    if frozen.exists() {
        frozen
    } else {
        root()
            .join("examples/requests")
            .join(format!("{plugin}.json"))
    }
}

/// The sample request of a plugin ([`example_path`]).
pub fn example(plugin: &str) -> ScoreRequest {
    let path = example_path(plugin);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The databases the registry tests run on: SQLite always, PostgreSQL when
/// `SCOREHOST_TEST_POSTGRES_URL` names a server (an admin URL; each test
/// gets a database of its own there). With `SCOREHOST_REQUIRE_POSTGRES=1`
/// (the test script sets it) a missing URL fails the test instead of
/// quietly testing SQLite alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite in the data dir (the default).
    Sqlite,
    /// A real PostgreSQL server.
    Postgres,
}

/// The backends to test on.
pub fn backends() -> Vec<Backend> {
    let url = std::env::var("SCOREHOST_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty());
    if url.is_none() && std::env::var("SCOREHOST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!(
            "SCOREHOST_REQUIRE_POSTGRES=1 but SCOREHOST_TEST_POSTGRES_URL is not set: start one with scripts/postgres.sh"
        );
    }
    let mut b = vec![Backend::Sqlite];
    if url.is_some() {
        b.push(Backend::Postgres);
    } else {
        eprintln!(
            "note: SCOREHOST_TEST_POSTGRES_URL is not set; registry tests run on SQLite only"
        );
    }
    b
}

/// A fresh data dir, and for PostgreSQL a fresh database URL; removed
/// (the directory) when dropped.
pub struct Fixture {
    /// The data dir.
    pub data_dir: PathBuf,
    /// `--db`: `None` for the SQLite default.
    pub db: Option<String>,
    /// Which backend.
    pub backend: Backend,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.data_dir);
    }
}

/// A fresh fixture on `backend`.
pub async fn fixture(backend: Backend, name: &str) -> Fixture {
    use std::sync::atomic::{AtomicU32, Ordering};
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let tag = format!("{}_{}_{n}", std::process::id(), name.replace('-', "_"));
    let data_dir = std::env::temp_dir().join(format!("scorehost-test-{tag}"));
    let _ = std::fs::remove_dir_all(&data_dir);
    let db = match backend {
        Backend::Sqlite => None,
        Backend::Postgres => {
            use sqlx::Connection as _;
            let admin = std::env::var("SCOREHOST_TEST_POSTGRES_URL").expect("postgres URL");
            let mut conn = sqlx::PgConnection::connect(&admin)
                .await
                .expect("connect to the test server");
            let db = format!("scorehost_t_{tag}").to_lowercase();
            sqlx::query(&format!("DROP DATABASE IF EXISTS {db}"))
                .execute(&mut conn)
                .await
                .unwrap();
            sqlx::query(&format!("CREATE DATABASE {db}"))
                .execute(&mut conn)
                .await
                .unwrap();
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            Some(format!("{base}/{db}"))
        }
    };
    Fixture {
        data_dir,
        db,
        backend,
    }
}

/// Who the tests' commands act as unless they say `--as`: a named person
/// of the province (the CLI never acts as an anonymous province).
pub const TEST_OPERATOR: &str = "province:Test Operator";

/// A command running the real binary, acting as [`TEST_OPERATOR`] unless
/// its arguments say `--as` (a flag wins over the environment).
pub fn command() -> std::process::Command {
    let mut cmd = std::process::Command::new(binary());
    cmd.env("SCOREHOST_AS", TEST_OPERATOR);
    cmd
}

/// Run the real binary on a fixture's data dir (and database).
pub fn cli(f: &Fixture, args: &[&str]) -> std::process::Output {
    let mut cmd = command();
    cmd.current_dir(root()).arg("--data-dir").arg(&f.data_dir);
    if let Some(db) = &f.db {
        cmd.args(["--db", db]);
    }
    cmd.args(args).output().expect("scorehost runs")
}

/// The stdout of a command that must succeed.
///
/// # Panics
/// If it failed, with its stderr.
pub fn ok(out: std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Run the binary on data dir `dir` (SQLite), from the repository root;
/// its stdout, or a panic with its stderr. For benchmarks, which keep
/// their own data dirs.
pub fn run_on(dir: &std::path::Path, args: &[&str]) -> String {
    let out = command()
        .current_dir(root())
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .expect("scorehost runs");
    assert!(
        out.status.success(),
        "scorehost {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Create a token for `role` through the CLI (granted `models`, a comma
/// list, when not empty); its secret.
pub fn token(f: &Fixture, role: &str, models: &str) -> String {
    let mut args = vec!["token", "create", "--role", role];
    if role == "province" {
        args.extend(["--person", "Test Operator"]);
    }
    if !models.is_empty() {
        args.extend(["--models", models]);
    }
    ok(cli(f, &args)).trim().to_string()
}

/// Create a token with `args` after `token create` (`--role …`, grants)
/// through the CLI; its secret.
pub fn token_with(f: &Fixture, args: &[&str]) -> String {
    let mut all = vec!["token", "create"];
    all.extend_from_slice(args);
    ok(cli(f, &all)).trim().to_string()
}

/// Write `text` to the file `name` in the fixture's data dir; its path.
pub fn write_file(f: &Fixture, name: &str, text: &str) -> String {
    std::fs::create_dir_all(&f.data_dir).expect("the data dir");
    let path = f.data_dir.join(name);
    std::fs::write(&path, text).expect("a file in the data dir");
    path.to_str().expect("a UTF-8 path").to_string()
}

/// How many records the fixture's log holds, as `audit verify` counts
/// them (so it verifies the log too).
pub fn log_records(f: &Fixture) -> u64 {
    let out = ok(cli(f, &["audit", "verify", "--json"]));
    serde_json::from_str::<serde_json::Value>(&out).expect("verify's JSON")["records"]
        .as_u64()
        .expect("a count of records")
}

/// Approve `reference` (bytes `sha`) on data dir `dir` as two distinct
/// persons of the province ([`TEST_OPERATOR`] and a second reviewer), the
/// default quorum; for benchmarks, which keep their own data dirs.
pub fn approve_on(dir: &std::path::Path, reference: &str, sha: &str) {
    run_on(dir, &["plugin", "approve", reference, "--sha256", sha]);
    run_on(
        dir,
        &[
            "plugin",
            "approve",
            reference,
            "--sha256",
            sha,
            "--as",
            "province:Second Reviewer",
        ],
    );
}

/// Publish a bundled component as `publisher`, then approve and pin it as
/// the province, through the CLI; its SHA-256.
pub fn pin_cli(f: &Fixture, package: &str, reference: &str, publisher: &str) -> String {
    let wasm = component(package);
    let sha = sha256_file(&wasm);
    let file = wasm.to_str().expect("a UTF-8 path");
    ok(cli(f, &["plugin", "publish", file, "--as", publisher]));
    approve_cli(f, reference, &sha);
    ok(cli(f, &["plugin", "pin", reference, "--sha256", &sha]));
    sha
}

/// Approve `reference` (bytes `sha`) through the CLI as two distinct
/// persons of the province, [`TEST_OPERATOR`] and a second reviewer: the
/// default quorum.
pub fn approve_cli(f: &Fixture, reference: &str, sha: &str) {
    ok(cli(f, &["plugin", "approve", reference, "--sha256", sha]));
    ok(cli(
        f,
        &[
            "plugin",
            "approve",
            reference,
            "--sha256",
            sha,
            "--as",
            "province:Second Reviewer",
        ],
    ));
}

/// The two persons who approve scenario and composite definitions in
/// tests: neither is [`TEST_OPERATOR`], who proposes them (a definition's
/// author never counts toward its quorum).
pub const DEFINITION_REVIEWERS: [&str; 2] = ["province:Second Reviewer", "province:Third Reviewer"];

/// Approve the definition of `kind` (`scenario` or `composite`) `name`
/// waiting for approval, with SHA-256 `sha`, through the CLI as the two
/// [`DEFINITION_REVIEWERS`]: the default quorum. The last approval's
/// answer: the proposal, and `in_force`.
pub fn approve_definition(f: &Fixture, kind: &str, name: &str, sha: &str) -> serde_json::Value {
    let mut last = String::new();
    for reviewer in DEFINITION_REVIEWERS {
        last = ok(cli(
            f,
            &[
                kind, "approve", name, "--sha256", sha, "--as", reviewer, "--json",
            ],
        ));
    }
    serde_json::from_str(&last).expect("an approval's answer")
}

/// Approve whatever definition of `kind` `name` waits for approval (read
/// with `KIND show`), as [`approve_definition`] does: for tests that
/// define through the CLI and read no SHA-256 themselves.
pub fn approve_pending(f: &Fixture, kind: &str, name: &str) -> serde_json::Value {
    let shown: serde_json::Value =
        serde_json::from_str(&ok(cli(f, &[kind, "show", name, "--json"]))).expect("JSON");
    let sha = shown["pending"]["sha256"]
        .as_str()
        .unwrap_or_else(|| panic!("no definition of {kind} {name} waits: {shown}"))
        .to_string();
    approve_definition(f, kind, name, &sha)
}

/// Publish, approve and pin a built component as the province, through the
/// library; returns the pinned version.
pub async fn pin_as_province(
    reg: &scorehost_registry::Registry,
    rt: &scorehost_runtime::sandbox::Runtime,
    package: &str,
) -> scorehost_registry::VersionRecord {
    use scorehost_registry::Actor;
    let bytes = std::fs::read(component(package)).expect("component");
    let p = reg
        .publish(
            &Actor::province(),
            &bytes,
            &scorehost_engine::catalog::SandboxCheck(rt),
        )
        .await
        .expect("publish");
    let r = p.version.reference.parse().expect("ref");
    for reviewer in ["Test Operator", "Second Reviewer"] {
        let reviewer = Actor::province_person(reviewer).expect("a person");
        reg.approve(&reviewer, &r, &p.version.sha256)
            .await
            .expect("approve");
    }
    reg.pin(&Actor::province(), &r, &p.version.sha256)
        .await
        .expect("pin");
    reg.version(&r).await.expect("version")
}

/// A small, seeded xorshift generator: the same seed gives the same variants
/// on every machine.
pub struct Rng(u64);

impl Rng {
    /// A generator from a non-zero seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// True with probability `percent` %.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The ISO date `days` after 1970-01-01.
pub fn date_from_days(days: i64) -> String {
    // Civil from days (H. Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Count-like values that exercise every band and cap of the models.
const NUMBERS: [f64; 16] = [
    0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 10.0, 12.5, 25.0, 37.3, 100.0, 500.0, 1000.0, 4200.0,
    20000.0,
];

/// `n` variants of `seed_req` for the model `info`: random base scores
/// (0–1000 with two decimals), black-list memberships, number and flag
/// values, optional indicators dropped, event dates moved across validity
/// windows, and events repeated. Text and date values are kept (models
/// restrict them to vocabularies). Every variant passes the host's request
/// check.
pub fn variants(
    seed_req: &c::Request,
    info: &c::ModelInfo,
    n: usize,
    seed: u64,
) -> Vec<c::Request> {
    let mut rng = Rng::new(seed);
    let as_of = iso_date_days(&seed_req.as_of).expect("valid as_of");
    (0..n)
        .map(|_| {
            let mut r = seed_req.clone();
            r.base.score = rng.below(100_001) as i64;
            if rng.chance(15) {
                r.base.lists.push("black:court-defaulter".into());
            }
            let mut out = Vec::new();
            for ind in &r.indicators {
                let required = info
                    .indicators
                    .iter()
                    .any(|s| s.name == ind.name && s.required);
                if !required && rng.chance(20) {
                    continue;
                }
                let mut ind = ind.clone();
                match &mut ind.value {
                    c::Value::Number(v) => *v = NUMBERS[rng.below(NUMBERS.len() as u64) as usize],
                    c::Value::Flag(b) => *b = rng.chance(50),
                    _ => {}
                }
                if ind.observed_on.is_some() {
                    // Anywhere from six years before to one year after as_of.
                    ind.observed_on = Some(date_from_days(as_of - 2200 + rng.below(2600) as i64));
                    if rng.chance(30) {
                        out.push(ind.clone());
                    }
                }
                out.push(ind);
            }
            r.indicators = out;
            r
        })
        .collect()
}

/// The hex SHA-256 of a file.
pub fn sha256_file(path: &std::path::Path) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(std::fs::read(path).expect("file")))
}

/// Every record of the fixture's log, opened: each leaf's fields with its
/// personal part (subject, white box, decision, …) while it is kept, as
/// every reader of the log sees them ([`scorehost_registry::open_record`]).
pub async fn opened_records(f: &Fixture) -> Vec<serde_json::Value> {
    let reg = scorehost_registry::Registry::open(&f.data_dir, f.db.as_deref())
        .await
        .expect("the registry opens");
    reg.log_entries_page_with_personal(0, u32::MAX)
        .await
        .expect("the log reads")
        .iter()
        .map(|r| {
            scorehost_registry::open_record(&r.entry.record, r.personal.as_ref())
                .expect("a record opens")
        })
        .collect()
}

/// Run SQL against the fixture's database directly: an insider tampering
/// with it, or a test moving a stored date into the past (time cannot be
/// waited for in a test).
pub async fn run_sql(f: &Fixture, sql: &str) {
    let mut conn = connect(f).await;
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
}

/// A connection of its own to the fixture's database (SQLite or
/// PostgreSQL), for a test that reads or changes it behind the service.
pub async fn connect(f: &Fixture) -> sqlx::AnyConnection {
    use sqlx::Connection as _;
    sqlx::any::install_default_drivers();
    let url =
        f.db.clone()
            .unwrap_or_else(|| format!("sqlite://{}", f.data_dir.join("registry.db").display()));
    sqlx::AnyConnection::connect(&url).await.unwrap()
}

/// The ningbo example's indicators, as NDJSON records of `subject`, with
/// `overdue_debts` set as given.
pub fn ningbo_records(subject: &str, overdue_debts: bool) -> String {
    let example = serde_json::to_value(example("ningbo-port-v1")).unwrap();
    let mut out = String::new();
    for i in example["indicators"].as_array().unwrap() {
        let mut r = serde_json::json!({
            "subject_id": subject,
            "name": i["name"],
            "value": i["value"],
            "source": i["source"].as_str().unwrap_or("ningbo-port-office"),
        });
        if i["name"] == "overdue_debts" {
            r["value"] = serde_json::json!(overdue_debts);
            r["source"] = serde_json::json!("pboc-credit-reference");
        }
        if let Some(d) = i["observed_on"].as_str() {
            r["observed_on"] = serde_json::json!(d);
        }
        out.push_str(&r.to_string());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        for d in [
            "1970-01-01",
            "2024-02-29",
            "2026-11-01",
            "2000-03-01",
            "1999-12-31",
        ] {
            assert_eq!(date_from_days(iso_date_days(d).unwrap()), d);
        }
    }
}
