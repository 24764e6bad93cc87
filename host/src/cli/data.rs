//! `data import bases|indicators FILE`, `data furnisher`, `data furnishers`.

use std::path::Path;

use anyhow::Context as _;
use scorehost_registry::data::Format;
use scorehost_registry::{Actor, Registry};

use super::block_on;
use crate::Global;

pub(crate) fn import(g: &Global, what: &str, file: &Path) -> anyhow::Result<()> {
    let by: Actor = g.actor()?;
    let format = match file.extension().and_then(|e| e.to_str()) {
        Some("ndjson" | "jsonl") => Format::Ndjson,
        Some("csv") => Format::Csv,
        _ => anyhow::bail!(
            "{}: name the file .ndjson, .jsonl or .csv so that its format is known",
            file.display()
        ),
    };
    let text =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let report = block_on(async {
        let registry = Registry::open(&g.data_dir, g.db.as_deref()).await?;
        match what {
            "bases" => registry.import_bases(&by, &text, format).await,
            "indicators" => registry.import_indicators(&by, &text, format).await,
            other => Err(scorehost_registry::Error::BadRequest(format!(
                "import 'bases' or 'indicators', not '{other}'"
            ))),
        }
    })?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{}: {} accepted, {} refused",
            file.display(),
            report.accepted,
            report.rejected.len()
        );
        for r in &report.rejected {
            println!("  line {}: {}", r.line, r.reason);
        }
    }
    Ok(())
}

/// `data furnisher INDICATOR --namespace NS [--cardinality single|events]`.
pub(crate) fn furnisher(
    g: &Global,
    indicator: &str,
    namespace: &str,
    cardinality: &str,
) -> anyhow::Result<()> {
    let by: Actor = g.actor()?;
    let cardinality = cardinality.parse()?;
    let f = block_on(async {
        let registry = Registry::open(&g.data_dir, g.db.as_deref()).await?;
        registry
            .register_furnisher(&by, indicator, namespace, cardinality)
            .await
    })?;
    print_furnishers(g, &[f])
}

/// `data furnishers`.
pub(crate) fn furnishers(g: &Global) -> anyhow::Result<()> {
    let all = block_on(async {
        let registry = Registry::open(&g.data_dir, g.db.as_deref()).await?;
        registry.furnishers().await
    })?;
    print_furnishers(g, &all)
}

/// A table of furnishers (or JSON with `--json`).
pub(crate) fn print_furnishers(
    g: &Global,
    all: &[scorehost_registry::furnishers::Furnisher],
) -> anyhow::Result<()> {
    if g.json {
        println!("{}", serde_json::to_string_pretty(all)?);
        return Ok(());
    }
    for f in all {
        println!(
            "{:<36} {:<8} {:<10} {}",
            f.indicator,
            serde_json::to_value(f.cardinality)?
                .as_str()
                .unwrap_or_default(),
            f.basis,
            f.namespaces.join(", ")
        );
    }
    Ok(())
}
