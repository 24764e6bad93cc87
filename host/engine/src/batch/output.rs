//! A batch's results: one NDJSON line per item, in input order, each with
//! the id of its audit record (where the whole white box is).
//!
//! ```text
//! {"item":2,"subject":"91330200MA2A00001X","evaluation_id":"17-9f3c…","score":812.5,"grade":"B","reasons":["…"]}
//! {"item":3,"subject":"91330200MA2A00002X","evaluation_id":"18-0b1d…","error":{"code":"model_rejected","message":"…"}}
//! ```
//!
//! The same line is built from a fresh evaluation or, when a killed run is
//! resumed, from the evaluation's record in the log: a resumed run's
//! output is the one an uninterrupted run would have written.

use std::io::{BufRead, BufReader, Seek, Write};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Error;
use crate::wire::EvaluationResponse;

/// One item's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResultLine {
    /// The item's number: the input line it starts on.
    pub item: u64,
    /// The subject's id, when the item could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// The audit record's id (absent for an item that was not even a
    /// request, and in runs without a log).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation_id: Option<String>,
    /// The score, decimal points.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    /// The grade.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grade: Option<String>,
    /// Principal reasons, most important first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<String>,
    /// Why there is no score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<LineError>,
}

/// Why an item has no score: a stable code and a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineError {
    /// As [`Error::code`]: `bad_request`, `model_rejected`, `plugin_fault`, …
    pub code: String,
    /// What went wrong, naming the line or the indicator.
    pub message: String,
}

impl ResultLine {
    /// The line of a scored item.
    pub fn scored(item: u64, response: EvaluationResponse) -> ResultLine {
        ResultLine {
            item,
            subject: Some(response.subject.id),
            evaluation_id: response.evaluation_id,
            score: Some(response.score),
            grade: Some(response.grade),
            reasons: response.reasons,
            error: None,
        }
    }

    /// The line of an item that failed.
    pub fn failed(
        item: u64,
        subject: Option<String>,
        evaluation_id: Option<String>,
        error: &Error,
    ) -> ResultLine {
        ResultLine {
            item,
            subject,
            evaluation_id,
            score: None,
            grade: None,
            reasons: Vec::new(),
            error: Some(LineError {
                code: error.code().to_string(),
                message: error.to_string(),
            }),
        }
    }

    /// The line of item `item` from its evaluation record `v` (opened with
    /// its personal part: [`scorehost_registry::open_record`]), whose id is
    /// `id`.
    pub fn from_record(item: u64, id: &str, v: &serde_json::Value) -> Result<ResultLine, Error> {
        let bad = |why: &str| Error::Internal(format!("record {id} of batch item {item}: {why}"));
        if let Some(at) = v["erased_at"].as_str() {
            // Erased with its person while the run was paused: the line
            // says so and names nobody.
            return Ok(ResultLine {
                item,
                subject: None,
                evaluation_id: Some(id.to_string()),
                score: None,
                grade: None,
                reasons: Vec::new(),
                error: Some(LineError {
                    code: "erased".into(),
                    message: format!("the record of this item was erased on {at}"),
                }),
            });
        }
        let outcome = &v["outcome"];
        let text = |v: &serde_json::Value| v.as_str().map(String::from);
        let mut line = ResultLine {
            item,
            subject: text(&v["subject"]["id"]),
            evaluation_id: Some(id.to_string()),
            score: None,
            grade: None,
            reasons: Vec::new(),
            error: None,
        };
        if let Some(error) = outcome.get("error") {
            line.error = Some(LineError {
                code: text(&error["code"]).ok_or_else(|| bad("no error code"))?,
                message: text(&error["message"]).unwrap_or_default(),
            });
        } else {
            line.score = Some(outcome["score"].as_f64().ok_or_else(|| bad("no score"))?);
            line.grade = text(&outcome["grade"]);
            line.reasons = outcome["reasons"]
                .as_array()
                .map(|r| r.iter().filter_map(text).collect())
                .unwrap_or_default();
        }
        Ok(line)
    }
}

/// What an earlier, interrupted run left in the output file.
#[derive(Debug, Default)]
pub struct Existing {
    /// Its complete lines, in order.
    pub lines: Vec<ResultLine>,
    /// Bytes cut off the end: a line the kill interrupted.
    pub truncated_bytes: u64,
}

impl Existing {
    /// The last item written, 0 if none.
    pub fn last_item(&self) -> u64 {
        self.lines.last().map(|l| l.item).unwrap_or(0)
    }
}

/// Read what an earlier run of the same batch wrote to `path` and cut off
/// anything after the last complete, valid line (a SIGKILL can leave half
/// a line). The lines must be results in strictly increasing item order.
/// A missing file is an empty one.
pub fn take_over(path: &Path) -> Result<Existing, Error> {
    let io = |e: std::io::Error| Error::BadRequest(format!("output {}: {e}", path.display()));
    let mut file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
    {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Existing::default()),
        Err(e) => return Err(io(e)),
    };
    let len = file.metadata().map_err(io)?.len();
    let mut reader = BufReader::with_capacity(1 << 20, &mut file);
    let mut existing = Existing::default();
    let mut good = 0u64;
    let mut buf = String::new();
    loop {
        buf.clear();
        let n = match reader.read_line(&mut buf) {
            Ok(n) => n,
            Err(_) => break,
        };
        if n == 0 || !buf.ends_with('\n') {
            break;
        }
        match serde_json::from_str::<ResultLine>(&buf) {
            Ok(line) if line.item > existing.last_item() => existing.lines.push(line),
            _ => break,
        }
        good += n as u64;
    }
    drop(reader);
    if good < len {
        file.set_len(good).map_err(io)?;
        existing.truncated_bytes = len - good;
    }
    file.seek(std::io::SeekFrom::End(0)).map_err(io)?;
    Ok(existing)
}

/// Append `line` as one NDJSON line.
pub fn write_line(out: &mut impl Write, line: &ResultLine) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, line)?;
    out.write_all(b"\n")
}
