//! The sandbox: one wasmtime engine configured for deterministic, bounded,
//! capability-free evaluation, and the gate every module passes to load.
//!
//! - **Deterministic**: fuel metering (the same request costs the same fuel
//!   on every run), NaN canonicalisation, relaxed SIMD in its deterministic
//!   mode, no threads, frozen clocks, seeded randomness.
//! - **Bounded**: fuel, linear memory, stack, a wall-clock backstop (epoch
//!   interruption, ticked by a background thread), result size ([`Limits`]).
//! - **Fresh**: each evaluation instantiates the pre-linked component anew
//!   from the pooling allocator; nothing of one subject survives into the next.
//! - **Gated**: [`Runtime::load`] (in [`crate::model`]) refuses core modules, components of another
//!   world, forbidden imports and dishonest `describe()`s, naming the reason.

pub mod imports;
mod limits;
mod wasi;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use sha2::{Digest, Sha256};
use wasmtime::component::Linker;
use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

pub use limits::Limits;
pub use wasi::OutputCapture;
pub(crate) use wasi::SandboxState;

use crate::Error;

/// How often the epoch advances. 10 ms: the wall-clock backstop is accurate
/// to one tick, and ticking costs one atomic increment per tick.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Modules this process has compiled from bytes ([`Runtime::load`]).
static COMPILES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many modules this process has compiled from their bytes (not
/// counting artifacts read back from the cache): `/metrics` shows it as
/// `scorehost_module_compiles_total`, so that an operator sees who makes
/// the service compile.
pub fn compiles() -> u64 {
    COMPILES.load(std::sync::atomic::Ordering::Relaxed)
}

/// Count one compile from bytes (see [`compiles`]).
pub(crate) fn count_compile() {
    COMPILES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
}

/// The engine, the linker with its capability-free WASI, and the limits.
/// Cheap to clone; share one per process.
#[derive(Clone)]
pub struct Runtime {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    pub(crate) engine: Engine,
    pub(crate) linker: Linker<SandboxState>,
    pub(crate) limits: Limits,
    pub(crate) pagemap_scan: bool,
    _ticker: Ticker,
}

struct Ticker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Runtime {
    /// Build the engine and linker. Costs a few milliseconds and reserves
    /// (but does not commit) virtual memory for `limits.pool_instances`
    /// sandbox slots.
    pub fn new(limits: Limits) -> Result<Runtime, Error> {
        let internal =
            |e: wasmtime::Error| Error::Internal(format!("cannot set up the sandbox: {e:#}"));
        let pagemap_scan = PoolingAllocationConfig::is_pagemap_scan_available();
        let mut pool = PoolingAllocationConfig::default();
        let slots = limits.pool_instances;
        pool.total_component_instances(slots)
            // A Rust wasip2 component holds a handful of core instances
            // (the program, WASI adapter shims); 16 is ample.
            .max_core_instances_per_component(16)
            .total_core_instances(slots * 16)
            .max_memories_per_component(4)
            .total_memories(slots * 2)
            .max_tables_per_component(8)
            .total_tables(slots * 4)
            .max_memory_size(limits.memory_bytes as usize);
        if pagemap_scan {
            // Measured on this project's hardware: resetting only the dirty
            // pages of a kept-resident slot took a fresh evaluation from
            // ~41 µs to ~16 µs. Without pagemap_scan, keeping memory resident
            // is slower than the defaults, so it is only turned on with it.
            pool.pagemap_scan(Enabled::Yes)
                .linear_memory_keep_resident(limits.memory_bytes as usize)
                .table_keep_resident(64 << 10);
        }
        let mut config = Config::new();
        config
            .consume_fuel(true)
            .epoch_interruption(true)
            .cranelift_nan_canonicalization(true)
            .relaxed_simd_deterministic(true)
            .max_wasm_stack(limits.stack_bytes)
            .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
        let engine = Engine::new(&config).map_err(internal)?;
        let mut linker = Linker::<SandboxState>::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(internal)?;
        wasi::link_frozen_sleep(&mut linker).map_err(internal)?;
        crate::contract::zjcredit::scoring::types::add_to_linker::<
            _,
            wasmtime::component::HasSelf<SandboxState>,
        >(&mut linker, |s| s)
        .map_err(internal)?;

        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (engine, stop) = (engine.clone(), stop.clone());
            std::thread::Builder::new()
                .name("scorehost-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                    }
                })
                .map_err(|e| Error::Internal(format!("cannot start the epoch ticker: {e}")))?
        };
        Ok(Runtime {
            shared: Arc::new(Shared {
                engine,
                linker,
                limits,
                pagemap_scan,
                _ticker: Ticker {
                    stop,
                    thread: Some(thread),
                },
            }),
        })
    }

    /// The province's limits this runtime enforces.
    pub fn limits(&self) -> &Limits {
        &self.shared.limits
    }

    /// Whether the pooling allocator resets memory with `PAGEMAP_SCAN`
    /// (Linux ≥ 6.7), the fast path for fresh instances.
    pub fn uses_pagemap_scan(&self) -> bool {
        self.shared.pagemap_scan
    }

    /// The engine (for precompiling artifacts with the same configuration).
    pub fn engine(&self) -> &Engine {
        &self.shared.engine
    }

    /// The checks on raw bytes that come before compiling: the size limit
    /// and the component header. Returns the bytes' hex SHA-256.
    pub fn check_module_bytes(&self, bytes: &[u8]) -> Result<String, Error> {
        let limit = self.shared.limits.max_module_bytes;
        if bytes.len() > limit {
            return Err(Error::ModuleRefused(format!(
                "the module is {} bytes, over the limit of {limit}",
                bytes.len()
            )));
        }
        match bytes.get(..8) {
            Some([0, b'a', b's', b'm', 1, 0, 0, 0]) => Err(Error::ModuleRefused(
                "this is a core WebAssembly module, not a component: build it with `cargo build --target wasm32-wasip2` (or componentise it with `scorehost plugin build`)".into(),
            )),
            Some([0, b'a', b's', b'm', _, _, 1, 0]) => Ok(hex::encode(Sha256::digest(bytes))),
            _ => Err(Error::ModuleRefused(
                "this is not a WebAssembly component (no `\\0asm` component header)".into(),
            )),
        }
    }
}
