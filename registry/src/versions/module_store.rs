//! The content-addressed module store.
//!
//! Each module lives in `<sha256>.wasm` under the store's directory, opened
//! through cap-std so that no path from outside can escape it. Writes are
//! atomic (a temporary file, fsync, rename, fsync of the directory): a crash
//! leaves either the whole module or none of it. Every read re-hashes the
//! bytes; a file whose bytes do not hash to its name is refused.

use std::io::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use cap_std::ambient_authority;
use cap_std::fs::Dir;
use sha2::{Digest, Sha256};

use crate::Error;
use crate::refs::check_sha256;

/// The module store under one directory.
pub struct ModuleStore {
    dir: Dir,
    path: std::path::PathBuf,
}

/// The hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

impl ModuleStore {
    /// Open (creating it if needed) the store at `path`.
    pub fn open(path: &Path) -> Result<ModuleStore, Error> {
        std::fs::create_dir_all(path)?;
        let dir = Dir::open_ambient_dir(path, ambient_authority())?;
        Ok(ModuleStore {
            dir,
            path: path.to_path_buf(),
        })
    }

    fn file_name(sha256: &str) -> String {
        format!("{sha256}.wasm")
    }

    /// Store `bytes`; returns their SHA-256. Storing the same bytes twice is
    /// a no-op. Cost: one write and two fsyncs.
    pub fn put(&self, bytes: &[u8]) -> Result<String, Error> {
        let sha = sha256_hex(bytes);
        let name = Self::file_name(&sha);
        if self.dir.exists(&name) && self.get(&sha).is_ok() {
            return Ok(sha);
        }
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let tmp = format!(
            ".tmp-{sha}-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let write = || -> std::io::Result<()> {
            let mut f = self.dir.create(&tmp)?;
            f.write_all(bytes)?;
            f.sync_all()?;
            drop(f);
            self.dir.rename(&tmp, &self.dir, &name)?;
            // Make the rename durable (the directory entry itself).
            std::fs::File::open(&self.path)?.sync_all()
        };
        if let Err(e) = write() {
            let _ = self.dir.remove_file(&tmp);
            return Err(e.into());
        }
        Ok(sha)
    }

    /// The bytes stored under `sha256`, re-hashed.
    ///
    /// Errors: [`Error::Integrity`] (with `reference` left empty for the
    /// caller to fill) if they do not hash to `sha256`; [`Error::Storage`]
    /// if the file is missing or unreadable.
    pub fn get(&self, sha256: &str) -> Result<Vec<u8>, Error> {
        check_sha256(sha256)?;
        let bytes = self.dir.read(Self::file_name(sha256)).map_err(|e| {
            Error::Storage(format!(
                "module {sha256} cannot be read from the store: {e}"
            ))
        })?;
        let actual = sha256_hex(&bytes);
        if actual != sha256 {
            return Err(Error::Integrity {
                reference: String::new(),
                expected: sha256.to_string(),
                actual,
            });
        }
        Ok(bytes)
    }

    /// Whether bytes with this hash are stored (without verifying them).
    pub fn contains(&self, sha256: &str) -> bool {
        check_sha256(sha256).is_ok() && self.dir.exists(Self::file_name(sha256))
    }
}
