//! The Jupyter protocol: connection file, wire format with signing, typed messages.

pub mod connection;
pub mod messages;
pub mod wire;
