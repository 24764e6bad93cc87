//! `/v1/batches`: batch scoring over HTTP — start a run, follow its
//! progress, download its results. The same engine as `scorehost batch`
//! ([`scorehost_engine::batch`]): every subject in a fresh sandbox, every evaluation in
//! the log, results in input order.
//!
//! A run's files live in the data dir, `batches/<id>/input.ndjson` and
//! `output.ndjson`, within each caller's quota and for a limited time
//! ([`storage`]). Runs take turns — one at a time per server, sharing the
//! cores with online scoring, and one caller's queued runs never ahead of
//! another caller's next one; a run the server did not finish (it was
//! stopped or killed) is resumed exactly when the server starts again.

pub mod storage;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse as _;
use scorehost_registry::{BatchRun, ModelName, Role};
use serde::{Deserialize, Serialize};

use crate::Service;
use crate::auth::{Caller, Need};
use crate::error::{ApiError, ErrorBody};
use scorehost_engine::batch::{self, Format, Job, Log, Progress};

/// The largest uploaded batch: 256 MiB, some 300,000 subjects of a
/// ten-indicator model. Larger populations are scored from the data store
/// (`{"model": …}` without subjects), which has no such limit.
pub const MAX_BATCH_BODY: usize = 256 << 20;

/// The runs this server is running or has run since it started.
pub struct Runs {
    running: Mutex<HashMap<String, Arc<Running>>>,
    /// One run at a time: each already uses every core.
    turn: tokio::sync::Semaphore,
    /// Per caller, the gate its runs pass before the turn: one run of a
    /// caller waits for the turn at a time, so the turn's queue (first
    /// come, first served) holds at most one run of each caller — turns
    /// between callers, not one caller's backlog ahead of everyone.
    gates: Mutex<HashMap<String, Arc<tokio::sync::Semaphore>>>,
    /// The callers starting a run now ([`storage::admit_run`]).
    starting: crate::admission::PerKey,
}

impl Default for Runs {
    fn default() -> Runs {
        Runs::new()
    }
}

impl Runs {
    /// No runs yet; one may run at a time.
    pub fn new() -> Runs {
        Runs {
            running: Mutex::new(HashMap::new()),
            turn: tokio::sync::Semaphore::new(1),
            gates: Mutex::new(HashMap::new()),
            starting: crate::admission::PerKey::default(),
        }
    }

    fn gate(&self, caller: &str) -> Arc<tokio::sync::Semaphore> {
        self.gates
            .lock()
            .expect("run gates")
            .entry(caller.to_string())
            .or_insert_with(|| Arc::new(tokio::sync::Semaphore::new(1)))
            .clone()
    }
}

/// A run in this process.
pub struct Running {
    progress: Arc<Progress>,
    state: Mutex<RunState>,
}

impl Running {
    /// Queued or running in this process.
    fn is_active(&self) -> bool {
        matches!(
            *self.state.lock().expect("run state"),
            RunState::Queued | RunState::Running
        )
    }
}

#[derive(Clone, Debug)]
enum RunState {
    Queued,
    Running,
    Finished,
    Failed(String),
}

/// The JSON form of `POST /v1/batches` (subjects from the data store).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StoreBatch {
    /// The model, `namespace/name`; its pinned version scores.
    pub model: String,
    /// The subjects to score, by id; default: every subject with a stored
    /// base evaluation of a kind the model scores.
    #[serde(default)]
    pub subjects: Option<Vec<String>>,
    /// The evaluation date (default: today). An app's batch is evaluated
    /// as of today only (another date is refused, 403); the province's at
    /// any date.
    #[serde(default)]
    pub as_of: Option<String>,
}

/// `?model=` for an uploaded batch.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The model, `namespace/name`.
    pub model: Option<String>,
}

/// A run as the API shows it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BatchStatus {
    /// The run's id.
    pub id: String,
    /// `queued`, `running`, `finished`, `failed`, `interrupted` (not
    /// running here and not finished: it resumes when its server starts),
    /// or `expired` (its files were removed after
    /// [`storage::RETENTION`]; the summary and the log remain).
    pub status: String,
    /// The model, its version and module hash.
    pub model: String,
    /// Version.
    pub version: String,
    /// Module SHA-256.
    pub sha256: String,
    /// Who started it.
    pub caller: String,
    /// When.
    pub created_at: String,
    /// Items in the input (an estimate while it is being read).
    pub total: Option<u64>,
    /// Items with their result written.
    pub done: Option<u64>,
    /// Of those, without a score.
    pub failed: Option<u64>,
    /// When it finished.
    pub finished_at: Option<String>,
    /// SHA-256 of the input.
    pub input_sha256: Option<String>,
    /// The summary (grades, failures by reason, histogram), once finished.
    #[schema(value_type = Option<Object>)]
    pub summary: Option<serde_json::Value>,
    /// Why it failed.
    pub error: Option<String>,
    /// Where the results are (NDJSON, in input order).
    pub results: String,
}

fn status_of(run: &BatchRun, live: Option<&Running>) -> BatchStatus {
    let (status, error) = match (
        live.map(|r| r.state.lock().expect("run state").clone()),
        &run.finished_at,
    ) {
        (_, Some(_)) => ("finished", None),
        (Some(RunState::Queued), _) => ("queued", None),
        (Some(RunState::Running), _) => ("running", None),
        (Some(RunState::Failed(e)), _) => ("failed", Some(e)),
        (Some(RunState::Finished), None) | (None, None) => ("interrupted", None),
    };
    // A finished or interrupted run whose files the sweep removed.
    let status = match std::path::Path::new(&run.source).parent() {
        Some(dir) if matches!(status, "finished" | "interrupted") && !dir.exists() => "expired",
        _ => status,
    };
    let summary: Option<serde_json::Value> = run
        .summary
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok());
    let count = |f: &dyn Fn(&Progress) -> u64, key: &str| {
        live.map(|r| f(&r.progress))
            .or_else(|| summary.as_ref().and_then(|s| s[key].as_u64()))
    };
    BatchStatus {
        id: run.id.clone(),
        status: status.into(),
        model: run.model.clone(),
        version: run.version.clone(),
        sha256: run.sha256.clone(),
        caller: run.caller.clone(),
        created_at: run.created_at.clone(),
        total: count(&|p| p.total.load(Ordering::Relaxed), "items").or(run.total),
        done: count(&|p| p.done.load(Ordering::Relaxed), "items"),
        failed: count(&|p| p.failed.load(Ordering::Relaxed), "failed"),
        finished_at: run.finished_at.clone(),
        input_sha256: run.input_sha256.clone(),
        summary,
        error,
        results: format!("/v1/batches/{}/results", run.id),
    }
}

/// The app a caller scores for, after checking it may run batches with
/// `model` (apps: the models they are granted; the province: any).
fn may_batch(caller: &Caller, model: &ModelName) -> Result<Option<String>, ApiError> {
    match &caller.actor.role {
        Role::Province => Ok(None),
        Role::App(app) if caller.token.may_score(model) => Ok(Some(app.clone())),
        Role::App(_) => Err(caller.deny(format!(
            "{} is not granted {model} (its token lists: {})",
            caller.actor,
            caller.token.models.join(", ")
        ))),
        _ => Err(caller.deny(format!(
            "{} may not run batches: the province and apps do",
            caller.actor
        ))),
    }
}

/// Start a batch run. Either upload the subjects — NDJSON
/// (`application/x-ndjson`, one scoring request per line) or CSV
/// (`text/csv`, a header row and one subject per row), with `?model=` —
/// or send JSON naming the model (and optionally the subjects) to score
/// subjects from the data store. Apps need consent for each natural
/// person (others fail with `consent_required`). Answers 202 with the run;
/// follow it at `GET /v1/batches/{id}`.
#[utoipa::path(post, path = "/v1/batches", tag = "batches",
    params(UploadQuery),
    request_body(content = StoreBatch, description = "JSON (subjects from the store), or an NDJSON / CSV upload with ?model="),
    responses(
        (status = 202, description = "The run, queued or running", body = BatchStatus),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody)
    ),
    security(("bearer" = [])))]
pub async fn start(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Query(query): Query<UploadQuery>,
    headers: HeaderMap,
    body: Request,
) -> Result<(StatusCode, Json<BatchStatus>), ApiError> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_string();
    if !matches!(caller.actor.role, Role::Province | Role::App(_)) {
        return Err(caller.deny(format!(
            "{} may not run batches: the province and apps do",
            caller.actor
        )));
    }
    // A fresh run: any unique id (the CLI's ids name their arguments, so
    // that the same command finds its run again; an upload has none).
    let id = format!("{:016x}", rand_u64());
    let dir = service.data_dir.join("batches").join(&id);
    let mut store = None;
    let mut kept_dir = None;
    let admitted: (crate::admission::Held, u64);
    let (model, format, input) = match content_type.as_str() {
        "application/json" => {
            let crate::extract::JsonBody(mut spec) =
                crate::extract::JsonBody::<StoreBatch>::from_request_body(body).await?;
            let name: ModelName = spec.model.parse()?;
            may_batch(&caller, &name)?;
            admitted = storage::admit_run(&service, &caller.name()).await?;
            if matches!(caller.actor.role, Role::App(_)) {
                spec.as_of = Some(scorehost_engine::completion::app_as_of(
                    spec.as_of.as_deref(),
                )?);
            }
            let model = service.engine.pinned_model(&name).await?;
            if spec.subjects.as_ref().is_some_and(|s| s.is_empty()) {
                return Err(ApiError::bad_request(
                    "\"subjects\" is empty: name some, or leave it out to score every stored subject",
                ));
            }
            // The requests are assembled from the store in the background
            // (millions of subjects take longer than a request may).
            store = Some(spec);
            (model, Format::Ndjson, dir.join("input.ndjson"))
        }
        "application/x-ndjson" | "application/jsonl" | "text/csv" => {
            let Some(model) = &query.model else {
                return Err(ApiError::bad_request(
                    "say which model scores the upload: ?model=namespace/name",
                ));
            };
            let name: ModelName = model.parse()?;
            may_batch(&caller, &name)?;
            let model = service.engine.pinned_model(&name).await?;
            admitted = storage::admit_run(&service, &caller.name()).await?;
            let room = admitted.1;
            let (format, input) = match content_type.as_str() {
                "text/csv" => (Format::Csv, dir.join("input.csv")),
                _ => (Format::Ndjson, dir.join("input.ndjson")),
            };
            // Streamed to its file as it arrives; removed again if refused.
            let run_dir = storage::RunDir::create(&dir)?;
            storage::stream_to_file(body.into_body(), &input, MAX_BATCH_BODY, room).await?;
            if format == Format::Ndjson
                && let Some(line) = storage::first_line_claiming_withheld(&input).await?
            {
                return Err(scorehost_runtime::wire::refuse_claimed_withheld(&format!(
                    "line {line}: "
                ))
                .into());
            }
            if format == Format::Csv {
                // The header must fit the model before anything is queued.
                batch::csv_header(&input)
                    .and_then(|header| batch::CsvColumns::new(&header, model.info()))?;
            }
            kept_dir = Some(run_dir);
            (model, format, input)
        }
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                format!(
                    "send JSON (subjects from the data store), or the subjects as application/x-ndjson or text/csv with ?model=; not '{other}'"
                ),
            ));
        }
    };
    let consent_app = match &caller.actor.role {
        Role::App(app) => Some(app.clone()),
        _ => None,
    };
    let run = BatchRun {
        id: id.clone(),
        model: model.info().name.clone(),
        version: model.info().version.clone(),
        sha256: model.sha256().to_string(),
        caller: caller.name(),
        source: input.to_string_lossy().into_owned(),
        output: dir.join("output.ndjson").to_string_lossy().into_owned(),
        created_at: scorehost_registry::now(),
        total: None,
        finished_at: None,
        input_sha256: None,
        summary: None,
    };
    service.engine.catalog.registry().create_batch(&run).await?;
    if let Some(dir) = kept_dir {
        dir.keep();
    }
    // The caller may start its next run once this one is registered.
    drop(admitted);
    let live = launch(&service, run.clone(), model, format, consent_app, store);
    Ok((StatusCode::ACCEPTED, Json(status_of(&run, Some(&live)))))
}

fn rand_u64() -> u64 {
    let mut b = [0u8; 8];
    let _ = getrandom::getrandom(&mut b);
    u64::from_le_bytes(b)
}

fn write_input(
    dir: &std::path::Path,
    file: &std::path::Path,
    bytes: &[u8],
) -> Result<(), ApiError> {
    std::fs::create_dir_all(dir)
        .and_then(|_| std::fs::write(file, bytes))
        .map_err(|e| {
            ApiError::from(scorehost_engine::Error::Internal(format!(
                "cannot store the batch input: {e}"
            )))
        })
}

/// The requests of a batch over the data store, as NDJSON: each subject
/// completed from its stored base and indicator records
/// ([`scorehost_engine::completion::request`]), exactly as `POST /v1/scores` completes a
/// subject-only request. Fails, naming them, if subjects it names have no
/// stored base.
async fn from_store(
    service: &Service,
    model: &scorehost_engine::Model,
    spec: &StoreBatch,
    app: Option<&str>,
) -> Result<Vec<u8>, scorehost_engine::Error> {
    let registry = service.engine.catalog.registry();
    let info = model.info();
    let model_name: ModelName = info.name.parse()?;
    let as_of = spec
        .as_of
        .clone()
        .unwrap_or_else(scorehost_engine::completion::today);
    // An app's batch covers only the people who consented to it for this
    // model (and the other kinds of subject), decided before anything of
    // theirs is read; it names nobody else.
    let consenting: std::collections::HashSet<String> = match app {
        Some(app) => registry
            .consenting_subjects(app, &model_name)
            .await?
            .into_iter()
            .collect(),
        None => Default::default(),
    };
    let may = |id: &str, kind: &str| {
        app.is_none()
            || consenting.contains(id)
            || (kind != "natural-person" && !scorehost_engine::consent::looks_like_resident_id(id))
    };
    let mut out = Vec::new();
    let Some(ids) = &spec.subjects else {
        let n =
            scorehost_engine::completion::export_requests(registry, info, &as_of, may, &mut out)
                .await?;
        if n == 0 {
            return Err(scorehost_engine::Error::BadRequest(match app {
                None => format!(
                    "no subject of a kind {} scores has a stored base evaluation",
                    spec.model
                ),
                Some(app) => format!(
                    "no subject that app:{app} may score with {} is stored (a natural person needs their consent for this app and model)",
                    spec.model
                ),
            }));
        }
        return Ok(out);
    };
    // Subjects the caller may not score and subjects not stored are told
    // apart only for the province: an app hears one sentence for both.
    let mut missing = Vec::new();
    for id in ids {
        let kind = registry.stored_kind(id).await?;
        let admitted = match (&kind, app) {
            (_, None) => true,
            (None, Some(_)) => false,
            (Some(kind), Some(_)) => may(id, kind),
        };
        if !admitted {
            missing.push(id.as_str());
            continue;
        }
        match scorehost_engine::completion::request(registry, info, id, &as_of).await? {
            Some(req) => {
                serde_json::to_writer(&mut out, &req)
                    .map_err(|e| scorehost_engine::Error::Internal(e.to_string()))?;
                out.push(b'\n');
            }
            None => missing.push(id.as_str()),
        }
    }
    if !missing.is_empty() {
        let list = format!(
            "{}{}",
            missing
                .iter()
                .take(10)
                .copied()
                .collect::<Vec<_>>()
                .join(", "),
            if missing.len() > 10 { ", …" } else { "" }
        );
        return Err(match app {
            None => scorehost_engine::Error::BadRequest(format!(
                "{} of the subjects have no stored base evaluation (import them first): {list}",
                missing.len()
            )),
            Some(app) => scorehost_engine::Error::Registry(
                scorehost_registry::Error::ConsentRequired(format!(
                    "{} of the subjects cannot be scored by app:{app} with {}: each is either not stored or a natural person without a standing consent for this app and model (the two are not told apart): {list}",
                    missing.len(),
                    spec.model
                )),
            ),
        });
    }
    Ok(out)
}

/// Queue a run on this server: it starts when it has its turn (first
/// assembling its input from the data store, for `store`).
fn launch(
    service: &Arc<Service>,
    run: BatchRun,
    model: Arc<scorehost_engine::Model>,
    format: Format,
    consent_app: Option<String>,
    store: Option<StoreBatch>,
) -> Arc<Running> {
    let live = Arc::new(Running {
        progress: Arc::new(Progress::default()),
        state: Mutex::new(RunState::Queued),
    });
    service
        .runs
        .running
        .lock()
        .expect("runs")
        .insert(run.id.clone(), live.clone());
    let (service, handle) = (service.clone(), live.clone());
    tokio::spawn(async move {
        let gate = service.runs.gate(&run.caller);
        let Ok(_mine) = gate.acquire().await else {
            return;
        };
        let Ok(_turn) = service.runs.turn.acquire().await else {
            return;
        };
        *handle.state.lock().expect("run state") = RunState::Running;
        let job_model = model.clone();
        let job = Job {
            id: run.id.clone(),
            scorer: model,
            caller: run.caller.clone(),
            log: Some(Log {
                writer: service.engine.writer.clone(),
                registry: service.engine.catalog.shared_registry(),
            }),
            consent_app,
            input: PathBuf::from(&run.source),
            format,
            output: PathBuf::from(&run.output),
        };
        let result = async {
            if let Some(spec) = &store {
                let text =
                    from_store(&service, &job_model, spec, job.consent_app.as_deref()).await?;
                let dir = job.input.parent().unwrap_or(std::path::Path::new("."));
                write_input(dir, &job.input, &text)
                    .map_err(|e| scorehost_engine::Error::Internal(e.message))?;
            }
            let finished = batch::run(job, handle.progress.clone()).await?;
            let summary = serde_json::to_value(&finished.summary)
                .map_err(|e| scorehost_engine::Error::Internal(e.to_string()))?;
            service
                .engine
                .catalog
                .registry()
                .finish_batch(&run.id, &finished.input_sha256, &summary)
                .await?;
            Ok::<_, scorehost_engine::Error>(())
        }
        .await;
        *handle.state.lock().expect("run state") = match result {
            Ok(()) => RunState::Finished,
            Err(e) => {
                tracing::warn!(batch = %run.id, "batch failed: {e}");
                RunState::Failed(e.to_string())
            }
        };
    });
    live
}

/// Resume the runs this server's data dir holds that never finished (the
/// server was stopped or killed during them): called once at start.
pub async fn resume_unfinished(service: &Arc<Service>) -> Result<usize, scorehost_engine::Error> {
    let mine = service.data_dir.join("batches");
    let mut resumed = 0;
    for run in service.engine.catalog.registry().batches(None).await? {
        if run.finished_at.is_some() || !std::path::Path::new(&run.source).starts_with(&mine) {
            continue;
        }
        if !std::path::Path::new(&run.source).exists() {
            continue;
        }
        let model = Arc::new(service.engine.catalog.load_sha(&run.sha256)?);
        let format = Format::of_path(std::path::Path::new(&run.source));
        let app = run.caller.strip_prefix("app:").map(str::to_string);
        tracing::info!(batch = %run.id, "resuming an unfinished batch");
        launch(service, run, model, format, app, None);
        resumed += 1;
    }
    Ok(resumed)
}

/// The province and auditors see every run; an app its own runs of the
/// models its token is granted (a token limited to one model does not read
/// what the app did with others).
fn visible(caller: &Caller, run: &BatchRun) -> Result<(), ApiError> {
    let granted = run
        .model
        .parse::<ModelName>()
        .is_ok_and(|m| caller.token.may_score(&m));
    match caller.actor.role {
        Role::Province | Role::Auditor => Ok(()),
        Role::App(_) if run.caller == caller.name() && granted => Ok(()),
        _ => Err(caller.deny(format!("{} may not see batch {}", caller.actor, run.id))),
    }
}

async fn find(service: &Service, caller: &Caller, id: &str) -> Result<BatchRun, ApiError> {
    let run = service
        .engine
        .catalog
        .registry()
        .batch(id)
        .await?
        .ok_or_else(|| {
            ApiError::new(StatusCode::NOT_FOUND, "not_found", format!("no batch {id}"))
        })?;
    visible(caller, &run)?;
    Ok(run)
}

/// A run: its status, progress and, once finished, its summary. The
/// province and auditors see every run; an app its own.
#[utoipa::path(get, path = "/v1/batches/{id}", tag = "batches",
    params(("id" = String, Path, description = "The run's id")),
    responses((status = 200, body = BatchStatus), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn status(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<BatchStatus>, ApiError> {
    let run = find(&service, &caller, &id).await?;
    let live = service.runs.running.lock().expect("runs").get(&id).cloned();
    Ok(Json(status_of(&run, live.as_deref())))
}

/// Every run the caller may see, newest first.
#[utoipa::path(get, path = "/v1/batches", tag = "batches",
    responses((status = 200, body = [BatchStatus]), (status = 403, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list(
    State(service): State<Arc<Service>>,
    caller: Caller,
) -> Result<Json<Vec<BatchStatus>>, ApiError> {
    let runs = match caller.actor.role {
        Role::Province | Role::Auditor => service.engine.catalog.registry().batches(None).await?,
        Role::App(_) => service
            .engine
            .catalog
            .registry()
            .batches(Some(&caller.name()))
            .await?
            .into_iter()
            .filter(|r| {
                r.model
                    .parse::<ModelName>()
                    .is_ok_and(|m| caller.token.may_score(&m))
            })
            .collect(),
        _ => {
            caller.require(Need::Audit, "list batches")?;
            Vec::new()
        }
    };
    let live = service.runs.running.lock().expect("runs").clone();
    Ok(Json(
        runs.iter()
            .map(|r| status_of(r, live.get(&r.id).map(|l| l.as_ref())))
            .collect(),
    ))
}

/// A run's results so far: NDJSON, one line per subject in input order,
/// each with its `evaluation_id` (the white box is in the log). Streamed.
#[utoipa::path(get, path = "/v1/batches/{id}/results", tag = "batches",
    params(("id" = String, Path, description = "The run's id")),
    responses((status = 200, description = "NDJSON results", content_type = "application/x-ndjson"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 410, description = "`gone`: the run's files were removed after their retention (7 days)", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn results(
    State(service): State<Arc<Service>>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<axum::response::Response, ApiError> {
    let run = find(&service, &caller, &id).await?;
    let file = match tokio::fs::File::open(&run.output).await {
        Ok(f) => f,
        Err(e)
            if e.kind() == std::io::ErrorKind::NotFound
                && std::path::Path::new(&run.source)
                    .parent()
                    .is_some_and(|d| !d.exists()) =>
        {
            return Err(ApiError::new(
                StatusCode::GONE,
                "gone",
                format!(
                    "the files of batch {id} were removed {} days after it {}; its summary is at /v1/batches/{id} and each evaluation stays in the log",
                    storage::RETENTION.as_secs() / 86400,
                    if run.finished_at.is_some() {
                        "finished"
                    } else {
                        "started"
                    }
                ),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(([(header::CONTENT_TYPE, "application/x-ndjson")], "").into_response());
        }
        Err(e) => {
            return Err(
                scorehost_engine::Error::Internal(format!("cannot read the results: {e}")).into(),
            );
        }
    };
    // Streamed in 256 KiB pieces: a million results are about 150 MB.
    let stream = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; 256 << 10];
        match tokio::io::AsyncReadExt::read(&mut file, &mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(bytes::Bytes::from(buf)), Some(file)))
            }
            Err(e) => Some((Err::<bytes::Bytes, _>(e), None)),
        }
    });
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson")],
        axum::body::Body::from_stream(stream),
    )
        .into_response())
}
