//! Typed Jupyter messages (messaging protocol 5.3).
//!
//! Every content the kernel reads or writes is a serde struct, and [`Content`] is the one enum
//! of them, tagged by the header's `msg_type`: decoding a request is one `serde` call and
//! handling it is one `match`. Field names and defaults follow
//! <https://jupyter-client.readthedocs.io/en/latest/messaging.html>.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The protocol version this kernel implements.
pub const PROTOCOL_VERSION: &str = "5.3";

/// A MIME bundle: MIME type to content (a string, or JSON for `application/json`).
pub type MimeBundle = BTreeMap<String, Value>;

/// A message header.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Header {
    /// Unique id of this message.
    pub msg_id: String,
    /// Id of the client or kernel session.
    pub session: String,
    /// User name of the sender.
    #[serde(default)]
    pub username: String,
    /// ISO 8601 timestamp.
    #[serde(default)]
    pub date: String,
    /// The message type, which selects the [`Content`] variant.
    pub msg_type: String,
    /// Protocol version.
    #[serde(default = "default_version")]
    pub version: String,
    /// The subshell a shell request is for (JEP 91); none, or null, for the main shell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subshell_id: Option<String>,
}

fn default_version() -> String {
    PROTOCOL_VERSION.to_owned()
}

fn default_true() -> bool {
    true
}

/// `execute_request`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExecuteRequest {
    /// Source of the cell.
    pub code: String,
    /// Run without broadcasting or counting.
    #[serde(default)]
    pub silent: bool,
    /// Add the cell to history.
    #[serde(default = "default_true")]
    pub store_history: bool,
    /// Expressions to evaluate after the cell (answered empty: Rust has no eval of strings).
    #[serde(default)]
    pub user_expressions: Map<String, Value>,
    /// Whether `input_request` may be sent on stdin.
    #[serde(default = "default_true")]
    pub allow_stdin: bool,
    /// Abort queued cells if this one fails.
    #[serde(default = "default_true")]
    pub stop_on_error: bool,
}

/// `status` of a reply.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ReplyStatus {
    /// Success.
    Ok,
    /// Failure, with ename/evalue/traceback.
    Error,
    /// Not run because an earlier cell failed.
    Aborted,
}

/// The error fields shared by `error` and error replies.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ErrorInfo {
    /// Error kind, e.g. `CompilationError`, `Panic`.
    pub ename: String,
    /// One-line description.
    pub evalue: String,
    /// Lines shown to the user, pointing at the cell's own lines.
    pub traceback: Vec<String>,
}

/// `execute_reply`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExecuteReply {
    /// ok, error or aborted.
    pub status: ReplyStatus,
    /// The cell's execution count.
    pub execution_count: u64,
    /// Pager and other payloads (ok only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payload: Option<Vec<Value>>,
    /// Results of `user_expressions` (ok only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_expressions: Option<Map<String, Value>>,
    /// Error details (error only).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

/// `inspect_request`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InspectRequest {
    /// The cell's code.
    pub code: String,
    /// Cursor offset in unicode code points.
    pub cursor_pos: usize,
    /// 0 or 1.
    #[serde(default)]
    pub detail_level: u8,
}

/// `inspect_reply`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InspectReply {
    /// ok or error.
    pub status: ReplyStatus,
    /// Whether something was found.
    pub found: bool,
    /// Documentation as a MIME bundle.
    pub data: MimeBundle,
    /// Metadata.
    pub metadata: Map<String, Value>,
}

/// `complete_request`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CompleteRequest {
    /// The cell's code.
    pub code: String,
    /// Cursor offset in unicode code points.
    pub cursor_pos: usize,
}

/// `complete_reply`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CompleteReply {
    /// ok or error.
    pub status: ReplyStatus,
    /// Candidate texts.
    pub matches: Vec<String>,
    /// Start of the replaced range, in code points.
    pub cursor_start: usize,
    /// End of the replaced range, in code points.
    pub cursor_end: usize,
    /// Extra information.
    pub metadata: Map<String, Value>,
}

/// `history_request`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HistoryRequest {
    /// Include output (this kernel keeps none, so pairs are `(input, None)`).
    #[serde(default)]
    pub output: bool,
    /// Give raw input.
    #[serde(default = "default_true")]
    pub raw: bool,
    /// `range`, `tail` or `search`.
    pub hist_access_type: HistoryAccess,
    /// Session number for `range` (0 or negative: this session).
    #[serde(default)]
    pub session: i64,
    /// First line for `range`.
    #[serde(default)]
    pub start: i64,
    /// Stop line for `range`.
    #[serde(default)]
    pub stop: Option<i64>,
    /// Count for `tail` and `search`.
    #[serde(default)]
    pub n: Option<usize>,
    /// Glob pattern for `search`.
    #[serde(default)]
    pub pattern: String,
    /// Drop duplicates in `search`.
    #[serde(default)]
    pub unique: bool,
}

/// The kinds of history access.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum HistoryAccess {
    /// Entries between `start` and `stop`.
    Range,
    /// The last `n` entries.
    Tail,
    /// Entries matching a glob pattern.
    Search,
}

/// `history_reply`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HistoryReply {
    /// ok.
    pub status: ReplyStatus,
    /// `(session, line_number, input)` triples; with outputs, the input is `[input, output]`.
    pub history: Vec<(i64, u64, Value)>,
}

/// `is_complete_request`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IsCompleteRequest {
    /// The code typed so far.
    pub code: String,
}

/// `is_complete_reply`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IsCompleteReply {
    /// `complete`, `incomplete`, `invalid` or `unknown`.
    pub status: String,
    /// Indent for the next line when incomplete.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub indent: Option<String>,
}

/// `kernel_info_reply`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct KernelInfoReply {
    /// ok.
    pub status: ReplyStatus,
    /// Protocol version.
    pub protocol_version: String,
    /// `torchbook`.
    pub implementation: String,
    /// This kernel's version.
    pub implementation_version: String,
    /// The language.
    pub language_info: LanguageInfo,
    /// Shown when the kernel starts.
    pub banner: String,
    /// Links for the help menu.
    pub help_links: Vec<HelpLink>,
    /// Whether the kernel answers debug requests.
    pub debugger: bool,
    /// Optional protocol features (`"debugger"`: the debug messages are answered).
    pub supported_features: Vec<String>,
}

/// `language_info` of `kernel_info_reply`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LanguageInfo {
    /// `rust`.
    pub name: String,
    /// rustc's version.
    pub version: String,
    /// `text/rust`.
    pub mimetype: String,
    /// `.rs`.
    pub file_extension: String,
    /// Pygments lexer.
    pub pygments_lexer: String,
    /// CodeMirror mode.
    pub codemirror_mode: String,
    /// nbconvert exporter.
    pub nbconvert_exporter: String,
}

/// A help-menu entry.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct HelpLink {
    /// Menu text.
    pub text: String,
    /// Target.
    pub url: String,
}

/// `comm_info_request`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, Default)]
pub struct CommInfoRequest {
    /// Only comms of this target.
    #[serde(default)]
    pub target_name: Option<String>,
}

/// `comm_info_reply`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CommInfoReply {
    /// ok.
    pub status: ReplyStatus,
    /// Open comms by id (this kernel opens none).
    pub comms: Map<String, Value>,
}

/// `comm_open`, `comm_msg`, `comm_close`, both ways.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CommMessage {
    /// The comm's id.
    pub comm_id: String,
    /// Target of `comm_open` (absent from `comm_msg` and `comm_close`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_name: Option<String>,
    /// Payload.
    #[serde(default)]
    pub data: Value,
}

/// `shutdown_request` and `shutdown_reply`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Shutdown {
    /// Restart after shutting down.
    #[serde(default)]
    pub restart: bool,
    /// ok (replies only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ReplyStatus>,
}

/// `interrupt_reply`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InterruptReply {
    /// ok.
    pub status: ReplyStatus,
}

/// `create_subshell_reply` (JEP 91).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct CreateSubshellReply {
    /// ok.
    pub status: ReplyStatus,
    /// The new subshell's id, for the `subshell_id` of shell request headers.
    pub subshell_id: String,
}

/// `delete_subshell_request` (JEP 91).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeleteSubshellRequest {
    /// The subshell to delete.
    pub subshell_id: String,
}

/// `delete_subshell_reply` (JEP 91).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct DeleteSubshellReply {
    /// ok, or error when no subshell has the id.
    pub status: ReplyStatus,
    /// Error details (error only).
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorInfo>,
}

/// `list_subshell_reply` (JEP 91).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ListSubshellReply {
    /// ok.
    pub status: ReplyStatus,
    /// Every subshell's id, in the order they were created (the main shell is not listed).
    pub subshell_id: Vec<String>,
}

/// `input_request` on stdin.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputRequest {
    /// Text shown before the input box.
    pub prompt: String,
    /// Hide what is typed.
    pub password: bool,
}

/// `input_reply` on stdin.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputReply {
    /// What the user typed.
    pub value: String,
}

/// `status` on IOPub.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct Status {
    /// busy, idle or starting.
    pub execution_state: ExecutionState,
}

/// The kernel's execution state.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum ExecutionState {
    /// Handling a request.
    Busy,
    /// Waiting.
    Idle,
    /// Starting up.
    Starting,
}

/// `stream` on IOPub.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stream {
    /// `stdout` or `stderr`.
    pub name: StreamName,
    /// The text.
    pub text: String,
}

/// Which stream.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum StreamName {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

/// `execute_input` on IOPub.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExecuteInput {
    /// The cell's code.
    pub code: String,
    /// Its execution count.
    pub execution_count: u64,
}

/// `execute_result` on IOPub.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ExecuteResult {
    /// The cell's execution count.
    pub execution_count: u64,
    /// The value's representations.
    pub data: MimeBundle,
    /// Metadata.
    pub metadata: Map<String, Value>,
}

/// `display_data` and `update_display_data` on IOPub.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DisplayData {
    /// The value's representations.
    pub data: MimeBundle,
    /// Metadata.
    pub metadata: Map<String, Value>,
    /// `{"display_id": ..}` for updatable outputs.
    pub transient: Map<String, Value>,
}

/// `clear_output` on IOPub.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
pub struct ClearOutput {
    /// Clear only when the next output arrives.
    pub wait: bool,
}

/// Every message content this kernel reads or writes, tagged by `msg_type`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(tag = "msg_type", content = "content", rename_all = "snake_case")]
pub enum Content {
    /// Run a cell.
    ExecuteRequest(ExecuteRequest),
    /// Result of running a cell.
    ExecuteReply(ExecuteReply),
    /// Documentation at the cursor.
    InspectRequest(InspectRequest),
    /// Documentation found.
    InspectReply(InspectReply),
    /// Completions at the cursor.
    CompleteRequest(CompleteRequest),
    /// Completions found.
    CompleteReply(CompleteReply),
    /// Past inputs.
    HistoryRequest(HistoryRequest),
    /// Past inputs found.
    HistoryReply(HistoryReply),
    /// Is the code ready to run?
    IsCompleteRequest(IsCompleteRequest),
    /// The answer.
    IsCompleteReply(IsCompleteReply),
    /// Who are you?
    KernelInfoRequest(Map<String, Value>),
    /// The kernel and its language.
    KernelInfoReply(Box<KernelInfoReply>),
    /// Which comms are open?
    CommInfoRequest(CommInfoRequest),
    /// The open comms.
    CommInfoReply(CommInfoReply),
    /// Front end opens a comm.
    CommOpen(CommMessage),
    /// Front end sends on a comm.
    CommMsg(CommMessage),
    /// Front end closes a comm.
    CommClose(CommMessage),
    /// Stop (or restart).
    ShutdownRequest(Shutdown),
    /// Stopping.
    ShutdownReply(Shutdown),
    /// Stop the running cell.
    InterruptRequest(Map<String, Value>),
    /// Interrupt sent.
    InterruptReply(InterruptReply),
    /// Ask the user for a line.
    InputRequest(InputRequest),
    /// The user's line.
    InputReply(InputReply),
    /// busy / idle.
    Status(Status),
    /// stdout / stderr text.
    Stream(Stream),
    /// The code being run.
    ExecuteInput(ExecuteInput),
    /// A cell's value.
    ExecuteResult(ExecuteResult),
    /// Rich output.
    DisplayData(DisplayData),
    /// Rich output replacing an earlier one.
    UpdateDisplayData(DisplayData),
    /// Clear the cell's output.
    ClearOutput(ClearOutput),
    /// A cell failed.
    Error(ErrorInfo),
    /// IOPub greets a new subscriber (JEP 65), so it knows its subscription is live.
    IopubWelcome(IopubWelcome),
    /// Make a subshell (JEP 91), on control.
    CreateSubshellRequest(Map<String, Value>),
    /// The subshell made.
    CreateSubshellReply(CreateSubshellReply),
    /// Delete a subshell, on control.
    DeleteSubshellRequest(DeleteSubshellRequest),
    /// Deleted, or why not.
    DeleteSubshellReply(DeleteSubshellReply),
    /// Which subshells exist, on control.
    ListSubshellRequest(Map<String, Value>),
    /// The subshells.
    ListSubshellReply(ListSubshellReply),
    /// A Debug Adapter Protocol request, on control (`server::debugger`).
    DebugRequest(Value),
    /// Its Debug Adapter Protocol response.
    DebugReply(Value),
    /// A Debug Adapter Protocol event, on IOPub.
    DebugEvent(Value),
}

/// `iopub_welcome`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct IopubWelcome {
    /// The topic the subscriber subscribed to (empty: everything).
    pub subscription: String,
}

/// Why a frame set could not be read as a [`Message`].
#[derive(Debug, thiserror::Error)]
pub enum MessageError {
    /// A JSON frame did not parse.
    #[error("{frame} is not valid JSON: {source}")]
    Json {
        /// Which frame.
        frame: &'static str,
        /// serde's error.
        source: serde_json::Error,
    },
    /// The content does not fit its `msg_type`, or the type is unknown.
    #[error("content of '{msg_type}' does not match the protocol: {source}")]
    Content {
        /// The header's type.
        msg_type: String,
        /// serde's error.
        source: serde_json::Error,
    },
}

/// A decoded message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// ROUTER identities, for replies.
    pub identities: Vec<Vec<u8>>,
    /// This message's header.
    pub header: Header,
    /// The request's header, for replies and broadcasts.
    pub parent_header: Option<Header>,
    /// Metadata.
    pub metadata: Map<String, Value>,
    /// The typed content.
    pub content: Content,
}

impl Content {
    /// The `msg_type` this content is sent as.
    pub fn msg_type(&self) -> String {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut map)) => match map.remove("msg_type") {
                Some(Value::String(s)) => s,
                _ => unreachable!("Content is tagged by msg_type"),
            },
            _ => unreachable!("Content serialises to an object"),
        }
    }

    fn from_parts(msg_type: &str, content: Value) -> Result<Content, MessageError> {
        let tagged = serde_json::json!({ "msg_type": msg_type, "content": content });
        serde_json::from_value(tagged)
            .map_err(|source| MessageError::Content { msg_type: msg_type.to_owned(), source })
    }

    fn into_value(self) -> Value {
        match serde_json::to_value(self) {
            Ok(Value::Object(mut map)) => map.remove("content").unwrap_or(Value::Object(Map::new())),
            _ => unreachable!("Content serialises to an object"),
        }
    }
}

impl Message {
    /// Reads the JSON frames of a verified raw message.
    pub fn from_raw(raw: super::wire::RawMessage) -> Result<Message, MessageError> {
        let header: Header = serde_json::from_slice(&raw.header)
            .map_err(|source| MessageError::Json { frame: "header", source })?;
        let parent: Value = serde_json::from_slice(&raw.parent_header)
            .map_err(|source| MessageError::Json { frame: "parent_header", source })?;
        let parent_header = match parent {
            Value::Object(ref m) if m.is_empty() => None,
            other => Some(
                serde_json::from_value(other)
                    .map_err(|source| MessageError::Json { frame: "parent_header", source })?,
            ),
        };
        let metadata: Map<String, Value> = serde_json::from_slice(&raw.metadata)
            .map_err(|source| MessageError::Json { frame: "metadata", source })?;
        let content_json: Value = serde_json::from_slice(&raw.content)
            .map_err(|source| MessageError::Json { frame: "content", source })?;
        let content = Content::from_parts(&header.msg_type, content_json)?;
        Ok(Message { identities: raw.identities, header, parent_header, metadata, content })
    }

    /// A new message answering or caused by `parent`, in `session`.
    pub fn reply_to(parent: Option<&Message>, session: &str, content: Content) -> Message {
        let header = Header {
            msg_id: uuid::Uuid::new_v4().to_string(),
            session: session.to_owned(),
            username: "torchbook".to_owned(),
            date: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
            msg_type: content.msg_type(),
            version: PROTOCOL_VERSION.to_owned(),
            subshell_id: None,
        };
        Message {
            identities: parent.map(|p| p.identities.clone()).unwrap_or_default(),
            header,
            parent_header: parent.map(|p| p.header.clone()),
            metadata: Map::new(),
            content,
        }
    }

    /// The JSON frames of this message, ready for signing.
    pub fn into_raw(self) -> super::wire::RawMessage {
        let to_bytes = |v: &Value| serde_json::to_vec(v).expect("JSON values always serialise");
        let parent = match &self.parent_header {
            Some(h) => serde_json::to_value(h).expect("headers serialise"),
            None => Value::Object(Map::new()),
        };
        super::wire::RawMessage {
            identities: self.identities,
            header: to_bytes(&serde_json::to_value(&self.header).expect("headers serialise")),
            parent_header: to_bytes(&parent),
            metadata: to_bytes(&Value::Object(self.metadata)),
            content: to_bytes(&self.content.into_value()),
            buffers: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::wire::RawMessage;

    fn raw(msg_type: &str, content: &str) -> RawMessage {
        RawMessage {
            identities: vec![b"id".to_vec()],
            header: format!(
                r#"{{"msg_id":"m1","session":"s","username":"u","date":"","msg_type":"{msg_type}","version":"5.3"}}"#
            )
            .into_bytes(),
            parent_header: b"{}".to_vec(),
            metadata: b"{}".to_vec(),
            content: content.as_bytes().to_vec(),
            buffers: vec![],
        }
    }

    #[test]
    fn a_subshell_id_is_read_from_the_header_and_echoed_in_the_parent() {
        // JupyterLab 4.6 sends `"subshell_id": null` for the main shell, an id for a subshell.
        let with = |id: &str| {
            let mut r = raw("kernel_info_request", "{}");
            r.header = format!(
                r#"{{"msg_id":"m1","session":"s","msg_type":"kernel_info_request","subshell_id":{id}}}"#
            )
            .into_bytes();
            Message::from_raw(r).unwrap()
        };
        assert_eq!(with("null").header.subshell_id, None);
        let request = with(r#""abc""#);
        assert_eq!(request.header.subshell_id.as_deref(), Some("abc"));
        let reply = Message::reply_to(Some(&request), "k", Content::KernelInfoRequest(Map::new())).into_raw();
        let parent: Value = serde_json::from_slice(&reply.parent_header).unwrap();
        assert_eq!(parent["subshell_id"], "abc");
        let header: Value = serde_json::from_slice(&reply.header).unwrap();
        assert!(header.get("subshell_id").is_none());
    }

    #[test]
    fn execute_request_gets_spec_defaults() {
        let m = Message::from_raw(raw("execute_request", r#"{"code":"1+1"}"#)).unwrap();
        match m.content {
            Content::ExecuteRequest(r) => {
                assert_eq!(r.code, "1+1");
                assert!(!r.silent && r.store_history && r.allow_stdin && r.stop_on_error);
            }
            other => panic!("wrong variant {other:?}"),
        }
    }

    #[test]
    fn unknown_types_and_bad_content_are_errors_naming_the_type() {
        let err = Message::from_raw(raw("frobnicate_request", "{}")).unwrap_err();
        assert!(err.to_string().contains("'frobnicate_request'"), "{err}");
        let err = Message::from_raw(raw("execute_request", r#"{"code": 3}"#)).unwrap_err();
        assert!(err.to_string().contains("'execute_request'"), "{err}");
        let err = Message::from_raw(raw("execute_request", "not json")).unwrap_err();
        assert!(err.to_string().starts_with("content is not valid JSON"), "{err}");
    }

    #[test]
    fn replies_carry_parent_header_type_and_error_fields() {
        let parent = Message::from_raw(raw("execute_request", r#"{"code":"x"}"#)).unwrap();
        let reply = Message::reply_to(
            Some(&parent),
            "kernel-session",
            Content::ExecuteReply(ExecuteReply {
                status: ReplyStatus::Error,
                execution_count: 3,
                payload: None,
                user_expressions: None,
                error: Some(ErrorInfo { ename: "Panic".into(), evalue: "boom".into(), traceback: vec![] }),
            }),
        );
        assert_eq!(reply.header.msg_type, "execute_reply");
        let raw = reply.into_raw();
        let content: Value = serde_json::from_slice(&raw.content).unwrap();
        assert_eq!(content["status"], "error");
        assert_eq!(content["ename"], "Panic");
        let parent: Value = serde_json::from_slice(&raw.parent_header).unwrap();
        assert_eq!(parent["msg_id"], "m1");
        assert_eq!(raw.identities, vec![b"id".to_vec()]);
    }

    #[test]
    fn empty_dict_requests_decode() {
        let m = Message::from_raw(raw("kernel_info_request", "{}")).unwrap();
        assert!(matches!(m.content, Content::KernelInfoRequest(_)));
        assert_eq!(m.parent_header, None);
    }
}
