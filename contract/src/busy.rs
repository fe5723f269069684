//! Which kernels are running a request now: a lock file each, in `<store>/busy/`.
//!
//! A kernel holds an exclusive `flock` on `<store>/busy/<its pid>.lock` from the start of an
//! `execute_request` (the cell's build included: rustc competes for the cores too) to its reply
//! (`kernel/src/busy.rs`). The prelude counts the files locked by someone to share the cores
//! among running cells (`prelude/src/threads.rs`). The system releases a lock when its process
//! dies, so a crashed kernel is never counted.

use std::path::{Path, PathBuf};

/// The directory of the lock files, inside a store.
///
/// ```
/// use std::path::Path;
/// assert_eq!(torchbook_contract::busy::dir(Path::new("/s")), Path::new("/s/busy"));
/// ```
pub fn dir(store: &Path) -> PathBuf {
    store.join("busy")
}

/// The lock file of the kernel process `pid`.
///
/// ```
/// use std::path::Path;
/// let file = torchbook_contract::busy::lock_file(Path::new("/s"), 42);
/// assert_eq!(file, Path::new("/s/busy/42.lock"));
/// assert_eq!(torchbook_contract::busy::pid_of(&file), Some(42));
/// ```
pub fn lock_file(store: &Path, pid: u32) -> PathBuf {
    dir(store).join(format!("{pid}.lock"))
}

/// The pid a lock file is named after.
pub fn pid_of(file: &Path) -> Option<u32> {
    file.file_name()?.to_str()?.strip_suffix(".lock")?.parse().ok()
}
