//! Hostile and broken modules fail alone, each with its own clear error,
//! within seconds, and the host goes on scoring.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use scorehost_runtime::contract::Request;
use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_runtime::{Error, Fault, Model};
use scorehost_sdk::testing::RequestBuilder;
use scorehost_sdk::testing::sandbox::{load, to_host};
use scorehost_tests::{component, core_module, example};

/// A generous bound on "fails within seconds": fuel stops loops in
/// milliseconds; this only catches a limit that does not work at all.
const PROMPTLY: Duration = Duration::from_secs(20);

fn runtime() -> &'static Runtime {
    scorehost_sdk::testing::sandbox::runtime()
}

fn guest_request() -> Request {
    to_host(
        &RequestBuilder::enterprise("91330100HOSTILE01X", "2026-11-01")
            .base(700.0, "B")
            .build(),
    )
}

fn fault_of(package: &str) -> (Fault, String) {
    let model = load(&component(package));
    let start = Instant::now();
    let err = model
        .evaluate(&guest_request())
        .expect_err("a hostile guest must fail");
    assert!(
        start.elapsed() < PROMPTLY,
        "{package} took {:?}",
        start.elapsed()
    );
    match err {
        Error::PluginFault { fault, output } => (fault, output),
        other => panic!("{package}: expected a plugin fault, got {other}"),
    }
}

/// The good model still works, with its known score.
fn good_model_still_scores() {
    static GOOD: OnceLock<i64> = OnceLock::new();
    let model = load(&component("ningbo-port-v1"));
    let (_, o) = model
        .evaluate_wire(&example("ningbo-port-v1"))
        .expect("ningbo-port scores");
    let first = *GOOD.get_or_init(|| o.evaluation.score);
    assert_eq!(o.evaluation.score, first);
    assert_eq!(o.evaluation.score, 81_175);
}

fn refused(bytes: &[u8]) -> String {
    match runtime().load(bytes) {
        Err(Error::ModuleRefused(m)) => m,
        Err(other) => panic!("expected a refusal, got {other}"),
        Ok(m) => panic!("{} was loaded", m.info().name),
    }
}

#[test]
fn endless_loop_runs_out_of_fuel() {
    let (fault, _) = fault_of("hostile-endless-loop");
    assert_eq!(
        fault,
        Fault::FuelExhausted {
            budget: Limits::default().fuel
        }
    );
    good_model_still_scores();
}

#[test]
fn endless_loop_with_unlimited_fuel_hits_the_wall_clock() {
    let rt = Runtime::new(Limits {
        fuel: u64::MAX / 4,
        timeout: Duration::from_millis(200),
        ..Limits::default()
    })
    .unwrap();
    let model = rt
        .load(&std::fs::read(component("hostile-endless-loop")).unwrap())
        .unwrap();
    let start = Instant::now();
    let err = model.evaluate(&guest_request()).unwrap_err();
    let took = start.elapsed();
    assert!(
        matches!(
            err,
            Error::PluginFault {
                fault: Fault::Timeout { limit_ms: 200 },
                ..
            }
        ),
        "{err}"
    );
    assert!(
        took >= Duration::from_millis(200) && took < PROMPTLY,
        "{took:?}"
    );
    good_model_still_scores();
}

#[test]
fn memory_bomb_is_stopped_at_the_memory_limit() {
    let (fault, output) = fault_of("hostile-memory-bomb");
    match fault {
        Fault::MemoryExhausted { limit, requested } => {
            assert_eq!(limit, 16 << 20);
            assert!(requested > limit);
        }
        other => panic!("expected memory exhaustion, got {other}"),
    }
    assert!(output.contains("memory allocation"), "{output}");
    good_model_still_scores();
}

#[test]
fn deep_recursion_overflows_its_own_stack() {
    let (fault, _) = fault_of("hostile-deep-recursion");
    assert_eq!(fault, Fault::StackOverflow);
    good_model_still_scores();
}

#[test]
fn panic_is_a_trap_with_its_message_captured() {
    let (fault, output) = fault_of("hostile-panic");
    assert!(matches!(fault, Fault::Trap(_)), "{fault}");
    assert!(
        output.contains("deliberate panic while scoring 91330100HOSTILE01X"),
        "{output}"
    );
    good_model_still_scores();
}

#[test]
fn oversized_result_is_refused() {
    let (fault, _) = fault_of("hostile-oversized-result");
    match fault {
        Fault::OversizedResult { bytes, limit } => {
            assert_eq!(limit, 64 << 10);
            assert!(bytes > 1_000_000, "{bytes}");
        }
        other => panic!("expected an oversized result, got {other}"),
    }
    good_model_still_scores();
}

#[test]
fn broken_white_box_is_a_fault_not_a_score() {
    let (fault, _) = fault_of("hostile-broken-whitebox");
    match fault {
        Fault::BrokenWhiteBox(m) => {
            assert!(m.contains("add up to 700.00, not the score 700.01"), "{m}")
        }
        other => panic!("expected a broken white box, got {other}"),
    }
    good_model_still_scores();
}

#[test]
fn undeclared_grade_is_a_fault() {
    let (fault, _) = fault_of("hostile-unknown-grade");
    match fault {
        Fault::BrokenWhiteBox(m) => assert!(
            m.contains("'AAA+' is not one of the declared grades (A, B)"),
            "{m}"
        ),
        other => panic!("expected a broken white box, got {other}"),
    }
}

#[test]
fn network_import_is_refused_at_load_naming_it() {
    let m = refused(&std::fs::read(component("hostile-forbidden-import")).unwrap());
    assert!(m.contains("wasi:sockets/"), "{m}");
    assert!(m.contains("no network access"), "{m}");
}

#[test]
fn core_module_is_refused() {
    let m = refused(&std::fs::read(core_module()).unwrap());
    assert!(
        m.contains("core WebAssembly module, not a component"),
        "{m}"
    );
}

/// A declared consequence is what a benefit scenario acts on: one that
/// gives a grade the model never declared is refused at load, naming it.
#[test]
fn a_consequence_giving_an_undeclared_grade_is_refused() {
    let m = refused(&std::fs::read(component("hostile-undeclared-consequence")).unwrap());
    assert_eq!(
        m,
        "consequences() is not valid: the consequence of 'base:poor' gives grade 'banned', which is not declared",
    );
}

/// A component without the `consequences` export (built against the world
/// `scoring-model` alone, as every component before it) loads and declares
/// none.
#[test]
fn a_component_without_consequences_declares_none() {
    let model = load(&component("guest-plain-world"));
    assert!(model.consequences().is_empty());
}

#[test]
fn component_of_another_world_is_refused() {
    let m = refused(&std::fs::read(component("hostile-other-world")).unwrap());
    assert!(
        m.contains("does not implement the world zjcredit:scoring/scoring-model@1.0.0"),
        "{m}"
    );
}

#[test]
fn garbage_and_truncated_modules_are_refused() {
    assert!(refused(b"").contains("not a WebAssembly component"));
    assert!(refused(b"MZ\x90\x00 definitely not wasm").contains("not a WebAssembly component"));
    let good = std::fs::read(component("ningbo-port-v1")).unwrap();
    let m = refused(&good[..good.len() / 2]);
    assert!(m.contains("does not validate"), "{m}");
    let big = vec![0u8; Limits::default().max_module_bytes + 1];
    assert!(refused(&big).contains("over the limit"));
}

#[test]
fn flooding_output_is_captured_bounded_and_the_answer_stands() {
    let model = load(&component("hostile-chatty"));
    let o = model
        .evaluate(&guest_request())
        .expect("chatty still answers");
    assert_eq!(o.evaluation.score, 70_000);
    assert!(o.output.contains("CHATTY-GUEST-OUTPUT"));
    assert!(
        o.output.ends_with("[…output cut]"),
        "{}",
        &o.output[o.output.len() - 40..]
    );
    assert!(o.output.len() <= Limits::default().max_output_bytes + 32);
}

#[test]
fn the_sandbox_hides_and_freezes_the_environment() {
    let probe = |rt: &Runtime| {
        let model = rt
            .load(&std::fs::read(component("probe-determinism")).unwrap())
            .unwrap();
        model.evaluate(&guest_request()).expect("the probe scores")
    };
    let a = probe(runtime());
    let b = probe(runtime());
    let c = probe(&Runtime::new(Limits::default()).unwrap());
    let reasons = &a.evaluation.reasons;
    let seen = |key: &str| {
        reasons
            .iter()
            .find_map(|r| r.strip_prefix(&format!("{key} ")))
            .unwrap_or_else(|| panic!("{key}: {reasons:?}"))
    };
    // 2026-11-01 00:00 UTC: the wall clock is frozen at the evaluation date.
    assert_eq!(seen("wall-clock-secs"), "1793491200");
    assert_eq!(seen("monotonic-elapsed-ns"), "0");
    assert_eq!(seen("env-vars"), "0");
    assert_eq!(seen("args"), "0");
    assert_eq!(seen("root-readable"), "false");
    // Same answer, same HashMap order, same fuel: in one runtime and across two.
    assert_eq!(a.evaluation, b.evaluation);
    assert_eq!(a.evaluation, c.evaluation);
    assert_eq!((a.fuel, b.fuel), (c.fuel, c.fuel));
}

#[test]
fn fuel_is_deterministic_for_real_models() {
    let model = load(&component("environment-v1"));
    let fuels: Vec<u64> = (0..5)
        .map(|_| {
            model
                .evaluate_wire(&example("environment-v1"))
                .unwrap()
                .1
                .fuel
        })
        .collect();
    assert!(fuels.windows(2).all(|w| w[0] == w[1]), "{fuels:?}");
}

#[test]
fn bad_requests_are_refused_before_anything_runs() {
    let model: &Model = &load(&component("ningbo-port-v1"));
    let mut wire = example("ningbo-port-v1");
    wire.indicators.retain(|i| i.name != "tax_credit_grade");
    let err = model.evaluate_wire(&wire).unwrap_err();
    assert_eq!(
        err,
        Error::MissingRequired {
            indicator: "tax_credit_grade".into(),
            kind: "text".into()
        }
    );

    let mut wire = example("ningbo-port-v1");
    wire.indicators[1].value = serde_json::json!("eight");
    let err = model.evaluate_wire(&wire).unwrap_err().to_string();
    assert!(
        err.contains("'years_in_operation' must be a number, got a text"),
        "{err}"
    );

    let mut wire = example("ningbo-port-v1");
    wire.base.score = 812.505;
    assert!(
        model
            .evaluate_wire(&wire)
            .unwrap_err()
            .to_string()
            .contains("more than two decimals")
    );

    let mut wire = example("ningbo-port-v1");
    wire.subject.kind = "natural-person".into();
    assert!(
        model
            .evaluate_wire(&wire)
            .unwrap_err()
            .to_string()
            .contains("does not score subjects of kind 'natural-person'")
    );

    let mut wire = example("ningbo-port-v1");
    wire.indicators[0].name = "busines_type".into();
    assert!(
        model
            .evaluate_wire(&wire)
            .unwrap_err()
            .to_string()
            .contains("'busines_type' is not declared")
    );

    let mut wire = example("ningbo-port-v1");
    wire.as_of = "2026-02-30".into();
    assert!(
        model
            .evaluate_wire(&wire)
            .unwrap_err()
            .to_string()
            .contains("as_of '2026-02-30'")
    );
}

#[test]
fn hostile_and_good_models_side_by_side_under_concurrency() {
    let hostile = [
        "hostile-endless-loop",
        "hostile-memory-bomb",
        "hostile-deep-recursion",
        "hostile-panic",
    ];
    std::thread::scope(|s| {
        for h in hostile {
            s.spawn(move || {
                for _ in 0..3 {
                    let _ = fault_of(h);
                }
            });
        }
        for _ in 0..2 {
            s.spawn(|| {
                for _ in 0..200 {
                    good_model_still_scores();
                }
            });
        }
    });
}

#[test]
fn a_full_sandbox_pool_answers_overloaded_not_a_crash() {
    // Two slots, both held for seconds by endless loops (unlimited fuel, a
    // 3 s wall clock): a third evaluation finds no free slot and is told so
    // at once; the pool recovers when the loops are stopped.
    let rt = Runtime::new(Limits {
        pool_instances: 2,
        fuel: u64::MAX / 4,
        timeout: Duration::from_secs(3),
        ..Limits::default()
    })
    .unwrap();
    let looping = rt
        .load(&std::fs::read(component("hostile-endless-loop")).unwrap())
        .unwrap();
    let good = rt
        .load(&std::fs::read(component("ningbo-port-v1")).unwrap())
        .unwrap();
    std::thread::scope(|s| {
        let holders: Vec<_> = (0..2)
            .map(|_| s.spawn(|| looping.evaluate(&guest_request()).unwrap_err()))
            .collect();
        std::thread::sleep(Duration::from_millis(500));
        let start = Instant::now();
        let err = good.evaluate_wire(&example("ningbo-port-v1")).unwrap_err();
        assert!(matches!(err, Error::Overloaded(_)), "{err}");
        assert!(
            start.elapsed() < Duration::from_secs(1),
            "an overloaded answer is immediate"
        );
        for h in holders {
            let e = h.join().unwrap();
            assert!(
                matches!(
                    e,
                    Error::PluginFault {
                        fault: Fault::Timeout { .. },
                        ..
                    }
                ),
                "{e}"
            );
        }
    });
    assert_eq!(
        good.evaluate_wire(&example("ningbo-port-v1"))
            .unwrap()
            .1
            .evaluation
            .score,
        81_175
    );
}

#[test]
fn a_model_can_be_tightened_but_never_loosened() {
    let mut model = scorehost_sdk::testing::sandbox::runtime()
        .load(&std::fs::read(component("ningbo-port-v1")).unwrap())
        .unwrap();
    model.tighten(&Limits {
        fuel: u64::MAX,
        memory_bytes: u64::MAX,
        ..Limits::default()
    });
    assert_eq!(model.limits(), &Limits::default());
    model.tighten(&Limits {
        fuel: 10_000,
        ..Limits::default()
    });
    let err = model.evaluate_wire(&example("ningbo-port-v1")).unwrap_err();
    assert!(
        matches!(
            err,
            Error::PluginFault {
                fault: Fault::FuelExhausted { budget: 10_000 },
                ..
            }
        ),
        "{err}"
    );
}
