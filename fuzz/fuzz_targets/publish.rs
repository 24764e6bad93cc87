//! `publish`: the gate every module passes before the registry stores it —
//! [`Runtime::load`] (size, header, validation, compilation, forbidden
//! imports, the world, `describe()` and its sanity check) as the registry's
//! `ModuleCheck` runs it — and the `plugin build` path that wraps a core
//! module into a component ([`componentize`]).
//!
//! Every input must give a model or a clean refusal
//! ([`Error::ModuleRefused`]), never a panic. A module that loads is then
//! evaluated once on a synthetic request for its own declaration, under
//! small limits: an answer or a clean error.
//!
//! Inputs that start with `\0asm` are taken as a module's bytes as they are
//! (the corpus holds the real plugins, the hostile ones included, for
//! libFuzzer to mutate); a core module among them, once refused, also goes
//! through `componentize` (the corpus holds a `wasm32-unknown-unknown`
//! build). Anything else drives wasm-smith: its first byte
//! picks what to build from the rest —
//! 0. a core module, which must be refused as one;
//! 1. a component (wasm-smith's component generator);
//! 2. a core module embedded in a component (validation and compilation of
//!    arbitrary code, then the world check refuses it);
//! 3. a core module through `componentize`, and what it makes, loaded.
#![no_main]

use std::sync::OnceLock;
use std::time::Duration;

use arbitrary::{Arbitrary, Result, Unstructured};
use libfuzzer_sys::fuzz_target;
use scorehost_runtime::Error;
use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_runtime::wire::WireModelInfo;
use scorehost_registry::{ModelName, VersionRef};

fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        Runtime::new(Limits {
            // One evaluation at a time: a small pool reserves little.
            pool_instances: 4,
            fuel: 2_000_000,
            timeout: Duration::from_millis(500),
            ..Limits::default()
        })
        .expect("the sandbox starts")
    })
}

/// Load `bytes` as the registry's publish check does; on success evaluate
/// the model once. Returns whether it loaded.
fn publish(bytes: &[u8]) -> bool {
    let rt = runtime();
    let model = match rt.load(bytes) {
        Ok(m) => m,
        Err(Error::ModuleRefused(why)) => {
            assert!(!why.is_empty());
            return false;
        }
        Err(other) => {
            panic!("a module is refused with another error than ModuleRefused: {other:?}")
        }
    };
    // What the registry stores from a module that passes (as
    // `scorehost_engine::catalog::SandboxCheck` makes it, without compiling twice): its
    // ref and its describe() as JSON.
    let info = model.info();
    // The registry may refuse a name the host accepts (a clean error); a
    // name it takes must survive its own text.
    if let Ok(name) = info.name.parse::<ModelName>() {
        let r = VersionRef {
            model: name,
            version: info.version.clone(),
        };
        if let Ok(back) = r.to_string().parse::<VersionRef>() {
            assert_eq!(back, r);
        }
    }
    serde_json::to_value(WireModelInfo::from(info)).expect("describe() serialises");
    let _ = scorehost_runtime::report::model_info(model.info());
    // One evaluation of a request for its own declaration.
    let date = time::Date::from_calendar_date(2026, time::Month::November, 1).unwrap();
    let mut population = scorehost_engine::population::Population::new(model.info(), date, 1);
    let request = population.next_request();
    match model.evaluate_wire(&request) {
        Ok((req, outcome)) => {
            let _ = model.response(&req, &outcome);
        }
        Err(
            Error::BadRequest(_)
            | Error::Rejected(_)
            | Error::PluginFault { .. }
            | Error::Overloaded(_),
        ) => {}
        Err(other) => panic!("an evaluation fails with an unexpected error: {other:?}"),
    }
    true
}

fn config(u: &mut Unstructured) -> Result<wasm_smith::Config> {
    let mut c = wasm_smith::Config::arbitrary(u)?;
    // Small enough to compile in milliseconds.
    c.max_funcs = c.max_funcs.min(20);
    c.max_instructions = c.max_instructions.min(200);
    c.max_data_segments = c.max_data_segments.min(10);
    c.max_element_segments = c.max_element_segments.min(10);
    c.max_elements = c.max_elements.min(100);
    c.max_table_elements = c.max_table_elements.min(10_000);
    c.max_memory32_bytes = c.max_memory32_bytes.min(64 << 20);
    c.max_memory64_bytes = c.max_memory64_bytes.min(64 << 20);
    c.max_type_size = c.max_type_size.min(200);
    Ok(c)
}

/// A component holding one core module and nothing else.
fn embed(core: &[u8]) -> Vec<u8> {
    let mut c = wasm_encoder::Component::new();
    c.section(&wasm_encoder::RawSection {
        id: wasm_encoder::ComponentSectionId::CoreModule as u8,
        data: core,
    });
    c.finish()
}

/// `plugin build`'s wrapping of a core module, and the component it makes
/// through the publish check.
fn componentized(core: &[u8]) {
    match scorehost_runtime::componentize::componentize(core) {
        Ok(component) => {
            publish(&component);
        }
        Err(Error::ModuleRefused(why)) => assert!(!why.is_empty()),
        Err(other) => panic!("componentize fails with another error: {other:?}"),
    }
}

fn smith(data: &[u8]) -> Result<()> {
    let mut u = Unstructured::new(data);
    let mode = u8::arbitrary(&mut u)? % 4;
    let config = config(&mut u)?;
    match mode {
        0 => {
            let core = wasm_smith::Module::new(config, &mut u)?.to_bytes();
            match runtime().load(&core) {
                Err(Error::ModuleRefused(why)) => assert!(why.contains("core WebAssembly module")),
                other => panic!("a core module is not refused as one: {:?}", other.err()),
            }
        }
        1 => {
            let component = wasm_smith::Component::new(config, &mut u)?.to_bytes();
            publish(&component);
        }
        2 => {
            let core = wasm_smith::Module::new(config, &mut u)?.to_bytes();
            assert!(
                !publish(&embed(&core)),
                "a component of one core module loads"
            );
        }
        _ => {
            let core = wasm_smith::Module::new(config, &mut u)?.to_bytes();
            componentized(&core);
        }
    }
    Ok(())
}

fuzz_target!(|data: &[u8]| {
    if data.starts_with(b"\0asm") {
        if !publish(data) && data.get(4..8) == Some(&[1, 0, 0, 0]) {
            // A core module: what `plugin build` would make of it.
            componentized(data);
        }
    } else {
        let _ = smith(data);
    }
});
