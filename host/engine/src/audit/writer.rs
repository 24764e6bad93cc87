//! The log writer of a long-running process: group commit.
//!
//! Concurrent evaluations queue their records; one thread of its own takes
//! whatever has queued (up to [`MAX_BATCH`]), appends it in one transaction
//! with one fsync, and only then answers each caller.
//!
//! It keeps every complete subtree's hash in memory ([`merkle::Tree`], 64
//! bytes a record) and signs checkpoints on its own schedule: within
//! [`CHECKPOINT_EVERY`] of a record's commit and never more often, whatever
//! anyone asks. Proofs are answered from that tree under the latest signed
//! checkpoint, in O(log² n) hashes and without a write: a caller asking for
//! proofs makes neither checkpoints nor work in proportion to the log. A
//! record newer than the latest checkpoint gets
//! [`Error::NotCheckpointed`] (503 with `Retry-After`) until the next one.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use scorehost_audit::checkpoint::{Checkpoint, InclusionProof, LogKey};
use scorehost_audit::merkle;
use scorehost_registry::{LogAppender, LogEntry, NewRecord, Registry, StoredCheckpoint};
use tokio::sync::{mpsc, oneshot};

use super::{Consistency, Evaluated, decode_leaves, evaluation_record, stored_leaves};
use crate::Error;

/// Records per group commit at most. 256: a transaction of a few hundred
/// records commits in a few milliseconds (one fsync), and a caller never
/// waits behind more than that. Measured: 512 or 1024 gain nothing here.
pub const MAX_BATCH: usize = 256;

/// How often a long-running writer signs a checkpoint while records arrive,
/// and how soon after a commit the records are under one. 1 s: a proof of
/// a fresh record waits at most that long, at a cost of one signature and
/// one small insert per second, however many proofs are asked for.
pub const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

/// How often an idle writer looks for records others appended (registry
/// actions, another process on the same database) so that they come under
/// a checkpoint too. 1 s: one indexed query a second on an idle server.
pub const IDLE_POLL: Duration = Duration::from_secs(1);

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
    shared: Arc<Shared>,
}

/// What the writer thread shares with those who ask for proofs: the tree
/// (written by the writer only) and the latest checkpoint it signed.
#[derive(Default)]
struct Shared {
    tree: RwLock<merkle::Tree>,
    latest: RwLock<Option<Checkpoint>>,
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
        let tree = merkle::Tree::from_leaves(&stored_leaves(&registry).await?);
        let latest = registry.latest_checkpoint().await?.map(|cp| Checkpoint {
            tree_size: cp.tree_size,
            root_hash: cp.root_hash,
            timestamp: cp.at,
            signature: cp.signature,
        });
        let shared = Arc::new(Shared {
            tree: RwLock::new(tree),
            latest: RwLock::new(latest),
        });
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
            shared: shared.clone(),
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
            shared,
        })
    }

    /// The latest checkpoint this writer signed (or found at its start).
    pub fn latest_checkpoint(&self) -> Option<Checkpoint> {
        self.shared.latest.read().expect("checkpoint lock").clone()
    }

    /// The inclusion proof of record `seq` under the latest checkpoint:
    /// O(log² n) hashes, no database access, no signature.
    /// [`Error::NotCheckpointed`] if no checkpoint covers the record yet
    /// (one will within [`CHECKPOINT_EVERY`]).
    pub fn proof(&self, seq: u64) -> Result<InclusionProof, Error> {
        let checkpoint = self.latest_checkpoint();
        let covered = checkpoint.as_ref().map_or(0, |cp| cp.tree_size);
        let Some(checkpoint) = checkpoint.filter(|cp| seq < cp.tree_size) else {
            return Err(Error::NotCheckpointed { seq, covered });
        };
        let tree = self.shared.tree.read().expect("tree lock");
        let path = tree
            .inclusion_proof(seq, checkpoint.tree_size)
            .map_err(|e| {
                Error::Internal(format!("the log's tree cannot prove record {seq}: {e}"))
            })?;
        let leaf = tree
            .leaf(seq)
            .ok_or_else(|| Error::Internal(format!("the log's tree lacks record {seq}")))?;
        Ok(InclusionProof {
            leaf_index: seq,
            leaf_hash: hex::encode(leaf),
            path: path.iter().map(hex::encode).collect(),
            checkpoint,
        })
    }

    /// A consistency proof from size `from` to size `to` (both at most the
    /// tree's size, `from <= to`): O(log² n) hashes, no database access.
    pub fn consistency(&self, from: u64, to: u64) -> Result<Consistency, Error> {
        let tree = self.shared.tree.read().expect("tree lock");
        let size = tree.size();
        if from > to || to > size {
            return Err(Error::BadRequest(format!(
                "a consistency proof needs 0 <= from <= to <= {size} (the log's size); got from={from}, to={to}"
            )));
        }
        let root = |n| tree.root_at(n).map_err(|e| Error::Internal(e.to_string()));
        let proof = tree
            .consistency_proof(from, to)
            .map_err(|e| Error::BadRequest(e.to_string()))?;
        Ok(Consistency {
            from,
            to,
            from_root: hex::encode(root(from)?),
            to_root: hex::encode(root(to)?),
            proof: proof.iter().map(hex::encode).collect(),
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
    shared: Arc<Shared>,
    commits: Arc<AtomicU64>,
    stats: Arc<BatchStats>,
    last_checkpoint: Option<Instant>,
    rt: tokio::runtime::Runtime,
}

impl Writer {
    fn run(mut self, mut rx: mpsc::Receiver<Job>) {
        // A log that grew since its last checkpoint (or has none) gets one
        // first, so that every record stored before the start is provable.
        self.checkpoint_if_due();
        loop {
            // Wait for work, but not past the next checkpoint that is due,
            // nor, idle, past the next look for others' records.
            let wait = match self.uncovered() {
                true => self.last_checkpoint.map_or(Duration::ZERO, |t| {
                    CHECKPOINT_EVERY.saturating_sub(t.elapsed())
                }),
                false => IDLE_POLL,
            };
            // The timer is made inside the writer's runtime (`async`), which
            // it needs.
            let next = self
                .rt
                .block_on(async { tokio::time::timeout(wait, rx.recv()).await });
            let first = match next {
                Ok(Some(job)) => job,
                Ok(None) => {
                    // Every sender is gone: cover what is left, and stop.
                    self.last_checkpoint = None;
                    self.checkpoint_if_due();
                    return;
                }
                Err(_) => {
                    if !self.uncovered() {
                        self.catch_up();
                    }
                    self.checkpoint_if_due();
                    continue;
                }
            };
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
                self.checkpoint_if_due();
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

    /// Whether the tree holds records no signed checkpoint covers.
    fn uncovered(&self) -> bool {
        let covered = self
            .shared
            .latest
            .read()
            .expect("checkpoint lock")
            .as_ref()
            .map(|cp| cp.tree_size);
        covered != Some(self.size())
    }

    fn size(&self) -> u64 {
        self.shared.tree.read().expect("tree lock").size()
    }

    /// Take in the records others appended since the tree's end.
    fn catch_up(&mut self) {
        let size = self.size();
        if let Ok(leaves) = self.leaves_from(size) {
            let mut tree = self.shared.tree.write().expect("tree lock");
            if tree.size() == size {
                for leaf in leaves {
                    tree.push(leaf);
                }
            }
        }
    }

    /// Grow the tree by the appended leaves.
    fn advance(&mut self, entries: &[LogEntry]) {
        let size = self.size();
        match entries.first().map(|e| e.seq) {
            Some(first) if first == size => {}
            Some(first) if first > size => {
                // Others appended too (a registry action, a batch's start,
                // another process): take in their leaves — which are
                // before these, all committed — and these with them.
                self.catch_up();
                if self.size() > entries[entries.len() - 1].seq {
                    return;
                }
                // Reading failed or fell short: rebuild from the start.
                self.rebuild();
                return;
            }
            _ => {
                self.rebuild();
                return;
            }
        }
        let mut tree = self.shared.tree.write().expect("tree lock");
        for e in entries {
            // The leaf hash was computed on append: reuse it.
            let mut leaf = [0u8; 32];
            if hex::decode_to_slice(&e.leaf_hash, &mut leaf).is_err() {
                leaf = merkle::leaf_hash(e.record.as_bytes());
            }
            tree.push(leaf);
        }
    }

    /// Build the tree anew from every stored leaf (after a read failed or
    /// the log moved in a way the writer did not follow). Proofs already
    /// signed stay true: the log only grows.
    fn rebuild(&mut self) {
        if let Ok(all) = self.leaves_from(0) {
            *self.shared.tree.write().expect("tree lock") = merkle::Tree::from_leaves(&all);
        }
    }

    /// The stored leaves from position `from` on, read on the appender's own
    /// connection: this thread never uses the registry's pool (see
    /// [`LogAppender::leaf_hashes_from`]).
    fn leaves_from(&mut self, from: u64) -> Result<Vec<merkle::Hash>, Error> {
        let hashes = self.rt.block_on(self.appender.leaf_hashes_from(from))?;
        decode_leaves(&hashes)
    }

    /// Sign and store a checkpoint of the tree, if records are uncovered
    /// and the last one is at least [`CHECKPOINT_EVERY`] old. The new
    /// checkpoint is offered to proofs only once it is stored.
    fn checkpoint_if_due(&mut self) {
        if !self.uncovered()
            || self
                .last_checkpoint
                .is_some_and(|t| t.elapsed() < CHECKPOINT_EVERY)
        {
            return;
        }
        let (size, root) = {
            let tree = self.shared.tree.read().expect("tree lock");
            let size = tree.size();
            (size, tree.root_at(size).expect("the tree's own size"))
        };
        let cp = self.key.sign(size, &root, &scorehost_registry::now());
        let stored = StoredCheckpoint {
            tree_size: cp.tree_size,
            root_hash: cp.root_hash.clone(),
            at: cp.timestamp.clone(),
            signature: cp.signature.clone(),
        };
        // Tried again no sooner than a second later if storing fails.
        self.last_checkpoint = Some(Instant::now());
        if self
            .rt
            .block_on(self.appender.append(Vec::new(), Some(&stored)))
            .is_ok()
        {
            *self.shared.latest.write().expect("checkpoint lock") = Some(cp);
        }
    }
}
