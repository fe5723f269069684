//! The running kernel: sockets bound where the connection file says, one thread per channel.
//!
//! Layers, as in ipykernel: wire (`protocol::wire`, framing and signatures) | dispatch
//! (`shell`, `control`: busy/idle around each request, one `match` on the typed content) |
//! execution (`execution::session`, evcxr).

pub mod control;
pub mod heartbeat;
pub mod interrupt;
pub mod kernel_info;
pub mod publisher;
pub mod shell;

use crate::execution::session::SessionOptions;
use crate::protocol::connection::ConnectionInfo;
use crate::protocol::messages::ExecutionState;
use anyhow::{Context, Result};
use std::sync::{Arc, Mutex};

fn bind(ctx: &zmq::Context, kind: zmq::SocketType, endpoint: &str) -> Result<zmq::Socket> {
    let socket = ctx.socket(kind).with_context(|| format!("creating a socket for {endpoint}"))?;
    socket.set_linger(1000)?;
    socket.bind(endpoint).with_context(|| format!("binding {endpoint}"))?;
    Ok(socket)
}

/// Runs the kernel until a shutdown request ends the process.
pub fn run(connection: ConnectionInfo, options: SessionOptions) -> Result<()> {
    let ctx = zmq::Context::new();
    let shell = bind(&ctx, zmq::ROUTER, &connection.endpoint(connection.shell_port))?;
    let control = bind(&ctx, zmq::ROUTER, &connection.endpoint(connection.control_port))?;
    let stdin = bind(&ctx, zmq::ROUTER, &connection.endpoint(connection.stdin_port))?;
    let iopub = ctx.socket(zmq::XPUB)?;
    iopub.set_linger(1000)?;
    // Report every subscription, including repeats, so each subscriber gets its welcome.
    iopub.set_xpub_verbose(true)?;
    iopub
        .bind(&connection.endpoint(connection.iopub_port))
        .with_context(|| format!("binding {}", connection.endpoint(connection.iopub_port)))?;
    let hb = bind(&ctx, zmq::REP, &connection.endpoint(connection.hb_port))?;

    let publisher = publisher::Publisher::start(iopub, &connection.key, uuid::Uuid::new_v4().to_string());
    publisher.status(None, ExecutionState::Starting);
    heartbeat::start(hb);
    let interrupter = Arc::new(interrupt::Interrupter::default());
    let kernel_dir = Arc::new(Mutex::new(None));
    control::start(
        control,
        connection.key.clone(),
        publisher.clone(),
        interrupter.clone(),
        kernel_dir.clone(),
    );
    shell::Shell::new(shell, stdin, &connection.key, publisher, options, interrupter, kernel_dir).run()
}
