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

use scorehost_audit::checkpoint::{Checkpoint, InclusionProof, LogKey};
use scorehost_audit::merkle::{self, Hash};
use scorehost_registry::{LogEntry, NewRecord, Registry, StoredCheckpoint};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::contract::Request;
use crate::wire::{EvaluationResponse, ModelRef, ScoreRequest};
use crate::{Error, Outcome};

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

fn salt() -> Result<String, Error> {
    let mut s = [0u8; 16];
    getrandom::getrandom(&mut s)
        .map_err(|e| Error::Internal(format!("no randomness for a salt: {e}")))?;
    Ok(hex::encode(s))
}

/// The commitment a record holds to its input: `SHA-256(salt || input)`.
pub fn input_commitment(salt: &str, input: &str) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    h.update(input.as_bytes());
    hex::encode(h.finalize())
}

/// What a record says an evaluation produced: the white box, or the error.
fn outcome_json(
    result: &Result<Outcome, Error>,
    response: Option<&EvaluationResponse>,
) -> (Value, u64) {
    match (result, response) {
        (Ok(o), Some(r)) => (
            json!({ "score": r.score, "grade": r.grade, "contributions": r.contributions, "reasons": r.reasons }),
            o.fuel,
        ),
        (Err(e), _) => (
            json!({ "error": { "code": e.code(), "message": e.to_string() } }),
            0,
        ),
        (Ok(o), None) => (
            json!({ "score": crate::points::to_decimal(o.evaluation.score) }),
            o.fuel,
        ),
    }
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
}

/// The log record of one evaluation (success or failure): everything but
/// the personal input, which goes beside the log under a salted commitment.
pub fn evaluation_record(ev: &Evaluated<'_>) -> Result<NewRecord, Error> {
    let input = serde_json::to_string(&ScoreRequest::from_request(
        Some(ev.model.name.clone()),
        ev.req,
    ))
    .map_err(|e| Error::Internal(e.to_string()))?;
    let (outcome, fuel) = outcome_json(ev.result, ev.response);
    let duration_us = ev
        .result
        .as_ref()
        .map(|o| o.duration.as_micros() as u64)
        .unwrap_or(0);
    let subject = json!({
        "id": ev.req.subject.id,
        "kind": crate::contract::subject_kind_name(ev.req.subject.kind),
    });
    record_body(
        ev.caller,
        ev.model,
        ev.limits,
        subject,
        &ev.req.as_of,
        input,
        outcome,
        (fuel, duration_us),
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
) -> Result<NewRecord, Error> {
    let input = serde_json::to_string(wire).map_err(|e| Error::Internal(e.to_string()))?;
    let (outcome, _) = outcome_json(&Err(error.clone()), None);
    let subject = json!({ "id": wire.subject.id, "kind": wire.subject.kind });
    record_body(
        caller,
        model,
        limits,
        subject,
        &wire.as_of,
        input,
        outcome,
        (0, 0),
    )
}

#[allow(clippy::too_many_arguments)]
fn record_body(
    caller: &str,
    model: &ModelRef,
    limits: &crate::sandbox::Limits,
    subject: Value,
    as_of: &str,
    input: String,
    outcome: Value,
    (fuel, duration_us): (u64, u64),
) -> Result<NewRecord, Error> {
    let salt = salt()?;
    let mut body = Map::new();
    body.insert("caller".into(), caller.into());
    body.insert("model".into(), json!(model));
    body.insert("subject".into(), subject);
    body.insert("as_of".into(), as_of.into());
    body.insert(
        "input_commitment".into(),
        input_commitment(&salt, &input).into(),
    );
    body.insert("outcome".into(), outcome);
    body.insert("fuel".into(), fuel.into());
    // The budget it ran under, so that a replay runs under the same one.
    body.insert("fuel_budget".into(), limits.fuel.into());
    body.insert("duration_us".into(), duration_us.into());
    body.insert("host_version".into(), crate::HOST_VERSION.into());
    body.insert("wasmtime_version".into(), crate::WASMTIME_VERSION.into());
    Ok(NewRecord {
        kind: "evaluation".into(),
        at: scorehost_registry::now(),
        body,
        input: Some((salt, input)),
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

fn leaves(entries: &[LogEntry]) -> Vec<Hash> {
    entries
        .iter()
        .map(|e| merkle::leaf_hash(e.record.as_bytes()))
        .collect()
}

/// The stored leaf hashes (trusted as stored: `verify` is what re-derives
/// them from the records).
async fn stored_leaves(registry: &Registry) -> Result<Vec<Hash>, Error> {
    registry
        .log_leaf_hashes()
        .await?
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

/// What [`verify`] found in a sound log.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// Records in the log.
    pub records: u64,
    /// Checkpoints checked.
    pub checkpoints: u64,
    /// The root hash of the whole log, hex.
    pub root_hash: String,
}

/// Recompute the tree from the stored records and check every checkpoint's
/// signature and root. The first changed, missing or reordered record is
/// named in the error.
pub async fn verify(registry: &Registry, public_key_hex: &str) -> Result<VerifyReport, Error> {
    let entries = registry.log_entries().await?;
    let bad = |m: String| {
        Err(Error::Internal(format!(
            "the audit log does not verify: {m}"
        )))
    };
    for (i, e) in entries.iter().enumerate() {
        if e.seq != i as u64 {
            return bad(format!(
                "record {i} is missing (the log jumps from record {} to {})",
                i.saturating_sub(1),
                e.seq
            ));
        }
        let leaf = hex::encode(merkle::leaf_hash(e.record.as_bytes()));
        if leaf != e.leaf_hash || e.id != leaf[..32] {
            return bad(format!(
                "record {i} (id {}) was changed: its content hashes to {leaf}, the log holds {}",
                e.id, e.leaf_hash
            ));
        }
        let claimed = serde_json::from_str::<Value>(&e.record)
            .ok()
            .and_then(|v| v["seq"].as_u64());
        if claimed != Some(i as u64) {
            return bad(format!(
                "record {i} (id {}) is out of place: it was written as record {claimed:?}",
                e.id
            ));
        }
    }
    let hashes = leaves(&entries);
    let checkpoints = registry.checkpoints().await?;
    for cp in &checkpoints {
        let checkpoint = Checkpoint {
            tree_size: cp.tree_size,
            root_hash: cp.root_hash.clone(),
            timestamp: cp.at.clone(),
            signature: cp.signature.clone(),
        };
        if let Err(e) = checkpoint.verify(public_key_hex) {
            return bad(format!(
                "the checkpoint of size {} does not verify: {e}",
                cp.tree_size
            ));
        }
        if cp.tree_size > hashes.len() as u64 {
            return bad(format!(
                "a signed checkpoint covers {} records but the log holds {}: records after record {} were removed",
                cp.tree_size,
                hashes.len(),
                hashes.len().saturating_sub(1)
            ));
        }
        if hex::encode(merkle::root(&hashes[..cp.tree_size as usize])) != cp.root_hash {
            return bad(format!(
                "the log no longer matches the signed checkpoint of size {}: a record among the first {} was changed, removed or reordered",
                cp.tree_size, cp.tree_size
            ));
        }
    }
    Ok(VerifyReport {
        records: hashes.len() as u64,
        checkpoints: checkpoints.len() as u64,
        root_hash: hex::encode(merkle::root(&hashes)),
    })
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
#[derive(Debug, Clone, serde::Serialize)]
pub struct Shown {
    /// The stored leaf.
    pub entry: LogEntry,
    /// The record, parsed.
    pub record: Value,
    /// The complete input, if kept (`None` once erased, or for registry records).
    pub input: Option<ScoreRequest>,
    /// When the input was erased, if it was.
    pub erased_at: Option<String>,
}

/// Record `id` with its input, the input checked against the commitment.
pub async fn show(registry: &Registry, id: &str) -> Result<Shown, Error> {
    let entry = registry.log_entry(id).await?;
    let record: Value =
        serde_json::from_str(&entry.record).map_err(|e| Error::Internal(e.to_string()))?;
    let stored = registry.log_input(entry.seq).await?;
    let (mut input, mut erased_at) = (None, None);
    if let Some(s) = stored {
        erased_at = s.erased_at.clone();
        if let (Some(salt), Some(text)) = (&s.salt, &s.input) {
            if record["input_commitment"].as_str() != Some(input_commitment(salt, text).as_str()) {
                return Err(Error::Internal(format!(
                    "the stored input of record {} does not match the commitment in the log",
                    entry.seq
                )));
            }
            input = Some(serde_json::from_str(text).map_err(|e| Error::Internal(e.to_string()))?);
        }
    }
    Ok(Shown {
        entry,
        record,
        input,
        erased_at,
    })
}

/// Erase the input of evaluation `id` (retention over); the record stays and
/// still verifies.
pub async fn erase(registry: &Registry, id: &str) -> Result<(), Error> {
    let entry = registry.log_entry(id).await?;
    registry
        .erase_input(entry.seq, &scorehost_registry::now())
        .await
        .map_err(Error::from)
}

/// The white box a record holds (for comparing a replay).
pub fn recorded_white_box(record: &Value) -> Value {
    record["outcome"].clone()
}

/// Write a proof to a file as JSON.
pub fn write_proof(path: &Path, proof: &InclusionProof) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(proof).map_err(|e| Error::Internal(e.to_string()))?;
    std::fs::write(path, text)
        .map_err(|e| Error::Internal(format!("cannot write {}: {e}", path.display())))
}

/// What replaying a recorded evaluation found.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReplayReport {
    /// The record replayed.
    pub id: String,
    /// Whether the white box (score, grade, contributions, reasons — or the
    /// error) is identical.
    pub identical: bool,
    /// Each field that differs: `field: recorded → now`.
    pub differences: Vec<String>,
    /// Fuel recorded and fuel now.
    pub fuel: (u64, u64),
    /// Whether fuel was compared (only on the same wasmtime version).
    pub fuel_compared: bool,
}

/// Re-run evaluation `id` with the exact module it used (by SHA-256, from
/// the store) on its recorded input, and compare. Fails if the input was
/// erased.
pub async fn replay(catalog: &crate::catalog::Catalog, id: &str) -> Result<ReplayReport, Error> {
    let shown = show(catalog.registry(), id).await?;
    if shown.record["kind"] != "evaluation" {
        return Err(Error::BadRequest(format!(
            "record {id} is a registry action, not an evaluation"
        )));
    }
    let Some(input) = shown.input else {
        return Err(Error::BadRequest(format!(
            "the input of record {id} was erased on {}: it can be shown, not replayed",
            shown.erased_at.unwrap_or_default()
        )));
    };
    let sha = shown.record["model"]["sha256"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut model = catalog.load_sha(&sha)?;
    if let Some(budget) = shown.record["fuel_budget"].as_u64() {
        model.tighten(&crate::sandbox::Limits {
            fuel: budget,
            ..*catalog.runtime().limits()
        });
    }
    let (result, response) = match model.evaluate_wire(&input) {
        Ok((req, o)) => {
            let resp = model.response(&req, &o);
            (Ok(o), Some(resp))
        }
        Err(e) => (Err(e), None),
    };
    let (now, fuel_now) = outcome_json(&result, response.as_ref());
    let recorded = recorded_white_box(&shown.record);
    let mut differences = Vec::new();
    for field in ["score", "grade", "contributions", "reasons", "error"] {
        if recorded[field] != now[field] {
            differences.push(format!("{field}: {} → {}", recorded[field], now[field]));
        }
    }
    let fuel_recorded = shown.record["fuel"].as_u64().unwrap_or(0);
    let fuel_compared = shown.record["wasmtime_version"] == crate::WASMTIME_VERSION;
    if fuel_compared && fuel_recorded != fuel_now {
        differences.push(format!("fuel: {fuel_recorded} → {fuel_now}"));
    }
    Ok(ReplayReport {
        id: id.to_string(),
        identical: differences.is_empty(),
        differences,
        fuel: (fuel_recorded, fuel_now),
        fuel_compared,
    })
}

/// Records per group commit at most. 256: a transaction of a few hundred
/// small inserts commits in about the time of one fsync, and a caller never
/// waits behind more than that.
pub const MAX_BATCH: usize = 256;

/// How often a long-running writer signs a checkpoint while records arrive.
/// 1 s: "at least every few seconds" (design.md), at a cost of one signature
/// and one small insert per second.
pub const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_secs(1);

struct Job {
    record: NewRecord,
    reply: tokio::sync::oneshot::Sender<Result<LogEntry, Error>>,
}

/// The log writer of a long-running process: concurrent evaluations queue
/// their records and share commits (group commit) — one transaction and one
/// fsync per batch — and each caller gets its answer only once its record
/// is durable. It keeps the tree's right edge in memory ([`merkle::Frontier`])
/// and signs a checkpoint at most every [`CHECKPOINT_EVERY`].
#[derive(Clone)]
pub struct AuditWriter {
    jobs: tokio::sync::mpsc::Sender<Job>,
    commits: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl AuditWriter {
    /// Start the writer on the current tokio runtime.
    pub async fn start(
        registry: std::sync::Arc<Registry>,
        key: LogKey,
    ) -> Result<AuditWriter, Error> {
        let mut frontier = merkle::Frontier::from_leaves(&stored_leaves(&registry).await?);
        let (jobs, mut rx) = tokio::sync::mpsc::channel::<Job>(4 * MAX_BATCH);
        let commits = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let counter = commits.clone();
        tokio::spawn(async move {
            let mut last_checkpoint = std::time::Instant::now() - CHECKPOINT_EVERY;
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(j) => batch.push(j),
                        Err(_) => break,
                    }
                }
                let (records, replies): (Vec<_>, Vec<_>) =
                    batch.into_iter().map(|j| (j.record, j.reply)).unzip();
                match registry.append_records(records).await {
                    Ok(entries) => {
                        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if entries.first().map(|e| e.seq) != Some(frontier.size()) {
                            // Another process appended too: rebuild the edge.
                            if let Ok(all) = stored_leaves(&registry).await {
                                frontier = merkle::Frontier::from_leaves(&all);
                            }
                        } else {
                            for e in &entries {
                                // The leaf hash was computed on append: reuse it.
                                let mut leaf = [0u8; 32];
                                if hex::decode_to_slice(&e.leaf_hash, &mut leaf).is_err() {
                                    leaf = merkle::leaf_hash(e.record.as_bytes());
                                }
                                frontier.push(leaf);
                            }
                        }
                        if last_checkpoint.elapsed() >= CHECKPOINT_EVERY {
                            let cp = key.sign(
                                frontier.size(),
                                &frontier.root(),
                                &scorehost_registry::now(),
                            );
                            let stored = StoredCheckpoint {
                                tree_size: cp.tree_size,
                                root_hash: cp.root_hash,
                                at: cp.timestamp,
                                signature: cp.signature,
                            };
                            if registry.save_checkpoint(&stored).await.is_ok() {
                                last_checkpoint = std::time::Instant::now();
                            }
                        }
                        for (reply, entry) in replies.into_iter().zip(entries) {
                            let _ = reply.send(Ok(entry));
                        }
                    }
                    Err(e) => {
                        for reply in replies {
                            let _ = reply.send(Err(Error::from(e.clone())));
                        }
                    }
                }
            }
        });
        Ok(AuditWriter { jobs, commits })
    }

    /// Record one evaluation; returns once it is durable.
    pub async fn record(&self, ev: &Evaluated<'_>) -> Result<LogEntry, Error> {
        let record = evaluation_record(ev)?;
        let (reply, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .send(Job { record, reply })
            .await
            .map_err(|_| Error::Internal("the audit writer has stopped".into()))?;
        rx.await
            .map_err(|_| Error::Internal("the audit writer has stopped".into()))?
    }

    /// Transactions committed so far (each holds one batch).
    pub fn commits(&self) -> u64 {
        self.commits.load(std::sync::atomic::Ordering::Relaxed)
    }
}
