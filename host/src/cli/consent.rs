//! `consent grant | withdraw | list`.

use scorehost_registry::{Actor, Consent, ModelName, Registry};

use super::block_on;
use crate::Global;

async fn open(g: &Global) -> Result<Registry, scorehost_registry::Error> {
    Registry::open(&g.data_dir, g.db.as_deref()).await
}

fn print(g: &Global, c: &Consent) -> anyhow::Result<()> {
    if g.json {
        println!("{}", serde_json::to_string_pretty(c)?);
    } else {
        println!(
            "{}  app:{}  {}  until {}{}",
            c.subject_id,
            c.app,
            c.model,
            c.expires_at,
            c.withdrawn_at
                .as_ref()
                .map(|w| format!("  withdrawn {w}"))
                .unwrap_or_default()
        );
    }
    Ok(())
}

pub(crate) fn grant(
    g: &Global,
    subject: &str,
    app: &str,
    model: &str,
    until: &str,
) -> anyhow::Result<()> {
    let by: Actor = g.actor()?;
    let model: ModelName = model.parse()?;
    let c = block_on(async {
        open(g)
            .await?
            .grant_consent(&by, subject, app, &model, until)
            .await
    })?;
    print(g, &c)
}

pub(crate) fn withdraw(g: &Global, subject: &str, app: &str, model: &str) -> anyhow::Result<()> {
    let by: Actor = g.actor()?;
    let model: ModelName = model.parse()?;
    let c = block_on(async {
        open(g)
            .await?
            .withdraw_consent(&by, subject, app, &model)
            .await
    })?;
    print(g, &c)
}

pub(crate) fn list(g: &Global, subject: &str) -> anyhow::Result<()> {
    let all = block_on(async { open(g).await?.consents_of(subject).await })?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(());
    }
    for c in &all {
        print(g, c)?;
    }
    Ok(())
}
