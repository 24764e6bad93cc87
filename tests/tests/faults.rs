//! Crashes and faults under load. The real server, scored by several
//! clients at once, is
//! - killed with SIGKILL at random moments, 20 times, and restarted;
//! - run on a data dir whose disk fills up, which is then freed;
//! - run on a PostgreSQL server that is stopped and started again.
//!
//! Each time: every evaluation a client got an answer for is in the log, the
//! log verifies, the registry and the module store are intact; while storage
//! is unavailable, callers get 503 `unavailable` with `Retry-After` (never a
//! 500, never an answer that was not stored), and the service comes back by
//! itself once storage does.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use scorehost_registry::Registry;
use scorehost_tests::http::{Server, try_call};
use scorehost_tests::{Backend, Fixture, Rng, cli, example, fixture, ok, root};
use serde_json::{Value, json};

/// Clients scoring at once: enough to keep both cores and the log writer's
/// group commits busy, so a kill lands in the middle of every stage.
const CLIENTS: usize = 6;

/// What the clients saw.
#[derive(Default, Debug)]
struct Tally {
    /// The evaluation ids of every 200 answer.
    acked: Vec<String>,
    /// Answers by status.
    statuses: BTreeMap<u16, u64>,
    /// Error codes of 503 answers.
    unavailable_codes: BTreeSet<String>,
    /// Answers that are neither 200 nor 503 (status and body).
    unexpected: Vec<String>,
    /// Calls that got no HTTP answer (the server was down or killed).
    no_answer: u64,
}

impl Tally {
    /// Every answer was 200 or 503.
    fn only_200_or_503(&self) {
        assert!(
            self.unexpected.is_empty(),
            "answers other than 200/503: {:?}",
            &self.unexpected[..self.unexpected.len().min(5)]
        );
    }

    /// Every answer was 200 or 503, some calls saw `fault` as 503, and
    /// every 503 said `unavailable`. Returns how many were refused.
    fn refused_as_unavailable(&self, fault: &str) -> u64 {
        self.only_200_or_503();
        let refused = self.statuses.get(&503).copied().unwrap_or(0);
        assert!(refused > 0, "no call saw {fault}: {self:?}");
        assert_eq!(
            self.unavailable_codes,
            BTreeSet::from(["unavailable".to_string()]),
            "{fault} is `unavailable`"
        );
        refused
    }

    fn add(&mut self, other: Tally) {
        self.acked.extend(other.acked);
        for (s, n) in other.statuses {
            *self.statuses.entry(s).or_default() += n;
        }
        self.unavailable_codes.extend(other.unavailable_codes);
        self.unexpected.extend(other.unexpected);
        self.no_answer += other.no_answer;
    }
}

/// Clients scoring `ningbo/port` as fast as they can until stopped; they
/// keep going while the server is down (each failed connection waits a
/// little) and whatever it answers.
struct Load {
    stop: Arc<AtomicBool>,
    threads: Vec<JoinHandle<Tally>>,
}

impl Load {
    fn start(url: &str, token: &str) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let mut body = serde_json::to_value(example("ningbo-port-v1")).unwrap();
        body["model"] = json!("ningbo/port");
        let body = body.to_string();
        let threads = (0..CLIENTS)
            .map(|_| {
                let (stop, body) = (stop.clone(), body.clone());
                let (url, token) = (format!("{url}/v1/scores"), token.to_string());
                std::thread::spawn(move || {
                    let mut t = Tally::default();
                    while !stop.load(Ordering::Relaxed) {
                        let answer = try_call(
                            "POST",
                            &url,
                            Some(&token),
                            Some("application/json"),
                            Some(body.as_bytes()),
                        );
                        match answer {
                            Ok((status, v)) => {
                                *t.statuses.entry(status).or_default() += 1;
                                match status {
                                    200 => t.acked.push(
                                        v["evaluation_id"].as_str().expect("an id").to_string(),
                                    ),
                                    503 => {
                                        t.unavailable_codes.insert(
                                            v["error"]["code"].as_str().unwrap_or("?").into(),
                                        );
                                        std::thread::sleep(Duration::from_millis(20));
                                    }
                                    _ => t.unexpected.push(format!("{status} {v}")),
                                }
                            }
                            Err(_) => {
                                t.no_answer += 1;
                                std::thread::sleep(Duration::from_millis(20));
                            }
                        }
                    }
                    t
                })
            })
            .collect();
        Load { stop, threads }
    }

    fn finish(self) -> Tally {
        self.stop.store(true, Ordering::Relaxed);
        let mut all = Tally::default();
        for t in self.threads {
            all.add(t.join().unwrap());
        }
        all
    }
}

/// A free TCP port on 127.0.0.1, so that a restarted server has the same
/// address and the clients find it again.
fn free_port() -> String {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    format!("127.0.0.1:{}", l.local_addr().unwrap().port())
}

/// Pin ningbo/port on `f` and make an app token that may score it.
async fn pinned_with_token(f: &Fixture) -> String {
    let rt =
        scorehost_runtime::sandbox::Runtime::new(scorehost_runtime::sandbox::Limits::default())
            .unwrap();
    let reg = Registry::open(&f.data_dir, f.db.as_deref()).await.unwrap();
    scorehost_tests::pin_as_province(&reg, &rt, "ningbo-port-v1").await;
    drop(reg);
    ok(cli(
        f,
        &[
            "token",
            "create",
            "--role",
            "app:faults",
            "--models",
            "ningbo/port",
        ],
    ))
    .trim()
    .to_string()
}

/// What must hold after any fault: every acknowledged evaluation is an
/// evaluation record of the log, the log verifies, and the registry still
/// scores with the stored module (whose bytes are checked against their
/// registered hash before each load). Returns the log's evaluation count.
async fn nothing_acknowledged_was_lost(
    f: &Fixture,
    tally: &Tally,
    registry_before: &Value,
) -> usize {
    let reg = Registry::open(&f.data_dir, f.db.as_deref()).await.unwrap();
    let logged: BTreeSet<String> = reg
        .log_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "evaluation")
        .map(|e| e.id)
        .collect();
    drop(reg);
    let lost: Vec<&String> = tally
        .acked
        .iter()
        .filter(|id| !logged.contains(*id))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged evaluations are not in the log, e.g. {:?}",
        lost.len(),
        tally.acked.len(),
        &lost[..lost.len().min(5)]
    );
    let unique: BTreeSet<&String> = tally.acked.iter().collect();
    assert_eq!(unique.len(), tally.acked.len(), "an id was given twice");

    let verify: Value = serde_json::from_str(&ok(cli(f, &["audit", "verify", "--json"]))).unwrap();
    assert!(verify["records"].as_u64().unwrap() >= tally.acked.len() as u64);
    assert_eq!(registry_state(f), *registry_before, "the registry changed");
    let input = root().join("plugins/ningbo-port-v1/samples/example.request.json");
    let scored: Value = serde_json::from_str(&ok(cli(
        f,
        &[
            "--json",
            "score",
            "--model",
            "ningbo/port",
            "--input",
            input.to_str().unwrap(),
        ],
    )))
    .unwrap();
    assert_eq!(scored["score"], 811.75, "{scored}");
    logged.len()
}

/// The registry's versions and pins, as the CLI lists them.
fn registry_state(f: &Fixture) -> Value {
    let list = ok(cli(f, &["--json", "plugin", "list"]));
    serde_json::from_str(&list).unwrap()
}

/// Poll until a scoring is answered 200, for at most `within`.
fn comes_back(url: &str, token: &str, within: Duration) -> Duration {
    let mut body = serde_json::to_value(example("ningbo-port-v1")).unwrap();
    body["model"] = json!("ningbo/port");
    let body = body.to_string();
    let start = Instant::now();
    loop {
        let answer = try_call(
            "POST",
            &format!("{url}/v1/scores"),
            Some(token),
            Some("application/json"),
            Some(body.as_bytes()),
        );
        if let Ok((200, _)) = answer {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < within,
            "the service did not come back within {within:?}: last answer {answer:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn twenty_sigkills_under_load_lose_no_acknowledged_evaluation() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let f = rt.block_on(fixture(Backend::Sqlite, "faults-kill"));
    let token = rt.block_on(pinned_with_token(&f));
    let before = registry_state(&f);
    let listen = free_port();
    let url = format!("http://{listen}");
    let load = Load::start(&url, &token);
    let mut rng = Rng::new(20261130);
    let mut acked_at_kill = Vec::new();
    for cycle in 0..20 {
        let mut s = Server::start_on(&f, &listen);
        assert_eq!(s.url, url);
        // Somewhere between the first requests and a full second of load.
        let after = Duration::from_millis(50 + rng.below(1200));
        std::thread::sleep(after);
        s.kill();
        acked_at_kill.push((cycle, after));
    }
    // Once more, to answer what is asked after the last kill.
    let s = Server::start_on(&f, &listen);
    comes_back(&url, &token, Duration::from_secs(30));
    let tally = load.finish();
    drop(s);
    tally.only_200_or_503();
    assert!(
        tally.acked.len() >= 200,
        "too little load to mean anything: {tally:?}"
    );
    let logged = rt.block_on(nothing_acknowledged_was_lost(&f, &tally, &before));
    eprintln!(
        "20 kills: {} evaluations acknowledged, {} in the log (the rest were cut off before their answer), {} calls unanswered, statuses {:?}",
        tally.acked.len(),
        logged,
        tally.no_answer,
        tally.statuses
    );
}

/// Run `command` and fail with its output unless it succeeds.
fn run(command: &mut Command) -> String {
    let out = command.output().expect("runs");
    assert!(
        out.status.success(),
        "{command:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// Whether the fault tests that need root (a tmpfs mount) must run; if not
/// required and impossible, they say so and pass.
fn required() -> bool {
    std::env::var("SCOREHOST_REQUIRE_FAULTS").is_ok_and(|v| v == "1")
}

/// A small tmpfs, unmounted (and its mount point removed) on drop.
struct SmallDisk(PathBuf);

impl SmallDisk {
    fn mount(name: &str, size: &str) -> Option<SmallDisk> {
        let dir = std::env::temp_dir().join(format!("scorehost-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if mounted {
            Some(SmallDisk(dir))
        } else {
            let _ = std::fs::remove_dir(&dir);
            assert!(
                !required(),
                "SCOREHOST_REQUIRE_FAULTS=1 but a tmpfs cannot be mounted (run as root)"
            );
            eprintln!("note: cannot mount a tmpfs (not root?); the disk-full test is skipped");
            None
        }
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Fill the disk holding `dir` to the last byte, with one file.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write as _;
    let ballast = dir.join("ballast");
    let mut file = std::fs::File::create(&ballast).unwrap();
    let chunk = vec![0xAAu8; 64 * 1024];
    loop {
        match file.write(&chunk) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) if e.raw_os_error() == Some(28) => break,
            Err(e) => panic!("filling {}: {e}", ballast.display()),
        }
    }
    // And the last partial chunks.
    let mut small = vec![0xAAu8; 512];
    while !small.is_empty() {
        match file.write(&small) {
            Ok(n) if n > 0 => {}
            _ => small.truncate(small.len() / 2),
        }
    }
    let _ = file.sync_all();
    ballast
}

#[test]
fn a_full_disk_answers_503_stores_nothing_half_and_recovers_when_freed() {
    let Some(disk) = SmallDisk::mount("full", "96m") else {
        return;
    };
    let f = Fixture {
        data_dir: disk.0.join("data"),
        db: None,
        backend: Backend::Sqlite,
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let token = rt.block_on(pinned_with_token(&f));
    let before = registry_state(&f);
    let mut s = Server::start_on(&f, &free_port());
    comes_back(&s.url, &token, Duration::from_secs(30));

    let load = Load::start(&s.url, &token);
    std::thread::sleep(Duration::from_millis(500));
    let ballast = fill(&disk.0);
    // Long enough for the log's file to outgrow what it had.
    let full_since = Instant::now();
    std::thread::sleep(Duration::from_secs(4));
    let (status, health) =
        try_call("GET", &format!("{}/healthz", s.url), None, None, None).unwrap();
    std::fs::remove_file(&ballast).unwrap();
    let back_after = comes_back(&s.url, &token, Duration::from_secs(30));
    std::thread::sleep(Duration::from_millis(500));
    let tally = load.finish();
    assert!(
        s.child.try_wait().unwrap().is_none(),
        "the server died of a full disk"
    );
    s.stop();

    let refused = tally.refused_as_unavailable("the disk full");
    assert_eq!(tally.no_answer, 0, "every call got an answer");
    let logged = rt.block_on(nothing_acknowledged_was_lost(&f, &tally, &before));
    eprintln!(
        "disk full for {:?}: {} answered 503 unavailable, {} acknowledged (all {} in the log), health {status} {health}, back {back_after:?} after freeing",
        full_since.elapsed(),
        refused,
        tally.acked.len(),
        logged
    );
}

/// `scripts/postgres.sh` on its own port: a server of the fault test's
/// own, which it may stop without disturbing the other tests' server.
fn postgres(command: &str) -> String {
    run(Command::new(root().join("scripts/postgres.sh"))
        .arg(command)
        .env("SCOREHOST_PG_PORT", "25499"))
    .trim()
    .to_string()
}

#[test]
fn postgresql_stopped_under_load_answers_503_and_service_resumes_by_itself() {
    if std::env::var("SCOREHOST_TEST_POSTGRES_URL").is_err() {
        assert!(
            !std::env::var("SCOREHOST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1"),
            "SCOREHOST_REQUIRE_POSTGRES=1 but no PostgreSQL"
        );
        eprintln!("note: no PostgreSQL (SCOREHOST_TEST_POSTGRES_URL); skipped");
        return;
    }
    struct Cluster;
    impl Drop for Cluster {
        fn drop(&mut self) {
            postgres("destroy");
        }
    }
    let admin = postgres("start");
    let _cluster = Cluster;
    let base = admin.rsplit_once('/').unwrap().0.to_string();
    let data_dir =
        std::env::temp_dir().join(format!("scorehost-test-pgfault-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data_dir);
    let f = Fixture {
        data_dir,
        db: Some(format!("{base}/postgres")),
        backend: Backend::Postgres,
    };
    let rt = tokio::runtime::Runtime::new().unwrap();
    let token = rt.block_on(pinned_with_token(&f));
    let before = registry_state(&f);
    let mut s = Server::start_on(&f, &free_port());
    comes_back(&s.url, &token, Duration::from_secs(30));

    let load = Load::start(&s.url, &token);
    std::thread::sleep(Duration::from_secs(1));
    postgres("stop");
    std::thread::sleep(Duration::from_secs(3));
    let (status, _) = try_call("GET", &format!("{}/healthz", s.url), None, None, None).unwrap();
    assert_eq!(status, 503, "health while the database is down");
    postgres("resume");
    let back_after = comes_back(&s.url, &token, Duration::from_secs(30));
    std::thread::sleep(Duration::from_secs(1));
    let tally = load.finish();
    assert!(s.child.try_wait().unwrap().is_none(), "the server died");
    s.stop();

    let refused = tally.refused_as_unavailable("the database down");
    let logged = rt.block_on(nothing_acknowledged_was_lost(&f, &tally, &before));
    eprintln!(
        "postgres stopped for 3 s: {refused} answered 503 unavailable, {} acknowledged (all {logged} in the log), back {back_after:?} after restart",
        tally.acked.len(),
    );
}
