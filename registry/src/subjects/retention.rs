//! Retention policies: for each kind of subject, how many months a record
//! keeps its personal part before the retention job erases it
//! ([`crate::Registry::erase_personal`]). Set by the province, each change
//! a record in the log; no policy for a kind keeps its records until they
//! are erased by hand.

use serde::Serialize;
use sqlx::Row as _;

use super::data::SUBJECT_KINDS;
use crate::log::{NewRecord, append_in_tx};
use crate::{Actor, Error, Registry, now};

/// The kind records about a subject are filed under when it is known
/// neither from their records nor from the store: a read of someone never
/// evaluated, a token issued to them. A policy may be set for it too.
pub const UNKNOWN_KIND: &str = "unknown";

/// The longest retention a policy may set: 1,200 months (a century). A
/// longer one is a mistake, not a policy: "keep" is no policy at all.
pub const MAX_RETENTION_MONTHS: u32 = 1_200;

/// One kind's retention.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionPolicy {
    /// The subject kind (`natural-person`, `enterprise`, …).
    pub subject_kind: String,
    /// Records of such subjects keep their personal part this many months
    /// after they were written.
    pub months: u32,
    /// Who set it (`province`, and the person).
    pub set_by: String,
    /// When.
    pub set_at: String,
}

impl Registry {
    /// Set (`Some(months)`) or remove (`None`) the retention of
    /// `subject_kind`'s records; the province only, named; one record in
    /// the log. Takes effect at the retention job's next run.
    pub async fn set_retention(
        &self,
        actor: &Actor,
        subject_kind: &str,
        months: Option<u32>,
    ) -> Result<(), Error> {
        actor.must_be_province("set how long records are kept")?;
        let person = actor.named_person("setting a retention policy")?;
        if !SUBJECT_KINDS.contains(&subject_kind) && subject_kind != UNKNOWN_KIND {
            return Err(Error::BadRequest(format!(
                "'{subject_kind}' is not a subject kind; one of: {}, or {UNKNOWN_KIND} (records about a subject of no known kind)",
                SUBJECT_KINDS.join(", ")
            )));
        }
        if let Some(m) = months
            && !(1..=MAX_RETENTION_MONTHS).contains(&m)
        {
            return Err(Error::BadRequest(format!(
                "a retention is 1 to {MAX_RETENTION_MONTHS} months, not {m}; to keep records until erased by hand, remove the policy"
            )));
        }
        let at = now();
        let mut tx = self.db.begin().await?;
        sqlx::query("DELETE FROM retention_policies WHERE subject_kind = $1")
            .bind(subject_kind)
            .execute(tx.conn())
            .await?;
        if let Some(m) = months {
            sqlx::query(
                "INSERT INTO retention_policies (subject_kind, months, set_by, set_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(subject_kind)
            .bind(i64::from(m))
            .bind(format!("{actor} ({person})"))
            .bind(&at)
            .execute(tx.conn())
            .await?;
        }
        let mut fields = serde_json::Map::new();
        actor.record_into(&mut fields);
        fields.insert("action".into(), "retention-set".into());
        fields.insert("subject_kind".into(), subject_kind.into());
        fields.insert(
            "months".into(),
            months.map_or(serde_json::Value::Null, serde_json::Value::from),
        );
        append_in_tx(
            tx.conn(),
            vec![NewRecord::from_fields("registry", at, &fields)],
        )
        .await?;
        tx.commit().await
    }

    /// Every retention policy, by subject kind.
    pub async fn retention_policies(&self) -> Result<Vec<RetentionPolicy>, Error> {
        let rows = sqlx::query(
            "SELECT subject_kind, months, set_by, set_at FROM retention_policies ORDER BY subject_kind",
        )
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(RetentionPolicy {
                    subject_kind: r.try_get("subject_kind")?,
                    months: r.try_get::<i64, _>("months")? as u32,
                    set_by: r.try_get("set_by")?,
                    set_at: r.try_get("set_at")?,
                })
            })
            .collect()
    }
}
