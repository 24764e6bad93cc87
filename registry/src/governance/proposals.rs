//! Definitions that decide people's benefits — benefit scenarios and
//! composites — come into force the way module versions do: one named
//! province person proposes a definition, and it is in force once
//! [`quorum`](super::quorum_in) distinct other persons approved its exact
//! text, named by its SHA-256. The author never counts, as a version's
//! publisher never does.
//!
//! This module keeps the proposals and their approvals; what "in force"
//! means — the row a decision reads — belongs to each kind
//! ([`crate::scenarios`], [`crate::composites`]), which applies a proposal
//! once [`approve`] says the quorum was reached, in the same transaction.

use serde::Serialize;
use sqlx::AnyConnection;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use super::{Review, add_approval, approvals_of, quorum_in, review};
use crate::log::{NewRecord, append_in_tx};
use crate::{Actor, Error, Registry, now, person_key, sha256_hex};

/// What kind of definition a proposal is (the `kind` column of
/// `proposals` and `approvals`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A benefit scenario ([`crate::Scenario`]).
    Scenario,
    /// A composite ([`crate::Composite`]).
    Composite,
}

impl Kind {
    /// `scenario` or `composite`: the word in records, routes and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Scenario => "scenario",
            Kind::Composite => "composite",
        }
    }
}

/// A definition waiting for approvals, or one that was.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    /// `scenario` or `composite`.
    pub kind: &'static str,
    /// The scenario's or composite's name.
    pub name: String,
    /// Its number, unique among all proposals.
    pub id: i64,
    /// The SHA-256 of `definition`'s canonical JSON: what an approval
    /// names.
    pub sha256: String,
    /// The definition as proposed (a scenario's title, model and rule; a
    /// composite's title and graph).
    pub definition: serde_json::Value,
    /// Who proposed it (the actor, e.g. `province`).
    pub proposed_by: String,
    /// The person who proposed it: they never count toward its quorum.
    pub person: String,
    /// When (RFC 3339, UTC).
    pub proposed_at: String,
    /// `pending`, `in-force`, `superseded` or `withdrawn`.
    pub status: String,
    /// Who approved it and how many more are needed.
    pub review: Review,
}

/// What an approval of a proposal answers: the proposal as it now stands,
/// and the definition brought into force if this approval reached the
/// quorum.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Approved<T> {
    /// The proposal, with its approvals.
    #[serde(flatten)]
    pub proposal: Proposal,
    /// The definition now in force, if this approval reached the quorum.
    pub in_force: Option<T>,
}

impl Proposal {
    /// The subject its approvals are stored under: `NAME#ID`, so that a
    /// later proposal of the same name starts from no approvals.
    fn subject(&self) -> String {
        format!("{}#{}", self.name, self.id)
    }
}

/// The canonical text of a definition and its SHA-256: compact JSON with
/// every object's keys sorted, which is how `serde_json` writes a `Value`
/// (its map is ordered unless the `preserve_order` feature is on, and no
/// crate here turns it on: the unit test below fails if one does). Equal
/// definitions have equal digests, whatever order their keys came in.
pub(crate) fn digest(definition: &serde_json::Value) -> (String, String) {
    let text = definition.to_string();
    let sha = sha256_hex(text.as_bytes());
    (text, sha)
}

const COLUMNS: &str =
    "id, kind, name, sha256, definition, proposed_by, person, proposed_at, status";

/// A stored proposal, with its review under `quorum`. One query (its
/// approvals).
async fn from_row(
    conn: &mut AnyConnection,
    kind: Kind,
    row: &AnyRow,
    quorum: u32,
) -> Result<Proposal, Error> {
    let definition: String = row.try_get("definition")?;
    let mut p = Proposal {
        kind: kind.as_str(),
        name: row.try_get("name")?,
        id: row.try_get("id")?,
        sha256: row.try_get("sha256")?,
        definition: serde_json::from_str(&definition)
            .map_err(|e| Error::Storage(format!("a stored proposal's definition: {e}")))?,
        proposed_by: row.try_get("proposed_by")?,
        person: row.try_get("person")?,
        proposed_at: row.try_get("proposed_at")?,
        status: row.try_get("status")?,
        review: Review::default(),
    };
    let approvals = approvals_of(conn, kind.as_str(), &p.subject()).await?;
    p.review = review(quorum, approvals, &p.sha256, p.status != "pending");
    Ok(p)
}

/// The proposal of `kind` `name` waiting for approvals, if any, with its
/// review. Three queries: the proposal, the quorum, its approvals.
pub(crate) async fn pending(
    conn: &mut AnyConnection,
    kind: Kind,
    name: &str,
) -> Result<Option<Proposal>, Error> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proposals WHERE kind = $1 AND name = $2 AND status = 'pending'"
    ))
    .bind(kind.as_str())
    .bind(name)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Ok(None),
        Some(row) => {
            let quorum = quorum_in(conn).await?;
            Ok(Some(from_row(conn, kind, &row, quorum).await?))
        }
    }
}

/// Why `kind` `name` cannot be granted when nothing of that name is in
/// force: it waits for approval (and how many more), or it was never
/// defined. For [`Error::BadRequest`] messages.
pub(crate) async fn not_in_force(
    conn: &mut AnyConnection,
    kind: Kind,
    name: &str,
) -> Result<String, Error> {
    let what = kind.as_str();
    Ok(match pending(conn, kind, name).await? {
        Some(p) => format!(
            "{what} '{name}' is waiting for approval ({} more of {} needed): it can be granted once in force",
            p.review.needed, p.review.quorum
        ),
        None => format!("no {what} is named '{name}': define it first (scorehost {what} define)"),
    })
}

/// Every proposal of `kind` waiting for approvals, oldest first.
pub(crate) async fn all_pending(
    conn: &mut AnyConnection,
    kind: Kind,
) -> Result<Vec<Proposal>, Error> {
    let rows = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM proposals WHERE kind = $1 AND status = 'pending' ORDER BY id"
    ))
    .bind(kind.as_str())
    .fetch_all(&mut *conn)
    .await?;
    let quorum = quorum_in(conn).await?;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        out.push(from_row(conn, kind, row, quorum).await?);
    }
    Ok(out)
}

/// Propose `definition` for `kind` `name`, as `actor` (a named province
/// person), within the caller's transaction, with its audit record
/// (`fields`, to which the action, digest and proposal number are
/// added). Proposing the same text again while it waits changes nothing
/// and returns the waiting proposal; a different text supersedes it (its
/// approvals do not carry over: they named other text).
pub(crate) async fn propose(
    conn: &mut AnyConnection,
    kind: Kind,
    name: &str,
    definition: serde_json::Value,
    actor: &Actor,
    mut fields: serde_json::Map<String, serde_json::Value>,
) -> Result<Proposal, Error> {
    let person = actor.named_person(&format!("proposing a {}", kind.as_str()))?;
    let (text, sha) = digest(&definition);
    if let Some(waiting) = pending(conn, kind, name).await? {
        if waiting.sha256 == sha {
            return Ok(waiting);
        }
        sqlx::query("UPDATE proposals SET status = 'superseded', closed_at = $1 WHERE id = $2")
            .bind(now())
            .bind(waiting.id)
            .execute(&mut *conn)
            .await?;
        fields.insert("supersedes".into(), waiting.id.into());
    }
    let at = now();
    let id: i64 = sqlx::query(
        "INSERT INTO proposals (kind, name, sha256, definition, proposed_by, person, proposed_at, status) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending') RETURNING id",
    )
    .bind(kind.as_str())
    .bind(name)
    .bind(&sha)
    .bind(&text)
    .bind(actor.to_string())
    .bind(person)
    .bind(&at)
    .fetch_one(&mut *conn)
    .await?
    .try_get("id")?;
    let quorum = quorum_in(conn).await?;
    actor.record_into(&mut fields);
    fields.insert("action".into(), format!("{}-propose", kind.as_str()).into());
    fields.insert("proposal".into(), id.into());
    fields.insert("sha256".into(), sha.clone().into());
    fields.insert(
        "detail".into(),
        format!("waiting for {quorum} approvals by persons other than {person}").into(),
    );
    append_in_tx(
        conn,
        vec![NewRecord::from_fields("registry", at.clone(), &fields)],
    )
    .await?;
    Ok(Proposal {
        kind: kind.as_str(),
        name: name.to_string(),
        id,
        sha256: sha.clone(),
        definition,
        proposed_by: actor.to_string(),
        person: person.to_string(),
        proposed_at: at,
        status: "pending".into(),
        review: review(quorum, Vec::new(), &sha, false),
    })
}

/// `actor`'s approval of the waiting proposal of `kind` `name`, whose text
/// must have SHA-256 `sha256`, within the caller's transaction: its own
/// audit record ("approval 1 of 2"). Returns the proposal, with
/// `status` `in-force` once the quorum is reached: the caller then applies
/// its definition in the same transaction.
///
/// Refused: by anyone but a named province person ([`Error::Forbidden`]),
/// by its author (they never count), with no proposal waiting
/// ([`Error::NotFound`]), or naming other text ([`Error::Conflict`]: the
/// proposal changed since the reviewer read it). A person's second
/// approval changes nothing.
pub(crate) async fn approve(
    conn: &mut AnyConnection,
    kind: Kind,
    name: &str,
    sha256: &str,
    actor: &Actor,
) -> Result<Proposal, Error> {
    let what = kind.as_str();
    actor.must_be_province(&format!("approve {what}s"))?;
    let person = actor.named_person(&format!("approving a {what}"))?;
    // Two persons approving at once, from two hosts: the second waits for
    // the first here (a row lock on PostgreSQL; SQLite's write
    // transactions are serial), then counts the first's approval.
    sqlx::query(
        "UPDATE proposals SET status = status WHERE kind = $1 AND name = $2 AND status = 'pending'",
    )
    .bind(what)
    .bind(name)
    .execute(&mut *conn)
    .await?;
    let Some(mut p) = pending(conn, kind, name).await? else {
        return Err(Error::NotFound(format!(
            "no definition of {what} '{name}' is waiting for approval"
        )));
    };
    if p.sha256 != sha256 {
        return Err(Error::Conflict(format!(
            "the definition of {what} '{name}' waiting for approval has SHA-256 {}, not {sha256}: read it again (scorehost {what} show {name}) and approve what you read",
            p.sha256
        )));
    }
    if person_key(&p.person) == person_key(person) {
        return Err(Error::Forbidden(format!(
            "{person} proposed this definition of {what} '{name}', and its author never counts toward its quorum: another person approves it"
        )));
    }
    if !add_approval(conn, what, &p.subject(), sha256, actor, person).await? {
        // Already approved by this person: one person counts once.
        return Ok(p);
    }
    let approvals = approvals_of(conn, what, &p.subject()).await?;
    let quorum = p.review.quorum;
    let reached = approvals.len() as u32 >= quorum;
    let at = now();
    let mut fields = serde_json::Map::new();
    actor.record_into(&mut fields);
    fields.insert("action".into(), format!("{what}-approve").into());
    fields.insert(what.into(), name.into());
    fields.insert("proposal".into(), p.id.into());
    fields.insert("sha256".into(), sha256.into());
    fields.insert(
        "detail".into(),
        format!("approval {} of {quorum}", approvals.len()).into(),
    );
    append_in_tx(
        conn,
        vec![NewRecord::from_fields("registry", at.clone(), &fields)],
    )
    .await?;
    if reached {
        sqlx::query("UPDATE proposals SET status = 'in-force', closed_at = $1 WHERE id = $2")
            .bind(&at)
            .bind(p.id)
            .execute(&mut *conn)
            .await?;
        p.status = "in-force".into();
    }
    p.review = review(quorum, approvals, sha256, reached);
    Ok(p)
}

/// A definition in force (or `None`) as JSON, with the one waiting for
/// approval as `pending`: what a reader who may see drafts is shown.
/// `None` when neither exists.
pub fn with_pending<T: Serialize>(
    name: &str,
    in_force: Option<T>,
    pending: Option<Proposal>,
) -> Result<Option<serde_json::Value>, serde_json::Error> {
    if in_force.is_none() && pending.is_none() {
        return Ok(None);
    }
    let mut v = match in_force {
        Some(t) => serde_json::to_value(t)?,
        None => serde_json::json!({ "name": name }),
    };
    if let Some(p) = pending {
        v["pending"] = serde_json::to_value(p)?;
    }
    Ok(Some(v))
}

/// What a record of a definition coming into force adds: its proposal,
/// the digest approved, and who approved it ("quorum of 2 reached: Zhang
/// Wei, Li Na").
pub(crate) fn in_force_fields(
    p: &Proposal,
    fields: &mut serde_json::Map<String, serde_json::Value>,
) {
    let approvers = super::persons(&p.review.approvals);
    fields.insert("proposal".into(), p.id.into());
    fields.insert("sha256".into(), p.sha256.clone().into());
    fields.insert(
        "detail".into(),
        format!("quorum of {} reached: {approvers}", p.review.quorum).into(),
    );
}

/// A kind of definition governed by proposals: how one comes into force.
pub(crate) trait Governed: Sized {
    /// Its kind.
    const KIND: Kind;

    /// Bring `p`'s definition into force, within the transaction of the
    /// approval `by` that reached the quorum, with its audit record: check
    /// it again against what is pinned now ([`Error::BadRequest`] if it no
    /// longer fits), store it, and return it as now in force.
    async fn apply(conn: &mut AnyConnection, by: &Actor, p: &Proposal) -> Result<Self, Error>;
}

impl Registry {
    /// `by`'s approval of the definition of a `T` named `name` waiting for
    /// approval, whose text has SHA-256 `sha256` ([`approve`] says who may
    /// and what is refused); the approval that reaches the quorum brings it
    /// into force ([`Governed::apply`]) in the same transaction.
    pub(crate) async fn approve_definition<T: Governed>(
        &self,
        by: &Actor,
        name: &str,
        sha256: &str,
    ) -> Result<Approved<T>, Error> {
        let mut tx = self.db.begin().await?;
        let proposal = approve(tx.conn(), T::KIND, name, sha256, by).await?;
        let in_force = if proposal.status == "in-force" {
            Some(T::apply(tx.conn(), by, &proposal).await?)
        } else {
            None
        };
        tx.commit().await?;
        Ok(Approved { proposal, in_force })
    }
}

/// Withdraw the proposal of `kind` `name` waiting for approvals, if any
/// (its name was retired): `true` if one was.
pub(crate) async fn withdraw(
    conn: &mut AnyConnection,
    kind: Kind,
    name: &str,
) -> Result<bool, Error> {
    let n = sqlx::query(
        "UPDATE proposals SET status = 'withdrawn', closed_at = $1 WHERE kind = $2 AND name = $3 AND status = 'pending'",
    )
    .bind(now())
    .bind(kind.as_str())
    .bind(name)
    .execute(conn)
    .await?
    .rows_affected();
    Ok(n > 0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn equal_definitions_have_equal_digests_whatever_their_key_order() {
        let a: serde_json::Value =
            serde_json::from_str(r#"{"title":"T","rule":{"min_score":573.0},"model":"a/b"}"#)
                .unwrap();
        let b: serde_json::Value =
            serde_json::from_str(r#"{"model":"a/b","rule":{"min_score":573.0},"title":"T"}"#)
                .unwrap();
        let (text, sha) = super::digest(&a);
        assert_eq!(
            text,
            r#"{"model":"a/b","rule":{"min_score":573.0},"title":"T"}"#
        );
        assert_eq!(super::digest(&b).1, sha);
        let c: serde_json::Value =
            serde_json::from_str(r#"{"model":"a/b","rule":{"min_score":574.0},"title":"T"}"#)
                .unwrap();
        assert_ne!(super::digest(&c).1, sha);
    }
}
