//! Shadow mode: the province lets a candidate version (submitted or
//! approved, not pinned) run beside the pinned version on live traffic.
//! The host evaluates every live scoring of the model with the shadow too,
//! logs the result and never returns it; the reviewer then sees how the
//! candidate behaves on real requests before approving or pinning it.
//!
//! One shadow per model. Setting, replacing and clearing one are registry
//! actions: each is in the registry's history and in the audit log, in the
//! same transaction. Pinning or revoking the shadow version clears the
//! shadow in the pin's or revocation's transaction (recorded as an
//! `unshadow` with the reason): a pinned version is live already, a revoked
//! one must never run again.

use serde::{Deserialize, Serialize};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::db::Tx;
use crate::refs::check_sha256;
use crate::versions::{Status, find_named, record};
use crate::{Actor, Error, ModelName, Registry, VersionRef, now};

/// A model's shadow version as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shadow {
    /// `namespace/name`.
    pub model: String,
    /// The shadow version.
    pub version: String,
    /// Its SHA-256 (named by the province when it set the shadow).
    pub sha256: String,
    /// Who set it.
    pub set_by: String,
    /// When (RFC 3339, UTC).
    pub set_at: String,
}

const SHADOW_COLUMNS: &str = "namespace, name, version, sha256, set_by, set_at";

fn shadow_from_row(r: &AnyRow) -> Result<Shadow, Error> {
    let ns: String = r.try_get("namespace")?;
    let name: String = r.try_get("name")?;
    Ok(Shadow {
        model: format!("{ns}/{name}"),
        version: r.try_get("version")?,
        sha256: r.try_get("sha256")?,
        set_by: r.try_get("set_by")?,
        set_at: r.try_get("set_at")?,
    })
}

async fn shadow_in_tx(tx: &mut Tx, model: &ModelName) -> Result<Option<Shadow>, Error> {
    let row = sqlx::query(&format!(
        "SELECT {SHADOW_COLUMNS} FROM shadows WHERE namespace = $1 AND name = $2"
    ))
    .bind(&model.namespace)
    .bind(&model.name)
    .fetch_optional(tx.conn())
    .await?;
    row.as_ref().map(shadow_from_row).transpose()
}

async fn delete(tx: &mut Tx, model: &ModelName) -> Result<(), Error> {
    sqlx::query("DELETE FROM shadows WHERE namespace = $1 AND name = $2")
        .bind(&model.namespace)
        .bind(&model.name)
        .execute(tx.conn())
        .await?;
    Ok(())
}

impl Registry {
    /// Make version `r`, named by its `sha256`, the shadow of its model
    /// (province only). It must be submitted or approved — not pinned (it
    /// is live already) and not revoked — and the model must have a pinned
    /// version to shadow. Replaces an earlier shadow of the model (the
    /// record says which). Setting the same shadow again changes nothing.
    pub async fn set_shadow(
        &self,
        actor: &Actor,
        r: &VersionRef,
        sha256: &str,
    ) -> Result<Shadow, Error> {
        actor.must_be_province("set shadow versions")?;
        check_sha256(sha256)?;
        let mut tx = self.db.begin().await?;
        let v = find_named(&mut tx, r, sha256, "shadow").await?;
        match v.status {
            Status::Revoked => {
                return Err(Error::Conflict(format!(
                    "{r} was revoked and never runs again, not even in the shadow"
                )));
            }
            Status::Pinned => {
                return Err(Error::Conflict(format!(
                    "{r} is the pinned version: it already scores every request, so it cannot shadow itself"
                )));
            }
            Status::Submitted | Status::Approved => {}
        }
        let pinned = sqlx::query("SELECT version FROM pins WHERE namespace = $1 AND name = $2")
            .bind(&r.model.namespace)
            .bind(&r.model.name)
            .fetch_optional(tx.conn())
            .await?;
        if pinned.is_none() {
            return Err(Error::NoPinnedVersion(r.model.to_string()));
        }
        let previous = shadow_in_tx(&mut tx, &r.model).await?;
        if let Some(p) = &previous
            && p.version == r.version
        {
            return Ok(p.clone());
        }
        delete(&mut tx, &r.model).await?;
        let shadow = Shadow {
            model: r.model.to_string(),
            version: r.version.clone(),
            sha256: sha256.to_string(),
            set_by: actor.to_string(),
            set_at: now(),
        };
        sqlx::query(&format!(
            "INSERT INTO shadows ({SHADOW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
        ))
        .bind(&r.model.namespace)
        .bind(&r.model.name)
        .bind(&shadow.version)
        .bind(&shadow.sha256)
        .bind(&shadow.set_by)
        .bind(&shadow.set_at)
        .execute(tx.conn())
        .await?;
        let detail = previous
            .map(|p| format!("replaces shadow {}", p.version))
            .unwrap_or_default();
        record(&mut tx, actor, "shadow", r, sha256, &detail).await?;
        tx.commit().await?;
        tracing::info!(reference = %r, actor = %actor, "shadow set");
        Ok(shadow)
    }

    /// Clear the shadow of `model` (province only): live scorings stop
    /// being evaluated with it. [`Error::NotFound`] if it has none.
    pub async fn clear_shadow(&self, actor: &Actor, model: &ModelName) -> Result<Shadow, Error> {
        actor.must_be_province("clear shadow versions")?;
        let mut tx = self.db.begin().await?;
        let current = shadow_in_tx(&mut tx, model)
            .await?
            .ok_or_else(|| Error::NotFound(format!("{model} has no shadow version")))?;
        delete(&mut tx, model).await?;
        let r = VersionRef {
            model: model.clone(),
            version: current.version.clone(),
        };
        record(&mut tx, actor, "unshadow", &r, &current.sha256, "cleared").await?;
        tx.commit().await?;
        tracing::info!(model = %model, actor = %actor, "shadow cleared");
        Ok(current)
    }

    /// The shadow version of `model`, if it has one. One indexed read: the
    /// service asks on every scoring (through a short cache).
    pub async fn shadow(&self, model: &ModelName) -> Result<Option<Shadow>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {SHADOW_COLUMNS} FROM shadows WHERE namespace = $1 AND name = $2"
        ))
        .bind(&model.namespace)
        .bind(&model.name)
        .fetch_optional(&self.db.pool)
        .await?;
        row.as_ref().map(shadow_from_row).transpose()
    }

    /// Every shadow, by model.
    pub async fn shadows(&self) -> Result<Vec<Shadow>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {SHADOW_COLUMNS} FROM shadows ORDER BY namespace, name"
        ))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(shadow_from_row).collect()
    }
}
