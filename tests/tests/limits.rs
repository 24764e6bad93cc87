//! Every sandbox limit, hit through the real binary with a registered
//! (published, approved, pinned) model, is a typed fault that is recorded in
//! the audit log with its kind: `code` = `plugin_fault` and `fault` = the
//! limit (`fuel_exhausted`, `memory_exhausted`, `stack_overflow`,
//! `oversized_result`; and `trap`, `broken_white_box` for the other two ways
//! a plugin fails). The CLI exits 5, names the failure's evaluation record,
//! the log verifies, and every fault replays identically.
//!
//! A model that sleeps in a loop to outlast the wall clock cheaply is
//! stopped by fuel: on the sandbox's frozen clock a sleep is over at once.
//! The wall-clock backstop itself (`timeout`), which nothing a model can do
//! through the default limits reaches any more, is shown on the runtime with
//! fuel switched off (`hostile::endless_loop_with_unlimited_fuel_hits_the_wall_clock`).

use scorehost_tests::{Backend, approve_cli, cli, component, fixture, ok, sha256_file};

/// (package, model, fault kind, a phrase of the message).
const HOSTILE: [(&str, &str, &str, &str); 7] = [
    (
        "hostile-endless-loop",
        "test/endless-loop",
        "fuel_exhausted",
        "used up its fuel budget of 20000000",
    ),
    (
        "hostile-memory-bomb",
        "test/memory-bomb",
        "memory_exhausted",
        "over its limit of 16777216",
    ),
    (
        "hostile-deep-recursion",
        "test/deep-recursion",
        "stack_overflow",
        "overflowed its stack",
    ),
    (
        "hostile-wall-clock",
        "test/wall-clock",
        "fuel_exhausted",
        "used up its fuel budget of 20000000",
    ),
    (
        "hostile-oversized-result",
        "test/oversized-result",
        "oversized_result",
        "over the limit of 65536",
    ),
    ("hostile-panic", "test/panic", "trap", "the plugin trapped"),
    (
        "hostile-broken-whitebox",
        "test/broken-whitebox",
        "broken_white_box",
        "breaks the white box",
    ),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_limit_is_a_typed_fault_recorded_in_the_audit_log() {
    let f = fixture(Backend::Sqlite, "limits-audited").await;
    let input = f.data_dir.join("guest-request.json");
    std::fs::create_dir_all(&f.data_dir).unwrap();
    std::fs::write(
        &input,
        r#"{"subject":{"id":"91330100HOSTILE01X","kind":"enterprise"},"as_of":"2026-11-01","base":{"score":700.0,"grade":"B"},"indicators":[]}"#,
    )
    .unwrap();
    let input = input.display().to_string();
    let mut kinds = std::collections::BTreeSet::new();
    for (package, model, kind, phrase) in HOSTILE {
        let path = component(package);
        let sha = sha256_file(&path);
        let path = path.display().to_string();
        ok(cli(
            &f,
            &["plugin", "publish", &path, "--as", "publisher:test"],
        ));
        let version = format!("{model}@1.0.0");
        approve_cli(&f, &version, &sha);
        ok(cli(&f, &["plugin", "pin", &version, "--sha256", &sha]));

        let out = cli(&f, &["score", "--model", model, "--input", &input]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(
            out.status.code(),
            Some(5),
            "{model}: exit 5 (plugin fault): {err}"
        );
        assert!(err.contains(phrase), "{model}: {err}");
        let id = err
            .split("evaluation ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .unwrap_or_else(|| panic!("{model}: the failure names its record: {err}"))
            .trim_end_matches([')', '.', ',', ';']);

        let shown: serde_json::Value =
            serde_json::from_str(&ok(cli(&f, &["audit", "show", id, "--json"]))).unwrap();
        let record = &shown["record"];
        assert_eq!(record["kind"], "evaluation", "{model}");
        assert_eq!(record["model"]["name"], model);
        assert_eq!(record["model"]["sha256"], sha.as_str());
        let error = &record["outcome"]["error"];
        assert_eq!(error["code"], "plugin_fault", "{model}: {record}");
        assert_eq!(error["fault"], kind, "{model}: {record}");
        assert!(
            error["message"]
                .as_str()
                .unwrap_or_default()
                .contains(phrase),
            "{model}: {record}"
        );
        assert_eq!(shown["input"]["subject"]["id"], "91330100HOSTILE01X");
        kinds.insert(kind);

        // Every one of these limits is deterministic: the replay gives the
        // very same fault.
        let replay = ok(cli(&f, &["audit", "replay", id]));
        assert!(replay.contains("identical"), "{model}: {replay}");
    }
    // The endless loop and the sleeping loop share `fuel_exhausted`.
    assert_eq!(
        kinds.len(),
        HOSTILE.len() - 1,
        "each limit has its own fault kind"
    );
    let verify: serde_json::Value =
        serde_json::from_str(&ok(cli(&f, &["audit", "verify", "--json"]))).unwrap();
    // 3 registry actions and one evaluation per guest.
    // Each hostile model: publish, two approvals, the quorum, pin, score.
    assert_eq!(verify["records"], 6 * HOSTILE.len() as u64, "{verify}");
}
