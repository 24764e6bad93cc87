//! Work that runs in the background while its page shows progress: an
//! impact analysis, a verification of the whole log. Each job is one API
//! call made with its owner's token; its page polls
//! `/console/jobs/{id}` (its owner's only) and shows the result when done.
//!
//! The API call reports no fraction done, so progress is the time elapsed
//! against what the work is expected to take; the page says so.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::Method;
use serde_json::Value;

use crate::api::{Api, Who};

/// How long a finished job's result is kept: 1 hour (the reviewer reads
/// it, comes back after lunch, starts another).
pub const KEEP_RESULT: Duration = Duration::from_secs(3600);

/// The most jobs kept at once: 1,000 (finished ones are dropped first).
/// Each token runs at most one job of a kind at a time, and the API itself
/// runs one impact analysis at a time per caller.
pub const MAX_JOBS: usize = 1_000;

/// Where a job stands.
#[derive(Clone, Debug)]
pub enum State {
    /// Running since `started`.
    Running,
    /// Done: the API's answer.
    Done(Value),
    /// The API refused or failed: its message.
    Failed(String),
}

/// One job.
#[derive(Clone, Debug)]
pub struct Job {
    /// Its id (random).
    pub id: String,
    /// The token that started it: only its sessions see it.
    pub owner: String,
    /// What it is (`impact:ns/name@version`, `verify`).
    pub key: String,
    /// When it started.
    pub started: Instant,
    /// When it finished.
    pub finished: Option<Instant>,
    /// Where it stands.
    pub state: State,
}

impl Job {
    /// Seconds since it started (until it finished).
    pub fn elapsed_secs(&self) -> f64 {
        self.finished
            .unwrap_or_else(Instant::now)
            .duration_since(self.started)
            .as_secs_f64()
    }
}

/// The jobs of this process.
#[derive(Default, Clone)]
pub struct Jobs {
    map: Arc<Mutex<HashMap<String, Job>>>,
}

impl Jobs {
    /// The latest job of `owner` for `key`, if any.
    pub fn latest(&self, owner: &str, key: &str) -> Option<Job> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.values()
            .filter(|j| j.owner == owner && j.key == key)
            .max_by_key(|j| j.started)
            .cloned()
    }

    /// Job `id`, if `owner` started it (another's is "no such job").
    pub fn get(&self, owner: &str, id: &str) -> Option<Job> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(id).filter(|j| j.owner == owner).cloned()
    }

    /// Keep `value` as `owner`'s finished job for `key` (work done within
    /// the request, such as a replay, whose result the next page shows).
    pub fn finished(&self, owner: &str, key: &str, value: Value) {
        let now = Instant::now();
        let job = Job {
            id: crate::session::random_hex(16),
            owner: owner.to_string(),
            key: key.to_string(),
            started: now,
            finished: Some(now),
            state: State::Done(value),
        };
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, j| !(j.owner == owner && j.key == key));
        if map.len() >= MAX_JOBS {
            map.retain(|_, j| j.finished.is_none_or(|f| f.elapsed() < KEEP_RESULT));
        }
        if map.len() < MAX_JOBS {
            map.insert(job.id.clone(), job);
        }
    }

    /// Start `method path` with `body` as `who` in the background, unless
    /// `owner` already runs a job for `key` (then that one is returned).
    pub fn start(
        &self,
        api: &Api,
        who: Who,
        owner: &str,
        key: &str,
        call: (Method, String, Option<Value>),
    ) -> Job {
        if let Some(job) = self.latest(owner, key)
            && matches!(job.state, State::Running)
        {
            return job;
        }
        let job = Job {
            id: crate::session::random_hex(16),
            owner: owner.to_string(),
            key: key.to_string(),
            started: Instant::now(),
            finished: None,
            state: State::Running,
        };
        {
            let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
            map.retain(|_, j| j.finished.is_none_or(|f| f.elapsed() < KEEP_RESULT));
            while map.len() >= MAX_JOBS {
                let Some(oldest) = map
                    .values()
                    .min_by_key(|j| (j.finished.is_none(), j.started))
                    .map(|j| j.id.clone())
                else {
                    break;
                };
                map.remove(&oldest);
            }
            map.insert(job.id.clone(), job.clone());
        }
        let (jobs, api, id) = (self.clone(), api.clone(), job.id.clone());
        tokio::spawn(async move {
            let (method, path, body) = call;
            let state = match api.call(&who, method, &path, body.as_ref()).await {
                Ok(answer) => match answer.ok() {
                    Ok(v) => State::Done(v),
                    Err(e) => State::Failed(e.to_string()),
                },
                Err(e) => State::Failed(e.to_string()),
            };
            let mut map = jobs.map.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(j) = map.get_mut(&id) {
                j.state = state;
                j.finished = Some(Instant::now());
            }
        });
        job
    }
}
