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
