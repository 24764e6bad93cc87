//! Isolation guest, tenant B: grows its linear memory to the 16 MiB limit
//! and scans all of it, word by word, for tenant A's 32-byte marker (see
//! `isolation-writer`); it reports what it found in its reasons:
//! `marker-full N` (whole markers at any 8-byte-aligned offset),
//! `marker-words N` (words equal to any of the marker's four words: a torn
//! or partly reset page shows here) and `memory-bytes N` (how much it
//! scanned).
//!
//! It never holds the marker itself: only its bitwise NOT is in its data,
//! read through a volatile load, and each memory word `x` is compared as
//! `x ^ not == !0`, so a scan of a clean memory finds nothing.
//!
//! The positive control: indicator `n` = 1 makes it write the marker itself
//! (from the NOT form) into a 64 KiB heap block and the top 64 KiB of its
//! memory before scanning, so a test can see that the scan finds what is
//! there (4,096 whole markers at least).
use scorehost_sdk::*;

/// The bitwise NOT of each byte of tenant A's marker.
static NOT_MARKER: [u8; 32] = [
    0xab, 0xba, 0xb1, 0xbe, 0xb1, 0xab, 0xd2, 0xbe, 0xdf, 0xac, 0xba, 0xbc, 0xad, 0xba, 0xab, 0xdf,
    0xc8, 0x99, 0xcc, 0x9e, 0xc6, 0x9c, 0xcd, 0xce, 0x9a, 0xcb, 0x9d, 0xc7, 0x9b, 0xc9, 0xcf, 0xca,
];

/// The memory the scanner grows to: the default limit, 16 MiB.
#[cfg(target_arch = "wasm32")]
const TOP: usize = 16 << 20;

/// The NOT form as four little-endian words, read so that the compiler
/// cannot fold the marker back into a constant.
fn not_words() -> [u64; 4] {
    let mut w = [0u64; 4];
    for (i, slot) in w.iter_mut().enumerate() {
        let mut b = [0u8; 8];
        for (j, byte) in b.iter_mut().enumerate() {
            // SAFETY: a read of an element of a static array.
            *byte = unsafe { core::ptr::read_volatile(&NOT_MARKER[8 * i + j]) };
        }
        *slot = u64::from_le_bytes(b);
    }
    w
}

/// The guest model.
pub struct Guest;

impl Model for Guest {
    fn describe() -> ModelInfo {
        let mut info = guest_common::info("isolation-scanner");
        info.name = "tenant-b/isolation-scanner".into();
        info
    }

    fn evaluate(req: &Request) -> Result<Evaluation, EvalError> {
        let nm = not_words();
        let grown = grow_to_top();
        let mut planted: Option<Vec<u64>> = None;
        if req.opt_number("n")? == Some(1.0) {
            // Positive control: materialise the marker on purpose.
            let mut block = vec![0u64; 8192];
            for (i, w) in block.iter_mut().enumerate() {
                *w = !nm[i % 4];
            }
            planted = Some(core::hint::black_box(block));
            plant_top(&nm);
        }
        let (full, words, scanned) = scan(&nm);
        drop(core::hint::black_box(planted));
        let mut e = guest_common::evaluation(req);
        e.reasons.push(format!("marker-full {full}"));
        e.reasons.push(format!("marker-words {words}"));
        e.reasons.push(format!("memory-bytes {scanned}"));
        e.reasons.push(format!("grown {grown}"));
        Ok(e)
    }
}

#[cfg(target_arch = "wasm32")]
fn grow_to_top() -> bool {
    use core::arch::wasm32::{memory_grow, memory_size};
    let have = memory_size(0) * 65536;
    have >= TOP || memory_grow(0, (TOP - have) / 65536) != usize::MAX
}

/// Write the marker over the top 64 KiB of memory (positive control).
#[cfg(target_arch = "wasm32")]
fn plant_top(nm: &[u64; 4]) {
    let end = core::arch::wasm32::memory_size(0) * 65536;
    let mut at = end - 65536;
    while at < end {
        for (k, w) in nm.iter().enumerate() {
            // SAFETY: the top page was grown by `grow_to_top`, past anything
            // the allocator handed out (it never reaches the last page: the
            // scanner allocates little).
            unsafe { core::ptr::write_volatile((at + 8 * k) as *mut u64, !*w) };
        }
        at += 32;
    }
}

/// Scan every 8-byte word of linear memory, from address 0 to its end.
/// Returns (whole markers, marker words, bytes scanned).
#[cfg(target_arch = "wasm32")]
fn scan(nm: &[u64; 4]) -> (u64, u64, usize) {
    let end = core::arch::wasm32::memory_size(0) * 65536;
    // Address 0 through a black box: a real load, not a null dereference
    // the compiler may assume away.
    let base: usize = core::hint::black_box(0);
    let read = |at: usize| -> u64 {
        // SAFETY: `at` is 8-aligned and below the memory's end; wasm memory
        // is all readable.
        unsafe { core::ptr::read_volatile((base + at) as *const u64) }
    };
    let (mut full, mut words) = (0u64, 0u64);
    let mut at = 0;
    while at + 8 <= end {
        let x = read(at);
        if (x ^ nm[0]) == !0 || (x ^ nm[1]) == !0 || (x ^ nm[2]) == !0 || (x ^ nm[3]) == !0 {
            words += 1;
            if (x ^ nm[0]) == !0
                && at + 32 <= end
                && (read(at + 8) ^ nm[1]) == !0
                && (read(at + 16) ^ nm[2]) == !0
                && (read(at + 24) ^ nm[3]) == !0
            {
                full += 1;
            }
        }
        at += 8;
    }
    (full, words, end)
}

#[cfg(not(target_arch = "wasm32"))]
fn grow_to_top() -> bool {
    false
}

#[cfg(not(target_arch = "wasm32"))]
fn plant_top(_: &[u64; 4]) {}

#[cfg(not(target_arch = "wasm32"))]
fn scan(_: &[u64; 4]) -> (u64, u64, usize) {
    (0, 0, 0)
}

export_model!(Guest);
