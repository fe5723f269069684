//! Keeping freed tensor memory in the process instead of handing it back to the OS every step.
//!
//! libtorch's CPU tensors come from `malloc`. With glibc's defaults, a training step that frees
//! a few hundred kilobytes at the top of the heap (a dense embedding gradient, the temporaries
//! of an optimizer step) gives them back to the kernel (`brk` trim or `munmap`), and the next
//! step takes them again as fresh pages, one page fault per 4 KiB. Measured with
//! `perf stat -e page-faults` on `prelude/examples/train_throughput.rs` (text model, 2 threads):
//! ~290 page faults per step and 1,000-1,060 steps/s with glibc's defaults; ~0 per step and
//! 1,750 steps/s after [`keep_freed_memory`]. A Python process running the same model does
//! not see this, because its heap top is rarely free.
//!
//! [`keep_freed_memory`] fixes the two thresholds involved at glibc's own ceilings: blocks
//! under 32 MiB come from the heap (glibc's dynamic threshold never goes above 32 MiB on 64-bit
//! either), and the heap is trimmed only when 64 MiB at its top are free. Memory the process
//! has used stays mapped up to that much; large tensors are still `mmap`ed and unmapped when
//! freed. On other C libraries it does nothing.

/// glibc's largest dynamic mmap threshold on 64-bit systems (`DEFAULT_MMAP_THRESHOLD_MAX`).
///
/// ```
/// assert_eq!(torchbook::allocator::MMAP_THRESHOLD, 32 << 20);
/// ```
pub const MMAP_THRESHOLD: usize = 32 << 20;
/// Free memory at the top of the heap kept before glibc trims it.
///
/// ```
/// assert_eq!(torchbook::allocator::TRIM_THRESHOLD, 64 << 20);
/// ```
pub const TRIM_THRESHOLD: usize = 2 * MMAP_THRESHOLD;

/// What [`keep_freed_memory`] did.
///
/// ```
/// use torchbook::allocator::{keep_freed_memory, AllocatorTuning};
/// match keep_freed_memory() {
///     AllocatorTuning::Applied | AllocatorTuning::Unsupported => {}
///     AllocatorTuning::Refused => panic!("glibc refused the thresholds"),
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllocatorTuning {
    /// Both glibc thresholds were set.
    Applied,
    /// glibc refused a setting (`mallopt` returned 0).
    Refused,
    /// Not glibc: nothing to tune.
    Unsupported,
}

/// Tells glibc's `malloc` to keep freed blocks for reuse; idempotent, and called by
/// [`runtime::init`](crate::runtime::init) in every notebook.
///
/// ```
/// use torchbook::allocator::{keep_freed_memory, AllocatorTuning};
/// let tuning = keep_freed_memory();
/// assert_ne!(tuning, AllocatorTuning::Refused);
/// ```
pub fn keep_freed_memory() -> AllocatorTuning {
    tune()
}

#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn tune() -> AllocatorTuning {
    // SAFETY: mallopt only changes two integer parameters of glibc's allocator; it is
    // thread-safe and takes effect for later allocations.
    let applied = unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD as libc::c_int) == 1
            && libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD as libc::c_int) == 1
    };
    if applied {
        AllocatorTuning::Applied
    } else {
        AllocatorTuning::Refused
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn tune() -> AllocatorTuning {
    AllocatorTuning::Unsupported
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minor_faults() -> i64 {
        // SAFETY: getrusage fills the struct it is given.
        unsafe {
            let mut usage: libc::rusage = std::mem::zeroed();
            libc::getrusage(libc::RUSAGE_THREAD, &mut usage);
            usage.ru_minflt
        }
    }

    /// The mechanism the module's figures come from. Three 4 MiB blocks freed together leave
    /// 12 MiB free at the top of the heap: glibc's defaults (its threshold having risen to
    /// 4 MiB, so trimming above 8 MiB) give them back and every round faults ~3,040 pages in
    /// again (measured with the tuning left out); tuned, ~30 per round were measured in the test
    /// harness's thread (its arena and its own allocations), and the bound is 100 per round.
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn freed_blocks_are_reused_without_page_faults() {
        assert_eq!(keep_freed_memory(), AllocatorTuning::Applied);
        let size = 4 << 20;
        let round = |value: u8| {
            let blocks: Vec<Vec<u8>> = (0..3).map(|_| vec![value; size]).collect();
            std::hint::black_box(&blocks);
        };
        round(0);
        let before = minor_faults();
        for value in 1..=100u8 {
            round(value);
        }
        let faults = minor_faults() - before;
        assert!(faults < 100 * 100, "{faults} page faults in 100 rounds of three 4 MiB blocks");
    }
}
