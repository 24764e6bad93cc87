//! `plugin publish | approve | pin | revoke | list | show` on the local data dir.

use std::path::Path;

use scorehost_registry::{Actor, ModelName, Registry, VersionRecord, VersionRef};
use scorehost_runtime::sandbox::{Limits, Runtime};
use serde::Serialize;

use super::block_on;
use crate::Global;

fn actor(g: &Global) -> anyhow::Result<Actor> {
    g.actor()
}

async fn open(g: &Global) -> Result<Registry, scorehost_registry::Error> {
    Registry::open(&g.data_dir, g.db.as_deref()).await
}

fn print_json<T: Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn line(v: &VersionRecord) -> String {
    format!("{:<36} {:<9}  sha256 {}", v.reference, status(v), v.sha256)
}

fn status(v: &VersionRecord) -> &'static str {
    match v.status {
        scorehost_registry::Status::Submitted => "submitted",
        scorehost_registry::Status::Approved => "approved",
        scorehost_registry::Status::Pinned => "pinned",
        scorehost_registry::Status::Revoked => "revoked",
    }
}

pub(crate) fn publish(
    g: &Global,
    file: &Path,
    signing: &super::signing::SignArgs,
) -> anyhow::Result<()> {
    let actor = actor(g)?;
    let bytes = std::fs::read(file)
        .map_err(|e| anyhow::anyhow!("cannot read module {}: {e}", file.display()))?;
    let runtime = Runtime::new(Limits::default())?;
    let signature = signing.signature_for(&runtime, &bytes)?;
    let published = block_on(async {
        open(g)
            .await?
            .publish_signed(
                &actor,
                &bytes,
                &scorehost_engine::catalog::SandboxCheck(&runtime),
                signature.as_deref(),
            )
            .await
    })?;
    if g.json {
        return print_json(&published);
    }
    let v = &published.version;
    if published.already_published {
        println!(
            "{} was already published with these exact bytes; nothing changed",
            v.reference
        );
    } else {
        println!(
            "published {} ({} bytes) as {}",
            v.reference, v.size_bytes, actor
        );
    }
    println!("sha256 {}", v.sha256);
    if let Some(key) = &v.signed_by_key {
        println!("signed by key {key}");
    }
    println!(
        "next: scorehost plugin approve {} --sha256 {} --as province:NAME   # by {} distinct persons of the province, not the publisher",
        v.reference, v.sha256, v.review.quorum
    );
    Ok(())
}

/// One line on where a version's review stands.
fn review_line(v: &VersionRecord) -> String {
    let who = scorehost_registry::governance::persons(&v.review.approvals);
    let who = if who.is_empty() {
        "nobody yet".to_string()
    } else {
        who
    };
    match v.status {
        scorehost_registry::Status::Submitted => format!(
            "approved by {who}: {} of {} persons; {} more needed before it can be pinned",
            v.review.approvals.len(),
            v.review.quorum,
            v.review.needed
        ),
        _ if v.review.approvals.is_empty() => {
            "approved before four-eyes review (no approvals recorded)".to_string()
        }
        _ => format!("approved by {who} (quorum {})", v.review.quorum),
    }
}

pub(crate) fn approve(g: &Global, reference: &str, sha256: &str) -> anyhow::Result<()> {
    let (actor, r): (Actor, VersionRef) = (actor(g)?, reference.parse()?);
    let v = block_on(async { open(g).await?.approve(&actor, &r, sha256).await })?;
    if g.json {
        return print_json(&v);
    }
    println!("{} (sha256 {}): {}", v.reference, v.sha256, review_line(&v));
    Ok(())
}

pub(crate) fn pin(g: &Global, reference: &str, sha256: &str) -> anyhow::Result<()> {
    let (actor, r): (Actor, VersionRef) = (actor(g)?, reference.parse()?);
    let (pin, broken) = block_on(async {
        let reg = open(g).await?;
        let pin = reg.pin(&actor, &r, sha256).await?;
        let broken = reg.composites_broken(&r.model).await?;
        Ok::<_, scorehost_registry::Error>((pin, broken))
    })?;
    if g.json {
        let mut v = serde_json::to_value(&pin)?;
        if !broken.is_empty() {
            v["breaks_composites"] = serde_json::to_value(&broken)?;
        }
        return print_json(&v);
    }
    println!(
        "pinned {}@{} (sha256 {}): it now scores every request for {}",
        pin.model, pin.version, pin.sha256, pin.model
    );
    for b in &broken {
        eprintln!(
            "warning: composite {} no longer fits and is refused until the province redefines it: {}",
            b.composite, b.why
        );
    }
    Ok(())
}

pub(crate) fn revoke(g: &Global, reference: &str, reason: &str) -> anyhow::Result<()> {
    let (actor, r): (Actor, VersionRef) = (actor(g)?, reference.parse()?);
    let v = block_on(async { open(g).await?.revoke(&actor, &r, reason).await })?;
    if g.json {
        return print_json(&v);
    }
    println!("revoked {}: it can never be pinned again", v.reference);
    Ok(())
}

/// `plugin quorum [N]`: show the approval quorum, or set it (a named
/// province person, locally only: the service has no route to it).
pub(crate) fn quorum(g: &Global, set: Option<u32>) -> anyhow::Result<()> {
    let n = match set {
        None => block_on(async { open(g).await?.quorum().await })?,
        Some(n) => {
            let actor = actor(g)?;
            block_on(async { open(g).await?.set_quorum(&actor, n).await })?
        }
    };
    if g.json {
        return print_json(&serde_json::json!({ "quorum": n }));
    }
    println!(
        "a version comes into force once {n} distinct persons of the province, not its publisher, approved its exact bytes"
    );
    Ok(())
}

pub(crate) fn list(g: &Global) -> anyhow::Result<()> {
    let versions = block_on(async { open(g).await?.list().await })?;
    if g.json {
        return print_json(&versions);
    }
    if versions.is_empty() {
        println!("no plugin published yet: scorehost plugin publish FILE");
    }
    for v in &versions {
        println!("{}", line(v));
    }
    Ok(())
}

pub(crate) fn show(g: &Global, reference: &str) -> anyhow::Result<()> {
    if reference.contains('@') {
        let r: VersionRef = reference.parse()?;
        let v = block_on(async { open(g).await?.version(&r).await })?;
        if g.json {
            return print_json(&v);
        }
        println!("{}", line(&v));
        println!(
            "published by {}{} at {}",
            v.published_by,
            v.published_person
                .as_ref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default(),
            v.published_at
        );
        match (&v.signed_by_key, &v.signing_key_revoked_at) {
            (Some(key), Some(at)) => println!(
                "signed by key {key}, REVOKED at {at}: flagged for review; it cannot be approved"
            ),
            (Some(key), None) => println!("signed by key {key}"),
            _ => println!("unsigned"),
        }
        println!("review: {}", review_line(&v));
        for a in &v.review.approvals {
            println!("  approved by {} at {}", a.person, a.at);
        }
        if let (Some(by), Some(at)) = (&v.revoked_by, &v.revoked_at) {
            println!("revoked by {by} at {at}");
        }
        println!("{}", serde_json::to_string_pretty(&v.describe)?);
        return Ok(());
    }
    let model: ModelName = reference.parse()?;
    let (versions, pin, history) = block_on(async {
        let reg = open(g).await?;
        let versions = reg.versions(&model).await?;
        let pin = reg.pinned(&model).await.ok();
        let history = reg.history(&model).await?;
        Ok::<_, scorehost_registry::Error>((versions, pin, history))
    })?;
    if g.json {
        return print_json(
            &serde_json::json!({ "model": model.to_string(), "pin": pin, "versions": versions, "history": history }),
        );
    }
    match &pin {
        Some(p) => println!("{model}: pinned {} (sha256 {})", p.version, p.sha256),
        None => println!("{model}: no pinned version — it scores nobody"),
    }
    println!("\nversions:");
    for v in &versions {
        println!("  {}", line(v));
    }
    println!("\nhistory:");
    for e in &history {
        let detail = if e.detail.is_empty() {
            String::new()
        } else {
            format!(" ({})", e.detail)
        };
        let person = e
            .person
            .as_ref()
            .map(|p| format!(" ({p})"))
            .unwrap_or_default();
        println!(
            "  {}  {:<8} {:<28} by {}{person}{detail}",
            e.at, e.action, e.reference, e.actor
        );
    }
    Ok(())
}
