//! Where kernels build cells: one private evcxr directory per kernel, cloned from a template.
//!
//! `install.sh` runs `torchbook-kernel warm`, which builds the prelude (tch included) once in
//! `<store>/kernels/template` exactly as a kernel would. A starting kernel hard-links the
//! template's compiled dependencies into a directory of its own, so no kernel waits for tch,
//! and two kernels never write to the same build directory (evcxr #302). Files cargo rewrites in
//! place (fingerprints, lock, caches) are copied, not linked, so the template stays intact.

use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// The name of the crate evcxr compiles cells into; its artifacts are never shared.
const CELL_CRATE: &str = "ctx";

/// The lock file a live kernel holds in its directory.
const KERNEL_LOCK: &str = ".torchbook-kernel.lock";

/// Layout of the Torchbook store (`TORCHBOOK_STORE`, set by the kernelspec).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Store {
    root: PathBuf,
}

impl Store {
    /// The store at `root`.
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Store { root: root.into() }
    }

    /// The store named by `TORCHBOOK_STORE`, else `~/.cache/torchbook`.
    pub fn from_env() -> Self {
        match std::env::var_os("TORCHBOOK_STORE") {
            Some(p) => Store::new(p),
            None => {
                let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| "/tmp".into());
                Store::new(home.join(".cache").join("torchbook"))
            }
        }
    }

    /// Root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Parent of every kernel directory; holds the shared `.cargo/config.toml`.
    pub fn kernels_dir(&self) -> PathBuf {
        self.root.join("kernels")
    }

    /// The prebuilt template.
    pub fn template_dir(&self) -> PathBuf {
        self.kernels_dir().join("template")
    }

    /// Directory holding `evcxr.toml` (evcxr reads it through `EVCXR_CONFIG_DIR`).
    pub fn evcxr_config_dir(&self) -> PathBuf {
        self.root.join("evcxr-config")
    }

    /// Marker written when the template finished building.
    pub fn template_ready_marker(&self) -> PathBuf {
        self.template_dir().join(".torchbook-ready")
    }

    /// Whether `warm` has completed.
    pub fn template_ready(&self) -> bool {
        self.template_ready_marker().exists()
    }

    /// Creates a fresh private directory for a kernel, seeded from the template when there is
    /// one, and the lock that marks it in use (held as long as the returned file is open).
    ///
    /// The directory is made and locked under a name [`Store::remove_stale_kernel_dirs`] does not
    /// look at, then renamed into place: a `k-` directory is never visible unlocked, so another
    /// kernel's sweep cannot take its lock and remove it in between.
    pub fn new_kernel_dir(&self) -> Result<(PathBuf, std::fs::File)> {
        let id = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
        let (staging, dir) =
            (self.kernels_dir().join(format!(".new-{id}")), self.kernels_dir().join(format!("k-{id}")));
        crate::private::create_dir(&staging)
            .with_context(|| format!("creating kernel directory {}", staging.display()))?;
        let lock = crate::private::open_lock(&staging.join(KERNEL_LOCK))?;
        if !crate::private::try_lock(&lock) {
            anyhow::bail!("{} is already locked", staging.display());
        }
        std::fs::rename(&staging, &dir)
            .with_context(|| format!("moving {} into place", staging.display()))?;
        if self.template_ready() {
            clone_tree(&self.template_dir(), &dir)
                .with_context(|| format!("seeding {} from the template", dir.display()))?;
        }
        Ok((dir, lock))
    }

    /// Removes directories of kernels that are gone (left by a crash or `kill -9`).
    ///
    /// A live kernel holds the `flock` of its directory's lock file, whatever PID namespace it
    /// runs in (a container sharing the store sees other pids, or none): a directory is
    /// removed only when its lock can be taken, and while it is held.
    pub fn remove_stale_kernel_dirs(&self) {
        let Ok(entries) = std::fs::read_dir(self.kernels_dir()) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !name.starts_with("k-") {
                continue;
            }
            let Ok(lock) = crate::private::open_lock(&entry.path().join(KERNEL_LOCK)) else { continue };
            if crate::private::try_lock(&lock) {
                let _ = std::fs::remove_dir_all(entry.path());
            }
        }
    }
}

/// Whether a file under `target/` is a compiled dependency that can be shared by hard link.
///
/// Only libraries: a rebuild replaces them with new files, leaving the template's alone. Dep-info
/// (`.d`) files and build-script outputs can be rewritten in place, and a hard link would then
/// change the template's copy too (and with it, every later kernel's idea of what is fresh).
fn shareable(relative: &Path) -> bool {
    let text = relative.to_string_lossy();
    let is_library = matches!(relative.extension().and_then(|e| e.to_str()), Some("so" | "rlib" | "rmeta"));
    let in_artifact_dir = text.contains("/deps/") && is_library;
    let names_cell_crate = relative.components().any(|c| {
        c.as_os_str().to_string_lossy().starts_with(&format!("{CELL_CRATE}-"))
            || c.as_os_str().to_string_lossy().starts_with(&format!("lib{CELL_CRATE}"))
    });
    // The prelude is a path dependency: cargo may rebuild it if its sources change, so it is
    // copied to keep such a rebuild from reaching the template.
    in_artifact_dir && !names_cell_crate && !text.contains("torchbook")
}

fn skipped(relative: &Path) -> bool {
    let first = relative.components().next().map(|c| c.as_os_str().to_string_lossy().into_owned());
    // The cell crate's own outputs and incremental state are rebuilt per kernel.
    let cell_output = relative.components().any(|c| {
        let s = c.as_os_str().to_string_lossy();
        s.starts_with(&format!("{CELL_CRATE}-"))
            || s.starts_with(&format!("lib{CELL_CRATE}"))
            || s.starts_with("libcode_")
    });
    cell_output || first.as_deref() == Some(".torchbook-ready")
}

/// Copies `from` into `to`: compiled dependencies as hard links, everything else as copies.
pub fn clone_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        let source = from.join(&relative);
        for entry in std::fs::read_dir(&source)? {
            let entry = entry?;
            let rel = relative.join(entry.file_name());
            if skipped(&rel) {
                continue;
            }
            let kind = entry.file_type()?;
            let dest = to.join(&rel);
            if kind.is_dir() {
                std::fs::create_dir_all(&dest)?;
                stack.push(rel);
            } else if kind.is_symlink() {
                let target = std::fs::read_link(entry.path())?;
                let _ = std::os::unix::fs::symlink(target, &dest);
            } else if shareable(&rel) {
                if std::fs::hard_link(entry.path(), &dest).is_err() {
                    copy_preserving_mtime(&entry.path(), &dest)?;
                }
            } else {
                copy_preserving_mtime(&entry.path(), &dest)?;
            }
        }
    }
    Ok(())
}

/// cargo decides freshness from modification times, so copies keep them.
fn copy_preserving_mtime(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::copy(from, to)?;
    let modified = std::fs::metadata(from)?.modified()?;
    std::fs::File::options().write(true).open(to)?.set_modified(modified)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::MetadataExt;

    #[test]
    fn a_new_kernel_directory_survives_another_kernels_sweep() {
        // Four notebooks starting together: each sweeps stale directories while the others
        // create theirs. A directory visible before its lock was held could be taken and removed.
        let store = Store::new(std::env::temp_dir().join(format!("tb-store-race-{}", uuid::Uuid::new_v4())));
        std::fs::create_dir_all(store.kernels_dir()).unwrap();
        let done = std::sync::atomic::AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    store.remove_stale_kernel_dirs();
                }
            });
            let made: Vec<_> = (0..300).map(|_| store.new_kernel_dir()).collect();
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            for result in made {
                let (dir, _lock) = result.expect("a new kernel directory");
                assert!(dir.join(KERNEL_LOCK).exists(), "{} was removed under its kernel", dir.display());
            }
        });
        std::fs::remove_dir_all(store.root()).unwrap();
    }

    #[test]
    fn dependencies_are_linked_and_cell_outputs_skipped() {
        let tmp = std::env::temp_dir().join(format!("tb-store-test-{}", uuid::Uuid::new_v4()));
        let template = tmp.join("template");
        let deps = template.join("target/x86_64/debug/deps");
        std::fs::create_dir_all(&deps).unwrap();
        std::fs::write(deps.join("libtch-1.so"), b"tch").unwrap();
        std::fs::write(deps.join("tch-1.d"), b"deps").unwrap();
        std::fs::write(deps.join("libtorchbook-1.so"), b"tb").unwrap();
        std::fs::write(deps.join("libctx.so"), b"cell").unwrap();
        std::fs::write(template.join("Cargo.lock"), b"lock").unwrap();
        let clone = tmp.join("clone");
        std::fs::create_dir_all(&clone).unwrap();
        clone_tree(&template, &clone).unwrap();
        let cdeps = clone.join("target/x86_64/debug/deps");
        let ino = |p: &Path| std::fs::metadata(p).unwrap().ino();
        assert_eq!(ino(&cdeps.join("libtch-1.so")), ino(&deps.join("libtch-1.so")));
        assert_ne!(ino(&cdeps.join("libtorchbook-1.so")), ino(&deps.join("libtorchbook-1.so")));
        assert_ne!(ino(&cdeps.join("tch-1.d")), ino(&deps.join("tch-1.d")), "dep-info is rewritten in place");
        assert!(!cdeps.join("libctx.so").exists());
        assert_ne!(ino(&clone.join("Cargo.lock")), ino(&template.join("Cargo.lock")));
        assert_eq!(
            std::fs::metadata(clone.join("Cargo.lock")).unwrap().modified().unwrap(),
            std::fs::metadata(template.join("Cargo.lock")).unwrap().modified().unwrap()
        );
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
