//! Tenant isolation: nothing one tenant's model leaves in its linear memory
//! can be read by the next instance that gets the same pool slot.
//!
//! `isolation-writer` (tenant-a) fills nearly its whole 16 MiB memory with
//! a 32-byte marker (a constant of its own: heap blocks over many pages, a
//! big stack frame, raw grown pages) and scores; `isolation-scanner`
//! (tenant-b) grows to the same 16 MiB and scans every word of it for the
//! marker, holding only the marker's bitwise NOT. The runtime is the host's
//! own (`Runtime::new`: pooling allocator, the same memory-reset mode), with
//! a pool of one or two slots so that slots must be handed from one tenant
//! to the other, and a larger fuel budget (a 16 MiB scan costs more than
//! the default 20 M).
//!
//! wasmtime's pool gives a module back a slot it used before when it can
//! (module affinity), which would keep the two tenants apart by luck rather
//! than by reset. So the writer is loaded twice (two module ids): with one
//! component slot there are two memory slots, the two writers leave both
//! last written by tenant-a, and the scanner has no choice but to take a
//! slot a writer just used — the cross-module reuse path, where the slot's
//! memory image is replaced.
//!
//! The positive control: the same scanner, told to (`n` = 1), plants the
//! marker in its own memory and finds it; and a fresh scanner in that same
//! slot then finds nothing again.

use std::time::Duration;

use scorehost_runtime::contract::Request;
use scorehost_runtime::sandbox::{Limits, Runtime};
use scorehost_runtime::{Error, Model};
use scorehost_sdk::testing::RequestBuilder;
use scorehost_sdk::testing::sandbox::to_host;
use scorehost_tests::component;

/// 16 MiB: what both guests grow to (the default memory limit).
const MEMORY: u64 = 16 << 20;

/// The host's runtime with a pool of `slots` instances (two linear-memory
/// slots each) and fuel for a 16 MiB scan.
fn runtime(slots: u32) -> Runtime {
    let rt = Runtime::new(Limits {
        pool_instances: slots,
        fuel: 1_000_000_000,
        timeout: Duration::from_secs(10),
        ..Limits::default()
    })
    .expect("runtime");
    assert_eq!(rt.limits().memory_bytes, MEMORY);
    assert!(
        rt.engine().pooling_allocator_metrics().is_some(),
        "the runtime must use the pooling allocator"
    );
    eprintln!(
        "pool: {slots} instance slot(s); memory reset: {}",
        reset_mode(&rt)
    );
    rt
}

/// The pool's memory-reset mode, as the runtime configured it.
fn reset_mode(rt: &Runtime) -> &'static str {
    if rt.uses_pagemap_scan() {
        "PAGEMAP_SCAN: slot memory kept resident (16 MiB), only dirty pages reset"
    } else {
        "madvise(MADV_DONTNEED) / re-map of the memory image on reuse (wasmtime's default)"
    }
}

fn load(rt: &Runtime, package: &str) -> Model {
    rt.load(&std::fs::read(component(package)).expect("component"))
        .expect("loads")
}

fn request(plant: bool) -> Request {
    let mut b = RequestBuilder::enterprise("91330100ISOLATE01X", "2026-11-01").base(700.0, "B");
    if plant {
        b = b.number("n", 1.0);
    }
    to_host(&b.build())
}

/// Evaluate, retrying while every pool slot is busy (other threads).
fn evaluate(model: &Model, req: &Request) -> scorehost_runtime::Outcome {
    loop {
        match model.evaluate(req) {
            Ok(o) => return o,
            Err(Error::Overloaded(_)) => std::thread::yield_now(),
            Err(e) => panic!("{}: {e}", model.info().name),
        }
    }
}

/// A reason `key N`, as a number.
fn reason(o: &scorehost_runtime::Outcome, key: &str) -> u64 {
    o.evaluation
        .reasons
        .iter()
        .find_map(|r| r.strip_prefix(&format!("{key} ")))
        .unwrap_or_else(|| panic!("no '{key}' in {:?}", o.evaluation.reasons))
        .parse()
        .expect("a number")
}

/// What a scan found.
#[derive(Debug, PartialEq)]
struct Found {
    full: u64,
    words: u64,
    scanned: u64,
}

fn scan(scanner: &Model, plant: bool) -> Found {
    let o = evaluate(scanner, &request(plant));
    let found = Found {
        full: reason(&o, "marker-full"),
        words: reason(&o, "marker-words"),
        scanned: reason(&o, "memory-bytes"),
    };
    assert_eq!(
        found.scanned, MEMORY,
        "the scanner must scan a whole 16 MiB memory"
    );
    found
}

fn write(writer: &Model) {
    let o = evaluate(writer, &request(false));
    assert_eq!(o.evaluation.score, 70_000, "the writer scores normally");
    assert!(
        reason(&o, "marker-bytes-written") >= 13 << 20,
        "{:?}",
        o.evaluation.reasons
    );
    assert!(reason(&o, "memory-bytes") >= MEMORY - (256 << 10));
}

const CLEAN: Found = Found {
    full: 0,
    words: 0,
    scanned: MEMORY,
};

#[test]
fn the_scanner_finds_a_marker_that_is_there() {
    let rt = runtime(1);
    let scanner = load(&rt, "isolation-scanner");
    // It does not carry the marker itself.
    assert_eq!(scan(&scanner, false), CLEAN);
    // Planted in a 64 KiB heap block and the top 64 KiB page: 2 × 2,048
    // whole markers at least (the heap block's may also be in freed
    // memory from earlier allocations).
    let planted = scan(&scanner, true);
    assert!(planted.full >= 4096, "{planted:?}");
    assert!(planted.words >= 4 * 4096, "{planted:?}");
    // The same tenant's next instance, in the same (only) slot: gone.
    assert_eq!(scan(&scanner, false), CLEAN);
}

#[test]
fn a_tenant_never_reads_what_the_previous_tenant_left_in_its_slot() {
    // One instance slot (two memory slots): after the two writers both
    // slots were last written by tenant-a, so every scan runs in one of
    // them.
    let rt = runtime(1);
    let writers = [load(&rt, "isolation-writer"), load(&rt, "isolation-writer")];
    let scanner = load(&rt, "isolation-scanner");
    for round in 0..150 {
        write(&writers[0]);
        write(&writers[1]);
        assert_eq!(scan(&scanner, false), CLEAN, "round {round}");
        if round % 10 == 0 {
            // The control, in the same slots: a marker that is there is found.
            assert!(scan(&scanner, true).full >= 4096);
            assert_eq!(
                scan(&scanner, false),
                CLEAN,
                "round {round}, after the control"
            );
        }
    }
    let m = rt.engine().pooling_allocator_metrics().expect("pool");
    assert_eq!(
        m.component_instances(),
        0,
        "every instance gave its slot back"
    );
    eprintln!(
        "after: {} warm memory slot(s), {} bytes kept resident",
        m.unused_warm_memories(),
        m.unused_memory_bytes_resident()
    );
    // Both memory slots of the pool were used: the scanner always took one a
    // writer had just left.
    assert_eq!(m.unused_warm_memories(), 2, "a pool of two memory slots");
}

#[test]
fn tenants_stay_apart_when_many_threads_share_a_small_pool() {
    // Two instance slots, four threads: slots are taken, returned and taken
    // again by whichever tenant comes next; a busy pool is retried.
    let rt = runtime(2);
    let writers = [load(&rt, "isolation-writer"), load(&rt, "isolation-writer")];
    let scanner = load(&rt, "isolation-scanner");
    std::thread::scope(|s| {
        for t in 0..4 {
            let (writers, scanner) = (&writers, &scanner);
            s.spawn(move || {
                for round in 0..40 {
                    write(&writers[(t + round) % 2]);
                    assert_eq!(scan(scanner, false), CLEAN, "thread {t}, round {round}");
                    if round % 8 == t {
                        assert!(scan(scanner, true).full >= 4096);
                    }
                }
            });
        }
    });
    let m = rt.engine().pooling_allocator_metrics().expect("pool");
    assert_eq!(m.component_instances(), 0);
    assert!(m.unused_warm_memories() <= 4, "a pool of four memory slots");
}
