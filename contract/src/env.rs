//! Environment variables the kernel sets for the execution process.

/// Set (to `1`) in the execution process: the prelude runs inside the Torchbook kernel.
///
/// ```
/// assert_eq!(torchbook_contract::env::KERNEL, "TORCHBOOK_KERNEL");
/// ```
pub const KERNEL: &str = "TORCHBOOK_KERNEL";

/// The descriptor of the prelude's end of its message link ([`crate::link`]), set by the
/// execution process for the code it loads.
///
/// ```
/// assert!(std::env::var_os(torchbook_contract::env::MESSAGE_FD).is_none());
/// ```
pub const MESSAGE_FD: &str = "TORCHBOOK_MESSAGE_FD";

/// How many standby kernels the kernel keeps and why (a sentence), for `doctor()`; set by the
/// kernel from the memory its cgroup and the machine leave (kernel/src/resources.rs).
///
/// ```
/// assert_eq!(torchbook_contract::env::STANDBY_PLAN, "TORCHBOOK_STANDBY_PLAN");
/// ```
pub const STANDBY_PLAN: &str = "TORCHBOOK_STANDBY_PLAN";

/// The CPUs the cgroup's `cpu.max` quota grants (a decimal), when there is a quota; libtorch's
/// thread count follows it (through `OMP_NUM_THREADS`).
///
/// ```
/// assert_eq!(torchbook_contract::env::CPU_QUOTA, "TORCHBOOK_CPU_QUOTA");
/// ```
pub const CPU_QUOTA: &str = "TORCHBOOK_CPU_QUOTA";

/// Set (to `1`) when the kernel set `OMP_NUM_THREADS` itself, from the CPU quota: the prelude
/// then still shares the cores among running cells (`prelude/src/threads.rs`), where an
/// `OMP_NUM_THREADS` of the user's is left alone.
///
/// ```
/// assert_eq!(torchbook_contract::env::OMP_FROM_QUOTA, "TORCHBOOK_OMP_FROM_QUOTA");
/// ```
pub const OMP_FROM_QUOTA: &str = "TORCHBOOK_OMP_FROM_QUOTA";

/// The path of the kernel's comm socket ([`crate::comm`]), set by the kernel for the execution
/// process: widgets connect to it.
///
/// ```
/// assert_eq!(torchbook_contract::env::COMM_SOCKET, "TORCHBOOK_COMM_SOCKET");
/// ```
pub const COMM_SOCKET: &str = "TORCHBOOK_COMM_SOCKET";
