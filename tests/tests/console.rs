//! The console in a real browser: Debian's Chromium, driven through
//! chromedriver (WebDriver), against the real `scorehost demo`.
//!
//! A reviewer signs in with the demo's printed province token, opens the
//! submitted Fenghua 3.0.0, computes its impact (drawn: heat map and
//! distributions), confirms the hash and approves it; an auditor finds an
//! evaluation, sees its waterfall, replays it and downloads its inclusion
//! proof, which the CLI then checks offline, and verifies the log; an app
//! token is refused the review and audit pages by link and by URL; a form
//! posted without its CSRF token changes nothing; a revoked token's session
//! ends. Every page is screenshotted at 1280×800 in both languages into
//! `target/console-screenshots/`, and checked with axe-core (no serious or
//! critical violation).
//!
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (scripts/test.sh
//! installs Debian's `chromium` and `chromium-driver` when missing) and
//! axe-core at `target/axe/axe.min.js` (fetched by scripts/test.sh, pinned
//! by version and hash). Without them the test says so and passes, unless
//! `SCOREHOST_REQUIRE_BROWSER=1` (as in scripts/test.sh), where it fails.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use scorehost_tests::http::{Server, call};
use scorehost_tests::{root, run_on};
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn axe_path() -> PathBuf {
    std::env::var_os("SCOREHOST_AXE_JS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/axe/axe.min.js"))
}

/// Whether the browser parts are here; without them, skip (or fail when
/// they are required).
fn browser_available() -> bool {
    let present =
        Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() && axe_path().exists();
    if !present {
        assert!(
            std::env::var("SCOREHOST_REQUIRE_BROWSER").as_deref() != Ok("1"),
            "SCOREHOST_REQUIRE_BROWSER=1 but {CHROMIUM}, {CHROMEDRIVER} or {} is missing",
            axe_path().display()
        );
        eprintln!(
            "skipped: no Chromium, chromedriver or axe-core here (scripts/test.sh installs them)"
        );
    }
    present
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A process killed on drop.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The demo, and the tokens it printed.
struct Demo {
    demo: scorehost_tests::http::Demo,
    app: String,
    auditor: String,
    province: String,
}

fn start_demo() -> Demo {
    let demo = scorehost_tests::http::Demo::start("console", 300);
    assert!(
        demo.printed
            .contains(&format!("{}/console/", demo.server.url)),
        "the demo prints the console's address: {}",
        demo.printed
    );
    Demo {
        app: demo.secret("APP"),
        auditor: demo.secret("AUDITOR"),
        province: demo.secret("PROVINCE"),
        demo,
    }
}

/// Chromium under chromedriver, and the WebDriver client.
struct Browser {
    client: Client,
    _driver: Killed,
    profile: PathBuf,
    shots: PathBuf,
    base: String,
}

impl Drop for Browser {
    /// Ends chromedriver and every Chromium process of this profile (a
    /// failed test never closes its session, and Chromium would outlive
    /// chromedriver), then removes the profile.
    fn drop(&mut self) {
        let _ = self._driver.0.kill();
        let _ = self._driver.0.wait();
        let _ = Command::new("pkill")
            .arg("-f")
            .arg(self.profile.to_string_lossy().as_ref())
            .status();
        std::thread::sleep(Duration::from_millis(300));
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// One browser at a time: the tests of this file run in parallel threads,
/// and two Chromiums on two cores beside a demo starve each other.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn open_browser(base: &str) -> Browser {
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let port = free_port();
    let profile = std::env::temp_dir().join(format!(
        "scorehost-test-chromium-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&profile);
    // Chromium's own temporary files go inside the profile, which is
    // removed at the end, not loose in /tmp.
    let scratch = profile.join("tmp");
    std::fs::create_dir_all(&scratch).unwrap();
    let driver = Killed(
        Command::new(CHROMEDRIVER)
            .env("TMPDIR", &scratch)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": CHROMIUM,
            // As this machine's probe starts it: headless, no sandbox (root),
            // and nothing that reaches for the network.
            "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars",
                "--window-size=1280,800",
                format!("--user-data-dir={}", profile.join("data").display()),
            ]
        }),
    );
    let started = Instant::now();
    let client = loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => break c,
            Err(e) if started.elapsed() < Duration::from_secs(30) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("chromedriver did not start a browser: {e}"),
        }
    };
    // The viewport, not the window, is 1280×800: the window is made larger
    // by whatever the browser's own frame takes.
    let frame = client
        .execute(
            "return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight];",
            vec![],
        )
        .await
        .unwrap();
    let (fw, fh) = (
        frame[0].as_u64().unwrap_or(0),
        frame[1].as_u64().unwrap_or(0),
    );
    client
        .set_window_size(1280 + fw as u32, 800 + fh as u32)
        .await
        .unwrap();
    let shots = root().join("target/console-screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    Browser {
        client,
        _driver: driver,
        profile,
        shots,
        base: base.to_string(),
    }
}

impl Browser {
    async fn go(&self, path: &str) {
        self.client
            .goto(&format!("{}{path}", self.base))
            .await
            .unwrap();
    }

    async fn html(&self) -> String {
        self.client.source().await.unwrap()
    }

    async fn find(&self, css: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css} on the page: {e}"))
    }

    async fn has(&self, css: &str) -> bool {
        !self
            .client
            .find_all(Locator::Css(css))
            .await
            .unwrap()
            .is_empty()
    }

    async fn lang(&self) -> String {
        self.client
            .execute("return document.documentElement.lang;", vec![])
            .await
            .unwrap()
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Switch the language, back to this page (its query too).
    async fn set_lang(&self, code: &str) {
        let url = self.client.current_url().await.unwrap();
        let back = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_string(),
        };
        let back: String = back
            .bytes()
            .map(|b| match b {
                b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        self.go(&format!("/console/lang/{code}?back={back}")).await;
    }

    /// axe-core on the page: no serious or critical violation.
    async fn accessible(&self, page: &str) {
        let axe = std::fs::read_to_string(axe_path()).unwrap();
        self.client.execute(&axe, vec![]).await.unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];\
                 axe.run(document, {resultTypes: ['violations']}).then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length, target: v.nodes[0] && v.nodes[0].target})))).catch(e => done([{id: 'axe-error', impact: 'critical', help: String(e)}]));",
                vec![],
            )
            .await
            .unwrap();
        let bad: Vec<&Value> = result
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .collect();
        assert!(bad.is_empty(), "{page}: axe finds {bad:#?}");
    }

    /// Screenshot the page in both languages (and check each with axe),
    /// then return to Chinese.
    async fn shoot(&self, name: &str) {
        self.shoot_at(name, &[]).await
    }

    /// As [`Browser::shoot`], and also with each of `sections` (CSS
    /// selectors) scrolled to the top, as `NAME-SECTION-LANG.png`.
    async fn shoot_at(&self, name: &str, sections: &[(&str, &str)]) {
        for code in ["zh", "en"] {
            self.set_lang(code).await;
            let want = if code == "zh" { "zh-CN" } else { "en" };
            assert_eq!(self.lang().await, want, "{name}: <html lang>");
            self.accessible(&format!("{name} ({code})")).await;
            let png = self.client.screenshot().await.unwrap();
            std::fs::write(self.shots.join(format!("{name}-{code}.png")), png).unwrap();
            for (part, css) in sections {
                // Charts draw once their script has run: wait for them.
                self.wait_for(&format!("{css} canvas[data-drawn='1']"), 20)
                    .await;
                self.client
                    .execute(
                        "document.querySelector(arguments[0]).scrollIntoView();",
                        vec![json!(css)],
                    )
                    .await
                    .unwrap();
                let png = self.client.screenshot().await.unwrap();
                std::fs::write(self.shots.join(format!("{name}-{part}-{code}.png")), png).unwrap();
            }
        }
        self.set_lang("zh").await;
    }

    async fn sign_in(&self, token: &str) {
        self.client.delete_all_cookies().await.unwrap();
        self.go("/console/").await;
        self.find("#token").await.send_keys(token).await.unwrap();
        self.find("form[action='/console/sign-in'] button")
            .await
            .click()
            .await
            .unwrap();
        self.find("form[action='/console/sign-out']").await;
    }

    async fn cookie(&self) -> String {
        self.client
            .get_named_cookie("scorehost_console")
            .await
            .unwrap()
            .value()
            .to_string()
    }

    /// Wait until the text of `css` is `want` (through a page load: an
    /// element of the page that is going away is read again), or fail.
    async fn wait_text(&self, css: &str, want: &str, secs: u64) {
        let start = Instant::now();
        loop {
            let mut text = None;
            if let Ok(found) = self.client.find_all(Locator::Css(css)).await
                && let Some(e) = found.first()
            {
                text = e.text().await.ok();
            }
            if text.as_deref() == Some(want) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "{css} is {text:?}, not {want:?}, after {secs} s"
            );
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Wait until `css` is on the page (reloading it), or fail after `secs`.
    async fn wait_for(&self, css: &str, secs: u64) {
        let start = Instant::now();
        while !self.has(css).await {
            assert!(
                start.elapsed() < Duration::from_secs(secs),
                "{css} did not appear within {secs} s: {}",
                self.html().await
            );
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }
}

/// A form post with the session cookie but no CSRF token.
fn post_without_csrf(base: &str, path: &str, cookie: &str, body: &str) -> u16 {
    match ureq::post(&format!("{base}{path}"))
        .set("Cookie", &format!("scorehost_console={cookie}"))
        .set("Content-Type", "application/x-www-form-urlencoded")
        .send_string(body)
    {
        Ok(r) => r.status(),
        Err(ureq::Error::Status(s, _)) => s,
        Err(e) => panic!("{path}: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reviewers_and_auditors_do_their_work_in_a_real_browser() {
    if !browser_available() {
        return;
    }
    let _one = ONE_BROWSER.lock().await;
    let demo = start_demo();
    let base = demo.demo.server.url.clone();
    let base_url = base.clone();
    let b = open_browser(&base).await;

    let (status, me) = call(
        "GET",
        &format!("{base}/v1/me"),
        Some(&demo.province),
        None,
        None,
    );
    assert_eq!(status, 200, "{me}");
    let province_token_id = me["token"].as_str().unwrap().to_string();

    // Signing in: the page is Chinese by default.
    b.go("/console/").await;
    assert_eq!(b.lang().await, "zh-CN");
    assert!(
        b.html().await.contains("登录"),
        "the sign-in page speaks Chinese"
    );
    b.shoot("sign-in").await;
    // A bad token is refused, and nothing is signed in.
    b.find("#token")
        .await
        .send_keys("not-a-token")
        .await
        .unwrap();
    b.find("form[action='/console/sign-in'] button")
        .await
        .click()
        .await
        .unwrap();
    assert!(!b.has("form[action='/console/sign-out']").await);

    // The reviewer; the page header names the person the token was issued
    // to, as the records of their actions do.
    b.sign_in(&demo.province).await;
    let identity = b.find(".identity").await.text().await.unwrap();
    assert!(
        identity.contains("Demo Reviewer Zhang"),
        "the header names the person: {identity}"
    );
    // The overview: the demo's baseline evaluations, drawn per model per day.
    let total: u64 = b
        .find("[data-test=total]")
        .await
        .text()
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        total > 0,
        "the province's overview counts the demo's evaluations"
    );
    b.wait_for("canvas#overview-chart[data-drawn='1']", 20)
        .await;
    b.shoot("home-reviewer").await;
    b.go("/console/review").await;
    b.find("a[href='/console/review/fenghua/tourism/3.0.0']")
        .await;
    // The queue says where each waiting version's four-eyes review stands.
    assert_eq!(
        b.find("[data-test=approvals-count]")
            .await
            .text()
            .await
            .unwrap(),
        "0 / 2"
    );
    // A benefit scenario proposed by another person waits in the queue
    // with its definition and SHA-256; the reviewer confirms the hash and
    // approves it: one of two.
    let author = run_on(
        &demo.demo.data_dir,
        &[
            "token",
            "create",
            "--role",
            "province",
            "--person",
            "Console Author Chen",
        ],
    );
    let (status, proposed) = scorehost_tests::http::put_json(
        &demo.demo.server,
        "/v1/scenarios/console-trial",
        author.trim(),
        &serde_json::json!({"title": "console trial", "model": "hangzhou/qianjiang", "min_score": 600}),
    );
    assert_eq!(status, 202, "{proposed}");
    let def_sha = proposed["sha256"].as_str().unwrap().to_string();
    b.go("/console/review").await;
    assert_eq!(
        b.find("[data-test=definition-name]")
            .await
            .text()
            .await
            .unwrap(),
        "console-trial"
    );
    assert_eq!(
        b.find("[data-test=definition-approvals]")
            .await
            .text()
            .await
            .unwrap(),
        "0 / 2"
    );
    b.shoot("review-queue").await;
    b.find("#definitions input[name=sha256]")
        .await
        .send_keys(&def_sha)
        .await
        .unwrap();
    b.find("[data-test=approve-definition]")
        .await
        .click()
        .await
        .unwrap();
    b.wait_text("[data-test=definition-approvals]", "1 / 2", 10)
        .await;
    assert!(
        b.find("[data-test=definition-approvers]")
            .await
            .text()
            .await
            .unwrap()
            .contains("Demo Reviewer Zhang")
    );
    b.find("a[href='/console/review/fenghua/tourism/3.0.0']")
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(
        b.find("[data-test=status]").await.text().await.unwrap(),
        "submitted"
    );
    let sha = b.find("[data-test=sha256]").await.text().await.unwrap();
    assert_eq!(sha.len(), 64);
    // What the model declares it does whatever the points, with its source.
    let consequences = b
        .find("[data-test=consequences]")
        .await
        .text()
        .await
        .unwrap();
    for want in ["base:poor", "list:black", "key-supervision", "L68"] {
        assert!(consequences.contains(want), "{want}: {consequences}");
    }
    // The impact, computed in the background, then drawn.
    b.find("[data-test=impact-start]")
        .await
        .click()
        .await
        .unwrap();
    b.wait_for("[data-test=compared]", 180).await;
    let compared: u64 = b
        .find("[data-test=compared]")
        .await
        .text()
        .await
        .unwrap()
        .parse()
        .unwrap();
    assert!(compared > 0, "the impact compared some subjects");
    b.wait_for("canvas#impact-heatmap[data-drawn='1']", 20)
        .await;
    b.wait_for("canvas#impact-hist[data-drawn='1']", 20).await;
    b.shoot_at("review-version", &[("impact", "#impact")]).await;
    // A revoke posted without the CSRF token changes nothing.
    let cookie = b.cookie().await;
    assert_eq!(
        post_without_csrf(
            &base,
            "/console/review/fenghua/tourism/3.0.0/revoke",
            &cookie,
            "reason=forged"
        ),
        403
    );
    let (_, version) = call(
        "GET",
        &format!("{base}/v1/plugins/fenghua/tourism/versions/3.0.0"),
        Some(&demo.province),
        None,
        None,
    );
    // Nor does a key registered without it.
    assert_eq!(
        post_without_csrf(
            &base,
            "/console/keys/fenghua/add",
            &cookie,
            "public_key=ssh-ed25519+AAAAC3NzaC1lZDI1NTE5AAAAINfjqHtBw6WEOkZhfuEnpIJikzz6r1esIQuOaTdgubZ1"
        ),
        403
    );
    let (_, keys) = call(
        "GET",
        &format!("{base}/v1/namespaces/fenghua/keys"),
        Some(&demo.province),
        None,
        None,
    );
    assert_eq!(
        keys,
        json!([]),
        "the forged key registration changed nothing"
    );
    assert_eq!(
        version["status"], "submitted",
        "the forged revoke changed nothing"
    );
    // A wrong hash is refused by the API; the right one approves.
    b.find("#approve-sha")
        .await
        .send_keys(&"0".repeat(64))
        .await
        .unwrap();
    b.find("[data-test=approve]").await.click().await.unwrap();
    b.wait_for("p.error", 10).await;
    b.go("/console/review/fenghua/tourism/3.0.0").await;
    assert_eq!(
        b.find("[data-test=status]").await.text().await.unwrap(),
        "submitted"
    );
    b.find("#approve-sha").await.send_keys(&sha).await.unwrap();
    b.find("[data-test=approve]").await.click().await.unwrap();
    // Four eyes: this reviewer's approval is one of two; the version stays
    // submitted, and the page says who approved and what is still needed.
    // (The page before the approval said 2: wait for the new one.)
    b.wait_text("[data-test=needed]", "1", 10).await;
    assert_eq!(
        b.find("[data-test=status]").await.text().await.unwrap(),
        "submitted"
    );
    let approvals = b.find("[data-test=approvals]").await.text().await.unwrap();
    assert!(approvals.contains("Demo Reviewer Zhang"), "{approvals}");
    assert!(!b.has("[data-test=pin]").await, "one reviewer cannot pin");
    let signature = b.find("[data-test=signature]").await.text().await.unwrap();
    assert!(
        signature.contains("未签名") || signature.contains("Unsigned"),
        "the demo's modules are unsigned: {signature}"
    );
    b.shoot("review-four-eyes").await;
    // A second person of the province approves (through the API); then
    // the version is approved and may be pinned.
    let second = run_on(
        &demo.demo.data_dir,
        &[
            "token",
            "create",
            "--role",
            "province",
            "--person",
            "Second Reviewer",
        ],
    );
    let (status, body) = call(
        "POST",
        &format!("{base}/v1/plugins/fenghua/tourism/versions/3.0.0/approve"),
        Some(second.trim()),
        Some("application/json"),
        Some(json!({ "sha256": sha }).to_string().as_bytes()),
    );
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("approved")),
        "{body}"
    );
    b.go("/console/review/fenghua/tourism/3.0.0").await;
    b.wait_for("[data-test=pin]", 10).await;
    assert_eq!(
        b.find("[data-test=status]").await.text().await.unwrap(),
        "approved"
    );
    let approvals = b.find("[data-test=approvals]").await.text().await.unwrap();
    assert!(approvals.contains("Second Reviewer"), "{approvals}");
    // Shadow it, then stop: the form asks for the hash too.
    b.find("#shadow-sha").await.send_keys(&sha).await.unwrap();
    b.find("[data-test=shadow]").await.click().await.unwrap();
    b.find("[data-test=unshadow]").await.click().await.unwrap();
    b.find("[data-test=shadow]").await;
    // Each action is an audit record naming the reviewer's token.
    let db = demo.demo.data_dir.join("registry.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=ro", db.display()))
        .await
        .unwrap();
    for action in ["approve", "shadow", "unshadow", "impact"] {
        let records: Vec<(String,)> = sqlx::query_as(&format!(
            "SELECT record FROM audit_log WHERE kind = 'registry' AND record LIKE '%\"action\":\"{action}\"%' AND record LIKE '%fenghua/tourism@3.0.0%'"
        ))
        .fetch_all(&pool)
        .await
        .unwrap();
        assert!(!records.is_empty(), "no {action} record");
        // The reviewer's own record (the second approval is another
        // person's, through the API): it names the token and the person.
        let mine = records
            .iter()
            .map(|r| &r.0)
            .find(|r| r.contains(&format!("\"token\":\"{province_token_id}\"")));
        assert!(
            mine.is_some_and(|r| r.contains("\"person\":\"Demo Reviewer Zhang\"")),
            "the {action} record names the token and the person: {records:?}"
        );
    }
    pool.close().await;

    // The dispute officer and the publisher: a record furnished by
    // publisher:ningbo is disputed; the province forwards it from the
    // queue and sees the source's deadline; the publisher answers it.
    const FIRM: &str = "91330200MA2CONS01X";
    let ningbo = run_on(
        &demo.demo.data_dir,
        &["token", "create", "--role", "publisher:ningbo"],
    )
    .trim()
    .to_string();
    let firm_base = serde_json::json!({"subject_id": FIRM, "kind": "enterprise", "score": 812.5, "grade": "B", "source": "province"});
    let (status, report) = call(
        "POST",
        &format!("{base_url}/v1/data/bases"),
        Some(&demo.province),
        Some("application/x-ndjson"),
        Some(format!("{firm_base}\n").as_bytes()),
    );
    assert_eq!(status, 200, "{report}");
    let records = scorehost_tests::ningbo_records(FIRM, true);
    let (status, report) = call(
        "POST",
        &format!("{base_url}/v1/data/indicators"),
        Some(&ningbo),
        Some("application/x-ndjson"),
        Some(records.as_bytes()),
    );
    assert_eq!(status, 200, "{report}");
    let overdue: Value = records
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["name"] == "overdue_debts")
        .unwrap();
    let (status, filed) = call(
        "POST",
        &format!("{base_url}/v1/disputes"),
        Some(&demo.province),
        Some("application/json"),
        Some(
            serde_json::json!({"subject_id": FIRM, "indicator": "overdue_debts", "observed_on": overdue["observed_on"], "reason": "the debt was never ours"})
                .to_string()
                .as_bytes(),
        ),
    );
    assert_eq!(status, 201, "{filed}");
    let dispute_id = filed["id"].as_str().unwrap().to_string();
    b.sign_in(&demo.province).await;
    b.go("/console/disputes").await;
    b.find(&format!("a[href='/console/disputes/{dispute_id}']"))
        .await;
    b.shoot("disputes-queue").await;
    b.find(&format!("a[href='/console/disputes/{dispute_id}']"))
        .await
        .click()
        .await
        .unwrap();
    assert_eq!(
        b.find("[data-test=dispute-state]")
            .await
            .text()
            .await
            .unwrap(),
        "open"
    );
    b.find("#check-note")
        .await
        .send_keys("the source must verify")
        .await
        .unwrap();
    b.find("[data-test=check]").await.click().await.unwrap();
    b.wait_text("[data-test=dispute-state]", "forwarded", 10)
        .await;
    let answer_due = b.find("[data-test=answer-due]").await.text().await.unwrap();
    assert_eq!(
        answer_due.len(),
        10,
        "the source's deadline is shown: {answer_due}"
    );
    assert!(!b.has("[data-test=check]").await, "no second check");
    b.shoot("dispute").await;
    // The publisher sees it among the disputes of what it furnished, answers.
    b.sign_in(&ningbo).await;
    assert!(!b.has("a[href='/console/review']").await);
    assert!(!b.has("a[href='/console/audit']").await);
    b.go("/console/disputes").await;
    b.find(&format!("a[href='/console/disputes/{dispute_id}']"))
        .await
        .click()
        .await
        .unwrap();
    b.find("#answer-note")
        .await
        .send_keys("verified: the record stands")
        .await
        .unwrap();
    b.find("[data-test=answer]").await.click().await.unwrap();
    b.wait_text("[data-test=dispute-state]", "closed", 10).await;
    b.shoot("dispute-answered").await;
    for path in [
        "/console/review",
        "/console/keys",
        "/console/audit",
        "/console/audit/log",
    ] {
        b.go(path).await;
        assert!(
            b.html().await.contains("403"),
            "{path} is refused to a publisher"
        );
    }
    // A publisher uploads a module; it is checked, shown with its status,
    // and waits in the reviewer's queue. Another namespace's version page
    // is refused.
    let tester = run_on(
        &demo.demo.data_dir,
        &["token", "create", "--role", "publisher:test"],
    )
    .trim()
    .to_string();
    b.sign_in(&tester).await;
    b.go("/console/publish").await;
    b.find("#up-name")
        .await
        .send_keys("versioned")
        .await
        .unwrap();
    b.find("#up-version")
        .await
        .send_keys("1.0.0")
        .await
        .unwrap();
    let module = scorehost_tests::component("guest-versioned-v1");
    b.find("#up-file")
        .await
        .send_keys(module.to_str().unwrap())
        .await
        .unwrap();
    b.shoot("publish").await;
    b.go("/console/publish").await;
    b.find("#up-name")
        .await
        .send_keys("versioned")
        .await
        .unwrap();
    b.find("#up-version")
        .await
        .send_keys("1.0.0")
        .await
        .unwrap();
    b.find("#up-file")
        .await
        .send_keys(module.to_str().unwrap())
        .await
        .unwrap();
    b.find("[data-test=upload]").await.click().await.unwrap();
    b.wait_for("[data-test=status]", 60).await;
    assert_eq!(
        b.client.current_url().await.unwrap().path(),
        "/console/review/test/versioned/1.0.0"
    );
    assert_eq!(
        b.find("[data-test=status]").await.text().await.unwrap(),
        "submitted"
    );
    assert!(
        !b.has("[data-test=approve]").await,
        "a publisher cannot approve"
    );
    b.shoot("publish-version").await;
    b.go("/console/review/fenghua/tourism/3.0.0").await;
    assert!(
        b.html().await.contains("403"),
        "another namespace's version is refused"
    );
    b.sign_in(&demo.province).await;
    b.go("/console/review").await;
    b.find("a[href='/console/review/test/versioned/1.0.0']")
        .await;
    // Both steps are records naming their tokens.
    let (_, me) = call(
        "GET",
        &format!("{base_url}/v1/me"),
        Some(&ningbo),
        None,
        None,
    );
    let pool = sqlx::SqlitePool::connect(&format!(
        "sqlite://{}?mode=ro",
        demo.demo.data_dir.join("registry.db").display()
    ))
    .await
    .unwrap();
    for (action, token) in [
        ("dispute-check", province_token_id.clone()),
        ("dispute-answer", me["token"].as_str().unwrap().to_string()),
    ] {
        let records: Vec<(String,)> = sqlx::query_as(&format!(
            "SELECT record FROM audit_log WHERE record LIKE '%\"action\":\"{action}\"%' AND record LIKE '%{dispute_id}%'"
        ))
        .fetch_all(&pool)
        .await
        .unwrap();
        assert_eq!(records.len(), 1, "{action}");
        assert!(
            records[0].0.contains(&format!("\"token\":\"{token}\"")),
            "{action}: {}",
            records[0].0
        );
    }
    pool.close().await;

    // Signing keys: the reviewer registers a developer's key for a
    // namespace, sees it live, and revokes it with a reason.
    b.go("/console/keys").await;
    b.find("#key-ningbo")
        .await
        .send_keys("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAINfjqHtBw6WEOkZhfuEnpIJikzz6r1esIQuOaTdgubZ1 console test key")
        .await
        .unwrap();
    b.find("#label-ningbo")
        .await
        .send_keys("Ningbo port developers")
        .await
        .unwrap();
    b.find("#ns-ningbo [data-test=add-key]")
        .await
        .click()
        .await
        .unwrap();
    // The fingerprint `ssh-keygen -l` prints for that key.
    b.wait_text(
        "#ns-ningbo [data-test=fingerprint]",
        "SHA256:XofiR/D6Zj/+FcJZw/kkTg2z0pMpmPW0hf94YXWK0uE",
        10,
    )
    .await;
    b.shoot("signing-keys").await;
    b.find("#revoke-ningbo-1")
        .await
        .send_keys("laptop lost")
        .await
        .unwrap();
    b.find("#ns-ningbo [data-test=revoke-key]")
        .await
        .click()
        .await
        .unwrap();
    b.wait_text("#ns-ningbo [data-test=key-status]", "已撤销", 10)
        .await;
    let (_, keys) = call(
        "GET",
        &format!("{base_url}/v1/namespaces/ningbo/keys"),
        Some(&demo.auditor),
        None,
        None,
    );
    assert_eq!(keys[0]["revoked_reason"], "laptop lost", "{keys}");

    // The auditor.
    b.sign_in(&demo.auditor).await;
    assert!(
        !b.has("a[href='/console/keys']").await,
        "an auditor sees no signing-keys link"
    );
    assert!(
        !b.has("a[href='/console/review']").await,
        "an auditor sees no review link"
    );
    b.shoot("home-auditor").await;
    b.go("/console/audit?go=1&outcome=ok").await;
    b.find("[data-test=evaluation-link]").await;
    b.shoot("audit-search").await;
    b.go("/console/audit?go=1&outcome=ok").await;
    b.find("[data-test=evaluation-link]")
        .await
        .click()
        .await
        .unwrap();
    b.wait_for("canvas#waterfall[data-drawn='1']", 20).await;
    let evaluation_path = b.client.current_url().await.unwrap().path().to_string();
    b.find("[data-test=replay]").await.click().await.unwrap();
    b.wait_for("[data-test=identical]", 30).await;
    b.shoot_at("audit-evaluation", &[("waterfall", "#white-box")])
        .await;
    // Its proof, downloaded as the browser would (with the session), checks
    // offline with the CLI.
    let cookie = b.cookie().await;
    let proof = ureq::get(&format!("{base}{evaluation_path}/proof"))
        .set("Cookie", &format!("scorehost_console={cookie}"))
        .call()
        .unwrap();
    assert!(
        proof
            .header("Content-Disposition")
            .unwrap_or_default()
            .starts_with("attachment"),
        "the proof is a download"
    );
    let proof = proof.into_string().unwrap();
    let proof_file = demo.demo.data_dir.join("downloaded-proof.json");
    std::fs::write(&proof_file, &proof).unwrap();
    let (_, cp) = call(
        "GET",
        &format!("{base}/v1/log/checkpoint"),
        Some(&demo.auditor),
        None,
        None,
    );
    let checked = run_on(
        &demo.demo.data_dir,
        &[
            "audit",
            "proof",
            "--check",
            proof_file.to_str().unwrap(),
            "--public-key",
            cp["public_key"].as_str().unwrap(),
        ],
    );
    assert!(checked.contains("the proof verifies"), "{checked}");
    // The log: verify in the background.
    b.go("/console/audit/log").await;
    b.find("[data-test=verify]").await.click().await.unwrap();
    b.wait_for("[data-test=verified]", 120).await;
    b.shoot("audit-log").await;

    // An app operator: its grants, its own evaluations (not another app's),
    // each one's white box without the auditor's tools; no review or audit
    // links, and those pages refused by URL.
    let mut request = serde_json::to_value(scorehost_tests::example("ningbo-port-v1")).unwrap();
    request["model"] = "ningbo/port".into();
    let other = run_on(
        &demo.demo.data_dir,
        &[
            "token",
            "create",
            "--role",
            "app:other",
            "--models",
            "ningbo/port",
        ],
    )
    .trim()
    .to_string();
    let mut ids = Vec::new();
    for token in [&demo.app, &other] {
        let (status, scored) = call(
            "POST",
            &format!("{base_url}/v1/scores"),
            Some(token),
            Some("application/json"),
            Some(request.to_string().as_bytes()),
        );
        assert_eq!(status, 200, "{scored}");
        ids.push(scored["evaluation_id"].as_str().unwrap().to_string());
    }
    // Searches never write: the service's indexer reads new records into
    // the search index within a second. Wait until it has these.
    let seq: u64 = ids[1].split('-').next().unwrap().parse().unwrap();
    let started = Instant::now();
    loop {
        let (_, found) = call(
            "GET",
            &format!("{base_url}/v1/evaluations?limit=1"),
            Some(&demo.auditor),
            None,
            None,
        );
        if found["indexed"].as_u64().unwrap_or(0) > seq {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the indexer did not reach record {seq}: {found}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    b.sign_in(&demo.app).await;
    assert_eq!(
        b.find("[data-test=total]").await.text().await.unwrap(),
        "1",
        "an app's overview counts only its own evaluation"
    );
    // A batch run of each app's.
    let mut batches = Vec::new();
    for token in [&demo.app, &other] {
        let (status, run) = call(
            "POST",
            &format!("{base_url}/v1/batches"),
            Some(token),
            Some("application/json"),
            Some(
                serde_json::json!({"model": "ningbo/port", "subjects": [FIRM]})
                    .to_string()
                    .as_bytes(),
            ),
        );
        assert_eq!(status, 202, "{run}");
        batches.push(run["id"].as_str().unwrap().to_string());
    }
    assert!(!b.has("a[href='/console/review']").await);
    assert!(!b.has("a[href='/console/audit']").await);
    b.shoot("home-app").await;
    b.go("/console/app").await;
    assert!(
        b.find("[data-test=granted-models]")
            .await
            .text()
            .await
            .unwrap()
            .contains("ningbo/port")
    );
    b.wait_for(
        &format!("a[href='/console/app/evaluations/{}']", ids[0]),
        10,
    )
    .await;
    assert!(
        !b.html().await.contains(&ids[1]),
        "another app's evaluation is not listed"
    );
    let own: Vec<String> = {
        let mut v = Vec::new();
        for e in b
            .client
            .find_all(Locator::Css("[data-test=own-batch]"))
            .await
            .unwrap()
        {
            v.push(e.text().await.unwrap());
        }
        v
    };
    assert_eq!(own, vec![batches[0].clone()], "only its own batch run");
    b.shoot("app").await;
    b.go(&format!("/console/app/evaluations/{}", ids[0])).await;
    b.wait_for("canvas#waterfall[data-drawn='1']", 20).await;
    assert!(
        !b.has("[data-test=replay]").await,
        "an app has no replay button"
    );
    b.shoot("app-evaluation").await;
    b.go(&format!("/console/app/evaluations/{}", ids[1])).await;
    assert!(
        b.html().await.contains("404"),
        "another app's evaluation is not found"
    );
    b.go("/console/disputes").await;
    assert!(
        b.html().await.contains("403"),
        "the disputes are refused to an app"
    );
    for path in [
        "/console/review",
        "/console/review/fenghua/tourism/3.0.0",
        "/console/keys",
        "/console/audit",
        "/console/audit/log",
        &evaluation_path,
    ] {
        b.go(path).await;
        assert!(
            b.html().await.contains("403"),
            "{path} is refused to an app: {}",
            b.html().await
        );
    }
    b.go("/console/review").await;
    b.shoot("forbidden").await;

    // A revoked token's session ends.
    let secret = run_on(
        &demo.demo.data_dir,
        &[
            "token",
            "create",
            "--role",
            "province",
            "--person",
            "Test Operator",
        ],
    )
    .trim()
    .to_string();
    let (_, me) = call("GET", &format!("{base}/v1/me"), Some(&secret), None, None);
    b.sign_in(&secret).await;
    b.go("/console/review").await;
    b.find("a[href='/console/review/fenghua/tourism/3.0.0']")
        .await;
    run_on(
        &demo.demo.data_dir,
        &["token", "revoke", me["token"].as_str().unwrap()],
    );
    // The API trusts a token lookup for a second (REGISTRY_CACHE_TTL).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    b.go("/console/review").await;
    b.wait_for("#token", 10).await;
    assert!(
        b.html().await.contains("会话已结束"),
        "the page says the session ended"
    );
    b.go("/console/review").await;
    b.find("#token").await;

    b.client.clone().close().await.unwrap();
}

/// The console over plain HTTP, no browser: what every response carries
/// (the CSP without `unsafe-inline`, the cookie's flags), the sign-in's own
/// CSRF check, the API's bad-token throttle on sign-in, and no redirect
/// out of the console.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_console_is_guarded_like_the_api() {
    let f = scorehost_tests::fixture(scorehost_tests::Backend::Sqlite, "console-guards").await;
    let auditor = scorehost_tests::token(&f, "auditor", "");
    let s = Server::start(&f);
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let get = |path: &str, cookie: Option<&str>| {
        let mut r = agent.get(&format!("{}{path}", s.url));
        if let Some(c) = cookie {
            r = r.set("Cookie", c);
        }
        match r.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{path}: {e}"),
        }
    };
    let post = |path: &str, cookie: &str, form: &[(&str, &str)]| match agent
        .post(&format!("{}{path}", s.url))
        .set("Cookie", cookie)
        .send_form(form)
    {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{path}: {e}"),
    };
    // Every page: a CSP without unsafe-inline, no framing, no sniffing.
    let page = get("/console/", None);
    let csp = page.header("Content-Security-Policy").unwrap().to_string();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.header("X-Content-Type-Options"), Some("nosniff"));
    let pre_cookie = page
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("scorehost_console_sign_in="))
        .unwrap()
        .to_string();
    assert!(
        pre_cookie.contains("HttpOnly") && pre_cookie.contains("SameSite=Strict"),
        "{pre_cookie}"
    );
    let pre = pre_cookie
        .trim_start_matches("scorehost_console_sign_in=")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let html = page.into_string().unwrap();
    assert!(html.contains("<html lang=\"zh-CN\">"), "Chinese by default");
    assert!(
        !html.contains("<script>") && !html.contains("style=\""),
        "no inline script or style"
    );
    // A sign-in without the form's CSRF token is refused, even with a good token.
    let r = post("/console/sign-in", "", &[("token", &auditor)]);
    assert_eq!(r.status(), 403);
    assert!(r.header("set-cookie").is_none(), "no session");
    // A good token signs in: the session cookie is HttpOnly, SameSite=Strict, with an expiry.
    let jar = format!("scorehost_console_sign_in={pre}");
    let r = post(
        "/console/sign-in",
        &jar,
        &[("csrf", &pre), ("token", &auditor)],
    );
    assert_eq!(r.status(), 303);
    let session = r
        .all("set-cookie")
        .into_iter()
        .find(|c| c.starts_with("scorehost_console="))
        .unwrap()
        .to_string();
    for flag in ["HttpOnly", "SameSite=Strict", "Max-Age=", "Path=/console/"] {
        assert!(session.contains(flag), "{flag} in {session}");
    }
    assert!(
        !session.contains(&auditor),
        "the token never goes to the browser"
    );
    let cookie = session.split(';').next().unwrap().to_string();
    assert_eq!(get("/console/audit", Some(&cookie)).status(), 200);
    // A signed-in auditor announcing a 30 MiB module upload is refused
    // before any of the body is read: the answer comes though no byte of
    // it was sent (the server would otherwise wait to buffer it).
    {
        use std::io::{Read as _, Write as _};
        let mut tcp = std::net::TcpStream::connect(s.addr()).unwrap();
        tcp.set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        write!(
            tcp,
            "POST /console/publish/x/1.0.0 HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nContent-Type: application/wasm\r\nContent-Length: 31457280\r\n\r\n"
        )
        .unwrap();
        let mut answer = [0u8; 64];
        let n = tcp.read(&mut answer).expect("an answer before the body");
        let head = String::from_utf8_lossy(&answer[..n]).to_string();
        assert!(head.starts_with("HTTP/1.1 403"), "{head}");
    }
    // The auditor may not open the reviewer's pages.
    assert_eq!(get("/console/review", Some(&cookie)).status(), 403);
    // Sign-out needs the CSRF token too; without it the session lives on.
    assert_eq!(post("/console/sign-out", &cookie, &[]).status(), 403);
    assert_eq!(get("/console/audit", Some(&cookie)).status(), 200);
    // The language switch goes back only into the console.
    for back in [
        "https://evil.example/",
        "//evil.example/",
        "/console/..//evil",
        "/v1/me",
    ] {
        let r = get(&format!("/console/lang/en?back={back}"), None);
        assert_eq!(r.header("Location"), Some("/console/"), "{back}");
    }
    // Guessing tokens at the sign-in form is throttled like the API: after
    // FREE_FAILURES bad tokens this address gets 429, a good token too.
    let mut statuses = Vec::new();
    for _ in 0..=scorehost_server::auth::FREE_FAILURES {
        statuses.push(
            post(
                "/console/sign-in",
                &jar,
                &[("csrf", &pre), ("token", "guess")],
            )
            .status(),
        );
    }
    assert_eq!(statuses.last(), Some(&429), "{statuses:?}");
    assert!(
        statuses[..statuses.len() - 1].iter().all(|s| *s == 401),
        "{statuses:?}"
    );
    let r = post(
        "/console/sign-in",
        &jar,
        &[("csrf", &pre), ("token", &auditor)],
    );
    assert_eq!(r.status(), 429, "while throttled, no token signs in");
}

/// A person signs in with their `subject:` token and sees their own
/// evaluations (the white box) and who read their records; the province
/// opens the person's page (which the person then sees as a read) and
/// erases them with a reason; a form without the CSRF token changes
/// nothing; a person cannot open another's page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn people_see_their_records_and_the_province_erases_them() {
    if !browser_available() {
        return;
    }
    let _one = ONE_BROWSER.lock().await;
    const A: &str = "91330200MA2AAAAA1X";
    let f = scorehost_tests::fixture(scorehost_tests::Backend::Sqlite, "console-people").await;
    scorehost_tests::pin_cli(
        &f,
        "ningbo-port-v1",
        "ningbo/port@1.0.0",
        "publisher:ningbo",
    );
    let app = scorehost_tests::token(&f, "app:bank", "ningbo/port");
    let province = scorehost_tests::token(&f, "province", "");
    let person = scorehost_tests::token_with(&f, &["--role", &format!("subject:{A}")]);
    let s = Server::start(&f);
    let mut request = serde_json::to_value(scorehost_tests::example("ningbo-port-v1")).unwrap();
    request["model"] = json!("ningbo/port");
    let (status, answer) = scorehost_tests::http::post_json(&s, "/v1/scores", Some(&app), &request);
    assert_eq!(status, 200, "{answer}");
    let b = open_browser(&s.url).await;

    // The person: their start page is their records.
    b.sign_in(&person).await;
    b.find("[data-test=evaluation-row]").await;
    let outcome = b.find("[data-test=outcome]").await.text().await.unwrap();
    assert!(outcome.contains("811.75"), "{outcome}");
    assert!(b.html().await.contains("app:bank"));
    b.find("[data-test=white-box] summary")
        .await
        .click()
        .await
        .unwrap();
    assert!(b.html().await.contains("tax_credit_grade"), "the white box");
    // Their first look is on the record once it has answered.
    b.go("/console/me").await;
    assert!(
        b.has("[data-test=read-row]").await,
        "their own listing is a read"
    );
    assert!(!b.has("[data-test=erase-subject]").await);
    b.shoot("my-records").await;
    // Another person's page is not theirs.
    b.go("/console/subjects/91330200MA2BBBBB2Y").await;
    assert!(!b.has("[data-test=evaluation-row]").await);

    // The province opens the person's page.
    b.sign_in(&province).await;
    b.go("/console/subjects").await;
    b.find("#id").await.send_keys(A).await.unwrap();
    b.find("[data-test=open-subject]")
        .await
        .click()
        .await
        .unwrap();
    b.find("[data-test=evaluation-row]").await;
    b.shoot("subject-records").await;
    // Without the CSRF token, nothing is erased.
    let path = format!("/console/subjects/{A}/erase");
    assert_eq!(
        post_without_csrf(&s.url, &path, &b.cookie().await, "reason=x"),
        403
    );
    b.go(&format!("/console/subjects/{A}")).await;
    assert!(b.has("[data-test=evaluation-row]").await);
    b.find("#erase-reason")
        .await
        .send_keys("PIPL art. 47 request 2029-017")
        .await
        .unwrap();
    b.find("[data-test=erase-subject]")
        .await
        .click()
        .await
        .unwrap();
    // Their evaluation, their token's record and every read of their
    // records so far: all of them name the person.
    let erased = b.find("[data-test=erased]").await.text().await.unwrap();
    let n: u64 = erased.rsplit(' ').next().unwrap().parse().unwrap();
    assert!(n >= 3, "{erased}");
    // The page after it reads nothing (opening the person's page would name
    // them again); theirs now shows nothing kept.
    b.go(&format!("/console/subjects/{A}")).await;
    assert!(b.has("[data-test=no-evaluations]").await);

    // The person's token went with them: it no longer signs in.
    b.client.delete_all_cookies().await.unwrap();
    b.go("/console/").await;
    b.find("#token").await.send_keys(&person).await.unwrap();
    b.find("form[action='/console/sign-in'] button")
        .await
        .click()
        .await
        .unwrap();
    assert!(!b.has("form[action='/console/sign-out']").await);
    drop(b);
    drop(s);
    let out = scorehost_tests::ok(scorehost_tests::cli(&f, &["audit", "verify"]));
    assert!(out.contains("verifies"), "{out}");
}
