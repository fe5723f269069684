//! Kernel subshells (JEP 91): shells of their own, so a front end's widget messages are
//! answered while the main shell runs a cell.
//!
//! A front end makes one with `create_subshell_request` on control and names it in the
//! `subshell_id` of a shell request's header ([`super::router`] routes by it). Each subshell is
//! a thread serving its requests in order, each between `busy` and `idle`:
//!
//! - comm messages go to the widgets in the execution process ([`super::comms::CommHub`]),
//!   whose handler thread applies them beside the running cell: a slider moved during a
//!   training loop changes the value the loop reads at its next step;
//! - `kernel_info`, `comm_info` and `is_complete` are answered at once;
//! - `complete`, `inspect`, `history` and `shutdown` need the evcxr session, which the main
//!   shell owns: they join the main shell's queue and are answered when it is free;
//! - an `execute_request` is refused with a `SubshellError`: one evcxr session runs one cell at
//!   a time, and code run beside a cell could change the variables it is using.

use super::comms::CommHub;
use super::publisher::Publisher;
use super::router::ShellReplies;
use crate::is_complete::{is_complete, Completeness};
use crate::protocol::messages::*;
use crate::protocol::wire::Signer;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// Why a subshell request failed.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SubshellError {
    /// No subshell has this id.
    #[error(
        "no subshell has the id {0:?} (it was deleted, or never created; list_subshell_request lists them)"
    )]
    Unknown(String),
}

/// What every subshell thread needs.
#[derive(Clone)]
struct Context {
    ctx: zmq::Context,
    signer: Signer,
    publisher: Publisher,
    main: crossbeam_channel::Sender<Message>,
    comms: Arc<OnceLock<CommHub>>,
    execution_count: Arc<AtomicU64>,
}

/// A subshell's id and inbox.
type Inbox = (String, crossbeam_channel::Sender<Message>);

/// The kernel's subshells: created, listed and deleted from control, fed by the router.
#[derive(Clone)]
pub struct Subshells {
    context: Context,
    /// Id and inbox of each, in the order they were created.
    open: Arc<Mutex<Vec<Inbox>>>,
}

impl Subshells {
    /// No subshells yet; `main` is the main shell's queue, where requests a subshell cannot
    /// serve go.
    pub fn new(
        ctx: zmq::Context,
        signer: Signer,
        publisher: Publisher,
        main: crossbeam_channel::Sender<Message>,
        shared: &super::Shared,
    ) -> Subshells {
        Subshells {
            context: Context {
                ctx,
                signer,
                publisher,
                main,
                comms: shared.comms.clone(),
                execution_count: shared.execution_count.clone(),
            },
            open: Arc::default(),
        }
    }

    /// Starts a subshell and returns its id.
    pub fn create(&self) -> std::io::Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let (inbox, queue) = crossbeam_channel::unbounded();
        let context = self.context.clone();
        let name = id.clone();
        std::thread::Builder::new().name("subshell".into()).spawn(move || serve(&name, &queue, &context))?;
        self.open.lock().unwrap().push((id.clone(), inbox));
        Ok(id)
    }

    /// Deletes a subshell: it finishes the request it is handling and those already queued,
    /// then its thread ends.
    pub fn delete(&self, id: &str) -> Result<(), SubshellError> {
        let mut open = self.open.lock().unwrap();
        let at =
            open.iter().position(|(i, _)| i == id).ok_or_else(|| SubshellError::Unknown(id.to_owned()))?;
        open.remove(at);
        Ok(())
    }

    /// The subshells' ids, oldest first.
    pub fn list(&self) -> Vec<String> {
        self.open.lock().unwrap().iter().map(|(id, _)| id.clone()).collect()
    }

    /// Queues a request for the subshell `id`.
    pub fn dispatch(&self, id: &str, message: Message) -> Result<(), SubshellError> {
        let open = self.open.lock().unwrap();
        let (_, inbox) =
            open.iter().find(|(i, _)| i == id).ok_or_else(|| SubshellError::Unknown(id.to_owned()))?;
        let _ = inbox.send(message);
        Ok(())
    }
}

/// `is_complete_reply` for `code` (the main shell answers it the same way).
pub fn is_complete_reply(code: &str) -> IsCompleteReply {
    let (status, indent) = match is_complete(code) {
        Completeness::Complete => ("complete", None),
        Completeness::Incomplete(indent) => ("incomplete", Some(indent)),
        Completeness::Invalid => ("invalid", None),
    };
    IsCompleteReply { status: status.to_owned(), indent }
}

/// A subshell's thread: its requests in order, until it is deleted.
fn serve(id: &str, queue: &crossbeam_channel::Receiver<Message>, context: &Context) {
    let replies =
        match ShellReplies::connect(&context.ctx, context.signer.clone(), context.publisher.session()) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("torchbook: subshell {id} could not reply, so it stops: {e:#}");
                return;
            }
        };
    for message in queue {
        let hub = context.comms.get();
        let needs_main = match &message.content {
            Content::CompleteRequest(_)
            | Content::InspectRequest(_)
            | Content::HistoryRequest(_)
            | Content::ShutdownRequest(_) => true,
            // Before the session is up, the main shell waits for it and answers.
            Content::CommOpen(_) | Content::CommMsg(_) | Content::CommClose(_) => hub.is_none(),
            _ => false,
        };
        if needs_main {
            let _ = context.main.send(message);
            continue;
        }
        context.publisher.status(Some(&message), ExecutionState::Busy);
        match &message.content {
            Content::CommOpen(_) | Content::CommMsg(_) | Content::CommClose(_) => {
                if let Some(Err(e)) = hub.map(|hub| hub.handle(&message)) {
                    eprintln!("torchbook: {} on subshell {id} refused: {e}", message.content.msg_type());
                }
            }
            Content::KernelInfoRequest(_) => {
                replies.reply(&message, Content::KernelInfoReply(Box::new(super::kernel_info::kernel_info())))
            }
            Content::CommInfoRequest(request) => {
                let comms = hub.map(|hub| hub.comm_info(request.target_name.as_deref())).unwrap_or_default();
                replies
                    .reply(&message, Content::CommInfoReply(CommInfoReply { status: ReplyStatus::Ok, comms }))
            }
            Content::IsCompleteRequest(request) => {
                replies.reply(&message, Content::IsCompleteReply(is_complete_reply(&request.code)))
            }
            Content::ExecuteRequest(request) => {
                let error = ErrorInfo {
                    ename: "SubshellError".to_owned(),
                    evalue: "cells run on the main shell only: a subshell of this kernel carries widget \
                             messages, kernel_info, comm_info and is_complete while a cell runs, and one \
                             evcxr session runs one cell at a time"
                        .to_owned(),
                    traceback: Vec::new(),
                };
                let error =
                    ErrorInfo { traceback: vec![format!("{}: {}", error.ename, error.evalue)], ..error };
                if !request.silent {
                    context.publisher.send(Some(&message), Content::Error(error.clone()));
                }
                let reply = ExecuteReply {
                    status: ReplyStatus::Error,
                    execution_count: context.execution_count.load(Ordering::Relaxed),
                    payload: None,
                    user_expressions: None,
                    error: Some(error),
                };
                replies.reply(&message, Content::ExecuteReply(reply));
            }
            other => eprintln!("torchbook: ignored {} on subshell {id}", other.msg_type()),
        }
        context.publisher.status(Some(&message), ExecutionState::Idle);
    }
}
