//! The kernel process's heap: one malloc arena.
//!
//! Most of a kernel's memory is rust-analyzer's analysis of the prelude and its dependencies,
//! which evcxr keeps in the kernel process for variable types and completions. glibc gives
//! every thread that allocates its own arena (up to eight per core), and the analysis, built
//! on the session thread while other threads come and go, leaves free pages behind in several
//! of them. With a single arena the same analysis is resident in about a quarter less memory
//! (bench/lean.py; the figures are in bench/RESULTS.md). The kernel's threads do little
//! allocation besides the session's, so they lose nothing by sharing one arena.
//!
//! The execution process (libtorch, the user's code) is left with glibc's default: its
//! threads are libtorch's and the user's, and a single arena would serialise their
//! allocations.

/// The number of malloc arenas the kernel process uses.
pub const KERNEL_ARENAS: i32 = 1;

/// Limits the process to [`KERNEL_ARENAS`] malloc arenas; returns whether glibc accepted it.
///
/// Call it first thing in the kernel process, before other threads exist (arenas already
/// handed to threads stay theirs).
///
/// ```
/// assert!(torchbook_kernel::memory::use_one_arena());
/// ```
pub fn use_one_arena() -> bool {
    // SAFETY: mallopt only sets an allocator parameter.
    unsafe { libc::mallopt(libc::M_ARENA_MAX, KERNEL_ARENAS) == 1 }
}
