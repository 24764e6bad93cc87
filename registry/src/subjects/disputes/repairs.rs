//! Credit repair (信用修复, Taizhou regulation art. 14): once the
//! obligation behind a negative record is fulfilled — the fine paid, the
//! violation rectified — the record stops being used. The province marks
//! it; the record stays stored, marked, so its history is kept, and every
//! evaluation from then on says it was not used. The mark covers the value
//! it was made on: a new value later imported under the same key is a new
//! fact, and counts.

use serde::Serialize;
use sqlx::Row as _;

use super::{check_key, check_text, conflict_if_taken, new_id, no_record, stored_record};
use crate::log::append_in_tx;
use crate::{Actor, Error, Registry, now};

/// A record marked repaired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Repair {
    /// `rep_` and 12 hex digits.
    pub id: String,
    /// The subject.
    pub subject_id: String,
    /// The indicator's name.
    pub indicator: String,
    /// The record's date, if it is dated.
    pub observed_on: Option<String>,
    /// The record's value when it was repaired.
    pub value: serde_json::Value,
    /// Its furnishing source.
    pub source: String,
    /// How the obligation was fulfilled.
    pub reason: String,
    /// Who marked it (the province).
    pub repaired_by: String,
    /// When (RFC 3339).
    pub repaired_at: String,
}

impl Registry {
    /// Mark a record repaired (province only): no evaluation uses it from
    /// now on. Whether the record is negative is the province's judgement
    /// (the store does not know what a value means to each model); the
    /// reason says how the obligation was fulfilled. Costs one transaction.
    pub async fn mark_repaired(
        &self,
        by: &Actor,
        subject_id: &str,
        indicator: &str,
        observed_on: Option<&str>,
        reason: &str,
    ) -> Result<Repair, Error> {
        by.must_be_province("mark records repaired")?;
        check_key(subject_id, indicator, observed_on)?;
        check_text("the reason", reason)?;
        let key_date = observed_on.unwrap_or("");
        let at = now();
        let mut tx = self.db.begin().await?;
        let Some((value, source, _)) =
            stored_record(&mut tx, subject_id, indicator, key_date).await?
        else {
            return Err(no_record(subject_id, indicator, key_date));
        };
        if let Some(r) = sqlx::query(
            "SELECT id FROM repairs WHERE subject_id = $1 AND indicator = $2 AND observed_on = $3",
        )
        .bind(subject_id)
        .bind(indicator)
        .bind(key_date)
        .fetch_optional(tx.conn())
        .await?
        {
            let id: String = r.try_get("id")?;
            return Err(Error::Conflict(format!(
                "this record was marked repaired already ({id})"
            )));
        }
        let repair = Repair {
            id: new_id("rep")?,
            subject_id: subject_id.to_string(),
            indicator: indicator.to_string(),
            observed_on: observed_on.map(str::to_string),
            value: super::json_of(&value, "value")?,
            source,
            reason: reason.to_string(),
            repaired_by: by.to_string(),
            repaired_at: at.clone(),
        };
        sqlx::query(
            "INSERT INTO repairs (id, subject_id, indicator, observed_on, value, source, reason, repaired_by, repaired_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&repair.id)
        .bind(subject_id)
        .bind(indicator)
        .bind(key_date)
        .bind(&value)
        .bind(&repair.source)
        .bind(reason)
        .bind(&repair.repaired_by)
        .bind(&at)
        .execute(tx.conn())
        .await
        .map_err(|e| conflict_if_taken(e, "this record was marked repaired at the same moment"))?;
        let mut fields = serde_json::Map::new();
        by.record_into(&mut fields);
        fields.insert("action".into(), "credit-repair".into());
        fields.insert("repair".into(), repair.id.clone().into());
        fields.insert("subject_id".into(), subject_id.into());
        fields.insert("indicator".into(), indicator.into());
        fields.insert("observed_on".into(), key_date.into());
        fields.insert("reason".into(), reason.into());
        let record = crate::log::personal::registry_record_about(
            tx.conn(),
            at.clone(),
            fields,
            subject_id,
            None,
            &["reason"],
        )
        .await?;
        append_in_tx(tx.conn(), vec![record]).await?;
        tx.commit().await?;
        Ok(repair)
    }

    /// Every record of `subject_id` marked repaired, oldest first.
    pub async fn repairs_of(&self, subject_id: &str) -> Result<Vec<Repair>, Error> {
        let rows = sqlx::query(
            "SELECT id, subject_id, indicator, observed_on, value, source, reason, repaired_by, repaired_at \
             FROM repairs WHERE subject_id = $1 ORDER BY repaired_at, id",
        )
        .bind(subject_id)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let observed_on: String = r.try_get("observed_on")?;
                Ok(Repair {
                    id: r.try_get("id")?,
                    subject_id: r.try_get("subject_id")?,
                    indicator: r.try_get("indicator")?,
                    observed_on: (!observed_on.is_empty()).then_some(observed_on),
                    value: super::json_of(&r.try_get::<String, _>("value")?, "value")?,
                    source: r.try_get("source")?,
                    reason: r.try_get("reason")?,
                    repaired_by: r.try_get("repaired_by")?,
                    repaired_at: r.try_get("repaired_at")?,
                })
            })
            .collect()
    }
}
