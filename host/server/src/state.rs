//! [`Service`]: the state every route shares — the engine, and what only
//! the HTTP service has: admission's slots and per-caller places, the
//! failed-authentication throttle, batch runs, counters.

use std::sync::Arc;

use scorehost_engine::{Engine, Error};
use scorehost_runtime::sandbox::Runtime;

use crate::error::ApiError;
use crate::routes::{batches, plugins};
use crate::{MAX_IN_FLIGHT, admission, auth, metrics};

/// The state every route shares.
pub struct Service {
    /// The use cases and what they share: catalog, log writer, caches,
    /// shadows.
    pub engine: Arc<Engine>,
    /// Counters for `/metrics`.
    pub metrics: metrics::Metrics,
    /// Failed authentications per client, and their delays.
    pub failures: auth::Throttle,
    /// Admission: one permit per request in flight.
    pub(crate) slots: Arc<tokio::sync::Semaphore>,
    /// Admission: requests in flight per caller.
    pub in_flight: admission::PerKey,
    /// Admission: uploads in flight per caller.
    pub uploads: admission::PerKey,
    /// The data dir (batch runs keep their files under `batches/`).
    pub data_dir: std::path::PathBuf,
    /// Batch runs of this process.
    pub runs: batches::Runs,
    /// One upload compiles at a time ([`Service::compile_module`]).
    compiles: Arc<tokio::sync::Semaphore>,
    /// The reads of people's records recorded lately: a read repeated
    /// within [`crate::routes::subjects::READ_RECORDED_FOR`] is not
    /// recorded again ([`crate::routes::subjects::log_reads`]).
    pub recent_reads: crate::routes::subjects::RecentReads,
}

impl Service {
    /// Open the data dir and database, and start the log writer.
    pub async fn open(
        runtime: Runtime,
        data_dir: &std::path::Path,
        db: Option<&str>,
    ) -> Result<Arc<Service>, Error> {
        let engine = Engine::open(runtime, data_dir, db).await?;
        Ok(Arc::new(Service {
            engine: Arc::new(engine),
            metrics: metrics::Metrics::default(),
            failures: auth::Throttle::default(),
            slots: Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT)),
            in_flight: admission::PerKey::default(),
            uploads: admission::PerKey::default(),
            data_dir: data_dir.to_path_buf(),
            runs: batches::Runs::new(),
            compiles: Arc::new(tokio::sync::Semaphore::new(1)),
            recent_reads: Default::default(),
        }))
    }

    /// Compile and check an uploaded module against the version its route
    /// names, on a blocking thread and one upload at a time: a compile
    /// holds a core for a second or more, and two at once would starve
    /// scoring. Called only after the caller's role was checked. The
    /// result (a refusal too) is handed to the registry's publish.
    pub(crate) async fn compile_module(
        &self,
        bytes: axum::body::Bytes,
        expected: scorehost_registry::VersionRef,
    ) -> Result<plugins::Checked, ApiError> {
        let turn = self
            .compiles
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::from(Error::Internal("the compile queue closed".into())))?;
        let runtime = self.engine.catalog.runtime().clone();
        // The turn is held by the compile itself, not by the request: a
        // request that times out (REQUEST_TIMEOUT) does not free it while its
        // compile still runs, so compiles never pile up.
        let checked = tokio::task::spawn_blocking(move || {
            let _turn = turn;
            plugins::check_against_path(&runtime, &bytes, &expected)
        })
        .await
        .map_err(|e| ApiError::from(Error::Internal(format!("the compile failed: {e}"))))?;
        Ok(plugins::Checked(checked))
    }

    /// Requests in flight now.
    pub fn in_flight(&self) -> usize {
        MAX_IN_FLIGHT - self.slots.available_permits()
    }
}
