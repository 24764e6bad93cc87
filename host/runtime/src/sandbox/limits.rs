//! What one evaluation may use. The province sets the defaults; a model's
//! limits can only be tightened from there ([`Limits::tightened`]).

use std::time::Duration;

/// Per-evaluation limits, and the size of the sandbox pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Fuel budget per call. 20 M: a real scorecard evaluation uses ~30 k,
    /// so this is ~600× headroom, yet an endless loop burns through it in a
    /// few milliseconds of CPU. Fuel is deterministic, so it is also the
    /// evaluation's recorded cost.
    pub fuel: u64,
    /// Linear memory per instance. 16 MiB: a model holds one
    /// subject's inputs; a Rust plugin's stack (1 MiB) plus arena (1 MiB)
    /// plus data fit many times over.
    pub memory_bytes: u64,
    /// Native stack for WebAssembly frames. 512 KiB (wasmtime's default):
    /// thousands of frames of ordinary recursion, and a runaway recursion
    /// traps instead of taking the host thread's stack.
    pub stack_bytes: usize,
    /// Wall-clock backstop, enforced by epoch interruption. 1 s: fuel stops
    /// a CPU-bound loop long before this; the backstop catches what fuel
    /// cannot meter (time spent blocked in a host call).
    pub timeout: Duration,
    /// Largest result accepted, as [`crate::whitebox::result_size`] counts
    /// it. 64 KiB: a white box with a hundred contributions and their notes
    /// is a few KiB; anything near this is a plugin flooding the log.
    pub max_result_bytes: u64,
    /// Largest module accepted. 32 MiB: a Rust model built for release is
    /// a few hundred KiB; a componentised interpreter (JS, Python) a few MiB.
    pub max_module_bytes: usize,
    /// How much plugin output (stdout + stderr) is kept for a fault report.
    /// 4 KiB: enough for a panic message and its location.
    pub max_output_bytes: usize,
    /// Concurrent instances the pooling allocator has slots for; an
    /// evaluation that finds none free is [`crate::Error::Overloaded`].
    /// 256: far above what 2 cores run at once, small enough that the
    /// reserved address space (a few GiB per slot, never committed) stays
    /// well inside the process's.
    pub pool_instances: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            fuel: 20_000_000,
            memory_bytes: 16 << 20,
            stack_bytes: 512 << 10,
            timeout: Duration::from_secs(1),
            max_result_bytes: 64 << 10,
            max_module_bytes: 32 << 20,
            max_output_bytes: 4 << 10,
            pool_instances: 256,
        }
    }
}

impl Limits {
    /// These limits tightened by `wanted`: each per-evaluation figure is
    /// the smaller of the two (the pool and stack sizes are the engine's and
    /// stay as they are).
    pub fn tightened(&self, wanted: &Limits) -> Limits {
        Limits {
            fuel: self.fuel.min(wanted.fuel),
            memory_bytes: self.memory_bytes.min(wanted.memory_bytes),
            timeout: self.timeout.min(wanted.timeout),
            max_result_bytes: self.max_result_bytes.min(wanted.max_result_bytes),
            max_output_bytes: self.max_output_bytes.min(wanted.max_output_bytes),
            ..*self
        }
    }
}
