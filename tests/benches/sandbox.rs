//! Benchmark: `ningbo-port` natively vs in a fresh sandbox per evaluation.
//!
//! Run with `cargo bench -p scorehost-tests --bench sandbox` after
//! `scripts/build-plugins.sh`. Prints medians (this machine is noisy):
//! - native: the model's `evaluate` compiled for the host (the floor);
//! - sandboxed: `Model::evaluate` — request check, fresh instance from the
//!   pool, the call with fuel and epoch, result-size and white-box checks;
//! - their ratio, the sandboxed p99, and evaluations per second on 1 and 2
//!   threads;
//! - all of it for the ordinary `wasm32-wasip2` build and for the fast path
//!   (`scorehost plugin build`: wasm32-unknown-unknown, componentised, no WASI).

use std::hint::black_box;
use std::time::Instant;

use scorehost_runtime::componentize::componentize;
use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_sdk::Model as _;
use scorehost_sdk::testing::sandbox::from_host_request;
use scorehost_tests::{component, core_module, example};

/// Samples per measurement; the median of these is reported.
const SAMPLES: usize = 31;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Median time per iteration of `f`, over `SAMPLES` batches of `batch`.
fn per_call(batch: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..batch {
        f();
    }
    median(
        (0..SAMPLES)
            .map(|_| {
                let t = Instant::now();
                for _ in 0..batch {
                    f();
                }
                t.elapsed().as_nanos() as f64 / batch as f64
            })
            .collect(),
    )
}

/// Sandboxed figures for one build of the model.
struct Figures {
    fuel: u64,
    median_ns: f64,
    p50_ns: f64,
    p99_ns: f64,
    per_sec_1: f64,
    per_sec_2: f64,
}

fn measure(
    model: &scorehost_runtime::Model,
    req: &scorehost_runtime::contract::Request,
) -> Figures {
    let median_ns = per_call(2_000, || {
        black_box(model.evaluate(black_box(req)).unwrap());
    });
    // Latency distribution of single calls.
    let mut single: Vec<f64> = (0..20_000)
        .map(|_| {
            let t = Instant::now();
            black_box(model.evaluate(req).unwrap());
            t.elapsed().as_nanos() as f64
        })
        .collect();
    single.sort_by(f64::total_cmp);
    let throughput = |threads: usize| -> f64 {
        let per_thread = 40_000;
        median(
            (0..5)
                .map(|_| {
                    let t = Instant::now();
                    std::thread::scope(|s| {
                        for _ in 0..threads {
                            s.spawn(|| {
                                for _ in 0..per_thread {
                                    black_box(model.evaluate(req).unwrap());
                                }
                            });
                        }
                    });
                    (threads * per_thread) as f64 / t.elapsed().as_secs_f64()
                })
                .collect(),
        )
    };
    Figures {
        fuel: model.evaluate(req).unwrap().fuel,
        median_ns,
        p50_ns: single[single.len() / 2],
        p99_ns: single[single.len() * 99 / 100],
        per_sec_1: throughput(1),
        per_sec_2: throughput(2),
    }
}

fn main() {
    let runtime = Runtime::new(Limits::default()).expect("runtime");
    let wasip2 = runtime
        .load(&std::fs::read(component("ningbo-port-v1")).expect("component"))
        .expect("ningbo-port loads");
    let fast_component =
        componentize(&std::fs::read(core_module()).expect("core module")).expect("componentizes");
    let fast = runtime.load(&fast_component).expect("the fast build loads");
    let req = example("ningbo-port-v1")
        .to_request(wasip2.info())
        .expect("valid sample");
    let sdk_req = from_host_request(&req);
    assert_eq!(
        wasip2.evaluate(&req).unwrap().evaluation,
        fast.evaluate(&req).unwrap().evaluation,
        "both builds give the same white box"
    );

    let native = per_call(20_000, || {
        black_box(ningbo_port_v1::NingboPort::evaluate(black_box(&sdk_req)).unwrap());
    });
    let builds = [
        ("wasm32-wasip2 (cargo build)", measure(&wasip2, &req)),
        ("fast path (plugin build)", measure(&fast, &req)),
    ];

    println!("ningbo-port, one evaluation of the sample request (medians of {SAMPLES} samples)");
    println!(
        "  pooling allocator with PAGEMAP_SCAN: {}",
        runtime.uses_pagemap_scan()
    );
    println!(
        "  native (the floor):                  {:>9.2} µs",
        native / 1e3
    );
    for (name, f) in &builds {
        println!("  {name}:");
        println!("    fuel per evaluation:               {}", f.fuel);
        println!(
            "    sandboxed, fresh instance:         {:>9.2} µs  (single-call p50 {:.2} µs, p99 {:.2} µs)",
            f.median_ns / 1e3,
            f.p50_ns / 1e3,
            f.p99_ns / 1e3
        );
        println!(
            "    sandboxed / native:                {:>9.1}×",
            f.median_ns / native
        );
        println!(
            "    evaluations/s, 1 thread:           {:>9.0}",
            f.per_sec_1
        );
        println!(
            "    evaluations/s, 2 threads:          {:>9.0}  ({:.2}× of 1 thread)",
            f.per_sec_2,
            f.per_sec_2 / f.per_sec_1
        );
    }
}
