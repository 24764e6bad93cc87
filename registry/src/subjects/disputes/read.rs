//! Reading disputes: one, a filtered list, the overdue ones, and what a
//! subject's evaluations must not use now (withheld records and import
//! guards).

use super::*;

impl Registry {
    /// One dispute.
    pub async fn dispute(&self, id: &str) -> Result<Dispute, Error> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM disputes d WHERE d.id = $1"))
            .bind(id)
            .fetch_optional(&self.db.pool)
            .await?;
        match row {
            Some(r) => dispute_from_row(&r),
            None => Err(Error::NotFound(format!("no dispute {id}"))),
        }
    }

    /// The disputes `filter` selects, oldest first.
    pub async fn disputes(&self, filter: &DisputeFilter) -> Result<Vec<Dispute>, Error> {
        let mut sql = format!(
            "SELECT {COLUMNS} FROM disputes d LEFT JOIN indicator_records r \
             ON r.subject_id = d.subject_id AND r.name = d.indicator AND r.observed_on = d.observed_on \
             WHERE 1 = 1"
        );
        let mut binds: Vec<String> = Vec::new();
        let mut add = |cond: &str, v: &str| {
            binds.push(v.to_string());
            sql.push_str(&format!(" AND {cond} = ${}", binds.len()));
        };
        if let Some(s) = &filter.subject_id {
            add("d.subject_id", s);
        }
        if let Some(s) = filter.state {
            add("d.state", s.as_str());
        }
        if let Some(f) = &filter.filed_by {
            add("d.filed_by", f);
        }
        if let Some(a) = &filter.source_actor {
            add("r.imported_by", a);
        }
        sql.push_str(" ORDER BY d.filed_at, d.id");
        let mut q = sqlx::query(&sql);
        for b in &binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&self.db.pool).await?;
        rows.iter().map(dispute_from_row).collect()
    }

    /// Every dispute not closed that is past a deadline as of `as_of`
    /// (YYYY-MM-DD), with the deadlines it missed, oldest first.
    pub async fn overdue_disputes(&self, as_of: &str) -> Result<Vec<Overdue>, Error> {
        if deadlines::parse_date(as_of).is_none() {
            return Err(Error::BadRequest(format!(
                "as_of '{as_of}' is not a date (YYYY-MM-DD)"
            )));
        }
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM disputes d WHERE d.state <> 'closed' ORDER BY d.filed_at, d.id"
        ))
        .fetch_all(&self.db.pool)
        .await?;
        let mut out = Vec::new();
        for r in &rows {
            let dispute = dispute_from_row(r)?;
            let missed = dispute.missed_deadlines(as_of);
            if !missed.is_empty() {
                out.push(Overdue { dispute, missed });
            }
        }
        Ok(out)
    }

    /// The records of `subject_id` no evaluation may use now: those under
    /// a dispute the province has admitted (filed by it, or forwarded) and
    /// that is not closed, those whose dispute lapsed in the subject's
    /// favour, and those marked repaired. A dispute an app filed that the
    /// province has not checked yet withholds nothing. Costs two indexed
    /// queries; scoring from the store calls it once per request.
    pub async fn withheld(&self, subject_id: &str) -> Result<Vec<Withheld>, Error> {
        let mut out = Vec::new();
        let today = &now()[..10];
        // One query for both: disputes the province admitted that are not
        // closed, and disputes that lapsed in the subject's favour — a lapse
        // covering the fact that was disputed (a new value imported under
        // the same key later, by the province, is a new fact).
        let rows = sqlx::query(
            "SELECT d.id, d.indicator, d.observed_on, d.filed_at, d.filed_by, d.close_due, d.state \
             FROM disputes d LEFT JOIN indicator_records r ON r.subject_id = d.subject_id \
             AND r.name = d.indicator AND r.observed_on = d.observed_on \
             WHERE d.subject_id = $1 AND ((d.state <> 'closed' \
             AND (d.filed_by = 'province' OR d.state = 'forwarded')) \
             OR (d.outcome = 'lapsed' AND r.value = d.disputed_value)) ORDER BY d.filed_at",
        )
        .bind(subject_id)
        .fetch_all(&self.db.pool)
        .await?;
        for r in rows {
            let observed_on: String = r.try_get("observed_on")?;
            let close_due: String = r.try_get("close_due")?;
            let state: String = r.try_get("state")?;
            let lapsed = state == "closed" || today > close_due.as_str();
            out.push(Withheld {
                indicator: r.try_get("indicator")?,
                observed_on: (!observed_on.is_empty()).then_some(observed_on),
                why: if lapsed { "lapsed" } else { "disputed" }.into(),
                id: r.try_get("id")?,
                since: if lapsed {
                    close_due
                } else {
                    r.try_get("filed_at")?
                },
                filed_by: Some(r.try_get("filed_by")?),
            });
        }
        // A repair covers the fact it was marked on: a new value imported
        // under the same key later (a running count, say) is a new fact and
        // counts.
        let rows = sqlx::query(
            "SELECT rp.id, rp.indicator, rp.observed_on, rp.repaired_at FROM repairs rp \
             JOIN indicator_records r ON r.subject_id = rp.subject_id AND r.name = rp.indicator \
             AND r.observed_on = rp.observed_on AND r.value = rp.value \
             WHERE rp.subject_id = $1 ORDER BY rp.repaired_at",
        )
        .bind(subject_id)
        .fetch_all(&self.db.pool)
        .await?;
        for r in rows {
            let observed_on: String = r.try_get("observed_on")?;
            out.push(Withheld {
                indicator: r.try_get("indicator")?,
                observed_on: (!observed_on.is_empty()).then_some(observed_on),
                why: "repaired".into(),
                id: r.try_get("id")?,
                since: r.try_get("repaired_at")?,
                filed_by: None,
            });
        }
        Ok(out)
    }

    /// What an import must not overwrite, by record key: records under a
    /// dispute that is not closed (the source answers the dispute
    /// instead), and records removed after a dispute (only the province
    /// re-inserts those). The value is the reason, naming the dispute.
    /// Read inside the import's own transaction, which holds the write
    /// lock: a dispute filed while a large import runs cannot slip between
    /// this read and the import's writes.
    pub(crate) async fn import_guards(
        tx: &mut crate::db::Tx,
        by: &Actor,
    ) -> Result<ImportGuards, Error> {
        let rows = sqlx::query(
            "SELECT id, subject_id, indicator, observed_on, disputed_value, state, outcome FROM disputes \
             WHERE state <> 'closed' OR outcome IN ('removed', 'lapsed') ORDER BY filed_at",
        )
        .fetch_all(tx.conn())
        .await?;
        let mut guards = ImportGuards::default();
        for r in rows {
            let id: String = r.try_get("id")?;
            let state: String = r.try_get("state")?;
            let subject: String = r.try_get("subject_id")?;
            let indicator: String = r.try_get("indicator")?;
            let key = (
                subject.clone(),
                indicator.clone(),
                r.try_get("observed_on")?,
            );
            let fact = (
                subject,
                indicator,
                r.try_get::<String, _>("disputed_value")?,
            );
            if state != "closed" {
                guards.records.insert(
                    key,
                    format!(
                        "the record is under dispute {id}: the source answers the dispute instead of importing over it"
                    ),
                );
            } else if !matches!(by.role, Role::Province) {
                let outcome: Option<String> = r.try_get("outcome")?;
                let why = if outcome.as_deref() == Some("lapsed") {
                    format!(
                        "dispute {id} of the record lapsed in the subject's favour: only the province may furnish it again"
                    )
                } else {
                    format!(
                        "the record was removed after dispute {id}: only the province may insert it again"
                    )
                };
                guards.records.insert(key, why.clone());
                // The same fact under another date is the same fact.
                guards.removed_facts.insert(fact, why);
            } else {
                guards.records.remove(&key);
            }
        }
        Ok(guards)
    }
}
