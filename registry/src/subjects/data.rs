//! The "1+N" data: each subject's provincial base evaluation (the "1") and
//! the sectors' indicator records (the "N"), imported in bulk from NDJSON
//! or CSV, and read back to complete a scoring request that names only its
//! subject.
//!
//! An import is checked row by row: a good row is applied whole, a bad row
//! not at all and reported with its line and reason. The whole file is one
//! transaction, and the import itself is a record in the audit log (who,
//! what kind, how many rows, the file's SHA-256).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::Row as _;

use crate::log::{NewRecord, append_in_tx};
use crate::refs::is_indicator_name;
use crate::{Actor, Error, Registry, Role, now};

/// The five subject kinds (`subject-kind` in `wit/scoring.wit`).
pub const SUBJECT_KINDS: [&str; 5] = [
    "enterprise",
    "natural-person",
    "social-organization",
    "public-institution",
    "government-agency",
];

/// A subject's provincial base evaluation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaseRecord {
    /// The subject's identifier.
    pub subject_id: String,
    /// One of [`SUBJECT_KINDS`].
    pub kind: String,
    /// Provincial score, 0–1000.
    pub score: f64,
    /// Provincial grade.
    pub grade: String,
    /// Dimension sub-scores by name.
    #[serde(default)]
    pub dimensions: BTreeMap<String, f64>,
    /// Red and black list memberships.
    #[serde(default)]
    pub lists: Vec<String>,
    /// Who furnished it.
    pub source: String,
}

/// One indicator fact about a subject.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndicatorRecord {
    /// The subject's identifier.
    pub subject_id: String,
    /// The indicator's name, as models declare it.
    pub name: String,
    /// A number, a boolean or a string.
    pub value: serde_json::Value,
    /// When the fact happened (YYYY-MM-DD), if it is dated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_on: Option<String>,
    /// Who furnished it, as the file says: a free-text label (a department
    /// or platform), kept as detail beneath [`IndicatorRecord::furnisher`].
    pub source: String,
    /// The authenticated furnisher: the role that imported the record
    /// (`province`, `publisher:NS`). Set by the store, never read from a
    /// file (a file that names one is refused as an unknown field).
    #[serde(skip)]
    pub furnisher: Option<String>,
}

impl IndicatorRecord {
    /// The record's source as a model sees it: the authenticated furnisher,
    /// with the file's label beneath it when it says more
    /// (`publisher:ningbo (ningbo-port-office)`); the label alone for a
    /// record whose furnisher is unknown (imported before furnishers were
    /// recorded).
    pub fn attributed_source(&self) -> String {
        match self.furnisher.as_deref() {
            Some(f) if !f.is_empty() => {
                if self.source.is_empty() || self.source == f {
                    f.to_string()
                } else {
                    format!("{f} ({})", self.source)
                }
            }
            _ => self.source.clone(),
        }
    }
}

/// The file format of an import.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per line.
    Ndjson,
    /// A header row, then one row per record.
    Csv,
}

/// A row an import refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejected {
    /// The line (1-based; for CSV the header is line 1).
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    /// Rows applied.
    pub accepted: usize,
    /// Rows refused, each untouched in storage.
    pub rejected: Vec<Rejected>,
}

fn check_subject_id(id: &str) -> Result<(), String> {
    if id.trim().is_empty() || id.len() > 64 || id.trim() != id {
        return Err(format!(
            "subject_id '{id}' must be 1 to 64 characters without surrounding spaces"
        ));
    }
    Ok(())
}

fn check_date(d: &str) -> Result<(), String> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(d, &format)
        .map(|_| ())
        .map_err(|_| format!("'{d}' is not a date (YYYY-MM-DD)"))
}

/// Whether `x` has at most two decimals as written: the shortest decimal
/// that reads back as `x` (what its sender wrote, numbers being read
/// exactly) has at most two places. Points are carried in hundredths, so
/// `999.999` and `4.9e-324` are refused rather than rounded to `1000.00`
/// and `0`. The one rule for imports here and for requests
/// (`scorehost_runtime::points::from_decimal`).
///
/// ```
/// use scorehost_registry::data::at_most_two_decimals;
/// assert!(at_most_two_decimals(812.5) && at_most_two_decimals(0.29));
/// assert!(!at_most_two_decimals(999.999) && !at_most_two_decimals(4.9e-324));
/// ```
pub fn at_most_two_decimals(x: f64) -> bool {
    format!("{x}")
        .split_once('.')
        .is_none_or(|(_, places)| places.len() <= 2)
}

fn check_two_decimals(what: &str, x: f64) -> Result<(), String> {
    if !at_most_two_decimals(x) {
        return Err(format!("{what} {x} has more than two decimals"));
    }
    Ok(())
}

impl BaseRecord {
    fn check(&self) -> Result<(), String> {
        check_subject_id(&self.subject_id)?;
        if !SUBJECT_KINDS.contains(&self.kind.as_str()) {
            return Err(format!(
                "kind '{}' is not one of {}",
                self.kind,
                SUBJECT_KINDS.join(", ")
            ));
        }
        if !self.score.is_finite() || !(0.0..=1000.0).contains(&self.score) {
            return Err(format!("score {} is not between 0 and 1000", self.score));
        }
        check_two_decimals("score", self.score)?;
        if self.grade.trim().is_empty() {
            return Err("grade is empty".into());
        }
        if self.source.trim().is_empty() {
            return Err("source is empty: say who furnished the record".into());
        }
        if let Some((name, v)) = self.dimensions.iter().find(|(_, v)| !v.is_finite()) {
            return Err(format!("dimension {name} is not a number: {v}"));
        }
        for (name, v) in &self.dimensions {
            check_two_decimals(&format!("dimension {name}"), *v)?;
        }
        Ok(())
    }
}

impl IndicatorRecord {
    fn check(&self) -> Result<(), String> {
        check_subject_id(&self.subject_id)?;
        if !is_indicator_name(&self.name) {
            return Err(format!(
                "indicator name '{}' must be lowercase letters, digits and _",
                self.name
            ));
        }
        match &self.value {
            serde_json::Value::Number(_)
            | serde_json::Value::Bool(_)
            | serde_json::Value::String(_) => {}
            other => {
                return Err(format!(
                    "value must be a number, a boolean or a string, not {other}"
                ));
            }
        }
        if let Some(d) = &self.observed_on {
            check_date(d)?;
        }
        if self.source.trim().is_empty() {
            return Err("source is empty: say who furnished the record".into());
        }
        Ok(())
    }
}

/// A CSV cell as a JSON value: a number, `true`/`false`, or the text.
fn csv_value(cell: &str) -> serde_json::Value {
    if let Ok(n) = cell.parse::<i64>() {
        return n.into();
    }
    if let Ok(x) = cell.parse::<f64>()
        && x.is_finite()
    {
        return x.into();
    }
    match cell {
        "true" => true.into(),
        "false" => false.into(),
        other => other.into(),
    }
}

/// Parse `text` into rows of `T`, each with its line; bad rows go to the
/// rejected list. CSV rows are turned into `T` by `from_csv` (header →
/// cell).
fn parse_rows<T: serde::de::DeserializeOwned>(
    text: &str,
    format: Format,
    from_csv: impl Fn(&BTreeMap<String, String>) -> Result<T, String>,
) -> (Vec<(usize, T)>, Vec<Rejected>) {
    let (mut good, mut bad) = (Vec::new(), Vec::new());
    match format {
        Format::Ndjson => {
            for (i, line) in text.lines().enumerate() {
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<T>(line) {
                    Ok(row) => good.push((i + 1, row)),
                    Err(e) => bad.push(Rejected {
                        line: i + 1,
                        reason: format!("not a valid record: {e}"),
                    }),
                }
            }
        }
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .flexible(false)
                .trim(csv::Trim::All)
                .from_reader(text.as_bytes());
            let headers = match reader.headers() {
                Ok(h) => h.clone(),
                Err(e) => {
                    bad.push(Rejected {
                        line: 1,
                        reason: format!("no header row: {e}"),
                    });
                    return (good, bad);
                }
            };
            for record in reader.records() {
                let (line, result) = match record {
                    Ok(r) => {
                        let line = r.position().map(|p| p.line() as usize).unwrap_or(0);
                        let cells: BTreeMap<String, String> = headers
                            .iter()
                            .zip(r.iter())
                            .map(|(h, c)| (h.to_string(), c.to_string()))
                            .collect();
                        (line, from_csv(&cells))
                    }
                    Err(e) => (
                        e.position().map(|p| p.line() as usize).unwrap_or(0),
                        Err(format!("not a valid CSV row: {e}")),
                    ),
                };
                match result {
                    Ok(row) => good.push((line, row)),
                    Err(reason) => bad.push(Rejected { line, reason }),
                }
            }
        }
    }
    (good, bad)
}

fn cell<'a>(cells: &'a BTreeMap<String, String>, name: &str) -> Result<&'a str, String> {
    cells
        .get(name)
        .map(String::as_str)
        .ok_or_else(|| format!("the CSV has no '{name}' column"))
}

fn base_from_csv(cells: &BTreeMap<String, String>) -> Result<BaseRecord, String> {
    let score = cell(cells, "score")?;
    let mut dimensions = BTreeMap::new();
    for (h, v) in cells {
        if let Some(name) = h.strip_prefix("dim:")
            && !v.is_empty()
        {
            let x = v
                .parse::<f64>()
                .map_err(|_| format!("dimension {name} '{v}' is not a number"))?;
            dimensions.insert(name.to_string(), x);
        }
    }
    Ok(BaseRecord {
        subject_id: cell(cells, "subject_id")?.to_string(),
        kind: cell(cells, "kind")?.to_string(),
        score: score
            .parse()
            .map_err(|_| format!("score '{score}' is not a number"))?,
        grade: cell(cells, "grade")?.to_string(),
        dimensions,
        lists: cells
            .get("lists")
            .map(|l| {
                l.split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        source: cell(cells, "source")?.to_string(),
    })
}

fn indicator_from_csv(cells: &BTreeMap<String, String>) -> Result<IndicatorRecord, String> {
    Ok(IndicatorRecord {
        subject_id: cell(cells, "subject_id")?.to_string(),
        name: cell(cells, "name")?.to_string(),
        value: csv_value(cell(cells, "value")?),
        observed_on: cells.get("observed_on").filter(|d| !d.is_empty()).cloned(),
        source: cell(cells, "source")?.to_string(),
        furnisher: None,
    })
}

/// Run `f` (parsing a file of up to tens of MiB: a second of CPU) on a
/// blocking thread, not on the async workers that answer requests.
async fn off_runtime<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Storage(format!("an import's parse failed: {e}")))
}

/// Keep the rows that pass `check`, with their lines; report the others.
fn checked<T>(
    rows: Vec<(usize, T)>,
    rejected: &mut Vec<Rejected>,
    check: impl Fn(&T) -> Result<(), String>,
) -> Vec<(usize, T)> {
    let mut ok = Vec::with_capacity(rows.len());
    for (line, row) in rows {
        match check(&row) {
            Ok(()) => ok.push((line, row)),
            Err(reason) => rejected.push(Rejected { line, reason }),
        }
    }
    rejected.sort_by_key(|r| r.line);
    ok
}

impl Registry {
    /// Import provincial base evaluations (province only). A subject's
    /// earlier base is replaced.
    pub async fn import_bases(
        &self,
        by: &Actor,
        text: &str,
        format: Format,
    ) -> Result<ImportReport, Error> {
        by.must_be_province("import provincial base evaluations")?;
        let owned = text.to_string();
        let (rows, rejected) = off_runtime(move || {
            let (rows, mut rejected) = parse_rows(&owned, format, base_from_csv);
            let rows = checked(rows, &mut rejected, BaseRecord::check);
            (rows, rejected)
        })
        .await?;
        let rows: Vec<BaseRecord> = rows.into_iter().map(|(_, r)| r).collect();
        let at = now();
        let parts = rows.len().div_ceil(IMPORT_CHUNK).max(1);
        let mut accepted = 0;
        for (part, chunk) in chunks(&rows, IMPORT_CHUNK).enumerate() {
            let _turn = self.db.turn.lock().await;
            let mut tx = self.db.begin().await?;
            for b in chunk {
                sqlx::query(
                    "INSERT INTO subject_bases (subject_id, kind, score, grade, dimensions, lists, source, imported_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (subject_id) DO UPDATE SET kind = excluded.kind, score = excluded.score, \
                     grade = excluded.grade, dimensions = excluded.dimensions, lists = excluded.lists, \
                     source = excluded.source, imported_at = excluded.imported_at",
                )
                .bind(&b.subject_id)
                .bind(&b.kind)
                .bind(b.score)
                .bind(&b.grade)
                .bind(serde_json::to_string(&b.dimensions).unwrap_or_default())
                .bind(serde_json::to_string(&b.lists).unwrap_or_default())
                .bind(&b.source)
                .bind(&at)
                .execute(tx.conn())
                .await?;
            }
            accepted += chunk.len();
            let logged = Part {
                part: part + 1,
                parts,
                accepted: chunk.len(),
                rejected: if part == 0 { rejected.len() } else { 0 },
            };
            log_import(&mut tx, by, "bases", text, &logged, &at).await?;
            tx.commit().await?;
        }
        Ok(ImportReport { accepted, rejected })
    }

    /// Import indicator records (the province, or a city's or sector's
    /// publisher), under the furnishing rules ([`crate::subjects::furnishers`]):
    ///
    /// - a publisher imports only the indicators it furnishes;
    /// - a record's furnisher is the importer (stored as `imported_by`; the
    ///   row's `source` stays a free-text label beneath it), and a
    ///   publisher never overwrites a record another furnisher imported;
    /// - a `single` indicator has one current record per subject: a newer
    ///   one (whatever its date) replaces the older, of the same furnisher;
    ///   an `events` indicator keeps one record per date;
    /// - a record under dispute is answered through the dispute, not
    ///   imported over; one removed after a dispute only the province
    ///   inserts again, under any date ([`crate::subjects::disputes`]).
    ///
    /// A refused row is reported with its line and reason and changes
    /// nothing. Costs one indexed read per row (none for an event the
    /// province adds) and one write transaction per [`IMPORT_CHUNK`] rows:
    /// each chunk is atomic and the write lock is free between chunks, so
    /// that a large import never holds up the audit log's writer — and so
    /// that a storage failure midway leaves the chunks before it imported
    /// (each is in the log, with its lines).
    pub async fn import_indicators(
        &self,
        by: &Actor,
        text: &str,
        format: Format,
    ) -> Result<ImportReport, Error> {
        if !matches!(by.role, Role::Province | Role::Publisher(_)) {
            return Err(Error::Forbidden(format!(
                "{by} may not import indicator records: the province and publishers may"
            )));
        }
        let owned = text.to_string();
        let (rows, mut rejected) = off_runtime(move || {
            let (rows, mut rejected) = parse_rows(&owned, format, indicator_from_csv);
            let rows = checked(rows, &mut rejected, IndicatorRecord::check);
            (rows, rejected)
        })
        .await?;
        let at = now();
        let parts = rows.len().div_ceil(IMPORT_CHUNK).max(1);
        let unparsed = rejected.len();
        let mut accepted = 0;
        let mut rows = rows.into_iter().peekable();
        let mut part = 0;
        while part == 0 || rows.peek().is_some() {
            part += 1;
            let chunk: Vec<(usize, IndicatorRecord)> = rows.by_ref().take(IMPORT_CHUNK).collect();
            let before = (accepted, rejected.len());
            // Each chunk waits its turn: the log writer goes between two.
            let _turn = self.db.turn.lock().await;
            let mut tx = self.db.begin().await?;
            accepted += self
                .import_indicator_chunk(&mut tx, by, chunk, &at, &mut rejected)
                .await?;
            let logged = Part {
                part,
                parts,
                accepted: accepted - before.0,
                rejected: rejected.len() - before.1 + if part == 1 { unparsed } else { 0 },
            };
            log_import(&mut tx, by, "indicators", text, &logged, &at).await?;
            tx.commit().await?;
        }
        rejected.sort_by_key(|r| r.line);
        Ok(ImportReport { accepted, rejected })
    }

    /// One chunk of [`Registry::import_indicators`], in `tx`; returns the
    /// rows accepted and adds the refused ones to `rejected`.
    async fn import_indicator_chunk(
        &self,
        tx: &mut crate::db::Tx,
        by: &Actor,
        rows: Vec<(usize, IndicatorRecord)>,
        at: &str,
        rejected: &mut Vec<Rejected>,
    ) -> Result<usize, Error> {
        let province = matches!(by.role, Role::Province);
        let importer = by.to_string();
        // The rules and guards are read inside the chunk's own
        // transaction, which holds the write lock: a dispute filed or a
        // furnisher registered while a large import runs cannot slip
        // between this read and the chunk's writes.
        let rules = crate::subjects::furnishers::Rules::read(tx.conn()).await?;
        let guards = Registry::import_guards(tx, by).await?;
        let mut accepted = 0;
        for (line, r) in rows {
            let date = r.observed_on.clone().unwrap_or_default();
            let value = r.value.to_string();
            let refusal = match rules.may_import(by, &r.name) {
                Err(reason) => Some(reason),
                Ok(()) => guards
                    .records
                    .get(&(r.subject_id.clone(), r.name.clone(), date.clone()))
                    .or_else(|| {
                        guards.removed_facts.get(&(
                            r.subject_id.clone(),
                            r.name.clone(),
                            value.clone(),
                        ))
                    })
                    .cloned(),
            };
            if let Some(reason) = refusal {
                rejected.push(Rejected { line, reason });
                continue;
            }
            let single =
                rules.cardinality(&r.name) == crate::subjects::furnishers::Cardinality::Single;
            // The records this one could replace or collide with; none can
            // stop the province adding one event (an upsert of its date).
            let existing = if province && !single {
                Vec::new()
            } else {
                sqlx::query(
                    "SELECT observed_on, imported_by FROM indicator_records WHERE subject_id = $1 AND name = $2",
                )
                .bind(&r.subject_id)
                .bind(&r.name)
                .fetch_all(tx.conn())
                .await?
            };
            let mut replaced = Vec::new();
            let mut refusal = None;
            for e in &existing {
                let on: String = e.try_get("observed_on")?;
                let furnisher: String = e.try_get("imported_by")?;
                let same_date = on == date;
                if !same_date && !single {
                    continue;
                }
                if !province && furnisher != importer {
                    let whose = if furnisher.is_empty() {
                        "an earlier import"
                    } else {
                        &furnisher
                    };
                    refusal = Some(format!(
                        "subject {}'s {} record is furnished by {whose}: one furnisher never overwrites another's record",
                        r.subject_id, r.name
                    ));
                    break;
                }
                if !same_date {
                    if let Some(why) =
                        guards
                            .records
                            .get(&(r.subject_id.clone(), r.name.clone(), on.clone()))
                    {
                        refusal = Some(format!(
                            "{} has one current record per subject, and the current one cannot be replaced: {why}",
                            r.name
                        ));
                        break;
                    }
                    replaced.push(on);
                }
            }
            if let Some(reason) = refusal {
                rejected.push(Rejected { line, reason });
                continue;
            }
            for on in &replaced {
                sqlx::query(
                    "DELETE FROM indicator_records WHERE subject_id = $1 AND name = $2 AND observed_on = $3",
                )
                .bind(&r.subject_id)
                .bind(&r.name)
                .bind(on)
                .execute(tx.conn())
                .await?;
            }
            sqlx::query(
                "INSERT INTO indicator_records (subject_id, name, observed_on, value, source, imported_at, imported_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) \
                 ON CONFLICT (subject_id, name, observed_on) DO UPDATE SET value = excluded.value, \
                 source = excluded.source, imported_at = excluded.imported_at, imported_by = excluded.imported_by",
            )
            .bind(&r.subject_id)
            .bind(&r.name)
            .bind(&date)
            .bind(&value)
            .bind(&r.source)
            .bind(at)
            .bind(&importer)
            .execute(tx.conn())
            .await?;
            accepted += 1;
        }
        Ok(accepted)
    }

    /// The ids and kinds of every subject with a stored base evaluation
    /// whose kind is one of `kinds` (`enterprise`, `natural-person`, …), in
    /// id order: the population a batch over the store scores.
    pub async fn subject_ids(&self, kinds: &[&str]) -> Result<Vec<(String, String)>, Error> {
        let rows = sqlx::query("SELECT subject_id, kind FROM subject_bases ORDER BY subject_id")
            .fetch_all(&self.db.pool)
            .await?;
        let mut ids = Vec::new();
        for r in rows {
            let kind: String = r.try_get("kind")?;
            if kinds.contains(&kind.as_str()) {
                ids.push((r.try_get("subject_id")?, kind));
            }
        }
        Ok(ids)
    }

    /// The kind of subject `subject_id` as its stored base evaluation says,
    /// `None` if none is stored. One indexed query.
    pub async fn stored_kind(&self, subject_id: &str) -> Result<Option<String>, Error> {
        let row = sqlx::query("SELECT kind FROM subject_bases WHERE subject_id = $1")
            .bind(subject_id)
            .fetch_optional(&self.db.pool)
            .await?;
        row.map(|r| r.try_get("kind").map_err(Error::from))
            .transpose()
    }

    /// A subject's base evaluation and every indicator record, oldest fact
    /// first; `None` if no base was imported for it.
    pub async fn subject_data(
        &self,
        subject_id: &str,
    ) -> Result<Option<(BaseRecord, Vec<IndicatorRecord>)>, Error> {
        let Some(row) = sqlx::query(
            "SELECT subject_id, kind, score, grade, dimensions, lists, source FROM subject_bases WHERE subject_id = $1",
        )
        .bind(subject_id)
        .fetch_optional(&self.db.pool)
        .await?
        else {
            return Ok(None);
        };
        let stored = |what: &str| {
            Error::Storage(format!(
                "the stored {what} of {subject_id} is not valid JSON"
            ))
        };
        let base = BaseRecord {
            subject_id: row.try_get("subject_id")?,
            kind: row.try_get("kind")?,
            score: row.try_get("score")?,
            grade: row.try_get("grade")?,
            dimensions: serde_json::from_str(&row.try_get::<String, _>("dimensions")?)
                .map_err(|_| stored("dimensions"))?,
            lists: serde_json::from_str(&row.try_get::<String, _>("lists")?)
                .map_err(|_| stored("lists"))?,
            source: row.try_get("source")?,
        };
        let rows = sqlx::query(
            "SELECT name, observed_on, value, source, imported_by FROM indicator_records WHERE subject_id = $1 ORDER BY name, observed_on",
        )
        .bind(subject_id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut indicators = Vec::with_capacity(rows.len());
        for r in rows {
            let observed_on: String = r.try_get("observed_on")?;
            indicators.push(IndicatorRecord {
                subject_id: subject_id.to_string(),
                name: r.try_get("name")?,
                value: serde_json::from_str(&r.try_get::<String, _>("value")?)
                    .map_err(|_| stored("indicator value"))?,
                observed_on: (!observed_on.is_empty()).then_some(observed_on),
                source: r.try_get("source")?,
                furnisher: Some(r.try_get("imported_by")?),
            });
        }
        Ok(Some((base, indicators)))
    }
}

/// Rows an import writes per transaction: 250. One row costs some 50 µs
/// of write-locked time on SQLite (a 184,000-row import held the lock 10 s
/// in one transaction), so a chunk holds it about 15 ms — about the longest
/// an evaluation's record waits behind an import (the log writer takes the
/// write turn between two chunks) — while the per-chunk overhead (one
/// transaction, one log record) stays around a percent.
pub const IMPORT_CHUNK: usize = 250;

/// One chunk's part of an import, as its log record gives it.
struct Part {
    part: usize,
    parts: usize,
    accepted: usize,
    rejected: usize,
}

/// `rows` in chunks of `n`, at least one (empty) chunk: an empty import
/// is logged too.
fn chunks<T>(rows: &[T], n: usize) -> impl Iterator<Item = &[T]> {
    let empty: &[T] = &[];
    let first = rows.is_empty().then_some(empty);
    first.into_iter().chain(rows.chunks(n))
}

async fn log_import(
    tx: &mut crate::db::Tx,
    by: &Actor,
    what: &str,
    text: &str,
    part: &Part,
    at: &str,
) -> Result<(), Error> {
    let mut fields = serde_json::Map::new();
    by.record_into(&mut fields);
    fields.insert("action".into(), "data-import".into());
    fields.insert("data".into(), what.into());
    fields.insert("accepted".into(), part.accepted.into());
    fields.insert("rejected".into(), part.rejected.into());
    if part.parts > 1 {
        fields.insert(
            "part".into(),
            format!("{}/{}", part.part, part.parts).into(),
        );
    }
    fields.insert(
        "file_sha256".into(),
        hex::encode(Sha256::digest(text.as_bytes())).into(),
    );
    append_in_tx(
        tx.conn(),
        vec![NewRecord::from_fields("registry", at.to_string(), &fields)],
    )
    .await
    .map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_typed_and_bad_rows_are_reported_with_their_line() {
        let text = "subject_id,name,value,observed_on,source\n\
                    A1,years_in_operation,6,,amr\n\
                    A1,aeo_certified,true,,customs\n\
                    A1,customs_violation,smuggling,2025-03-01,customs\n\
                    A1,Bad Name,1,,x\n\
                    A1,late,1,2025-02-30,x\n";
        let (rows, mut rejected) = parse_rows(text, Format::Csv, indicator_from_csv);
        let rows = checked(rows, &mut rejected, IndicatorRecord::check);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].1.value, serde_json::json!(6));
        assert_eq!(rows[1].1.value, serde_json::json!(true));
        assert_eq!(rows[2].1.observed_on.as_deref(), Some("2025-03-01"));
        assert_eq!(
            rejected.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![5, 6]
        );
        assert!(rejected[1].reason.contains("not a date"), "{rejected:?}");
    }

    #[test]
    fn ndjson_bases_are_checked_field_by_field() {
        let text = r#"{"subject_id":"A1","kind":"enterprise","score":812.5,"grade":"A","source":"province"}
{"subject_id":"A2","kind":"alien","score":812.5,"grade":"A","source":"province"}
{"subject_id":"A3","kind":"enterprise","score":1200,"grade":"A","source":"province"}
not json
"#;
        let (rows, mut rejected) = parse_rows::<BaseRecord>(text, Format::Ndjson, base_from_csv);
        let rows = checked(rows, &mut rejected, BaseRecord::check);
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rejected.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![2, 3, 4]
        );
    }
}
