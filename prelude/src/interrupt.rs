//! Cooperative interruption: the kernel's `interrupt_request` reaches running loops.
//!
//! The kernel sends SIGINT to the execution process; the handler installed by
//! [`runtime::init`](crate::runtime::init) sets a flag that loops of the prelude (and user loops)
//! poll with [`check_interrupt`], so they stop at the next step and keep what they built.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// When SIGINT last arrived (CLOCK_MONOTONIC, nanoseconds).
static INTERRUPTED_AT: AtomicU64 = AtomicU64::new(0);

/// How long an interrupt waits for `check_interrupt()` before [`loop_check`] stops the loop.
pub const LOOP_GRACE_NS: u64 = 1_000_000_000;

fn monotonic_ns() -> u64 {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime writes one timespec; it is async-signal-safe.
    unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut t) };
    t.tv_sec as u64 * 1_000_000_000 + t.tv_nsec as u64
}

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
    INTERRUPTED_AT.store(monotonic_ns(), Ordering::SeqCst);
    INTERRUPTED.store(true, Ordering::SeqCst);
}

extern "C" fn on_sigint(_signal: libc::c_int) {
    // Only a clock read and atomic stores: async-signal-safe.
    INTERRUPTED_AT.store(monotonic_ns(), Ordering::SeqCst);
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Forgets an interrupt meant for an earlier cell. The kernel's rewrite of each cell calls it
/// first (`kernel/src/execution/cell_source.rs`).
///
/// ```
/// use torchbook::interrupt::{cell_started, check_interrupt, request_interrupt};
/// request_interrupt();
/// cell_started();
/// assert!(check_interrupt().is_ok());
/// ```
pub fn cell_started() {
    INTERRUPTED.store(false, Ordering::SeqCst);
}

/// Stops a loop that never takes an interrupt: the kernel's rewrite of each cell calls it at
/// the top of every loop body. Costs one relaxed atomic load while no interrupt is pending; an
/// interrupt that `check_interrupt()` has not taken within [`LOOP_GRACE_NS`] panics here, and
/// the panic unwinds to evcxr's `catch_unwind`, so earlier variables are kept.
///
/// # Panics
/// With [`LOOP_INTERRUPTED`](torchbook_contract::message::LOOP_INTERRUPTED) once an interrupt has waited too long.
///
/// ```
/// for _ in 0..1000 {
///     torchbook::interrupt::loop_check(); // no interrupt pending: nothing happens
/// }
/// ```
#[inline]
pub fn loop_check() {
    if INTERRUPTED.load(Ordering::Relaxed) {
        waited_too_long();
    }
    // The loop's thread is where libtorch's thread count changes (crate::threads).
    crate::threads::follow();
}

#[cold]
fn waited_too_long() {
    let waited = monotonic_ns().saturating_sub(INTERRUPTED_AT.load(Ordering::SeqCst));
    if waited >= LOOP_GRACE_NS && INTERRUPTED.swap(false, Ordering::SeqCst) {
        panic!(
            "{} that did not call check_interrupt() (variables of earlier cells are kept)",
            torchbook_contract::message::LOOP_INTERRUPTED
        );
    }
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
    fn a_loop_check_waits_for_check_interrupt_then_stops_the_loop() {
        let _guard = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        request_interrupt();
        loop_check(); // within the grace: check_interrupt() may still take it
        assert!(interrupt_requested());
        INTERRUPTED_AT.store(monotonic_ns() - LOOP_GRACE_NS, Ordering::SeqCst);
        let stopped = std::panic::catch_unwind(loop_check).unwrap_err();
        let message = stopped.downcast_ref::<String>().unwrap();
        assert!(message.starts_with(torchbook_contract::message::LOOP_INTERRUPTED), "{message}");
        assert!(!interrupt_requested(), "taken by the stop");
        cell_started();
    }

    #[test]
    fn an_interrupt_is_consumed_once() {
        let _guard = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        request_interrupt();
        assert!(interrupt_requested());
        assert_eq!(check_interrupt(), Err(Interrupted));
        assert_eq!(check_interrupt(), Ok(()));
    }
}
