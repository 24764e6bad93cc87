//! Native and sandboxed evaluation agree exactly, for every plugin, on its
//! sample request and on hundreds of seeded variants of it: same score,
//! grade, contributions and reasons, or the same error.

use scorehost_sdk::Model;
use scorehost_sdk::testing::sandbox::{compare, from_host_request, load};
use scorehost_tests::{component, example, variants};

/// How many variants per plugin: enough to cross every band, cap and
/// validity window of the models; a few seconds in release mode.
const VARIANTS: usize = 400;

fn check<M: Model>(package: &str, seed: u64) -> usize {
    check_module::<M>(package, &component(package), seed)
}

fn check_module<M: Model>(package: &str, module: &std::path::Path, seed: u64) -> usize {
    let module = module.to_path_buf();
    let model = load(&module);
    let req = example(package)
        .to_request(model.info())
        .expect("the sample request is valid");
    let mut scored = 0;
    for (i, v) in std::iter::once(req.clone())
        .chain(variants(&req, model.info(), VARIANTS, seed))
        .enumerate()
    {
        let sdk_req = from_host_request(&v);
        let native = M::evaluate(&sdk_req);
        if native.is_ok() {
            scored += 1;
        }
        // Panics with the difference, naming nothing but the variant index.
        std::panic::catch_unwind(|| compare::<M>(&module, &sdk_req, &native))
            .unwrap_or_else(|_| panic!("{package}: variant {i} differs: {v:?}"));
    }
    scored
}

#[test]
fn ningbo_port_native_and_sandboxed_agree() {
    let scored = check::<ningbo_port_v1::NingboPort>("ningbo-port-v1", 11);
    assert!(
        scored > VARIANTS / 2,
        "most variants should score, got {scored}"
    );
}

#[test]
fn the_fast_path_build_agrees_with_native_too() {
    // ningbo-port built for wasm32-unknown-unknown and componentised: no
    // WASI imports at all, the same answers.
    let core = std::fs::read(scorehost_tests::core_module()).unwrap();
    let component = scorehost_runtime::componentize::componentize(&core).expect("componentizes");
    let path = std::env::temp_dir().join(format!("scorehost-fast-{}.wasm", std::process::id()));
    std::fs::write(&path, &component).unwrap();
    assert_eq!(load(&path).imports(), ["zjcredit:scoring/types@1.0.0"]);
    let scored = check_module::<ningbo_port_v1::NingboPort>("ningbo-port-v1", &path, 21);
    std::fs::remove_file(&path).ok();
    assert!(
        scored > VARIANTS / 2,
        "most variants should score, got {scored}"
    );
}

#[test]
fn componentize_refuses_what_it_cannot_wrap() {
    use scorehost_runtime::componentize::componentize;
    for bytes in [
        &b"not wasm"[..],
        &std::fs::read(component("ningbo-port-v1")).unwrap()[..],
    ] {
        let err = componentize(bytes).unwrap_err().to_string();
        assert!(
            err.starts_with("module refused: cannot make a component of this core module"),
            "{err}"
        );
    }
}

#[test]
fn hangzhou_qianjiang_native_and_sandboxed_agree() {
    // Ages drawn below 18 are refused by the model: both must refuse.
    let scored = check::<hangzhou_qianjiang_v2::HangzhouQianjiang>("hangzhou-qianjiang-v2", 12);
    assert!(
        scored > VARIANTS / 5,
        "many variants should score, got {scored}"
    );
}

#[test]
fn yiwu_market_native_and_sandboxed_agree() {
    // export_share_pct beyond 100 is refused by the model: both must refuse.
    let scored = check::<yiwu_market_v1::YiwuMarket>("yiwu-market-v1", 13);
    assert!(
        scored > VARIANTS / 4,
        "many variants should score, got {scored}"
    );
}

#[test]
fn environment_native_and_sandboxed_agree() {
    let scored = check::<environment_v1::Environment>("environment-v1", 14);
    assert!(
        scored > VARIANTS / 2,
        "most variants should score, got {scored}"
    );
}

#[test]
fn the_white_box_adds_up_for_every_sample() {
    for package in [
        "ningbo-port-v1",
        "hangzhou-qianjiang-v2",
        "yiwu-market-v1",
        "environment-v1",
    ] {
        let model = load(&component(package));
        let (_, outcome) = model
            .evaluate_wire(&example(package))
            .expect("sample scores");
        let e = &outcome.evaluation;
        assert_eq!(
            e.contributions.iter().map(|c| c.points).sum::<i64>(),
            e.score,
            "{package}"
        );
        assert!(
            e.contributions.iter().any(|c| c.name == "base"),
            "{package} shows its base"
        );
        assert!(outcome.fuel > 0);
    }
}
