//! A dispute's life: filed (the record withheld at once for the province,
//! on check for an app), checked by the province, answered by the source
//! or withdrawn, or lapsed at its deadline — each step a transaction with
//! its leaf in the log.

use super::*;

impl Registry {
    /// File a dispute of one indicator record for its subject: from now on
    /// the record is withheld from every evaluation. The province files
    /// for the subject; an app may file on a subject's behalf only while a
    /// consent of the subject's to that app stands for one of the models in
    /// `granted` (the models the app's token is granted; ignored for the
    /// province). Without it the answer is `ConsentRequired` whether or not
    /// the record exists. Costs one transaction.
    pub async fn file_dispute(
        &self,
        by: &Actor,
        granted: &[String],
        subject_id: &str,
        indicator: &str,
        observed_on: Option<&str>,
        reason: &str,
    ) -> Result<Dispute, Error> {
        check_key(subject_id, indicator, observed_on)?;
        check_text("the reason", reason)?;
        let app = match &by.role {
            Role::Province => None,
            Role::App(app) => Some(app.clone()),
            _ => {
                return Err(Error::Forbidden(format!(
                    "{by} may not file disputes: the province (for the subject) and apps (on the subject's behalf) may"
                )));
            }
        };
        let key_date = observed_on.unwrap_or("");
        let (today, at) = today_and_now();
        let mut tx = self.db.begin().await?;
        // An app acts for the subject only with the subject's standing
        // consent to it, for one of the models its token is granted:
        // otherwise any app could suspend any subject's negative records by
        // disputing them. Checked before the record is looked up, so that
        // an app without consent learns nothing of what is stored.
        if let Some(app) = &app {
            let mut standing = false;
            for model in granted {
                let found = sqlx::query(
                    "SELECT 1 AS one FROM consents WHERE subject_id = $1 AND app = $2 AND model = $3 \
                     AND withdrawn_at IS NULL AND expires_at > $4",
                )
                .bind(subject_id)
                .bind(app)
                .bind(model)
                .bind(&at)
                .fetch_optional(tx.conn())
                .await?;
                if found.is_some() {
                    standing = true;
                    break;
                }
            }
            if !standing {
                return Err(Error::ConsentRequired(format!(
                    "app:{app} may file a dispute for {subject_id} only while a consent of theirs stands for app:{app} and a model this token is granted"
                )));
            }
            within_limits(&mut tx, &by.to_string(), subject_id).await?;
        }
        let Some((value, source, _)) =
            stored_record(&mut tx, subject_id, indicator, key_date).await?
        else {
            return Err(no_record(subject_id, indicator, key_date));
        };
        if app.is_some() {
            decided_before(
                &mut tx,
                &by.to_string(),
                subject_id,
                indicator,
                key_date,
                &value,
            )
            .await?;
        }
        if let Some(open) = sqlx::query(
            "SELECT id FROM disputes WHERE subject_id = $1 AND indicator = $2 AND observed_on = $3 AND state <> 'closed'",
        )
        .bind(subject_id)
        .bind(indicator)
        .bind(key_date)
        .fetch_optional(tx.conn())
        .await?
        {
            let id: String = open.try_get("id")?;
            return Err(Error::Conflict(format!(
                "this record is already disputed: {id} is still open"
            )));
        }
        let dispute = Dispute {
            id: new_id("dsp")?,
            subject_id: subject_id.to_string(),
            indicator: indicator.to_string(),
            observed_on: observed_on.map(str::to_string),
            disputed_value: json_of(&value, "value")?,
            source,
            reason: reason.to_string(),
            filed_by: by.to_string(),
            filed_at: at.clone(),
            state: DisputeState::Open,
            check_due: deadlines::format_date(deadlines::add_working_days(
                today,
                deadlines::CHECK_WORKING_DAYS,
            )),
            answer_due: None,
            close_due: deadlines::format_date(deadlines::add_days(today, deadlines::CLOSE_DAYS)),
            checked_by: None,
            checked_at: None,
            outcome: None,
            new_value: None,
            closed_by: None,
            closed_at: None,
            notes: vec![Note {
                at: at.clone(),
                by: by.to_string(),
                step: "file".into(),
                text: reason.to_string(),
            }],
        };
        sqlx::query(
            "INSERT INTO disputes (id, subject_id, indicator, observed_on, disputed_value, source, reason, \
             filed_by, filed_at, state, check_due, answer_due, close_due, notes) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL, $12, $13)",
        )
        .bind(&dispute.id)
        .bind(&dispute.subject_id)
        .bind(&dispute.indicator)
        .bind(key_date)
        .bind(&value)
        .bind(&dispute.source)
        .bind(&dispute.reason)
        .bind(&dispute.filed_by)
        .bind(&dispute.filed_at)
        .bind(dispute.state.as_str())
        .bind(&dispute.check_due)
        .bind(&dispute.close_due)
        .bind(serde_json::to_string(&dispute.notes).unwrap_or_default())
        .execute(tx.conn())
        .await
        .map_err(|e| conflict_if_taken(e, "this record was disputed at the same moment: that dispute is open"))?;
        log_step(
            &mut tx,
            &by.to_string(),
            by.token.as_deref(),
            "dispute-file",
            &dispute,
            &[
                ("reason", reason.into()),
                ("check_due", dispute.check_due.clone().into()),
                ("close_due", dispute.close_due.clone().into()),
            ],
            &at,
        )
        .await?;
        tx.commit().await?;
        Ok(dispute)
    }

    /// The province's check of an open dispute: forward it to the
    /// furnishing source (the record stays withheld; the source's answer is
    /// due within [`deadlines::ANSWER_WORKING_DAYS`] working days), or
    /// reject it as inadmissible with a note (closed; the record counts
    /// again).
    pub async fn check_dispute(
        &self,
        by: &Actor,
        id: &str,
        forward: bool,
        note: &str,
    ) -> Result<Dispute, Error> {
        by.must_be_province("check disputes")?;
        if !forward {
            check_text("a rejection's note", note)?;
        }
        let (today, at) = today_and_now();
        let mut tx = self.db.begin().await?;
        let mut d = load_in_tx(&mut tx, id).await?;
        if d.state != DisputeState::Open {
            return Err(Error::Conflict(format!(
                "{id} is {}, not open: it was checked already",
                d.state.as_str()
            )));
        }
        refuse_if_lapsed(&d, &deadlines::format_date(today))?;
        d.checked_by = Some(by.to_string());
        d.checked_at = Some(at.clone());
        if forward {
            d.state = DisputeState::Forwarded;
            d.answer_due = Some(deadlines::format_date(deadlines::add_working_days(
                today,
                deadlines::ANSWER_WORKING_DAYS,
            )));
        } else {
            close(&mut d, DisputeOutcome::Rejected, &by.to_string(), &at);
        }
        push_note(&mut d, &by.to_string(), "check", note, &at);
        save(&mut tx, &d).await?;
        let mut extra = vec![(
            "verdict",
            serde_json::Value::from(if forward { "forwarded" } else { "rejected" }),
        )];
        if let Some(due) = &d.answer_due {
            extra.push(("answer_due", due.clone().into()));
        }
        if !note.is_empty() {
            extra.push(("note", note.into()));
        }
        log_step(
            &mut tx,
            &by.to_string(),
            by.token.as_deref(),
            "dispute-check",
            &d,
            &extra,
            &at,
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// The furnishing source's answer to a forwarded dispute — the
    /// publisher that imported the record, or the province for it:
    /// corrected (the record takes the new value), upheld, or removed (the
    /// record is deleted; the dispute keeps its old value). Closes it.
    pub async fn answer_dispute(
        &self,
        by: &Actor,
        id: &str,
        answer: Answer,
        note: &str,
    ) -> Result<Dispute, Error> {
        if let Answer::Corrected(v) = &answer
            && !matches!(
                v,
                serde_json::Value::Number(_)
                    | serde_json::Value::Bool(_)
                    | serde_json::Value::String(_)
            )
        {
            return Err(Error::BadRequest(format!(
                "a corrected value must be a number, a boolean or a string, not {v}"
            )));
        }
        let at = now();
        let mut tx = self.db.begin().await?;
        let mut d = load_in_tx(&mut tx, id).await?;
        let key_date = d.observed_on.clone().unwrap_or_default();
        let record = stored_record(&mut tx, &d.subject_id, &d.indicator, &key_date).await?;
        let importer = record.as_ref().map(|r| r.2.clone()).unwrap_or_default();
        let may = matches!(by.role, Role::Province)
            || (matches!(by.role, Role::Publisher(_)) && importer == by.to_string());
        if !may {
            return Err(Error::Forbidden(format!(
                "{by} may not answer {id}: the source that furnished the record ({}) or the province may",
                if importer.is_empty() {
                    "unknown"
                } else {
                    &importer
                }
            )));
        }
        refuse_if_lapsed(&d, &at[..10])?;
        match d.state {
            DisputeState::Forwarded => {}
            DisputeState::Open => {
                return Err(Error::Conflict(format!(
                    "{id} is not checked yet: the province checks it and forwards it to the source first"
                )));
            }
            DisputeState::Closed => {
                return Err(Error::Conflict(format!("{id} is closed already")));
            }
        }
        let outcome = match &answer {
            Answer::Corrected(v) => {
                if record.is_none() {
                    return Err(no_record(&d.subject_id, &d.indicator, &key_date));
                }
                sqlx::query(
                    "UPDATE indicator_records SET value = $1, imported_at = $2 \
                     WHERE subject_id = $3 AND name = $4 AND observed_on = $5",
                )
                .bind(v.to_string())
                .bind(&at)
                .bind(&d.subject_id)
                .bind(&d.indicator)
                .bind(&key_date)
                .execute(tx.conn())
                .await?;
                d.new_value = Some(v.clone());
                DisputeOutcome::Corrected
            }
            Answer::Upheld => DisputeOutcome::Upheld,
            Answer::Removed => {
                sqlx::query(
                    "DELETE FROM indicator_records WHERE subject_id = $1 AND name = $2 AND observed_on = $3",
                )
                .bind(&d.subject_id)
                .bind(&d.indicator)
                .bind(&key_date)
                .execute(tx.conn())
                .await?;
                DisputeOutcome::Removed
            }
        };
        close(&mut d, outcome, &by.to_string(), &at);
        push_note(&mut d, &by.to_string(), "answer", note, &at);
        save(&mut tx, &d).await?;
        let mut extra = vec![("outcome", serde_json::Value::from(outcome.as_str()))];
        if let Some(v) = &d.new_value {
            extra.push(("new_value", v.clone()));
        }
        if !note.is_empty() {
            extra.push(("note", note.into()));
        }
        log_step(
            &mut tx,
            &by.to_string(),
            by.token.as_deref(),
            "dispute-answer",
            &d,
            &extra,
            &at,
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Withdraw a dispute that is not closed: by the one who filed it, or
    /// the province, saying why (`note` is required, and logged). The
    /// record counts again from now on; what was evaluated meanwhile keeps
    /// the dispute in its record.
    pub async fn withdraw_dispute(
        &self,
        by: &Actor,
        id: &str,
        note: &str,
    ) -> Result<Dispute, Error> {
        check_text("a withdrawal's note", note)?;
        let at = now();
        let mut tx = self.db.begin().await?;
        let mut d = load_in_tx(&mut tx, id).await?;
        if !matches!(by.role, Role::Province) && d.filed_by != by.to_string() {
            return Err(Error::Forbidden(format!(
                "{by} may not withdraw {id}: its filer ({}) or the province may",
                d.filed_by
            )));
        }
        if d.state == DisputeState::Closed {
            return Err(Error::Conflict(format!("{id} is closed already")));
        }
        close(&mut d, DisputeOutcome::Withdrawn, &by.to_string(), &at);
        push_note(&mut d, &by.to_string(), "withdraw", note, &at);
        save(&mut tx, &d).await?;
        log_step(
            &mut tx,
            &by.to_string(),
            by.token.as_deref(),
            "dispute-withdraw",
            &d,
            &[("note", note.into())],
            &at,
        )
        .await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Close every dispute past its closing deadline today
    /// ([`DisputeState`] not closed, `close_due` before today): an admitted
    /// one as [`DisputeOutcome::Lapsed`] (in the subject's favour: the
    /// record stays withheld), an app's the province never checked as
    /// [`DisputeOutcome::Unchecked`] (without effect). Each is an audit
    /// record (`dispute-lapse`). Evaluations do not wait for this: a
    /// dispute past its deadline is treated as lapsed from the first day
    /// ([`Registry::withheld`]); this records it, and the service calls it
    /// at start and every hour. Returns the disputes closed.
    pub async fn close_lapsed(&self) -> Result<Vec<Dispute>, Error> {
        let (today, at) = today_and_now();
        let today = deadlines::format_date(today);
        let mut tx = self.db.begin().await?;
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM disputes d WHERE d.state <> 'closed' AND d.close_due < $1 \
             ORDER BY d.filed_at, d.id"
        ))
        .bind(&today)
        .fetch_all(tx.conn())
        .await?;
        let mut closed = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut d = dispute_from_row(r)?;
            let outcome = if d.admitted() {
                DisputeOutcome::Lapsed
            } else {
                DisputeOutcome::Unchecked
            };
            close(&mut d, outcome, LAPSE_ACTOR, &at);
            let text = format!(
                "not closed by {}, within {} days of filing",
                d.close_due,
                deadlines::CLOSE_DAYS
            );
            push_note(&mut d, LAPSE_ACTOR, "lapse", &text, &at);
            save(&mut tx, &d).await?;
            log_step(
                &mut tx,
                LAPSE_ACTOR,
                None,
                "dispute-lapse",
                &d,
                &[("outcome", outcome.as_str().into())],
                &at,
            )
            .await?;
            closed.push(d);
        }
        tx.commit().await?;
        Ok(closed)
    }
}
