//! Where one request's time goes, stage by stage.
//!
//! The service opens a [`Clock`] for each scoring request and runs the
//! request inside it ([`timed`]); every stage on the way — authentication,
//! consent, completion from the store, the wait for a lane, the
//! evaluation, the hand-off back, the wait for the group commit — adds the
//! time it took to that request's clock ([`add`]). The server turns the
//! clocks into the per-stage histograms of `/metrics`
//! (`scorehost_stage_seconds`), and `scripts/bench-http.sh` summarises
//! them. Outside a clock (the CLI, a batch run, a shadow's task) [`add`]
//! does nothing.
//!
//! Cost: one task-local lookup and one relaxed atomic add per stage, a few
//! nanoseconds; the clock itself is one small allocation per request.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// A stage of a request, in the order a scoring request meets them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Admission: the caller's places, reading the body, the service's
    /// slot (authentication excluded).
    Admission,
    /// The bearer token turned into a caller (the token cache, or the
    /// registry behind it).
    Auth,
    /// The body parsed as JSON.
    Parse,
    /// The consent check, before anything of the subject is read.
    Consent,
    /// A stored subject's request completed from the 1+N store.
    Completion,
    /// Waiting for the model's lane (the caller's queue, the slow lane) and
    /// for a blocking thread to start the evaluation.
    Lane,
    /// The evaluation on its thread: the request checked, a fresh sandbox,
    /// the white box checked, the record built.
    Evaluation,
    /// From the evaluation's end on its thread to the request's task
    /// running again.
    Handoff,
    /// Waiting for the record's group commit to be durable, and for the
    /// writer's reply to wake the request.
    Commit,
    /// The answer serialised and handed to the connection.
    Answer,
}

impl Stage {
    /// Every stage, in order.
    pub const ALL: [Stage; 10] = [
        Stage::Admission,
        Stage::Auth,
        Stage::Parse,
        Stage::Consent,
        Stage::Completion,
        Stage::Lane,
        Stage::Evaluation,
        Stage::Handoff,
        Stage::Commit,
        Stage::Answer,
    ];

    /// The stage's name, as `/metrics` labels it.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Admission => "admission",
            Stage::Auth => "auth",
            Stage::Parse => "parse",
            Stage::Consent => "consent",
            Stage::Completion => "completion",
            Stage::Lane => "lane",
            Stage::Evaluation => "evaluation",
            Stage::Handoff => "handoff",
            Stage::Commit => "commit",
            Stage::Answer => "answer",
        }
    }
}

/// One request's time in each stage (a composite's steps add up).
#[derive(Debug, Default)]
pub struct Clock {
    nanos: [AtomicU64; Stage::ALL.len()],
}

impl Clock {
    /// Add `took` to `stage`.
    pub fn add(&self, stage: Stage, took: Duration) {
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.nanos[stage as usize].fetch_add(nanos, Ordering::Relaxed);
    }

    /// The time spent in `stage` so far.
    pub fn get(&self, stage: Stage) -> Duration {
        Duration::from_nanos(self.nanos[stage as usize].load(Ordering::Relaxed))
    }
}

tokio::task_local! {
    static CLOCK: Arc<Clock>;
}

/// Run `f` with `clock` as its request's clock: every [`add`] made by its
/// task, at any depth, goes to `clock`.
pub async fn timed<F: std::future::Future>(clock: Arc<Clock>, f: F) -> F::Output {
    CLOCK.scope(clock, f).await
}

/// Add `took` to `stage` of the current request's clock, if there is one.
pub fn add(stage: Stage, took: Duration) {
    let _ = CLOCK.try_with(|clock| clock.add(stage, took));
}

/// Add the time since `start` to `stage` (see [`add`]).
pub fn since(stage: Stage, start: Instant) {
    add(stage, start.elapsed());
}

/// Await `f`, adding the time it took to `stage`.
pub async fn measure<F: std::future::Future>(stage: Stage, f: F) -> F::Output {
    let start = Instant::now();
    let out = f.await;
    since(stage, start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn stages_add_up_inside_a_clock_and_nowhere_else() {
        add(Stage::Auth, Duration::from_millis(5)); // no clock: ignored
        let clock = Arc::new(Clock::default());
        timed(clock.clone(), async {
            add(Stage::Auth, Duration::from_micros(30));
            add(Stage::Auth, Duration::from_micros(12));
            measure(Stage::Commit, tokio::time::sleep(Duration::from_millis(2))).await;
        })
        .await;
        assert_eq!(clock.get(Stage::Auth), Duration::from_micros(42));
        assert!(clock.get(Stage::Commit) >= Duration::from_millis(2));
        assert_eq!(clock.get(Stage::Evaluation), Duration::ZERO);
    }
}
