//! Batch scoring: a file of subjects (NDJSON or CSV) scored with one model
//! version on all cores, every subject in a fresh sandbox, every evaluation
//! in the audit log, the results written in input order — and a run killed
//! at any moment resumes exactly.
//!
//! ## How a run goes
//! - A reader thread streams the input (hashing it as it goes) and hands
//!   out raw items; decoding and consent run on the async runtime, the
//!   evaluations on the run's own threads at a lower CPU priority than
//!   online scoring ([`pool`]), [`IN_FLIGHT`] items at a time; a writer
//!   thread puts the results back in input order and appends them to the
//!   output file.
//! - With a log, each item's record goes through the process's
//!   [`AuditWriter`] (group commit: hundreds of records share one
//!   transaction and one fsync), and the record's transaction also stores
//!   the item's number for the run (`batch_items`).
//!
//! ## Resuming exactly
//! The output file is written in input order, so what a killed run left is
//! a prefix of it (the tail of an interrupted line is cut off). The items
//! after that prefix that have a record in the log — scored, recorded, not
//! yet written — are answered from their records; only the rest are
//! scored. So no subject is scored twice, none is missed, and the resumed
//! output is line for line what an uninterrupted run would have written
//! (evaluation ids included).

mod input;
mod output;
pub mod pool;
mod summary;

use std::collections::BTreeMap;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

use scorehost_registry::Registry;

pub use input::{CsvColumns, Decoder, Format, Item, Raw, count_lines, csv_header, read_items};
pub use output::{Existing, LineError, ResultLine, take_over, write_line};
pub use summary::Summary;

use crate::Error;
use crate::audit::{AuditWriter, BatchItem};
use crate::scoring::{Failed, finish, prepare};
use crate::wire::ScoreRequest;
use scorehost_runtime::Scorer;

/// Items scored at once. Enough that the log writer always finds a full
/// group (up to 256 records) waiting while it commits the previous one, and
/// every core an item to evaluate; few enough that the reorder buffer and
/// the pending records stay small (about 1,024 × 2 KiB).
pub const IN_FLIGHT: usize = 1024;

/// Items per scoring task and per message between the threads: one task,
/// one channel send and one writer wake-up per 32 items instead of per item
/// (a wake-up costs a context switch, about as much as an evaluation),
/// while 32 tasks still keep [`IN_FLIGHT`] items and every core busy.
pub const CHUNK: usize = 32;

/// Where a run's records go.
#[derive(Clone)]
pub struct Log {
    /// The process's log writer.
    pub writer: AuditWriter,
    /// The registry the log is in (read when resuming).
    pub registry: Arc<Registry>,
}

/// One batch run.
pub struct Job {
    /// The run's id (see [`batch_id`]).
    pub id: String,
    /// What scores: the sandboxed model (or, in benchmarks, a native one).
    pub scorer: Arc<dyn Scorer>,
    /// Who runs it, as recorded with each evaluation.
    pub caller: String,
    /// The log. `None` only for measuring what the log costs: a run
    /// without it cannot resume exactly and leaves no record.
    pub log: Option<Log>,
    /// When an app runs the batch: natural persons are scored only with
    /// their standing consent for this app (others fail with
    /// `consent_required`, unrecorded, as `POST /v1/scores` does).
    pub consent_app: Option<String>,
    /// The input file.
    pub input: PathBuf,
    /// Its format.
    pub format: Format,
    /// The output file (NDJSON).
    pub output: PathBuf,
}

/// A run's progress, shared with whoever shows it (a progress bar, the
/// HTTP API). Counters only grow.
#[derive(Debug, Default)]
pub struct Progress {
    /// Items in the input (an estimate until the input has been read).
    pub total: AtomicU64,
    /// Items with their result written.
    pub done: AtomicU64,
    /// Of those, items without a score.
    pub failed: AtomicU64,
    /// Set to stop the run early (it can be resumed later).
    pub cancel: AtomicBool,
}

/// A finished run.
#[derive(Debug)]
pub struct Finished {
    /// The summary over every item (earlier runs' included).
    pub summary: Summary,
    /// SHA-256 of the input, hex.
    pub input_sha256: String,
}

/// A run's id: 16 hex digits of a hash of what identifies it — the model,
/// where the input is and what it is (path, size, modification time), where
/// the output goes, and `salt` (empty unless a fresh run of the same
/// arguments is wanted). Running the same command again finds the same run.
pub fn batch_id(model: &str, input: &str, input_stamp: &str, output: &str, salt: &str) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in ["scorehost-batch/1", model, input, input_stamp, output, salt] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(&h.finalize()[..8])
}

/// Everything a scoring task needs, shared.
struct Shared {
    id: String,
    scorer: Arc<dyn Scorer>,
    decoder: Decoder,
    caller: String,
    log: Option<Log>,
    consent_app: Option<String>,
}

/// Run `job` to its end (or until `progress.cancel` is set), resuming what
/// an earlier run of the same id left. Decoding and consent run on the
/// calling tokio runtime, the evaluations on the run's own low-priority
/// threads ([`pool`]), one per core.
///
/// Errors: an input or output that cannot be read or written, a CSV
/// header that does not fit the model, and a record that cannot be stored
/// (the run stops; everything written so far stays valid and resumable).
/// A bad item is not an error: its result line says what is wrong.
pub async fn run(job: Job, progress: Arc<Progress>) -> Result<Finished, Error> {
    let started = Instant::now();
    let info = job.scorer.info().clone();
    let mut summary = Summary::new(&job.id, &info);

    // What an earlier run left: its output, then its records in the log.
    let output = job.output.clone();
    let existing = blocking(move || take_over(&output)).await?;
    for line in &existing.lines {
        summary.add(line);
        if line.error.is_some() {
            progress.failed.fetch_add(1, Ordering::Relaxed);
        }
    }
    let last = existing.last_item();
    progress
        .done
        .store(existing.lines.len() as u64, Ordering::Relaxed);
    drop(existing);
    let mut from_log: BTreeMap<u64, ResultLine> = BTreeMap::new();
    if let Some(log) = &job.log {
        for (item, id, record) in log.registry.batch_records_from(&job.id, last + 1).await? {
            from_log.insert(item, ResultLine::from_record(item, &id, &record)?);
        }
    }

    let csv = match job.format {
        Format::Csv => Some(CsvColumns::new(&csv_header(&job.input)?, &info)?),
        Format::Ndjson => None,
    };
    let counted = {
        let input = job.input.clone();
        blocking(move || count_lines(&input)).await?
    };
    let header = u64::from(job.format == Format::Csv);
    progress
        .total
        .store(counted.saturating_sub(header), Ordering::Relaxed);

    let shared = Arc::new(Shared {
        id: job.id.clone(),
        scorer: job.scorer.clone(),
        decoder: Decoder::new(&info.name, csv),
        caller: job.caller.clone(),
        log: job.log.clone(),
        consent_app: job.consent_app.clone(),
    });

    // The reader: a thread of its own, ahead of the scorers.
    let (items_tx, mut items_rx) = tokio::sync::mpsc::channel::<Vec<Item>>(4 * IN_FLIGHT / CHUNK);
    let reader = {
        let (input, format) = (job.input.clone(), job.format);
        std::thread::Builder::new()
            .name("scorehost-batch-read".into())
            .spawn(move || -> Result<Option<String>, Error> {
                let mut chunk = Vec::with_capacity(CHUNK);
                let read = read_items(&input, format, last, |item| {
                    chunk.push(item);
                    chunk.len() < CHUNK
                        || items_tx
                            .blocking_send(std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK)))
                            .is_ok()
                })?;
                if read.is_some() && !chunk.is_empty() && items_tx.blocking_send(chunk).is_err() {
                    return Ok(None);
                }
                Ok(read)
            })
            .map_err(|e| Error::Internal(format!("cannot start the batch reader: {e}")))?
    };

    // The writer: results back in input order, into the output file.
    let (results_tx, results_rx) = std::sync::mpsc::channel::<Done>();
    let fatal = Arc::new(AtomicBool::new(false));
    let writer = {
        let output = job.output.clone();
        let progress = progress.clone();
        let fatal = fatal.clone();
        std::thread::Builder::new()
            .name("scorehost-batch-write".into())
            .spawn(move || write_in_order(&output, results_rx, summary, &progress, &fatal))
            .map_err(|e| Error::Internal(format!("cannot start the batch writer: {e}")))?
    };

    let pool = Arc::new(pool::Pool::new(
        std::thread::available_parallelism().map_or(2, |n| n.get()),
    )?);
    let permits = Arc::new(tokio::sync::Semaphore::new(IN_FLIGHT));
    let mut position = 0u64;
    while let Some(chunk) = items_rx.recv().await {
        if fatal.load(Ordering::Relaxed) || progress.cancel.load(Ordering::Relaxed) {
            break;
        }
        let mut to_score = Vec::with_capacity(chunk.len());
        let mut logged = Vec::new();
        for item in chunk {
            let at = position;
            position += 1;
            match from_log.remove(&item.number) {
                Some(line) => logged.push((at, Ok(line))),
                None => to_score.push((at, item)),
            }
        }
        if !logged.is_empty() {
            let _ = results_tx.send(Done {
                logged: true,
                lines: logged,
            });
        }
        if to_score.is_empty() {
            continue;
        }
        let permit = permits
            .clone()
            .acquire_many_owned(to_score.len() as u32)
            .await
            .map_err(|_| Error::Internal("the batch's scorers stopped".into()))?;
        let (shared, results, pool) = (shared.clone(), results_tx.clone(), pool.clone());
        tokio::spawn(async move {
            let lines = score_chunk(shared, &pool, to_score).await;
            let _ = results.send(Done {
                logged: false,
                lines,
            });
            drop(permit);
        });
    }
    drop(items_rx);
    // Every scoring task has given its permit back: all results are sent.
    let _all = permits
        .acquire_many(IN_FLIGHT as u32)
        .await
        .map_err(|_| Error::Internal("the batch's scorers stopped".into()))?;
    drop(results_tx);
    let (mut summary, stored_error) = writer
        .join()
        .map_err(|_| Error::Internal("the batch writer panicked".into()))??;
    let read = reader
        .join()
        .map_err(|_| Error::Internal("the batch reader panicked".into()))?;
    if let Some(e) = stored_error {
        return Err(e);
    }
    let input_sha256 = read?;
    summary.seconds = started.elapsed().as_secs_f64();
    match input_sha256 {
        Some(sha) => {
            progress.total.store(summary.items, Ordering::Relaxed);
            Ok(Finished {
                summary,
                input_sha256: sha,
            })
        }
        None => Err(Error::Internal(format!(
            "batch {} stopped after {} of its items; run it again to resume",
            job.id, summary.items
        ))),
    }
}

/// Results for the writer, each at its position in the run.
struct Done {
    /// Scored by an earlier run, answered from their records.
    logged: bool,
    /// (position, line); `Err` for a record that could not be stored: the
    /// run stops there.
    lines: Vec<(u64, Result<ResultLine, Error>)>,
}

/// The writer thread: reorder, write, count.
fn write_in_order(
    path: &std::path::Path,
    results: std::sync::mpsc::Receiver<Done>,
    mut summary: Summary,
    progress: &Progress,
    fatal: &AtomicBool,
) -> Result<(Summary, Option<Error>), Error> {
    use std::io::Write as _;
    // Any failure to write stops the run's scoring too: nothing is scored
    // that could not be written (it would only be answered from the log
    // on the next run).
    let io = |e: std::io::Error| {
        fatal.store(true, Ordering::Relaxed);
        Error::Internal(format!("output {}: {e}", path.display()))
    };
    // Never through a symbolic link put in the results' place.
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(io)?;
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let mut pending: BTreeMap<u64, (ResultLine, bool)> = BTreeMap::new();
    let mut next = 0u64;
    let mut stored_error = None;
    for done in results {
        for (at, line) in done.lines {
            match line {
                Ok(line) => {
                    pending.insert(at, (line, done.logged));
                }
                Err(e) => {
                    // Nothing after this point is written: the output stays
                    // a prefix, and a resumed run takes over from it.
                    fatal.store(true, Ordering::Relaxed);
                    stored_error.get_or_insert(e);
                }
            }
        }
        while stored_error.is_none()
            && let Some((line, logged)) = pending.remove(&next)
        {
            write_line(&mut out, &line).map_err(io)?;
            summary.add(&line);
            if logged {
                summary.from_log += 1;
            } else {
                summary.scored_now += 1;
            }
            if line.error.is_some() {
                progress.failed.fetch_add(1, Ordering::Relaxed);
            }
            progress.done.fetch_add(1, Ordering::Relaxed);
            next += 1;
        }
    }
    out.flush().map_err(io)?;
    out.get_ref().sync_all().map_err(io)?;
    Ok((summary, stored_error))
}

/// Score a chunk of items: decode each and check consent (here), evaluate
/// each in a fresh sandbox and build its record (on the run's [`pool`]);
/// then append all the records at once (they share group commits) and
/// answer. A line is `Err` only when its record could not be stored.
async fn score_chunk(
    shared: Arc<Shared>,
    pool: &pool::Pool,
    items: Vec<(u64, Item)>,
) -> Vec<(u64, Result<ResultLine, Error>)> {
    let mut lines = Vec::with_capacity(items.len());
    let mut admitted = Vec::with_capacity(items.len());
    for (at, item) in items {
        match admit(&shared, &item).await {
            Ok(request) => admitted.push((at, item.number, request)),
            Err(line) => lines.push((at, line)),
        }
    }
    let positions: Vec<u64> = admitted.iter().map(|(at, _, _)| *at).collect();
    let evaluating = shared.clone();
    let evaluated = pool
        .run(move || {
            admitted
                .into_iter()
                .map(|(at, n, request)| evaluate(&evaluating, at, n, &request))
                .collect::<Vec<_>>()
        })
        .await;
    let evaluated = match evaluated {
        Ok(e) => e,
        Err(e) => {
            // The pool is gone: no item of the chunk is scored, and the run
            // stops there.
            let why = e.to_string();
            lines.extend(
                positions
                    .into_iter()
                    .map(|at| (at, Err(Error::Internal(why.clone())))),
            );
            return lines;
        }
    };
    let mut records = Vec::with_capacity(evaluated.len());
    let mut waiting = Vec::with_capacity(evaluated.len());
    for e in evaluated {
        match e {
            Evaluated::Line(at, line) => lines.push((at, line)),
            Evaluated::Prepared(at, n, subject, prepared) => {
                let prepared = *prepared;
                records.push(prepared.record);
                waiting.push((at, n, subject, prepared.outcome));
            }
        }
    }
    if let Some(log) = &shared.log {
        let recorded = log.writer.append_all(records).await;
        for ((at, n, subject, outcome), recorded) in waiting.into_iter().zip(recorded) {
            let line = recorded.map(|r| match finish(outcome, r.id) {
                Ok(response) => ResultLine::scored(n, response),
                Err(Failed {
                    error,
                    evaluation_id,
                }) => ResultLine::failed(n, subject, evaluation_id, &error),
            });
            lines.push((at, line));
        }
    }
    lines
}

/// One item after its evaluation: its line, or (with a log) what is
/// prepared to be recorded.
enum Evaluated {
    Line(u64, Result<ResultLine, Error>),
    Prepared(u64, u64, Option<String>, Box<crate::scoring::Prepared>),
}

/// Evaluate one admitted item (on a pool thread).
fn evaluate(shared: &Shared, at: u64, n: u64, request: &ScoreRequest) -> Evaluated {
    let subject = Some(request.subject.id.clone());
    let scorer = &*shared.scorer;
    if shared.log.is_none() {
        // Without a log: the same pipeline, minus the record.
        let result = request
            .convert(scorer.info())
            .and_then(|req| scorer.evaluate(&req).map(|o| (req, o)));
        return Evaluated::Line(
            at,
            Ok(match result {
                Ok((req, outcome)) => ResultLine::scored(n, scorer.response(&req, &outcome)),
                Err(e) => ResultLine::failed(n, subject, None, &e.into()),
            }),
        );
    }
    let batch = Some(BatchItem {
        id: &shared.id,
        item: n,
    });
    match prepare(scorer, request, &shared.caller, batch) {
        Ok(p) => Evaluated::Prepared(at, n, subject, Box::new(p)),
        Err(e) => Evaluated::Line(at, Err(e)),
    }
}

/// Decode an item and check consent: the request to score, or the line
/// that says why it is not scored (unrecorded, like a malformed
/// `POST /v1/scores`).
async fn admit(shared: &Shared, item: &Item) -> Result<ScoreRequest, Result<ResultLine, Error>> {
    let n = item.number;
    let request = shared
        .decoder
        .decode(n, &item.raw)
        .map_err(|e| Ok(ResultLine::failed(n, None, None, &e)))?;
    if let (Some(app), Some(log)) = (&shared.consent_app, &shared.log) {
        // Who is a person is decided as for `POST /v1/scores`: by the id's
        // format, the claimed kind, or the store (crate::consent).
        match crate::consent::admit_inline(
            &log.registry,
            app,
            shared.scorer.info(),
            &request.subject.id,
            &request.subject.kind,
        )
        .await
        {
            Ok(()) => {}
            Err(e @ Error::Registry(scorehost_registry::Error::ConsentRequired(_))) => {
                let subject = Some(request.subject.id.clone());
                return Err(Ok(ResultLine::failed(n, subject, None, &e)));
            }
            Err(e) => return Err(Err(e)),
        }
    }
    Ok(request)
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> Result<T, Error> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Internal(format!("a batch task failed: {e}")))?
}
