//! The HTTP service (`scorehost serve`): the API under `/v1` (its document
//! is `/openapi.json`, built from the routes below), for cities (publish),
//! the province (approve, pin, revoke), apps (score) and auditors (read,
//! prove, replay, verify).
//!
//! - [`listen`]: the accept loop (header-read timeout, graceful stop);
//! - [`admission`]: what every request passes before its route — body
//!   limits, per-caller caps, the service's slots;
//! - [`auth`]: bearer tokens and the role each route needs;
//! - [`error`]: the JSON error body and the status of each kind of error;
//! - [`plugins`], [`impact`], [`shadows`], [`scores`], [`decisions`],
//!   [`scenarios`], [`batches`], [`data`], [`consents`], [`disputes`],
//!   [`log`], [`ops`]: the routes, annotated for the OpenAPI document,
//!   which is generated from them ([`router`] builds both from the same
//!   list, so they cannot drift apart);
//! - [`metrics`]: the Prometheus counters behind `/metrics`.
//!
//! Every scoring goes through [`crate::scoring::score_fairly`] (on a blocking
//! thread, in its model's lane) with the process's one [`AuditWriter`]: the
//! answer leaves only once its record is durable.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use scorehost_audit::checkpoint::LogKey;
use scorehost_registry::ModelName;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::audit::AuditWriter;
use crate::catalog::Catalog;
use crate::{Error, Model};

pub mod admission;
pub mod auth;
pub mod batches;
pub mod consents;
pub mod data;
pub mod decisions;
pub mod disputes;
pub mod error;
pub mod impact;
pub mod listen;
pub mod log;
pub mod metrics;
pub mod ops;
pub mod plugins;
pub mod scenarios;
pub mod scores;
pub mod shadows;

use error::ApiError;

/// Requests served at once; more get 503 with `Retry-After`. 1024: an
/// evaluation takes tens of µs and its durable record a few ms (group
/// commit), so 1024 in flight keep two cores busy while bounding memory
/// (each request holds at most a 64 KiB body and one sandbox instance).
pub const MAX_IN_FLIGHT: usize = 1024;

/// The largest JSON body. 64 KiB: a scoring request is about 1 KB; even a
/// subject with hundreds of indicator records stays far below this.
pub const MAX_JSON_BODY: usize = 64 * 1024;

/// The largest module upload: 32 MiB, the sandbox's default module size
/// limit (`Limits::max_module_bytes`); a larger one would be refused anyway.
pub const MAX_MODULE_BODY: usize = 32 << 20;

/// How long one request may take before it is answered 503. 30 s: a
/// publish compiles a module (a second or two); a score takes milliseconds.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a refused upload's body is still read (and thrown away) before
/// the refusal is sent: 2 s. The role is checked before the body is read,
/// so nothing of it is kept or compiled; but a client still sending its
/// module when the server closes the connection sees "broken pipe" instead
/// of the 403 that says why. Two seconds carry a few hundred megabytes on a
/// local network and bound what a caller holding the connection costs.
pub const REFUSED_BODY_LINGER: Duration = Duration::from_secs(2);

/// The largest refused body read and thrown away: 8 MiB. Every bundled
/// model is well under 1 MiB, so a publisher who uploads into the wrong
/// namespace reads its 403; a caller sending more is cut off at once (its
/// client may see the connection close), so a flood of large refused
/// uploads costs the server next to nothing.
pub const REFUSED_BODY_DRAIN_MAX: u64 = 8 << 20;

/// Read and throw away what arrives of a refused request's body, for at
/// most [`REFUSED_BODY_LINGER`], if its `Content-Length` is at most
/// [`REFUSED_BODY_DRAIN_MAX`] (a body of unknown length is not read), so
/// that its client can read the refusal. Keeps nothing.
pub async fn discard_body(headers: &axum::http::HeaderMap, body: axum::body::Body) {
    use futures_util::StreamExt as _;
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_none_or(|n| n > REFUSED_BODY_DRAIN_MAX) {
        return;
    }
    let mut stream = body.into_data_stream();
    let _ = tokio::time::timeout(REFUSED_BODY_LINGER, async {
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
}

/// How long a looked-up token or pin is trusted before it is read again.
/// 1 s: the two are read on every request otherwise — two database round
/// trips that cost more than the evaluation itself (measured with
/// `scripts/bench-http.sh`) — and a revocation or re-pin made by *another*
/// process (the CLI, a second server) then takes effect within a second.
/// Changes made through this server take effect at once. Consent is never
/// cached: it is read on every scoring of a natural person.
pub const REGISTRY_CACHE_TTL: Duration = Duration::from_secs(1);

/// What the service needs to run.
pub struct Config {
    /// The data dir (module store, artifact cache, log key).
    pub data_dir: std::path::PathBuf,
    /// The database URL (default: SQLite in the data dir).
    pub db: Option<String>,
    /// Where to listen.
    pub listen: SocketAddr,
}

/// The state every route shares.
pub struct Service {
    /// Registry, module store, artifact cache and runtime.
    pub catalog: Catalog,
    /// The process's one log writer (group commit).
    pub writer: AuditWriter,
    /// The log's signing key (proofs are signed under a fresh checkpoint).
    pub key: LogKey,
    /// Loaded models by module SHA-256: compiled once, shared by requests.
    models: Mutex<HashMap<String, Arc<Model>>>,
    /// Pinned SHA-256 by model, as last read (see [`REGISTRY_CACHE_TTL`]).
    pins: Mutex<HashMap<String, (String, std::time::Instant)>>,
    /// Live tokens by the SHA-256 of their secret, as last read.
    tokens: Mutex<HashMap<String, (scorehost_registry::Token, std::time::Instant)>>,
    /// Counters for `/metrics`.
    pub metrics: metrics::Metrics,
    /// Failed authentications per client, and their delays.
    pub failures: auth::Throttle,
    /// Admission: one permit per request in flight.
    slots: Arc<tokio::sync::Semaphore>,
    /// Admission: requests in flight per caller.
    pub in_flight: admission::PerKey,
    /// Admission: uploads in flight per caller.
    pub uploads: admission::PerKey,
    /// The data dir (batch runs keep their files under `batches/`).
    pub data_dir: std::path::PathBuf,
    /// Batch runs of this process.
    pub runs: batches::Runs,
    /// Shadow versions and their evaluations in flight ([`crate::shadow`]).
    pub shadows: crate::shadow::Shadows,
    /// One upload compiles at a time ([`Service::compile_module`]).
    compiles: Arc<tokio::sync::Semaphore>,
}

impl Service {
    /// Open the data dir and database, and start the log writer.
    pub async fn open(
        runtime: crate::sandbox::Runtime,
        data_dir: &std::path::Path,
        db: Option<&str>,
    ) -> Result<Arc<Service>, Error> {
        let catalog = Catalog::open(runtime, data_dir, db).await?;
        let key = crate::audit::load_or_create_key(data_dir)?;
        // The writer shares the catalog's registry: one pool, one migration
        // check (it opens its own connection for appends anyway).
        let writer = AuditWriter::start(catalog.shared_registry(), key.clone_key()).await?;
        Ok(Arc::new(Service {
            catalog,
            writer,
            key,
            models: Mutex::new(HashMap::new()),
            pins: Mutex::new(HashMap::new()),
            tokens: Mutex::new(HashMap::new()),
            metrics: metrics::Metrics::default(),
            failures: auth::Throttle::default(),
            slots: Arc::new(tokio::sync::Semaphore::new(MAX_IN_FLIGHT)),
            in_flight: admission::PerKey::default(),
            uploads: admission::PerKey::default(),
            data_dir: data_dir.to_path_buf(),
            runs: batches::Runs::new(),
            shadows: crate::shadow::Shadows::default(),
            compiles: Arc::new(tokio::sync::Semaphore::new(1)),
        }))
    }

    /// The pinned version of `model`, loaded. The pin is read again after
    /// [`REGISTRY_CACHE_TTL`]; the module is compiled once per SHA-256 and
    /// shared.
    pub async fn pinned_model(&self, model: &ModelName) -> Result<Arc<Model>, Error> {
        let name = model.to_string();
        let cached = self
            .pins
            .lock()
            .expect("pin cache")
            .get(&name)
            .filter(|(_, at)| at.elapsed() < REGISTRY_CACHE_TTL)
            .map(|(sha, _)| sha.clone());
        let sha = match cached {
            Some(sha) => sha,
            None => {
                let pin = self.catalog.registry().pinned(model).await?;
                self.pins
                    .lock()
                    .expect("pin cache")
                    .insert(name, (pin.sha256.clone(), std::time::Instant::now()));
                pin.sha256
            }
        };
        if let Some(m) = self.models.lock().expect("model cache").get(&sha) {
            return Ok(m.clone());
        }
        let loaded = self.catalog.load(model, None).await?;
        let m = Arc::new(loaded.model);
        self.models
            .lock()
            .expect("model cache")
            .insert(m.sha256().to_string(), m.clone());
        Ok(m)
    }

    /// Forget every cached pin: a pin or revoke made through this server
    /// takes effect at once.
    pub fn pins_changed(&self) {
        self.pins.lock().expect("pin cache").clear();
        // Pinning or revoking a shadow version clears its shadow.
        self.shadows.changed();
    }

    /// The live token with this secret; read again after
    /// [`REGISTRY_CACHE_TTL`]. Unknown and revoked tokens are never cached.
    ///
    /// The cache is keyed, like the registry, by the SHA-256 of the secret:
    /// how long a look-up takes can tell at most something about the hash
    /// of a guess, never about a secret (see
    /// [`scorehost_registry::Registry::authenticate`]); a hit is still
    /// confirmed by a constant-time comparison of the two hashes.
    pub async fn authenticate(&self, secret: &str) -> Result<scorehost_registry::Token, Error> {
        let key = scorehost_registry::secret_hash(secret);
        if let Some((stored, (token, at))) =
            self.tokens.lock().expect("token cache").get_key_value(&key)
            && at.elapsed() < REGISTRY_CACHE_TTL
            && scorehost_registry::hashes_match(stored, &key)
        {
            return Ok(token.clone());
        }
        let token = self.catalog.registry().authenticate(secret).await?;
        self.tokens
            .lock()
            .expect("token cache")
            .insert(key, (token.clone(), std::time::Instant::now()));
        Ok(token)
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
        let runtime = self.catalog.runtime().clone();
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

/// The OpenAPI document's frame; the paths come from the routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    info(
        title = "scorehost",
        description = "Public credit-scoring models as hash-pinned WebAssembly components: publish, approve, pin, score, and audit every evaluation."
    ),
    modifiers(&BearerAuth),
    tags(
        (name = "plugins", description = "Publish, review and pin models"),
        (name = "scores", description = "Score a subject"),
        (name = "batches", description = "Score many subjects: start a run, follow it, download its results"),
        (name = "data", description = "The 1+N data: base evaluations and indicator records, in bulk"),
        (name = "consent", description = "A natural person's consent to being scored for an app"),
        (name = "scenarios", description = "Benefit scenarios: the province's rules on a model's result; apps granted a scenario ask for decisions"),
        (name = "disputes", description = "Disputes of indicator records (withheld while open; checked, answered by the source, deadlines tracked) and credit repair"),
        (name = "audit", description = "The verifiable log of every evaluation"),
        (name = "operations", description = "Health and metrics")
    )
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
    }
}

/// The answers every route may give besides its own, added to each
/// operation of the document (unless the route documents them itself), so
/// that a client — or a fuzzer checking the answers against the document —
/// knows them all: 503 `overloaded` and 429 `limit_reached` with
/// `Retry-After` on every route ([`admission`]); on a route that needs a
/// token, 401 (no or unknown token), 403 (the role may not) and 429
/// `too_many_failures` with `Retry-After` ([`auth::Throttle`]); with a path
/// or query parameter, 400 (a malformed one) and, in the path, 404; with a
/// body, 400, 408, 413 and 415.
struct CommonResponses;

impl utoipa::Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, HeaderBuilder, Ref, ResponseBuilder, Type};
        let error = |description: &str, retry_after: bool| {
            let mut r = ResponseBuilder::new().description(description).content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorBody")))
                    .build(),
            );
            if retry_after {
                r = r.header(
                    "Retry-After",
                    HeaderBuilder::new()
                        .schema(utoipa::openapi::schema::Object::with_type(Type::Integer))
                        .description(Some("Seconds to wait before trying again"))
                        .build(),
                );
            }
            r.build()
        };
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.post,
                &mut item.put,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let params = op.parameters.as_deref().unwrap_or_default();
                let in_path = params
                    .iter()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Path));
                let in_query = params
                    .iter()
                    .any(|p| matches!(p.parameter_in, ParameterIn::Query));
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let body = op.request_body.is_some();
                let mut add = |status: &str, description: &str, retry_after: bool| {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| error(description, retry_after).into());
                };
                if in_path || in_query || body {
                    add("400", "Bad input: a malformed parameter or body", false);
                }
                if secured {
                    add(
                        "401",
                        "No bearer token, or an unknown or revoked one",
                        false,
                    );
                    add("403", "The caller's role may not do this", false);
                }
                if in_path {
                    add("404", "No such resource", false);
                }
                if body {
                    add("413", "The body is too large", false);
                    add(
                        "415",
                        "The body's Content-Type is not the one expected",
                        false,
                    );
                }
                if body {
                    add(
                        "408",
                        "body_timeout: the body did not arrive within the body-read time (admission::BODY_READ_TIMEOUT)",
                        false,
                    );
                }
                add(
                    "429",
                    "too_many_failures: this client presented too many bad tokens, and every token it sends is refused until Retry-After has passed; or limit_reached: one of this caller's limits is reached (requests or uploads in flight, batch runs or bytes stored, an impact analysis already waiting)",
                    true,
                );
                add(
                    "503",
                    "overloaded: too many requests in flight, or one took too long",
                    true,
                );
            }
        }
    }
}

/// The router and the OpenAPI document, built from one list of routes.
pub fn router(service: Arc<Service>) -> (axum::Router, utoipa::openapi::OpenApi) {
    let (v1, openapi) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(plugins::publish))
        .routes(routes!(plugins::list))
        .routes(routes!(plugins::show))
        .routes(routes!(plugins::version))
        .routes(routes!(plugins::approve))
        .routes(routes!(plugins::revoke))
        .routes(routes!(plugins::pin))
        .routes(routes!(plugins::pins))
        .routes(routes!(impact::impact))
        .routes(routes!(shadows::set, shadows::clear))
        .routes(routes!(shadows::list))
        .routes(routes!(scores::score))
        .routes(routes!(batches::start, batches::list))
        .routes(routes!(batches::status))
        .routes(routes!(batches::results))
        .routes(routes!(data::bases))
        .routes(routes!(data::indicators))
        .routes(routes!(data::register_furnisher))
        .routes(routes!(data::furnishers))
        .routes(routes!(consents::grant))
        .routes(routes!(consents::withdraw))
        .routes(routes!(consents::of_subject))
        .routes(routes!(disputes::file, disputes::list))
        .routes(routes!(disputes::overdue))
        .routes(routes!(disputes::show))
        .routes(routes!(disputes::check))
        .routes(routes!(disputes::answer))
        .routes(routes!(disputes::withdraw))
        .routes(routes!(disputes::repair, disputes::repairs))
        .routes(routes!(scenarios::list))
        .routes(routes!(
            scenarios::define,
            scenarios::show,
            scenarios::retire
        ))
        .routes(routes!(decisions::decide))
        .routes(routes!(log::evaluation))
        .routes(routes!(log::replay))
        .routes(routes!(log::proof))
        .routes(routes!(log::checkpoint))
        .routes(routes!(log::consistency))
        .routes(routes!(log::verify))
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::metrics))
        .split_for_parts();
    // After the routes: a modifier of `ApiDoc` runs before they are added.
    let mut openapi = openapi;
    utoipa::Modify::modify(&CommonResponses, &mut openapi);
    let doc = openapi.clone();
    let app = v1
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { axum::Json(doc) }
            }),
        )
        .fallback(|| async { ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take that method",
            )
        })
        .layer(DefaultBodyLimit::max(MAX_JSON_BODY))
        .layer(middleware::from_fn_with_state(
            service.clone(),
            admission::admit,
        ))
        .with_state(service);
    (app, openapi)
}

/// Serve until Ctrl-C or SIGTERM; then stop taking connections, finish the
/// requests in flight (each waits for its record to be durable) and return.
pub async fn serve(runtime: crate::sandbox::Runtime, config: Config) -> Result<(), Error> {
    let service = Service::open(runtime, &config.data_dir, config.db.as_deref()).await?;
    let resumed = batches::resume_unfinished(&service).await?;
    if resumed > 0 {
        tracing::info!(resumed, "resuming unfinished batch runs");
    }
    spawn_lapse_sweep(service.clone());
    batches::storage::spawn_sweep(service.clone());
    let (app, _) = router(service.clone());
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| Error::BadRequest(format!("cannot listen on {}: {e}", config.listen)))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::Internal(e.to_string()))?;
    tracing::info!(%addr, "serving");
    // The one line a script waits for (the port, when asked for port 0).
    println!("scorehost listening on http://{addr}");
    // With each connection's peer address: failed authentications are
    // counted per client (`auth::Throttle`), and so are requests in flight
    // without a valid token (`admission`).
    listen::serve(listener, app, shutdown_signal()).await;
    tracing::info!("stopped: every answered evaluation is in the log");
    Ok(())
}

/// How often the service records the disputes that passed their 20-day
/// deadline ([`scorehost_registry::Registry::close_lapsed`]). Evaluations
/// treat a dispute as lapsed from its first late day whether or not it is
/// recorded yet; the sweep only writes the lapse into the dispute and the
/// log, so an hour is prompt enough and costs one query an hour.
pub const LAPSE_SWEEP_EVERY: Duration = Duration::from_secs(3600);

/// Close lapsed disputes now and every [`LAPSE_SWEEP_EVERY`], for as long
/// as the process runs; a failure is logged and tried again next time.
fn spawn_lapse_sweep(service: Arc<Service>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(LAPSE_SWEEP_EVERY);
        loop {
            every.tick().await;
            match service.catalog.registry().close_lapsed().await {
                Ok(closed) if !closed.is_empty() => {
                    tracing::info!(
                        closed = closed.len(),
                        "disputes lapsed at their 20-day deadline"
                    )
                }
                Ok(_) => {}
                Err(e) => tracing::warn!("cannot close lapsed disputes: {e}"),
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
