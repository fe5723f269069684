//! IOPub: one thread owns the XPUB socket; everyone else sends through a channel.
//!
//! XPUB rather than PUB so that a new subscription is seen: the kernel answers it with an
//! `iopub_welcome` message (JEP 65), which tells the client its subscription is live.

use crate::protocol::messages::{Content, ExecutionState, IopubWelcome, Message, Status};
use crate::protocol::wire::Signer;
use crossbeam_channel::{RecvTimeoutError, Sender};
use serde_json::{Map, Value};
use std::time::Duration;

enum Outgoing {
    Message(Box<Message>),
    Flush(Sender<()>),
}

/// How often the IOPub thread looks for new subscriptions while no message is queued.
const SUBSCRIPTION_POLL: Duration = Duration::from_millis(5);

/// Sends signed messages on IOPub from any thread.
#[derive(Clone)]
pub struct Publisher {
    tx: Sender<Outgoing>,
    session: String,
}

fn send(socket: &zmq::Socket, signer: &Signer, message: Message) {
    let mut raw = message.into_raw();
    // IOPub messages carry a topic, which subscribers may filter on.
    raw.identities = vec![topic(&raw.header)];
    if let Err(e) = socket.send_multipart(signer.encode(&raw), 0) {
        eprintln!("torchbook: iopub send failed: {e}");
    }
}

/// Answers subscriptions that arrived on the XPUB socket with `iopub_welcome`.
fn welcome_subscribers(socket: &zmq::Socket, signer: &Signer, session: &str) {
    while let Ok(true) = socket.poll(zmq::POLLIN, 0).map(|n| n > 0) {
        let Ok(frame) = socket.recv_bytes(0) else {
            return;
        };
        // Byte 1 subscribes, byte 0 unsubscribes; the rest is the topic.
        if frame.first() == Some(&1) {
            let subscription = String::from_utf8_lossy(&frame[1..]).into_owned();
            let welcome =
                Message::reply_to(None, session, Content::IopubWelcome(IopubWelcome { subscription }));
            send(socket, signer, welcome);
        }
    }
}

impl Publisher {
    /// Starts the publishing thread on a bound XPUB socket.
    pub fn start(socket: zmq::Socket, key: &str, session: String) -> Publisher {
        let (tx, rx) = crossbeam_channel::unbounded::<Outgoing>();
        let signer = Signer::new(key);
        let thread_session = session.clone();
        std::thread::Builder::new()
            .name("iopub".into())
            .spawn(move || loop {
                welcome_subscribers(&socket, &signer, &thread_session);
                match rx.recv_timeout(SUBSCRIPTION_POLL) {
                    Ok(Outgoing::Message(message)) => send(&socket, &signer, *message),
                    Ok(Outgoing::Flush(ack)) => {
                        let _ = ack.send(());
                    }
                    Err(RecvTimeoutError::Timeout) => {}
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            })
            .expect("spawning the iopub thread");
        Publisher { tx, session }
    }

    /// The kernel's session id, used in every header it writes.
    pub fn session(&self) -> &str {
        &self.session
    }

    /// Publishes `content` as caused by `parent`.
    pub fn send(&self, parent: Option<&Message>, content: Content) {
        let message = Message::reply_to(parent, &self.session, content);
        let _ = self.tx.send(Outgoing::Message(Box::new(message)));
    }

    /// Publishes `content` as caused by `parent`, with the message's `metadata` (a widget's
    /// `comm_open` carries the widget protocol's version there).
    pub fn send_with_metadata(
        &self,
        parent: Option<&Message>,
        content: Content,
        metadata: Map<String, Value>,
    ) {
        let mut message = Message::reply_to(parent, &self.session, content);
        message.metadata = metadata;
        let _ = self.tx.send(Outgoing::Message(Box::new(message)));
    }

    /// Publishes a busy/idle/starting status.
    pub fn status(&self, parent: Option<&Message>, execution_state: ExecutionState) {
        self.send(parent, Content::Status(Status { execution_state }));
    }

    /// Waits until everything sent before has been handed to zmq.
    pub fn flush(&self) {
        let (ack, done) = crossbeam_channel::bounded(1);
        if self.tx.send(Outgoing::Flush(ack)).is_ok() {
            let _ = done.recv_timeout(std::time::Duration::from_secs(5));
        }
    }
}

fn topic(header: &[u8]) -> Vec<u8> {
    let msg_type = serde_json::from_slice::<crate::protocol::messages::Header>(header)
        .map(|h| h.msg_type)
        .unwrap_or_default();
    format!("kernel.torchbook.{msg_type}").into_bytes()
}
