//! `plugin new`: scaffold a plugin crate from the SDK — a small working
//! model, passing domain tests, an example request and a README saying how
//! to build, run and publish it (like `spin new` or `kwctl scaffold`).
//!
//! The templates are files under `host/templates/plugin/`, compiled into
//! the binary; placeholders are `{{crate}}`, `{{crate_ident}}`, `{{type}}`,
//! `{{model}}`, `{{namespace}}`, `{{title}}` and `{{sdk}}`.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::Global;

/// `plugin new`'s arguments.
#[derive(Args)]
pub(crate) struct NewArgs {
    /// The crate's name: lowercase letters, digits and '-', starting with a
    /// letter (e.g. `wenzhou-market`). Without --namespace, a name with a
    /// '-' gives the namespace before it (`wenzhou-market` → model
    /// `wenzhou/market`); otherwise the namespace is `example`.
    name: String,
    /// The publisher's namespace of the model NAMESPACE/NAME.
    #[arg(long)]
    namespace: Option<String>,
    /// Where to create the crate (default: ./NAME). Must not exist, or be empty.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// The scorehost SDK to depend on (default: the SDK of the repository
    /// this binary was built from).
    #[arg(long)]
    sdk: Option<PathBuf>,
    /// The model's title (default: from the name).
    #[arg(long)]
    title: Option<String>,
}

/// The templates, compiled in.
const CARGO_STANDALONE: &str = include_str!("../../templates/plugin/Cargo.toml.standalone");
const CARGO_MEMBER: &str = include_str!("../../templates/plugin/Cargo.toml.member");
const LIB_RS: &str = include_str!("../../templates/plugin/lib.rs");
const TESTS_RS: &str = include_str!("../../templates/plugin/tests.rs");
const README_MD: &str = include_str!("../../templates/plugin/README.md");
const REQUEST_JSON: &str = include_str!("../../templates/plugin/request.json");

/// Names that cannot be a crate or would shadow a standard one.
const RESERVED: [&str; 6] = [
    "std",
    "core",
    "alloc",
    "test",
    "proc-macro",
    "scorehost-sdk",
];

/// Whether `s` is lowercase letters, digits and single '-' between them,
/// starting with a letter: a valid crate name and model name part.
fn valid_part(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_lowercase()
        && b[b.len() - 1] != b'-'
        && !s.contains("--")
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
}

/// The model's namespace and name for crate `name`.
fn model_name(name: &str, namespace: Option<&str>) -> (String, String) {
    match namespace {
        Some(ns) => {
            let rest = name
                .strip_prefix(ns)
                .and_then(|r| r.strip_prefix('-'))
                .unwrap_or(name);
            (ns.to_string(), rest.to_string())
        }
        None => match name.split_once('-') {
            Some((ns, rest)) => (ns.to_string(), rest.to_string()),
            None => ("example".to_string(), name.to_string()),
        },
    }
}

/// `wenzhou-market` → `WenzhouMarket`.
fn type_name(name: &str) -> String {
    name.split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// `wenzhou-market` → `Wenzhou market credit model`.
fn default_title(name: &str) -> String {
    let words = name.replace('-', " ");
    let mut c = words.chars();
    match c.next() {
        Some(f) => format!("{}{} credit model", f.to_ascii_uppercase(), c.as_str()),
        None => String::new(),
    }
}

/// The SDK of the repository this binary was built from.
fn default_sdk() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sdk")
}

/// Is `dir` (absolute) directly under the `plugins/` of the workspace that
/// holds `sdk` (absolute), a workspace whose members include `plugins/*`?
/// Then the crate joins that workspace, with a relative SDK path.
fn joins_workspace(dir: &Path, sdk: &Path) -> bool {
    let Some(root) = sdk.parent() else {
        return false;
    };
    if dir.parent() != Some(root.join("plugins").as_path()) {
        return false;
    }
    std::fs::read_to_string(root.join("Cargo.toml"))
        .map(|m| m.contains("[workspace]") && m.contains("\"plugins/*\""))
        .unwrap_or(false)
}

/// An absolute form of `p` without requiring it to exist: the parent is
/// canonicalised when it exists.
fn absolute(p: &Path) -> anyhow::Result<PathBuf> {
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    };
    if let Ok(c) = p.canonicalize() {
        return Ok(c);
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) => Ok(parent
            .canonicalize()
            .unwrap_or_else(|_| parent.to_path_buf())
            .join(name)),
        _ => Ok(p),
    }
}

/// Create the crate; print what was made and the next commands.
pub(crate) fn scaffold(g: &Global, args: &NewArgs) -> anyhow::Result<()> {
    let name = args.name.as_str();
    if !valid_part(name) || RESERVED.contains(&name) {
        anyhow::bail!(
            "'{name}' is not a usable plugin name: use lowercase letters, digits and single '-', \
             starting with a letter (e.g. wenzhou-market)"
        );
    }
    if let Some(ns) = &args.namespace
        && !valid_part(ns)
    {
        anyhow::bail!(
            "namespace '{ns}' is not valid: use lowercase letters, digits and single '-', \
             starting with a letter"
        );
    }
    let (namespace, model) = model_name(name, args.namespace.as_deref());
    let title = args.title.clone().unwrap_or_else(|| default_title(name));
    if title.trim().is_empty() || title.contains(['"', '\\', '\n', '\r']) {
        anyhow::bail!("the title must be one line of text without quotes or backslashes");
    }

    let dir = absolute(args.dir.as_deref().unwrap_or(Path::new(name)))?;
    if dir.exists() {
        if !dir.is_dir() {
            anyhow::bail!("{} exists and is not a directory", dir.display());
        }
        if std::fs::read_dir(&dir)?.next().is_some() {
            anyhow::bail!(
                "{} already exists and is not empty: choose another --dir",
                dir.display()
            );
        }
    }
    let sdk_given = args.sdk.clone().unwrap_or_else(default_sdk);
    let sdk = sdk_given.canonicalize().map_err(|_| {
        anyhow::anyhow!(
            "the scorehost SDK is not at {}: pass --sdk PATH (the sdk/ directory of a scorehost checkout)",
            sdk_given.display()
        )
    })?;
    if !sdk.join("Cargo.toml").is_file() {
        anyhow::bail!(
            "{} has no Cargo.toml: pass --sdk PATH (the sdk/ directory of a scorehost checkout)",
            sdk.display()
        );
    }
    let member = joins_workspace(&dir, &sdk);
    let sdk_dep = if member {
        "../../sdk".to_string()
    } else {
        sdk.display().to_string()
    };

    let fill = |t: &str| {
        t.replace("{{crate_ident}}", &name.replace('-', "_"))
            .replace("{{crate}}", name)
            .replace("{{type}}", &type_name(name))
            .replace("{{model}}", &format!("{namespace}/{model}"))
            .replace("{{namespace}}", &namespace)
            .replace("{{title}}", &title)
            .replace("{{sdk}}", &sdk_dep)
    };
    let mut files: Vec<(&str, String)> = vec![
        (
            "Cargo.toml",
            fill(if member {
                CARGO_MEMBER
            } else {
                CARGO_STANDALONE
            }),
        ),
        ("src/lib.rs", fill(LIB_RS)),
        ("src/tests.rs", fill(TESTS_RS)),
        ("README.md", fill(README_MD)),
        ("examples/request.json", fill(REQUEST_JSON)),
    ];
    // A crate of its own gets the SDK repository's lock file, so it builds
    // with the dependency versions that repository was tested with (and
    // needs no registry look-up when they are cached); cargo drops the
    // entries it does not use.
    if !member && let Ok(lock) = std::fs::read_to_string(sdk.join("../Cargo.lock")) {
        files.push(("Cargo.lock", lock));
    }
    for (path, text) in &files {
        let p = dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&p, text)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", p.display()))?;
    }

    let model_ref = format!("{namespace}/{model}");
    if g.json {
        let names: Vec<&str> = files.iter().map(|(p, _)| *p).collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "dir": dir,
                "crate": name,
                "model": model_ref,
                "namespace": namespace,
                "sdk": sdk_dep,
                "workspace_member": member,
                "files": names,
            }))?
        );
        return Ok(());
    }
    println!(
        "created {} — model {model_ref}@1.0.0 ({title})",
        dir.display()
    );
    for (path, _) in &files {
        println!("  {path}");
    }
    let (build, wasm) = if member {
        (
            format!("cargo build --profile plugin --target wasm32-wasip2 -p {name}"),
            format!(
                "../../target/wasm32-wasip2/plugin/{}.wasm",
                name.replace('-', "_")
            ),
        )
    } else {
        (
            "cargo build --target wasm32-wasip2 --release".to_string(),
            format!(
                "target/wasm32-wasip2/release/{}.wasm",
                name.replace('-', "_")
            ),
        )
    };
    println!(
        "\nnext:\n  cd {}\n  cargo test\n  {build}\n  scorehost score --module {wasm} --input examples/request.json",
        dir.display()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_namespaces() {
        assert_eq!(
            model_name("wenzhou-market", None),
            ("wenzhou".into(), "market".into())
        );
        assert_eq!(
            model_name("mining", None),
            ("example".into(), "mining".into())
        );
        assert_eq!(
            model_name("wenzhou-market", Some("wenzhou")),
            ("wenzhou".into(), "market".into())
        );
        assert_eq!(
            model_name("market", Some("wz")),
            ("wz".into(), "market".into())
        );
        assert_eq!(type_name("wenzhou-market-2"), "WenzhouMarket2");
        assert_eq!(
            default_title("wenzhou-market"),
            "Wenzhou market credit model"
        );
        for bad in ["", "Bad", "1abc", "a_b", "a--b", "a-", "-a", "a b"] {
            assert!(!valid_part(bad), "{bad:?}");
        }
        assert!(valid_part("a1-b2"));
    }
}
