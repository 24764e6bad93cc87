//! Which recorded evaluations an impact analysis replays: those of the
//! pinned version's module, newest first, the latest one per subject,
//! within a date range and up to a number of subjects — read from the log
//! one page at a time, so that memory stays bounded by a page however
//! long the log is.

use std::collections::HashSet;

use scorehost_registry::{EvaluationPage, Registry};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Error;
use crate::wire::ScoreRequest;

/// Records read from the log per query. 500: a page of inputs is about
/// 1 MB, and a page is one query (milliseconds).
const PAGE: u32 = 500;

/// Examples kept of skipped records (the counts are always complete).
const SKIPPED_EXAMPLES: usize = 20;

/// What the pinned version recorded for a subject: its white box (in
/// hundredths), or its error.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Recorded {
    /// Scored.
    Scored {
        /// Score, hundredths.
        score: i64,
        /// Grade.
        grade: String,
        /// Contributions by name, hundredths, in the model's order.
        contributions: Vec<(String, i64)>,
    },
    /// Refused or faulted.
    Failed {
        /// The error code (`model_rejected`, `plugin_fault`, `bad_request`…).
        code: String,
        /// The message recorded.
        message: String,
    },
}

/// One subject to compare: its latest recorded evaluation, and either the
/// input to replay through the candidate or what the candidate already
/// answered as a shadow.
#[derive(Debug, Clone)]
pub(crate) struct Selected {
    /// The (live) record's id.
    pub evaluation_id: String,
    /// The subject's id.
    pub subject: String,
    /// What the pinned version gave.
    pub recorded: Recorded,
    /// The input as the plugin saw it, to replay.
    pub input: Option<ScoreRequest>,
    /// What the candidate answered as the shadow of that evaluation (the
    /// shadow record's outcome and `fault`), instead of a replay.
    pub shadow: Option<(Recorded, Option<String>)>,
}

/// Records left out of the replay, with why.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skipped {
    /// Subjects whose latest record's input was erased (its retention
    /// period was over): the record still verifies, but there is nothing
    /// to replay. An older record of the same subject is not used instead:
    /// it would not be the subject as the pinned version last saw them.
    pub erased: u64,
    /// Subjects whose latest record could not be read back: an input that
    /// does not match its commitment, or a record without an outcome.
    pub undecodable: u64,
    /// Some of them: `{ evaluation_id, subject, reason }`.
    pub examples: Vec<SkippedRecord>,
}

/// One skipped record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkippedRecord {
    /// The record's id.
    pub evaluation_id: String,
    /// The subject, when the record names one.
    pub subject: String,
    /// Why it was skipped.
    pub reason: String,
}

/// Reads the selection page by page.
pub(crate) struct Selector<'a> {
    registry: &'a Registry,
    sha256: String,
    from: Option<String>,
    until: Option<String>,
    /// Subjects still to select.
    remaining: u64,
    before_seq: Option<u64>,
    seen: HashSet<String>,
    done: bool,
    /// Read the candidate's shadow records (`sha256` is the candidate's)
    /// instead of the pinned version's records.
    shadows: bool,
    /// Evaluation records read (every record of the module, older ones of
    /// a subject already selected included).
    pub records_read: u64,
    /// What was skipped.
    pub skipped: Skipped,
    /// Whether the limit stopped the selection before the records ran out.
    pub truncated: bool,
}

impl<'a> Selector<'a> {
    /// The latest record of at most `subjects` subjects among the records
    /// of module `sha256` stamped in `[from, until)` (RFC 3339 instants).
    pub(crate) fn new(
        registry: &'a Registry,
        sha256: &str,
        from: Option<String>,
        until: Option<String>,
        subjects: u64,
    ) -> Selector<'a> {
        Selector::of(registry, sha256, from, until, subjects, false)
    }

    /// The latest shadow record of at most `subjects` subjects among the
    /// shadow evaluations of the candidate module `sha256`, each with the
    /// live evaluation it shadowed.
    pub(crate) fn shadows(
        registry: &'a Registry,
        sha256: &str,
        from: Option<String>,
        until: Option<String>,
        subjects: u64,
    ) -> Selector<'a> {
        Selector::of(registry, sha256, from, until, subjects, true)
    }

    fn of(
        registry: &'a Registry,
        sha256: &str,
        from: Option<String>,
        until: Option<String>,
        subjects: u64,
        shadows: bool,
    ) -> Selector<'a> {
        Selector {
            registry,
            sha256: sha256.to_string(),
            from,
            until,
            remaining: subjects,
            before_seq: None,
            seen: HashSet::new(),
            done: subjects == 0,
            shadows,
            records_read: 0,
            skipped: Skipped::default(),
            truncated: false,
        }
    }

    /// The next subjects to replay (empty once the selection is complete).
    pub(crate) async fn next_page(&mut self) -> Result<Vec<Selected>, Error> {
        let mut out = Vec::new();
        while !self.done && out.is_empty() {
            let page = self
                .registry
                .evaluations_of_module(
                    &self.sha256,
                    &EvaluationPage {
                        from: self.from.as_deref(),
                        until: self.until.as_deref(),
                        before_seq: self.before_seq,
                        limit: PAGE,
                    },
                )
                .await?;
            if page.len() < PAGE as usize {
                self.done = true;
            }
            for rec in page {
                self.before_seq = Some(rec.entry.seq);
                if self.remaining == 0 {
                    // One more record of a new subject exists: say the
                    // selection was cut.
                    let record = opened(&rec).unwrap_or_default();
                    let subject = record["subject"]["id"].as_str().unwrap_or_default();
                    if !self.seen.contains(subject) && (record["shadow"] == true) == self.shadows {
                        self.truncated = true;
                        self.done = true;
                        break;
                    }
                    continue;
                }
                self.records_read += 1;
                let taken = if self.shadows {
                    self.take_shadow(rec).await?
                } else {
                    self.take(rec)
                };
                if let Some(s) = taken {
                    out.push(s);
                }
            }
        }
        Ok(out)
    }

    /// The record, if it is its subject's latest and can be replayed.
    fn take(&mut self, rec: scorehost_registry::RecordedEvaluation) -> Option<Selected> {
        let id = rec.entry.id.clone();
        let Some(record) = opened(&rec) else {
            self.skip(id, String::new(), "the record is not JSON", false);
            return None;
        };
        if record["shadow"] == true {
            // A shadow evaluation ran another module; it is not the pinned
            // version's answer (and its hash matched only by accident).
            return None;
        }
        if record.get("subject").is_none() {
            // Erased: it names nobody (so it is nobody's latest), and its
            // input is gone.
            let at = record["erased_at"].as_str().unwrap_or("?").to_string();
            self.skip(
                id,
                String::new(),
                &format!("its personal part and input were erased on {at}"),
                true,
            );
            return None;
        }
        let subject = record["subject"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !self.seen.insert(subject.clone()) {
            return None;
        }
        self.remaining -= 1;
        let input = match crate::audit::kept_input(rec.entry.seq, &record, rec.input.as_ref()) {
            Ok((Some(input), _)) => input,
            Ok((None, Some(at))) => {
                self.skip(id, subject, &format!("its input was erased on {at}"), true);
                return None;
            }
            Ok((None, None)) => {
                self.skip(id, subject, "no input was kept", false);
                return None;
            }
            Err(e) => {
                self.skip(id, subject, &e.to_string(), false);
                return None;
            }
        };
        let Some(recorded) = recorded_outcome(&record["outcome"]) else {
            self.skip(id, subject, "the record has no readable outcome", false);
            return None;
        };
        Some(Selected {
            evaluation_id: id,
            subject,
            recorded,
            input: Some(input),
            shadow: None,
        })
    }

    /// A shadow record, if it is its subject's latest, with the live
    /// evaluation it shadowed (read from the log).
    async fn take_shadow(
        &mut self,
        rec: scorehost_registry::RecordedEvaluation,
    ) -> Result<Option<Selected>, Error> {
        let id = rec.entry.id.clone();
        let Some(record) = opened(&rec) else {
            self.skip(id, String::new(), "the record is not JSON", false);
            return Ok(None);
        };
        if record.get("subject").is_none() {
            return Ok(None);
        }
        if record["shadow"] != true {
            // A live evaluation of the candidate (it was pinned once).
            return Ok(None);
        }
        let subject = record["subject"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !self.seen.insert(subject.clone()) {
            return Ok(None);
        }
        self.remaining -= 1;
        let live_id = record["shadow_of"].as_str().unwrap_or_default();
        let live = match crate::audit::show(self.registry, live_id).await {
            Ok(shown) => Some(shown.record),
            Err(Error::Registry(
                scorehost_registry::Error::NotFound(_) | scorehost_registry::Error::BadRequest(_),
            )) => None,
            Err(e) => return Err(e),
        };
        let (Some(live), Some(shadow)) = (
            live.as_ref().and_then(|l| recorded_outcome(&l["outcome"])),
            recorded_outcome(&record["outcome"]),
        ) else {
            self.skip(
                id,
                subject,
                "the shadow record or its live evaluation has no readable outcome",
                false,
            );
            return Ok(None);
        };
        let fault = record["outcome"]["error"]["fault"]
            .as_str()
            .map(str::to_string);
        Ok(Some(Selected {
            evaluation_id: live_id.to_string(),
            subject,
            recorded: live,
            input: None,
            shadow: Some((shadow, fault)),
        }))
    }

    fn skip(&mut self, evaluation_id: String, subject: String, reason: &str, erased: bool) {
        if erased {
            self.skipped.erased += 1;
        } else {
            self.skipped.undecodable += 1;
        }
        if self.skipped.examples.len() < SKIPPED_EXAMPLES {
            self.skipped.examples.push(SkippedRecord {
                evaluation_id,
                subject,
                reason: reason.to_string(),
            });
        }
    }
}

/// A record's `outcome` (as `audit::RecordedOutcome` wrote it), in
/// hundredths.
fn recorded_outcome(o: &Value) -> Option<Recorded> {
    if let Some(e) = o.get("error") {
        return Some(Recorded::Failed {
            code: e["code"].as_str()?.to_string(),
            message: e["message"].as_str().unwrap_or_default().to_string(),
        });
    }
    let points = |v: &Value| v.as_f64().and_then(|p| crate::points::from_decimal(p).ok());
    let contributions = match o.get("contributions") {
        Some(cs) => cs
            .as_array()?
            .iter()
            .map(|c| Some((c["name"].as_str()?.to_string(), points(&c["points"])?)))
            .collect::<Option<Vec<_>>>()?,
        None => Vec::new(),
    };
    Some(Recorded::Scored {
        score: points(&o["score"])?,
        grade: o["grade"].as_str().unwrap_or_default().to_string(),
        contributions,
    })
}

/// A recorded evaluation as one JSON object, with its personal part
/// ([`scorehost_registry::open_record`]); `None` if it does not parse or
/// its kept part does not match the leaf.
fn opened(rec: &scorehost_registry::RecordedEvaluation) -> Option<Value> {
    scorehost_registry::open_record(&rec.entry.record, rec.personal.as_ref()).ok()
}
