//! Isolation guest, tenant A: fills as much of its linear memory as it can
//! with a 32-byte secret marker — heap allocations spread over many pages,
//! a big stack frame, and raw pages grown past the allocator's to nearly
//! the 16 MiB limit — and then scores normally. The marker is a constant of
//! this module, never read from the request (the scanner sees the same
//! request). `tests/tests/isolation.rs` runs `isolation-scanner` after it in
//! the same pool slots and expects to find none of it.
use scorehost_sdk::*;

/// The secret. Only this module holds it; the scanner holds its bitwise NOT.
pub const MARKER: [u8; 32] = *b"TENANT-A SECRET 7f3a9c21e4b8d605";

/// The marker as four little-endian words, as it lies in memory.
fn marker_words() -> [u64; 4] {
    let mut w = [0u64; 4];
    for (i, chunk) in MARKER.chunks_exact(8).enumerate() {
        w[i] = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
    }
    w
}

/// Linear memory the writer leaves the allocator: 256 KiB below the
/// 16 MiB limit, so that building the answer still finds memory.
#[cfg(target_arch = "wasm32")]
const RAW_TOP: usize = (16 << 20) - (256 << 10);

/// The guest model.
pub struct Guest;

impl Model for Guest {
    fn describe() -> ModelInfo {
        let mut info = guest_common::info("isolation-writer");
        info.name = "tenant-a/isolation-writer".into();
        info
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let m = marker_words();
        let mut written: u64 = 0;
        // Heap: 96 blocks of 48 KiB, spread over ~4.5 MiB of pages.
        let mut blocks: Vec<Vec<[u64; 4]>> = Vec::new();
        for _ in 0..96 {
            let block = vec![m; (48 << 10) / 32];
            written += (block.len() * 32) as u64;
            blocks.push(core::hint::black_box(block));
        }
        // Stack: one 32 KiB frame.
        written += stack_frame(m);
        // Raw pages, grown past the allocator's, filled to RAW_TOP.
        written += fill_raw(m);
        drop(core::hint::black_box(blocks));
        let mut e = guest_common::evaluation(req);
        e.reasons.push(format!("marker-bytes-written {written}"));
        e.reasons.push(format!("memory-bytes {}", memory_bytes()));
        Ok(e)
    }
}

#[inline(never)]
fn stack_frame(m: [u64; 4]) -> u64 {
    let frame = core::hint::black_box([m; 1024]);
    core::hint::black_box(&frame);
    (frame.len() * 32) as u64
}

#[cfg(target_arch = "wasm32")]
fn memory_bytes() -> usize {
    core::arch::wasm32::memory_size(0) * 65536
}

#[cfg(not(target_arch = "wasm32"))]
fn memory_bytes() -> usize {
    0
}

#[cfg(target_arch = "wasm32")]
fn fill_raw(m: [u64; 4]) -> u64 {
    use core::arch::wasm32::{memory_grow, memory_size};
    let start = memory_size(0) * 65536;
    if start >= RAW_TOP {
        return 0;
    }
    if memory_grow(0, (RAW_TOP - start) / 65536) == usize::MAX {
        return 0;
    }
    let mut written = 0;
    let mut at = start;
    while at + 32 <= RAW_TOP {
        for (k, w) in m.iter().enumerate() {
            // SAFETY: [start, RAW_TOP) was just grown and nothing else
            // (the allocator included) knows of it.
            unsafe { core::ptr::write_volatile((at + 8 * k) as *mut u64, *w) };
        }
        at += 32;
        written += 32;
    }
    written
}

#[cfg(not(target_arch = "wasm32"))]
fn fill_raw(_: [u64; 4]) -> u64 {
    0
}

export_model!(Guest);
