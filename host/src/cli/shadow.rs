//! `plugin shadow | unshadow | shadows`: shadow mode (see
//! [`scorehost_engine::shadow`]). The shadow runs beside the pinned version in a
//! running service; these commands only set, clear and list it.

use scorehost_registry::{Actor, ModelName, Registry, Shadow, VersionRef};

use super::block_on;
use super::remote::Remote;
use crate::Global;

async fn open(g: &Global) -> Result<Registry, scorehost_registry::Error> {
    Registry::open(&g.data_dir, g.db.as_deref()).await
}

fn print(g: &Global, verb: &str, s: &Shadow) -> anyhow::Result<()> {
    if g.json {
        println!("{}", serde_json::to_string_pretty(s)?);
    } else {
        println!(
            "{verb} {}@{} (sha256 {}) as the shadow of {}",
            s.model, s.version, s.sha256, s.model
        );
    }
    Ok(())
}

/// `plugin shadow NS/NAME@VERSION --sha256 HEX`.
pub(crate) fn shadow(g: &Global, reference: &str, sha256: &str) -> anyhow::Result<()> {
    let actor: Actor = g.actor()?;
    let r: VersionRef = reference.parse()?;
    let s = block_on(async { open(g).await?.set_shadow(&actor, &r, sha256).await })?;
    print(g, "set", &s)?;
    if !g.json {
        println!(
            "a running service picks it up within a second; its results are logged, never returned"
        );
    }
    Ok(())
}

/// `plugin unshadow NS/NAME`.
pub(crate) fn unshadow(g: &Global, model: &str) -> anyhow::Result<()> {
    let actor: Actor = g.actor()?;
    let model: ModelName = model.parse()?;
    let s = block_on(async { open(g).await?.clear_shadow(&actor, &model).await })?;
    print(g, "cleared", &s)
}

/// `plugin shadows`.
pub(crate) fn list(g: &Global) -> anyhow::Result<()> {
    let all = block_on(async { open(g).await?.shadows().await })?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    if all.is_empty() {
        println!("no model has a shadow version");
    }
    for s in &all {
        println!(
            "{:<28} shadow {}  sha256 {}  set by {} at {}",
            s.model, s.version, s.sha256, s.set_by, s.set_at
        );
    }
    Ok(())
}

/// The same through a service.
pub(crate) fn shadow_remote(
    g: &Global,
    r: &Remote,
    reference: &str,
    sha256: &str,
) -> anyhow::Result<()> {
    let (model, version) = reference
        .split_once('@')
        .ok_or_else(|| anyhow::anyhow!("'{reference}' is not NAMESPACE/NAME@VERSION"))?;
    let v = r.put_json(
        &format!("/v1/shadows/{model}"),
        &serde_json::json!({ "version": version, "sha256": sha256 }),
    )?;
    print(g, "set", &serde_json::from_value(v)?)
}

/// `plugin unshadow` through a service.
pub(crate) fn unshadow_remote(g: &Global, r: &Remote, model: &str) -> anyhow::Result<()> {
    let v = r.delete(&format!("/v1/shadows/{model}"))?;
    print(g, "cleared", &serde_json::from_value(v)?)
}
