//! `plugin build`: cargo build for wasm32-unknown-unknown, then componentise.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use scorehost_runtime::componentize::componentize;
use scorehost_runtime::sandbox::{Limits, Runtime};

pub(crate) fn build(
    package: Option<&str>,
    manifest_path: Option<&Path>,
    profile: &str,
    out: Option<&Path>,
) -> anyhow::Result<()> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args([
        "build",
        "--target",
        "wasm32-unknown-unknown",
        "--profile",
        profile,
    ])
    .arg("--message-format=json-render-diagnostics")
    .stdout(Stdio::piped());
    if let Some(p) = package {
        cmd.args(["-p", p]);
    }
    if let Some(m) = manifest_path {
        cmd.arg("--manifest-path").arg(m);
    }
    let output = cmd
        .output()
        .map_err(|e| anyhow::anyhow!("cannot run cargo: {e}"))?;
    if !output.status.success() {
        anyhow::bail!("cargo build failed (see its messages above)");
    }
    let mut modules: Vec<PathBuf> = Vec::new();
    for line in output.stdout.split(|b| *b == b'\n') {
        let Ok(msg) = serde_json::from_slice::<serde_json::Value>(line) else {
            continue;
        };
        let is_cdylib = msg["target"]["kind"]
            .as_array()
            .is_some_and(|k| k.iter().any(|k| k == "cdylib"));
        if msg["reason"] == "compiler-artifact" && is_cdylib {
            let wasm = msg["filenames"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|f| f.as_str());
            modules.extend(wasm.filter(|f| f.ends_with(".wasm")).map(PathBuf::from));
        }
    }
    if modules.is_empty() {
        anyhow::bail!(
            "cargo built no cdylib .wasm: a plugin crate needs crate-type = [\"cdylib\"]"
        );
    }
    if out.is_some() && modules.len() > 1 {
        anyhow::bail!(
            "--out needs a single package, but cargo built {}: pass -p",
            modules.len()
        );
    }
    let runtime = Runtime::new(Limits::default())?;
    for module in modules {
        let core = std::fs::read(&module)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", module.display()))?;
        let component = componentize(&core)?;
        // Refuse to write what the host would refuse to run.
        let model = runtime.load(&component)?;
        let dest = match out {
            Some(o) => o.to_path_buf(),
            None => module.with_extension("component.wasm"),
        };
        std::fs::write(&dest, &component)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", dest.display()))?;
        let imports = if model.imports().is_empty() {
            "none".to_string()
        } else {
            model.imports().join(", ")
        };
        println!(
            "{}@{}  {}\n  sha256 {}\n  imports: {imports}",
            model.info().name,
            model.info().version,
            dest.display(),
            model.sha256()
        );
    }
    Ok(())
}
