//! The personal part of a record, kept beside the log and erasable.
//!
//! From record format 3 on, a leaf names nobody. It commits to its
//! personal part — whose record it is, and what it says about them — as
//! `"personal": hex SHA-256(salt || text)`, the last field of the leaf; the
//! salt and the clear text (a JSON object) are stored in `audit_personal`,
//! keyed by the leaf's position, with the subject's id beside them so that
//! a person's records can be found and erased. [`open_record`] puts the
//! two back together for a reader, checking the clear text against the
//! commitment.
//!
//! Erasing ([`Registry::erase_personal`]) drops the salt, the clear text and
//! the subject's id, the record's kept input and its search-index row, and
//! appends one `erasure` record naming the positions erased (never the
//! person). The leaf is untouched: the tree, every checkpoint and every
//! proof still verify, and without its salt (128 random bits) the
//! commitment cannot be tested against a guess.
//!
//! Records written before format 3 hold their personal part in the leaf
//! itself. They have `legacy` rows here (made by the migration), so they
//! are found and erased the same way; erasing one replaces its leaf text by
//! a tombstone ([`tombstone`]) and keeps its stored leaf hash, which is all
//! the tree needs. `verify` accepts a tombstone in place of a leaf only if
//! a later `erasure` record names it.

use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row as _;
use sqlx::any::AnyRow;

use crate::log::{LogEntry, NewRecord, entry_from_row};
use crate::{Error, Registry};

/// A record's personal part, to be stored beside its leaf.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Personal {
    /// The subject's id (erasable).
    pub subject: String,
    /// The subject's kind (`natural-person`, `enterprise`, …): which
    /// retention policy applies. It stays after erasure.
    pub subject_kind: String,
    /// The commitment's salt: fresh, unpredictable, 128 bits or more.
    pub salt: String,
    /// The clear text: a JSON object whose fields a reader sees as the
    /// record's own ([`open_record`]).
    pub text: String,
}

impl Personal {
    /// Add the field `name` with the JSON value `value` (its text) to the
    /// clear text. Costs one copy of the text.
    pub fn push_field(&mut self, name: &str, value: &str) -> Result<(), Error> {
        let open = self.text.trim_end().strip_suffix('}').ok_or_else(|| {
            Error::BadRequest("a record's personal part must be a JSON object".into())
        })?;
        let sep = if open.trim_end().ends_with('{') {
            ""
        } else {
            ","
        };
        let name = serde_json::Value::from(name).to_string();
        self.text = format!("{open}{sep}{name}:{value}}}");
        Ok(())
    }

    /// The commitment the leaf holds: [`commitment`] of the salt and text.
    pub fn commitment(&self) -> String {
        commitment(&self.salt, &self.text)
    }
}

/// A registry record about `subject` (a consent, a dispute's step, a
/// repair, a person's token): `fields` with `subject_id` and each field
/// named in `keys` moved into the record's erasable personal part, beside
/// `subject {id, kind}`; the leaf keeps the rest. `kind` is the subject's
/// kind when the caller knows it, else it is looked up
/// ([`Registry::kind_of_subject`]) in the transaction open on `conn`.
pub(crate) async fn registry_record_about(
    conn: &mut sqlx::AnyConnection,
    at: String,
    mut fields: serde_json::Map<String, serde_json::Value>,
    subject: &str,
    kind: Option<&str>,
    keys: &[&str],
) -> Result<NewRecord, Error> {
    let kind = match kind {
        Some(k) => k.to_string(),
        None => Registry::kind_in(conn, subject).await?,
    };
    let mut personal = serde_json::Map::new();
    personal.insert(
        "subject".into(),
        serde_json::json!({"id": subject, "kind": kind}),
    );
    for key in std::iter::once(&"subject_id").chain(keys) {
        if let Some(v) = fields.remove(*key) {
            personal.insert((*key).to_string(), v);
        }
    }
    let mut record = NewRecord::from_fields("registry", at, &fields);
    record.personal = Some(Personal {
        subject: subject.to_string(),
        subject_kind: kind,
        salt: fresh_salt()?,
        text: serde_json::Value::Object(personal).to_string(),
    });
    Ok(record)
}

/// A fresh 128-bit salt from the system's randomness, hex.
pub(crate) fn fresh_salt() -> Result<String, Error> {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b)
        .map_err(|e| Error::Storage(format!("no randomness for a salt: {e}")))?;
    Ok(hex::encode(b))
}

/// The commitment to a personal part: hex `SHA-256(salt || text)`, as for
/// an evaluation's input.
pub fn commitment(salt: &str, text: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(text.as_bytes());
    hex::encode(h.finalize())
}

/// A record's personal part as stored beside the log.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StoredPersonal {
    /// Whose record it is, as the column that finds a person's records
    /// holds it (gone once erased). [`open_record`] checks it against the
    /// clear text, so that records cannot be moved to another person.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The commitment's salt (gone once erased; none for a record before
    /// format 3, whose personal part is its leaf).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// The clear text, a JSON object (gone once erased; none for a record
    /// before format 3).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Whether the record was written before format 3 (its personal part
    /// is in its leaf, or — once erased — its leaf is a tombstone).
    pub legacy: bool,
    /// When it was erased, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub erased_at: Option<String>,
    /// The id of the `erasure` record that erased it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub erased_by: Option<String>,
}

/// The columns a query selects (from `audit_personal p`) for
/// [`personal_from_row`].
pub(crate) const PERSONAL_COLUMNS: &str = "p.subject AS p_subject, p.salt AS p_salt, p.personal AS p_text, \
     CAST(p.legacy AS BIGINT) AS p_legacy, p.erased_at AS p_erased_at, p.erased_by AS p_erased_by";

/// The personal part a row joined with `audit_personal p` holds, if the
/// record has one; `None` also when the query selected no such columns.
pub(crate) fn personal_from_row(row: &AnyRow) -> Result<Option<StoredPersonal>, Error> {
    let Ok(legacy) = row.try_get::<Option<i64>, _>("p_legacy") else {
        return Ok(None);
    };
    let Some(legacy) = legacy else {
        return Ok(None);
    };
    Ok(Some(StoredPersonal {
        subject: row.try_get("p_subject")?,
        salt: row.try_get("p_salt")?,
        text: row.try_get("p_text")?,
        legacy: legacy != 0,
        erased_at: row.try_get("p_erased_at")?,
        erased_by: row.try_get("p_erased_by")?,
    }))
}

/// A leaf and its personal part as one JSON object: the leaf's fields, and
/// — when the clear text is kept and matches the leaf's `personal`
/// commitment — the clear text's fields beside them. Once erased, the
/// object holds `erased_at` instead. A stored clear text that does not
/// match its commitment is an error: it was changed.
pub fn open_record(
    record: &str,
    personal: Option<&StoredPersonal>,
) -> Result<serde_json::Value, Error> {
    let mut leaf: serde_json::Value = serde_json::from_str(record)
        .map_err(|e| Error::Storage(format!("a stored audit record is not JSON: {e}")))?;
    let Some(p) = personal else {
        return Ok(leaf);
    };
    let seq = leaf["seq"].as_u64().unwrap_or_default();
    let Some(obj) = leaf.as_object_mut() else {
        return Err(Error::Storage(format!(
            "audit record {seq} is not a JSON object"
        )));
    };
    if let Some(at) = &p.erased_at {
        obj.insert("erased_at".into(), at.clone().into());
    }
    let Some(fields) = check_personal(seq, obj.get("personal"), p)? else {
        return Ok(leaf);
    };
    for (k, v) in fields {
        obj.entry(k).or_insert(v);
    }
    Ok(leaf)
}

/// Check a kept personal part `p` against its leaf (record `seq`, whose
/// `personal` field is `leaf_commitment`): its salted hash is the leaf's
/// commitment, and the subject column beside it is the subject it names.
/// Its fields, or `None` when nothing is kept (erased, or a record before
/// format 3). What `audit verify` runs on every record that has one; costs
/// one SHA-256 of the text and one parse of it.
pub fn check_personal(
    seq: u64,
    leaf_commitment: Option<&serde_json::Value>,
    p: &StoredPersonal,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, Error> {
    let (Some(salt), Some(text)) = (&p.salt, &p.text) else {
        return Ok(None);
    };
    if leaf_commitment.and_then(|c| c.as_str()) != Some(commitment(salt, text).as_str()) {
        return Err(Error::Storage(format!(
            "the personal part kept beside audit record {seq} does not match the commitment in the log"
        )));
    }
    let fields: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text)
        .map_err(|e| Error::Storage(format!("the personal part of record {seq}: {e}")))?;
    if p.subject.as_deref() != fields.get("subject").and_then(|s| s["id"].as_str()) {
        return Err(Error::Storage(format!(
            "audit record {seq} is filed under another subject than the one its personal part names"
        )));
    }
    Ok(Some(fields))
}

/// The text that replaces an erased record written before format 3: its
/// position, kind and time, and the erasure's id. Its stored leaf hash is
/// kept, so the tree does not change.
pub fn tombstone(seq: u64, kind: &str, at: &str, erasure: &str) -> String {
    serde_json::json!({"seq": seq, "kind": kind, "at": at, "erased_by": erasure}).to_string()
}

/// A leaf with the personal part kept beside it, as
/// [`Registry::records_of_subject`] lists a subject's records.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SubjectRecord {
    /// The leaf.
    pub entry: LogEntry,
    /// Its personal part as stored.
    pub personal: Option<StoredPersonal>,
}

/// The `seq` column of `rows`.
fn seqs_of(rows: &[AnyRow]) -> Result<Vec<u64>, Error> {
    rows.iter()
        .map(|r| Ok(r.try_get::<i64, _>("seq")? as u64))
        .collect()
}

/// A leaf and its personal part from a row joined with `audit_personal p`
/// ([`PERSONAL_COLUMNS`]).
fn subject_record(row: &AnyRow) -> Result<SubjectRecord, Error> {
    Ok(SubjectRecord {
        entry: entry_from_row(row)?,
        personal: personal_from_row(row)?,
    })
}

const KIND_OF_SUBJECT: &str = "SELECT COALESCE(\
     (SELECT subject_kind FROM audit_personal WHERE subject = $1 ORDER BY seq DESC LIMIT 1), \
     (SELECT kind FROM subject_bases WHERE subject_id = $1), 'unknown') AS kind";

/// The most positions one `erasure` record names: 1,000 (some 10 KB of
/// record). A larger erasure is several records, each in its own
/// transaction, so that none holds the write lock for long.
pub const MAX_ERASED_PER_RECORD: usize = 1_000;

impl Registry {
    /// [`Self::kind_of_subject`], in the transaction open on `conn`.
    pub(crate) async fn kind_in(
        conn: &mut sqlx::AnyConnection,
        subject: &str,
    ) -> Result<String, Error> {
        let row = sqlx::query(KIND_OF_SUBJECT)
            .bind(subject)
            .fetch_one(conn)
            .await?;
        Ok(row.try_get("kind")?)
    }

    /// The positions of every record of `subject` whose personal part is
    /// not yet erased, oldest first, and already read by the search index
    /// (so that the index cannot add a row for a record after its erasure).
    pub async fn unerased_records_of(&self, subject: &str) -> Result<Vec<u64>, Error> {
        let rows = sqlx::query(
            "SELECT seq FROM audit_personal WHERE subject = $1 AND erased_at IS NULL \
             AND seq < (SELECT next_seq FROM audit_search_state WHERE id = 1) ORDER BY seq",
        )
        .bind(subject)
        .fetch_all(&self.db.pool)
        .await?;
        seqs_of(&rows)
    }

    /// At most `limit` positions of records of subjects of kind
    /// `subject_kind` written before `before` (RFC 3339) and not yet
    /// erased, oldest first: what a retention policy erases next. Only
    /// records the search index has read (see [`Self::unerased_records_of`]).
    pub async fn records_due(
        &self,
        subject_kind: &str,
        before: &str,
        limit: u32,
    ) -> Result<Vec<u64>, Error> {
        let rows = sqlx::query(
            "SELECT seq FROM audit_personal WHERE subject_kind = $1 AND erased_at IS NULL AND at < $2 \
             AND seq < (SELECT next_seq FROM audit_search_state WHERE id = 1) ORDER BY at, seq LIMIT $3",
        )
        .bind(subject_kind)
        .bind(before)
        .bind(i64::from(limit))
        .fetch_all(&self.db.pool)
        .await?;
        seqs_of(&rows)
    }

    /// Every record of `subject` (evaluations, composites, reads of their
    /// records) still holding their personal part, newest first, at most
    /// `limit` from before position `before` (a page), each with the
    /// personal part stored beside it. One indexed read.
    pub async fn records_of_subject(
        &self,
        subject: &str,
        before: Option<u64>,
        limit: u32,
    ) -> Result<Vec<SubjectRecord>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT l.seq, l.kind, l.at, l.record, l.leaf_hash, {PERSONAL_COLUMNS} \
             FROM audit_personal p JOIN audit_log l ON l.seq = p.seq \
             WHERE p.subject = $1 AND p.seq < $2 ORDER BY p.seq DESC LIMIT $3"
        ))
        .bind(subject)
        .bind(before.map_or(i64::MAX, |s| s as i64))
        .bind(i64::from(limit))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(subject_record).collect()
    }

    /// The kind of subject `subject` is: their newest kept record's, else
    /// their stored base's, else `unknown` (no retention policy applies to
    /// it; erasing the person does). What a record about them that holds no
    /// white box — a read of their records, their token — is filed under,
    /// so that the same retention applies. Two indexed reads.
    pub async fn kind_of_subject(&self, subject: &str) -> Result<String, Error> {
        let row = sqlx::query(KIND_OF_SUBJECT)
            .bind(subject)
            .fetch_one(&self.db.pool)
            .await?;
        Ok(row.try_get("kind")?)
    }

    /// After erasing: leave no copy of what was erased where the database
    /// keeps old pages. On SQLite (whose connections zero deleted content,
    /// `secure_delete`), copy the WAL into the file and truncate it, so that
    /// no old frame holds an erased value; best effort while readers hold
    /// old frames (the next run tries again). On PostgreSQL, `VACUUM` the
    /// tables erasure writes, so that the dead row versions holding erased
    /// values are reclaimed; the server's WAL and backups keep them for as
    /// long as their own retention says (SECURITY.md). Costs a checkpoint or
    /// a vacuum of three tables.
    pub async fn scrub_erased(&self) -> Result<(), Error> {
        let sql = match self.db.backend() {
            crate::db::Backend::Sqlite => "PRAGMA wal_checkpoint(TRUNCATE)",
            crate::db::Backend::Postgres => "VACUUM audit_personal, audit_inputs, audit_search",
        };
        sqlx::raw_sql(sql).execute(&self.db.pool).await?;
        Ok(())
    }

    /// At most `limit` leaves from position `from` on, in stored order,
    /// each with the personal part kept beside it: a page of what `verify`
    /// checks.
    pub async fn log_entries_page_with_personal(
        &self,
        from: u64,
        limit: u32,
    ) -> Result<Vec<SubjectRecord>, Error> {
        let rows = sqlx::query(&format!(
            "SELECT l.seq, l.kind, l.at, l.record, l.leaf_hash, {PERSONAL_COLUMNS} \
             FROM audit_log l LEFT JOIN audit_personal p ON p.seq = l.seq \
             WHERE l.seq >= $1 ORDER BY l.seq LIMIT $2"
        ))
        .bind(from as i64)
        .bind(i64::from(limit))
        .fetch_all(&self.db.pool)
        .await?;
        rows.iter().map(subject_record).collect()
    }

    /// The personal part kept beside leaf `seq`, if it has one.
    pub async fn log_personal(&self, seq: u64) -> Result<Option<StoredPersonal>, Error> {
        let row = sqlx::query(&format!(
            "SELECT {PERSONAL_COLUMNS} FROM audit_personal p WHERE p.seq = $1"
        ))
        .bind(seq as i64)
        .fetch_optional(&self.db.pool)
        .await?;
        row.as_ref()
            .map(personal_from_row)
            .transpose()
            .map(Option::flatten)
    }

    /// Erase the personal parts of the records at `seqs` (at most
    /// [`MAX_ERASED_PER_RECORD`]), for `reason`, and append one `erasure`
    /// record naming who erased, why and the positions — never the person —
    /// in one transaction: the salt, the clear text and the subject's id
    /// beside each leaf, its kept input and its search-index row go; a
    /// record written before format 3 has its leaf text replaced by a
    /// [`tombstone`]. Positions already erased, or with no personal part,
    /// are skipped. Only a named province person erases. Returns the
    /// erasure record (`None` if nothing was left to erase).
    pub async fn erase_personal(
        &self,
        actor: &crate::Actor,
        seqs: &[u64],
        reason: &str,
    ) -> Result<Option<LogEntry>, Error> {
        actor.must_be_province("erase people from the records")?;
        actor.named_person("erasing a person")?;
        if seqs.len() > MAX_ERASED_PER_RECORD {
            return Err(Error::BadRequest(format!(
                "one erasure takes at most {MAX_ERASED_PER_RECORD} records, not {}",
                seqs.len()
            )));
        }
        let mut tx = self.db.begin().await?;
        // Which of them are still to erase, and which are legacy records.
        let mut todo = Vec::with_capacity(seqs.len());
        for &seq in seqs {
            let row = sqlx::query(
                "SELECT CAST(p.legacy AS BIGINT) AS legacy, l.kind, l.at FROM audit_personal p \
                 JOIN audit_log l ON l.seq = p.seq WHERE p.seq = $1 AND p.erased_at IS NULL",
            )
            .bind(seq as i64)
            .fetch_optional(tx.conn())
            .await?;
            if let Some(r) = row {
                let legacy = r.try_get::<i64, _>("legacy")? != 0;
                todo.push((
                    seq,
                    legacy,
                    r.try_get::<String, _>("kind")?,
                    r.try_get::<String, _>("at")?,
                ));
            }
        }
        if todo.is_empty() {
            return Ok(None);
        }
        let erased: Vec<u64> = todo.iter().map(|t| t.0).collect();
        let mut fields = serde_json::Map::new();
        fields.insert("action".into(), "erase".into());
        actor.record_into(&mut fields);
        fields.insert("reason".into(), reason.into());
        fields.insert("records".into(), erased.into());
        let record = NewRecord::from_fields("erasure", crate::now(), &fields);
        let entry = crate::log::append_in_tx(tx.conn(), vec![record])
            .await?
            .remove(0);
        let at = entry.at.clone();
        for (seq, legacy, kind, leaf_at) in &todo {
            let seq_i = *seq as i64;
            sqlx::query(
                "UPDATE audit_personal SET subject = NULL, salt = NULL, personal = NULL, \
                 erased_at = $1, erased_by = $2 WHERE seq = $3",
            )
            .bind(&at)
            .bind(&entry.id)
            .bind(seq_i)
            .execute(tx.conn())
            .await?;
            sqlx::query(
                "UPDATE audit_inputs SET salt = NULL, input = NULL, erased_at = $1 \
                 WHERE seq = $2 AND erased_at IS NULL",
            )
            .bind(&at)
            .bind(seq_i)
            .execute(tx.conn())
            .await?;
            sqlx::query("DELETE FROM audit_search WHERE seq = $1")
                .bind(seq_i)
                .execute(tx.conn())
                .await?;
            if *legacy {
                sqlx::query("UPDATE audit_log SET record = $1 WHERE seq = $2")
                    .bind(tombstone(*seq, kind, leaf_at, &entry.id))
                    .bind(seq_i)
                    .execute(tx.conn())
                    .await?;
            }
        }
        tx.commit().await?;
        Ok(Some(entry))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_opened_record_shows_its_personal_part_only_if_it_matches_the_leaf() {
        let mut p = Personal {
            subject: "330106199001010011".into(),
            subject_kind: "natural-person".into(),
            salt: "00112233445566778899aabbccddeeff".into(),
            text: r#"{"subject":{"id":"330106199001010011","kind":"natural-person"}}"#.into(),
        };
        p.push_field("decision", r#"{"eligible":true}"#).unwrap();
        let leaf = format!(
            r#"{{"seq":3,"kind":"evaluation","at":"t","format":3,"personal":"{}"}}"#,
            p.commitment()
        );
        let stored = StoredPersonal {
            subject: Some(p.subject.clone()),
            salt: Some(p.salt.clone()),
            text: Some(p.text.clone()),
            legacy: false,
            erased_at: None,
            erased_by: None,
        };
        let open = open_record(&leaf, Some(&stored)).unwrap();
        assert_eq!(open["subject"]["id"], "330106199001010011");
        assert_eq!(open["decision"]["eligible"], true);
        assert_eq!(open["format"], 3);

        let changed = StoredPersonal {
            text: Some(p.text.replace("true", "false")),
            ..stored.clone()
        };
        assert!(open_record(&leaf, Some(&changed)).is_err());

        let moved = StoredPersonal {
            subject: Some("330106199001010022".into()),
            ..stored.clone()
        };
        assert!(open_record(&leaf, Some(&moved)).is_err());

        let erased = StoredPersonal {
            subject: None,
            salt: None,
            text: None,
            erased_at: Some("2029-01-01T00:00:00Z".into()),
            erased_by: Some("9-ab".into()),
            ..stored
        };
        let open = open_record(&leaf, Some(&erased)).unwrap();
        assert!(open.get("subject").is_none() && open.get("decision").is_none());
        assert_eq!(open["erased_at"], "2029-01-01T00:00:00Z");
        assert!(!leaf.contains("330106"));
    }
}
