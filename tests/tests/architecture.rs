//! The shape of the code, checked: which crate may depend on which
//! (ARCHITECTURE.md, "Crates"), no two modules of one crate importing each
//! other in a circle, the SDK's `sandbox` feature free of the server's
//! dependencies, and every path ARCHITECTURE.md names existing.
//!
//! The checks read `cargo metadata`, `cargo tree` and the `use` lines and
//! `crate::`/`super::` paths of the sources: no build is needed, and each
//! fails naming the offending edge, circle or path.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

/// The workspace's crates and, for each, its dependencies on other
/// workspace crates (normal and build dependencies; tests may use anything).
fn internal_edges() -> (BTreeMap<String, BTreeSet<String>>, BTreeSet<String>) {
    let out = cargo()
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let packages = meta["packages"].as_array().unwrap();
    let names: BTreeSet<String> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    let plugins = packages
        .iter()
        .filter(|p| {
            p["manifest_path"]
                .as_str()
                .is_some_and(|m| m.contains("/plugins/"))
        })
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    let edges = packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null() || d["kind"] == "build")
                .map(|d| d["name"].as_str().unwrap().to_string())
                .filter(|d| names.contains(d))
                .collect();
            (p["name"].as_str().unwrap().to_string(), deps)
        })
        .collect();
    (edges, plugins)
}

/// The edges ARCHITECTURE.md allows between the host's crates, the
/// registry, the audit format and the SDK. Plugins and test guests may
/// depend on the SDK (and a plugin on another plugin's shared rules); the
/// test crate on anything.
fn allowed(from: &str) -> Option<&'static [&'static str]> {
    Some(match from {
        "scorehost" => &[
            "scorehost-server",
            "scorehost-engine",
            "scorehost-runtime",
            "scorehost-registry",
            "scorehost-audit",
        ],
        "scorehost-server" => &[
            "scorehost-engine",
            "scorehost-runtime",
            "scorehost-registry",
            "scorehost-audit",
            "scorehost-console",
        ],
        // The console reaches everything through the API's router, called
        // in process: it depends on none of ours.
        "scorehost-console" => &[],
        "scorehost-engine" => &["scorehost-runtime", "scorehost-registry", "scorehost-audit"],
        "scorehost-registry" => &["scorehost-audit"],
        "scorehost-runtime" | "scorehost-audit" => &[],
        "scorehost-sdk" => &["scorehost-runtime"],
        "scorehost-tests" => return None,
        _ => &["scorehost-sdk", "scorehost-sdk-extism", "guest-common"],
    })
}

#[test]
fn crates_depend_only_in_the_allowed_direction() {
    let (edges, plugins) = internal_edges();
    for name in [
        "scorehost",
        "scorehost-server",
        "scorehost-console",
        "scorehost-engine",
        "scorehost-runtime",
        "scorehost-registry",
        "scorehost-audit",
        "scorehost-sdk",
    ] {
        assert!(edges.contains_key(name), "no crate {name} in the workspace");
    }
    let mut wrong = Vec::new();
    for (from, deps) in &edges {
        let Some(ok) = allowed(from) else { continue };
        for to in deps {
            let plugin_lib = plugins.contains(from) && plugins.contains(to);
            if !ok.contains(&to.as_str()) && !plugin_lib {
                wrong.push(format!("{from} → {to}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies ARCHITECTURE.md does not allow: {}",
        wrong.join(", ")
    );
}

/// What a plugin author compiles for `cargo test --features sandbox`: the
/// runtime and wasmtime, never the server's web stack, SQL or CLI.
#[test]
fn the_sdk_sandbox_feature_pulls_in_no_server() {
    let out = cargo()
        .args([
            "tree",
            "--offline",
            "-p",
            "scorehost-sdk",
            "--features",
            "sandbox",
            "-e",
            "normal,build",
            "--prefix",
            "none",
        ])
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    let crates: BTreeSet<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(crates.contains("scorehost-runtime"), "{tree}");
    for forbidden in [
        "scorehost-engine",
        "scorehost-server",
        "scorehost-console",
        "scorehost-registry",
        "axum",
        "hyper",
        "sqlx",
        "utoipa",
        "clap",
        "ureq",
        "mimalloc",
        "tracing-subscriber",
    ] {
        assert!(
            !crates.contains(forbidden),
            "the SDK's sandbox feature compiles {forbidden}"
        );
    }
}

/// One source file: its module path within its crate, and the module
/// paths it names (`use crate::…`, `crate::a::b` in code, `super::…`).
struct Source {
    module: Vec<String>,
    names: Vec<Vec<String>>,
}

fn sources(src: &Path) -> Vec<Source> {
    let mut out = Vec::new();
    collect(src, src, &mut out);
    out
}

fn collect(src: &Path, dir: &Path, out: &mut Vec<Source>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(src, &path, out);
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let rel = path.strip_prefix(src).unwrap();
        let mut module: Vec<String> = rel
            .with_extension("")
            .iter()
            .map(|c| c.to_string_lossy().into_owned())
            .collect();
        if matches!(
            module.last().map(String::as_str),
            Some("mod" | "lib" | "main")
        ) {
            module.pop();
        }
        // `super` in `a/b.rs` is `a`; in `a/mod.rs` it is the crate root.
        let is_mod = rel.file_name().is_some_and(|f| f == "mod.rs");
        let text = std::fs::read_to_string(&path).unwrap();
        let names = names_in(&text, &module, is_mod);
        out.push(Source { module, names });
    }
}

/// The module paths a file names, resolved to paths from the crate root.
/// Comments and inline `#[cfg(test)]` modules are left out.
fn names_in(text: &str, module: &[String], is_mod: bool) -> Vec<Vec<String>> {
    let code: String = text
        .split("#[cfg(test)]\nmod tests")
        .next()
        .unwrap()
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut paths = Vec::new();
    // `use` statements, with their groups expanded.
    for stmt in code.split(';') {
        let stmt = stmt.trim_start();
        let stmt = stmt
            .strip_prefix("pub(crate) ")
            .or_else(|| stmt.strip_prefix("pub "))
            .unwrap_or(stmt);
        if let Some(tree) = stmt.strip_prefix("use ") {
            let tree: String = tree.split_whitespace().collect();
            expand(&tree, &mut paths);
        }
    }
    // Paths in code: `crate::a::b`, `super::a`.
    let bytes = code.as_bytes();
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
                continue;
            }
            let path: String = code[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            paths.push(path.split("::").map(str::to_string).collect());
        }
    }
    paths
        .into_iter()
        .filter_map(|p| resolve(&p, module, is_mod))
        .collect()
}

/// Expand a `use` tree (`crate::{a, b::{c, d}}`) into its paths.
fn expand(tree: &str, out: &mut Vec<Vec<String>>) {
    fn go(prefix: &[String], tree: &str, out: &mut Vec<Vec<String>>) {
        let tree = tree.trim_matches(',');
        if let Some(open) = tree.find('{') {
            let head: Vec<String> = tree[..open]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            let Some(close) = tree.rfind('}').filter(|c| *c > open) else {
                return;
            };
            let inner = &tree[open + 1..close];
            let mut depth = 0;
            let mut part = String::new();
            let mut full = prefix.to_vec();
            full.extend(head);
            for c in inner.chars() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        go(&full, &part, out);
                        part.clear();
                        continue;
                    }
                    _ => {}
                }
                part.push(c);
            }
            go(&full, &part, out);
        } else if !tree.is_empty() {
            let mut full = prefix.to_vec();
            full.extend(
                tree.split(" as ")
                    .next()
                    .unwrap()
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(str::to_string),
            );
            out.push(full);
        }
    }
    go(&[], tree, out);
}

/// A path from the crate root, for a path starting with `crate` or
/// `super` as written in a file of `module`.
fn resolve(path: &[String], module: &[String], is_mod: bool) -> Option<Vec<String>> {
    let (first, rest) = path.split_first()?;
    match first.as_str() {
        "crate" => Some(rest.to_vec()),
        "super" => {
            // `super` of a file module `a/b.rs` (module a::b) is `a`; of
            // `a/mod.rs` (module a) it is the crate root.
            let mut base = module.to_vec();
            if !is_mod || !base.is_empty() {
                base.pop();
            }
            let mut rest = rest;
            while rest.first().is_some_and(|s| s == "super") {
                base.pop();
                rest = &rest[1..];
            }
            base.extend(rest.iter().cloned());
            Some(base)
        }
        _ => None,
    }
}

/// Circles between sibling modules of `src`, at every level: for each
/// module with children, the edges between its children (a child names a
/// sibling, or anything inside it) must have no cycle.
fn circles(src: &Path) -> Vec<String> {
    let files = sources(src);
    // Every module that exists, as a path.
    let modules: BTreeSet<Vec<String>> = files
        .iter()
        .flat_map(|f| (0..=f.module.len()).map(|n| f.module[..n].to_vec()))
        .collect();
    let mut found = Vec::new();
    for parent in &modules {
        let children: BTreeSet<&String> = modules
            .iter()
            .filter(|m| m.len() == parent.len() + 1 && m.starts_with(parent))
            .map(|m| m.last().unwrap())
            .collect();
        if children.len() < 2 {
            continue;
        }
        let mut edges: BTreeMap<&String, BTreeSet<&String>> = BTreeMap::new();
        for f in &files {
            if f.module.len() <= parent.len() || !f.module.starts_with(parent) {
                continue;
            }
            let from = &f.module[parent.len()];
            for name in &f.names {
                if name.len() > parent.len()
                    && name.starts_with(parent)
                    && let Some(to) = children.get(&name[parent.len()])
                    && *to != from
                {
                    edges.entry(from).or_default().insert(to);
                }
            }
        }
        for cycle in cycles(&edges) {
            let at = if parent.is_empty() {
                "the crate root".to_string()
            } else {
                parent.join("::")
            };
            found.push(format!("{} (in {at})", cycle.join(" → ")));
        }
    }
    found
}

/// One cycle per strongly connected group of more than one module.
fn cycles<'a>(edges: &BTreeMap<&'a String, BTreeSet<&'a String>>) -> Vec<Vec<String>> {
    let nodes: BTreeSet<&String> = edges
        .iter()
        .flat_map(|(k, v)| std::iter::once(*k).chain(v.iter().copied()))
        .collect();
    let reach = |from: &String| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from];
        while let Some(n) = todo.pop() {
            for m in edges.get(n).into_iter().flatten() {
                if seen.insert(*m) {
                    todo.push(m);
                }
            }
        }
        seen
    };
    let mut groups: Vec<Vec<String>> = Vec::new();
    let mut placed = BTreeSet::new();
    for n in &nodes {
        if placed.contains(*n) {
            continue;
        }
        let from_n = reach(n);
        if !from_n.contains(n) {
            continue;
        }
        let group: Vec<String> = nodes
            .iter()
            .filter(|m| from_n.contains(*m) && reach(m).contains(n))
            .map(|m| m.to_string())
            .collect();
        for m in &group {
            placed.insert(m.clone());
        }
        if group.len() > 1 {
            groups.push(group);
        }
    }
    groups
}

#[test]
fn no_two_modules_of_a_crate_import_each_other_in_a_circle() {
    let crates = [
        "host/src",
        "host/runtime/src",
        "host/engine/src",
        "host/server/src",
        "registry/src",
        "audit/src",
        "sdk/src",
    ];
    let mut found = Vec::new();
    for c in crates {
        for circle in circles(&root().join(c)) {
            found.push(format!("{c}: {circle}"));
        }
    }
    assert!(
        found.is_empty(),
        "modules in a circle:\n{}",
        found.join("\n")
    );
}

/// The check itself: a circle written into a scratch crate is found.
#[test]
fn the_circle_check_finds_a_circle() {
    let dir = std::env::temp_dir().join(format!("scorehost-circle-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("b")).unwrap();
    std::fs::write(dir.join("lib.rs"), "mod a;\nmod b;\n").unwrap();
    std::fs::write(dir.join("a.rs"), "use crate::b::{inner::X, Y};\n").unwrap();
    std::fs::write(dir.join("b/mod.rs"), "mod inner;\npub struct Y;\n").unwrap();
    std::fs::write(
        dir.join("b/inner.rs"),
        "// crate::c in a comment is no edge\npub fn f() { super::super::a::g() }\n",
    )
    .unwrap();
    let found = circles(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(found, vec!["a → b (in the crate root)".to_string()]);
}

/// Every path ARCHITECTURE.md names in backticks (a word with a `/`, or a
/// file name with an extension) exists, so the map stays true as the code
/// moves.
#[test]
fn every_path_architecture_md_names_exists() {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut named = 0;
    let mut missing = Vec::new();
    for (i, chunk) in text.split('`').enumerate() {
        if i % 2 == 0 {
            continue;
        }
        let path = chunk.trim();
        let looks_like_path = !path.contains(' ')
            && !path.contains("::")
            && !path.starts_with('/')
            && !path.contains('{')
            && (path.contains('/')
                || [".rs", ".md", ".toml", ".sh", ".wit"]
                    .iter()
                    .any(|e| path.ends_with(e)));
        if !looks_like_path {
            continue;
        }
        named += 1;
        if !root().join(path.trim_end_matches('/')).exists() {
            missing.push(path.to_string());
        }
    }
    assert!(named >= 20, "ARCHITECTURE.md names only {named} paths");
    assert!(
        missing.is_empty(),
        "ARCHITECTURE.md names paths that do not exist: {}",
        missing.join(", ")
    );
}
