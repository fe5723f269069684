//! The main shell: requests are handled one at a time, each between `busy` and `idle`.
//!
//! They come from the shell socket's router ([`super::router`]), which also carries the
//! requests a subshell passes on ([`super::subshells`]); replies go back through it.

use super::interrupt::Interrupter;
use super::kernel_info::kernel_info;
use super::publisher::Publisher;
use super::router::ShellReplies;
use super::SessionSource;
use crate::execution::forward::{Forwarders, Published};
use crate::execution::report;
use crate::execution::session::Session;
use crate::history::History;
use crate::protocol::messages::*;
use crate::protocol::wire::Signer;
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use torchbook_contract::message::FromPrelude;

/// The evcxr session, which starts on its own thread so `kernel_info` is answered at once.
enum SessionSlot {
    Loading(crossbeam_channel::Receiver<anyhow::Result<Session>>),
    Ready(Box<Session>, Forwarders),
    Failed(String),
}

/// State of the shell thread.
pub struct Shell {
    queue: crossbeam_channel::Receiver<Message>,
    replies: ShellReplies,
    stdin: zmq::Socket,
    stdin_signer: RefCell<Signer>,
    publisher: Publisher,
    slot: SessionSlot,
    current_parent: Arc<Mutex<Option<Message>>>,
    interrupter: Arc<Interrupter>,
    history: History,
    execution_count: u64,
    /// The count, for the subshells.
    shared_count: Arc<AtomicU64>,
    kernel_dir: Arc<Mutex<Option<std::path::PathBuf>>>,
    variables: crate::execution::variables::VariableTable,
    /// How long starting took last time, for the note a cell shows while the session starts.
    expected_start: Option<Duration>,
    /// Whether a cell that waits for the session says so (not for a standby's adoption, a
    /// fraction of a second).
    starting_note: bool,
    /// Said on stderr in the first cell's output: the cgroup's memory limit is below what a
    /// kernel needs ([`crate::resources::too_small_notice`]).
    memory_notice: Option<String>,
    /// The comm link to the execution process's widgets, once the session is up.
    comms: Arc<OnceLock<super::comms::CommHub>>,
}

/// What a finished cell produced.
enum CellOutcome {
    Ok { data: BTreeMap<String, String>, payload: Vec<Value> },
    Error(ErrorInfo),
}

impl Shell {
    /// Creates the shell and starts loading the session in the background.
    pub fn new(
        queue: crossbeam_channel::Receiver<Message>,
        replies: ShellReplies,
        stdin: zmq::Socket,
        publisher: Publisher,
        source: SessionSource,
        interrupter: Arc<Interrupter>,
        shared: super::Shared,
    ) -> Shell {
        let (tx, rx) = crossbeam_channel::bounded(1);
        let mut expected_start = None;
        let mut adopting = false;
        match source {
            SessionSource::Start(options, after_start) => {
                expected_start = Session::last_start(&options.store);
                std::thread::Builder::new()
                    .name("session-start".into())
                    .spawn(move || {
                        let _ = tx.send(Session::start(&options));
                        after_start();
                        // The execution process was started from this thread and dies with it
                        // (PR_SET_PDEATHSIG follows the creating thread): it lives on.
                        loop {
                            std::thread::park();
                        }
                    })
                    .expect("spawning the session thread");
            }
            SessionSource::Ready(session) => {
                let _ = tx.send(Ok(*session));
            }
            SessionSource::Adopt(session, cell) => {
                adopting = true;
                std::thread::Builder::new()
                    .name("session-adopt".into())
                    .spawn(move || {
                        let mut session = *session;
                        let adopted = session.execute_unattended(&cell).map(|_| session).map_err(|e| {
                            anyhow::anyhow!(
                                "moving the execution process to the notebook's folder and environment: {e}"
                            )
                        });
                        let _ = tx.send(adopted);
                        // A restarted execution process would die with this thread: it lives on.
                        loop {
                            std::thread::park();
                        }
                    })
                    .expect("spawning the adoption thread");
            }
        }
        Shell {
            queue,
            stdin,
            stdin_signer: RefCell::new(replies.signer()),
            replies,
            publisher,
            slot: SessionSlot::Loading(rx),
            current_parent: Arc::new(Mutex::new(None)),
            interrupter,
            history: History::default(),
            execution_count: 0,
            shared_count: shared.execution_count,
            kernel_dir: shared.kernel_dir,
            variables: shared.variables,
            expected_start,
            starting_note: !adopting,
            memory_notice: {
                let notice = crate::resources::too_small_notice(&crate::resources::Resources::read());
                if let Some(text) = &notice {
                    eprintln!("{text}");
                }
                notice
            },
            comms: shared.comms,
        }
    }

    /// Serves requests until the process exits.
    pub fn run(mut self) -> ! {
        loop {
            let Ok(message) = self.queue.recv() else {
                eprintln!("torchbook: the shell router stopped");
                std::process::exit(1);
            };
            self.publisher.status(Some(&message), ExecutionState::Busy);
            let failed = self.handle(&message);
            if failed {
                // Before `idle`: a client that waits for it before sending its next cell (nbclient,
                // papermill) must never see that cell aborted.
                self.abort_queued();
            }
            self.publisher.status(Some(&message), ExecutionState::Idle);
        }
    }

    /// After a cell failed with `stop_on_error`, the execute requests already waiting are
    /// answered `aborted` without running, as ipykernel's `_abort_queues` does: the front end
    /// sent them expecting the failed cell to succeed. Other requests are served as usual.
    fn abort_queued(&mut self) {
        let mut aborted = 0;
        while let Ok(message) = self.queue.try_recv() {
            self.publisher.status(Some(&message), ExecutionState::Busy);
            if let Content::ExecuteRequest(request) = &message.content {
                aborted += 1;
                if !request.silent && request.store_history {
                    self.execution_count += 1;
                    self.shared_count.store(self.execution_count, Ordering::Relaxed);
                }
                let reply = ExecuteReply {
                    status: ReplyStatus::Aborted,
                    execution_count: self.execution_count,
                    payload: None,
                    user_expressions: None,
                    error: None,
                };
                self.reply(&message, Content::ExecuteReply(reply));
            } else {
                self.handle(&message);
            }
            self.publisher.status(Some(&message), ExecutionState::Idle);
        }
        if aborted > 0 {
            eprintln!("torchbook: {aborted} queued cell(s) aborted after an error");
        }
    }

    fn reply(&self, parent: &Message, content: Content) {
        self.replies.reply(parent, content);
    }

    /// Handles one request; true when it was a cell that failed with `stop_on_error`.
    fn handle(&mut self, message: &Message) -> bool {
        static TRACE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        if *TRACE.get_or_init(|| std::env::var_os("TORCHBOOK_TRACE_SHELL").is_some()) {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
            eprintln!("torchbook: {} at {:.3}", message.content.msg_type(), now.as_secs_f64());
        }
        match &message.content {
            Content::KernelInfoRequest(_) => {
                self.reply(message, Content::KernelInfoReply(Box::new(kernel_info())))
            }
            Content::ExecuteRequest(request) => {
                let status = self.execute(message, request);
                return status == ReplyStatus::Error && request.stop_on_error;
            }
            Content::IsCompleteRequest(request) => self
                .reply(message, Content::IsCompleteReply(super::subshells::is_complete_reply(&request.code))),
            Content::CompleteRequest(request) => {
                let reply = self.complete(request);
                self.reply(message, Content::CompleteReply(reply));
            }
            Content::InspectRequest(request) => {
                let reply = self.inspect(request);
                self.reply(message, Content::InspectReply(reply));
            }
            Content::HistoryRequest(request) => {
                let history = self.history.reply(request);
                self.reply(message, Content::HistoryReply(HistoryReply { status: ReplyStatus::Ok, history }));
            }
            Content::CommInfoRequest(request) => {
                let comms = match self.comms.get() {
                    Some(hub) => hub.comm_info(request.target_name.as_deref()),
                    None => Map::new(),
                };
                self.reply(message, Content::CommInfoReply(CommInfoReply { status: ReplyStatus::Ok, comms }))
            }
            Content::CommOpen(_) | Content::CommMsg(_) | Content::CommClose(_) => self.comm(message),
            Content::ShutdownRequest(request) => {
                super::control::shutdown(
                    &self.publisher,
                    &self.interrupter,
                    &self.kernel_dir,
                    message,
                    request.restart,
                    |content| self.reply(message, content),
                );
            }
            other => eprintln!("torchbook: ignored {} on shell", other.msg_type()),
        }
        false
    }

    /// A front end's comm message, handed to the widgets in the execution process. Before the
    /// session is up no widget exists: a `comm_open` is closed at once (the front end then
    /// asks `comm_info`, and finds none), anything else names the comm it did not find.
    fn comm(&mut self, message: &Message) {
        if matches!(self.slot, SessionSlot::Loading(ref rx) if !rx.is_empty()) {
            self.ensure_session();
        }
        let outcome = match self.comms.get() {
            Some(hub) => hub.handle(message),
            None => {
                let (Content::CommOpen(comm) | Content::CommMsg(comm) | Content::CommClose(comm)) =
                    &message.content
                else {
                    return;
                };
                if matches!(message.content, Content::CommOpen(_)) {
                    self.publisher.send(
                        Some(message),
                        Content::CommClose(CommMessage {
                            comm_id: comm.comm_id.clone(),
                            target_name: None,
                            data: Value::Object(Map::new()),
                        }),
                    );
                }
                Err(super::comms::CommError::NotConnected)
            }
        };
        if let Err(e) = outcome {
            eprintln!("torchbook: {} refused: {e}", message.content.msg_type());
        }
    }

    /// Waits for the session if it is still starting.
    fn ensure_session(&mut self) {
        let SessionSlot::Loading(rx) = &self.slot else {
            return;
        };
        self.slot = match rx.recv() {
            Ok(Ok(session)) => {
                let t = &session.timings;
                eprintln!(
                    "torchbook: session ready in {} (clone {:.2}s, evcxr {:.2}s, prelude {:.2}s)",
                    session.dir().display(),
                    t.clone.as_secs_f64(),
                    t.evcxr.as_secs_f64(),
                    t.prelude.as_secs_f64()
                );
                if let Ok(mut dir) = self.kernel_dir.lock() {
                    *dir = Some(session.dir().to_path_buf());
                }
                self.interrupter.set_process(session.process_handle());
                let publisher = self.publisher.clone();
                let parent = self.current_parent.clone();
                let forwarders =
                    Forwarders::start(session.stdout.clone(), session.stderr.clone(), move |p| {
                        let parent = parent.lock().ok().and_then(|p| p.clone());
                        publish_output(&publisher, parent.as_ref(), p);
                    });
                let _ = self.comms.set(super::comms::CommHub::start(
                    session.comm_listener(),
                    self.publisher.clone(),
                    self.current_parent.clone(),
                ));
                SessionSlot::Ready(Box::new(session), forwarders)
            }
            Ok(Err(e)) => SessionSlot::Failed(format!("{e:#}")),
            Err(_) => SessionSlot::Failed("the session thread ended without a result".to_owned()),
        };
    }

    /// A cell sent while the session still starts (no standby was ready) would wait seconds
    /// with no word: it shows what is being prepared and for about how long, and the note
    /// is cleared once the session is up.
    fn say_while_starting(&mut self, message: &Message) {
        let SessionSlot::Loading(rx) = &self.slot else { return };
        if !rx.is_empty() || !self.starting_note {
            return;
        }
        let expected = match &self.expected_start {
            Some(d) => format!("the last start on this machine took {:.0} s", d.as_secs_f64()),
            None => "usually 5-15 s".to_owned(),
        };
        let text = format!(
            "Starting the Rust session (evcxr, the Torchbook prelude, libtorch): {expected}. \
             Later cells and kernels started while a standby is ready do not wait."
        );
        let data = BTreeMap::from([("text/plain".to_owned(), text)]);
        self.publisher
            .send(Some(message), Content::DisplayData(display_data(data, "torchbook-starting".to_owned())));
        self.ensure_session();
        self.publisher.send(Some(message), Content::ClearOutput(ClearOutput { wait: false }));
    }

    /// The session, once started; `None` if it failed to start.
    fn ready_session(&mut self) -> Option<&mut Session> {
        self.ensure_session();
        match &mut self.slot {
            SessionSlot::Ready(session, _) => Some(session.as_mut()),
            _ => None,
        }
    }

    fn execute(&mut self, message: &Message, request: &ExecuteRequest) -> ReplyStatus {
        if !request.silent && request.store_history {
            self.execution_count += 1;
            self.shared_count.store(self.execution_count, Ordering::Relaxed);
            self.history.push(&request.code);
        }
        let count = self.execution_count;
        if !request.silent {
            self.publisher.send(
                Some(message),
                Content::ExecuteInput(ExecuteInput { code: request.code.clone(), execution_count: count }),
            );
        }
        let outcome = match pager_query(&request.code) {
            Some(name) => self.page(&name),
            None => self.run_cell(message, request),
        };
        let reply = match outcome {
            CellOutcome::Ok { data, payload } => {
                if !request.silent && request.store_history {
                    self.history.set_last_output(data.get("text/plain").cloned());
                }
                if !data.is_empty() && !request.silent {
                    self.publisher.send(
                        Some(message),
                        Content::ExecuteResult(ExecuteResult {
                            execution_count: count,
                            data: mime_values(data),
                            metadata: Map::new(),
                        }),
                    );
                }
                ExecuteReply {
                    status: ReplyStatus::Ok,
                    execution_count: count,
                    payload: Some(payload),
                    user_expressions: Some(Map::new()),
                    error: None,
                }
            }
            CellOutcome::Error(error) => {
                self.publisher.send(Some(message), Content::Error(error.clone()));
                ExecuteReply {
                    status: ReplyStatus::Error,
                    execution_count: count,
                    payload: None,
                    user_expressions: None,
                    error: Some(error),
                }
            }
        };
        let status = reply.status;
        self.reply(message, Content::ExecuteReply(reply));
        status
    }

    fn run_cell(&mut self, message: &Message, request: &ExecuteRequest) -> CellOutcome {
        if let Ok(mut parent) = self.current_parent.lock() {
            *parent = Some(message.clone());
        }
        if let Some(notice) = self.memory_notice.take() {
            let text = format!("{notice}\n");
            self.publisher.send(Some(message), Content::Stream(Stream { name: StreamName::Stderr, text }));
        }
        self.say_while_starting(message);
        self.ensure_session();
        let allow_stdin = request.allow_stdin;
        let stdin = &self.stdin;
        let stdin_signer = &self.stdin_signer;
        let interrupter = self.interrupter.clone();
        let session_id = self.publisher.session().to_owned();
        let input = move |prompt: &str, password: bool| -> String {
            if !allow_stdin {
                return String::new();
            }
            ask_for_input(stdin, stdin_signer, &session_id, message, prompt, password, &interrupter)
        };
        let interrupter = self.interrupter.clone();
        let (session, forwarders) = match &mut self.slot {
            SessionSlot::Ready(session, forwarders) => (session.as_mut(), &*forwarders),
            SessionSlot::Failed(why) => {
                return CellOutcome::Error(ErrorInfo {
                    ename: "KernelStartError".to_owned(),
                    evalue: "the Rust session could not start".to_owned(),
                    traceback: why.lines().map(str::to_owned).collect(),
                })
            }
            SessionSlot::Loading(_) => unreachable!("ensure_session resolved it"),
        };
        forwarders.reset();
        // Counted among the running cells while the cell builds and runs (prelude/src/threads.rs).
        let busy = crate::busy::hold();
        let variables_before = session.variable_names();
        interrupter.begin();
        let started = Instant::now();
        let oom_kills_before = crate::resources::oom_kills();
        let result = session.execute(&request.code, &input);
        forwarders.flush(session.execution_pid());
        drop(busy);
        let killed = interrupter.end();
        log_cell_time(started.elapsed(), &result);
        let panic = forwarders.take_panic();
        let shown = forwarders.take_result();
        let restarted = session.take_restart();
        if restarted {
            if let Err(e) = session.reinit() {
                eprintln!("torchbook: {e:#}");
            }
        }
        self.variables.update(forwarders.take_variables(), &session.variables_and_types());
        match result {
            Ok(outputs) => match panic {
                Some(report) => {
                    let source = session.last_source();
                    CellOutcome::Error(report::panic(&report, source.as_deref(), &request.code))
                }
                None => CellOutcome::Ok { data: with_timing(outputs, shown), payload: vec![] },
            },
            Err(evcxr::Error::CompilationErrors(errors)) => {
                CellOutcome::Error(report::compilation_errors(&errors, &request.code))
            }
            Err(evcxr::Error::SubprocessTerminated(detail)) => {
                let (reason, detail) = if killed {
                    (
                        "Interrupted",
                        format!(
                            "the cell did not stop within {} s of the interrupt, so its process was restarted",
                            super::interrupt::GRACE.as_secs()
                        ),
                    )
                } else if crate::resources::oom_kills() > oom_kills_before {
                    let resources = crate::resources::Resources::read();
                    let limit = match resources.memory_limit {
                        Some(l) => format!("this kernel's memory limit is {} MiB (its cgroup)", l >> 20),
                        None => "the machine ran out of memory".to_owned(),
                    };
                    (
                        "OutOfMemory",
                        format!(
                            "the execution process was killed by the out-of-memory killer: {limit}, and a \
                             kernel needs about {} MiB; use smaller tensors or batches, or ask the hub's \
                             administrator for more memory",
                            crate::resources::KERNEL_NEEDS_BYTES >> 20
                        ),
                    )
                } else {
                    ("Crashed", format!("the execution process died ({})", detail.trim()))
                };
                let lost = variables_before;
                CellOutcome::Error(report::process_lost(reason, &detail, &lost, &forwarders.stderr_tail()))
            }
            Err(other) => CellOutcome::Error(report::message(&other.to_string())),
        }
    }

    /// `?name`: documentation through the pager payload, as IPython does.
    fn page(&mut self, name: &str) -> CellOutcome {
        let docs = self.ready_session().and_then(|s| s.hover(name, name.len()).ok());
        match docs {
            Some((plain, html)) if !plain.trim().is_empty() => {
                let page = serde_json::json!({
                    "source": "page",
                    "data": { "text/plain": plain, "text/html": html },
                    "start": 0,
                });
                CellOutcome::Ok { data: BTreeMap::new(), payload: vec![page] }
            }
            _ => CellOutcome::Error(ErrorInfo {
                ename: "NotFound".to_owned(),
                evalue: format!("no documentation found for `{name}`"),
                traceback: vec![format!("no documentation found for `{name}`")],
            }),
        }
    }

    fn complete(&mut self, request: &CompleteRequest) -> CompleteReply {
        let byte_pos = char_to_byte(&request.code, request.cursor_pos);
        let empty = CompleteReply {
            status: ReplyStatus::Ok,
            matches: vec![],
            cursor_start: request.cursor_pos,
            cursor_end: request.cursor_pos,
            metadata: Map::new(),
        };
        let Some(session) = self.ready_session() else {
            return empty;
        };
        let started = Instant::now();
        let found = session.completions(&request.code, byte_pos);
        eprintln!("torchbook: completion in {:.3}s", started.elapsed().as_secs_f64());
        match found {
            Ok(c) => {
                let mut matches: Vec<String> = Vec::new();
                let mut seen = std::collections::HashSet::new();
                for completion in c.completions {
                    // rust-analyzer offers calls as snippets (`display(value)`); the front end
                    // inserts the name and the user types the arguments.
                    let text = match completion.code.find('(') {
                        Some(at) if at > 0 => completion.code[..at].to_owned(),
                        _ => completion.code,
                    };
                    if seen.insert(text.clone()) {
                        matches.push(text);
                    }
                }
                CompleteReply {
                    status: ReplyStatus::Ok,
                    matches,
                    cursor_start: byte_to_char(&request.code, c.start_offset),
                    cursor_end: byte_to_char(&request.code, c.end_offset),
                    metadata: Map::new(),
                }
            }
            Err(e) => {
                eprintln!("torchbook: completion failed: {e}");
                empty
            }
        }
    }

    fn inspect(&mut self, request: &InspectRequest) -> InspectReply {
        let mut end = char_to_byte(&request.code, request.cursor_pos);
        // Inspect the whole name under the cursor, not just its part before it.
        while let Some(c) = request.code[end..].chars().next() {
            if c.is_alphanumeric() || c == '_' {
                end += c.len_utf8();
            } else {
                break;
            }
        }
        let mut data = MimeBundle::new();
        if let Some(session) = self.ready_session() {
            if let Ok((plain, html)) = session.hover(&request.code, end) {
                if !plain.trim().is_empty() {
                    data.insert("text/plain".to_owned(), Value::String(plain));
                    data.insert("text/html".to_owned(), Value::String(html));
                }
            }
        }
        InspectReply { status: ReplyStatus::Ok, found: !data.is_empty(), data, metadata: Map::new() }
    }
}

/// Publishes what the forwarders read, as caused by the running cell.
fn publish_output(publisher: &Publisher, parent: Option<&Message>, piece: Published) {
    let content = match piece {
        Published::Stdout(text) => Content::Stream(Stream { name: StreamName::Stdout, text }),
        Published::Stderr(text) => Content::Stream(Stream { name: StreamName::Stderr, text }),
        Published::Display(FromPrelude::Display { data, display_id }) => {
            Content::DisplayData(display_data(data, display_id))
        }
        Published::Display(FromPrelude::Update { data, display_id }) => {
            Content::UpdateDisplayData(display_data(data, display_id))
        }
        Published::Display(FromPrelude::Clear { wait }) => Content::ClearOutput(ClearOutput { wait }),
        // Results and panics are kept by the forwarder for the cell's reply.
        Published::Display(
            FromPrelude::Result { .. } | FromPrelude::Panic(_) | FromPrelude::Variables { .. },
        ) => return,
    };
    publisher.send(parent, content);
}

fn display_data(data: torchbook_contract::message::MimeBundle, display_id: String) -> DisplayData {
    let mut transient = Map::new();
    transient.insert("display_id".to_owned(), Value::String(display_id));
    DisplayData { data: mime_values(data), metadata: Map::new(), transient }
}

/// A MIME bundle's values as Jupyter writes them: JSON for JSON types (a widget's view,
/// `application/json`), text for the rest. A JSON type whose text does not parse stays text.
fn mime_values(data: torchbook_contract::message::MimeBundle) -> BTreeMap<String, Value> {
    data.into_iter()
        .map(|(mime, text)| {
            let json = mime == "application/json" || mime.ends_with("+json");
            let value = json.then(|| serde_json::from_str(&text).ok()).flatten();
            (mime, value.unwrap_or(Value::String(text)))
        })
        .collect()
}

/// Sends `input_request` on stdin and waits for the matching `input_reply`.
fn ask_for_input(
    stdin: &zmq::Socket,
    signer: &RefCell<Signer>,
    session: &str,
    parent: &Message,
    prompt: &str,
    password: bool,
    interrupter: &Interrupter,
) -> String {
    let ask = Message::reply_to(
        Some(parent),
        session,
        Content::InputRequest(InputRequest { prompt: prompt.to_owned(), password }),
    );
    // Whatever waits on stdin before this request was asked answers an earlier one (typed
    // after an interrupt ended it): it is not this answer. Clients that name no parent
    // (jupyter_client's `input`) can be told apart no other way.
    while matches!(stdin.poll(zmq::POLLIN, 0), Ok(n) if n > 0) {
        if stdin.recv_multipart(0).is_ok() {
            eprintln!("torchbook: discarded an input_reply that came after its request ended");
        }
    }
    let asked = ask.header.msg_id.clone();
    let frames = signer.borrow().encode(&ask.into_raw());
    if stdin.send_multipart(frames, 0).is_err() {
        return String::new();
    }
    loop {
        if interrupter.requested() {
            return String::new();
        }
        match stdin.poll(zmq::POLLIN, 200) {
            Ok(n) if n > 0 => {}
            _ => continue,
        }
        let Ok(frames) = stdin.recv_multipart(0) else {
            continue;
        };
        let decoded = signer.borrow_mut().decode(frames);
        match decoded
            .map_err(|e| e.to_string())
            .and_then(|raw| Message::from_raw(raw).map_err(|e| e.to_string()))
        {
            // An answer to an earlier request (typed after an interrupt ended it) is not
            // this one's.
            Ok(Message { content: Content::InputReply(reply), parent_header, .. })
                if parent_header.as_ref().is_none_or(|p| p.msg_id == asked) =>
            {
                return reply.value
            }
            Ok(Message { content: Content::InputReply(_), .. }) => {
                eprintln!("torchbook: ignored an input_reply to an earlier input_request")
            }
            Ok(other) => eprintln!("torchbook: ignored {} on stdin", other.content.msg_type()),
            Err(e) => eprintln!("torchbook: dropped a stdin message: {e}"),
        }
    }
}

/// `?name` or `name?` alone in a cell asks for documentation.
fn pager_query(code: &str) -> Option<String> {
    let code = code.trim();
    let name = code.strip_prefix('?').or_else(|| code.strip_suffix('?'))?.trim();
    let is_path =
        !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == ':' || c == '.');
    is_path.then(|| name.to_owned())
}

fn char_to_byte(text: &str, chars: usize) -> usize {
    text.char_indices().nth(chars).map(|(b, _)| b).unwrap_or(text.len())
}

fn byte_to_char(text: &str, byte: usize) -> usize {
    text[..byte.min(text.len())].chars().count()
}

/// Logs how long a cell took, with evcxr's phases when it reports them.
fn log_cell_time(elapsed: Duration, result: &Result<evcxr::EvalOutputs, evcxr::Error>) {
    let phases = match result {
        Ok(outputs) => phase_list(outputs),
        Err(_) => String::new(),
    };
    eprintln!("torchbook: cell ran in {:.3}s{phases}", elapsed.as_secs_f64());
}

fn phase_list(outputs: &evcxr::EvalOutputs) -> String {
    outputs.phases.iter().map(|p| format!(" | {} {:.3}s", p.name, p.duration.as_secs_f64())).collect()
}

/// The cell's results (the prelude's, else evcxr's), with evcxr's phase timings appended when
/// `:timing` is on.
fn with_timing(
    outputs: evcxr::EvalOutputs,
    shown: Option<BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let phases = phase_list(&outputs);
    let mut data: BTreeMap<String, String> = outputs.content_by_mime_type.into_iter().collect();
    if let Some(shown) = shown {
        data.extend(shown);
    }
    if let Some(total) = outputs.timing {
        let text = data.entry("text/plain".to_owned()).or_default();
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!("Took {} ms{}", total.as_millis(), phases));
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pager_queries() {
        assert_eq!(pager_query("?Tensor"), Some("Tensor".into()));
        assert_eq!(pager_query("  tch::Tensor::randn? "), Some("tch::Tensor::randn".into()));
        assert_eq!(pager_query("let x = a?;"), None);
        assert_eq!(pager_query("?"), None);
    }

    #[test]
    fn offsets_convert_between_chars_and_bytes() {
        let s = "é1x";
        assert_eq!(char_to_byte(s, 1), 2);
        assert_eq!(byte_to_char(s, 3), 2);
        assert_eq!(char_to_byte(s, 10), s.len());
    }
}
