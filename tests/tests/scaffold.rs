//! `scorehost plugin new`, end to end with the real binary: the scaffolded
//! crate passes its own tests, builds to a component that `inspect` and
//! `score --module` accept with the expected answer; bad names and
//! non-empty directories are refused with one clear sentence.
//!
//! The inner `cargo test` / `cargo build` run with
//! `CARGO_TARGET_DIR=<repo>/target/scaffold`: the SDK and its dependencies
//! are compiled there once and reused by every later run (only the freshly
//! generated crate is compiled again), and the shared target dir of the
//! workspace is left alone.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use scorehost_tests::root;

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A fresh, empty scratch directory for one test.
fn scratch(tag: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let d = std::env::temp_dir().join(format!(
        "scorehost-scaffold-{tag}-{}-{nanos}",
        std::process::id()
    ));
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

fn scorehost(args: &[&str], cwd: &Path) -> Output {
    scorehost_tests::command()
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("scorehost runs")
}

/// Cargo in the generated crate, with the scaffold target dir.
fn cargo(args: &[&str], crate_dir: &Path) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .args(args)
        .current_dir(crate_dir)
        .env("CARGO_TARGET_DIR", root().join("target/scaffold"))
        .output()
        .expect("cargo runs")
}

#[test]
fn a_scaffolded_plugin_tests_builds_and_scores() {
    let tmp = scratch("build");
    let dir = tmp.join("wenzhou-market");
    let dir_s = dir.display().to_string();
    let out = scorehost(
        &[
            "plugin",
            "new",
            "wenzhou-market",
            "--dir",
            &dir_s,
            "--title",
            "Wenzhou market credit",
        ],
        &tmp,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("model wenzhou/market@1.0.0"),
        "{}",
        text(&out.stdout)
    );
    for f in [
        "Cargo.toml",
        "src/lib.rs",
        "src/tests.rs",
        "README.md",
        "examples/request.json",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    // Outside any workspace: a workspace of its own, the SDK by absolute path.
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let sdk = root().join("sdk").canonicalize().unwrap();
    assert!(manifest.contains("\n[workspace]\n"), "{manifest}");
    assert!(manifest.contains("[profile.release]"), "{manifest}");
    assert!(
        manifest.contains(&format!(
            "scorehost-sdk = {{ path = \"{}\" }}",
            sdk.display()
        )),
        "{manifest}"
    );
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    for cmd in [
        "cargo build --target wasm32-wasip2 --release",
        "scorehost score --module target/wasm32-wasip2/release/wenzhou_market.wasm",
        "scorehost plugin publish",
    ] {
        assert!(readme.contains(cmd), "README lacks {cmd}");
    }

    let t = cargo(&["test"], &dir);
    assert!(t.status.success(), "cargo test: {}", text(&t.stderr));
    assert!(
        text(&t.stdout).contains("test result: ok. 5 passed"),
        "{}",
        text(&t.stdout)
    );

    let b = cargo(&["build", "--target", "wasm32-wasip2", "--release"], &dir);
    assert!(b.status.success(), "cargo build: {}", text(&b.stderr));
    let wasm = root().join("target/scaffold/wasm32-wasip2/release/wenzhou_market.wasm");
    let wasm_s = wasm.display().to_string();

    let i = scorehost(&["inspect", &wasm_s, "--json"], &dir);
    assert!(i.status.success(), "inspect: {}", text(&i.stderr));
    let info: serde_json::Value = serde_json::from_slice(&i.stdout).expect("inspect JSON");
    assert_eq!(info["model"]["name"], "wenzhou/market");
    assert_eq!(info["model"]["version"], "1.0.0");
    assert_eq!(info["model"]["title"], "Wenzhou market credit");
    assert_eq!(info["model"]["base_weight_bp"], 4000);
    let grades: Vec<&str> = info["model"]["grades"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["grade"].as_str().unwrap())
        .collect();
    assert_eq!(grades, ["A", "B", "C", "key-supervision"]);
    // The declared consequences travel from the SDK's export to the host.
    let declared: Vec<(&str, &str)> = info["model"]["consequences"]
        .as_array()
        .expect("consequences declared")
        .iter()
        .map(|c| (c["when"].as_str().unwrap(), c["grade"].as_str().unwrap()))
        .collect();
    assert_eq!(
        declared,
        [
            ("base:poor", "key-supervision"),
            ("list:black", "key-supervision")
        ]
    );

    let s = scorehost(
        &[
            "score",
            "--module",
            &wasm_s,
            "--input",
            "examples/request.json",
            "--json",
        ],
        &dir,
    );
    assert!(s.status.success(), "score: {}", text(&s.stderr));
    let e: serde_json::Value = serde_json::from_slice(&s.stdout).expect("score JSON");
    // 40 % of 750 = 300; 6 years × 20 = 120; 250 − 50 = 200; certified 150.
    assert_eq!(e["score"], 770.0);
    assert_eq!(e["grade"], "B");
    assert_eq!(e["model"]["name"], "wenzhou/market");
    assert_eq!(e["contributions"].as_array().unwrap().len(), 4);

    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn bad_names_existing_dirs_and_a_missing_sdk_are_refused() {
    let tmp = scratch("refuse");
    let fail = |args: &[&str], want: &str| {
        let out = scorehost(args, &tmp);
        assert!(!out.status.success(), "{args:?} succeeded");
        let err = text(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one sentence: {err}");
    };
    for bad in [
        "Wenzhou",
        "wenzhou_market",
        "1market",
        "market-",
        "a--b",
        "std",
    ] {
        fail(&["plugin", "new", bad], "is not a usable plugin name");
        assert!(!tmp.join(bad).exists(), "{bad} was created");
    }
    fail(
        &["plugin", "new", "market", "--namespace", "Wen Zhou"],
        "namespace 'Wen Zhou' is not valid",
    );
    std::fs::create_dir_all(tmp.join("taken")).unwrap();
    std::fs::write(tmp.join("taken/notes.txt"), "mine").unwrap();
    fail(
        &["plugin", "new", "market", "--dir", "taken"],
        "already exists and is not empty",
    );
    assert_eq!(
        std::fs::read_dir(tmp.join("taken")).unwrap().count(),
        1,
        "nothing written into a non-empty dir"
    );
    fail(
        &["plugin", "new", "market", "--sdk", "no/such/sdk"],
        "the scorehost SDK is not at no/such/sdk",
    );
    assert!(!tmp.join("market").exists());
    // An empty existing directory is fine.
    std::fs::create_dir_all(tmp.join("empty")).unwrap();
    let out = scorehost(&["plugin", "new", "market", "--dir", "empty"], &tmp);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let req = std::fs::read_to_string(tmp.join("empty/examples/request.json")).unwrap();
    assert!(req.contains("\"model\": \"example/market\""), "{req}");
    std::fs::remove_dir_all(&tmp).ok();
}

#[test]
fn inside_a_repository_plugins_dir_the_crate_joins_the_workspace() {
    // A repository laid out like scorehost's: sdk/ and plugins/* members.
    let tmp = scratch("member");
    let repo = tmp.join("repo");
    std::fs::create_dir_all(repo.join("sdk")).unwrap();
    std::fs::create_dir_all(repo.join("plugins")).unwrap();
    std::fs::write(
        repo.join("Cargo.toml"),
        "[workspace]\nmembers = [\"sdk\", \"plugins/*\"]\n",
    )
    .unwrap();
    std::fs::write(
        repo.join("sdk/Cargo.toml"),
        "[package]\nname = \"scorehost-sdk\"\n",
    )
    .unwrap();
    let sdk = repo.join("sdk").display().to_string();
    let out = scorehost(
        &[
            "plugin",
            "new",
            "lishui-farms",
            "--namespace",
            "lishui",
            "--dir",
            "repo/plugins/lishui-farms",
            "--sdk",
            &sdk,
            "--json",
        ],
        &tmp,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(v["model"], "lishui/farms");
    assert_eq!(v["workspace_member"], true);
    let manifest = std::fs::read_to_string(repo.join("plugins/lishui-farms/Cargo.toml")).unwrap();
    assert!(
        manifest.contains("scorehost-sdk = { path = \"../../sdk\" }"),
        "{manifest}"
    );
    assert!(manifest.contains("features = [\"sandbox\"]"), "{manifest}");
    assert!(manifest.contains("edition.workspace = true"), "{manifest}");
    assert!(!manifest.contains("[workspace]"), "{manifest}");
    assert!(!repo.join("plugins/lishui-farms/Cargo.lock").exists());
    let lib = std::fs::read_to_string(repo.join("plugins/lishui-farms/src/lib.rs")).unwrap();
    assert!(lib.contains("pub struct LishuiFarms;"));
    assert!(lib.contains("name: \"lishui/farms\".into()"));
    assert!(!lib.contains("{{"), "a placeholder was left: {lib}");
    std::fs::remove_dir_all(&tmp).ok();
}
