//! The life cycle: publish, approve, pin, revoke; and reading it back.

pub(crate) mod module_store;

use std::path::Path;

use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::db::{Db, Tx};
use crate::governance::{self, Review};
use crate::refs::check_sha256;
use crate::versions::module_store::{ModuleStore, sha256_hex};
use crate::{Actor, Error, ModelName, VersionRef};

/// What the caller vouches for about a module before it is stored: that it
/// passed the runtime's load-time check (a `scoring-model` component with
/// allowed imports, within the size limit), and what its `describe()` says.
pub trait ModuleCheck {
    /// Check `bytes`; `Err` is the reason the module is refused.
    fn check(&self, bytes: &[u8]) -> Result<CheckedModule, String>;
}

/// What [`ModuleCheck::check`] learned from a module's `describe()`.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedModule {
    /// `namespace/name`.
    pub name: String,
    /// Semantic version.
    pub version: String,
    /// The whole `describe()`, as JSON, kept with the version.
    pub describe: serde_json::Value,
}

/// A version's place in the life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Published, not yet reviewed.
    Submitted,
    /// Reviewed and approved by the province (for the hash it named).
    Approved,
    /// The model's one active version.
    Pinned,
    /// Withdrawn for good: it can never be pinned again.
    Revoked,
}

/// One plugin version as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VersionRecord {
    /// `namespace/name@version`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The model.
    #[serde(skip)]
    pub model: ModelName,
    /// Semantic version.
    pub version: String,
    /// SHA-256 of the module's exact bytes.
    pub sha256: String,
    /// Size of the module in bytes.
    pub size_bytes: i64,
    /// Where it stands.
    pub status: Status,
    /// Who published it, and when (RFC 3339, UTC).
    pub published_by: String,
    /// When it was published.
    pub published_at: String,
    /// Who approved it.
    pub approved_by: Option<String>,
    /// When it was approved.
    pub approved_at: Option<String>,
    /// Who revoked it.
    pub revoked_by: Option<String>,
    /// When it was revoked.
    pub revoked_at: Option<String>,
    /// Its `describe()`.
    pub describe: serde_json::Value,
    /// The person who published it, when their token or `--as` named one:
    /// they never count toward its quorum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published_person: Option<String>,
    /// The module's SSH signature, armored, when it was published signed
    /// ([`crate::governance::signing`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// The fingerprint (`SHA256:…`) of the registered key that signed it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signed_by_key: Option<String>,
    /// When the key that signed it was revoked: a version in force stays
    /// in force, flagged for review; one not yet approved can no longer be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signing_key_revoked_at: Option<String>,
    /// The four-eyes review: the quorum, who approved these bytes, and how
    /// many more persons must.
    pub review: Review,
}

/// The result of a publish.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Published {
    /// The version as stored.
    pub version: VersionRecord,
    /// True if these exact bytes were already published under this ref:
    /// nothing changed.
    pub already_published: bool,
}

/// The pinned version of a model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pin {
    /// `namespace/name`.
    pub model: String,
    /// The pinned version.
    pub version: String,
    /// Its SHA-256.
    pub sha256: String,
    /// Who pinned it.
    pub pinned_by: String,
    /// When.
    pub pinned_at: String,
}

/// One entry of the registry's history.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    /// Sequence number (increasing).
    pub id: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who: the role.
    pub actor: String,
    /// The person, when the actor named one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// `publish`, `approve` (one person's approval), `approved` (the
    /// quorum reached), `pin`, `unpin` or `revoke`.
    pub action: String,
    /// `namespace/name@version`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// The SHA-256 concerned.
    pub sha256: String,
    /// More about it (what a pin replaced, why a version was revoked).
    pub detail: String,
}

/// A version chosen to score, with its verified bytes.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The version.
    pub version: VersionRecord,
    /// Its module bytes, re-hashed against the registry's SHA-256.
    pub bytes: Vec<u8>,
}

/// The registry: SQL for the records, the module store for the bytes.
pub struct Registry {
    pub(crate) db: Db,
    store: ModuleStore,
}

pub(crate) fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "1970-01-01T00:00:00Z".into())
}

const VERSION_COLUMNS: &str = "v.namespace, v.name, v.version, v.sha256, v.size_bytes, v.describe_json, v.status, \
     v.published_by, v.published_at, v.approved_by, v.approved_at, v.revoked_by, v.revoked_at, \
     v.published_person, v.signature, v.signed_by_key, k.revoked_at AS key_revoked_at, \
     p.version AS pinned_version";

const VERSION_FROM: &str = "FROM plugin_versions v \
     LEFT JOIN pins p ON p.namespace = v.namespace AND p.name = v.name \
     LEFT JOIN signing_keys k ON k.namespace = v.namespace AND k.fingerprint = v.signed_by_key";

fn version_from_row(row: &AnyRow) -> Result<VersionRecord, Error> {
    let model = ModelName {
        namespace: row.try_get("namespace")?,
        name: row.try_get("name")?,
    };
    let version: String = row.try_get("version")?;
    let pinned: Option<String> = row.try_get("pinned_version")?;
    let stored: String = row.try_get("status")?;
    let status = match stored.as_str() {
        "revoked" => Status::Revoked,
        _ if pinned.as_deref() == Some(version.as_str()) => Status::Pinned,
        "approved" => Status::Approved,
        _ => Status::Submitted,
    };
    let describe: String = row.try_get("describe_json")?;
    Ok(VersionRecord {
        reference: format!("{model}@{version}"),
        model,
        version,
        sha256: row.try_get("sha256")?,
        size_bytes: row.try_get("size_bytes")?,
        status,
        published_by: row.try_get("published_by")?,
        published_at: row.try_get("published_at")?,
        approved_by: row.try_get("approved_by")?,
        approved_at: row.try_get("approved_at")?,
        revoked_by: row.try_get("revoked_by")?,
        revoked_at: row.try_get("revoked_at")?,
        describe: serde_json::from_str(&describe).unwrap_or(serde_json::Value::Null),
        published_person: row.try_get("published_person")?,
        signature: row.try_get("signature")?,
        signed_by_key: row.try_get("signed_by_key")?,
        signing_key_revoked_at: row.try_get("key_revoked_at")?,
        review: Review::default(),
    })
}

/// Fill each version's [`Review`]: two queries, whatever the number of
/// versions.
async fn with_reviews(
    conn: &mut sqlx::AnyConnection,
    mut versions: Vec<VersionRecord>,
) -> Result<Vec<VersionRecord>, Error> {
    let quorum = governance::quorum_in(conn).await?;
    let mut approvals = governance::approvals_of_kind(conn, governance::VERSION).await?;
    for v in &mut versions {
        let in_force = matches!(v.status, Status::Approved | Status::Pinned);
        let of_this = approvals.remove(&v.reference).unwrap_or_default();
        v.review = governance::review(quorum, of_this, &v.sha256, in_force);
    }
    Ok(versions)
}

/// Fill one version's [`Review`]: two queries.
async fn with_review(
    conn: &mut sqlx::AnyConnection,
    mut v: VersionRecord,
) -> Result<VersionRecord, Error> {
    let quorum = governance::quorum_in(conn).await?;
    let approvals = governance::approvals_of(conn, governance::VERSION, &v.reference).await?;
    let in_force = matches!(v.status, Status::Approved | Status::Pinned);
    v.review = governance::review(quorum, approvals, &v.sha256, in_force);
    Ok(v)
}

async fn find_version(tx: &mut Tx, r: &VersionRef) -> Result<Option<VersionRecord>, Error> {
    let sql = format!(
        "SELECT {VERSION_COLUMNS} {VERSION_FROM} WHERE v.namespace = $1 AND v.name = $2 AND v.version = $3"
    );
    let row = sqlx::query(&sql)
        .bind(&r.model.namespace)
        .bind(&r.model.name)
        .bind(&r.version)
        .fetch_optional(tx.conn())
        .await?;
    match row.as_ref().map(version_from_row).transpose()? {
        None => Ok(None),
        Some(v) => Ok(Some(with_review(tx.conn(), v).await?)),
    }
}

pub(crate) async fn record(
    tx: &mut Tx,
    actor: &Actor,
    action: &str,
    r: &VersionRef,
    sha256: &str,
    detail: &str,
) -> Result<(), Error> {
    sqlx::query(
        "INSERT INTO registry_events (at, actor, action, namespace, name, version, sha256, detail, person) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(now())
    .bind(actor.to_string())
    .bind(action)
    .bind(&r.model.namespace)
    .bind(&r.model.name)
    .bind(&r.version)
    .bind(sha256)
    .bind(detail)
    .bind(&actor.person)
    .execute(tx.conn())
    .await?;
    let mut body = serde_json::Map::new();
    actor.record_into(&mut body);
    body.insert("action".into(), action.into());
    body.insert("ref".into(), r.to_string().into());
    body.insert("sha256".into(), sha256.into());
    body.insert("detail".into(), detail.into());
    crate::log::append_in_tx(
        tx.conn(),
        vec![crate::log::NewRecord::from_fields("registry", now(), &body)],
    )
    .await?;
    Ok(())
}

/// Move a version to `status` (`approved` or `revoked`), stamping who and
/// when in the matching `<status>_by` and `<status>_at` columns.
async fn set_status(
    tx: &mut Tx,
    r: &VersionRef,
    status: &'static str,
    actor: &Actor,
) -> Result<(), Error> {
    debug_assert!(matches!(status, "approved" | "revoked"));
    let sql = format!(
        "UPDATE plugin_versions SET status = '{status}', {status}_by = $1, {status}_at = $2 \
         WHERE namespace = $3 AND name = $4 AND version = $5"
    );
    sqlx::query(&sql)
        .bind(actor.to_string())
        .bind(now())
        .bind(&r.model.namespace)
        .bind(&r.model.name)
        .bind(&r.version)
        .execute(tx.conn())
        .await?;
    Ok(())
}

fn not_found(r: &VersionRef) -> Error {
    Error::NotFound(format!("{r} has not been published"))
}

/// The version `r`, which the caller named by `sha256` for an `action`: a
/// different stored hash is a conflict.
pub(crate) async fn find_named(
    tx: &mut Tx,
    r: &VersionRef,
    sha256: &str,
    action: &str,
) -> Result<VersionRecord, Error> {
    let v = find_version(tx, r).await?.ok_or_else(|| not_found(r))?;
    if v.sha256 != sha256 {
        return Err(hash_mismatch(r, &v.sha256, sha256, action));
    }
    Ok(v)
}

fn hash_mismatch(r: &VersionRef, stored: &str, named: &str, what: &str) -> Error {
    Error::Conflict(format!(
        "{r} has sha256 {stored}, not {named}: the {what} must name the exact bytes reviewed; nothing changed"
    ))
}

/// Create `dir` (and its parents) if needed, and make it owner-only.
fn owner_only_dir(dir: &Path) -> Result<(), Error> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)?;
        let mode = std::fs::metadata(dir)?.permissions().mode() & 0o7777;
        // A shared directory such as /tmp (the sticky bit) is never made
        // owner-only: that would lock everyone else out of it.
        if mode & 0o1000 != 0 {
            return Err(Error::Storage(format!(
                "the data dir {} is a shared directory (mode {mode:o}): give scorehost a directory of its own",
                dir.display()
            )));
        }
        if mode & 0o777 != 0o700 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(|e| {
                Error::Storage(format!(
                    "the data dir {} is readable by others (mode {mode:o}) and cannot be made owner-only: {e}",
                    dir.display()
                ))
            })?;
        }
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir)?;
    Ok(())
}

impl Registry {
    /// Open the registry: the module store under `data_dir/modules` and the
    /// database at `db_url` (default: SQLite at `data_dir/registry.db`),
    /// applying migrations.
    ///
    /// The data dir holds personal data (national ids, consents, every
    /// evaluation's input): it is created owner-only (0700), and made so
    /// if it already exists, so that no other local user can read anything
    /// in it, whatever the modes of the files inside.
    pub async fn open(data_dir: &Path, db_url: Option<&str>) -> Result<Registry, Error> {
        owner_only_dir(data_dir)?;
        let default_url;
        let url = match db_url {
            Some(u) => u,
            None => {
                default_url = format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("registry.db").display()
                );
                &default_url
            }
        };
        let db = Db::open(url).await?;
        let store = ModuleStore::open(&data_dir.join("modules"))?;
        Ok(Registry { db, store })
    }

    /// Pooled database connections checked out now (open and not idle in
    /// the pool): what a leak of connections shows as.
    pub fn connections_in_use(&self) -> usize {
        (self.db.pool.size() as usize).saturating_sub(self.db.pool.num_idle())
    }

    /// The module store.
    pub fn store(&self) -> &ModuleStore {
        &self.store
    }

    /// Publish a module. Its `describe()` name and version become the ref.
    ///
    /// Refuses (storing nothing): a module `check` refuses; an actor
    /// publishing outside its namespace; the same ref with other bytes
    /// ([`Error::Conflict`]: versions are immutable). The same bytes again is
    /// a no-op in the registry that says so ([`Published::already_published`])
    /// and puts the bytes in this host's module store if they are missing —
    /// how a second host on a shared database gets a module.
    pub async fn publish(
        &self,
        actor: &Actor,
        bytes: &[u8],
        check: &(dyn ModuleCheck + Sync),
    ) -> Result<Published, Error> {
        self.publish_signed(actor, bytes, check, None).await
    }

    /// [`Registry::publish`], with the module's SSH `signature` (armored)
    /// when it has one. In a namespace for which the province registered
    /// keys, the signature is required and must verify against a live key
    /// over the module's reference and SHA-256
    /// ([`crate::governance::signing`]); otherwise the module is refused
    /// ([`Error::ModuleRefused`], naming why) and nothing is stored. The
    /// signature and its key are stored with the version and named in its
    /// audit record.
    pub async fn publish_signed(
        &self,
        actor: &Actor,
        bytes: &[u8],
        check: &(dyn ModuleCheck + Sync),
        signature: Option<&str>,
    ) -> Result<Published, Error> {
        let checked = check.check(bytes).map_err(Error::ModuleRefused)?;
        let model: ModelName = checked.name.parse()?;
        if model.namespace == crate::scenarios::COMPOSITE_NAMESPACE {
            return Err(Error::BadRequest(format!(
                "the namespace '{}' is reserved: a benefit scenario names a composite as composite/NAME",
                model.namespace
            )));
        }
        actor.may_publish_into(&model.namespace)?;
        let r = VersionRef {
            model,
            version: checked.version.clone(),
        };
        let sha = sha256_hex(bytes);
        let mut tx = self.db.begin().await?;
        if let Some(existing) = find_version(&mut tx, &r).await? {
            if existing.sha256 == sha {
                // Nothing changes in the registry; but this host's store may
                // lack the bytes (a second host on a shared database), and
                // these are the registered bytes: keep them (idempotent).
                self.store.put(bytes)?;
                return Ok(Published {
                    version: existing,
                    already_published: true,
                });
            }
            return Err(Error::Conflict(format!(
                "{r} is already published with sha256 {}; a version is immutable, so these bytes ({sha}) need a new version",
                existing.sha256
            )));
        }
        // The signature before a byte is stored: a refused module leaves
        // nothing behind.
        let signed_by = governance::signing::check_publish(tx.conn(), &r, &sha, signature).await?;
        // Bytes first: a row never points at a module that is not stored.
        self.store.put(bytes)?;
        sqlx::query(
            "INSERT INTO plugin_versions (namespace, name, version, sha256, size_bytes, describe_json, status, published_by, published_at, published_person, signature, signed_by_key) \
             VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $8, $9, $10, $11)",
        )
        .bind(&r.model.namespace)
        .bind(&r.model.name)
        .bind(&r.version)
        .bind(&sha)
        .bind(bytes.len() as i64)
        .bind(checked.describe.to_string())
        .bind(actor.to_string())
        .bind(now())
        .bind(&actor.person)
        .bind(signed_by.as_ref().and(signature.map(str::trim)))
        .bind(&signed_by)
        .execute(tx.conn())
        .await?;
        let detail = match &signed_by {
            Some(fp) => format!("signed by key {fp}"),
            None => String::new(),
        };
        record(&mut tx, actor, "publish", &r, &sha, &detail).await?;
        let version = find_version(&mut tx, &r)
            .await?
            .ok_or_else(|| not_found(&r))?;
        tx.commit().await?;
        tracing::info!(reference = %r, sha256 = %sha, actor = %actor, "published");
        Ok(Published {
            version,
            already_published: false,
        })
    }

    /// One named province person's approval of a version, naming the
    /// SHA-256 they reviewed. The version is approved — and may be pinned —
    /// once [`Registry::quorum`] distinct persons approved these bytes
    /// (four eyes by default: [`crate::governance::DEFAULT_QUORUM`]).
    ///
    /// Each approval is its own audit record naming the person and the
    /// hash; reaching the quorum is one more. Refused, changing nothing:
    /// an actor naming no person; the version's publisher (they never count
    /// toward its quorum); a hash other than the stored one; a revoked
    /// version; a version signed by a key revoked since; an unsigned version
    /// in a namespace that now requires signatures. The same person
    /// approving again (through another token, say) is a no-op: one person
    /// counts once. Approving a version already approved changes nothing.
    pub async fn approve(
        &self,
        actor: &Actor,
        r: &VersionRef,
        sha256: &str,
    ) -> Result<VersionRecord, Error> {
        actor.must_be_province("approve plugin versions")?;
        let person = actor.named_person("approving a version")?;
        check_sha256(sha256)?;
        let mut tx = self.db.begin().await?;
        // Two persons approving at once, from two hosts: the second waits
        // for the first here (a row lock on PostgreSQL; SQLite's write
        // transactions are serial), then counts the first's approval.
        sqlx::query(
            "UPDATE plugin_versions SET status = status WHERE namespace = $1 AND name = $2 AND version = $3",
        )
        .bind(&r.model.namespace)
        .bind(&r.model.name)
        .bind(&r.version)
        .execute(tx.conn())
        .await?;
        let v = find_named(&mut tx, r, sha256, "approval").await?;
        match v.status {
            Status::Revoked => {
                return Err(Error::Conflict(format!(
                    "{r} was revoked and cannot be approved"
                )));
            }
            Status::Approved | Status::Pinned => return Ok(v),
            Status::Submitted => {}
        }
        if let Some(publisher) = &v.published_person
            && crate::person_key(publisher) == crate::person_key(person)
        {
            return Err(Error::Forbidden(format!(
                "{person} published {r}, and the publisher of a version never counts toward its quorum: another person approves it"
            )));
        }
        if let (Some(key), Some(at)) = (&v.signed_by_key, &v.signing_key_revoked_at) {
            return Err(Error::Conflict(format!(
                "{r} was signed with key {key}, revoked at {at}: it cannot be approved; publish a new version signed with a live key"
            )));
        }
        if v.signed_by_key.is_none()
            && !governance::signing::keys_in(tx.conn(), &r.model.namespace)
                .await?
                .is_empty()
        {
            return Err(Error::Conflict(format!(
                "{r} was published unsigned, and namespace '{}' now requires signed modules: publish a new version, signed",
                r.model.namespace
            )));
        }
        if !governance::add_approval(
            tx.conn(),
            governance::VERSION,
            &r.to_string(),
            sha256,
            actor,
            person,
        )
        .await?
        {
            // Already approved by this person: one person counts once.
            drop(tx);
            return self.version(r).await;
        }
        let quorum = v.review.quorum;
        let approvals = governance::approvals_of(tx.conn(), governance::VERSION, &r.to_string())
            .await?
            .into_iter()
            .filter(|a| a.sha256 == sha256)
            .collect::<Vec<_>>();
        record(
            &mut tx,
            actor,
            "approve",
            r,
            sha256,
            &format!("approval {} of {quorum}", approvals.len()),
        )
        .await?;
        if approvals.len() as u32 >= quorum {
            let persons = governance::persons(&approvals);
            sqlx::query(
                "UPDATE plugin_versions SET status = 'approved', approved_by = $1, approved_at = $2 \
                 WHERE namespace = $3 AND name = $4 AND version = $5",
            )
            .bind(&persons)
            .bind(now())
            .bind(&r.model.namespace)
            .bind(&r.model.name)
            .bind(&r.version)
            .execute(tx.conn())
            .await?;
            record(
                &mut tx,
                actor,
                "approved",
                r,
                sha256,
                &format!("quorum of {quorum} reached: {persons}"),
            )
            .await?;
            tracing::info!(reference = %r, %persons, "approved by quorum");
        }
        let v = find_version(&mut tx, r)
            .await?
            .ok_or_else(|| not_found(r))?;
        tx.commit().await?;
        tracing::info!(reference = %r, actor = %actor, person, "approval recorded");
        Ok(v)
    }

    /// Pin a version, named by version and hash, as the model's one active
    /// version. Only an approved version can be pinned; a revoked one never.
    /// The previous pin's history is kept.
    pub async fn pin(&self, actor: &Actor, r: &VersionRef, sha256: &str) -> Result<Pin, Error> {
        actor.must_be_province("pin plugin versions")?;
        check_sha256(sha256)?;
        let mut tx = self.db.begin().await?;
        let v = find_named(&mut tx, r, sha256, "pin").await?;
        match v.status {
            Status::Revoked => {
                return Err(Error::Conflict(format!(
                    "{r} was revoked and can never be pinned again"
                )));
            }
            Status::Submitted => {
                return Err(Error::Conflict(format!(
                    "{r} is not approved: {} more of {} distinct persons must approve it before it can be pinned",
                    v.review.needed, v.review.quorum
                )));
            }
            Status::Approved | Status::Pinned => {}
        }
        let previous: Option<String> =
            sqlx::query("SELECT version FROM pins WHERE namespace = $1 AND name = $2")
                .bind(&r.model.namespace)
                .bind(&r.model.name)
                .fetch_optional(tx.conn())
                .await?
                .map(|row| row.try_get("version"))
                .transpose()?;
        if previous.as_deref() == Some(r.version.as_str()) {
            drop(tx);
            return self.pinned(&r.model).await;
        }
        sqlx::query("DELETE FROM pins WHERE namespace = $1 AND name = $2")
            .bind(&r.model.namespace)
            .bind(&r.model.name)
            .execute(tx.conn())
            .await?;
        sqlx::query(
            "INSERT INTO pins (namespace, name, version, sha256, pinned_by, pinned_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&r.model.namespace)
        .bind(&r.model.name)
        .bind(&r.version)
        .bind(sha256)
        .bind(actor.to_string())
        .bind(now())
        .execute(tx.conn())
        .await?;
        let detail = previous
            .map(|p| format!("replaces {p}"))
            .unwrap_or_default();
        record(&mut tx, actor, "pin", r, sha256, &detail).await?;
        // A pinned version is live: it no longer shadows (the shadows facet).
        clear_if_shadow(&mut tx, actor, r, "pinned").await?;
        tx.commit().await?;
        tracing::info!(reference = %r, actor = %actor, "pinned");
        self.pinned(&r.model).await
    }

    /// Revoke a version for good. If it is pinned, the model is unpinned and
    /// scores nobody until a new pin. Revoking twice is a no-op.
    pub async fn revoke(
        &self,
        actor: &Actor,
        r: &VersionRef,
        reason: &str,
    ) -> Result<VersionRecord, Error> {
        actor.must_be_province("revoke plugin versions")?;
        let mut tx = self.db.begin().await?;
        let v = find_version(&mut tx, r)
            .await?
            .ok_or_else(|| not_found(r))?;
        if v.status == Status::Revoked {
            return Ok(v);
        }
        set_status(&mut tx, r, "revoked", actor).await?;
        record(&mut tx, actor, "revoke", r, &v.sha256, reason).await?;
        // A revoked version never runs again, not even in the shadow.
        clear_if_shadow(&mut tx, actor, r, "revoked").await?;
        if v.status == Status::Pinned {
            sqlx::query("DELETE FROM pins WHERE namespace = $1 AND name = $2")
                .bind(&r.model.namespace)
                .bind(&r.model.name)
                .execute(tx.conn())
                .await?;
            record(
                &mut tx,
                actor,
                "unpin",
                r,
                &v.sha256,
                "revoked while pinned",
            )
            .await?;
        }
        let v = find_version(&mut tx, r)
            .await?
            .ok_or_else(|| not_found(r))?;
        tx.commit().await?;
        tracing::info!(reference = %r, actor = %actor, "revoked");
        Ok(v)
    }

    /// Every version of every model, by model then publication order.
    pub async fn list(&self) -> Result<Vec<VersionRecord>, Error> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} {VERSION_FROM} ORDER BY v.namespace, v.name, v.published_at, v.version"
        );
        let mut conn = self.db.pool.acquire().await?;
        let rows = sqlx::query(&sql).fetch_all(&mut *conn).await?;
        let versions = rows
            .iter()
            .map(version_from_row)
            .collect::<Result<_, _>>()?;
        with_reviews(&mut conn, versions).await
    }

    /// Every version of one model.
    pub async fn versions(&self, model: &ModelName) -> Result<Vec<VersionRecord>, Error> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} {VERSION_FROM} WHERE v.namespace = $1 AND v.name = $2 ORDER BY v.published_at, v.version"
        );
        let mut conn = self.db.pool.acquire().await?;
        let rows = sqlx::query(&sql)
            .bind(&model.namespace)
            .bind(&model.name)
            .fetch_all(&mut *conn)
            .await?;
        if rows.is_empty() {
            return Err(Error::NotFound(format!(
                "no version of {model} has been published"
            )));
        }
        let versions = rows
            .iter()
            .map(version_from_row)
            .collect::<Result<_, _>>()?;
        with_reviews(&mut conn, versions).await
    }

    /// One version.
    pub async fn version(&self, r: &VersionRef) -> Result<VersionRecord, Error> {
        let sql = format!(
            "SELECT {VERSION_COLUMNS} {VERSION_FROM} WHERE v.namespace = $1 AND v.name = $2 AND v.version = $3"
        );
        let mut conn = self.db.pool.acquire().await?;
        let row = sqlx::query(&sql)
            .bind(&r.model.namespace)
            .bind(&r.model.name)
            .bind(&r.version)
            .fetch_optional(&mut *conn)
            .await?;
        let v = row
            .as_ref()
            .map(version_from_row)
            .transpose()?
            .ok_or_else(|| not_found(r))?;
        with_review(&mut conn, v).await
    }

    /// The pinned version of a model, or [`Error::NoPinnedVersion`].
    pub async fn pinned(&self, model: &ModelName) -> Result<Pin, Error> {
        let row = sqlx::query("SELECT version, sha256, pinned_by, pinned_at FROM pins WHERE namespace = $1 AND name = $2")
            .bind(&model.namespace)
            .bind(&model.name)
            .fetch_optional(&self.db.pool)
            .await?
            .ok_or_else(|| Error::NoPinnedVersion(model.to_string()))?;
        Ok(Pin {
            model: model.to_string(),
            version: row.try_get("version")?,
            sha256: row.try_get("sha256")?,
            pinned_by: row.try_get("pinned_by")?,
            pinned_at: row.try_get("pinned_at")?,
        })
    }

    /// Every pin.
    pub async fn pins(&self) -> Result<Vec<Pin>, Error> {
        let rows = sqlx::query("SELECT namespace, name, version, sha256, pinned_by, pinned_at FROM pins ORDER BY namespace, name")
            .fetch_all(&self.db.pool)
            .await?;
        rows.iter()
            .map(|row| {
                let ns: String = row.try_get("namespace")?;
                let name: String = row.try_get("name")?;
                Ok(Pin {
                    model: format!("{ns}/{name}"),
                    version: row.try_get("version")?,
                    sha256: row.try_get("sha256")?,
                    pinned_by: row.try_get("pinned_by")?,
                    pinned_at: row.try_get("pinned_at")?,
                })
            })
            .collect()
    }

    /// The history of one model's registry actions, oldest first.
    pub async fn history(&self, model: &ModelName) -> Result<Vec<Event>, Error> {
        let rows = sqlx::query(
            "SELECT id, at, actor, person, action, namespace, name, version, sha256, detail FROM registry_events \
             WHERE namespace = $1 AND name = $2 ORDER BY id",
        )
        .bind(&model.namespace)
        .bind(&model.name)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let version: String = row.try_get("version")?;
                Ok(Event {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    actor: row.try_get("actor")?,
                    person: row.try_get("person")?,
                    action: row.try_get("action")?,
                    reference: format!("{model}@{version}"),
                    sha256: row.try_get("sha256")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect()
    }

    /// The version that scores for `model`: the pinned one, or — when the
    /// caller names it explicitly — an approved version. Its bytes come from
    /// the store and are re-hashed against the registry: a mismatch is an
    /// [`Error::Integrity`] naming the ref and both hashes.
    pub async fn resolve(
        &self,
        model: &ModelName,
        version: Option<&str>,
    ) -> Result<Resolved, Error> {
        let record = match version {
            None => {
                let pin = self.pinned(model).await?;
                self.version(&VersionRef {
                    model: model.clone(),
                    version: pin.version,
                })
                .await?
            }
            Some(v) => {
                let r = VersionRef {
                    model: model.clone(),
                    version: v.to_string(),
                };
                let record = self.version(&r).await?;
                match record.status {
                    Status::Approved | Status::Pinned => record,
                    Status::Submitted => {
                        return Err(Error::Forbidden(format!(
                            "{r} is not approved: only a pinned version, or an approved one named explicitly, may score"
                        )));
                    }
                    Status::Revoked => {
                        return Err(Error::Forbidden(format!(
                            "{r} was revoked and scores nobody"
                        )));
                    }
                }
            }
        };
        let bytes = self.store.get(&record.sha256).map_err(|e| match e {
            Error::Integrity { expected, actual, .. } => {
                tracing::error!(reference = %record.reference, %expected, %actual, "module store integrity failure");
                Error::Integrity { reference: record.reference.clone(), expected, actual }
            }
            other => other,
        })?;
        Ok(Resolved {
            version: record,
            bytes,
        })
    }
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::owner_only_dir;

    fn mode(p: &std::path::Path) -> u32 {
        std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
    }

    #[test]
    fn a_data_dir_is_made_owner_only_but_a_shared_one_is_refused_untouched() {
        let base = std::env::temp_dir().join(format!("scorehost-modes-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        // Created owner-only, parents and all.
        let fresh = base.join("a/b");
        owner_only_dir(&fresh).unwrap();
        assert_eq!(mode(&fresh), 0o700);
        // An existing world-readable one is made owner-only.
        let open = base.join("open");
        std::fs::create_dir_all(&open).unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o755)).unwrap();
        owner_only_dir(&open).unwrap();
        assert_eq!(mode(&open), 0o700);
        // A shared one (sticky, like /tmp) is refused and left as it was.
        let shared = base.join("shared");
        std::fs::create_dir_all(&shared).unwrap();
        std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
        assert!(owner_only_dir(&shared).is_err());
        assert_eq!(mode(&shared), 0o1777);
        std::fs::remove_dir_all(&base).unwrap();
    }

    /// A module naming itself `composite/…` would be taken for a composite
    /// by a benefit scenario (`composite/NAME`): refused, nothing stored.
    #[tokio::test]
    async fn the_composite_namespace_is_reserved() {
        struct Claims;
        impl super::ModuleCheck for Claims {
            fn check(&self, _: &[u8]) -> Result<super::CheckedModule, String> {
                Ok(super::CheckedModule {
                    name: "composite/hangzhou-credit-code".into(),
                    version: "1.0.0".into(),
                    describe: serde_json::json!({}),
                })
            }
        }
        let dir = std::env::temp_dir().join(format!("scorehost-reserved-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let reg = crate::Registry::open(&dir, None).await.unwrap();
        let err = reg
            .publish(&crate::Actor::province(), b"\0asm", &Claims)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("reserved"), "{err}");
        assert!(reg.list().await.unwrap().is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// In a pin's or a revocation's transaction: if `r` is its model's shadow
/// (the shadows facet, `crate::shadows`, builds on versions), clear the
/// shadow and record an `unshadow` with `reason`. Costs one query when it
/// is not.
pub(crate) async fn clear_if_shadow(
    tx: &mut Tx,
    actor: &Actor,
    r: &VersionRef,
    reason: &str,
) -> Result<(), Error> {
    let row = sqlx::query("SELECT version, sha256 FROM shadows WHERE namespace = $1 AND name = $2")
        .bind(&r.model.namespace)
        .bind(&r.model.name)
        .fetch_optional(tx.conn())
        .await?;
    let Some(row) = row else {
        return Ok(());
    };
    let version: String = row.try_get("version")?;
    let sha256: String = row.try_get("sha256")?;
    if version != r.version {
        return Ok(());
    }
    sqlx::query("DELETE FROM shadows WHERE namespace = $1 AND name = $2")
        .bind(&r.model.namespace)
        .bind(&r.model.name)
        .execute(tx.conn())
        .await?;
    record(tx, actor, "unshadow", r, &sha256, reason).await
}
