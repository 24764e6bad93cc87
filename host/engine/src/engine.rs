//! [`Engine`]: the state a long-running service shares between requests —
//! the catalog, the one log writer, the caches — and the use cases that
//! need it: scoring a request ([`Engine::score`]), a stored subject's
//! request with consent first ([`Engine::stored_request`]), and the
//! recorded evaluation itself ([`Engine::evaluate_recorded`]).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use scorehost_audit::checkpoint::LogKey;
use scorehost_registry::{Actor, ModelName, Role, Token};
use scorehost_runtime::sandbox::Runtime;
use scorehost_runtime::wire::{EvaluationResponse, ScoreRequest};

use crate::audit::AuditWriter;
use crate::cache::{REGISTRY_CACHE_TTL, TtlCache};
use crate::catalog::Catalog;
use crate::scoring::{Failed, Prepared, Recorder};
use crate::shadow::{Pending, Shadows};
use crate::{Error, Model};
use std::sync::atomic::Ordering;

/// What a long-running service shares: open one per process.
pub struct Engine {
    /// Registry, module store, artifact cache and runtime.
    pub catalog: Catalog,
    /// The process's one log writer (group commit).
    pub writer: AuditWriter,
    /// The log's signing key (proofs are signed under a fresh checkpoint).
    pub key: LogKey,
    /// Shadow versions and their evaluations in flight ([`crate::shadow`]).
    pub shadows: Shadows,
    /// Loaded models by module SHA-256: compiled once, shared by requests
    /// and by shadows. Never stale: a hash names one module for ever.
    models: Mutex<HashMap<String, Arc<Model>>>,
    /// Pinned SHA-256 by model ([`REGISTRY_CACHE_TTL`]).
    pins: TtlCache<String, String>,
    /// Live tokens by the SHA-256 of their secret ([`REGISTRY_CACHE_TTL`]).
    tokens: TtlCache<String, Token>,
}

/// An evaluation [`Engine::score`] ran: the model it named, and the
/// recorded answer or the recorded failure.
pub struct Scored {
    /// The model's name, as the request gave it.
    pub model: String,
    /// The answer (its record is durable), or the failure (recorded too,
    /// when it got as far as the model).
    pub result: Result<EvaluationResponse, Failed>,
}

impl Engine {
    /// Open the data dir and database, and start the log writer.
    pub async fn open(
        runtime: Runtime,
        data_dir: &std::path::Path,
        db: Option<&str>,
    ) -> Result<Engine, Error> {
        let catalog = Catalog::open(runtime, data_dir, db).await?;
        let key = crate::audit::load_or_create_key(data_dir)?;
        // The writer shares the catalog's registry: one pool, one migration
        // check (it opens its own connection for appends anyway).
        let writer = AuditWriter::start(catalog.shared_registry(), key.clone_key()).await?;
        Ok(Engine {
            catalog,
            writer,
            key,
            shadows: Shadows::default(),
            models: Mutex::new(HashMap::new()),
            pins: TtlCache::new(REGISTRY_CACHE_TTL),
            tokens: TtlCache::new(REGISTRY_CACHE_TTL),
        })
    }

    /// The pinned version of `model`, loaded. The pin is read again after
    /// [`REGISTRY_CACHE_TTL`]; the module is compiled once per SHA-256 and
    /// shared.
    pub async fn pinned_model(&self, model: &ModelName) -> Result<Arc<Model>, Error> {
        let name = model.to_string();
        let sha = match self.pins.get(&name) {
            Some(sha) => sha,
            None => {
                let pin = self.catalog.registry().pinned(model).await?;
                self.pins.insert(name, pin.sha256.clone());
                pin.sha256
            }
        };
        self.model(&sha)
    }

    /// The module with this SHA-256, loaded (from the artifact cache, or
    /// compiled) once and shared.
    pub fn model(&self, sha256: &str) -> Result<Arc<Model>, Error> {
        if let Some(m) = self.models.lock().expect("model cache").get(sha256) {
            return Ok(m.clone());
        }
        let m = Arc::new(self.catalog.load_sha(sha256)?);
        self.models
            .lock()
            .expect("model cache")
            .insert(sha256.to_string(), m.clone());
        Ok(m)
    }

    /// Forget every cached pin: a pin or revoke made through this process
    /// takes effect at once.
    pub fn pins_changed(&self) {
        self.pins.clear();
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
    pub async fn authenticate(&self, secret: &str) -> Result<Token, Error> {
        let key = scorehost_registry::secret_hash(secret);
        if let Some(token) = self.tokens.get_checked(&key, |stored| {
            scorehost_registry::hashes_match(stored, &key)
        }) {
            return Ok(token);
        }
        let token = self.catalog.registry().authenticate(secret).await?;
        self.tokens.insert(key, token.clone());
        Ok(token)
    }

    /// Score `raw` (a scoring request in the wire format, naming its
    /// model) for the app holding `token`: the one path of an app's
    /// scoring, in this order —
    ///
    /// 1. the model is one the token is granted, and pinned;
    /// 2. consent, before anything of the subject is read
    ///    ([`crate::consent`]): a person without it, and for a stored
    ///    request an unknown subject, get the same answer;
    /// 3. a request naming only its subject is completed from the 1+N
    ///    store as of today ([`crate::completion`]); one with its inputs
    ///    inline is the caller's own statement, and says so;
    /// 4. evaluation in the model's fair share of the cores, a fresh
    ///    sandbox, and the record durable before the answer
    ///    ([`Engine::evaluate_recorded`]); the model's shadow, if any, gets
    ///    the same request afterwards.
    ///
    /// Errors before the evaluation (bad request, not granted, no consent,
    /// no pin) are returned as `Err`; the evaluation's own outcome is in
    /// [`Scored::result`].
    pub async fn score(
        self: &Arc<Self>,
        token: &Token,
        actor: &Actor,
        raw: serde_json::Value,
    ) -> Result<Scored, Error> {
        let Role::App(app) = &actor.role else {
            return Err(deny(
                token,
                actor,
                format!("{actor} may not score: only apps score, with the models they are granted"),
            ));
        };
        let Some(name) = raw
            .get("model")
            .and_then(|m| m.as_str())
            .map(str::to_string)
        else {
            return Err(Error::BadRequest(
                "say which model scores: \"model\": \"namespace/name\"".into(),
            ));
        };
        let model_name: ModelName = name.parse()?;
        if !token.may_score(&model_name) {
            return Err(deny(
                token,
                actor,
                format!(
                    "{actor} is not granted {model_name} (its token lists: {})",
                    token.models.join(", ")
                ),
            ));
        }
        let model = self.pinned_model(&model_name).await?;
        let request: ScoreRequest = if raw.get("base").is_none() {
            let (id, as_of) = crate::completion::stored_subject(&raw)?;
            // An app evaluates stored subjects as of today.
            let as_of = crate::completion::app_as_of(as_of)?;
            let mut request = self
                .stored_request(token, actor, &model_name, &model, id, Some(&as_of))
                .await?;
            request.model = Some(name.clone());
            request
        } else {
            let request: ScoreRequest = serde_json::from_value(raw)
                .map_err(|e| Error::BadRequest(format!("the JSON does not fit: {e}")))?;
            if scorehost_runtime::wire::claims_host_fields(&request) {
                return Err(scorehost_runtime::wire::refuse_claimed_withheld("").into());
            }
            let checked = crate::stages::measure(
                crate::stages::Stage::Consent,
                crate::consent::admit_inline(
                    self.catalog.registry(),
                    app,
                    model.info(),
                    &request.subject.id,
                    &request.subject.kind,
                ),
            )
            .await;
            logged(token, actor, checked)?;
            request
        };
        // Shadow mode: the model's shadow version, if any, gets the same
        // request once this answer's record is durable (crate::shadow).
        let shadow = self
            .shadows
            .prepare(&self.catalog, |sha| self.model(sha), &model_name, &request)
            .await;
        let caller = actor.to_string();
        let result = self
            .evaluate_recorded(model, request, &caller, |_| Ok(()))
            .await;
        if let Some(pending) = shadow {
            spawn_shadow(self, pending, caller, &result);
        }
        Ok(Scored {
            model: name,
            result,
        })
    }

    /// The request of stored subject `id` for `model`, evaluated as of
    /// `as_of` (default: today), from the 1+N store — after consent: an
    /// app's request is admitted ([`crate::consent::admit_stored`]) before
    /// anything of the subject is read; the province needs none. 404 when
    /// no base evaluation of the subject is stored.
    pub async fn stored_request(
        &self,
        token: &Token,
        actor: &Actor,
        model_name: &ModelName,
        model: &Model,
        id: &str,
        as_of: Option<&str>,
    ) -> Result<ScoreRequest, Error> {
        if let Role::App(app) = &actor.role {
            let checked = crate::stages::measure(
                crate::stages::Stage::Consent,
                crate::consent::admit_stored(self.catalog.registry(), app, model_name, id),
            )
            .await;
            logged(token, actor, checked)?;
        }
        let as_of = as_of.map_or_else(crate::completion::today, str::to_string);
        crate::stages::measure(
            crate::stages::Stage::Completion,
            crate::completion::request(self.catalog.registry(), model.info(), id, &as_of),
        )
        .await?
        .ok_or_else(|| {
            scorehost_registry::Error::NotFound(format!(
                "no base evaluation of subject {id} is stored: import it, or send the inputs inline"
            ))
            .into()
        })
    }

    /// Evaluate `request` with `model` and record it with the process's
    /// log writer — in the model's lane of the process's
    /// [`crate::scoring::fairness`], or inline when the lanes are off —
    /// letting `amend` add to the record first (a decision does).
    pub async fn evaluate_recorded(
        &self,
        model: Arc<Model>,
        request: ScoreRequest,
        caller: &str,
        amend: impl FnOnce(&mut Prepared) -> Result<(), Error>,
    ) -> Result<EvaluationResponse, Failed> {
        let recorder = Recorder::Writer(&self.writer);
        match crate::scoring::fairness() {
            Some(lanes) => {
                crate::scoring::score_fairly_amended(
                    lanes, model, request, caller, &recorder, amend,
                )
                .await
            }
            None => {
                crate::scoring::score_recorded_amended(&model, &request, caller, &recorder, amend)
                    .await
            }
        }
    }
}

/// A refusal of `actor`, logged (a `warn` naming the caller and its token).
fn deny(token: &Token, actor: &Actor, message: String) -> Error {
    tracing::warn!(caller = %actor, token = %token.id, "denied: {message}");
    scorehost_registry::Error::Forbidden(message).into()
}

/// An admission check's answer; a refusal is logged as [`deny`] logs.
fn logged(token: &Token, actor: &Actor, checked: Result<(), Error>) -> Result<(), Error> {
    checked.inspect_err(|e| {
        tracing::warn!(caller = %actor, token = %token.id, "denied: {e}");
    })
}

/// Once the live answer `live` is settled (its record durable), evaluate
/// `pending` ([`crate::shadow`]) with the shadow on a task of its own and record it as a
/// shadow of the live evaluation. Returns at once; does nothing for a live
/// request that has no record.
pub(crate) fn spawn_shadow(
    engine: &Arc<Engine>,
    pending: Pending,
    caller: String,
    live: &Result<EvaluationResponse, Failed>,
) {
    let live_id = match live {
        Ok(r) => r.evaluation_id.clone(),
        Err(f) => f.evaluation_id.clone(),
    };
    let Some(live_id) = live_id else {
        return;
    };
    let shadows = &engine.shadows;
    if shadows.in_flight.fetch_add(1, Ordering::AcqRel) >= crate::shadow::MAX_IN_FLIGHT {
        shadows.in_flight.fetch_sub(1, Ordering::AcqRel);
        shadows.count(&pending.name, "skipped");
        return;
    }
    let engine = engine.clone();
    let span = tracing::info_span!("shadow", model = %pending.name, shadow_of = %live_id);
    use tracing::Instrument as _;
    tokio::spawn(
        async move {
            let name = pending.name.clone();
            let outcome = run_shadow(&engine, pending, caller, &live_id).await;
            engine.shadows.count(&name, &outcome);
            engine.shadows.in_flight.fetch_sub(1, Ordering::AcqRel);
        }
        .instrument(span),
    );
}

/// Evaluate and record one shadow evaluation; the outcome's label.
async fn run_shadow(engine: &Engine, pending: Pending, caller: String, live_id: &str) -> String {
    let Ok(_permit) = engine.shadows.running.clone().acquire_owned().await else {
        return "skipped".into();
    };
    let Pending { model, request, .. } = pending;
    let prepared = tokio::task::spawn_blocking(move || {
        crate::scoring::prepare(&*model, &request, &caller, None)
    })
    .await;
    let mut prepared = match prepared {
        Ok(Ok(p)) => p,
        Ok(Err(e)) => {
            tracing::warn!("a shadow evaluation could not be recorded: {e}");
            return "unrecorded".into();
        }
        Err(e) => {
            tracing::warn!("a shadow evaluation failed: {e}");
            return "unrecorded".into();
        }
    };
    if let Err(e) = crate::audit::mark_shadow(&mut prepared.record, live_id) {
        tracing::warn!("a shadow record could not be marked: {e}");
        return "unrecorded".into();
    }
    let outcome = match &prepared.outcome {
        Ok(_) => "ok".to_string(),
        Err(e) => e.code().to_string(),
    };
    match engine.writer.append(prepared.record).await {
        Ok(_) => outcome,
        Err(e) => {
            tracing::warn!("a shadow evaluation's record was not stored: {e}");
            "unrecorded".into()
        }
    }
}
