//! What a batch run keeps on disk, and for how long: uploads streamed to
//! their file as they arrive, each caller's quota of stored runs and bytes,
//! and the sweep that removes a run's files once it has been kept
//! [`RETENTION`].
//!
//! A run's files are `batches/<id>/` in the data dir: its input (uploaded,
//! or assembled from the data store) and its results. Every stored run of
//! a caller counts against its quota until the sweep removes it; the run's
//! row (who ran what, when, the input's SHA-256 and the summary) stays in
//! the registry, and its evaluations stay in the log.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use futures_util::StreamExt as _;
use tokio::io::AsyncWriteExt as _;

use crate::Service;
use crate::admission::Held;
use crate::error::ApiError;

/// Runs one caller (an app, the province) may have stored at once: 16.
/// Enough for a day's work of any app; a caller that needs more waits for
/// the sweep, or scores from the data store, which stores only results.
pub const MAX_RUNS_PER_CALLER: usize = 16;

/// Bytes one caller's stored runs (inputs and results) may take: 1 GiB,
/// about two of the largest uploads ([`super::MAX_BATCH_BODY`]) with their
/// results. Checked before an upload is read and while it is written: an
/// upload that would pass it is cut off and nothing of it is kept.
pub const MAX_BYTES_PER_CALLER: u64 = 1 << 30;

/// The quota of this process: [`MAX_RUNS_PER_CALLER`] and
/// [`MAX_BYTES_PER_CALLER`], unless `SCOREHOST_BATCH_MAX_RUNS` or
/// `SCOREHOST_BATCH_MAX_BYTES` set others when the service starts (a
/// province with a large disk and large uploads raises them).
pub fn quota() -> (usize, u64) {
    static QUOTA: std::sync::OnceLock<(usize, u64)> = std::sync::OnceLock::new();
    *QUOTA.get_or_init(|| {
        let runs = std::env::var("SCOREHOST_BATCH_MAX_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(MAX_RUNS_PER_CALLER);
        let bytes = std::env::var("SCOREHOST_BATCH_MAX_BYTES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(MAX_BYTES_PER_CALLER);
        (runs, bytes)
    })
}

/// How long a run's files are kept after it finished (or, for one that
/// never finished, after it was started): 7 days, for the caller to
/// download the results; the evaluations themselves stay in the log.
pub const RETENTION: Duration = Duration::from_secs(7 * 24 * 3600);

/// How often the sweep looks for runs past [`RETENTION`]: hourly.
pub const SWEEP_EVERY: Duration = Duration::from_secs(3600);

fn limit(message: String) -> ApiError {
    ApiError::limit_reached(message, 60)
}

/// What a caller's stored runs take now: (runs, bytes).
async fn stored(service: &Service, caller: &str) -> Result<(usize, u64), ApiError> {
    let mine = service.data_dir.join("batches");
    let dirs: Vec<PathBuf> = service
        .engine
        .catalog
        .registry()
        .batches(Some(caller))
        .await?
        .into_iter()
        .filter_map(|r| Path::new(&r.source).parent().map(Path::to_path_buf))
        .filter(|d| d.starts_with(&mine))
        .collect();
    let sizes = tokio::task::spawn_blocking(move || {
        dirs.iter()
            .filter_map(|d| std::fs::read_dir(d).ok())
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok()?.metadata().ok())
                    .map(|m| m.len())
                    .sum::<u64>()
            })
            .collect::<Vec<u64>>()
    })
    .await
    .map_err(|e| ApiError::from(scorehost_engine::Error::Internal(e.to_string())))?;
    Ok((sizes.len(), sizes.iter().sum()))
}

/// Room for one more run of `caller`: its upload turn, and the bytes its
/// quota has left. 429 `limit_reached` if it is uploading already, or has
/// [`MAX_RUNS_PER_CALLER`] runs or [`MAX_BYTES_PER_CALLER`] bytes stored.
pub async fn admit_run(service: &Service, caller: &str) -> Result<(Held, u64), ApiError> {
    // One start at a time per caller, so that the quota checked here holds
    // while the upload is written.
    let Some(turn) = service.runs.starting.try_take(caller, 1) else {
        return Err(limit(
            "you are starting another batch run now; start one at a time".into(),
        ));
    };
    let (runs, bytes) = stored(service, caller).await?;
    let (max_runs, max_bytes) = quota();
    if runs >= max_runs {
        return Err(limit(format!(
            "you have {runs} batch runs stored, the most one caller may keep ({max_runs}); their files are removed {} days after each finished",
            RETENTION.as_secs() / 86400
        )));
    }
    if bytes >= max_bytes {
        return Err(limit(format!(
            "your stored batch runs take {bytes} bytes, the most one caller may keep ({max_bytes}); their files are removed {} days after each finished",
            RETENTION.as_secs() / 86400
        )));
    }
    Ok((turn, max_bytes - bytes))
}

/// A run's directory, removed when dropped unless [`RunDir::keep`] was
/// called: a refused or broken upload leaves nothing behind.
pub struct RunDir {
    dir: PathBuf,
    keep: bool,
}

impl RunDir {
    /// Create `dir` (owner-only, as the data dir).
    pub fn create(dir: &Path) -> Result<RunDir, ApiError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            ApiError::from(scorehost_engine::Error::Internal(format!(
                "cannot store the batch input: {e}"
            )))
        })?;
        Ok(RunDir {
            dir: dir.to_path_buf(),
            keep: false,
        })
    }

    /// Keep the directory: the run is registered.
    pub fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if !self.keep {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Stream an upload into `file` as it arrives (the file is written on the
/// blocking pool, never on the async workers), at most `max` bytes and at
/// most `room` (what the caller's quota has left). Returns the bytes
/// written.
pub async fn stream_to_file(
    body: axum::body::Body,
    file: &Path,
    max: usize,
    room: u64,
) -> Result<u64, ApiError> {
    let internal = |e: std::io::Error| {
        ApiError::from(scorehost_engine::Error::Internal(format!(
            "cannot store the batch input: {e}"
        )))
    };
    let mut out = tokio::io::BufWriter::with_capacity(
        1 << 20,
        tokio::fs::File::create(file).await.map_err(internal)?,
    );
    let mut stream = body.into_data_stream();
    let mut written: u64 = 0;
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request(format!("the upload broke off: {e}")))?;
        written += chunk.len() as u64;
        if written > max as u64 {
            return Err(ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                format!(
                    "an uploaded batch may be at most {max} bytes; score larger populations from the data store"
                ),
            ));
        }
        if written > room {
            return Err(limit(format!(
                "this upload would take your stored batch runs past {} bytes; nothing of it was kept",
                quota().1
            )));
        }
        out.write_all(&chunk).await.map_err(internal)?;
    }
    out.flush().await.map_err(internal)?;
    out.into_inner().sync_all().await.map_err(internal)?;
    Ok(written)
}

/// The first line of the NDJSON file at `path` that claims what only the
/// host sets ([`scorehost_runtime::wire::first_line_claiming_withheld`]), read on a
/// blocking thread a line at a time.
pub async fn first_line_claiming_withheld(path: &Path) -> Result<Option<usize>, ApiError> {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        use std::io::BufRead as _;
        let file = std::io::BufReader::with_capacity(1 << 20, std::fs::File::open(&path)?);
        for (i, line) in file.split(b'\n').enumerate() {
            let line = line?;
            // Only a line that names the field can claim it: the rest is
            // not parsed here.
            let names = |field: &[u8]| line.windows(field.len()).any(|w| w == field);
            if (names(b"\"withheld\"") || names(b"\"from_store\""))
                && scorehost_runtime::wire::first_line_claiming_withheld(&line).is_some()
            {
                return Ok(Some(i + 1));
            }
        }
        Ok(None)
    })
    .await
    .map_err(|e| ApiError::from(scorehost_engine::Error::Internal(e.to_string())))?
    .map_err(|e: std::io::Error| {
        ApiError::from(scorehost_engine::Error::Internal(format!(
            "cannot read the batch input: {e}"
        )))
    })
}

/// Whether a run's files are past [`RETENTION`] at `now`: kept since it
/// finished, or (never finished, not running here) since it started.
fn expired(run: &scorehost_registry::BatchRun, live: bool, now: time::OffsetDateTime) -> bool {
    let since = match (&run.finished_at, live) {
        (Some(finished), _) => finished,
        (None, false) => &run.created_at,
        (None, true) => return false,
    };
    time::OffsetDateTime::parse(since, &time::format_description::well_known::Rfc3339)
        .is_ok_and(|t| now - t > RETENTION)
}

/// Remove the files of every run of this data dir past [`RETENTION`];
/// returns how many runs' files went.
pub async fn sweep(service: &Service) -> Result<usize, scorehost_engine::Error> {
    let mine = service.data_dir.join("batches");
    let now = time::OffsetDateTime::now_utc();
    let live: HashSet<String> = service
        .runs
        .running
        .lock()
        .expect("runs")
        .iter()
        .filter(|(_, r)| r.is_active())
        .map(|(id, _)| id.clone())
        .collect();
    let mut removed = 0;
    for run in service.engine.catalog.registry().batches(None).await? {
        let Some(dir) = Path::new(&run.source).parent() else {
            continue;
        };
        if !dir.starts_with(&mine) || !dir.exists() || !expired(&run, live.contains(&run.id), now) {
            continue;
        }
        match tokio::fs::remove_dir_all(dir).await {
            Ok(()) => removed += 1,
            Err(e) => tracing::warn!(batch = %run.id, "cannot remove an expired run's files: {e}"),
        }
    }
    Ok(removed)
}

/// Sweep now and every [`SWEEP_EVERY`] for as long as the process runs.
pub fn spawn_sweep(service: Arc<Service>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SWEEP_EVERY);
        loop {
            every.tick().await;
            match sweep(&service).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(
                    runs = n,
                    "removed the files of batch runs past their retention"
                ),
                Err(e) => tracing::warn!("cannot sweep batch runs: {e}"),
            }
        }
    });
}
