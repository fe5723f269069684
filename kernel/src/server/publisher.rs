//! IOPub: one thread owns the PUB socket; everyone else sends through a channel.

use crate::protocol::messages::{Content, ExecutionState, Message, Status};
use crate::protocol::wire::Signer;
use crossbeam_channel::Sender;

enum Outgoing {
    Message(Box<Message>),
    Flush(Sender<()>),
}

/// Sends signed messages on IOPub from any thread.
#[derive(Clone)]
pub struct Publisher {
    tx: Sender<Outgoing>,
    session: String,
}

impl Publisher {
    /// Starts the publishing thread on a bound PUB socket.
    pub fn start(socket: zmq::Socket, key: &str, session: String) -> Publisher {
        let (tx, rx) = crossbeam_channel::unbounded::<Outgoing>();
        let signer = Signer::new(key);
        std::thread::Builder::new()
            .name("iopub".into())
            .spawn(move || {
                for item in rx {
                    match item {
                        Outgoing::Message(message) => {
                            let mut raw = message.into_raw();
                            // PUB messages carry the msg_type as topic.
                            raw.identities = vec![topic(&raw.header)];
                            if let Err(e) = socket.send_multipart(signer.encode(&raw), 0) {
                                eprintln!("torchbook: iopub send failed: {e}");
                            }
                        }
                        Outgoing::Flush(ack) => {
                            let _ = ack.send(());
                        }
                    }
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
