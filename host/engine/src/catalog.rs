//! Registered models: the registry's pinned (or explicitly approved)
//! version, its bytes from the module store re-hashed, compiled through the
//! artifact cache, ready to evaluate.
//!
//! Also the host's side of publishing: [`SandboxCheck`] is the registry's
//! [`ModuleCheck`], so nothing is stored that the sandbox would not load.

use std::path::Path;

use scorehost_registry::{CheckedModule, ModelName, ModuleCheck, Registry, VersionRecord};

use crate::artifacts::{ArtifactCache, CacheOutcome};
use crate::sandbox::Runtime;
use crate::wire::WireModelInfo;
use crate::{Error, Model};

/// The sandbox as the registry's [`ModuleCheck`]: a module is stored only
/// if [`Runtime::load`] accepts it (costs one compile).
pub struct SandboxCheck<'a>(pub &'a Runtime);

impl ModuleCheck for SandboxCheck<'_> {
    fn check(&self, bytes: &[u8]) -> Result<CheckedModule, String> {
        let model = self.0.load(bytes).map_err(|e| match e {
            scorehost_runtime::Error::ModuleRefused(why) => why,
            other => other.to_string(),
        })?;
        let info = model.info();
        Ok(CheckedModule {
            name: info.name.clone(),
            version: info.version.clone(),
            describe: serde_json::to_value(WireModelInfo::of(&model)).unwrap_or_default(),
        })
    }
}

/// The registry, the artifact cache and the runtime of one data dir.
pub struct Catalog {
    runtime: Runtime,
    registry: std::sync::Arc<Registry>,
    artifacts: ArtifactCache,
}

/// A registered version, loaded.
pub struct LoadedVersion {
    /// The model, ready to evaluate.
    pub model: Model,
    /// Its registry record.
    pub record: VersionRecord,
    /// Whether the compiled artifact came from the cache.
    pub cache: CacheOutcome,
}

impl Catalog {
    /// Open the data dir: the registry (database at `db_url`, default SQLite
    /// in the data dir; modules under `modules/`) and the artifact cache
    /// under `artifacts/`.
    pub async fn open(
        runtime: Runtime,
        data_dir: &Path,
        db_url: Option<&str>,
    ) -> Result<Catalog, Error> {
        let registry = std::sync::Arc::new(Registry::open(data_dir, db_url).await?);
        let artifacts = ArtifactCache::open(&data_dir.join("artifacts"), &runtime)?;
        Ok(Catalog {
            runtime,
            registry,
            artifacts,
        })
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.registry
    }

    /// The registry, shared (for a long-running writer that outlives a
    /// borrow, such as [`crate::audit::AuditWriter`]).
    pub fn shared_registry(&self) -> std::sync::Arc<Registry> {
        self.registry.clone()
    }

    /// The runtime.
    pub fn runtime(&self) -> &Runtime {
        &self.runtime
    }

    /// The version of `model` that scores — the pinned one unless `version`
    /// names an approved one — with its bytes verified against the registry
    /// and compiled (or taken from the artifact cache).
    pub async fn load(
        &self,
        model: &ModelName,
        version: Option<&str>,
    ) -> Result<LoadedVersion, Error> {
        let resolved = self.registry.resolve(model, version).await?;
        let (loaded, cache) = self.artifacts.load(&self.runtime, &resolved.bytes)?;
        if loaded.sha256() != resolved.version.sha256 {
            return Err(Error::Internal(
                "the loaded module is not the resolved one".into(),
            ));
        }
        Ok(LoadedVersion {
            model: loaded,
            record: resolved.version,
            cache,
        })
    }

    /// The module with this SHA-256 from the store, re-hashed, whatever its
    /// status (for replaying a recorded evaluation exactly).
    pub fn load_sha(&self, sha256: &str) -> Result<Model, Error> {
        let bytes = self.registry.store().get(sha256)?;
        Ok(self.artifacts.load(&self.runtime, &bytes)?.0)
    }
}
