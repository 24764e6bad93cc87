//! Consent (SECURITY.md §4, "An app fishing for a citizen"): a natural person is scored for an
//! app only while the person's consent for that app and model stands.
//!
//! Grants and withdrawals take effect at once (the check reads the table on
//! every scoring) and each is a record in the audit log, in the same
//! transaction.

use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::log::append_in_tx;
use crate::{Actor, Error, ModelName, Registry, now};

/// A consent as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Consent {
    /// The person's identifier (as scoring requests name the subject).
    pub subject_id: String,
    /// The app it is given to (the `<name>` of `app:<name>`).
    pub app: String,
    /// The model it covers, `namespace/name`.
    pub model: String,
    /// When it was (last) granted, RFC 3339.
    pub granted_at: String,
    /// When it lapses, RFC 3339 (UTC).
    pub expires_at: String,
    /// Who recorded it.
    pub granted_by: String,
    /// When it was withdrawn, if it was.
    pub withdrawn_at: Option<String>,
}

impl Consent {
    /// Whether it stands at `at` (RFC 3339, UTC): not withdrawn, not expired.
    pub fn stands_at(&self, at: &str) -> bool {
        self.withdrawn_at.is_none() && self.expires_at.as_str() > at
    }
}

fn consent_from_row(r: &AnyRow) -> Result<Consent, Error> {
    Ok(Consent {
        subject_id: r.try_get("subject_id")?,
        app: r.try_get("app")?,
        model: r.try_get("model")?,
        granted_at: r.try_get("granted_at")?,
        expires_at: r.try_get("expires_at")?,
        granted_by: r.try_get("granted_by")?,
        withdrawn_at: r.try_get("withdrawn_at")?,
    })
}

const CONSENT_COLUMNS: &str =
    "subject_id, app, model, granted_at, expires_at, granted_by, withdrawn_at";

/// `expires` as an RFC 3339 UTC instant: a date means the end of that day.
fn expiry(expires: &str) -> Result<String, Error> {
    use time::format_description::well_known::Rfc3339;
    let bad = || {
        Error::BadRequest(format!(
            "'{expires}' is not an expiry: give a date (YYYY-MM-DD, valid through that day) or an RFC 3339 time"
        ))
    };
    if let Ok(t) = time::OffsetDateTime::parse(expires, &Rfc3339) {
        return t
            .to_offset(time::UtcOffset::UTC)
            .format(&Rfc3339)
            .map_err(|_| bad());
    }
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let day = time::Date::parse(expires, &format).map_err(|_| bad())?;
    let end = day
        .next_day()
        .ok_or_else(bad)?
        .midnight()
        .assume_utc()
        .format(&Rfc3339)
        .map_err(|_| bad())?;
    Ok(end)
}

fn check_subject(subject_id: &str) -> Result<(), Error> {
    if subject_id.trim().is_empty() || subject_id.len() > 64 {
        return Err(Error::BadRequest(
            "a consent names its subject by id (1 to 64 characters)".into(),
        ));
    }
    Ok(())
}

fn check_app(app: &str) -> Result<(), Error> {
    if app.is_empty() || app.contains(':') || app.len() > 64 {
        return Err(Error::BadRequest(format!(
            "'{app}' is not an app name (the NAME of app:NAME)"
        )));
    }
    Ok(())
}

impl Registry {
    /// Record that `subject_id` consents to `app` scoring them with
    /// `model` until `expires` (a date: through that day; or an RFC 3339
    /// time). Replaces an earlier consent for the same triple, withdrawn or
    /// not. Only the province records consent (for the person, through its
    /// own portal).
    pub async fn grant_consent(
        &self,
        by: &Actor,
        subject_id: &str,
        app: &str,
        model: &ModelName,
        expires: &str,
    ) -> Result<Consent, Error> {
        by.must_be_province("record consent")?;
        check_subject(subject_id)?;
        check_app(app)?;
        let expires_at = expiry(expires)?;
        let at = now();
        if expires_at <= at {
            return Err(Error::BadRequest(format!(
                "the consent would expire at {expires_at}, which is already past"
            )));
        }
        let consent = Consent {
            subject_id: subject_id.to_string(),
            app: app.to_string(),
            model: model.to_string(),
            granted_at: at.clone(),
            expires_at,
            granted_by: by.to_string(),
            withdrawn_at: None,
        };
        let mut tx = self.db.begin().await?;
        sqlx::query("DELETE FROM consents WHERE subject_id = $1 AND app = $2 AND model = $3")
            .bind(&consent.subject_id)
            .bind(&consent.app)
            .bind(&consent.model)
            .execute(tx.conn())
            .await?;
        sqlx::query(&format!(
            "INSERT INTO consents ({CONSENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, NULL)"
        ))
        .bind(&consent.subject_id)
        .bind(&consent.app)
        .bind(&consent.model)
        .bind(&consent.granted_at)
        .bind(&consent.expires_at)
        .bind(&consent.granted_by)
        .execute(tx.conn())
        .await?;
        log_consent(&mut tx, by, "consent-grant", &consent, &at).await?;
        tx.commit().await?;
        Ok(consent)
    }

    /// Withdraw a consent: from now on the app may not score the person
    /// with the model. Only the province records it (for the person).
    pub async fn withdraw_consent(
        &self,
        by: &Actor,
        subject_id: &str,
        app: &str,
        model: &ModelName,
    ) -> Result<Consent, Error> {
        by.must_be_province("withdraw consent")?;
        let at = now();
        let mut tx = self.db.begin().await?;
        let n = sqlx::query(
            "UPDATE consents SET withdrawn_at = $1 \
             WHERE subject_id = $2 AND app = $3 AND model = $4 AND withdrawn_at IS NULL",
        )
        .bind(&at)
        .bind(subject_id)
        .bind(app)
        .bind(model.to_string())
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(Error::NotFound(format!(
                "{subject_id} has no standing consent for app:{app} with {model}"
            )));
        }
        let row = sqlx::query(&format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE subject_id = $1 AND app = $2 AND model = $3"
        ))
        .bind(subject_id)
        .bind(app)
        .bind(model.to_string())
        .fetch_one(tx.conn())
        .await?;
        let consent = consent_from_row(&row)?;
        log_consent(&mut tx, by, "consent-withdraw", &consent, &at).await?;
        tx.commit().await?;
        Ok(consent)
    }

    /// The consent for this triple, if one was ever recorded.
    pub async fn consent(
        &self,
        subject_id: &str,
        app: &str,
        model: &ModelName,
    ) -> Result<Option<Consent>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE subject_id = $1 AND app = $2 AND model = $3"
        ))
        .bind(subject_id)
        .bind(app)
        .bind(model.to_string())
        .fetch_optional(&self.db.pool)
        .await?;
        row.as_ref().map(consent_from_row).transpose()
    }

    /// Fail with [`Error::ConsentRequired`] unless `subject_id`'s consent
    /// for `app` and `model` stands now. The refusal is the same whether
    /// the consent was never given, withdrawn or expired, and whether the
    /// subject is stored at all: an app learns nothing of a person it has
    /// no consent from (when they withdrew, until when they had agreed).
    pub async fn require_consent(
        &self,
        subject_id: &str,
        app: &str,
        model: &ModelName,
    ) -> Result<(), Error> {
        match self.consent(subject_id, app, model).await? {
            Some(c) if c.stands_at(&now()) => Ok(()),
            _ => Err(no_consent(subject_id, app, model)),
        }
    }

    /// The subjects whose consent for `app` and `model` stands now, in id
    /// order: the natural persons a batch of that app over the store may
    /// score. One indexed query.
    pub async fn consenting_subjects(
        &self,
        app: &str,
        model: &ModelName,
    ) -> Result<Vec<String>, Error> {
        let rows = sqlx::query(
            "SELECT subject_id FROM consents WHERE app = $1 AND model = $2 \
             AND withdrawn_at IS NULL AND expires_at > $3 ORDER BY subject_id",
        )
        .bind(app)
        .bind(model.to_string())
        .bind(now())
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter()
            .map(|r| r.try_get("subject_id").map_err(Error::from))
            .collect()
    }

    /// Every consent recorded for `subject_id`.
    pub async fn consents_of(&self, subject_id: &str) -> Result<Vec<Consent>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {CONSENT_COLUMNS} FROM consents WHERE subject_id = $1 ORDER BY app, model"
        ))
        .bind(subject_id)
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(consent_from_row).collect()
    }
}

/// The one refusal for a subject an app may not score: the same words
/// whatever the reason (never consented, withdrawn, expired, not stored).
pub fn no_consent(subject_id: &str, app: &str, model: &ModelName) -> Error {
    Error::ConsentRequired(format!(
        "app:{app} may not score {subject_id} with {model}: a natural person is scored only while their consent for this app and model stands (the answer is the same whether or not the subject is stored)"
    ))
}

async fn log_consent(
    tx: &mut crate::db::Tx,
    by: &Actor,
    action: &str,
    c: &Consent,
    at: &str,
) -> Result<(), Error> {
    let mut fields = serde_json::Map::new();
    by.record_into(&mut fields);
    fields.insert("action".into(), action.into());
    fields.insert("subject_id".into(), c.subject_id.clone().into());
    fields.insert("app".into(), c.app.clone().into());
    fields.insert("model".into(), c.model.clone().into());
    fields.insert("expires_at".into(), c.expires_at.clone().into());
    // Consent is asked of natural persons only.
    let record = crate::log::personal::registry_record_about(
        tx.conn(),
        at.to_string(),
        fields,
        &c.subject_id,
        Some("natural-person"),
        &[],
    )
    .await?;
    append_in_tx(tx.conn(), vec![record]).await?;
    Ok(())
}
