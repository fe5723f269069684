//! The shell socket's router (JEP 91, kernel subshells).
//!
//! One thread owns the shell socket. It reads every request and hands it to the main shell
//! ([`super::shell::Shell`]) or to the subshell its header's `subshell_id` names
//! ([`super::subshells`]). Whatever thread handles a request replies through its own
//! [`ShellReplies`], an in-process socket whose messages this thread puts on the shell socket:
//! a ZeroMQ socket belongs to one thread, and the main shell may be busy with a cell for minutes
//! while a subshell answers a widget.

use super::publisher::Publisher;
use super::subshells::{SubshellError, Subshells};
use crate::protocol::messages::*;
use crate::protocol::wire::{RawMessage, Signer};
use anyhow::{Context, Result};
use serde_json::{Map, Value};

/// Where the handlers' replies meet the router.
const REPLIES_ENDPOINT: &str = "inproc://torchbook-shell-replies";

/// Sends replies on the shell socket from the thread that made it (each handler has one).
pub struct ShellReplies {
    socket: zmq::Socket,
    signer: Signer,
    session: String,
}

impl ShellReplies {
    /// A sender for the current thread.
    pub fn connect(ctx: &zmq::Context, signer: Signer, session: &str) -> Result<ShellReplies> {
        let socket = ctx.socket(zmq::PUSH).context("creating a shell reply socket")?;
        socket.set_linger(1000)?;
        socket.connect(REPLIES_ENDPOINT).context("connecting to the shell router")?;
        Ok(ShellReplies { socket, signer, session: session.to_owned() })
    }

    /// Replies to `parent` with `content`.
    pub fn reply(&self, parent: &Message, content: Content) {
        let reply = Message::reply_to(Some(parent), &self.session, content);
        self.send_raw(&reply.into_raw());
    }

    fn send_raw(&self, raw: &RawMessage) {
        if let Err(e) = self.socket.send_multipart(self.signer.encode(raw), 0) {
            eprintln!("torchbook: shell send failed: {e}");
        }
    }

    /// The key's signer (for the stdin channel).
    pub fn signer(&self) -> Signer {
        self.signer.clone()
    }
}

/// The thread that owns the shell socket.
pub struct Router {
    socket: zmq::Socket,
    replies: zmq::Socket,
    signer: Signer,
    publisher: Publisher,
    main: crossbeam_channel::Sender<Message>,
    subshells: Subshells,
}

impl Router {
    /// Takes the shell socket and listens for the handlers' replies.
    pub fn new(
        socket: zmq::Socket,
        ctx: &zmq::Context,
        signer: Signer,
        publisher: Publisher,
        main: crossbeam_channel::Sender<Message>,
        subshells: Subshells,
    ) -> Result<Router> {
        let replies = ctx.socket(zmq::PULL).context("creating the shell router's reply socket")?;
        replies.bind(REPLIES_ENDPOINT).context("binding the shell router's reply socket")?;
        Ok(Router { socket, replies, signer, publisher, main, subshells })
    }

    /// Routes requests and replies on a thread of its own, until the process exits.
    pub fn start(self) {
        std::thread::Builder::new()
            .name("shell-router".into())
            .spawn(move || self.run())
            .expect("spawning the shell router");
    }

    fn run(mut self) {
        loop {
            let (request, reply) = {
                let mut items =
                    [self.socket.as_poll_item(zmq::POLLIN), self.replies.as_poll_item(zmq::POLLIN)];
                if zmq::poll(&mut items, -1).is_err() {
                    continue;
                }
                (items[0].is_readable(), items[1].is_readable())
            };
            if reply {
                while let Ok(frames) = self.replies.recv_multipart(zmq::DONTWAIT) {
                    if let Err(e) = self.socket.send_multipart(frames, 0) {
                        eprintln!("torchbook: shell send failed: {e}");
                    }
                }
            }
            if request {
                while let Ok(frames) = self.socket.recv_multipart(zmq::DONTWAIT) {
                    if let Some(message) = self.decode(frames) {
                        self.route(message);
                    }
                }
            }
        }
    }

    fn route(&self, message: Message) {
        let Some(id) = message.header.subshell_id.clone() else {
            let _ = self.main.send(message);
            return;
        };
        if let Err(SubshellError::Unknown(id)) = self.subshells.dispatch(&id, message.clone()) {
            let why = SubshellError::Unknown(id).to_string();
            let raw = message.into_raw();
            self.refuse(raw.identities, &raw.header, "SubshellError", &why);
        }
    }

    fn decode(&mut self, frames: Vec<Vec<u8>>) -> Option<Message> {
        let raw = match self.signer.decode(frames) {
            Ok(raw) => raw,
            Err(e) => {
                eprintln!("torchbook: dropped a shell message: {e}");
                return None;
            }
        };
        let (identities, header) = (raw.identities.clone(), raw.header.clone());
        match Message::from_raw(raw) {
            Ok(message) => Some(message),
            Err(e) => {
                self.refuse(identities, &header, "InvalidRequest", &e.to_string());
                None
            }
        }
    }

    /// A correctly signed request that cannot be handled (its content is not what its type
    /// requires, or it names a subshell that does not exist) gets an error reply between busy
    /// and idle, not silence: the client would wait for ever.
    fn refuse(&self, identities: Vec<Vec<u8>>, header: &[u8], ename: &str, why: &str) {
        let Ok(header) = serde_json::from_slice::<Header>(header) else {
            eprintln!("torchbook: dropped a shell message: {why}");
            return;
        };
        let Some(kind) = header.msg_type.strip_suffix("_request") else {
            eprintln!("torchbook: dropped a shell {}: {why}", header.msg_type);
            return;
        };
        eprintln!("torchbook: refused a {}: {why}", header.msg_type);
        let request = Message {
            identities,
            header: header.clone(),
            parent_header: None,
            metadata: Map::new(),
            content: Content::KernelInfoRequest(Map::new()),
        };
        self.publisher.status(Some(&request), ExecutionState::Busy);
        // The typed contents have no variant for a reply to a request that could not be read,
        // so this one reply is written as JSON.
        let reply_header = Header {
            msg_id: uuid::Uuid::new_v4().to_string(),
            session: self.publisher.session().to_owned(),
            username: "torchbook".to_owned(),
            date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            msg_type: format!("{kind}_reply"),
            version: header.version.clone(),
            subshell_id: None,
        };
        let json = |v: Value| serde_json::to_vec(&v).unwrap_or_default();
        let raw = RawMessage {
            identities: request.identities.clone(),
            header: json(serde_json::to_value(&reply_header).unwrap_or_default()),
            parent_header: json(serde_json::to_value(&header).unwrap_or_default()),
            metadata: b"{}".to_vec(),
            content: json(serde_json::json!({
                "status": "error",
                "ename": ename,
                "evalue": why,
                "traceback": [format!("{ename}: {why}")],
            })),
            buffers: Vec::new(),
        };
        if let Err(e) = self.socket.send_multipart(self.signer.encode(&raw), 0) {
            eprintln!("torchbook: shell send failed: {e}");
        }
        self.publisher.status(Some(&request), ExecutionState::Idle);
    }
}
