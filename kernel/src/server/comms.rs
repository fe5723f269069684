//! Comms: a front end's comm messages reach the widgets in the execution process, and the
//! widgets' messages reach IOPub (the comm link, `contract/src/comm.rs`).
//!
//! The session listens on a Unix socket before it starts the execution process
//! ([`CommListener`]); the prelude connects once per execution process. [`CommHub`] accepts
//! the newest connection, publishes what the prelude sends (acknowledged once it is queued on
//! IOPub), forwards the front end's messages and waits until the prelude has handled each,
//! and keeps the table of open comms for `comm_info_request`. When an execution process ends
//! (a crash, `:restart`, an interrupt that had to kill it), every comm it had open is closed.

use super::publisher::Publisher;
use crate::protocol::messages::{CommMessage, Content, Message};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use torchbook_contract::comm::{Comm, ToKernel, ToPrelude, CONTROL_TARGET};

/// Why a front end's comm message was not handled.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CommError {
    /// No comm with this id is open.
    #[error("no open comm has the id {0:?}")]
    Unknown(String),
    /// The kernel has no handler for this target.
    #[error(
        "no comm target {0:?} in this kernel (it has {CONTROL_TARGET:?}; widgets are opened by the kernel)"
    )]
    NoTarget(String),
    /// The execution process has not connected (it is starting, or the prelude is not loaded).
    #[error("the execution process is not connected to the kernel's comm socket")]
    NotConnected,
    /// The execution process ended while handling the message.
    #[error("the execution process ended before it had handled the message")]
    Lost,
    /// The prelude refused the message, saying why.
    #[error("{0}")]
    Refused(String),
    /// The message's handler (a widget callback) was still running when the kernel stopped
    /// waiting for it.
    #[error(
        "a widget callback was still running after {} s: the kernel goes on without it (it keeps running in the execution process, and later widget events wait for it)",
        CALLBACK_PATIENCE.as_secs()
    )]
    StillRunning,
}

/// How long a shell (the main one or a subshell) waits for the prelude to handle a front end's
/// comm message before it goes idle and serves its next request: a callback that never returns
/// must not hold the shell, whose next request may be a cell.
pub const CALLBACK_PATIENCE: Duration = Duration::from_secs(5);

/// The listening socket the execution process connects to; removed when dropped.
pub struct CommListener {
    listener: UnixListener,
    path: PathBuf,
    /// A private directory made for the socket when the session's own was too long a path.
    own_dir: Option<PathBuf>,
}

/// The longest path a Unix socket address holds (`sun_path`, with its NUL).
const SOCKET_PATH_MAX: usize = 107;

impl CommListener {
    /// Listens at `dir/comm.sock`, or in a new private directory under the temporary directory
    /// where that path is too long for a socket address.
    pub fn bind(dir: &Path) -> std::io::Result<CommListener> {
        let mut path = dir.join("comm.sock");
        let mut own_dir = None;
        if path.as_os_str().len() > SOCKET_PATH_MAX {
            let short = std::env::temp_dir().join(format!(
                "torchbook-comm-{}-{}",
                std::process::id(),
                uuid::Uuid::new_v4().simple()
            ));
            crate::private::create_dir(&short).map_err(std::io::Error::other)?;
            path = short.join("comm.sock");
            own_dir = Some(short);
        }
        let _ = std::fs::remove_file(&path);
        let listener = UnixListener::bind(&path)?;
        Ok(CommListener { listener, path, own_dir })
    }

    /// Where it listens (the execution process gets it in `TORCHBOOK_COMM_SOCKET`).
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for CommListener {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
        if let Some(dir) = &self.own_dir {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Front end events waiting for the prelude's `Done`.
type Pending = HashMap<u64, (Message, crossbeam_channel::Sender<Option<String>>)>;

struct Connection {
    /// Counts connections, so a reader thread that ends closes only its own comms.
    generation: u64,
    writer: UnixStream,
}

struct Inner {
    publisher: Publisher,
    /// The request whose output is being published (the running or last cell).
    current_parent: Arc<Mutex<Option<Message>>>,
    connection: Mutex<Option<Connection>>,
    /// Open comms: id to target name, in the order they were opened.
    open: Mutex<BTreeMap<String, String>>,
    pending: Mutex<Pending>,
    next_event: AtomicU64,
}

/// The kernel's end of the comm link.
#[derive(Clone)]
pub struct CommHub {
    inner: Arc<Inner>,
}

impl CommHub {
    /// Starts accepting the execution processes' connections on `listener`.
    pub fn start(
        listener: Arc<CommListener>,
        publisher: Publisher,
        current_parent: Arc<Mutex<Option<Message>>>,
    ) -> CommHub {
        let hub = CommHub {
            inner: Arc::new(Inner {
                publisher,
                current_parent,
                connection: Mutex::new(None),
                open: Mutex::new(BTreeMap::new()),
                pending: Mutex::new(HashMap::new()),
                next_event: AtomicU64::new(1),
            }),
        };
        let accepting = hub.clone();
        std::thread::Builder::new()
            .name("comm-accept".into())
            .spawn(move || accepting.accept(&listener))
            .expect("spawning the comm thread");
        hub
    }

    fn accept(&self, listener: &CommListener) {
        let mut generation = 0;
        for stream in listener.listener.incoming() {
            let Ok(stream) = stream else { continue };
            // Only this user's processes (the socket's directory is private already).
            match crate::private::peer_uid(&stream) {
                Ok(uid) if uid == crate::private::my_uid() => {}
                other => {
                    eprintln!("torchbook: refused a comm connection from another user ({other:?})");
                    continue;
                }
            }
            let Ok(writer) = stream.try_clone() else { continue };
            generation += 1;
            let previous = self.inner.connection.lock().unwrap().replace(Connection { generation, writer });
            if let Some(previous) = previous {
                let _ = previous.writer.shutdown(std::net::Shutdown::Both);
            }
            let hub = self.clone();
            let _ = std::thread::Builder::new()
                .name("comm-read".into())
                .spawn(move || hub.read(stream, generation));
        }
    }

    /// Reads one execution process's messages until it disconnects.
    fn read(&self, stream: UnixStream, generation: u64) {
        let mut lines = BufReader::new(stream);
        let mut line = String::new();
        loop {
            line.clear();
            match lines.read_line(&mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            match serde_json::from_str::<ToKernel>(line.trim_end()) {
                Ok(ToKernel::Send { seq, comm, in_reply_to }) => {
                    self.publish(comm, in_reply_to);
                    self.write(generation, &ToPrelude::Ack { seq });
                }
                Ok(ToKernel::Done { seq, error }) => {
                    if let Some((request, done)) = self.inner.pending.lock().unwrap().remove(&seq) {
                        // Nobody waits for a callback that outlived CALLBACK_PATIENCE: its error is
                        // logged here.
                        if let Err(crossbeam_channel::SendError(Some(why))) = done.send(error) {
                            eprintln!(
                                "torchbook: {} (handled late) refused: {why}",
                                request.content.msg_type()
                            );
                        }
                    }
                }
                Err(e) => eprintln!("torchbook: a comm line from the execution process did not parse: {e}"),
            }
        }
        // The execution process is gone: what it had open is closed, what it was handling lost.
        let mut connection = self.inner.connection.lock().unwrap();
        if connection.as_ref().is_some_and(|c| c.generation == generation) {
            *connection = None;
            drop(connection);
            self.inner.pending.lock().unwrap().clear();
            self.close_all();
        }
    }

    /// Publishes a comm message of the prelude's on IOPub.
    fn publish(&self, comm: Comm, in_reply_to: Option<u64>) {
        let parent = in_reply_to
            .and_then(|seq| self.inner.pending.lock().unwrap().get(&seq).map(|(m, _)| m.clone()))
            .or_else(|| self.inner.current_parent.lock().ok().and_then(|p| p.clone()));
        let mut metadata = Map::new();
        let content = match comm {
            Comm::Open { comm_id, target_name, data, metadata: meta } => {
                self.inner.open.lock().unwrap().insert(comm_id.clone(), target_name.clone());
                if let Value::Object(meta) = meta {
                    metadata = meta;
                }
                Content::CommOpen(CommMessage { comm_id, target_name: Some(target_name), data })
            }
            Comm::Msg { comm_id, data } => Content::CommMsg(CommMessage { comm_id, target_name: None, data }),
            Comm::Close { comm_id, data } => {
                self.inner.open.lock().unwrap().remove(&comm_id);
                Content::CommClose(CommMessage { comm_id, target_name: None, data })
            }
        };
        self.inner.publisher.send_with_metadata(parent.as_ref(), content, metadata);
    }

    fn write(&self, generation: u64, message: &ToPrelude) -> bool {
        let mut line = serde_json::to_vec(message).expect("a ToPrelude always serialises");
        line.push(b'\n');
        let mut connection = self.inner.connection.lock().unwrap();
        match connection.as_mut() {
            Some(c) if c.generation == generation || generation == 0 => c.writer.write_all(&line).is_ok(),
            _ => false,
        }
    }

    /// Closes every open comm on the front end's side (the execution process that held them
    /// ended).
    fn close_all(&self) {
        let open = std::mem::take(&mut *self.inner.open.lock().unwrap());
        let parent = self.inner.current_parent.lock().ok().and_then(|p| p.clone());
        for comm_id in open.into_keys() {
            self.inner.publisher.send(
                parent.as_ref(),
                Content::CommClose(CommMessage {
                    comm_id,
                    target_name: None,
                    data: Value::Object(Map::new()),
                }),
            );
        }
    }

    /// The open comms, as `comm_info_reply` lists them: every one, or those of `target`.
    pub fn comm_info(&self, target: Option<&str>) -> Map<String, Value> {
        let open = self.inner.open.lock().unwrap();
        open.iter()
            .filter(|(_, t)| target.is_none_or(|want| want == t.as_str()))
            .map(|(id, t)| (id.clone(), serde_json::json!({ "target_name": t })))
            .collect()
    }

    /// Hands a front end's comm message (`comm_open`, `comm_msg`, `comm_close`) to the prelude
    /// and waits until it has been handled, at most [`CALLBACK_PATIENCE`]; what the prelude
    /// sends meanwhile, and later, is published as the message's reply. An unknown comm, a target the kernel does not have and a message
    /// the prelude refused are errors naming what was wrong; nothing is changed by them.
    pub fn handle(&self, request: &Message) -> Result<(), CommError> {
        let comm = match &request.content {
            Content::CommOpen(m) => {
                let target = m.target_name.clone().unwrap_or_default();
                if target != CONTROL_TARGET {
                    // The spec: a comm the kernel cannot open is closed at once.
                    self.inner.publisher.send(
                        Some(request),
                        Content::CommClose(CommMessage {
                            comm_id: m.comm_id.clone(),
                            target_name: None,
                            data: Value::Object(Map::new()),
                        }),
                    );
                    return Err(CommError::NoTarget(target));
                }
                Comm::Open {
                    comm_id: m.comm_id.clone(),
                    target_name: target,
                    data: m.data.clone(),
                    metadata: Value::Object(request.metadata.clone()),
                }
            }
            Content::CommMsg(m) => {
                self.known(&m.comm_id)?;
                Comm::Msg { comm_id: m.comm_id.clone(), data: m.data.clone() }
            }
            Content::CommClose(m) => {
                self.known(&m.comm_id)?;
                Comm::Close { comm_id: m.comm_id.clone(), data: m.data.clone() }
            }
            _ => return Ok(()),
        };
        if self.inner.connection.lock().unwrap().is_none() {
            if let Content::CommOpen(m) = &request.content {
                self.inner.publisher.send(
                    Some(request),
                    Content::CommClose(CommMessage {
                        comm_id: m.comm_id.clone(),
                        target_name: None,
                        data: Value::Object(Map::new()),
                    }),
                );
            }
            return Err(CommError::NotConnected);
        }
        match &comm {
            Comm::Open { comm_id, target_name, .. } => {
                self.inner.open.lock().unwrap().insert(comm_id.clone(), target_name.clone());
            }
            Comm::Close { comm_id, .. } => {
                self.inner.open.lock().unwrap().remove(comm_id);
            }
            Comm::Msg { .. } => {}
        }
        let seq = self.inner.next_event.fetch_add(1, Ordering::Relaxed);
        let (done, wait) = crossbeam_channel::bounded(1);
        self.inner.pending.lock().unwrap().insert(seq, (request.clone(), done));
        if !self.write(0, &ToPrelude::Event { seq, comm }) {
            self.inner.pending.lock().unwrap().remove(&seq);
            return Err(CommError::NotConnected);
        }
        match wait.recv_timeout(CALLBACK_PATIENCE) {
            Ok(None) => Ok(()),
            Ok(Some(why)) => Err(CommError::Refused(why)),
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => Err(CommError::StillRunning),
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => Err(CommError::Lost),
        }
    }

    fn known(&self, comm_id: &str) -> Result<(), CommError> {
        if self.inner.open.lock().unwrap().contains_key(comm_id) {
            Ok(())
        } else {
            Err(CommError::Unknown(comm_id.to_owned()))
        }
    }
}
