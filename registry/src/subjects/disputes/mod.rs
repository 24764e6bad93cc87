//! Disputes (异议) and credit repair (信用修复): the subject's rights over
//! the indicator records that score them (SECURITY.md, "Decisions an app
//! cannot steer", gives the rules).
//!
//! A dispute names one indicator record — (subject, indicator, observed_on),
//! the key of the 1+N store. Its life:
//!
//! 1. **filed** (state `open`) by the province, at its window or portal, or
//!    by an app on the subject's behalf — only an app the subject has a
//!    standing consent to (otherwise any app could suspend any subject's
//!    negative records), within [`MAX_OPEN_PER_APP`] and
//!    [`MAX_OPEN_PER_SUBJECT`]. A dispute the province files suspends the
//!    record at once: from then on it is *withheld*, no evaluation uses
//!    it, and each says so. A dispute an app files suspends nothing until
//!    the province has checked it: an app cannot switch a person's records
//!    off and on by filing and withdrawing (the "hit-and-run"), nor
//!    silence a required indicator, nor hide a person's positive records,
//!    without the province's decision.
//! 2. **checked** by the province within [`deadlines::CHECK_WORKING_DAYS`]
//!    working days: forwarded to the furnishing source (state `forwarded`:
//!    the record is withheld from now on), or rejected as inadmissible
//!    (closed). While a dispute an app filed withholds a record, that
//!    app's own benefit decisions about the subject are provisional and
//!    grant nothing (`scorehost_engine::decide`): a filer's dispute never makes
//!    its own decisions come out better.
//! 3. **answered** by the source — the publisher that imported the record,
//!    or the province for it — within [`deadlines::ANSWER_WORKING_DAYS`]
//!    working days: `corrected` with a new value, `upheld`, or `removed`.
//!    Closed; the record counts again as corrected, or is gone for good (a
//!    removed record is not re-inserted by an import unless the province
//!    itself imports it: FCRA's "not re-inserted unless certified").
//! 4. Whatever happens, closed within [`deadlines::CLOSE_DAYS`] days;
//!    [`Registry::overdue_disputes`] lists those past any deadline. One
//!    not closed by then **lapses** ([`Registry::close_lapsed`]): a dispute
//!    the province had admitted (filed itself, or forwarded) is decided in
//!    the subject's favour — the record is withheld from then on, as if
//!    removed, and only the province may furnish it again (the credit
//!    reporting regulation's 20 days; FCRA §611(a)(5)(A): what cannot be
//!    verified in time is deleted). The cost of the source's silence falls
//!    on the source, not on the person. An app's dispute the province never
//!    checked lapses `unchecked`, with no effect (it never suspended
//!    anything); both stay in the log, and the overdue list showed them
//!    from the first missed deadline on.
//!
//! The filer may withdraw a dispute that is not closed, saying why (the
//! note is required and logged). A withdrawal changes nothing already
//! decided: every evaluation made meanwhile keeps, in its record, the
//! dispute that withheld the record. A record whose dispute the province
//! rejected, or its source upheld, may not be disputed again by the same
//! app while it holds the same value: new grounds go to the province,
//! which files the dispute itself. An import may not overwrite a record
//! under dispute: the source answers the dispute instead.
//!
//! Credit repair ([`Registry::mark_repaired`]): once the obligation behind a
//! negative record is fulfilled, the province marks it repaired and it is
//! withheld from then on (it stays stored, marked, for its history).
//!
//! Every step is a record in the audit log, written in the step's own
//! transaction.

use std::collections::HashMap;

use serde::Serialize;
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::log::append_in_tx;
use crate::{Actor, Error, Registry, Role, now};

pub mod deadlines;
mod lifecycle;
mod read;
mod repairs;

pub use repairs::Repair;

/// How many disputes one app may have not closed at once. An app files for
/// the people who consented to it, a handful of records each; 20 covers a
/// busy app between two of the province's daily checks, and bounds what
/// one app (or one leaked app token) can put on the province's desk.
pub const MAX_OPEN_PER_APP: i64 = 20;

/// How many disputes filed by apps one subject may have not closed at
/// once. A person rarely contests more than a few records at a time; the
/// province, which verifies who is asking, files beyond this for them.
pub const MAX_OPEN_PER_SUBJECT: i64 = 5;

/// Who closes a lapsed dispute: no person, the deadline.
pub const LAPSE_ACTOR: &str = "scorehost (the 20-day deadline)";

/// Where a dispute stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeState {
    /// Filed, not yet checked: the record is withheld.
    Open,
    /// Checked and sent to the furnishing source: still withheld.
    Forwarded,
    /// Answered, rejected or withdrawn: the record counts again (as
    /// corrected), or was removed.
    Closed,
}

impl DisputeState {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DisputeState::Open => "open",
            DisputeState::Forwarded => "forwarded",
            DisputeState::Closed => "closed",
        }
    }

    /// Parse a stored or wire name.
    pub fn parse(s: &str) -> Result<DisputeState, Error> {
        match s {
            "open" => Ok(DisputeState::Open),
            "forwarded" => Ok(DisputeState::Forwarded),
            "closed" => Ok(DisputeState::Closed),
            other => Err(Error::BadRequest(format!(
                "'{other}' is not a dispute state: open, forwarded or closed"
            ))),
        }
    }
}

/// How a dispute was closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DisputeOutcome {
    /// The province found it inadmissible at the check.
    Rejected,
    /// The filer withdrew it.
    Withdrawn,
    /// The source corrected the record with a new value.
    Corrected,
    /// The source confirmed the record as it was.
    Upheld,
    /// The source withdrew the record.
    Removed,
    /// Not closed within [`deadlines::CLOSE_DAYS`] days after the province
    /// admitted it: decided in the subject's favour, the record withheld.
    Lapsed,
    /// An app's dispute the province never checked within
    /// [`deadlines::CLOSE_DAYS`] days: closed without effect.
    Unchecked,
}

impl DisputeOutcome {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            DisputeOutcome::Rejected => "rejected",
            DisputeOutcome::Withdrawn => "withdrawn",
            DisputeOutcome::Corrected => "corrected",
            DisputeOutcome::Upheld => "upheld",
            DisputeOutcome::Removed => "removed",
            DisputeOutcome::Lapsed => "lapsed",
            DisputeOutcome::Unchecked => "unchecked",
        }
    }

    fn parse(s: &str) -> Result<DisputeOutcome, Error> {
        Ok(match s {
            "rejected" => DisputeOutcome::Rejected,
            "withdrawn" => DisputeOutcome::Withdrawn,
            "corrected" => DisputeOutcome::Corrected,
            "upheld" => DisputeOutcome::Upheld,
            "removed" => DisputeOutcome::Removed,
            "lapsed" => DisputeOutcome::Lapsed,
            "unchecked" => DisputeOutcome::Unchecked,
            other => {
                return Err(Error::Storage(format!(
                    "a stored dispute has an unknown outcome '{other}'"
                )));
            }
        })
    }
}

/// The source's answer to a forwarded dispute.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The record was wrong: this is its value (a number, a boolean or a
    /// string, as imports take).
    Corrected(serde_json::Value),
    /// The record was right.
    Upheld,
    /// The record is withdrawn.
    Removed,
}

/// One step's note: who said what, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Note {
    /// RFC 3339.
    pub at: String,
    /// The actor.
    pub by: String,
    /// `file`, `check`, `answer` or `withdraw`.
    pub step: String,
    /// What they said.
    pub text: String,
}

/// A dispute as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dispute {
    /// `dsp_` and 12 hex digits.
    pub id: String,
    /// The subject the record is about.
    pub subject_id: String,
    /// The indicator's name.
    pub indicator: String,
    /// The record's date, if it is dated.
    pub observed_on: Option<String>,
    /// The record's value when it was disputed.
    pub disputed_value: serde_json::Value,
    /// The record's furnishing source (as imported).
    pub source: String,
    /// Why the subject disputes it.
    pub reason: String,
    /// Who filed it (`province` or `app:<name>`).
    pub filed_by: String,
    /// When (RFC 3339).
    pub filed_at: String,
    /// Where it stands.
    pub state: DisputeState,
    /// The last day of the check (YYYY-MM-DD).
    pub check_due: String,
    /// The last day of the source's answer, once forwarded.
    pub answer_due: Option<String>,
    /// The last day for closing it.
    pub close_due: String,
    /// Who checked it.
    pub checked_by: Option<String>,
    /// When.
    pub checked_at: Option<String>,
    /// How it was closed.
    pub outcome: Option<DisputeOutcome>,
    /// The corrected value, for `corrected`.
    pub new_value: Option<serde_json::Value>,
    /// Who closed it.
    pub closed_by: Option<String>,
    /// When.
    pub closed_at: Option<String>,
    /// Every step's note, oldest first.
    pub notes: Vec<Note>,
}

impl Dispute {
    /// Whether the province has admitted this dispute: it filed it itself,
    /// or checked and forwarded it. Only an admitted dispute withholds.
    pub fn admitted(&self) -> bool {
        self.filed_by == Actor::province().to_string() || self.checked_by.is_some()
    }

    /// Whether the record is withheld because of this dispute: it is
    /// admitted and not closed, or it lapsed in the subject's favour.
    pub fn withholds(&self) -> bool {
        match self.state {
            DisputeState::Closed => self.outcome == Some(DisputeOutcome::Lapsed),
            _ => self.admitted(),
        }
    }

    /// Whether the dispute is past its closing deadline on `today`
    /// (YYYY-MM-DD) and not closed: it has lapsed, whether or not
    /// [`Registry::close_lapsed`] has recorded it yet.
    pub fn lapsed_on(&self, today: &str) -> bool {
        self.state != DisputeState::Closed && today > self.close_due.as_str()
    }

    /// The deadlines this dispute has missed as of `as_of` (YYYY-MM-DD),
    /// one sentence each; empty when none. A closed dispute misses none.
    pub fn missed_deadlines(&self, as_of: &str) -> Vec<String> {
        let mut late = Vec::new();
        if self.state == DisputeState::Closed {
            return late;
        }
        if self.state == DisputeState::Open && as_of > self.check_due.as_str() {
            late.push(format!(
                "not checked by {} ({} working days after filing)",
                self.check_due,
                deadlines::CHECK_WORKING_DAYS
            ));
        }
        if let Some(due) = &self.answer_due
            && self.state == DisputeState::Forwarded
            && as_of > due.as_str()
        {
            late.push(format!(
                "the source has not answered by {due} ({} working days after it was asked)",
                deadlines::ANSWER_WORKING_DAYS
            ));
        }
        if as_of > self.close_due.as_str() {
            late.push(format!(
                "not closed by {} ({} days after filing)",
                self.close_due,
                deadlines::CLOSE_DAYS
            ));
        }
        late
    }
}

/// A dispute past a deadline, with the deadlines it missed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overdue {
    /// The dispute.
    #[serde(flatten)]
    pub dispute: Dispute,
    /// One sentence per missed deadline.
    pub missed: Vec<String>,
}

/// An indicator record that no evaluation may use now, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Withheld {
    /// The indicator's name.
    pub indicator: String,
    /// The record's date, if it is dated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_on: Option<String>,
    /// `disputed` (a dispute the province admitted is open), `lapsed`
    /// (a dispute lapsed in the subject's favour) or `repaired`.
    pub why: String,
    /// The dispute's or the repair's id.
    pub id: String,
    /// Since when (RFC 3339; a lapse: the last day the dispute had).
    pub since: String,
    /// Who filed the dispute (`province` or `app:NAME`); absent for a
    /// repair. An app reading its own evaluation sees that a record was
    /// withheld by its own dispute.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filed_by: Option<String>,
}

impl Withheld {
    /// One sentence for an evaluation's reasons.
    pub fn sentence(&self) -> String {
        let record = match &self.observed_on {
            Some(d) => format!("the {} record of {d}", self.indicator),
            None => format!("the {} record", self.indicator),
        };
        match self.why.as_str() {
            "disputed" => format!(
                "{record} was not used: it is suspended while dispute {} (filed {}) is verified",
                self.id,
                day(&self.since)
            ),
            "lapsed" => format!(
                "{record} was not used: dispute {} was not closed by {}, within the {} days the law allows, and was decided in the subject's favour",
                self.id,
                day(&self.since),
                deadlines::CLOSE_DAYS
            ),
            _ => format!(
                "{record} was not used: it was marked repaired ({}, {})",
                self.id,
                day(&self.since)
            ),
        }
    }
}

/// The date part of an RFC 3339 time (at most its first 10 characters; a
/// character boundary is never cut).
fn day(t: &str) -> String {
    t.chars().take(10).collect()
}

/// Which disputes to list.
#[derive(Debug, Clone, Default)]
pub struct DisputeFilter {
    /// Only this subject's.
    pub subject_id: Option<String>,
    /// Only in this state.
    pub state: Option<DisputeState>,
    /// Only those filed by this actor (an app sees its own).
    pub filed_by: Option<String>,
    /// Only those about records this actor imported (a source sees the
    /// disputes it must answer).
    pub source_actor: Option<String>,
}

const COLUMNS: &str = "d.id, d.subject_id, d.indicator, d.observed_on, d.disputed_value, d.source, \
     d.reason, d.filed_by, d.filed_at, d.state, d.check_due, d.answer_due, d.close_due, \
     d.checked_by, d.checked_at, d.outcome, d.new_value, d.closed_by, d.closed_at, d.notes";

fn json_of(text: &str, what: &str) -> Result<serde_json::Value, Error> {
    serde_json::from_str(text)
        .map_err(|_| Error::Storage(format!("a stored dispute's {what} is not valid JSON")))
}

fn dispute_from_row(r: &AnyRow) -> Result<Dispute, Error> {
    let observed_on: String = r.try_get("observed_on")?;
    let new_value: Option<String> = r.try_get("new_value")?;
    let outcome: Option<String> = r.try_get("outcome")?;
    Ok(Dispute {
        id: r.try_get("id")?,
        subject_id: r.try_get("subject_id")?,
        indicator: r.try_get("indicator")?,
        observed_on: (!observed_on.is_empty()).then_some(observed_on),
        disputed_value: json_of(&r.try_get::<String, _>("disputed_value")?, "value")?,
        source: r.try_get("source")?,
        reason: r.try_get("reason")?,
        filed_by: r.try_get("filed_by")?,
        filed_at: r.try_get("filed_at")?,
        state: DisputeState::parse(&r.try_get::<String, _>("state")?)
            .map_err(|e| Error::Storage(e.to_string()))?,
        check_due: r.try_get("check_due")?,
        answer_due: r.try_get("answer_due")?,
        close_due: r.try_get("close_due")?,
        checked_by: r.try_get("checked_by")?,
        checked_at: r.try_get("checked_at")?,
        outcome: outcome.as_deref().map(DisputeOutcome::parse).transpose()?,
        new_value: new_value
            .as_deref()
            .map(|v| json_of(v, "new value"))
            .transpose()?,
        closed_by: r.try_get("closed_by")?,
        closed_at: r.try_get("closed_at")?,
        notes: serde_json::from_str(&r.try_get::<String, _>("notes")?)
            .map_err(|_| Error::Storage("a stored dispute's notes are not valid JSON".into()))?,
    })
}

/// A unique violation (another request took the key between our check and
/// our insert) as a conflict; any other error as it is.
fn conflict_if_taken(e: sqlx::Error, message: &str) -> Error {
    if e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
    {
        Error::Conflict(message.to_string())
    } else {
        e.into()
    }
}

fn new_id(prefix: &str) -> Result<String, Error> {
    let mut b = [0u8; 6];
    getrandom::getrandom(&mut b)
        .map_err(|e| Error::Storage(format!("no randomness for an id: {e}")))?;
    Ok(format!("{prefix}_{}", hex::encode(b)))
}

fn check_text(what: &str, text: &str) -> Result<(), Error> {
    if text.trim().is_empty() {
        return Err(Error::BadRequest(format!("{what} is empty: say why")));
    }
    if text.chars().count() > 2000 {
        return Err(Error::BadRequest(format!(
            "{what} is longer than 2,000 characters"
        )));
    }
    Ok(())
}

/// A record's key as stored: `observed_on` is `''` for an undated record.
fn check_key(subject_id: &str, indicator: &str, observed_on: Option<&str>) -> Result<(), Error> {
    if subject_id.trim().is_empty() || subject_id.len() > 64 {
        return Err(Error::BadRequest(
            "name the subject by id (1 to 64 characters)".into(),
        ));
    }
    if indicator.is_empty() || indicator.len() > 64 {
        return Err(Error::BadRequest(
            "name the indicator record's indicator".into(),
        ));
    }
    if let Some(d) = observed_on
        && deadlines::parse_date(d).is_none()
    {
        return Err(Error::BadRequest(format!(
            "observed_on '{d}' is not a date (YYYY-MM-DD)"
        )));
    }
    Ok(())
}

/// The stored record (value, source, importer) with this key, in `tx`.
async fn stored_record(
    tx: &mut crate::db::Tx,
    subject_id: &str,
    indicator: &str,
    observed_on: &str,
) -> Result<Option<(String, String, String)>, Error> {
    let row = sqlx::query(
        "SELECT value, source, imported_by FROM indicator_records \
         WHERE subject_id = $1 AND name = $2 AND observed_on = $3",
    )
    .bind(subject_id)
    .bind(indicator)
    .bind(observed_on)
    .fetch_optional(tx.conn())
    .await?;
    row.map(|r| -> Result<_, Error> {
        Ok((
            r.try_get("value")?,
            r.try_get("source")?,
            r.try_get("imported_by")?,
        ))
    })
    .transpose()
}

fn no_record(subject_id: &str, indicator: &str, observed_on: &str) -> Error {
    Error::NotFound(if observed_on.is_empty() {
        format!("{subject_id} has no undated {indicator} record (give observed_on for a dated one)")
    } else {
        format!("{subject_id} has no {indicator} record observed on {observed_on}")
    })
}

/// Today's date (UTC) and now.
fn today_and_now() -> (time::Date, String) {
    let at = now();
    let today = deadlines::parse_date(&at[..10]).unwrap_or(time::Date::MIN);
    (today, at)
}

async fn log_step(
    tx: &mut crate::db::Tx,
    by: &str,
    token: Option<&str>,
    action: &str,
    d: &Dispute,
    extra: &[(&str, serde_json::Value)],
    at: &str,
) -> Result<(), Error> {
    let mut fields = serde_json::Map::new();
    fields.insert("actor".into(), by.into());
    if let Some(token) = token {
        fields.insert("token".into(), token.into());
    }
    fields.insert("action".into(), action.into());
    fields.insert("dispute".into(), d.id.clone().into());
    fields.insert("subject_id".into(), d.subject_id.clone().into());
    fields.insert("indicator".into(), d.indicator.clone().into());
    fields.insert(
        "observed_on".into(),
        d.observed_on.clone().map(Into::into).unwrap_or_default(),
    );
    fields.insert("state".into(), d.state.as_str().into());
    for (k, v) in extra {
        fields.insert((*k).into(), v.clone());
    }
    // Whose, and what they or the source said and changed, are theirs:
    // kept beside the log, erasable.
    let record = crate::log::personal::registry_record_about(
        tx.conn(),
        at.to_string(),
        fields,
        &d.subject_id,
        None,
        &["reason", "new_value", "note", "disputed_value", "value"],
    )
    .await?;
    append_in_tx(tx.conn(), vec![record]).await?;
    Ok(())
}

/// What an import may not write ([`Registry::import_guards`]).
#[derive(Default)]
pub(crate) struct ImportGuards {
    /// (subject, indicator, observed_on) → why the record may not be
    /// written: it is under dispute, or was removed after one.
    pub(crate) records: HashMap<(String, String, String), String>,
    /// (subject, indicator, value as JSON) → why: a record removed after a
    /// dispute, which its furnisher may not bring back under another date.
    pub(crate) removed_facts: HashMap<(String, String, String), String>,
}

/// An app's filing within [`MAX_OPEN_PER_APP`] and [`MAX_OPEN_PER_SUBJECT`].
async fn within_limits(tx: &mut crate::db::Tx, app: &str, subject_id: &str) -> Result<(), Error> {
    let count = |row: AnyRow| -> Result<i64, Error> { Ok(row.try_get("n")?) };
    let by_app = count(
        sqlx::query("SELECT COUNT(*) AS n FROM disputes WHERE filed_by = $1 AND state <> 'closed'")
            .bind(app)
            .fetch_one(tx.conn())
            .await?,
    )?;
    if by_app >= MAX_OPEN_PER_APP {
        return Err(Error::Limit(format!(
            "{app} has {by_app} disputes not closed, the most an app may have ({MAX_OPEN_PER_APP}): file more once the province has decided some"
        )));
    }
    let of_subject = count(
        sqlx::query(
            "SELECT COUNT(*) AS n FROM disputes WHERE subject_id = $1 AND state <> 'closed' AND filed_by <> 'province'",
        )
        .bind(subject_id)
        .fetch_one(tx.conn())
        .await?,
    )?;
    if of_subject >= MAX_OPEN_PER_SUBJECT {
        // Not how many, nor by whom: other apps' filings are theirs.
        return Err(Error::Limit(format!(
            "{subject_id} has as many disputes filed by apps open as a subject may have ({MAX_OPEN_PER_SUBJECT}): the subject may file more at the province's window"
        )));
    }
    Ok(())
}

/// Refuse an app's dispute of a record (with this `value`) that the
/// province rejected, or its source upheld, when the same app disputed it
/// before: new grounds go to the province, which files it itself.
async fn decided_before(
    tx: &mut crate::db::Tx,
    app: &str,
    subject_id: &str,
    indicator: &str,
    observed_on: &str,
    value: &str,
) -> Result<(), Error> {
    let row = sqlx::query(
        "SELECT id, outcome, closed_at FROM disputes WHERE subject_id = $1 AND indicator = $2 \
         AND observed_on = $3 AND filed_by = $4 AND disputed_value = $5 \
         AND state = 'closed' AND outcome IN ('rejected', 'upheld') ORDER BY closed_at DESC",
    )
    .bind(subject_id)
    .bind(indicator)
    .bind(observed_on)
    .bind(app)
    .bind(value)
    .fetch_optional(tx.conn())
    .await?;
    if let Some(r) = row {
        let id: String = r.try_get("id")?;
        let outcome: String = r.try_get("outcome")?;
        let at: Option<String> = r.try_get("closed_at")?;
        return Err(Error::Conflict(format!(
            "{app} disputed this record before: dispute {id} was {outcome} on {}. The same filer may not dispute it again; new grounds go to the province, which files the dispute itself if it accepts them",
            day(at.as_deref().unwrap_or_default())
        )));
    }
    Ok(())
}

/// Refuse a step on a dispute past its closing deadline: it has lapsed.
fn refuse_if_lapsed(d: &Dispute, today: &str) -> Result<(), Error> {
    if d.lapsed_on(today) {
        return Err(Error::Conflict(format!(
            "{} lapsed: it was not closed by {}, within the {} days the law allows ({})",
            d.id,
            d.close_due,
            deadlines::CLOSE_DAYS,
            if d.admitted() {
                "decided in the subject's favour: the record is withheld, and only the province may furnish it again"
            } else {
                "never checked by the province, it is closed without effect"
            }
        )));
    }
    Ok(())
}

async fn load_in_tx(tx: &mut crate::db::Tx, id: &str) -> Result<Dispute, Error> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} FROM disputes d WHERE d.id = $1"))
        .bind(id)
        .fetch_optional(tx.conn())
        .await?;
    match row {
        Some(r) => dispute_from_row(&r),
        None => Err(Error::NotFound(format!("no dispute {id}"))),
    }
}

fn close(d: &mut Dispute, outcome: DisputeOutcome, by: &str, at: &str) {
    d.state = DisputeState::Closed;
    d.outcome = Some(outcome);
    d.closed_by = Some(by.to_string());
    d.closed_at = Some(at.to_string());
}

fn push_note(d: &mut Dispute, by: &str, step: &str, text: &str, at: &str) {
    if !text.trim().is_empty() {
        d.notes.push(Note {
            at: at.to_string(),
            by: by.to_string(),
            step: step.into(),
            text: text.to_string(),
        });
    }
}

async fn save(tx: &mut crate::db::Tx, d: &Dispute) -> Result<(), Error> {
    sqlx::query(
        "UPDATE disputes SET state = $1, answer_due = $2, checked_by = $3, checked_at = $4, \
         outcome = $5, new_value = $6, closed_by = $7, closed_at = $8, notes = $9 WHERE id = $10",
    )
    .bind(d.state.as_str())
    .bind(&d.answer_due)
    .bind(&d.checked_by)
    .bind(&d.checked_at)
    .bind(d.outcome.map(|o| o.as_str()))
    .bind(d.new_value.as_ref().map(|v| v.to_string()))
    .bind(&d.closed_by)
    .bind(&d.closed_at)
    .bind(serde_json::to_string(&d.notes).unwrap_or_default())
    .bind(&d.id)
    .execute(tx.conn())
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dispute(state: DisputeState, answer_due: Option<&str>) -> Dispute {
        Dispute {
            id: "dsp_1".into(),
            subject_id: "S".into(),
            indicator: "i".into(),
            observed_on: None,
            disputed_value: serde_json::json!(1),
            source: "x".into(),
            reason: "r".into(),
            filed_by: "province".into(),
            filed_at: "2026-11-27T10:00:00Z".into(),
            state,
            check_due: "2026-12-01".into(),
            answer_due: answer_due.map(str::to_string),
            close_due: "2026-12-17".into(),
            checked_by: None,
            checked_at: None,
            outcome: None,
            new_value: None,
            closed_by: None,
            closed_at: None,
            notes: vec![],
        }
    }

    #[test]
    fn each_missed_deadline_is_named() {
        let open = dispute(DisputeState::Open, None);
        assert!(open.missed_deadlines("2026-12-01").is_empty());
        let late = open.missed_deadlines("2026-12-02");
        assert_eq!(late.len(), 1);
        assert!(late[0].contains("not checked by 2026-12-01"), "{late:?}");
        assert_eq!(open.missed_deadlines("2026-12-18").len(), 2);
        let fwd = dispute(DisputeState::Forwarded, Some("2026-12-08"));
        assert!(fwd.missed_deadlines("2026-12-08").is_empty());
        assert!(fwd.missed_deadlines("2026-12-09")[0].contains("has not answered by 2026-12-08"));
        let closed = dispute(DisputeState::Closed, Some("2026-12-08"));
        assert!(closed.missed_deadlines("2027-06-01").is_empty());
    }

    #[test]
    fn a_withheld_record_says_why_in_one_sentence() {
        let w = Withheld {
            indicator: "customs_violations_3y".into(),
            observed_on: Some("2026-03-01".into()),
            why: "disputed".into(),
            id: "dsp_0a1b".into(),
            since: "2026-11-30T08:00:00Z".into(),
            filed_by: Some("province".into()),
        };
        assert_eq!(
            w.sentence(),
            "the customs_violations_3y record of 2026-03-01 was not used: it is suspended while dispute dsp_0a1b (filed 2026-11-30) is verified"
        );
    }
}
