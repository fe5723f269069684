//! Interrupting a running cell, keeping the user's variables wherever that can be done.
//!
//! - While evcxr builds the cell (a `:dep` compiling), the build is cancelled: cargo (or the
//!   `mold` launch that replays the cell's rustc command) and its compilers are killed; the
//!   execution process, idle, is not touched, and neither are standby kernels' warm-ups.
//! - While the cell runs, SIGINT goes to the execution process and to every process it started
//!   (as a terminal's Ctrl-C reaches its whole foreground job): `check_interrupt()` sees it, a
//!   loop that never checks is stopped by the prelude after a second (`loop_check`, inserted by
//!   `execution::cell_source`), and a child the cell waits for (`sleep 60`) ends.
//! - Only a cell still running [`GRACE`] after that (stuck inside a library call) costs its
//!   process, and with it the variables.
//!
//! Processes are signalled through pidfds, and the execution process only while its `Child`
//! is unreaped, so a process id the system has since given to someone else is never signalled.

use std::process::Child;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::pidfd::Pidfd as Held;

/// How long a cell may keep running after SIGINT before its process is killed.
pub const GRACE: Duration = Duration::from_secs(4);

/// Shared between the shell (which runs cells) and control (which receives interrupts).
#[derive(Default)]
pub struct Interrupter {
    process: Mutex<Option<Arc<Mutex<Child>>>>,
    running: AtomicU64,
    next_serial: AtomicU64,
    killed: AtomicBool,
    requested: AtomicBool,
    build_cancelled: AtomicBool,
}

/// `(pid, parent pid, command name, session id)` of every process.
fn processes() -> Vec<(i32, i32, String, i32)> {
    let mut all = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else { continue };
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let comm = stat[open + 1..close].to_owned();
        // After comm: state ppid pgrp session ...
        let fields: Vec<&str> = stat[close + 1..].split_whitespace().collect();
        let (Some(ppid), Some(sid)) =
            (fields.get(1).and_then(|p| p.parse().ok()), fields.get(3).and_then(|p| p.parse().ok()))
        else {
            continue;
        };
        all.push((pid, ppid, comm, sid));
    }
    all
}

/// Every descendant of `root` in `root`'s session, held; a process that left the tree meanwhile
/// is dropped. Standby kernels this kernel started run in sessions of their own (`setsid`):
/// their warm-up builds are not this cell's.
fn descendants(root: i32, only: impl Fn(&str) -> bool) -> Vec<(i32, Held)> {
    let all = processes();
    let session = all.iter().find(|p| p.0 == root).map(|p| p.3);
    let mut found = Vec::new();
    let mut frontier = vec![(root, false)];
    while let Some((parent, inside)) = frontier.pop() {
        for (pid, ppid, comm, sid) in &all {
            if *ppid == parent && Some(*sid) == session {
                let chosen = inside || only(comm);
                if chosen {
                    found.push(*pid);
                }
                frontier.push((*pid, chosen));
            }
        }
    }
    found
        .into_iter()
        .filter_map(|pid| {
            let held = Held::open(pid)?;
            // Still in the tree after it was held: its pid is the one we found.
            processes().iter().any(|(p, ..)| *p == pid).then_some((pid, held))
        })
        .collect()
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
        self.build_cancelled.store(false, Ordering::SeqCst);
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

    /// Whether the interrupt of the current cell cancelled its build.
    pub fn build_cancelled(&self) -> bool {
        self.build_cancelled.load(Ordering::SeqCst)
    }

    /// Signals the execution process, if it is still this session's unreaped child.
    fn signal_process(&self, signal: i32) -> Option<i32> {
        let guard = self.process.lock().ok()?;
        let mut child = guard.as_ref()?.lock().ok()?;
        // Unreaped (try_wait is None or a zombie not yet collected): its pid cannot be reused.
        if !matches!(child.try_wait(), Ok(None)) {
            return None;
        }
        let pid = child.id() as i32;
        let held = Held::open(pid)?;
        held.signal(signal);
        Some(pid)
    }

    /// Interrupts the running cell (see the module documentation).
    pub fn interrupt(self: &Arc<Self>) {
        let serial = self.running.load(Ordering::SeqCst);
        if serial == 0 {
            return;
        }
        self.requested.store(true, Ordering::SeqCst);
        // cargo, or evcxr's `mold -run cargo` launch that builds the cell without it
        // (`execution::cell_build`), with everything they started.
        let builds = descendants(std::process::id() as i32, |comm| comm == "cargo" || comm == "mold");
        if !builds.is_empty() {
            self.build_cancelled.store(true, Ordering::SeqCst);
            for (_, process) in builds {
                process.signal(libc::SIGKILL);
            }
            return;
        }
        if let Some(pid) = self.signal_process(libc::SIGINT) {
            for (_, child) in descendants(pid, |_| true) {
                child.signal(libc::SIGINT);
            }
        }
        let this = Arc::clone(self);
        std::thread::spawn(move || {
            std::thread::sleep(GRACE);
            if this.running.load(Ordering::SeqCst) == serial {
                this.killed.store(true, Ordering::SeqCst);
                // The cell ignored SIGINT (stuck in a library call): its process is stopped.
                this.signal_process(libc::SIGKILL);
            }
        });
    }

    /// Kills the execution process (shutdown).
    pub fn kill_process(&self) {
        self.signal_process(libc::SIGKILL);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descendants_are_found_and_held() {
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let me = std::process::id() as i32;
        // Other tests of this process may have children too: only this one is signalled.
        let found: Vec<_> = descendants(me, |comm| comm == "sleep")
            .into_iter()
            .filter(|(pid, _)| *pid == child.id() as i32)
            .collect();
        assert_eq!(found.len(), 1);
        found[0].1.signal(libc::SIGKILL);
        let status = child.wait().unwrap();
        assert!(!status.success());
    }
}
