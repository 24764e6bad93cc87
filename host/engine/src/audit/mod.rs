//! Recording evaluations in the verifiable audit log, and reading it back:
//! verify, show, prove, replay, erase.
//!
//! Each evaluation of a registered model appends one record — success or
//! failure — and the record is durable before the caller sees the answer.
//! The record holds everything needed to explain the score (model ref and
//! module hash, subject, date, every contribution, reasons, fuel, versions)
//! and a salted SHA-256 commitment to the complete input; the input itself is
//! kept beside the log, so that it can be erased after its retention period
//! without breaking verification. After each append the host signs a
//! checkpoint (tree size + root) with its Ed25519 key
//! (`DATA_DIR/audit/log.key`; the public key is `log.pub`).

use std::path::Path;
use std::sync::Arc;

use scorehost_audit::checkpoint::{Checkpoint, InclusionProof, LogKey};
use scorehost_audit::merkle::{self, Hash};
use scorehost_registry::{LogEntry, NewRecord, Registry, StoredCheckpoint};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::contract::Request;
use crate::wire::{EvaluationResponse, ModelRef, ScoreRequest};
use crate::{Error, Outcome};

mod writer;
pub use writer::{AuditWriter, CHECKPOINT_EVERY, MAX_BATCH, Recorded};

/// The log's signing key, created on first use in `data_dir/audit/`.
pub fn load_or_create_key(data_dir: &Path) -> Result<LogKey, Error> {
    let dir = data_dir.join("audit");
    let io = |e: std::io::Error| Error::Internal(format!("audit key in {}: {e}", dir.display()));
    let path = dir.join("log.key");
    if let Ok(text) = std::fs::read_to_string(&path) {
        let seed: [u8; 32] = hex::decode(text.trim())
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| {
                Error::Internal(format!("{} is not a 32-byte hex seed", path.display()))
            })?;
        return Ok(LogKey::from_seed(&seed));
    }
    std::fs::create_dir_all(&dir).map_err(io)?;
    let key = LogKey::generate().map_err(|e| Error::Internal(e.to_string()))?;
    let tmp = dir.join(".log.key.tmp");
    {
        use std::io::Write as _;
        use std::os::unix::fs::OpenOptionsExt as _;
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(io)?;
        f.write_all(hex::encode(key.seed()).as_bytes())
            .map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&tmp, &path).map_err(io)?;
    std::fs::write(dir.join("log.pub"), key.public_key_hex()).map_err(io)?;
    Ok(key)
}

/// A fresh 128-bit salt: SHA-256 of a process-wide random seed and a
/// counter (a hash DRBG), so that a salt costs one hash instead of a system
/// call per record. Salts are unpredictable without the seed, which never
/// leaves memory; that is all a commitment's salt must be.
fn salt() -> Result<String, Error> {
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static SEED: OnceLock<[u8; 32]> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = match SEED.get() {
        Some(seed) => seed,
        None => {
            let mut s = [0u8; 32];
            getrandom::getrandom(&mut s)
                .map_err(|e| Error::Internal(format!("no randomness for a salt: {e}")))?;
            SEED.get_or_init(|| s)
        }
    };
    let mut h = Sha256::new();
    h.update(seed);
    h.update(COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    Ok(hex::encode(&h.finalize()[..16]))
}

/// The commitment a record holds to its input: `SHA-256(salt || input)`.
pub fn input_commitment(salt: &str, input: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(input.as_bytes());
    hex::encode(h.finalize())
}

/// What a record says an evaluation produced: the white box, or the error.
/// Serialised straight from the response (no intermediate JSON tree): this
/// runs once per evaluation, on the caller's thread.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum RecordedOutcome<'a> {
    WhiteBox {
        score: f64,
        grade: &'a str,
        contributions: &'a [crate::wire::WireContribution],
        reasons: &'a [String],
    },
    Failed {
        error: RecordedError,
    },
    ScoreOnly {
        score: f64,
    },
}

#[derive(serde::Serialize)]
struct RecordedError {
    code: &'static str,
    /// For a plugin fault, which limit or rule it broke ([`crate::Fault::kind`]:
    /// `fuel_exhausted`, `memory_exhausted`, `stack_overflow`, `timeout`,
    /// `oversized_result`, `trap`, `broken_white_box`).
    #[serde(skip_serializing_if = "Option::is_none")]
    fault: Option<&'static str>,
    message: String,
}

impl<'a> RecordedOutcome<'a> {
    /// The outcome and the fuel used.
    fn of(
        result: &Result<Outcome, Error>,
        response: Option<&'a EvaluationResponse>,
    ) -> (RecordedOutcome<'a>, u64) {
        match (result, response) {
            (Ok(o), Some(r)) => (
                RecordedOutcome::WhiteBox {
                    score: r.score,
                    grade: &r.grade,
                    contributions: &r.contributions,
                    reasons: &r.reasons,
                },
                o.fuel,
            ),
            (Err(e), _) => (
                RecordedOutcome::Failed {
                    error: RecordedError {
                        code: e.code(),
                        fault: match e {
                            Error::PluginFault { fault, .. } => Some(fault.kind()),
                            _ => None,
                        },
                        message: e.to_string(),
                    },
                },
                0,
            ),
            (Ok(o), None) => (
                RecordedOutcome::ScoreOnly {
                    score: crate::points::to_decimal(o.evaluation.score),
                },
                o.fuel,
            ),
        }
    }
}

/// The outcome as JSON, for comparing a replay with the record.
pub(crate) fn outcome_json(
    result: &Result<Outcome, Error>,
    response: Option<&EvaluationResponse>,
) -> (Value, u64) {
    let (outcome, fuel) = RecordedOutcome::of(result, response);
    (serde_json::to_value(outcome).unwrap_or(Value::Null), fuel)
}

/// One evaluation as it happened, to be recorded.
pub struct Evaluated<'a> {
    /// Who asked (an app, the province, a local operator).
    pub caller: &'a str,
    /// The model that ran, with its module hash.
    pub model: &'a ModelRef,
    /// The limits it ran under (the fuel budget is recorded for replay).
    pub limits: &'a crate::sandbox::Limits,
    /// The request exactly as the plugin saw it.
    pub req: &'a Request,
    /// What came of it.
    pub result: &'a Result<Outcome, Error>,
    /// The wire response, for a success.
    pub response: Option<&'a EvaluationResponse>,
    /// The batch run and item this evaluation belongs to, if any.
    pub batch: Option<BatchItem<'a>>,
    /// The subject's stored records the model was not given (under
    /// dispute, or repaired): recorded beside the input.
    pub withheld: &'a [crate::wire::Withheld],
    /// Whether the host took the inputs from the 1+N store (otherwise they
    /// are the caller's): recorded as `data`.
    pub from_store: bool,
}

/// An evaluation's place in a batch run: the run's id and the item's
/// number (the input's line or record number). Recorded in the evaluation's
/// record and, in the same transaction, in the run's item table.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct BatchItem<'a> {
    /// The run's id.
    pub id: &'a str,
    /// The item's number.
    pub item: u64,
}

/// The version of the evaluation record's format, written first in every
/// evaluation record as `format`. A record without it is format 1 (before
/// 2026-12); format 2 added `format` and `data`; format 3 (2026-12, issue
/// 24) moved the personal part — `subject`, `as_of`, `outcome`,
/// `withheld`, `decision` — out of the leaf, which commits to it as
/// `personal` ([`scorehost_registry::open_record`] puts them back together
/// while they are kept). A change that is not only a new optional field
/// raises it.
pub const RECORD_FORMAT: u32 = 3;

/// The first record format whose leaf holds no personal data: a reader of
/// a leaf of an older format finds the subject in the leaf itself.
pub const FIRST_FORGETTING_FORMAT: u32 = 3;

/// A record's personal part about `subject` (of kind `kind`, as the
/// request said): the clear text `text` (a JSON object) under a fresh salt,
/// filed for retention under [`retention_kind`].
pub(crate) fn personal_part(
    subject: &str,
    kind: &str,
    text: String,
) -> Result<scorehost_registry::Personal, Error> {
    Ok(scorehost_registry::Personal {
        subject: subject.to_string(),
        subject_kind: retention_kind(subject, kind).to_string(),
        salt: salt()?,
        text,
    })
}

/// The kind whose retention policy applies to a record about `subject`,
/// whom a caller called `claimed`: by the rule consent uses, a resident
/// identity number is a natural person whatever the caller says; otherwise
/// a kind of the contract as claimed; anything else `unknown` — so that no
/// caller can file a person's records where the natural persons' policy
/// does not reach, or under a kind no policy can name.
pub fn retention_kind<'a>(subject: &str, claimed: &'a str) -> &'a str {
    if crate::consent::looks_like_resident_id(subject) {
        "natural-person"
    } else if scorehost_registry::data::SUBJECT_KINDS.contains(&claimed) {
        claimed
    } else {
        scorehost_registry::UNKNOWN_KIND
    }
}

/// Whose data an evaluation used, as its record says.
#[derive(serde::Serialize)]
struct RecordedData {
    /// `store` (the 1+N store) or `caller` (the inputs the caller sent).
    from: &'static str,
    /// For `store`: each furnisher of a record the model was given
    /// (`province`, `publisher:NS`, or a label for a record imported
    /// before furnishers were recorded), sorted, once each.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    furnishers: Vec<String>,
}

impl RecordedData {
    /// From where the inputs came, and the sources the indicators carry
    /// (for a stored request, [`scorehost_registry::data::IndicatorRecord::attributed_source`]:
    /// the furnisher, then its label in parentheses).
    fn of<'s>(from_store: bool, sources: impl Iterator<Item = Option<&'s str>>) -> RecordedData {
        if !from_store {
            return RecordedData {
                from: "caller",
                furnishers: Vec::new(),
            };
        }
        let mut furnishers: Vec<String> = sources
            .flatten()
            .map(|s| s.split(" (").next().unwrap_or(s).to_string())
            .collect();
        furnishers.sort();
        furnishers.dedup();
        RecordedData {
            from: "store",
            furnishers,
        }
    }
}

/// The fields of an evaluation's record (the log adds `seq`, `kind` and
/// `at`, and ends it with the commitment to its [`PersonalFields`]). Field
/// names are the record format that `show`, `replay` and outside verifiers
/// read ([`RECORD_FORMAT`]).
#[derive(serde::Serialize)]
struct EvaluationBody<'a> {
    format: u32,
    caller: &'a str,
    model: &'a ModelRef,
    input_commitment: String,
    fuel: u64,
    /// The budget it ran under, so that a replay runs under the same one.
    fuel_budget: u64,
    duration_us: u64,
    host_version: &'static str,
    wasmtime_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    batch: Option<BatchItem<'a>>,
    data: RecordedData,
}

/// The personal part of an evaluation's record, kept beside the log and
/// erasable: whose evaluation it is and what it found (a decision is added
/// by [`mark_decision`]).
#[derive(serde::Serialize)]
struct PersonalFields<'a> {
    subject: RecordedSubject<'a>,
    as_of: &'a str,
    outcome: RecordedOutcome<'a>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    withheld: &'a [crate::wire::Withheld],
}

#[derive(serde::Serialize)]
struct RecordedSubject<'a> {
    id: &'a str,
    kind: &'a str,
}

/// The log record of one evaluation (success or failure): everything but
/// the personal input, which goes beside the log under a salted commitment.
pub fn evaluation_record(ev: &Evaluated<'_>) -> Result<NewRecord, Error> {
    let input = serde_json::to_string(&crate::wire::WireRequestRef::new(
        Some(&ev.model.name),
        ev.req,
    ))
    .map_err(|e| Error::Internal(e.to_string()))?;
    let (outcome, fuel) = RecordedOutcome::of(ev.result, ev.response);
    let duration_us = ev
        .result
        .as_ref()
        .map(|o| o.duration.as_micros() as u64)
        .unwrap_or(0);
    let subject = RecordedSubject {
        id: &ev.req.subject.id,
        kind: crate::contract::subject_kind_name(ev.req.subject.kind),
    };
    let data = RecordedData::of(
        ev.from_store,
        ev.req.indicators.iter().map(|i| i.source.as_deref()),
    );
    record_body(
        ev.caller,
        ev.model,
        ev.limits,
        subject,
        &ev.req.as_of,
        input,
        outcome,
        (fuel, duration_us),
        ev.batch,
        (ev.withheld, data),
    )
}

/// The log record of a request the host refused before the model ran (it
/// does not fit the model's declaration): an evaluation that failed, kept
/// like any other, with the request exactly as it came.
pub fn refused_record(
    caller: &str,
    model: &ModelRef,
    limits: &crate::sandbox::Limits,
    wire: &ScoreRequest,
    error: &Error,
    batch: Option<BatchItem<'_>>,
) -> Result<NewRecord, Error> {
    let input = serde_json::to_string(wire).map_err(|e| Error::Internal(e.to_string()))?;
    let failed = Err(error.clone());
    let (outcome, _) = RecordedOutcome::of(&failed, None);
    let subject = RecordedSubject {
        id: &wire.subject.id,
        kind: &wire.subject.kind,
    };
    let data = RecordedData::of(
        wire.from_store,
        wire.indicators.iter().map(|i| i.source.as_deref()),
    );
    record_body(
        caller,
        model,
        limits,
        subject,
        &wire.as_of,
        input,
        outcome,
        (0, 0),
        batch,
        (&wire.withheld, data),
    )
}

#[allow(clippy::too_many_arguments)]
fn record_body(
    caller: &str,
    model: &ModelRef,
    limits: &crate::sandbox::Limits,
    subject: RecordedSubject<'_>,
    as_of: &str,
    input: String,
    outcome: RecordedOutcome<'_>,
    (fuel, duration_us): (u64, u64),
    batch: Option<BatchItem<'_>>,
    (withheld, data): (&[crate::wire::Withheld], RecordedData),
) -> Result<NewRecord, Error> {
    let salt = salt()?;
    let (subject_id, subject_kind) = (subject.id, subject.kind);
    let personal = serde_json::to_string(&PersonalFields {
        subject,
        as_of,
        outcome,
        withheld,
    })
    .map_err(|e| Error::Internal(e.to_string()))?;
    let body = EvaluationBody {
        format: RECORD_FORMAT,
        caller,
        model,
        input_commitment: input_commitment(&salt, &input),
        fuel,
        fuel_budget: limits.fuel,
        duration_us,
        host_version: scorehost_runtime::HOST_VERSION,
        wasmtime_version: scorehost_runtime::WASMTIME_VERSION,
        batch,
        data,
    };
    Ok(NewRecord {
        kind: "evaluation".into(),
        at: scorehost_registry::now(),
        body: serde_json::to_string(&body).map_err(|e| Error::Internal(e.to_string()))?,
        input: Some((salt, input)),
        batch_item: batch.map(|b| (b.id.to_string(), b.item)),
        personal: Some(personal_part(subject_id, subject_kind, personal)?),
    })
}

/// Append one record and sign a checkpoint; durable when this returns.
pub async fn append_one(
    registry: &Registry,
    key: &LogKey,
    record: NewRecord,
) -> Result<LogEntry, Error> {
    let entry = registry.append_records(vec![record]).await?.remove(0);
    checkpoint(registry, key).await?;
    Ok(entry)
}

/// Append the record of one evaluation (success or failure) and sign a
/// checkpoint; returns the stored leaf, whose `id` is the evaluation's id.
/// Durable when this returns. One transaction per call: for many concurrent
/// evaluations use [`AuditWriter`], which shares commits.
pub async fn record_evaluation(
    registry: &Registry,
    key: &LogKey,
    ev: &Evaluated<'_>,
) -> Result<LogEntry, Error> {
    append_one(registry, key, evaluation_record(ev)?).await
}

/// The stored leaf hashes (trusted as stored: `verify` is what re-derives
/// them from the records).
pub(crate) async fn stored_leaves(registry: &Registry) -> Result<Vec<Hash>, Error> {
    stored_leaves_from(registry, 0).await
}

/// The stored leaf hashes from position `from` on.
pub(crate) async fn stored_leaves_from(registry: &Registry, from: u64) -> Result<Vec<Hash>, Error> {
    decode_leaves(&registry.log_leaf_hashes_from(from).await?)
}

/// Stored leaf hashes (hex) as hashes.
pub(crate) fn decode_leaves(hashes: &[String]) -> Result<Vec<Hash>, Error> {
    hashes
        .iter()
        .map(|h| {
            hex::decode(h)
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| Error::Internal(format!("a stored leaf hash is malformed: {h}")))
        })
        .collect()
}

/// Sign and store a checkpoint of the whole log as it is now.
pub async fn checkpoint(registry: &Registry, key: &LogKey) -> Result<Checkpoint, Error> {
    let hashes = stored_leaves(registry).await?;
    let cp = key.sign(
        hashes.len() as u64,
        &merkle::root(&hashes),
        &scorehost_registry::now(),
    );
    registry
        .save_checkpoint(&StoredCheckpoint {
            tree_size: cp.tree_size,
            root_hash: cp.root_hash.clone(),
            at: cp.timestamp.clone(),
            signature: cp.signature.clone(),
        })
        .await?;
    Ok(cp)
}

/// A consistency proof between two sizes of the log (RFC 6962 §2.1.2):
/// the tree of `to` records extends the tree of `from` records.
#[derive(utoipa::ToSchema, Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Consistency {
    /// The earlier size.
    pub from: u64,
    /// The later size.
    pub to: u64,
    /// Root of the first `from` records, hex.
    pub from_root: String,
    /// Root of the first `to` records, hex.
    pub to_root: String,
    /// The proof's hashes, hex.
    pub proof: Vec<String>,
}

/// A consistency proof from size `from` to size `to` (both at most the
/// log's size, `from <= to`). Reads every stored leaf hash: O(n).
pub async fn consistency(registry: &Registry, from: u64, to: u64) -> Result<Consistency, Error> {
    let mut hashes = stored_leaves(registry).await?;
    if from > to || to > hashes.len() as u64 {
        return Err(Error::BadRequest(format!(
            "a consistency proof needs 0 <= from <= to <= {} (the log's size); got from={from}, to={to}",
            hashes.len()
        )));
    }
    hashes.truncate(to as usize);
    let proof = merkle::consistency_proof(from as usize, &hashes)
        .map_err(|e| Error::BadRequest(e.to_string()))?;
    Ok(Consistency {
        from,
        to,
        from_root: hex::encode(merkle::root(&hashes[..from as usize])),
        to_root: hex::encode(merkle::root(&hashes)),
        proof: proof.iter().map(hex::encode).collect(),
    })
}

/// What [`verify`] found in a sound log.
#[derive(utoipa::ToSchema, Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// Records in the log.
    pub records: u64,
    /// Checkpoints checked.
    pub checkpoints: u64,
    /// The root hash of the whole log, hex.
    pub root_hash: String,
    /// Records written before format 3 whose text was erased (a tombstone
    /// stands in their place, each named by a logged erasure): checked by
    /// their stored leaf hash alone.
    pub tombstones: u64,
}

/// Records verify reads at a time: 4,096 records of a few KiB each stay
/// within tens of MiB, whatever the log's size.
const VERIFY_PAGE: u32 = 4096;

/// Recompute the tree from the stored records and check every checkpoint's
/// signature and root. The first changed, missing or reordered record is
/// named in the error.
///
/// One consistent snapshot on a live server: the checkpoints are read
/// first, then the records. The log only grows and a checkpoint is stored
/// only after the records it covers are committed, so every checkpoint read
/// covers records that the later reads hold — an honest log never looks
/// truncated because a checkpoint was signed while verify ran. Linear in
/// the log and bounded in memory: the records are read a page
/// ([`VERIFY_PAGE`]) at a time and hashed off the async runtime, each
/// checkpoint's root taken from the running frontier as the pass reaches
/// its size (O(log n) each).
pub async fn verify(registry: &Registry, public_key_hex: &str) -> Result<VerifyReport, Error> {
    let checkpoints = registry.checkpoints().await?;
    for cp in &checkpoints {
        let checkpoint = Checkpoint {
            tree_size: cp.tree_size,
            root_hash: cp.root_hash.clone(),
            timestamp: cp.at.clone(),
            signature: cp.signature.clone(),
        };
        if let Err(e) = checkpoint.verify(public_key_hex) {
            return Err(not_verified(format!(
                "the checkpoint of size {} does not verify: {e}",
                cp.tree_size
            )));
        }
    }
    // Checkpoints by size (the query orders them so); one pass.
    let mut pass = VerifyPass {
        frontier: merkle::Frontier::default(),
        checkpoints: Arc::new(checkpoints),
        next_checkpoint: 0,
        tombstones: std::collections::BTreeMap::new(),
        erased: 0,
    };
    pass = tokio::task::spawn_blocking(move || pass.check(&[]).map(|()| pass))
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
    loop {
        let page = registry
            .log_entries_page_with_personal(pass.frontier.size(), VERIFY_PAGE)
            .await?;
        let last = page.len() < VERIFY_PAGE as usize;
        pass = tokio::task::spawn_blocking(move || pass.check(&page).map(|()| pass))
            .await
            .map_err(|e| Error::Internal(e.to_string()))??;
        if last {
            break;
        }
    }
    // A tombstone is honest only if a logged erasure named it.
    if let Some((seq, by)) = pass.tombstones.iter().next() {
        return Err(not_verified(format!(
            "record {seq} was replaced by a tombstone naming erasure {by}, but no erasure record in the log names record {seq}"
        )));
    }
    // Every record is in place; a checkpoint beyond them means the log
    // lost its tail.
    let size = pass.frontier.size();
    if let Some(cp) = pass.checkpoints.iter().find(|cp| cp.tree_size > size) {
        return Err(not_verified(format!(
            "a signed checkpoint covers {} records but the log holds {size}: records after record {} were removed",
            cp.tree_size,
            size.saturating_sub(1)
        )));
    }
    Ok(VerifyReport {
        records: size,
        checkpoints: pass.checkpoints.len() as u64,
        root_hash: hex::encode(pass.frontier.root()),
        tombstones: pass.erased,
    })
}

fn not_verified(m: String) -> Error {
    Error::Internal(format!("the audit log does not verify: {m}"))
}

/// [`verify`]'s state between pages.
struct VerifyPass {
    frontier: merkle::Frontier,
    checkpoints: Arc<Vec<StoredCheckpoint>>,
    next_checkpoint: usize,
    /// Tombstones met and not yet named by an erasure record: position →
    /// the erasure id the tombstone claims.
    tombstones: std::collections::BTreeMap<u64, String>,
    /// Tombstones met in all.
    erased: u64,
}

/// The erasure a record's text claims, if it is a tombstone of record
/// `seq` ([`scorehost_registry::tombstone`]: exactly `seq`, `kind`, `at`,
/// `erased_by`).
fn tombstone_of(seq: u64, record: &str) -> Option<String> {
    let v: Value = serde_json::from_str(record).ok()?;
    let o = v.as_object()?;
    (o.len() == 4 && v["seq"].as_u64() == Some(seq) && v["kind"].is_string() && v["at"].is_string())
        .then(|| v["erased_by"].as_str().map(String::from))
        .flatten()
}

impl VerifyPass {
    /// Check the next records (which must start at the frontier's size),
    /// the personal parts kept beside them, and every checkpoint the
    /// frontier reaches.
    fn check(&mut self, page: &[scorehost_registry::SubjectRecord]) -> Result<(), Error> {
        self.check_reached()?;
        for r in page {
            let e = &r.entry;
            let i = self.frontier.size();
            if e.seq != i {
                return Err(not_verified(format!(
                    "record {i} is missing (the log jumps from record {} to {})",
                    i.saturating_sub(1),
                    e.seq
                )));
            }
            let mut leaf = merkle::leaf_hash(e.record.as_bytes());
            if hex::encode(leaf) != e.leaf_hash
                && let Some(by) = tombstone_of(i, &e.record)
            {
                // An erased record written before format 3: its stored
                // leaf hash stands for it, if an erasure names it.
                hex::decode_to_slice(&e.leaf_hash, &mut leaf).map_err(|_| {
                    not_verified(format!("record {i}'s stored leaf hash is malformed"))
                })?;
                self.tombstones.insert(i, by);
                self.erased += 1;
            } else if e.kind == "erasure" {
                for seq in erased_by_record(&e.record) {
                    if self.tombstones.get(&seq) == Some(&e.id) {
                        self.tombstones.remove(&seq);
                    }
                }
            }
            if hex::encode(leaf) != e.leaf_hash {
                return Err(not_verified(format!(
                    "record {i} (id {}) was changed: its content hashes to {}, the log holds {}",
                    e.id,
                    hex::encode(leaf),
                    e.leaf_hash
                )));
            }
            // Parsed once, for its position and its commitment.
            let parsed = serde_json::from_str::<Value>(&e.record).ok();
            let claimed = parsed.as_ref().and_then(|v| v["seq"].as_u64());
            if claimed != Some(i) {
                return Err(not_verified(format!(
                    "record {i} (id {}) is out of place: it was written as record {claimed:?}",
                    e.id
                )));
            }
            // A kept personal part must be what the leaf committed to (a
            // tombstone is checked against the erasures instead).
            if !self.tombstones.contains_key(&i)
                && let Some(p) = r.personal.as_ref()
                && let Err(err) = scorehost_registry::check_personal(
                    i,
                    parsed.as_ref().and_then(|v| v.get("personal")),
                    p,
                )
            {
                return Err(not_verified(format!("record {i} (id {}): {err}", e.id)));
            }
            self.frontier.push(leaf);
            self.check_reached()?;
        }
        Ok(())
    }

    fn check_reached(&mut self) -> Result<(), Error> {
        while let Some(cp) = self
            .checkpoints
            .get(self.next_checkpoint)
            .filter(|cp| cp.tree_size <= self.frontier.size())
        {
            if hex::encode(self.frontier.root()) != cp.root_hash {
                return Err(not_verified(format!(
                    "the log no longer matches the signed checkpoint of size {}: a record among the first {} was changed, removed or reordered",
                    cp.tree_size, cp.tree_size
                )));
            }
            self.next_checkpoint += 1;
        }
        Ok(())
    }
}

/// The positions an `erasure` record names.
fn erased_by_record(record: &str) -> Vec<u64> {
    serde_json::from_str::<Value>(record)
        .ok()
        .and_then(|v| {
            v["records"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_u64).collect())
        })
        .unwrap_or_default()
}

/// An inclusion proof of record `id` under a fresh signed checkpoint.
pub async fn proof(registry: &Registry, key: &LogKey, id: &str) -> Result<InclusionProof, Error> {
    let entry = registry.log_entry(id).await?;
    let cp = checkpoint(registry, key).await?;
    let mut hashes = stored_leaves(registry).await?;
    hashes.truncate(cp.tree_size as usize);
    let path = merkle::inclusion_proof(entry.seq as usize, &hashes)
        .map_err(|e| Error::Internal(e.to_string()))?;
    Ok(InclusionProof {
        leaf_index: entry.seq,
        leaf_hash: hex::encode(hashes[entry.seq as usize]),
        path: path.iter().map(hex::encode).collect(),
        checkpoint: cp,
    })
}

/// A record with its input, for `audit show` and `replay`.
#[derive(utoipa::ToSchema, Debug, Clone, serde::Serialize)]
pub struct Shown {
    /// The stored leaf.
    pub entry: LogEntry,
    /// The record, parsed and opened: the leaf's fields and, while it is
    /// kept, its personal part's (`subject`, `as_of`, `outcome`,
    /// `withheld`, `decision`; see [`scorehost_registry::open_record`]);
    /// `erased_at` once erased.
    #[schema(value_type = Object)]
    pub record: Value,
    /// The personal part as kept beside the leaf (its salt and clear text,
    /// with which anyone holding them checks the leaf's `personal`
    /// commitment), for a record of format 3 or later.
    #[schema(value_type = Option<Object>)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub personal: Option<scorehost_registry::StoredPersonal>,
    /// The complete input, if kept (`None` once erased, or for registry records).
    pub input: Option<ScoreRequest>,
    /// When the input was erased, if it was.
    pub erased_at: Option<String>,
}

/// Record `id` with its personal part and its input, both checked against
/// the leaf's commitments.
pub async fn show(registry: &Registry, id: &str) -> Result<Shown, Error> {
    let entry = registry.log_entry(id).await?;
    let personal = registry.log_personal(entry.seq).await?;
    let record = scorehost_registry::open_record(&entry.record, personal.as_ref())?;
    let stored = registry.log_input(entry.seq).await?;
    let (input, erased_at) = kept_input(entry.seq, &record, stored.as_ref())?;
    Ok(Shown {
        entry,
        record,
        // Only a part that is not the leaf itself (format 3 on).
        personal: personal.filter(|p| !p.legacy),
        input,
        erased_at,
    })
}

/// The input kept beside record `seq` (parsed as `record`), checked against
/// the record's commitment and decoded as the request the plugin saw; and
/// when it was erased, if it was. `(None, None)` for a record without an
/// input (a registry action). A mismatch with the commitment, or an input
/// that is not a request, is an error naming the record. Used by
/// [`show`], [`replay`] and the impact analysis (`crate::impact`).
pub fn kept_input(
    seq: u64,
    record: &Value,
    stored: Option<&scorehost_registry::StoredInput>,
) -> Result<(Option<ScoreRequest>, Option<String>), Error> {
    let Some(s) = stored else {
        return Ok((None, None));
    };
    let (Some(salt), Some(text)) = (&s.salt, &s.input) else {
        return Ok((None, s.erased_at.clone()));
    };
    if record["input_commitment"].as_str() != Some(input_commitment(salt, text).as_str()) {
        return Err(Error::Internal(format!(
            "the stored input of record {seq} does not match the commitment in the log"
        )));
    }
    let input = serde_json::from_str(text).map_err(|e| Error::Internal(e.to_string()))?;
    Ok((Some(input), s.erased_at.clone()))
}

/// Mark `record` — an evaluation's, as [`crate::scoring::prepare`] built it
/// — as a shadow evaluation of the live evaluation `live_id`: its fields
/// end with `"shadow":true,"shadow_of":"<live_id>"`. Everything else stays
/// as for a live evaluation (`show`, `replay` and `verify` read it alike).
/// Costs one copy of the record's text.
pub fn mark_shadow(record: &mut NewRecord, live_id: &str) -> Result<(), Error> {
    let body = record.body.trim_end();
    let Some(open) = body.strip_suffix('}') else {
        return Err(Error::Internal(
            "an evaluation record is not a JSON object".into(),
        ));
    };
    let id = serde_json::to_string(live_id).map_err(|e| Error::Internal(e.to_string()))?;
    record.body = format!("{open},\"shadow\":true,\"shadow_of\":{id}}}");
    Ok(())
}

/// Erase record `id`'s personal part and input now (its retention period
/// is over, or its subject asked):
/// [`scorehost_registry::Registry::erase_personal`] of that one record.
pub async fn erase(
    registry: &Registry,
    actor: &scorehost_registry::Actor,
    id: &str,
    reason: &str,
) -> Result<LogEntry, Error> {
    let entry = registry.log_entry(id).await?;
    let erased = registry.erase_personal(actor, &[entry.seq], reason).await?;
    if erased.is_some() {
        registry.scrub_erased().await?;
    }
    erased.ok_or_else(|| {
            Error::Registry(scorehost_registry::Error::NotFound(format!(
                "record {id} holds nothing personal left to erase (it was erased already, or names nobody)"
            )))
        })
}

/// The white box a record holds (for comparing a replay).
pub fn recorded_white_box(record: &Value) -> Value {
    record["outcome"].clone()
}

/// Add a benefit decision to `record`, an evaluation's record as
/// [`crate::scoring::prepare`] built it: its personal part (or, for a
/// record without one, its fields) ends with
/// `"decision":{"scenario","title","rule","eligible"}` (`eligible` absent
/// when the evaluation failed and so decided nothing). `show` and `verify`
/// read it like any field; [`replay`] recomputes `eligible` from the
/// replayed white box by the recorded rule. Costs one copy of the record's
/// text.
pub fn mark_decision(record: &mut NewRecord, decision: &Value) -> Result<(), Error> {
    if let Some(p) = &mut record.personal {
        // A decision is about the person: it goes with their personal part.
        return p
            .push_field("decision", &decision.to_string())
            .map_err(Error::from);
    }
    let body = record.body.trim_end();
    let Some(open) = body.strip_suffix('}') else {
        return Err(Error::Internal(
            "an evaluation record is not a JSON object".into(),
        ));
    };
    record.body = format!("{open},\"decision\":{decision}}}");
    Ok(())
}

/// For a record that carries a decision: the difference between its
/// recorded `eligible` and the one the recorded rule gives the replayed
/// outcome `now`, if they differ.
pub(crate) fn decision_difference(decision: &Value, now: &Value) -> Option<String> {
    let recorded = decision.get("eligible")?.as_bool();
    let rule = scorehost_registry::Rule::from_json(&decision["rule"]).ok()?;
    // A provisional decision grants nothing, whatever the rule says.
    let provisional = decision
        .get("provisional")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    let replayed = match (now["score"].as_f64(), now["grade"].as_str()) {
        (Some(score), Some(grade)) => crate::points::from_decimal(score)
            .ok()
            .map(|h| rule.admits(h, grade) && !provisional),
        _ => None,
    };
    (recorded != replayed).then(|| {
        let show = |e: Option<bool>| e.map_or("no decision".to_string(), |b| b.to_string());
        format!("decision.eligible: {} → {}", show(recorded), show(replayed))
    })
}

/// Check that `proof` proves the record `shown` is in the log signed with
/// `public_key_hex`: the proof verifies, the record's exact text hashes to
/// the proof's leaf hash, and the record says it is the proof's leaf
/// (`seq`). `shown` is the record's exact text (one line of the log) or
/// the JSON `audit show --json` and `GET /v1/evaluations/{id}` give, whose
/// `entry.record` is that text. Returns what the record says, one line per
/// fact, for the person checking: who asked, which model, whose data, the
/// outcome, the decision. Costs one hash per path step.
pub fn bind_record(
    proof: &InclusionProof,
    public_key_hex: &str,
    shown: &str,
) -> Result<String, Error> {
    let bad = |m: String| Error::BadRequest(m);
    let exact = shown.strip_suffix('\n').unwrap_or(shown);
    let text = if hex::encode(merkle::leaf_hash(exact.as_bytes())) == proof.leaf_hash {
        exact.to_string()
    } else {
        let v: Value = serde_json::from_str(shown).map_err(|_| {
            bad("this is neither the record the proof is for nor `audit show --json` output".into())
        })?;
        match v.pointer("/entry/record").and_then(Value::as_str) {
            Some(t) => t.to_string(),
            None => {
                return Err(bad(
                    "this is not the record the proof is for: its text does not hash to the proof's leaf, and it holds no entry.record".into(),
                ));
            }
        }
    };
    proof
        .verify(public_key_hex, Some(text.as_bytes()))
        .map_err(|e| {
            bad(format!(
                "the proof does not verify for this record (leaf hash {}): {e}",
                hex::encode(merkle::leaf_hash(text.as_bytes()))
            ))
        })?;
    let mut r: Value =
        serde_json::from_str(&text).map_err(|_| bad("the record's text is not JSON".into()))?;
    if r["seq"].as_u64() != Some(proof.leaf_index) {
        return Err(bad(format!(
            "the record says it is record {}, the proof is for leaf {}",
            r["seq"], proof.leaf_index
        )));
    }
    // The personal part, if `shown` carries it (`audit show --json` while
    // it is kept): checked against the leaf's commitment, then read as the
    // record's own.
    let given = serde_json::from_str::<Value>(shown)
        .ok()
        .and_then(|v| v.get("personal").cloned());
    let mut personal_line = None;
    if let Some(commitment) = r.get("personal").and_then(Value::as_str).map(String::from) {
        match given
            .as_ref()
            .and_then(|p| Some((p["salt"].as_str()?, p["text"].as_str()?)))
        {
            Some((salt, clear)) => {
                if scorehost_registry::commitment(salt, clear) != commitment {
                    return Err(bad(format!(
                        "the personal part shown with the record does not match the leaf's commitment {commitment}: it is not what was recorded"
                    )));
                }
                let fields: serde_json::Map<String, Value> = serde_json::from_str(clear)
                    .map_err(|_| bad("the personal part is not a JSON object".into()))?;
                if let Some(o) = r.as_object_mut() {
                    for (k, v) in fields {
                        o.entry(k).or_insert(v);
                    }
                }
                personal_line = Some(format!(
                    "  personal part: matches the leaf's commitment {commitment}"
                ));
            }
            None => {
                personal_line = Some(format!(
                    "  personal part: not shown (erased, or left out); the leaf commits to it as {commitment}"
                ));
            }
        }
    }
    let mut described = describe_record(&r);
    if let Some(line) = personal_line {
        described.push('\n');
        described.push_str(&line);
    }
    Ok(described)
}

/// What a record says, one `name: value` line per fact present.
fn describe_record(r: &Value) -> String {
    let data = match r["data"]["from"].as_str() {
        Some("store") => format!(
            "the 1+N store (furnished by {})",
            r["data"]["furnishers"]
                .as_array()
                .map(|f| f
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", "))
                .filter(|f| !f.is_empty())
                .unwrap_or_else(|| "nobody: no N records".into())
        ),
        Some("caller") => format!(
            "the caller's own inputs ({}), not the store",
            r["caller"].as_str().unwrap_or("?")
        ),
        _ => "not recorded (a record before format 2)".into(),
    };
    let mut lines = vec![
        format!("  kind: {}", r["kind"].as_str().unwrap_or("?")),
        format!("  at: {}", r["at"].as_str().unwrap_or("?")),
    ];
    if r["kind"] == "evaluation" {
        lines.push(format!("  format: {}", r["format"].as_u64().unwrap_or(1)));
        lines.push(format!("  caller: {}", r["caller"].as_str().unwrap_or("?")));
        lines.push(format!(
            "  model: {}@{} (sha256 {})",
            r["model"]["name"].as_str().unwrap_or("?"),
            r["model"]["version"].as_str().unwrap_or("?"),
            r["model"]["sha256"].as_str().unwrap_or("?")
        ));
        lines.push(format!(
            "  subject: {} ({}), as of {}",
            r["subject"]["id"].as_str().unwrap_or("?"),
            r["subject"]["kind"].as_str().unwrap_or("?"),
            r["as_of"].as_str().unwrap_or("?")
        ));
        lines.push(format!("  data: {data}"));
        let o = &r["outcome"];
        lines.push(match (o["score"].as_f64(), o["grade"].as_str()) {
            (Some(s), Some(g)) => format!("  outcome: {s} {g}"),
            _ => format!(
                "  outcome: failed ({})",
                o["error"]["code"].as_str().unwrap_or("?")
            ),
        });
        if let Some(d) = r.get("decision") {
            lines.push(format!(
                "  decision: {} eligible={}{}",
                d["scenario"].as_str().unwrap_or("?"),
                d["eligible"],
                if d.get("provisional").is_some() {
                    format!(" (provisional: {})", d["provisional"])
                } else {
                    String::new()
                }
            ));
        }
    }
    lines.join("\n")
}

/// The format of an `access` record, its `format` field.
pub const ACCESS_RECORD_FORMAT: u32 = 1;

/// The record of a read of a person's records (PIPL art. 45; the
/// regulation's "查询自身…采集、使用等情况"): who read (`reader`, the token,
/// the person), how (`what`: the route and the record), and — in its
/// personal part, erasable like an evaluation's — whose records. The
/// subject lists these ([`scorehost_registry::Registry::records_of_subject`]).
pub fn access_record(
    reader: &scorehost_registry::Actor,
    what: &str,
    subject: &str,
    subject_kind: &str,
) -> Result<NewRecord, Error> {
    let mut fields = serde_json::Map::new();
    fields.insert("format".into(), ACCESS_RECORD_FORMAT.into());
    // A person reading their own records is "subject" in the leaf: their
    // id is in the personal part only.
    let who = match &reader.role {
        scorehost_registry::Role::Subject(_) => "subject".to_string(),
        _ => reader.to_string(),
    };
    fields.insert("reader".into(), who.into());
    // A person's own token id would lead back to them (the token table
    // names them): only officials' tokens are named in the leaf.
    if let Some(token) = reader
        .token
        .as_ref()
        .filter(|_| !matches!(reader.role, scorehost_registry::Role::Subject(_)))
    {
        fields.insert("token".into(), token.clone().into());
    }
    if let Some(person) = &reader.person {
        fields.insert("person".into(), person.clone().into());
    }
    fields.insert("what".into(), what.into());
    let mut record = NewRecord::from_fields("access", scorehost_registry::now(), &fields);
    let text = serde_json::json!({"subject": {"id": subject, "kind": subject_kind}}).to_string();
    record.personal = Some(personal_part(subject, subject_kind, text)?);
    Ok(record)
}
