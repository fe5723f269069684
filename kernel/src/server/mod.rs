//! The running kernel: sockets bound where the connection file says, one thread per channel.
//!
//! Layers, as in ipykernel: wire (`protocol::wire`, framing and signatures) | dispatch
//! (`shell`, `control`: busy/idle around each request, one `match` on the typed content) |
//! execution (`execution::session`, evcxr).

pub mod comms;
pub mod control;
pub mod debugger;
pub mod heartbeat;
pub mod interrupt;
pub mod kernel_info;
pub mod publisher;
pub mod router;
pub mod shell;
pub mod subshells;

use crate::execution::session::{Session, SessionOptions};
use crate::protocol::connection::ConnectionInfo;
use crate::protocol::messages::ExecutionState;
use anyhow::{Context, Result};
use std::sync::{Arc, Mutex};

fn bind(ctx: &zmq::Context, kind: zmq::SocketType, endpoint: &str) -> Result<zmq::Socket> {
    let socket = ctx.socket(kind).with_context(|| format!("creating a socket for {endpoint}"))?;
    socket.set_linger(1000)?;
    // ZeroMQ refuses a larger message before buffering it (the size check after receiving came
    // too late: one unauthenticated 1 GiB frame took the kernel from 543 to 2591 MB).
    socket.set_maxmsgsize(crate::protocol::wire::MAX_MESSAGE_BYTES as i64)?;
    socket.bind(endpoint).with_context(|| format!("binding {endpoint}"))?;
    Ok(socket)
}

/// What the shell, subshell and control threads share: the kernel's build directory (removed
/// at shutdown), the variables panel's table (written after each cell, read by the debugger),
/// the comm link once the session is up, and the execution count.
#[derive(Clone, Default)]
pub struct Shared {
    /// The kernel's build directory, once its session has one.
    pub kernel_dir: Arc<Mutex<Option<std::path::PathBuf>>>,
    /// The variables the last cells left.
    pub variables: crate::execution::variables::VariableTable,
    /// The comm link to the execution process's widgets, set when the session is up.
    pub comms: Arc<std::sync::OnceLock<comms::CommHub>>,
    /// The main shell's execution count (a subshell's refusal of a cell reports it).
    pub execution_count: Arc<std::sync::atomic::AtomicU64>,
}

/// Where the kernel's evcxr session comes from.
pub enum SessionSource {
    /// Started now, on its own thread, while the sockets already answer; the function runs on
    /// that thread once the session is up.
    Start(SessionOptions, Box<dyn FnOnce() + Send>),
    /// Started earlier by a standby kernel (`crate::standby`).
    Ready(Box<Session>),
    /// Started earlier by a standby kernel that still runs `cell` (its adoption of the
    /// notebook's folder and environment) on a thread of its own while the sockets answer.
    Adopt(Box<Session>, String),
}

/// Runs the kernel until a shutdown request ends the process.
///
/// `after_start` runs once the session is up (the kernel starts standbys then, so they do not
/// slow its own start).
pub fn run(
    connection: ConnectionInfo,
    options: SessionOptions,
    after_start: impl FnOnce() + Send + 'static,
) -> Result<()> {
    Sockets::bind(&connection)?.serve(&connection, SessionSource::Start(options, Box::new(after_start)))
}

/// The kernel's five sockets, bound where the connection file says.
pub struct Sockets {
    _ctx: zmq::Context,
    shell: zmq::Socket,
    control: zmq::Socket,
    stdin: zmq::Socket,
    iopub: zmq::Socket,
    hb: zmq::Socket,
}

impl Sockets {
    /// Binds every socket; fails naming the endpoint that could not be bound.
    pub fn bind(connection: &ConnectionInfo) -> Result<Sockets> {
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
        Ok(Sockets { _ctx: ctx, shell, control, stdin, iopub, hb })
    }

    /// Serves the sockets until a shutdown request ends the process.
    pub fn serve(self, connection: &ConnectionInfo, source: SessionSource) -> Result<()> {
        // `_ctx` stays bound (not `_`) so the zmq context lives as long as its sockets.
        let Sockets { _ctx, shell, control, stdin, iopub, hb } = self;
        let publisher = publisher::Publisher::start(iopub, &connection.key, uuid::Uuid::new_v4().to_string());
        publisher.status(None, ExecutionState::Starting);
        heartbeat::start(hb);
        let interrupter = Arc::new(interrupt::Interrupter::default());
        let shared = Shared::default();
        // One replay memory for shell, control and stdin.
        let signer = crate::protocol::wire::Signer::new(&connection.key);
        // The main shell's queue: requests without a subshell id, and those a subshell passes on.
        let (main, queue) = crossbeam_channel::unbounded();
        let subshells =
            subshells::Subshells::new(_ctx.clone(), signer.clone(), publisher.clone(), main.clone(), &shared);
        router::Router::new(shell, &_ctx, signer.clone(), publisher.clone(), main, subshells.clone())?
            .start();
        control::start(
            control,
            signer.clone(),
            publisher.clone(),
            interrupter.clone(),
            shared.clone(),
            subshells,
        );
        let replies = router::ShellReplies::connect(&_ctx, signer, publisher.session())?;
        shell::Shell::new(queue, replies, stdin, publisher, source, interrupter, shared).run()
    }
}
