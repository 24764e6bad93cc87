//! Parity with the sandbox (feature `sandbox`): run the same request through
//! the model's built component in the real scorehost runtime.
//!
//! [`super::evaluate`] calls [`check_parity`] after every native evaluation.
//! The component is looked up as
//! `<target>/wasm32-wasip2/plugin/<package>.wasm` for the package under test
//! (`CARGO_PKG_NAME`, set by cargo for test runs). If it is missing, a note
//! is printed and the native result stands — unless
//! `SCOREHOST_REQUIRE_SANDBOX=1` is set (the project's test script sets it),
//! in which case the test fails. A component whose `describe()` differs from
//! the native one is stale, and fails the test with a hint to rebuild.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use scorehost_runtime::contract as c;
use scorehost_runtime::sandbox::{Limits, Runtime};

use crate as sdk;

/// The process-wide runtime used by the harness (default limits).
pub fn runtime() -> &'static Runtime {
    static RT: OnceLock<Runtime> = OnceLock::new();
    RT.get_or_init(|| Runtime::new(Limits::default()).expect("the scorehost runtime starts"))
}

/// The cargo target directory of the running test binary.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    // <target>/<profile>/deps/<test-binary>
    let exe = std::env::current_exe().expect("the test binary has a path");
    exe.ancestors()
        .nth(3)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("target"))
}

/// Where the component of `package` is built by
/// `cargo build --profile plugin --target wasm32-wasip2 -p <package>`.
pub fn component_path(package: &str) -> PathBuf {
    target_dir()
        .join("wasm32-wasip2")
        .join("plugin")
        .join(format!("{}.wasm", package.replace('-', "_")))
}

/// Load (once per process) the component at `path`.
///
/// # Panics
/// If the file cannot be read or the runtime refuses it.
pub fn load(path: &Path) -> Arc<scorehost_runtime::Model> {
    static MODELS: OnceLock<Mutex<HashMap<PathBuf, Arc<scorehost_runtime::Model>>>> =
        OnceLock::new();
    let mut models = MODELS
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    models
        .entry(path.to_path_buf())
        .or_insert_with(|| {
            let bytes = std::fs::read(path)
                .unwrap_or_else(|e| panic!("cannot read component {}: {e}", path.display()));
            Arc::new(
                runtime()
                    .load(&bytes)
                    .unwrap_or_else(|e| panic!("{}: {e}", path.display())),
            )
        })
        .clone()
}

/// What the sandbox answered.
#[derive(Debug, Clone, PartialEq)]
pub enum Sandboxed {
    /// A checked evaluation.
    Scored(sdk::Evaluation),
    /// The model's own `eval-error`.
    Rejected(sdk::EvalError),
    /// The host refused the request before running the model.
    Refused(String),
}

/// Evaluate `req` with the component at `module`.
///
/// # Panics
/// On a plugin fault or an internal error: a model under test must not fault.
pub fn evaluate(module: &Path, req: &sdk::Request) -> Sandboxed {
    match load(module).evaluate(&to_host(req)) {
        Ok(o) => Sandboxed::Scored(from_host(&o.evaluation)),
        Err(scorehost_runtime::Error::Rejected(e)) => Sandboxed::Rejected(eval_error_from_host(&e)),
        Err(scorehost_runtime::Error::BadRequest(m)) => Sandboxed::Refused(m),
        Err(scorehost_runtime::Error::MissingRequired { indicator, kind }) => Sandboxed::Refused(
            format!("required indicator '{indicator}' ({kind}) is missing"),
        ),
        Err(e) => panic!("{} faulted in the sandbox: {e}", module.display()),
    }
}

/// Assert that the component of the package under test answers `req`
/// exactly as `native` (the model run natively) did. See the module docs for
/// when the check is skipped.
pub fn check_parity<M: sdk::Model>(
    req: &sdk::Request,
    native: &Result<sdk::Evaluation, sdk::EvalError>,
) {
    let Ok(package) = std::env::var("CARGO_PKG_NAME") else {
        return;
    };
    let module = component_path(&package);
    if !module.exists() {
        if std::env::var_os("SCOREHOST_REQUIRE_SANDBOX").is_some_and(|v| v == "1") {
            panic!(
                "no component at {}: build it with `cargo build --profile plugin --target wasm32-wasip2 -p {package}`",
                module.display()
            );
        }
        static NOTED: OnceLock<()> = OnceLock::new();
        NOTED.get_or_init(|| {
            eprintln!(
                "note: {} not built; checking natively only",
                module.display()
            );
        });
        return;
    }
    compare::<M>(&module, req, native);
}

/// Assert that the component at `module` (built from `M`) answers `req`
/// exactly as `native` did, and that its `describe()` is `M`'s.
///
/// # Panics
/// On any difference, or if the component faults.
pub fn compare<M: sdk::Model>(
    module: &Path,
    req: &sdk::Request,
    native: &Result<sdk::Evaluation, sdk::EvalError>,
) {
    let model = load(module);
    assert_eq!(
        model_info_from_host(model.info()),
        M::describe(),
        "the component at {} is stale (left: its describe(), right: the source's): rebuild it",
        module.display()
    );
    let declared: Vec<_> = model
        .consequences()
        .iter()
        .map(|c| sdk::Consequence {
            when: c.when.clone(),
            effect: c.effect.clone(),
            grade: c.grade.clone(),
            source: c.source.clone(),
        })
        .collect();
    assert_eq!(
        declared,
        M::consequences(),
        "the component at {} declares other consequences than the source (left: the component's): rebuild it",
        module.display()
    );
    let boxed = evaluate(module, req);
    let rebuild = "if you changed the model since building its component, rebuild it \
        (cargo build --profile plugin --target wasm32-wasip2 -p <package>)";
    match (native, &boxed) {
        (Ok(n), Sandboxed::Scored(b)) if n == b => {}
        (Err(n), Sandboxed::Rejected(b)) if n == b => {}
        // The host checks requests against describe() before the call, so
        // it may refuse what the model itself would have refused.
        (Err(_), Sandboxed::Refused(_)) => {}
        (n, b) => panic!(
            "native and sandboxed answers differ for {}:\n  native:  {n:?}\n  sandbox: {b:?}\n{rebuild}",
            module.display()
        ),
    }
}

/// Map between the SDK's and the host's copies of the contract's types: the
/// same WIT, generated twice (wit-bindgen for guests, wasmtime for the host).
macro_rules! kind {
    ($k:expr, $from:ident => $to:ident) => {
        match $k {
            $from::SubjectKind::Enterprise => $to::SubjectKind::Enterprise,
            $from::SubjectKind::NaturalPerson => $to::SubjectKind::NaturalPerson,
            $from::SubjectKind::SocialOrganization => $to::SubjectKind::SocialOrganization,
            $from::SubjectKind::PublicInstitution => $to::SubjectKind::PublicInstitution,
            $from::SubjectKind::GovernmentAgency => $to::SubjectKind::GovernmentAgency,
        }
    };
}

macro_rules! request {
    ($r:expr, $from:ident => $to:ident) => {
        $to::Request {
            subject: $to::Subject { id: $r.subject.id.clone(), kind: kind!($r.subject.kind, $from => $to) },
            as_of: $r.as_of.clone(),
            base: $to::BaseEvaluation {
                score: $r.base.score,
                grade: $r.base.grade.clone(),
                dimensions: $r.base.dimensions.clone(),
                lists: $r.base.lists.clone(),
            },
            indicators: $r
                .indicators
                .iter()
                .map(|i| $to::Indicator {
                    name: i.name.clone(),
                    value: match &i.value {
                        $from::Value::Number(n) => $to::Value::Number(*n),
                        $from::Value::Flag(b) => $to::Value::Flag(*b),
                        $from::Value::Text(s) => $to::Value::Text(s.clone()),
                        $from::Value::Date(s) => $to::Value::Date(s.clone()),
                    },
                    observed_on: i.observed_on.clone(),
                    source: i.source.clone(),
                })
                .collect(),
        }
    };
}

/// The host's form of an SDK request.
pub fn to_host(r: &sdk::Request) -> c::Request {
    request!(r, sdk => c)
}

/// The SDK's form of a host request.
pub fn from_host_request(r: &c::Request) -> sdk::Request {
    request!(r, c => sdk)
}

/// The SDK's form of a host evaluation.
pub fn from_host(e: &c::Evaluation) -> sdk::Evaluation {
    sdk::Evaluation {
        score: e.score,
        grade: e.grade.clone(),
        contributions: e
            .contributions
            .iter()
            .map(|c| sdk::Contribution {
                name: c.name.clone(),
                points: c.points,
                note: c.note.clone(),
            })
            .collect(),
        reasons: e.reasons.clone(),
    }
}

fn eval_error_from_host(e: &c::EvalError) -> sdk::EvalError {
    match e {
        c::EvalError::MissingIndicator(s) => sdk::EvalError::MissingIndicator(s.clone()),
        c::EvalError::InvalidIndicator(s) => sdk::EvalError::InvalidIndicator(s.clone()),
        c::EvalError::UnsupportedSubject(k) => {
            sdk::EvalError::UnsupportedSubject(kind!(*k, c => sdk))
        }
        c::EvalError::Other(s) => sdk::EvalError::Other(s.clone()),
    }
}

/// The SDK's form of a host model declaration.
pub fn model_info_from_host(i: &c::ModelInfo) -> sdk::ModelInfo {
    sdk::ModelInfo {
        name: i.name.clone(),
        version: i.version.clone(),
        title: i.title.clone(),
        subject_kinds: i
            .subject_kinds
            .iter()
            .map(|k| kind!(*k, c => sdk))
            .collect(),
        scale_min: i.scale_min,
        scale_max: i.scale_max,
        base_weight_bp: i.base_weight_bp,
        grades: i
            .grades
            .iter()
            .map(|g| sdk::GradeBand {
                grade: g.grade.clone(),
                min_score: g.min_score,
            })
            .collect(),
        indicators: i
            .indicators
            .iter()
            .map(|s| sdk::IndicatorSpec {
                name: s.name.clone(),
                description: s.description.clone(),
                kind: match s.kind {
                    c::ValueKind::Number => sdk::ValueKind::Number,
                    c::ValueKind::Flag => sdk::ValueKind::Flag,
                    c::ValueKind::Text => sdk::ValueKind::Text,
                    c::ValueKind::Date => sdk::ValueKind::Date,
                },
                required: s.required,
            })
            .collect(),
    }
}

/// The host's form of an SDK model declaration.
pub fn model_info_to_host(i: &sdk::ModelInfo) -> c::ModelInfo {
    c::ModelInfo {
        name: i.name.clone(),
        version: i.version.clone(),
        title: i.title.clone(),
        subject_kinds: i
            .subject_kinds
            .iter()
            .map(|k| kind!(*k, sdk => c))
            .collect(),
        scale_min: i.scale_min,
        scale_max: i.scale_max,
        base_weight_bp: i.base_weight_bp,
        grades: i
            .grades
            .iter()
            .map(|g| c::GradeBand {
                grade: g.grade.clone(),
                min_score: g.min_score,
            })
            .collect(),
        indicators: i
            .indicators
            .iter()
            .map(|s| c::IndicatorSpec {
                name: s.name.clone(),
                description: s.description.clone(),
                kind: match s.kind {
                    sdk::ValueKind::Number => c::ValueKind::Number,
                    sdk::ValueKind::Flag => c::ValueKind::Flag,
                    sdk::ValueKind::Text => c::ValueKind::Text,
                    sdk::ValueKind::Date => c::ValueKind::Date,
                },
                required: s.required,
            })
            .collect(),
    }
}

/// The host's form of an SDK evaluation.
pub fn to_host_evaluation(e: &sdk::Evaluation) -> c::Evaluation {
    c::Evaluation {
        score: e.score,
        grade: e.grade.clone(),
        contributions: e
            .contributions
            .iter()
            .map(|x| c::Contribution {
                name: x.name.clone(),
                points: x.points,
                note: x.note.clone(),
            })
            .collect(),
        reasons: e.reasons.clone(),
    }
}

fn eval_error_to_host(e: &sdk::EvalError) -> c::EvalError {
    match e {
        sdk::EvalError::MissingIndicator(s) => c::EvalError::MissingIndicator(s.clone()),
        sdk::EvalError::InvalidIndicator(s) => c::EvalError::InvalidIndicator(s.clone()),
        sdk::EvalError::UnsupportedSubject(k) => {
            c::EvalError::UnsupportedSubject(kind!(*k, sdk => c))
        }
        sdk::EvalError::Other(s) => c::EvalError::Other(s.clone()),
    }
}

/// A model compiled natively, behind the host's [`Scorer`] interface: the
/// same checks before and after the call as the sandbox applies (request
/// against the declaration, white box), but no sandbox. For measuring what
/// the sandbox costs in a real pipeline (`--bench batch`), never for
/// scoring anyone: it has no limits and no module hash.
///
/// [`Scorer`]: scorehost_runtime::Scorer
pub struct Native<M> {
    info: c::ModelInfo,
    model_ref: scorehost_runtime::wire::ModelRef,
    limits: Limits,
    model: std::marker::PhantomData<fn() -> M>,
}

impl<M: sdk::Model> Native<M> {
    /// The native form of `M`, declared as `sandboxed` (which must be the
    /// same model's component) declares itself.
    pub fn new(sandboxed: &scorehost_runtime::Model) -> Native<M> {
        Native {
            info: sandboxed.info().clone(),
            model_ref: scorehost_runtime::wire::ModelRef {
                name: sandboxed.info().name.clone(),
                version: sandboxed.info().version.clone(),
                sha256: "native".into(),
            },
            limits: *sandboxed.limits(),
            model: std::marker::PhantomData,
        }
    }
}

impl<M: sdk::Model> scorehost_runtime::Scorer for Native<M> {
    fn info(&self) -> &c::ModelInfo {
        &self.info
    }
    fn model_ref(&self) -> scorehost_runtime::wire::ModelRef {
        self.model_ref.clone()
    }
    fn limits(&self) -> &Limits {
        &self.limits
    }
    fn evaluate(
        &self,
        req: &c::Request,
    ) -> Result<scorehost_runtime::Outcome, scorehost_runtime::Error> {
        scorehost_runtime::validate::check_request(&self.info, req)?;
        let start = std::time::Instant::now();
        let evaluation = match M::evaluate(&from_host_request(req)) {
            Ok(e) => to_host_evaluation(&e),
            Err(e) => return Err(scorehost_runtime::Error::Rejected(eval_error_to_host(&e))),
        };
        if let Some(why) = scorehost_runtime::whitebox::violation(&self.info, &evaluation) {
            return Err(scorehost_runtime::Error::Internal(why));
        }
        Ok(scorehost_runtime::Outcome {
            evaluation,
            fuel: 0,
            duration: start.elapsed(),
            output: String::new(),
        })
    }
}
