//! `token create | list | revoke`: the API's bearer tokens.

use scorehost_registry::{Actor, ModelName, Registry};

use super::block_on;
use crate::Global;

async fn open(g: &Global) -> Result<Registry, scorehost_registry::Error> {
    Registry::open(&g.data_dir, g.db.as_deref()).await
}

pub(crate) fn create(
    g: &Global,
    role: &Actor,
    models: &[String],
    scenarios: &[String],
    composites: &[String],
    label: &str,
) -> anyhow::Result<()> {
    let by: Actor = g.actor()?;
    let models = models
        .iter()
        .map(|m| m.parse::<ModelName>())
        .collect::<Result<Vec<_>, _>>()?;
    let created = block_on(async {
        open(g)
            .await?
            .create_token_with(&by, role, &models, scenarios, composites, label)
            .await
    })?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&created)?);
    } else {
        println!("{}", created.secret);
        eprintln!(
            "token {} for {}{}{}{}{} — the secret above is shown once; only its hash is stored",
            created.token.id,
            created.token.role,
            created
                .token
                .person
                .as_ref()
                .map(|p| format!(" ({p})"))
                .unwrap_or_default(),
            if created.token.models.is_empty() {
                String::new()
            } else {
                format!(" (models: {})", created.token.models.join(", "))
            },
            if created.token.scenarios.is_empty() {
                String::new()
            } else {
                format!(" (scenarios: {})", created.token.scenarios.join(", "))
            },
            if created.token.composites.is_empty() {
                String::new()
            } else {
                format!(" (composites: {})", created.token.composites.join(", "))
            }
        );
    }
    Ok(())
}

pub(crate) fn list(g: &Global) -> anyhow::Result<()> {
    let tokens = block_on(async { open(g).await?.tokens().await })?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&tokens)?);
        return Ok(());
    }
    for t in tokens {
        println!(
            "{}  {:<24} {:<10} {}{}",
            t.id,
            t.role,
            if t.revoked_at.is_some() {
                "revoked"
            } else {
                "live"
            },
            t.models.join(",")
                + &if t.scenarios.is_empty() {
                    String::new()
                } else {
                    format!(" scenarios:{}", t.scenarios.join(","))
                }
                + &if t.composites.is_empty() {
                    String::new()
                } else {
                    format!(" composites:{}", t.composites.join(","))
                },
            if t.label.is_empty() {
                String::new()
            } else {
                format!("  ({})", t.label)
            }
        );
    }
    Ok(())
}

pub(crate) fn revoke(g: &Global, id: &str) -> anyhow::Result<()> {
    let by: Actor = g.actor()?;
    let token = block_on(async { open(g).await?.revoke_token(&by, id).await })?;
    if g.json {
        println!("{}", serde_json::to_string_pretty(&token)?);
    } else {
        println!("revoked {} ({})", token.id, token.role);
    }
    Ok(())
}
