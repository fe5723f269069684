//! The contract between the Torchbook prelude (running in a cell's process) and the kernel.
//!
//! Everything both sides must agree on lives here, once: the environment variables the kernel
//! sets ([`env`]), the messages a cell sends ([`message`]), the link they travel on ([`link`]),
//! the comms widgets use ([`comm`]), and how the execution process frames a cell's output for the kernel ([`frame`]).
//!
//! ```
//! use torchbook_contract::message::{FromPrelude, MimeBundle};
//! let m = FromPrelude::Clear { wait: true };
//! let json = serde_json::to_string(&m).unwrap();
//! assert_eq!(serde_json::from_str::<FromPrelude>(&json).unwrap(), m);
//! ```
#![warn(missing_docs)]

pub mod busy;
pub mod comm;
pub mod env;
pub mod frame;
pub mod link;
pub mod message;
