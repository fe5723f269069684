//! Kernels running cells at the same time share the cores instead of oversubscribing them.
//!
//! libtorch runs each operation on as many OpenMP threads as the process may use. Two
//! execution processes doing that at once on the same cores slow each other down by far more
//! than 2x (their threads spin waiting for each other; tests/test_parallel.py measures it). Each
//! kernel holds a lock file in `<store>/busy/` while it builds and runs a cell
//! (`torchbook_contract::busy`), and the execution process sets libtorch's intra-op threads to
//! its share: the CPUs it may use (affinity and cgroup quota) divided by the number of kernels
//! running a cell (at least 1):
//! - when a cell starts ([`cell_started`], called first by every cell through the kernel's
//!   rewrite), and
//! - while it runs: a watcher thread recounts every [`RECOUNT`], and the cell's own thread
//!   applies a new share at the top of its next loop iteration ([`follow`], called from
//!   `interrupt::loop_check`), because libtorch's thread count is changed from the thread
//!   that runs the operations.
//!
//! A kernel alone keeps every core. The user's choice wins: with `OMP_NUM_THREADS` set (other
//! than by the kernel from the CPU quota), or once a cell calls `tch::set_num_threads`, the
//! count is left alone for the rest of the session. `doctor()` says which ([`explain`]).

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

/// How often the watcher recounts the running cells while this process runs one.
pub const RECOUNT: Duration = Duration::from_millis(200);

/// 0: not decided yet; 1: shared by the kernel; 2: the user's choice; 3: not in a kernel store.
static MODE: AtomicUsize = AtomicUsize::new(0);
static DESIRED: AtomicUsize = AtomicUsize::new(0);
static APPLIED: AtomicUsize = AtomicUsize::new(0);
static RUNNING: AtomicBool = AtomicBool::new(false);
static LAST_BUSY: AtomicUsize = AtomicUsize::new(0);

const SHARED: usize = 1;
const USERS: usize = 2;
const OUTSIDE: usize = 3;

/// Each of `busy` cells' share of `cpus`: at least one thread.
///
/// ```
/// use torchbook::threads::share;
/// assert_eq!((share(2, 1), share(2, 2), share(4, 3), share(8, 2), share(2, 5)), (2, 1, 1, 4, 1));
/// ```
pub fn share(cpus: usize, busy: usize) -> usize {
    (cpus / busy.max(1)).max(1)
}

/// The CPUs this process may use: its affinity mask within the cgroup's quota.
pub fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn busy_dir() -> Option<PathBuf> {
    std::env::var_os("TORCHBOOK_STORE").map(|s| torchbook_contract::busy::dir(Path::new(&s)))
}

/// Locks (`LOCK_EX`, without waiting) the open file; `true` when it got the lock.
fn try_lock(file: &File) -> bool {
    // SAFETY: flock on a descriptor this File owns.
    unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
}

/// Kernels of this store running a cell now (this one's included while it runs one); lock
/// files of processes that ended are removed.
pub fn busy_count(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    let mut busy = 0;
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(file) = File::open(&path) else { continue };
        if try_lock(&file) {
            // Nobody runs a cell under it: an idle kernel's, or a dead process's if its pid is gone.
            let pid = torchbook_contract::busy::pid_of(&path);
            // SAFETY: kill with signal 0 only checks that the process exists.
            if pid.is_some_and(|p| unsafe { libc::kill(p as i32, 0) } != 0) {
                let _ = std::fs::remove_file(&path);
            }
        } else {
            busy += 1;
        }
    }
    busy
}

fn decide() -> usize {
    let mode = MODE.load(Ordering::Relaxed);
    if mode != 0 {
        return mode;
    }
    let in_kernel = std::env::var_os(torchbook_contract::env::KERNEL).is_some();
    let from_kernel = std::env::var_os(torchbook_contract::env::OMP_FROM_QUOTA).is_some();
    let mode = if !in_kernel || busy_dir().is_none() {
        OUTSIDE
    } else if std::env::var_os("OMP_NUM_THREADS").is_some() && !from_kernel {
        USERS
    } else {
        SHARED
    };
    MODE.store(mode, Ordering::Relaxed);
    mode
}

fn apply(threads: usize) {
    tch::set_num_threads(threads as i32);
    APPLIED.store(threads, Ordering::Relaxed);
    DESIRED.store(threads, Ordering::Relaxed);
}

/// A cell starts: set its share of the cores (its kernel holds its lock by now).
///
/// ```
/// // Outside a kernel's store nothing is shared: libtorch keeps its own count.
/// let before = tch::get_num_threads();
/// torchbook::threads::cell_started();
/// torchbook::threads::cell_ended();
/// assert_eq!(tch::get_num_threads(), before);
/// ```
pub fn cell_started() {
    if decide() != SHARED {
        return;
    }
    let applied = APPLIED.load(Ordering::Relaxed);
    if applied != 0 && tch::get_num_threads() as usize != applied {
        // A cell called tch::set_num_threads: the user decides from now on.
        MODE.store(USERS, Ordering::Relaxed);
        return;
    }
    let Some(dir) = busy_dir() else { return };
    let busy = busy_count(&dir).max(1);
    LAST_BUSY.store(busy, Ordering::Relaxed);
    apply(share(cpus(), busy));
    RUNNING.store(true, Ordering::Relaxed);
    start_watcher(dir);
}

fn start_watcher(dir: PathBuf) {
    static STARTED: std::sync::Once = std::sync::Once::new();
    STARTED.call_once(|| {
        let _ = std::thread::Builder::new().name("torchbook-threads".into()).spawn(move || loop {
            std::thread::sleep(RECOUNT);
            if RUNNING.load(Ordering::Relaxed) && MODE.load(Ordering::Relaxed) == SHARED {
                let busy = busy_count(&dir).max(1);
                LAST_BUSY.store(busy, Ordering::Relaxed);
                DESIRED.store(share(cpus(), busy), Ordering::Relaxed);
            }
        });
    });
}

/// Applies a new share on the cell's thread; two relaxed loads when nothing changed.
///
/// ```
/// torchbook::threads::follow(); // outside a kernel: nothing to follow
/// ```
#[inline]
pub fn follow() {
    let desired = DESIRED.load(Ordering::Relaxed);
    if desired != APPLIED.load(Ordering::Relaxed) && MODE.load(Ordering::Relaxed) == SHARED {
        apply(desired);
    }
}

/// The cell ended: the watcher stops counting until the next one.
pub fn cell_ended() {
    RUNNING.store(false, Ordering::Relaxed);
}

/// One sentence for `doctor()`: the thread count and why.
///
/// ```
/// assert!(torchbook::threads::explain().contains("thread"));
/// ```
pub fn explain() -> String {
    let threads = tch::get_num_threads();
    match decide() {
        SHARED => format!(
            "{threads} thread(s): this process's share of {} CPU(s) among the {} cell(s) of this store that \
             ran at the last count (set when a cell starts and while it runs; OMP_NUM_THREADS or \
             tch::set_num_threads overrides)",
            cpus(),
            LAST_BUSY.load(Ordering::Relaxed).max(1)
        ),
        USERS => format!("{threads} thread(s): your choice (OMP_NUM_THREADS or tch::set_num_threads)"),
        _ => format!("{threads} thread(s): libtorch's default (not in a Torchbook kernel)"),
    }
}
