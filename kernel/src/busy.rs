//! This kernel's mark in `<store>/busy/` while it runs a request (see `torchbook_contract::busy`).

use std::fs::File;
use std::os::fd::AsRawFd;

/// Held while an `execute_request` is built and run; dropping it releases the lock.
#[derive(Debug)]
pub struct Busy(File);

/// Takes this kernel's lock in its store's `busy/` directory (`TORCHBOOK_STORE`); `None`
/// outside a store or when the directory cannot be written (nothing is shared then).
///
/// ```no_run
/// let busy = torchbook_kernel::busy::hold();
/// // ... build and run the cell ...
/// drop(busy);
/// ```
pub fn hold() -> Option<Busy> {
    let store = std::path::PathBuf::from(std::env::var_os("TORCHBOOK_STORE")?);
    crate::private::create_dir(&torchbook_contract::busy::dir(&store)).ok()?;
    let file =
        crate::private::open_lock(&torchbook_contract::busy::lock_file(&store, std::process::id())).ok()?;
    // SAFETY: flock on a descriptor this File owns. Another process counting holds it for a
    // moment at most, so waiting is short.
    (unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } == 0).then_some(Busy(file))
}

impl Drop for Busy {
    fn drop(&mut self) {
        // SAFETY: unlocking a descriptor this File owns (closing it would release it too).
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}
