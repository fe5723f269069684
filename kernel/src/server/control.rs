//! The control channel: shutdown, interrupt, the debugger's messages and the subshells'
//! (JEP 91), answered even while a cell runs.

use super::interrupt::Interrupter;
use super::kernel_info::kernel_info;
use super::publisher::Publisher;
use crate::protocol::messages::*;
use crate::protocol::wire::Signer;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Serves the control socket on its own thread.
pub fn start(
    socket: zmq::Socket,
    mut signer: Signer,
    publisher: Publisher,
    interrupter: Arc<Interrupter>,
    shared: super::Shared,
    subshells: super::subshells::Subshells,
) {
    let kernel_dir = shared.kernel_dir;
    let mut debugger = super::debugger::Debugger::new(shared.variables);
    std::thread::Builder::new()
        .name("control".into())
        .spawn(move || loop {
            let frames = match socket.recv_multipart(0) {
                Ok(f) => f,
                Err(zmq::Error::ETERM) => return,
                Err(_) => continue,
            };
            let message = match signer
                .decode(frames)
                .map_err(|e| e.to_string())
                .and_then(|raw| Message::from_raw(raw).map_err(|e| e.to_string()))
            {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("torchbook: dropped a control message: {e}");
                    continue;
                }
            };
            let reply = |content: Content| {
                let reply = Message::reply_to(Some(&message), publisher.session(), content);
                if let Err(e) = socket.send_multipart(signer.encode(&reply.into_raw()), 0) {
                    eprintln!("torchbook: control send failed: {e}");
                }
            };
            publisher.status(Some(&message), ExecutionState::Busy);
            match &message.content {
                Content::InterruptRequest(_) => {
                    interrupter.interrupt();
                    reply(Content::InterruptReply(InterruptReply { status: ReplyStatus::Ok }));
                }
                Content::ShutdownRequest(request) => {
                    shutdown(&publisher, &interrupter, &kernel_dir, &message, request.restart, reply)
                }
                Content::KernelInfoRequest(_) => reply(Content::KernelInfoReply(Box::new(kernel_info()))),
                Content::DebugRequest(request) => {
                    let (response, events) = debugger.handle(request);
                    reply(Content::DebugReply(response));
                    for event in events {
                        publisher.send(Some(&message), Content::DebugEvent(event));
                    }
                }
                Content::CreateSubshellRequest(_) => match subshells.create() {
                    Ok(subshell_id) => reply(Content::CreateSubshellReply(CreateSubshellReply {
                        status: ReplyStatus::Ok,
                        subshell_id,
                    })),
                    Err(e) => {
                        // The spec's reply has no error fields for this; the log says why.
                        eprintln!("torchbook: could not start a subshell: {e}");
                        reply(Content::CreateSubshellReply(CreateSubshellReply {
                            status: ReplyStatus::Error,
                            subshell_id: String::new(),
                        }))
                    }
                },
                Content::DeleteSubshellRequest(request) => {
                    let error = subshells.delete(&request.subshell_id).err().map(|e| ErrorInfo {
                        ename: "SubshellError".to_owned(),
                        evalue: e.to_string(),
                        traceback: vec![format!("SubshellError: {e}")],
                    });
                    let status = if error.is_some() { ReplyStatus::Error } else { ReplyStatus::Ok };
                    reply(Content::DeleteSubshellReply(DeleteSubshellReply { status, error }))
                }
                Content::ListSubshellRequest(_) => reply(Content::ListSubshellReply(ListSubshellReply {
                    status: ReplyStatus::Ok,
                    subshell_id: subshells.list(),
                })),
                other => eprintln!("torchbook: ignored {} on control", other.msg_type()),
            }
            publisher.status(Some(&message), ExecutionState::Idle);
        })
        .expect("spawning the control thread");
}

/// Replies, stops the execution process, removes the kernel's build directory and exits.
///
/// A restart is the front end's job (it starts a new kernel process); the reply says whether
/// one was asked for.
pub fn shutdown(
    publisher: &Publisher,
    interrupter: &Interrupter,
    kernel_dir: &Mutex<Option<PathBuf>>,
    message: &Message,
    restart: bool,
    reply: impl FnOnce(Content),
) -> ! {
    let content = Shutdown { restart, status: Some(ReplyStatus::Ok) };
    reply(Content::ShutdownReply(content.clone()));
    publisher.send(Some(message), Content::ShutdownReply(content));
    publisher.status(Some(message), ExecutionState::Idle);
    publisher.flush();
    interrupter.kill_process();
    if let Some(dir) = kernel_dir.lock().ok().and_then(|d| d.clone()) {
        let _ = std::fs::remove_dir_all(dir);
    }
    // zmq sends from its own I/O thread; give it a moment to put the replies on the wire.
    std::thread::sleep(std::time::Duration::from_millis(100));
    std::process::exit(0)
}
