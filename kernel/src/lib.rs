//! The Torchbook Jupyter kernel: Rust cells compiled by evcxr, with the `torchbook` prelude
//! (tch and plotters) preloaded.
//!
//! See `ARCHITECTURE.md` at the repository root for how a cell travels through these modules.

pub mod busy;
pub mod execution;
pub mod export;
pub mod history;
pub mod install;
pub mod is_complete;
pub mod memory;
pub mod parent_watch;
pub mod pidfd;
pub mod priority;
pub mod private;
pub mod protocol;
pub mod resources;
pub mod server;
pub mod standby;
pub mod warm;
