//! Reading a batch's input: NDJSON (one wire request per line, as
//! `POST /v1/scores` takes it) or CSV (one subject per row, one column per
//! indicator), streamed and hashed as it is read.
//!
//! Items are numbered by the line they start on (1-based; a CSV's header is
//! line 1), so that a failure names the line to fix and a resumed run
//! numbers the items exactly as the first run did. Blank lines are no items.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::Error;
use crate::contract::{ModelInfo, ValueKind};
use crate::wire::{ScoreRequest, WireBase, WireIndicator, WireSubject};

/// The input's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// One JSON score request per line.
    Ndjson,
    /// A header row, then one subject per row (see [`CsvColumns`]).
    Csv,
}

impl Format {
    /// The format a file name suggests: `.csv` is CSV, anything else NDJSON.
    pub fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("csv") => Format::Csv,
            _ => Format::Ndjson,
        }
    }
}

/// One item as read, not yet decoded (decoding runs on the scoring
/// threads, in parallel).
pub enum Raw {
    /// An NDJSON line.
    Json(String),
    /// A CSV record.
    Csv(csv::StringRecord),
    /// Something that could not even be read as text or as a record.
    Unreadable(String),
}

/// One item of the input.
pub struct Item {
    /// The line it starts on.
    pub number: u64,
    /// What was read.
    pub raw: Raw,
}

/// A reader that hashes every byte it passes on.
struct Hashing<R> {
    inner: R,
    hash: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

/// The count of lines of `path` that are not blank: the number of items an
/// NDJSON file has, and one more than a CSV file's (its header), unless
/// quoted fields span lines. Reads the file once, fast (for a progress
/// bar's length, not for anything exact).
pub fn count_lines(path: &Path) -> Result<u64, Error> {
    let file = open(path)?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut count = 0;
    let mut blank = true;
    loop {
        let buf = reader
            .fill_buf()
            .map_err(|e| Error::BadRequest(format!("cannot read {}: {e}", path.display())))?;
        if buf.is_empty() {
            break;
        }
        for &b in buf {
            match b {
                b'\n' => {
                    if !blank {
                        count += 1;
                    }
                    blank = true;
                }
                b' ' | b'\t' | b'\r' => {}
                _ => blank = false,
            }
        }
        let n = buf.len();
        reader.consume(n);
    }
    Ok(count + u64::from(!blank))
}

fn open(path: &Path) -> Result<std::fs::File, Error> {
    std::fs::File::open(path)
        .map_err(|e| Error::BadRequest(format!("cannot open the input {}: {e}", path.display())))
}

/// Read every item of `path`, handing those after line `skip_through` to
/// `send` (which returns false to stop early); returns the SHA-256 of the
/// whole file (hex) once it has been read to its end, or `None` if `send`
/// stopped it. Runs on the calling thread.
pub fn read_items(
    path: &Path,
    format: Format,
    skip_through: u64,
    mut send: impl FnMut(Item) -> bool,
) -> Result<Option<String>, Error> {
    let mut input = Hashing {
        inner: open(path)?,
        hash: Sha256::new(),
    };
    let unreadable =
        |e: std::io::Error| Error::BadRequest(format!("cannot read {}: {e}", path.display()));
    match format {
        Format::Ndjson => {
            let mut reader = BufReader::with_capacity(1 << 20, &mut input);
            let mut line = Vec::with_capacity(4096);
            let mut number = 0u64;
            loop {
                line.clear();
                if reader.read_until(b'\n', &mut line).map_err(unreadable)? == 0 {
                    break;
                }
                number += 1;
                if number <= skip_through || line.iter().all(|b| b.is_ascii_whitespace()) {
                    continue;
                }
                let raw = match std::str::from_utf8(&line) {
                    Ok(text) => Raw::Json(text.trim_end().to_string()),
                    Err(e) => Raw::Unreadable(format!("line {number} is not UTF-8: {e}")),
                };
                if !send(Item { number, raw }) {
                    return Ok(None);
                }
            }
            // Drain the buffer so that the hash covers the whole file.
            std::io::copy(&mut reader, &mut std::io::sink()).map_err(unreadable)?;
        }
        Format::Csv => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(true)
                .flexible(false)
                .buffer_capacity(1 << 20)
                .from_reader(&mut input);
            reader.headers().map_err(|e| {
                Error::BadRequest(format!("{}: no CSV header: {e}", path.display()))
            })?;
            let mut record = csv::StringRecord::new();
            loop {
                let number = reader.position().line();
                match reader.read_record(&mut record) {
                    Ok(false) => break,
                    Ok(true) => {
                        let number = record.position().map(|p| p.line()).unwrap_or(number);
                        if number <= skip_through
                            || (record.len() == 1 && record[0].trim().is_empty())
                        {
                            continue;
                        }
                        if !send(Item {
                            number,
                            raw: Raw::Csv(record.clone()),
                        }) {
                            return Ok(None);
                        }
                    }
                    Err(e) if e.is_io_error() => {
                        return Err(Error::BadRequest(format!(
                            "cannot read {}: {e}",
                            path.display()
                        )));
                    }
                    Err(e) => {
                        let number = e
                            .position()
                            .map(|p| p.line())
                            .unwrap_or(number.max(skip_through + 1));
                        if number > skip_through
                            && !send(Item {
                                number,
                                raw: Raw::Unreadable(format!("line {number}: {e}")),
                            })
                        {
                            return Ok(None);
                        }
                    }
                }
            }
            drop(reader);
            std::io::copy(&mut input, &mut std::io::sink()).map_err(unreadable)?;
        }
    }
    Ok(Some(hex::encode(input.hash.finalize())))
}

/// How a CSV file's columns map onto a request, checked against the
/// model's declaration before anything is scored.
///
/// Columns (by header name, any order):
/// - `subject_id` (required), `subject_kind` (required unless the model
///   scores one kind of subject), `as_of` (required);
/// - `base_score`, `base_grade` (required), `base_lists` (optional,
///   memberships separated by `;`), `base.<dimension>` (optional, one per
///   provincial dimension);
/// - one column per indicator the model declares, by its name; the cell is
///   typed by the declaration (a `flag` is `true`/`false`, `1`/`0` or
///   `yes`/`no`), and an empty cell means the subject has no such record;
/// - `<indicator>.observed_on` and `<indicator>.source` beside it, optional.
///
/// A model whose indicators repeat (one record per event) needs NDJSON.
#[derive(Debug, Clone)]
pub struct CsvColumns {
    subject_id: usize,
    subject_kind: Option<usize>,
    default_kind: Option<String>,
    as_of: usize,
    base_score: usize,
    base_grade: usize,
    base_lists: Option<usize>,
    dimensions: Vec<(String, usize)>,
    indicators: Vec<CsvIndicator>,
}

#[derive(Debug, Clone)]
struct CsvIndicator {
    name: String,
    kind: ValueKind,
    value: usize,
    observed_on: Option<usize>,
    source: Option<usize>,
}

impl CsvColumns {
    /// Map `header` for the model `info` declares. Errors name the missing
    /// or unknown column.
    pub fn new(header: &csv::StringRecord, info: &ModelInfo) -> Result<CsvColumns, Error> {
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, h) in header.iter().enumerate() {
            if index.insert(h.trim(), i).is_some() {
                return Err(Error::BadRequest(format!(
                    "CSV header: column '{h}' appears twice"
                )));
            }
        }
        let required = |name: &str| {
            index.get(name).copied().ok_or_else(|| {
                Error::BadRequest(format!("CSV header: the column '{name}' is missing"))
            })
        };
        let default_kind = match info.subject_kinds.as_slice() {
            [one] => Some(crate::contract::subject_kind_name(*one).to_string()),
            _ => None,
        };
        let subject_kind = index.get("subject_kind").copied();
        if subject_kind.is_none() && default_kind.is_none() {
            return Err(Error::BadRequest(format!(
                "CSV header: the column 'subject_kind' is missing ({} scores several kinds of subject)",
                info.name
            )));
        }
        let mut columns = CsvColumns {
            subject_id: required("subject_id")?,
            subject_kind,
            default_kind,
            as_of: required("as_of")?,
            base_score: required("base_score")?,
            base_grade: required("base_grade")?,
            base_lists: index.get("base_lists").copied(),
            dimensions: Vec::new(),
            indicators: Vec::new(),
        };
        let fixed = [
            "subject_id",
            "subject_kind",
            "as_of",
            "base_score",
            "base_grade",
            "base_lists",
        ];
        for (&name, &i) in &index {
            if fixed.contains(&name) {
                continue;
            }
            if let Some(dim) = name.strip_prefix("base.") {
                columns.dimensions.push((dim.to_string(), i));
                continue;
            }
            let (indicator, part) = match name.rsplit_once('.') {
                Some((n, p @ ("observed_on" | "source"))) => (n, Some(p)),
                _ => (name, None),
            };
            let Some(spec) = info.indicators.iter().find(|s| s.name == indicator) else {
                return Err(Error::BadRequest(format!(
                    "CSV header: column '{name}' is not an indicator of {} (it declares {})",
                    info.name,
                    info.indicators
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            };
            if part.is_some() {
                if !index.contains_key(indicator) {
                    return Err(Error::BadRequest(format!(
                        "CSV header: column '{name}' has no column '{indicator}' beside it"
                    )));
                }
                continue;
            }
            columns.indicators.push(CsvIndicator {
                name: spec.name.clone(),
                kind: spec.kind,
                value: i,
                observed_on: index
                    .get(format!("{indicator}.observed_on").as_str())
                    .copied(),
                source: index.get(format!("{indicator}.source").as_str()).copied(),
            });
        }
        Ok(columns)
    }

    /// The request in row `row` (line `line`). Errors name the line and
    /// the column.
    pub fn request(
        &self,
        row: &csv::StringRecord,
        line: u64,
        model: &str,
    ) -> Result<ScoreRequest, Error> {
        let cell = |i: usize| row.get(i).unwrap_or("").trim();
        let bad = |column: &str, why: String| {
            Error::BadRequest(format!("line {line}, column '{column}': {why}"))
        };
        let number = |column: &str, i: usize| {
            cell(i)
                .parse::<f64>()
                .map_err(|_| bad(column, format!("'{}' is not a number", cell(i))))
        };
        let kind = match (self.subject_kind, &self.default_kind) {
            (Some(i), _) if !cell(i).is_empty() => cell(i).to_string(),
            (_, Some(k)) => k.clone(),
            (Some(_), None) => return Err(bad("subject_kind", "empty".into())),
            (None, None) => unreachable!("checked when the header was read"),
        };
        let mut dimensions = BTreeMap::new();
        for (name, i) in &self.dimensions {
            if !cell(*i).is_empty() {
                dimensions.insert(name.clone(), number(&format!("base.{name}"), *i)?);
            }
        }
        let lists = self
            .base_lists
            .map(|i| {
                cell(i)
                    .split(';')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default();
        let mut indicators = Vec::with_capacity(self.indicators.len());
        for ind in &self.indicators {
            let text = cell(ind.value);
            if text.is_empty() {
                continue;
            }
            let value = match ind.kind {
                ValueKind::Number => serde_json::Value::from(number(&ind.name, ind.value)?),
                ValueKind::Flag => match text.to_ascii_lowercase().as_str() {
                    "true" | "1" | "yes" => true.into(),
                    "false" | "0" | "no" => false.into(),
                    _ => {
                        return Err(bad(
                            &ind.name,
                            format!("'{text}' is not a flag (true/false, 1/0, yes/no)"),
                        ));
                    }
                },
                ValueKind::Text | ValueKind::Date => text.into(),
            };
            let optional =
                |i: Option<usize>| i.map(|i| cell(i).to_string()).filter(|s| !s.is_empty());
            indicators.push(WireIndicator {
                name: ind.name.clone(),
                value,
                observed_on: optional(ind.observed_on),
                source: optional(ind.source),
            });
        }
        if cell(self.subject_id).is_empty() {
            return Err(bad("subject_id", "empty".into()));
        }
        Ok(ScoreRequest {
            model: Some(model.to_string()),
            subject: WireSubject {
                id: cell(self.subject_id).to_string(),
                kind,
            },
            as_of: cell(self.as_of).to_string(),
            base: WireBase {
                score: number("base_score", self.base_score)?,
                grade: cell(self.base_grade).to_string(),
                dimensions,
                lists,
            },
            indicators,
            withheld: Vec::new(),
            from_store: false,
        })
    }
}

/// The header row of the CSV file at `path`.
pub fn csv_header(path: &Path) -> Result<csv::StringRecord, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(open(path)?);
    reader
        .headers()
        .cloned()
        .map_err(|e| Error::BadRequest(format!("{}: no CSV header: {e}", path.display())))
}

/// Turns raw items into wire requests for one model.
pub struct Decoder {
    model: String,
    csv: Option<CsvColumns>,
}

impl Decoder {
    /// A decoder for `model`'s requests; `csv` when the input is CSV.
    pub fn new(model: &str, csv: Option<CsvColumns>) -> Decoder {
        Decoder {
            model: model.to_string(),
            csv,
        }
    }

    /// The request item `number` holds. An NDJSON line without a `model`
    /// is for the batch's model. Errors: the line is not a request.
    pub fn decode(&self, number: u64, raw: &Raw) -> Result<ScoreRequest, Error> {
        match (raw, &self.csv) {
            (Raw::Json(text), _) => {
                let mut req: ScoreRequest = serde_json::from_str(text)
                    .map_err(|e| Error::BadRequest(format!("line {number}: {e}")))?;
                req.model.get_or_insert_with(|| self.model.clone());
                Ok(req)
            }
            (Raw::Csv(row), Some(columns)) => columns.request(row, number, &self.model),
            (Raw::Csv(_), None) => Err(Error::Internal("a CSV row without its header".into())),
            (Raw::Unreadable(why), _) => Err(Error::BadRequest(why.clone())),
        }
    }
}
