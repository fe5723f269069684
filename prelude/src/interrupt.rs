//! Cooperative interruption: the kernel's `interrupt_request` reaches running loops.
//!
//! The kernel sends SIGINT to the execution process; the handler installed by
//! [`runtime::init`](crate::runtime::init) sets a flag that loops of the prelude (and user loops)
//! poll with [`check_interrupt`], so they stop at the next step and keep what they built.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// The error a loop returns when the user interrupted the kernel.
///
/// ```
/// use torchbook::interrupt::{check_interrupt, request_interrupt, Interrupted};
/// request_interrupt();
/// assert_eq!(check_interrupt(), Err(Interrupted));
/// assert_eq!(Interrupted.to_string(), "interrupted by the user");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("interrupted by the user")]
pub struct Interrupted;

/// Whether an interrupt is pending, without consuming it.
///
/// ```
/// assert!(!torchbook::interrupt::interrupt_requested());
/// ```
pub fn interrupt_requested() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Consumes a pending interrupt: `Err(Interrupted)` once per interrupt, `Ok(())` otherwise.
///
/// ```
/// use torchbook::prelude::*;
/// let mut steps = 0;
/// for _ in 0..10 {
///     if check_interrupt().is_err() { break; }
///     steps += 1;
/// }
/// assert_eq!(steps, 10);
/// ```
pub fn check_interrupt() -> Result<(), Interrupted> {
    if INTERRUPTED.swap(false, Ordering::SeqCst) {
        Err(Interrupted)
    } else {
        Ok(())
    }
}

/// Marks an interrupt as pending, as the SIGINT handler does.
///
/// ```
/// use torchbook::interrupt::{check_interrupt, interrupt_requested, request_interrupt};
/// request_interrupt();
/// assert!(interrupt_requested());
/// assert!(check_interrupt().is_err());
/// assert!(check_interrupt().is_ok()); // consumed
/// ```
pub fn request_interrupt() {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

extern "C" fn on_sigint(_signal: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Routes SIGINT to the interrupt flag instead of ending the process.
pub(crate) fn install_sigint_handler() {
    // SAFETY: the handler only performs an atomic store, which is async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigint as *const () as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}

/// Serialises the tests that touch the process-wide interrupt flag.
#[cfg(test)]
pub(crate) static TEST_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interrupt_is_consumed_once() {
        let _guard = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        request_interrupt();
        assert!(interrupt_requested());
        assert_eq!(check_interrupt(), Err(Interrupted));
        assert_eq!(check_interrupt(), Ok(()));
    }
}
