//! Files the CLI writes for its user (`gen --output`, `audit proof --out`,
//! `batch --output`): never through a symbolic link — a link, dangling or
//! not, would have the command write wherever it points, which in a shared
//! folder someone else chose — and never over an existing file without
//! `--force`, except a batch's own results, which a rerun resumes.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::Path;

/// Refuse `path` if it is a symbolic link (dangling or not).
pub(crate) fn refuse_symlink(path: &Path) -> anyhow::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => anyhow::bail!(
            "{} is a symbolic link: scorehost does not write through one (it would write wherever the link points); name the file itself",
            path.display()
        ),
        _ => Ok(()),
    }
}

/// Create `path` to write to: refused if it is a symbolic link, and if it
/// exists unless `force` (then it is truncated). Opened with `O_NOFOLLOW`,
/// so a link put in its place after the check is refused too.
pub(crate) fn create(path: &Path, force: bool) -> anyhow::Result<File> {
    refuse_symlink(path)?;
    let mut options = OpenOptions::new();
    options.write(true).custom_flags(libc::O_NOFOLLOW);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            anyhow::anyhow!("{} exists: add --force to overwrite it", path.display())
        } else {
            anyhow::anyhow!("cannot create {}: {e}", path.display())
        }
    })
}
