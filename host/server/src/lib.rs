//! # scorehost-server: the HTTP service (`scorehost serve`)
//!
//! The API under `/v1` (its document is `/openapi.json`, built from the
//! routes), for cities (publish), the province (approve, pin, revoke),
//! apps (score) and auditors (read, prove, replay, verify). Routes and the
//! OpenAPI document only: every use case is a call into
//! [`scorehost_engine`].
//!
//! - [`listen`]: the accept loop (header-read timeout, graceful stop);
//! - [`admission`]: what every request passes before its route — body
//!   limits, per-caller caps, the service's slots;
//! - [`auth`]: bearer tokens and the role each route needs;
//! - [`state`]: the [`Service`] every route shares; [`extract`]: JSON
//!   bodies and refused bodies;
//! - [`error`]: the JSON error body (the status of each kind of error is
//!   the engine's one table, [`scorehost_engine::error::KINDS`]);
//! - [`routes`]: the handlers, annotated for the OpenAPI document, which is
//!   generated from them ([`router`] builds both from the same list, so
//!   they cannot drift apart);
//! - [`metrics`]: the Prometheus counters behind `/metrics`.
//!
//! Every scoring goes through [`scorehost_engine::Engine::score`] with the
//! process's one log writer: the answer leaves only once its record is
//! durable.
#![deny(missing_docs)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use scorehost_engine::Error;
use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub mod admission;
pub mod auth;
pub mod error;
pub mod extract;
pub mod listen;
pub mod metrics;
pub mod routes;
pub mod state;
pub mod timing;

use routes::{
    batches, composites, consents, data, decisions, disputes, impact, keys, log, me, ops, plugins,
    proposals, scenarios, scores, shadows, subjects,
};
pub use state::Service;

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

/// What the service needs to run.
pub struct Config {
    /// The data dir (module store, artifact cache, log key).
    pub data_dir: std::path::PathBuf,
    /// The database URL (default: SQLite in the data dir).
    pub db: Option<String>,
    /// Where to listen.
    pub listen: SocketAddr,
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
        (name = "composites", description = "Composite scores (province-defined graphs of pinned models) and credit reports: several models for one subject as one linked decision"),
        (name = "disputes", description = "Disputes of indicator records (withheld while open; checked, answered by the source, deadlines tracked) and credit repair"),
        (name = "audit", description = "The verifiable log of every evaluation"),
        (name = "subjects", description = "A person's rights over their records: every evaluation of them and every read of their records; erasure"),
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

/// The links between operations (OpenAPI `links`): an evaluation's
/// `evaluation_id`, answered by `POST /v1/scores` and `POST /v1/decisions`,
/// is the `id` of its record, its inclusion proof and its replay. A client
/// generator and the API fuzz's stateful phase follow them.
struct Links;

impl utoipa::Modify for Links {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::link::LinkBuilder;
        for (path, post) in [("/v1/scores", true), ("/v1/decisions", true)] {
            let Some(op) = openapi
                .paths
                .paths
                .get_mut(path)
                .and_then(|item| if post { item.post.as_mut() } else { None })
            else {
                continue;
            };
            let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200") else {
                continue;
            };
            for (name, operation) in [
                ("evaluation", "evaluation"),
                ("proof", "proof"),
                ("replay", "replay"),
            ] {
                ok.links.insert(
                    name.to_string(),
                    RefOr::T(
                        LinkBuilder::new()
                            .operation_id(operation)
                            .parameter("id", "$response.body#/evaluation_id")
                            .description(format!("{name}: of the evaluation this answer recorded"))
                            .build(),
                    ),
                );
            }
        }
    }
}

/// Examples in the document, from the JSON files of `examples/` (so they
/// are real: `requests/ningbo-port.json` is the README's example request,
/// `responses/ningbo-port.json` what `scorehost score --json` answers for
/// it; the service adds `evaluation_id` and `data_from`), and a
/// request that scores a stored subject.
struct Examples;

impl utoipa::Modify for Examples {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::RefOr;
        use utoipa::openapi::example::ExampleBuilder;
        let json = |text: &str| -> serde_json::Value {
            serde_json::from_str(text).expect("the examples are JSON")
        };
        let request = json(include_str!("../../../examples/requests/ningbo-port.json"));
        let stored = serde_json::json!({
            "model": request["model"],
            "subject": {"id": request["subject"]["id"]},
        });
        let answer = json(include_str!("../../../examples/responses/ningbo-port.json"));
        let Some(op) = openapi
            .paths
            .paths
            .get_mut("/v1/scores")
            .and_then(|item| item.post.as_mut())
        else {
            return;
        };
        if let Some(content) = op
            .request_body
            .as_mut()
            .and_then(|b| b.content.get_mut("application/json"))
        {
            for (name, summary, value) in [
                (
                    "from the store",
                    "Score a stored subject (as of today)",
                    stored,
                ),
                ("inline", "Score the caller's own inputs", request),
            ] {
                content.examples.insert(
                    name.to_string(),
                    RefOr::T(
                        ExampleBuilder::new()
                            .summary(summary)
                            .value(Some(value))
                            .build(),
                    ),
                );
            }
        }
        if let Some(RefOr::T(ok)) = op.responses.responses.get_mut("200")
            && let Some(content) = ok.content.get_mut("application/json")
        {
            content.example = Some(answer);
        }
    }
}

/// The document as served: utoipa 5 writes a link's `operationId` as
/// `operation_id`, which no client or fuzzer reads, so it is renamed here.
fn document_json(openapi: &utoipa::openapi::OpenApi) -> serde_json::Value {
    let mut doc = serde_json::to_value(openapi).expect("the document serialises");
    let links = doc["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
        .filter_map(|item| item.as_object_mut())
        .flat_map(|item| item.values_mut())
        .filter_map(|op| op.get_mut("responses").and_then(|r| r.as_object_mut()))
        .flat_map(|responses| responses.values_mut())
        .filter_map(|response| response.get_mut("links").and_then(|l| l.as_object_mut()))
        .flat_map(|links| links.values_mut())
        .filter_map(|link| link.as_object_mut());
    for link in links {
        if let Some(id) = link.remove("operation_id") {
            link.insert("operationId".into(), id);
        }
        if let Some(r) = link.remove("operation_ref") {
            link.insert("operationRef".into(), r);
        }
        if let Some(r) = link.remove("request_body") {
            link.insert("requestBody".into(), r);
        }
    }
    doc
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
        .routes(routes!(keys::list, keys::add))
        .routes(routes!(keys::revoke))
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
        .routes(routes!(scenarios::approve))
        .routes(routes!(proposals::list))
        .routes(routes!(decisions::decide))
        .routes(routes!(composites::list))
        .routes(routes!(
            composites::define,
            composites::show,
            composites::retire
        ))
        .routes(routes!(composites::approve))
        .routes(routes!(composites::score))
        .routes(routes!(composites::report))
        .routes(routes!(log::search))
        .routes(routes!(log::stats))
        .routes(routes!(log::evaluation))
        .routes(routes!(log::replay))
        .routes(routes!(log::proof))
        .routes(routes!(log::checkpoint))
        .routes(routes!(log::checkpoints))
        .routes(routes!(log::consistency))
        .routes(routes!(log::verify))
        .routes(routes!(me::me))
        .routes(routes!(subjects::mine))
        .routes(routes!(subjects::of_subject))
        .routes(routes!(subjects::erase))
        .routes(routes!(ops::healthz))
        .routes(routes!(ops::metrics))
        .split_for_parts();
    // After the routes: a modifier of `ApiDoc` runs before they are added.
    let mut openapi = openapi;
    utoipa::Modify::modify(&CommonResponses, &mut openapi);
    utoipa::Modify::modify(&Links, &mut openapi);
    utoipa::Modify::modify(&Examples, &mut openapi);
    let doc = std::sync::Arc::new(document_json(&openapi));
    let app = v1
        .route(
            "/openapi.json",
            axum::routing::get(move || {
                let doc = doc.clone();
                async move { axum::Json(doc.as_ref().clone()) }
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
pub async fn serve(
    runtime: scorehost_runtime::sandbox::Runtime,
    config: Config,
) -> Result<(), Error> {
    let service = Service::open(runtime, &config.data_dir, config.db.as_deref()).await?;
    let resumed = batches::resume_unfinished(&service).await?;
    if resumed > 0 {
        tracing::info!(resumed, "resuming unfinished batch runs");
    }
    spawn_lapse_sweep(service.clone());
    spawn_search_indexer(service.clone());
    spawn_retention(service.clone());
    batches::storage::spawn_sweep(service.clone());
    let (app, _) = router(service.clone());
    // The console at /console/: pages over this same router, called in
    // process with the signed-in person's token.
    let app = scorehost_console::mount(app);
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
            match service.engine.catalog.registry().close_lapsed().await {
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

/// How often the service reads new log records into the search index
/// ([`scorehost_registry::Registry::index_evaluations`]): every second,
/// so that an evaluation is found a second after it was answered. A pass
/// with nothing new costs two indexed reads and no write lock.
pub const SEARCH_INDEX_EVERY: Duration = Duration::from_secs(1);

/// Apply the retention policies now and every
/// [`scorehost_engine::retention::RETENTION_EVERY`], for as long as the
/// process runs (an erasure of many records is a series of write
/// transactions, one per 1,000 records, each taking its turn with the
/// log writer); a failure is logged and tried again next time. Its erasure records name the province
/// acting as "retention policy".
fn spawn_retention(service: Arc<Service>) {
    tokio::spawn(async move {
        let actor = match scorehost_registry::Actor::province_person("retention policy") {
            Ok(a) => a,
            Err(e) => {
                tracing::error!("cannot apply retention: {e}");
                return;
            }
        };
        let mut every = tokio::time::interval(scorehost_engine::retention::RETENTION_EVERY);
        loop {
            every.tick().await;
            let registry = service.engine.catalog.registry();
            match scorehost_engine::retention::run(
                registry,
                &actor,
                time::OffsetDateTime::now_utc(),
            )
            .await
            {
                Ok(report) => {
                    for k in report.kinds.iter().filter(|k| k.records > 0) {
                        tracing::info!(
                            kind = %k.subject_kind,
                            months = k.months,
                            erased = k.records,
                            "retention: erased the personal part of records past their time"
                        );
                    }
                }
                Err(e) => tracing::warn!("cannot apply retention: {e}"),
            }
        }
    });
}

/// Keep the search index behind the log for as long as the process runs;
/// a failure is logged and tried again next time.
pub fn spawn_search_indexer(service: Arc<Service>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(SEARCH_INDEX_EVERY);
        loop {
            every.tick().await;
            if let Err(e) = service
                .engine
                .catalog
                .registry()
                .index_evaluations(u64::MAX)
                .await
            {
                tracing::warn!("cannot index the log for search: {e}");
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
