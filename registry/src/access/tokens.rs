//! API bearer tokens: who may call the service, and as which role.
//!
//! A token is a random secret printed once, when it is created; only its
//! SHA-256 is stored, so a copy of the database gives no one a way in.
//! Creating and revoking a token are registry actions: they are recorded in
//! the history and in the audit log, in the same transaction.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row as _;
use sqlx::any::AnyRow;
use subtle::ConstantTimeEq as _;

use crate::log::{NewRecord, append_in_tx};
use crate::{Actor, Error, ModelName, Registry, Role, now};

/// A stored token (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Token {
    /// The token's public id (`tok_…`), for listing and revoking.
    pub id: String,
    /// The role it acts as: `province`, `publisher:NS`, `app:NAME`, `auditor`.
    pub role: String,
    /// For an app: the models it may score.
    pub models: Vec<String>,
    /// For an app: the benefit scenarios it may ask decisions of (without
    /// needing their models).
    pub scenarios: Vec<String>,
    /// For an app: the composites it may evaluate, and `report` for the
    /// credit report ([`crate::composites::REPORT`]).
    pub composites: Vec<String>,
    /// The person it was issued to (`token create --person`): every
    /// record of its actions names them. Required for the province's
    /// tokens, whose approvals count persons; `None` for tokens issued
    /// before tokens named people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub person: Option<String>,
    /// What it is for, as its creator said.
    pub label: String,
    /// Who created it.
    pub created_by: String,
    /// When.
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

impl Token {
    /// The actor this token acts as.
    pub fn actor(&self) -> Result<Actor, Error> {
        let mut actor: Actor = self.role.parse()?;
        actor.person = self.person.clone();
        Ok(actor)
    }

    /// Whether an app holding this token may score `model`.
    pub fn may_score(&self, model: &ModelName) -> bool {
        let name = model.to_string();
        self.models.contains(&name)
    }

    /// Whether an app holding this token may evaluate composite `name`
    /// (`report`: ask for credit reports).
    pub fn may_compose(&self, name: &str) -> bool {
        self.composites.iter().any(|s| s == name)
    }

    /// Whether an app holding this token may ask decisions of scenario `name`.
    pub fn may_decide(&self, name: &str) -> bool {
        self.scenarios.iter().any(|s| s == name)
    }
}

/// A token just created: the secret is here once and nowhere else.
#[derive(Debug, Clone, Serialize)]
pub struct NewToken {
    /// The stored token.
    pub token: Token,
    /// The bearer secret (`sht_…`): show it once, then forget it.
    pub secret: String,
}

fn random_hex(bytes: usize) -> Result<String, Error> {
    let mut b = vec![0u8; bytes];
    getrandom::getrandom(&mut b)
        .map_err(|e| Error::Storage(format!("no randomness for a token: {e}")))?;
    Ok(hex::encode(b))
}

/// The hex SHA-256 of a bearer secret: what is stored, and what a token is
/// looked up by.
pub fn secret_hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

/// Whether a stored secret hash and a computed one are the same, compared
/// in constant time (`subtle`): how long the comparison takes does not
/// depend on where the two first differ.
pub fn hashes_match(stored: &str, computed: &str) -> bool {
    stored.len() == computed.len() && bool::from(stored.as_bytes().ct_eq(computed.as_bytes()))
}

fn token_from_row(row: &AnyRow) -> Result<Token, Error> {
    let models: String = row.try_get("models")?;
    let scenarios: String = row.try_get("scenarios")?;
    let composites: String = row.try_get("composites")?;
    Ok(Token {
        id: row.try_get("id")?,
        role: row.try_get("role")?,
        models: models
            .split(',')
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .collect(),
        scenarios: scenarios
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        composites: composites
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        person: row.try_get("person")?,
        label: row.try_get("label")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

const TOKEN_COLUMNS: &str =
    "id, role, models, scenarios, composites, person, label, created_by, created_at, revoked_at";

impl Registry {
    /// Create a token acting as `role`; for an app, `models` are the models
    /// it may score (at least one). Only the province creates tokens.
    pub async fn create_token(
        &self,
        by: &Actor,
        role: &Actor,
        models: &[ModelName],
        label: &str,
    ) -> Result<NewToken, Error> {
        self.create_token_granting(by, role, models, &[], label)
            .await
    }

    /// [`Registry::create_token`], granting an app benefit `scenarios` too
    /// (each defined and not retired): an app needs at least one model or
    /// one scenario.
    pub async fn create_token_granting(
        &self,
        by: &Actor,
        role: &Actor,
        models: &[ModelName],
        scenarios: &[String],
        label: &str,
    ) -> Result<NewToken, Error> {
        self.create_token_with(by, role, models, scenarios, &[], label)
            .await
    }

    /// [`Registry::create_token_granting`], granting an app `composites`
    /// too (each in force, or `report`: the credit report). An app needs at
    /// least one model, scenario or composite. The token is issued to
    /// `role`'s person ([`Actor::person`]), which a province token must
    /// name.
    pub async fn create_token_with(
        &self,
        by: &Actor,
        role: &Actor,
        models: &[ModelName],
        scenarios: &[String],
        composites: &[String],
        label: &str,
    ) -> Result<NewToken, Error> {
        by.must_be_province("create API tokens")?;
        if matches!(role.role, Role::Subject(_)) && role.person.is_some() {
            return Err(Error::BadRequest(
                "a subject: token names its person by their subject id alone: no --person (a name would stay in the log after they are erased)".into(),
            ));
        }
        if matches!(role.role, Role::Province) && role.person.is_none() {
            return Err(Error::BadRequest(
                "a province token is issued to a named person, whose approvals it counts: --person NAME".into(),
            ));
        }
        if !composites.is_empty() && !matches!(role.role, Role::App(_)) {
            return Err(Error::BadRequest(format!(
                "only app tokens are granted composites and reports; {role} is not an app"
            )));
        }
        if !scenarios.is_empty() && !matches!(role.role, Role::App(_)) {
            return Err(Error::BadRequest(format!(
                "only app tokens are granted scenarios; {role} is not an app"
            )));
        }
        match (
            &role.role,
            models.is_empty() && scenarios.is_empty() && composites.is_empty(),
        ) {
            (Role::App(name), true) => {
                return Err(Error::BadRequest(format!(
                    "an app token needs the models app:{name} may score (--models ns/name,…), the scenarios it may ask decisions of (--scenarios name,…) or the composites it may evaluate (--composites name,…, report)"
                )));
            }
            (Role::App(_), false) => {}
            (_, false) => {
                return Err(Error::BadRequest(format!(
                    "only app tokens are granted models; {role} is not an app"
                )));
            }
            (_, true) => {}
        }
        let secret = format!("sht_{}", random_hex(32)?);
        let token = Token {
            id: format!("tok_{}", random_hex(8)?),
            role: role.to_string(),
            models: models.iter().map(|m| m.to_string()).collect(),
            scenarios: scenarios.to_vec(),
            composites: composites.to_vec(),
            person: role.person.clone(),
            label: label.to_string(),
            created_by: by.to_string(),
            created_at: now(),
            revoked_at: None,
        };
        let mut tx = self.db.begin().await?;
        crate::scenarios::check_grantable(tx.conn(), scenarios).await?;
        crate::composites::check_grantable(tx.conn(), composites).await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, token_sha256, role, models, scenarios, composites, person, label, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&token.id)
        .bind(secret_hash(&secret))
        .bind(&token.role)
        .bind(token.models.join(","))
        .bind(token.scenarios.join(","))
        .bind(token.composites.join(","))
        .bind(&token.person)
        .bind(&token.label)
        .bind(&token.created_by)
        .bind(&token.created_at)
        .execute(tx.conn())
        .await?;
        let mut fields = serde_json::Map::new();
        by.record_into(&mut fields);
        fields.insert("action".into(), "token-create".into());
        fields.insert("token".into(), token.id.clone().into());
        // A person's own token names them only in its record's erasable
        // personal part: the leaf says "subject".
        let personal = match &role.role {
            Role::Subject(id) => {
                fields.insert("role".into(), "subject".into());
                let kind = crate::Registry::kind_in(tx.conn(), id).await?;
                Some(crate::Personal {
                    subject: id.clone(),
                    subject_kind: kind,
                    salt: crate::log::personal::fresh_salt()?,
                    text: serde_json::json!({"subject": {"id": id}}).to_string(),
                })
            }
            _ => {
                fields.insert("role".into(), token.role.clone().into());
                None
            }
        };
        if let Some(person) = &token.person {
            fields.insert("issued_to".into(), person.clone().into());
        }
        fields.insert("models".into(), token.models.clone().into());
        if !token.scenarios.is_empty() {
            fields.insert("scenarios".into(), token.scenarios.clone().into());
        }
        if !token.composites.is_empty() {
            fields.insert("composites".into(), token.composites.clone().into());
        }
        let mut record = NewRecord::from_fields("registry", now(), &fields);
        record.personal = personal;
        append_in_tx(tx.conn(), vec![record]).await?;
        tx.commit().await?;
        Ok(NewToken { token, secret })
    }

    /// Revoke every `subject:` token of `subject` and forget whom it was
    /// issued to (its role becomes `subject:(erased)`, its label empty):
    /// part of erasing the person. Returns how many tokens there were. A
    /// running service stops taking them within its token cache's life.
    pub async fn forget_subject_tokens(&self, by: &Actor, subject: &str) -> Result<u64, Error> {
        by.must_be_province("revoke a person's tokens")?;
        let mut tx = self.db.begin().await?;
        let n = sqlx::query(
            "UPDATE api_tokens SET role = 'subject:(erased)', label = '', person = NULL, \
             revoked_at = COALESCE(revoked_at, $1) WHERE role = $2",
        )
        .bind(now())
        .bind(format!("subject:{subject}"))
        .execute(tx.conn())
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(n)
    }

    /// The live token whose secret this is. Fails with
    /// [`Error::Unauthorized`] for an unknown or revoked one.
    ///
    /// Timing: the token is found by an index lookup on the SHA-256 of the
    /// secret, never on the secret itself. However long that lookup takes —
    /// a B-tree walk, string comparisons that stop at the first differing
    /// byte — it can only reveal how the *hash* of a guess relates to stored
    /// hashes, and learning a stored hash (even all of it, as a copy of the
    /// database would) gives no way to a secret that produces it (SHA-256 is
    /// preimage resistant; the secret is 256 random bits). The stored hash
    /// is then compared with the computed one once more in constant time
    /// ([`hashes_match`]) before the token is accepted, so that acceptance
    /// never rests on a comparison that stops early.
    pub async fn authenticate(&self, secret: &str) -> Result<Token, Error> {
        // One answer for an unknown and a revoked token: a holder of a
        // revoked token learns neither its id nor when it was revoked
        // (the service's own log says, below).
        let unknown =
            || Error::Unauthorized("the bearer token is not known, or was revoked".into());
        let computed = secret_hash(secret);
        let row = sqlx::query(&format!(
            "SELECT token_sha256, {TOKEN_COLUMNS} FROM api_tokens WHERE token_sha256 = $1"
        ))
        .bind(&computed)
        .fetch_optional(&self.db.pool)
        .await?
        .ok_or_else(unknown)?;
        let stored: String = row.try_get("token_sha256")?;
        if !hashes_match(&stored, &computed) {
            return Err(unknown());
        }
        let token = token_from_row(&row)?;
        if let Some(at) = &token.revoked_at {
            tracing::warn!(token = %token.id, revoked_at = %at, "a revoked token was presented");
            return Err(unknown());
        }
        Ok(token)
    }

    /// Every token, oldest first (secrets are never stored).
    pub async fn tokens(&self) -> Result<Vec<Token>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens ORDER BY created_at, id"
        ))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(token_from_row).collect()
    }

    /// Revoke token `id`: it stops working at once. Only the province.
    pub async fn revoke_token(&self, by: &Actor, id: &str) -> Result<Token, Error> {
        by.must_be_province("revoke API tokens")?;
        let at = now();
        let mut tx = self.db.begin().await?;
        let n = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        )
        .bind(&at)
        .bind(id)
        .execute(tx.conn())
        .await?
        .rows_affected();
        if n == 0 {
            return Err(Error::NotFound(format!("no live token has id {id}")));
        }
        let mut fields = serde_json::Map::new();
        by.record_into(&mut fields);
        fields.insert("action".into(), "token-revoke".into());
        fields.insert("token".into(), id.into());
        append_in_tx(
            tx.conn(),
            vec![NewRecord::from_fields("registry", at, &fields)],
        )
        .await?;
        let row = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens WHERE id = $1"
        ))
        .bind(id)
        .fetch_one(tx.conn())
        .await?;
        let token = token_from_row(&row)?;
        tx.commit().await?;
        Ok(token)
    }
}

#[cfg(test)]
mod tests {
    use super::{hashes_match, secret_hash};

    #[test]
    fn only_the_identical_hash_matches() {
        let stored = secret_hash("sht_the-real-secret");
        assert!(hashes_match(&stored, &secret_hash("sht_the-real-secret")));
        // The same hash but for its last digit: all but one byte agree.
        let mut near = stored.clone();
        let last = if stored.ends_with('0') { "1" } else { "0" };
        near.replace_range(63.., last);
        assert_eq!(&near[..63], &stored[..63]);
        assert!(!hashes_match(&stored, &near));
        // A prefix of it, and the empty string.
        assert!(!hashes_match(&stored, &stored[..32]));
        assert!(!hashes_match(&stored, ""));
        assert!(!hashes_match(&stored, &secret_hash("sht_another-secret")));
    }
}
