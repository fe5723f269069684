//! The execution process's end of the comm link (`torchbook_contract::comm`).
//!
//! [`connect`] (run by `runtime::init` in the kernel) connects to the kernel's comm socket and
//! starts two threads: a reader, which wakes senders waiting for their acknowledgement and
//! queues the front end's events, and a handler, which runs the events one at a time (a
//! widget's update, its callbacks) and says when each is done. A sender waits until the kernel
//! has queued its message on IOPub, so a widget's `comm_open` precedes its `display_data`.

use super::WidgetError;
use std::cell::Cell;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;
use torchbook_contract::comm::{Comm, ToKernel, ToPrelude};

/// How long a send waits for the kernel's acknowledgement.
const ACK_WAIT: Duration = Duration::from_secs(30);

pub(crate) struct CommLink {
    writer: Mutex<UnixStream>,
    acks: Mutex<HashMap<u64, mpsc::SyncSender<()>>>,
    next: AtomicU64,
}

static LINK: OnceLock<Option<CommLink>> = OnceLock::new();

thread_local! {
    /// The front end's event this thread is handling (its replies name it as their parent).
    static HANDLING: Cell<Option<u64>> = const { Cell::new(None) };
    /// Set on threads that run widget callbacks: a panic there is reported, not fatal.
    static IN_CALLBACK: Cell<bool> = const { Cell::new(false) };
}

/// True on a thread that runs widget callbacks (the panic hook reports their panics as text
/// instead of failing the next cell).
pub(crate) fn in_callback() -> bool {
    IN_CALLBACK.with(Cell::get)
}

/// Marks this thread as one that runs widget callbacks.
pub(crate) fn mark_callback_thread() {
    IN_CALLBACK.with(|c| c.set(true));
}

/// Connects to the kernel's comm socket, once per process; a no-op outside the kernel.
pub(crate) fn connect() {
    let _ = link();
}

/// The link, or `None` outside the kernel (or when the socket could not be reached, said once
/// on stderr).
pub(crate) fn link() -> Option<&'static CommLink> {
    LINK.get_or_init(|| {
        let path = std::env::var_os(torchbook_contract::env::COMM_SOCKET)?;
        let stream = match UnixStream::connect(&path) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("torchbook: widgets are unavailable: the kernel's comm socket {path:?}: {e}");
                return None;
            }
        };
        let reader = stream.try_clone().ok()?;
        let (events, queue) = mpsc::channel::<(u64, Comm)>();
        std::thread::Builder::new()
            .name("torchbook-comm-read".into())
            .spawn(move || read(reader, events))
            .ok()?;
        std::thread::Builder::new().name("torchbook-widgets".into()).spawn(move || handle(queue)).ok()?;
        Some(CommLink {
            writer: Mutex::new(stream),
            acks: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
        })
    })
    .as_ref()
}

fn read(stream: UnixStream, events: mpsc::Sender<(u64, Comm)>) {
    let mut lines = BufReader::new(stream);
    let mut line = String::new();
    loop {
        line.clear();
        match lines.read_line(&mut line) {
            Ok(0) | Err(_) => break,
            Ok(_) => {}
        }
        match serde_json::from_str::<ToPrelude>(line.trim_end()) {
            Ok(ToPrelude::Ack { seq }) => {
                let waiting =
                    LINK.get().and_then(|l| l.as_ref()).and_then(|l| l.acks.lock().ok()?.remove(&seq));
                if let Some(waiting) = waiting {
                    let _ = waiting.send(());
                }
            }
            Ok(ToPrelude::Event { seq, comm }) => {
                if events.send((seq, comm)).is_err() {
                    break;
                }
            }
            Err(e) => eprintln!("torchbook: a comm line from the kernel did not parse: {e}"),
        }
    }
    // The kernel is gone: nobody will acknowledge.
    if let Some(link) = LINK.get().and_then(|l| l.as_ref()) {
        if let Ok(mut acks) = link.acks.lock() {
            acks.clear();
        }
    }
}

fn handle(queue: mpsc::Receiver<(u64, Comm)>) {
    mark_callback_thread();
    for (seq, comm) in queue {
        HANDLING.with(|h| h.set(Some(seq)));
        let outcome = std::panic::catch_unwind(|| super::widget::dispatch(comm));
        HANDLING.with(|h| h.set(None));
        let error = match outcome {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some("a widget callback panicked (its message is on stderr)".to_owned()),
        };
        if let Some(link) = link() {
            link.write(&ToKernel::Done { seq, error });
        }
    }
}

impl CommLink {
    fn write(&self, message: &ToKernel) -> bool {
        let mut line = serde_json::to_vec(message).expect("a ToKernel always serialises");
        line.push(b'\n');
        let Ok(mut writer) = self.writer.lock() else { return false };
        writer.write_all(&line).is_ok()
    }

    /// Sends `comm` to the front end and waits until the kernel has published it.
    pub(crate) fn send(&self, comm: Comm) -> Result<(), WidgetError> {
        let seq = self.next.fetch_add(1, Ordering::Relaxed);
        let (ack, acked) = mpsc::sync_channel(1);
        self.acks.lock().map_err(|_| WidgetError::KernelGone)?.insert(seq, ack);
        let in_reply_to = HANDLING.with(Cell::get);
        if !self.write(&ToKernel::Send { seq, comm, in_reply_to }) {
            return Err(WidgetError::KernelGone);
        }
        acked.recv_timeout(ACK_WAIT).map_err(|_| WidgetError::KernelGone)
    }
}

/// Sends `comm` when running inside the kernel; outside it (a test, an exported program) there
/// is no front end and nothing to send.
pub(crate) fn send(comm: Comm) {
    if let Some(link) = link() {
        if let Err(e) = link.send(comm) {
            eprintln!("torchbook: a widget message was not sent: {e}");
        }
    }
}
