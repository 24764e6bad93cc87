//! Trust without trusting one person: four-eyes approval and signed modules.
//!
//! - **Approvals** ([`Approval`], [`Review`]): a version comes into force
//!   only once a quorum of distinct named persons holding province tokens
//!   approved its exact bytes. The quorum defaults to
//!   [`DEFAULT_QUORUM`]. One person's two tokens count once
//!   ([`crate::person_key`]), and a version's publisher never counts.
//!   Each approval is its own audit record naming the hash.
//! - **Signing keys** ([`signing`]): the province registers publishers'
//!   SSH public keys per namespace. A namespace with keys accepts only
//!   modules signed by one of its live keys. A revoked key stops new
//!   approvals of what it signed, and flags versions in force for review.
//!
//! The rules are enforced here, in the registry, so that the HTTP service,
//! its console and the local CLI cannot differ.

pub mod proposals;
pub mod signing;

use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::Row as _;

use crate::log::{NewRecord, append_in_tx};
use crate::{Actor, Error, Registry, now, person_key};

/// How many distinct persons must approve a version before it can be
/// pinned, unless the province sets another number. Two is the four-eyes
/// principle of model-risk rules (an independent second reviewer): the
/// smallest number at which no one person can bring a model into force.
pub const DEFAULT_QUORUM: u32 = 2;

/// The largest quorum that may be set. A review board of more than nine
/// would make approval impractical; beyond it a typo (20 for 2) would
/// lock every model out of review.
pub const MAX_QUORUM: u32 = 9;

/// The approvals of a plugin version (the `kind` column of `approvals`;
/// the subject is `namespace/name@version`).
pub(crate) const VERSION: &str = "version";

/// One person's approval of exact bytes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Approval {
    /// The person, as their token names them.
    pub person: String,
    /// The SHA-256 they approved.
    pub sha256: String,
    /// The public id of the token they acted through (`None` for the local
    /// CLI).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    /// When (RFC 3339, UTC).
    pub at: String,
}

/// Where a version's review stands: who has approved it, and what is
/// still needed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Review {
    /// Distinct persons needed.
    pub quorum: u32,
    /// The approvals of the version's bytes, oldest first.
    pub approvals: Vec<Approval>,
    /// How many more persons must approve before it may be pinned (0 once
    /// it is approved; a revoked version is never approved).
    pub needed: u32,
}

/// The persons who approved, in order, comma-separated ("Zhang Wei, Li
/// Na"): what records and pages name.
pub fn persons(approvals: &[Approval]) -> String {
    approvals
        .iter()
        .map(|a| a.person.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The quorum in force, within a transaction or on a connection. One query.
pub(crate) async fn quorum_in(conn: &mut AnyConnection) -> Result<u32, Error> {
    let row = sqlx::query("SELECT value FROM governance WHERE key = 'approval_quorum'")
        .fetch_optional(conn)
        .await?;
    Ok(match row {
        None => DEFAULT_QUORUM,
        Some(row) => {
            let v: String = row.try_get("value")?;
            v.parse().unwrap_or(DEFAULT_QUORUM)
        }
    })
}

/// Every approval of `kind`, by subject, oldest first. One query.
pub(crate) async fn approvals_of_kind(
    conn: &mut AnyConnection,
    kind: &str,
) -> Result<std::collections::HashMap<String, Vec<Approval>>, Error> {
    let rows = sqlx::query(
        "SELECT subject, sha256, person, token, at FROM approvals WHERE kind = $1 ORDER BY at, person_key",
    )
    .bind(kind)
    .fetch_all(conn)
    .await?;
    let mut by_subject: std::collections::HashMap<String, Vec<Approval>> = Default::default();
    for row in &rows {
        by_subject
            .entry(row.try_get("subject")?)
            .or_default()
            .push(Approval {
                person: row.try_get("person")?,
                sha256: row.try_get("sha256")?,
                token: row.try_get("token")?,
                at: row.try_get("at")?,
            });
    }
    Ok(by_subject)
}

/// The approvals of one subject, oldest first. One query.
pub(crate) async fn approvals_of(
    conn: &mut AnyConnection,
    kind: &str,
    subject: &str,
) -> Result<Vec<Approval>, Error> {
    let rows = sqlx::query(
        "SELECT sha256, person, token, at FROM approvals WHERE kind = $1 AND subject = $2 ORDER BY at, person_key",
    )
    .bind(kind)
    .bind(subject)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Approval {
                person: row.try_get("person")?,
                sha256: row.try_get("sha256")?,
                token: row.try_get("token")?,
                at: row.try_get("at")?,
            })
        })
        .collect()
}

/// Record `person`'s approval of `subject`'s bytes `sha256`, unless they
/// already approved it (one person's two tokens count once): `true` when
/// this approval is new.
pub(crate) async fn add_approval(
    conn: &mut AnyConnection,
    kind: &str,
    subject: &str,
    sha256: &str,
    actor: &Actor,
    person: &str,
) -> Result<bool, Error> {
    let n = sqlx::query(
        "INSERT INTO approvals (kind, subject, sha256, person_key, person, token, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
    )
    .bind(kind)
    .bind(subject)
    .bind(sha256)
    .bind(person_key(person))
    .bind(person)
    .bind(&actor.token)
    .bind(now())
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// The review of a subject with `approvals` (of any bytes), stored bytes
/// `sha256`, already `in_force` (approved or pinned) or not.
pub(crate) fn review(
    quorum: u32,
    approvals: Vec<Approval>,
    sha256: &str,
    in_force: bool,
) -> Review {
    let approvals: Vec<Approval> = approvals
        .into_iter()
        .filter(|a| a.sha256 == sha256)
        .collect();
    let needed = if in_force {
        0
    } else {
        quorum.saturating_sub(approvals.len() as u32)
    };
    Review {
        quorum,
        approvals,
        needed,
    }
}

impl Registry {
    /// The approval quorum in force: how many distinct persons must approve
    /// a version ([`DEFAULT_QUORUM`] unless set). One query.
    pub async fn quorum(&self) -> Result<u32, Error> {
        let mut conn = self.db.pool.acquire().await?;
        quorum_in(&mut conn).await
    }

    /// Set the approval quorum to `n` (1 to [`MAX_QUORUM`]), as a named
    /// province person; recorded in the audit log. Versions already
    /// approved stay approved; those under review need the new number.
    ///
    /// The service offers no route to this: a token holder cannot lower
    /// the quorum that guards their own approvals. Whoever runs the local
    /// CLI on the data dir already holds every record and key in it.
    pub async fn set_quorum(&self, actor: &Actor, n: u32) -> Result<u32, Error> {
        actor.must_be_province("set the approval quorum")?;
        actor.named_person("setting the approval quorum")?;
        if !(1..=MAX_QUORUM).contains(&n) {
            return Err(Error::BadRequest(format!(
                "the approval quorum is a number of persons from 1 to {MAX_QUORUM}, not {n}"
            )));
        }
        let mut tx = self.db.begin().await?;
        let before = quorum_in(tx.conn()).await?;
        sqlx::query(
            "INSERT INTO governance (key, value) VALUES ('approval_quorum', $1) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        )
        .bind(n.to_string())
        .execute(tx.conn())
        .await?;
        let mut fields = serde_json::Map::new();
        actor.record_into(&mut fields);
        fields.insert("action".into(), "quorum-set".into());
        fields.insert("quorum".into(), n.into());
        fields.insert("was".into(), before.into());
        append_in_tx(
            tx.conn(),
            vec![NewRecord::from_fields("registry", now(), &fields)],
        )
        .await?;
        tx.commit().await?;
        tracing::info!(quorum = n, was = before, actor = %actor, "approval quorum set");
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use crate::{Actor, Registry};

    #[tokio::test]
    async fn the_quorum_is_set_by_a_named_person_within_its_range() {
        let dir = std::env::temp_dir().join(format!("scorehost-quorum-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let reg = Registry::open(&dir, None).await.unwrap();
        assert_eq!(reg.quorum().await.unwrap(), super::DEFAULT_QUORUM);
        let zhang = Actor::province_person("Zhang Wei").unwrap();
        // Nobody anonymous, no publisher, nothing out of range.
        assert!(reg.set_quorum(&Actor::province(), 3).await.is_err());
        assert!(
            reg.set_quorum(&Actor::publisher("ningbo"), 3)
                .await
                .is_err()
        );
        for n in [0, super::MAX_QUORUM + 1] {
            assert!(reg.set_quorum(&zhang, n).await.is_err(), "{n}");
        }
        assert_eq!(reg.quorum().await.unwrap(), super::DEFAULT_QUORUM);
        assert_eq!(reg.set_quorum(&zhang, 3).await.unwrap(), 3);
        assert_eq!(reg.quorum().await.unwrap(), 3);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
