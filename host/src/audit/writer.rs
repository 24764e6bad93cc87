//! The log writer of a long-running process: group commit.
//!
//! Concurrent evaluations queue their records; one thread of its own takes
//! whatever has queued (up to [`MAX_BATCH`]), appends it in one transaction
//! with one fsync, and only then answers each caller. It keeps the tree's
//! right edge in memory ([`merkle::Frontier`]) and signs a checkpoint at
//! most every [`CHECKPOINT_EVERY`].

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use scorehost_audit::checkpoint::LogKey;
use scorehost_audit::merkle;
use scorehost_registry::{LogAppender, LogEntry, NewRecord, Registry, StoredCheckpoint};
use tokio::sync::{mpsc, oneshot};

use super::{Evaluated, decode_leaves, evaluation_record, stored_leaves};
use crate::Error;

/// Records per group commit at most. 256: a transaction of a few hundred
/// records commits in a few milliseconds (one fsync), and a caller never
/// waits behind more than that. Measured: 512 or 1024 gain nothing here.
pub const MAX_BATCH: usize = 256;

/// How often a long-running writer signs a checkpoint while records arrive.
/// 1 s: "at least every few seconds" (design.md), at a cost of one signature
/// and one small insert per second.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// What a caller learns once its record is durable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    /// The record's position in the log.
    pub seq: u64,
    /// The record's id (`SEQ-HASH`), which the answer carries.
    pub id: String,
}

struct Job {
    record: NewRecord,
    reply: oneshot::Sender<Result<Recorded, Error>>,
}

/// The log writer of a long-running process (see the module docs). Cheap to
/// clone; every clone feeds the same writer thread, which stops when the
/// last clone is dropped.
#[derive(Clone)]
pub struct AuditWriter {
    jobs: mpsc::Sender<Job>,
    commits: Arc<AtomicU64>,
    stats: Arc<BatchStats>,
}

/// Group-commit batch sizes: counts of batches of at most 1, 2, 4, … 256
/// records (a Prometheus histogram's cumulative buckets are made from
/// these), and the records committed.
#[derive(Default)]
struct BatchStats {
    by_power_of_two: [AtomicU64; 9],
    records: AtomicU64,
}

impl BatchStats {
    fn count(&self, len: usize) {
        let bucket = (usize::BITS - len.saturating_sub(1).leading_zeros()) as usize;
        self.by_power_of_two[bucket.min(8)].fetch_add(1, Ordering::Relaxed);
        self.records.fetch_add(len as u64, Ordering::Relaxed);
    }
}

impl AuditWriter {
    /// Start the writer thread, with a connection of its own to the log
    /// ([`Registry::log_appender`]).
    pub async fn start(registry: Arc<Registry>, key: LogKey) -> Result<AuditWriter, Error> {
        let frontier = merkle::Frontier::from_leaves(&stored_leaves(&registry).await?);
        let appender = registry.log_appender().await?;
        let (jobs, rx) = mpsc::channel::<Job>(4 * MAX_BATCH);
        let commits = Arc::new(AtomicU64::new(0));
        let stats = Arc::new(BatchStats::default());
        let cannot =
            |e: std::io::Error| Error::Internal(format!("cannot start the audit writer: {e}"));
        // The writer has a thread of its own, and a small runtime of its own
        // for the database calls that are async (PostgreSQL): on the callers'
        // runtime each of its round trips would wait behind every runnable
        // evaluation, and the log — one writer for everyone — would set the
        // pace for all of them.
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(cannot)?;
        let writer = Writer {
            key,
            appender,
            frontier,
            commits: commits.clone(),
            stats: stats.clone(),
            last_checkpoint: None,
            rt,
        };
        std::thread::Builder::new()
            .name("scorehost-audit".into())
            .spawn(move || writer.run(rx))
            .map_err(cannot)?;
        Ok(AuditWriter {
            jobs,
            commits,
            stats,
        })
    }

    /// Record one evaluation; returns once it is durable. Building the
    /// record (a few µs) happens here, on the caller's thread.
    pub async fn record(&self, ev: &Evaluated<'_>) -> Result<Recorded, Error> {
        self.append(evaluation_record(ev)?).await
    }

    /// Append a prepared record (see [`super::evaluation_record`] and
    /// [`super::refused_record`]); returns once it is durable.
    pub async fn append(&self, record: NewRecord) -> Result<Recorded, Error> {
        let (reply, rx) = oneshot::channel();
        let stopped = || Error::Internal("the audit writer has stopped".into());
        self.jobs
            .send(Job { record, reply })
            .await
            .map_err(|_| stopped())?;
        rx.await.map_err(|_| stopped())?
    }

    /// Append several prepared records, all queued before any is waited
    /// for, so that they share group commits; returns each one's outcome,
    /// in order, once all are durable (or failed).
    pub async fn append_all(&self, records: Vec<NewRecord>) -> Vec<Result<Recorded, Error>> {
        let stopped = || Error::Internal("the audit writer has stopped".into());
        let mut waiting = Vec::with_capacity(records.len());
        for record in records {
            let (reply, rx) = oneshot::channel();
            let sent = self.jobs.send(Job { record, reply }).await.is_ok();
            waiting.push(sent.then_some(rx));
        }
        let mut out = Vec::with_capacity(waiting.len());
        for rx in waiting {
            out.push(match rx {
                Some(rx) => rx.await.unwrap_or_else(|_| Err(stopped())),
                None => Err(stopped()),
            });
        }
        out
    }

    /// Transactions committed so far (each holds one batch).
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::Relaxed)
    }

    /// Records committed so far.
    pub fn records(&self) -> u64 {
        self.stats.records.load(Ordering::Relaxed)
    }

    /// Batches committed so far by size: `(at most n records, batches)`
    /// for n = 1, 2, 4, … 256 (not cumulative).
    pub fn batch_sizes(&self) -> Vec<(u64, u64)> {
        self.stats
            .by_power_of_two
            .iter()
            .enumerate()
            .map(|(i, c)| (1u64 << i, c.load(Ordering::Relaxed)))
            .collect()
    }

    /// Records waiting for the writer now.
    pub fn queue_depth(&self) -> usize {
        self.jobs.max_capacity() - self.jobs.capacity()
    }
}

struct Writer {
    key: LogKey,
    appender: LogAppender,
    frontier: merkle::Frontier,
    commits: Arc<AtomicU64>,
    stats: Arc<BatchStats>,
    last_checkpoint: Option<Instant>,
    rt: tokio::runtime::Runtime,
}

impl Writer {
    fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        while let Some(first) = rx.blocking_recv() {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            batch.push(first);
            while batch.len() < MAX_BATCH {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            self.commit(batch);
        }
    }

    fn commit(&mut self, batch: Vec<Job>) {
        let (records, replies): (Vec<_>, Vec<_>) =
            batch.into_iter().map(|j| (j.record, j.reply)).unzip();
        match self.rt.block_on(self.appender.append(records, None)) {
            Ok(entries) => {
                self.commits.fetch_add(1, Ordering::Relaxed);
                self.stats.count(entries.len());
                self.advance(&entries);
                self.maybe_checkpoint();
                for (reply, entry) in replies.into_iter().zip(&entries) {
                    let _ = reply.send(Ok(Recorded {
                        seq: entry.seq,
                        id: entry.id.clone(),
                    }));
                }
                // The entries (the leaves' text) are freed here, on the
                // thread that made them.
            }
            Err(e) => {
                for reply in replies {
                    let _ = reply.send(Err(Error::from(e.clone())));
                }
            }
        }
    }

    /// Move the tree's right edge over the appended leaves.
    fn advance(&mut self, entries: &[LogEntry]) {
        let size = self.frontier.size();
        match entries.first().map(|e| e.seq) {
            Some(first) if first == size => {}
            Some(first) if first > size => {
                // Others appended too (a registry action, a batch's start,
                // another process): catch up on their leaves — which are
                // before these, all committed — and these with them.
                match self.leaves_from(size) {
                    Ok(leaves) => {
                        for leaf in leaves {
                            self.frontier.push(leaf);
                        }
                    }
                    Err(_) => self.frontier = merkle::Frontier::default(),
                }
                if self.frontier.size() > entries[entries.len() - 1].seq {
                    return;
                }
                // Reading failed or fell short: rebuild from the start.
                if let Ok(all) = self.leaves_from(0) {
                    self.frontier = merkle::Frontier::from_leaves(&all);
                }
                return;
            }
            _ => {
                if let Ok(all) = self.leaves_from(0) {
                    self.frontier = merkle::Frontier::from_leaves(&all);
                }
                return;
            }
        }
        for e in entries {
            // The leaf hash was computed on append: reuse it.
            let mut leaf = [0u8; 32];
            if hex::decode_to_slice(&e.leaf_hash, &mut leaf).is_err() {
                leaf = merkle::leaf_hash(e.record.as_bytes());
            }
            self.frontier.push(leaf);
        }
    }

    /// The stored leaves from position `from` on, read on the appender's own
    /// connection: this thread never uses the registry's pool (see
    /// [`LogAppender::leaf_hashes_from`]).
    fn leaves_from(&mut self, from: u64) -> Result<Vec<merkle::Hash>, Error> {
        let hashes = self.rt.block_on(self.appender.leaf_hashes_from(from))?;
        decode_leaves(&hashes)
    }

    /// Sign and store a checkpoint of the edge, if one is due.
    fn maybe_checkpoint(&mut self) {
        if self
            .last_checkpoint
            .is_some_and(|t| t.elapsed() < CHECKPOINT_EVERY)
        {
            return;
        }
        let cp = self.key.sign(
            self.frontier.size(),
            &self.frontier.root(),
            &scorehost_registry::now(),
        );
        let stored = StoredCheckpoint {
            tree_size: cp.tree_size,
            root_hash: cp.root_hash,
            at: cp.timestamp,
            signature: cp.signature,
        };
        if self
            .rt
            .block_on(self.appender.append(Vec::new(), Some(&stored)))
            .is_ok()
        {
            self.last_checkpoint = Some(Instant::now());
        }
    }
}
