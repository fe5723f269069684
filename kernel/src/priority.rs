//! How a standby yields the processors while it warms up, and takes them back when claimed.
//!
//! A standby's warm-up (cargo, rustc, rust-analyzer: about a minute of both cores) must not slow
//! down the notebooks that run meanwhile (issue 25, item 2). Two knobs, because Linux has two
//! schedulers' worth of fairness:
//! - **Thread niceness** ([`WARMING_NICENESS`]): weighs threads against the other threads of
//!   the same scheduling group. Threads and processes started later inherit it.
//! - **Autogroup niceness** ([`WARMING_AUTOGROUP_NICENESS`]): with `kernel.sched_autogroup_enabled`
//!   (the default of most distributions, and of this project's CI machines), every session
//!   (`setsid`) is a group that gets an equal share of the processors whatever its threads'
//!   niceness. A standby is a session of its own, so its niceness alone left it an equal share
//!   against a notebook's kernel: measured in bench/RESULTS.md §10.
//!
//! When claimed, a standby's kernel and execution process take both back to 0. Raising
//! niceness needs no privilege, nor does setting an autogroup's back to 0; lowering a thread's
//! needs `CAP_SYS_NICE` or `RLIMIT_NICE`, so without them those threads keep 10, which only
//! weighs them against threads of the same session (their own).

use std::path::Path;
use std::time::{Duration, Instant};

/// Niceness of a standby's threads while it warms up.
pub const WARMING_NICENESS: i32 = 10;

/// Niceness of a standby's autogroup (its session) while it warms up: the lowest weight.
pub const WARMING_AUTOGROUP_NICENESS: i32 = 19;

/// Makes this process yield while it warms up: its thread's niceness (inherited by the threads
/// and processes it starts) and, when it leads its own session, its autogroup's.
pub fn yield_while_warming() {
    if let Err(e) = set_thread_niceness(0, WARMING_NICENESS) {
        eprintln!("torchbook: could not set niceness {WARMING_NICENESS}: {e}");
    }
    // Only a session of its own: the autogroup is the whole session's, and a standby started
    // by hand inside a shell's session must not slow that shell's other processes down.
    // SAFETY: getsid and getpid have no preconditions.
    if unsafe { libc::getsid(0) == libc::getpid() } {
        set_autogroup_niceness(WARMING_AUTOGROUP_NICENESS);
    }
}

/// Gives every thread of each process in `pids` (this one and its execution process) niceness
/// 0 again, and this process's autogroup too. Says in the log what could not be undone.
pub fn take_back(pids: &[u32]) {
    let mut refused = None;
    for pid in pids {
        for tid in threads(*pid) {
            if let Err(e) = set_thread_niceness(tid, 0) {
                refused.get_or_insert((tid, e));
            }
        }
    }
    if let Some((tid, e)) = refused {
        eprintln!("torchbook: some threads keep niceness {WARMING_NICENESS} (thread {tid}: {e})");
    }
    if autogroup_niceness(std::process::id()).is_some_and(|n| n != 0) {
        set_autogroup_niceness(0);
    }
}

/// Lifts a warming standby's autogroup back to niceness 0 because a kernel waits for it: a
/// standby yielding to a running notebook would otherwise keep a notebook that is opened
/// meanwhile waiting. Only an autogroup at [`WARMING_AUTOGROUP_NICENESS`] is changed (the
/// standby's own session, set by [`yield_while_warming`]); needs no privilege for a process of
/// the same user.
pub fn hurry(pid: u32) {
    if autogroup_niceness(pid) == Some(WARMING_AUTOGROUP_NICENESS) {
        write_autogroup_niceness(&format!("/proc/{pid}/autogroup"), 0);
    }
}

/// The niceness of process `pid`'s autogroup, from `/proc/<pid>/autogroup`
/// (`/autogroup-681 nice 0`); `None` where the kernel has no autogroups, and for a process in
/// the default one (the file is empty for a process whose session descends from init's without
/// a `setsid`, as a CI runner's often does: its threads are weighed in the root group).
///
/// ```
/// let own = torchbook_kernel::priority::autogroup_niceness(std::process::id());
/// assert!(own.is_none_or(|n| (-20..=19).contains(&n)));
/// ```
pub fn autogroup_niceness(pid: u32) -> Option<i32> {
    parse_autogroup_line(&std::fs::read_to_string(format!("/proc/{pid}/autogroup")).ok()?)
}

/// The niceness in an autogroup line; `None` for the default autogroup's empty line.
fn parse_autogroup_line(text: &str) -> Option<i32> {
    text.split_whitespace().skip_while(|w| *w != "nice").nth(1)?.parse().ok()
}

/// Thread ids of process `pid`.
fn threads(pid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir(Path::new("/proc").join(pid.to_string()).join("task")) else {
        return Vec::new();
    };
    entries.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok()).collect()
}

/// Sets the niceness of thread `tid` (0: the calling thread). On Linux niceness belongs to a
/// thread; threads and processes started afterwards inherit their creator's.
fn set_thread_niceness(tid: u32, value: i32) -> std::io::Result<()> {
    // SAFETY: setpriority on a thread id; an id that is gone fails with ESRCH.
    let rc = unsafe { libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, value) };
    if rc == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

/// Writes this process's autogroup niceness. Linux lets an unprivileged process do that once
/// per 100 ms machine-wide (EAGAIN otherwise): retried for up to two seconds.
fn set_autogroup_niceness(value: i32) {
    write_autogroup_niceness("/proc/self/autogroup", value)
}

fn write_autogroup_niceness(path: &str, value: i32) {
    if !Path::new(path).exists() {
        return;
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match std::fs::write(path, value.to_string()) {
            Ok(()) => return,
            Err(e) if e.raw_os_error() == Some(libc::EAGAIN) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => {
                eprintln!("torchbook: could not set the autogroup's niceness to {value}: {e}");
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_autogroup_line() {
        // Lines as Linux 6.x writes them (kernel/sched/autogroup.c): a session's own autogroup,
        // and nothing for the default one, where a CI runner that never called setsid lives (the
        // project's CI: this test expected a line there and failed).
        assert_eq!(parse_autogroup_line("/autogroup-681 nice 0\n"), Some(0));
        assert_eq!(parse_autogroup_line("/autogroup-12 nice 19\n"), Some(19));
        assert_eq!(parse_autogroup_line(""), None);
        let own = std::fs::read_to_string("/proc/self/autogroup").unwrap_or_default();
        assert_eq!(autogroup_niceness(std::process::id()), parse_autogroup_line(&own), "{own:?}");
        assert_eq!(autogroup_niceness(u32::MAX), None);
    }

    #[test]
    fn lists_this_processs_threads() {
        let own = threads(std::process::id());
        assert!(own.contains(&std::process::id()), "{own:?}");
    }
}
