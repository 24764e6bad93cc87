//! The zero-capability, deterministic environment a plugin runs in.
//!
//! - no preopened directories, no environment variables, no arguments, no
//!   network (and no socket interface is ever linked to a plugin that asks);
//! - clocks frozen at the evaluation date (00:00 UTC), so a model that reads
//!   the clock anyway sees the `as-of` it was asked about, every time;
//! - randomness from a fixed seed, so `HashMap` iteration order — and with
//!   it the result and the fuel — is the same on every run;
//! - stdout and stderr captured into one bounded buffer, shown with a fault
//!   and never written to the host's own output.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use wasmtime::component::ResourceTable;
use wasmtime::{ResourceLimiter, Result};
use wasmtime_wasi::cli::{IsTerminal, StdoutStream};
use wasmtime_wasi::p2::{OutputStream, Pollable, StreamResult};
use wasmtime_wasi::{Deterministic, WasiCtx, WasiCtxBuilder, WasiCtxView, WasiView};

/// What each store carries: the WASI context, the resource table and the
/// memory guard.
pub struct SandboxState {
    /// Built on the first WASI call: most evaluations make none, and
    /// building a context costs more than the rest of a store.
    wasi: Option<WasiCtx>,
    table: ResourceTable,
    as_of_days: i64,
    output: OutputCapture,
    pub(crate) guard: MemoryGuard,
}

impl WasiView for SandboxState {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        let (days, output) = (self.as_of_days, &self.output);
        WasiCtxView {
            ctx: self.wasi.get_or_insert_with(|| wasi_ctx(days, output)),
            table: &mut self.table,
        }
    }
}

impl crate::contract::zjcredit::scoring::types::Host for SandboxState {}

impl SandboxState {
    /// A fresh state for one call. `as_of_days` is the evaluation date in
    /// days since 1970-01-01 (the frozen clock), `output` receives stdout
    /// and stderr.
    pub(crate) fn new(
        as_of_days: i64,
        output: &OutputCapture,
        memory_limit: u64,
        max_instances: usize,
    ) -> Self {
        SandboxState {
            wasi: None,
            table: ResourceTable::new(),
            as_of_days,
            output: output.clone(),
            guard: MemoryGuard {
                limit: memory_limit,
                denied: None,
                max_instances,
            },
        }
    }
}

/// The capability-free WASI context of one call.
fn wasi_ctx(as_of_days: i64, output: &OutputCapture) -> WasiCtx {
    let secs = u64::try_from(as_of_days.max(0)).unwrap_or(0) * 86_400;
    WasiCtxBuilder::new()
        .stdout(output.clone())
        .stderr(output.clone())
        .wall_clock(FrozenWallClock(Duration::from_secs(secs)))
        .monotonic_clock(FrozenMonotonicClock)
        .secure_random(Deterministic::new(SEED.to_vec()))
        .insecure_random(Deterministic::new(SEED.to_vec()))
        .insecure_random_seed(u128::from_le_bytes(
            SEED[..16].try_into().unwrap_or([0; 16]),
        ))
        .allow_tcp(false)
        .allow_udp(false)
        .allow_ip_name_lookup(false)
        .build()
}

/// The fixed random seed: 32 bytes, the SHA-256 of "scorehost/random/v1".
/// Fixed rather than per request so the same model behaves the same on every
/// input; models that need randomness for scoring are not scoring models.
const SEED: [u8; 32] = [
    0x96, 0x35, 0x6c, 0x03, 0xff, 0xde, 0xd5, 0x1a, 0xe1, 0xfa, 0xbe, 0x87, 0xa5, 0xf6, 0xfd, 0x9b,
    0x54, 0x79, 0x05, 0x5f, 0xb0, 0xca, 0xb1, 0xd6, 0x1f, 0xd1, 0x7b, 0x19, 0x7d, 0x08, 0xbf, 0xab,
];

struct FrozenWallClock(Duration);

impl wasmtime_wasi::HostWallClock for FrozenWallClock {
    fn resolution(&self) -> Duration {
        Duration::from_secs(1)
    }
    fn now(&self) -> Duration {
        self.0
    }
}

struct FrozenMonotonicClock;

impl wasmtime_wasi::HostMonotonicClock for FrozenMonotonicClock {
    fn resolution(&self) -> u64 {
        1
    }
    fn now(&self) -> u64 {
        0
    }
}

/// The WASI interface whose waits [`link_frozen_sleep`] replaces.
const MONOTONIC_CLOCK: &str = "wasi:clocks/monotonic-clock@0.2.12";

/// A wait that is over at once: on a frozen clock, no time passes.
struct Elapsed;

#[wasmtime_wasi::async_trait]
impl Pollable for Elapsed {
    async fn ready(&mut self) {}
}

/// Make `subscribe-duration` and `subscribe-instant` (what a guest's
/// `sleep` becomes) return a pollable that is ready at once, replacing
/// wasmtime-wasi's real timers.
///
/// Why: the sandbox's monotonic clock is frozen, so a real sleep would be
/// the one way for a model to spend wall-clock time without spending fuel;
/// and the wall-clock backstop (epoch interruption) is checked only when the
/// guest runs WebAssembly, not while it blocks in a host call, so one long
/// sleep would hold a worker thread for as long as the model asked. With
/// this, time stands still for the guest as its clock says: a model that
/// sleeps in a loop spends fuel and stops like any other loop.
pub(crate) fn link_frozen_sleep(
    linker: &mut wasmtime::component::Linker<SandboxState>,
) -> wasmtime::Result<()> {
    use wasmtime::component::Resource;
    use wasmtime_wasi::p2::DynPollable;
    fn elapsed(state: &mut SandboxState) -> wasmtime::Result<(Resource<DynPollable>,)> {
        let resource = state.table.push(Elapsed)?;
        Ok((wasmtime_wasi::p2::subscribe(&mut state.table, resource)?,))
    }
    linker.allow_shadowing(true);
    let mut clock = linker.instance(MONOTONIC_CLOCK)?;
    clock.func_wrap("subscribe-duration", |mut store, (_,): (u64,)| {
        elapsed(store.data_mut())
    })?;
    clock.func_wrap("subscribe-instant", |mut store, (_,): (u64,)| {
        elapsed(store.data_mut())
    })?;
    linker.allow_shadowing(false);
    Ok(())
}

/// Enforces the per-evaluation memory limit and remembers a refused growth,
/// so that the trap that follows is reported as memory exhaustion.
pub(crate) struct MemoryGuard {
    limit: u64,
    max_instances: usize,
    /// The size a refused growth asked for.
    pub(crate) denied: Option<u64>,
}

impl MemoryGuard {
    pub(crate) fn limit(&self) -> u64 {
        self.limit
    }
}

impl ResourceLimiter for MemoryGuard {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> Result<bool> {
        if desired as u64 > self.limit {
            self.denied = Some(desired as u64);
            return Ok(false);
        }
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _max: Option<usize>,
    ) -> Result<bool> {
        // 100 k elements: a Rust component's tables hold a few hundred
        // function references; growth beyond this is a table bomb.
        Ok(desired <= 100_000)
    }

    fn instances(&self) -> usize {
        self.max_instances
    }
}

/// A bounded buffer for a plugin's stdout and stderr. Writes beyond the
/// bound are accepted and dropped (a plugin must not be able to block or
/// fail by writing), and the capture notes that it was cut.
#[derive(Clone)]
pub struct OutputCapture {
    inner: Arc<Mutex<Captured>>,
}

struct Captured {
    buf: Vec<u8>,
    cap: usize,
    cut: bool,
}

impl OutputCapture {
    /// A capture keeping at most `cap` bytes.
    pub fn new(cap: usize) -> Self {
        OutputCapture {
            inner: Arc::new(Mutex::new(Captured {
                buf: Vec::new(),
                cap,
                cut: false,
            })),
        }
    }

    fn push(&self, bytes: &[u8]) {
        let mut c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let room = c.cap.saturating_sub(c.buf.len());
        if bytes.len() > room {
            c.cut = true;
        }
        let take = bytes.len().min(room);
        c.buf.extend_from_slice(&bytes[..take]);
    }

    /// What was captured, as text (lossy UTF-8), with a marker if cut.
    pub fn text(&self) -> String {
        let c = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut s = String::from_utf8_lossy(&c.buf).into_owned();
        if c.cut {
            s.push_str(" […output cut]");
        }
        s
    }
}

impl IsTerminal for OutputCapture {
    fn is_terminal(&self) -> bool {
        false
    }
}

impl StdoutStream for OutputCapture {
    fn p2_stream(&self) -> Box<dyn OutputStream> {
        Box::new(self.clone())
    }
    fn async_stream(&self) -> Box<dyn tokio::io::AsyncWrite + Send + Sync> {
        Box::new(self.clone())
    }
}

/// How much a plugin may write per `check-write` permit.
const PERMIT: usize = 64 << 10;

impl OutputStream for OutputCapture {
    fn write(&mut self, bytes: Bytes) -> StreamResult<()> {
        self.push(&bytes);
        Ok(())
    }
    fn flush(&mut self) -> StreamResult<()> {
        Ok(())
    }
    fn check_write(&mut self) -> StreamResult<usize> {
        Ok(PERMIT)
    }
}

#[wasmtime_wasi::async_trait]
impl Pollable for OutputCapture {
    async fn ready(&mut self) {}
}

impl tokio::io::AsyncWrite for OutputCapture {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        self.push(buf);
        std::task::Poll::Ready(Ok(buf.len()))
    }
    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}
