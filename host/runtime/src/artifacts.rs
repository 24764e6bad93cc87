//! The compiled-artifact cache: a restart does not recompile.
//!
//! Compiling a component takes tens of milliseconds; loading a precompiled
//! artifact well under one. Artifacts are cached per (module SHA-256, engine
//! configuration, wasmtime version) in `<module>-<engine>.cwasm` files, each
//! prefixed with the SHA-256 of the artifact itself. An entry whose checksum
//! does not match, or that wasmtime refuses to deserialise (another version,
//! another configuration), is rebuilt — never trusted.

use std::hash::Hasher;
use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use cap_std::ambient_authority;
use cap_std::fs::Dir;
use sha2::{Digest, Sha256};
use wasmtime::component::Component;

use crate::sandbox::Runtime;
use crate::{Error, Model};

/// Where an artifact came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Loaded from the cache.
    Hit,
    /// Not cached yet: compiled and stored.
    Miss,
    /// A cached entry was unusable (the reason): compiled again and replaced.
    Rebuilt(String),
}

/// The artifact cache under one directory, for one engine configuration.
pub struct ArtifactCache {
    dir: Dir,
    engine_key: String,
}

/// Feeds `Hash` output into SHA-256, so the engine key is stable across runs.
struct ShaHasher(Sha256);

impl Hasher for ShaHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }
    fn finish(&self) -> u64 {
        0
    }
}

impl ArtifactCache {
    /// Open (creating it if needed) the cache at `path` for `runtime`'s engine.
    pub fn open(path: &Path, runtime: &Runtime) -> Result<ArtifactCache, Error> {
        let io =
            |e: std::io::Error| Error::Internal(format!("artifact cache {}: {e}", path.display()));
        std::fs::create_dir_all(path).map_err(io)?;
        let dir = Dir::open_ambient_dir(path, ambient_authority()).map_err(io)?;
        let mut h = ShaHasher(Sha256::new());
        h.write(crate::WASMTIME_VERSION.as_bytes());
        std::hash::Hash::hash(&runtime.engine().precompile_compatibility_hash(), &mut h);
        let engine_key = hex::encode(&h.0.finalize()[..8]);
        Ok(ArtifactCache { dir, engine_key })
    }

    fn file_name(&self, module_sha256: &str) -> String {
        format!("{module_sha256}-{}.cwasm", self.engine_key)
    }

    /// Load `bytes` as a [`Model`], from the cache when a valid entry exists.
    /// The module passes the same checks as [`Runtime::load`] either way.
    pub fn load(&self, runtime: &Runtime, bytes: &[u8]) -> Result<(Model, CacheOutcome), Error> {
        let sha256 = runtime.check_module_bytes(bytes)?;
        let name = self.file_name(&sha256);
        let mut outcome = CacheOutcome::Miss;
        if let Ok(entry) = self.dir.read(&name) {
            match self.deserialize(runtime, &entry) {
                Ok(component) => {
                    let model = Model::from_component(runtime.clone(), component, sha256)?;
                    return Ok((model, CacheOutcome::Hit));
                }
                Err(why) => {
                    tracing::warn!(entry = %name, %why, "rebuilding a bad artifact cache entry");
                    let _ = self.dir.remove_file(&name);
                    outcome = CacheOutcome::Rebuilt(why);
                }
            }
        }
        crate::sandbox::count_compile();
        let artifact = runtime
            .engine()
            .precompile_component(bytes)
            .map_err(|e| Error::ModuleRefused(format!("the component does not validate: {e:#}")))?;
        // SAFETY: `artifact` was produced by this engine a moment ago.
        let component = unsafe { Component::deserialize(runtime.engine(), &artifact) }
            .map_err(|e| Error::Internal(format!("cannot load a fresh artifact: {e:#}")))?;
        let model = Model::from_component(runtime.clone(), component, sha256)?;
        if let Err(e) = self.store(&name, &artifact) {
            tracing::warn!(entry = %name, error = %e, "cannot write the artifact cache; going on without it");
        }
        Ok((model, outcome))
    }

    fn deserialize(&self, runtime: &Runtime, entry: &[u8]) -> Result<Component, String> {
        if entry.len() <= 32 {
            return Err("entry too short".into());
        }
        let (sum, artifact) = entry.split_at(32);
        if Sha256::digest(artifact).as_slice() != sum {
            return Err("checksum mismatch (corrupt entry)".into());
        }
        // SAFETY: the entry is byte for byte what this cache wrote (its
        // SHA-256 prefix matches), and wasmtime itself refuses artifacts of
        // another version or engine configuration. Someone able to rewrite
        // both the artifact and its checksum can also rewrite this binary;
        // that threat is the data dir's permissions, not this check.
        unsafe { Component::deserialize(runtime.engine(), artifact) }.map_err(|e| format!("{e:#}"))
    }

    fn store(&self, name: &str, artifact: &[u8]) -> std::io::Result<()> {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let tmp = format!(
            ".tmp-{name}-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let mut f = self.dir.create(&tmp)?;
        f.write_all(&Sha256::digest(artifact))?;
        f.write_all(artifact)?;
        f.sync_all()?;
        drop(f);
        self.dir.rename(&tmp, &self.dir, name)
    }
}
