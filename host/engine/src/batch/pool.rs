//! The threads a batch run evaluates on: its own, at a lower CPU priority
//! than the service's online scoring.
//!
//! A batch run evaluates hundreds of thousands of subjects back to back. On
//! the async runtime's workers it would hold the threads that accept
//! connections and answer online requests; on the shared blocking pool it
//! would take the cores at the same priority as the online evaluations
//! beside it. Here it has [`Pool::new`]'s threads, each lowered to nice
//! [`BATCH_NICE`] (Linux: per thread), so the scheduler gives a core to an
//! online evaluation first and the batch the time left over — all of it on
//! a quiet server.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use crate::Error;

/// The niceness of a batch's threads: 10, so an online evaluation at the
/// default 0 gets about ten times the CPU of a batch thread beside it.
pub const BATCH_NICE: i32 = 10;

type Job = Box<dyn FnOnce() + Send>;

/// A batch's evaluation threads; they end when the pool is dropped.
pub struct Pool {
    jobs: Mutex<mpsc::Sender<Job>>,
}

impl Pool {
    /// `threads` threads (at least one) at nice [`BATCH_NICE`].
    pub fn new(threads: usize) -> Result<Pool, Error> {
        let (tx, rx) = mpsc::channel::<Job>();
        let rx = Arc::new(Mutex::new(rx));
        for _ in 0..threads.max(1) {
            let rx = rx.clone();
            std::thread::Builder::new()
                .name("scorehost-batch-eval".into())
                .spawn(move || {
                    scorehost_registry::lower_thread_priority(BATCH_NICE);
                    loop {
                        let job = rx.lock().expect("batch jobs").recv();
                        match job {
                            Ok(job) => job(),
                            Err(_) => return,
                        }
                    }
                })
                .map_err(|e| Error::Internal(format!("cannot start a batch thread: {e}")))?;
        }
        Ok(Pool {
            jobs: Mutex::new(tx),
        })
    }

    /// Run `f` on one of the pool's threads and wait for its result.
    pub async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, Error> {
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.jobs
            .lock()
            .expect("batch jobs")
            .send(Box::new(move || {
                let _ = tx.send(f());
            }))
            .map_err(|_| Error::Internal("the batch's threads stopped".into()))?;
        rx.await
            .map_err(|_| Error::Internal("a batch thread failed".into()))
    }
}
