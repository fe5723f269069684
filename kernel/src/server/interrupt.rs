//! Interrupting a running cell: SIGINT first, then the process if the cell does not stop.

use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a cell may keep running after SIGINT before its process is killed.
pub const GRACE: Duration = Duration::from_secs(3);

/// Shared between the shell (which runs cells) and control (which receives interrupts).
#[derive(Default)]
pub struct Interrupter {
    process: Mutex<Option<Arc<Mutex<Child>>>>,
    running: AtomicU64,
    next_serial: AtomicU64,
    killed: AtomicBool,
    requested: AtomicBool,
}

impl Interrupter {
    /// Remembers the execution process once the session exists.
    pub fn set_process(&self, process: Arc<Mutex<Child>>) {
        if let Ok(mut p) = self.process.lock() {
            *p = Some(process);
        }
    }

    /// Marks the start of a cell; returns its serial number.
    pub fn begin(&self) -> u64 {
        let serial = self.next_serial.fetch_add(1, Ordering::SeqCst) + 1;
        self.killed.store(false, Ordering::SeqCst);
        self.requested.store(false, Ordering::SeqCst);
        self.running.store(serial, Ordering::SeqCst);
        serial
    }

    /// Marks the end of a cell; returns whether its process was killed by an interrupt.
    pub fn end(&self) -> bool {
        self.running.store(0, Ordering::SeqCst);
        self.killed.swap(false, Ordering::SeqCst)
    }

    /// Whether the user asked to interrupt the current cell.
    pub fn requested(&self) -> bool {
        self.requested.load(Ordering::SeqCst)
    }

    fn pid(&self) -> Option<i32> {
        let guard = self.process.lock().ok()?;
        let child = guard.as_ref()?.lock().ok()?;
        Some(child.id() as i32)
    }

    /// Sends SIGINT to the running cell; kills its process if it is still running after [`GRACE`].
    pub fn interrupt(self: &Arc<Self>) {
        let serial = self.running.load(Ordering::SeqCst);
        if serial == 0 {
            return;
        }
        self.requested.store(true, Ordering::SeqCst);
        if let Some(pid) = self.pid() {
            // SAFETY: sending a signal to our own child process.
            unsafe { libc::kill(pid, libc::SIGINT) };
        }
        let this = Arc::clone(self);
        std::thread::spawn(move || {
            std::thread::sleep(GRACE);
            if this.running.load(Ordering::SeqCst) == serial {
                this.killed.store(true, Ordering::SeqCst);
                if let Some(pid) = this.pid() {
                    // SAFETY: as above; the cell ignored SIGINT, so the process is stopped.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                }
            }
        });
    }

    /// Kills the execution process (shutdown).
    pub fn kill_process(&self) {
        if let Some(pid) = self.pid() {
            // SAFETY: our own child.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
    }
}
