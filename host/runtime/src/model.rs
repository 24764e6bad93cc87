//! A loaded model and the evaluation pipeline.
//!
//! [`Model::evaluate`] runs, for one request:
//! 1. the request check against the model's `describe()` ([`crate::validate`]);
//! 2. a fresh instance from the pre-linked component, in a new store with
//!    the fuel, memory, time and output limits;
//! 3. the call, with every failure classified ([`crate::Fault`]);
//! 4. the result-size cap and the white-box check ([`crate::whitebox`]).

use std::time::{Duration, Instant};

use wasmtime::component::{Component, Instance};
use wasmtime::{Store, Trap};

use crate::contract::{
    CONSEQUENCES_EXPORT, Consequence, Evaluation, ModelInfo, Request, ScoringModel, ScoringModelPre,
};
use crate::sandbox::{EPOCH_TICK, Limits, OutputCapture, Runtime, SandboxState, imports};
use crate::wire::{EvaluationResponse, ModelRef, ScoreRequest};
use crate::{Error, Fault, validate, whitebox};

/// A model ready to evaluate: compiled, linked, its declaration read and
/// checked. Cheap to share across threads (`&Model` is all `evaluate` needs).
pub struct Model {
    runtime: Runtime,
    pre: ScoringModelPre<SandboxState>,
    info: ModelInfo,
    consequences: Vec<Consequence>,
    sha256: String,
    imports: Vec<String>,
    limits: Limits,
}

/// A successful evaluation and what it cost.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The white box: score, grade, contributions, reasons (already checked).
    pub evaluation: Evaluation,
    /// Fuel used; deterministic for a given module, request and wasmtime.
    pub fuel: u64,
    /// Wall-clock time of instantiation + call + checks.
    pub duration: Duration,
    /// What the plugin wrote to stdout/stderr (bounded).
    pub output: String,
}

impl Runtime {
    /// Check, compile and link a module, and read its `describe()`.
    ///
    /// Refuses ([`Error::ModuleRefused`], naming the reason): more than
    /// `max_module_bytes`; not WebAssembly; a core module rather than a
    /// component; a component that does not validate; an import outside
    /// the allowed set ([`imports::refusal`]); a component that does not
    /// implement `zjcredit:scoring/scoring-model@1.0.0`; a `describe()`
    /// that faults or is not a sane declaration. Compiling costs tens of
    /// milliseconds per module: load once, evaluate many times.
    pub fn load(&self, bytes: &[u8]) -> Result<Model, Error> {
        let sha256 = self.check_module_bytes(bytes)?;
        crate::sandbox::count_compile();
        let _span = tracing::info_span!("load", sha256 = %&sha256[..12]).entered();
        let component = Component::new(&self.shared.engine, bytes)
            .map_err(|e| Error::ModuleRefused(format!("the component does not validate: {e:#}")))?;
        Model::from_component(self.clone(), component, sha256)
    }
}

impl Model {
    pub(crate) fn from_component(
        runtime: Runtime,
        component: Component,
        sha256: String,
    ) -> Result<Model, Error> {
        let engine = &runtime.shared.engine;
        let imports: Vec<String> = component
            .component_type()
            .imports(engine)
            .map(|(name, _)| name.to_string())
            .collect();
        for import in &imports {
            if let Some(why) = imports::refusal(import) {
                return Err(Error::ModuleRefused(why));
            }
        }
        let pre = runtime
            .shared
            .linker
            .instantiate_pre(&component)
            .map_err(|e| Error::ModuleRefused(format!("its imports cannot be linked: {e:#}")))?;
        let pre = ScoringModelPre::new(pre).map_err(|e| {
            Error::ModuleRefused(format!(
                "it does not implement the world {}: {e:#}",
                crate::contract::WORLD
            ))
        })?;
        let limits = runtime.shared.limits;
        let mut model = Model {
            runtime,
            pre,
            info: placeholder_info(),
            consequences: Vec::new(),
            sha256,
            imports,
            limits,
        };
        let (info, _, _) = model
            .call(0, |store, instance| instance.call_describe(store))
            .map_err(|e| Error::ModuleRefused(format!("describe() failed: {e}")))?;
        validate::check_model_info(&info)?;
        let (consequences, _, _) = model
            .call_instance(0, |store, instance| {
                let Some(func) = instance.get_func(&mut *store, CONSEQUENCES_EXPORT) else {
                    return Ok(None);
                };
                let typed = func.typed::<(), (Vec<Consequence>,)>(&*store)?;
                Ok(Some(typed.call(&mut *store, ())?.0))
            })
            .map_err(|e| Error::ModuleRefused(format!("consequences() failed: {e}")))?;
        let consequences = consequences.unwrap_or_default();
        validate::check_consequences(&info, &consequences)?;
        model.info = info;
        model.consequences = consequences;
        Ok(model)
    }

    /// What the model declares it does whatever the points (its
    /// `consequences` export; empty for a component without one). Read once
    /// at load.
    pub fn consequences(&self) -> &[Consequence] {
        &self.consequences
    }

    /// The model's declaration, as its `describe()` returned it.
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Hex SHA-256 of the module's exact bytes.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// The component's imports, as fully qualified interface names.
    pub fn imports(&self) -> &[String] {
        &self.imports
    }

    /// Name, version and hash, as recorded with each evaluation.
    pub fn model_ref(&self) -> ModelRef {
        ModelRef {
            name: self.info.name.clone(),
            version: self.info.version.clone(),
            sha256: self.sha256.clone(),
        }
    }

    /// The limits this model runs under.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Tighten this model's limits (never beyond the runtime's).
    pub fn tighten(&mut self, wanted: &Limits) {
        self.limits = self.runtime.shared.limits.tightened(wanted);
    }

    /// Evaluate a wire request: convert and check it against the model's
    /// declaration, then [`evaluate`](Model::evaluate). Returns the request
    /// exactly as the plugin saw it beside the outcome.
    pub fn evaluate_wire(&self, req: &ScoreRequest) -> Result<(Request, Outcome), Error> {
        // `evaluate` checks the request against the declaration: convert only.
        let req = req.convert(&self.info)?;
        let outcome = self.evaluate(&req)?;
        Ok((req, outcome))
    }

    /// The wire response for an outcome of `req`.
    pub fn response(&self, req: &Request, outcome: &Outcome) -> EvaluationResponse {
        Scorer::response(self, req, outcome)
    }

    /// Evaluate one request in a fresh sandbox.
    ///
    /// Cost: on the order of 10–50 µs for a typical scorecard (one
    /// instantiation from the pool, the call, two checks); fuel is reported
    /// in the [`Outcome`]. Errors: [`Error::BadRequest`] (before anything
    /// runs), [`Error::Rejected`] (the model's own `eval-error`),
    /// [`Error::PluginFault`], [`Error::Overloaded`] (no free sandbox slot).
    pub fn evaluate(&self, req: &Request) -> Result<Outcome, Error> {
        let span = tracing::info_span!(
            "evaluate",
            model = %self.info.name,
            version = %self.info.version,
            subject = %req.subject.id,
            fuel = tracing::field::Empty,
        );
        let _enter = span.enter();
        validate::check_request(&self.info, req)?;
        let start = Instant::now();
        let days = validate::iso_date_days(&req.as_of).unwrap_or(0);
        let (result, fuel, output) =
            self.call(days, |store, instance| instance.call_evaluate(store, req))?;
        span.record("fuel", fuel);
        let evaluation = match result {
            Ok(e) => e,
            Err(e) => {
                let msg = crate::contract::describe_eval_error(&e);
                if msg.len() as u64 > self.limits.max_result_bytes {
                    let fault = Fault::OversizedResult {
                        bytes: msg.len() as u64,
                        limit: self.limits.max_result_bytes,
                    };
                    return Err(Error::fault(fault, output));
                }
                return Err(Error::Rejected(e));
            }
        };
        let size = whitebox::result_size(&evaluation);
        if size > self.limits.max_result_bytes {
            let fault = Fault::OversizedResult {
                bytes: size,
                limit: self.limits.max_result_bytes,
            };
            return Err(Error::fault(fault, output));
        }
        if let Some(why) = whitebox::violation(&self.info, &evaluation) {
            return Err(Error::fault(Fault::BrokenWhiteBox(why), output));
        }
        Ok(Outcome {
            evaluation,
            fuel,
            duration: start.elapsed(),
            output,
        })
    }

    /// Run `f` against a fresh instance under this model's limits; returns
    /// its result, the fuel used and the captured output. The hot path: the
    /// pre-linked component's export indices were resolved once, at load.
    fn call<R>(
        &self,
        as_of_days: i64,
        f: impl FnOnce(&mut Store<SandboxState>, &ScoringModel) -> wasmtime::Result<R>,
    ) -> Result<(R, u64, String), Error> {
        self.run(
            as_of_days,
            |store| self.pre.instantiate(store),
            |store, model| f(store, &model),
        )
    }

    /// [`Model::call`] against the raw instance, for an optional export
    /// looked up by name (at load only).
    fn call_instance<R>(
        &self,
        as_of_days: i64,
        f: impl FnOnce(&mut Store<SandboxState>, Instance) -> wasmtime::Result<R>,
    ) -> Result<(R, u64, String), Error> {
        self.run(
            as_of_days,
            |store| self.pre.instance_pre().instantiate(store),
            f,
        )
    }

    /// A new store under this model's limits, `instantiate` in it, then `f`;
    /// every failure classified.
    fn run<I, R>(
        &self,
        as_of_days: i64,
        instantiate: impl FnOnce(&mut Store<SandboxState>) -> wasmtime::Result<I>,
        f: impl FnOnce(&mut Store<SandboxState>, I) -> wasmtime::Result<R>,
    ) -> Result<(R, u64, String), Error> {
        let limits = &self.limits;
        let output = OutputCapture::new(limits.max_output_bytes);
        let state = SandboxState::new(as_of_days, &output, limits.memory_bytes, 64);
        let mut store = Store::new(&self.runtime.shared.engine, state);
        store.limiter(|s| &mut s.guard);
        store
            .set_fuel(limits.fuel)
            .map_err(|e| Error::Internal(format!("cannot set fuel: {e:#}")))?;
        let ticks = limits.timeout.as_millis().div_ceil(EPOCH_TICK.as_millis()) as u64 + 1;
        store.set_epoch_deadline(ticks);
        let result = match instantiate(&mut store) {
            Ok(instance) => f(&mut store, instance),
            Err(e)
                if e.downcast_ref::<wasmtime::PoolConcurrencyLimitError>()
                    .is_some() =>
            {
                return Err(Error::Overloaded(format!("no free sandbox slot: {e}")));
            }
            Err(e) => Err(e),
        };
        let fuel = limits.fuel.saturating_sub(store.get_fuel().unwrap_or(0));
        match result {
            Ok(r) => Ok((r, fuel, output.text())),
            Err(e) => Err(Error::fault(classify(&e, &store, limits), output.text())),
        }
    }
}

/// Name the fault behind a failed call.
fn classify(e: &wasmtime::Error, store: &Store<SandboxState>, limits: &Limits) -> Fault {
    let guard = &store.data().guard;
    let memory = |requested| Fault::MemoryExhausted {
        limit: guard.limit(),
        requested,
    };
    match e.downcast_ref::<Trap>() {
        Some(Trap::OutOfFuel) => Fault::FuelExhausted {
            budget: limits.fuel,
        },
        Some(Trap::StackOverflow) => Fault::StackOverflow,
        Some(Trap::Interrupt) => Fault::Timeout {
            limit_ms: limits.timeout.as_millis() as u64,
        },
        _ if guard.denied.is_some() => memory(guard.denied.unwrap_or(0)),
        Some(trap) => Fault::Trap(trap.to_string()),
        None => match e.downcast_ref::<wasmtime_wasi::I32Exit>() {
            Some(exit) => Fault::Trap(format!("the plugin called exit({})", exit.0)),
            None => Fault::Trap(format!("{e:#}")),
        },
    }
}

fn placeholder_info() -> ModelInfo {
    ModelInfo {
        name: String::new(),
        version: String::new(),
        title: String::new(),
        subject_kinds: Vec::new(),
        scale_min: 0,
        scale_max: 0,
        base_weight_bp: 0,
        grades: Vec::new(),
        indicators: Vec::new(),
    }
}

/// What scores a request: a sandboxed [`Model`] in production; a natively
/// compiled model in the benchmarks that measure what the sandbox costs,
/// through exactly the same pipeline.
pub trait Scorer: Send + Sync {
    /// The model's declaration.
    fn info(&self) -> &ModelInfo;
    /// Name, version and module hash, as recorded.
    fn model_ref(&self) -> ModelRef;
    /// The limits it runs under (recorded for replay).
    fn limits(&self) -> &Limits;
    /// Check and evaluate one request (see [`Model::evaluate`]).
    fn evaluate(&self, req: &Request) -> Result<Outcome, Error>;
    /// The wire response for an outcome of `req`.
    fn response(&self, req: &Request, outcome: &Outcome) -> EvaluationResponse {
        EvaluationResponse::new(
            self.model_ref(),
            req,
            &outcome.evaluation,
            outcome.fuel,
            outcome.duration.as_micros() as u64,
        )
    }
}

impl Scorer for Model {
    fn info(&self) -> &ModelInfo {
        Model::info(self)
    }
    fn model_ref(&self) -> ModelRef {
        Model::model_ref(self)
    }
    fn limits(&self) -> &Limits {
        Model::limits(self)
    }
    fn evaluate(&self, req: &Request) -> Result<Outcome, Error> {
        Model::evaluate(self, req)
    }
}
