//! The messages a cell's code sends: to the kernel (through the execution process) and to evcxr.
//!
//! They travel on the message link ([`crate::link`]), never on stdout, so nothing a cell prints
//! can be taken for one of them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// MIME type to content, as in Jupyter's `data` field (`text/plain`, `text/html`, `image/svg+xml`).
pub type MimeBundle = BTreeMap<String, String>;

/// A message from the prelude to the kernel.
///
/// ```
/// use torchbook_contract::message::{FromPrelude, MimeBundle};
/// let data = MimeBundle::from([("text/plain".to_owned(), "x".to_owned())]);
/// let m = FromPrelude::Update { data, display_id: "d1".into() };
/// let json = serde_json::to_string(&m).unwrap();
/// assert!(json.starts_with(r#"{"kind":"update""#));
/// assert_eq!(serde_json::from_str::<FromPrelude>(&json).unwrap(), m);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FromPrelude {
    /// `display(&value)`: a new output area.
    Display {
        /// The value's representations.
        data: MimeBundle,
        /// Id for later updates.
        display_id: String,
    },
    /// `handle.update(&value)`: replaces the area with this id.
    Update {
        /// The value's representations.
        data: MimeBundle,
        /// The area to replace.
        display_id: String,
    },
    /// `clear_output(wait)`.
    Clear {
        /// Clear when the next output arrives.
        wait: bool,
    },
    /// The cell's final value (its `execute_result`).
    Result {
        /// The value's representations.
        data: MimeBundle,
    },
    /// A panic, reported by the prelude's hook.
    Panic(PanicReport),
    /// The variables a cell left, captured as evcxr stored them when it ended (the debugger's
    /// variables panel shows them; `prelude/src/variables.rs`).
    Variables {
        /// One entry per stored variable, in the order evcxr stored them.
        variables: Vec<CapturedVariable>,
    },
}

/// A variable as the prelude captured it when a cell ended.
///
/// ```
/// use torchbook_contract::message::CapturedVariable;
/// let v: CapturedVariable = serde_json::from_str(
///     r#"{"name":"x","type_name":"i32","value":"3"}"#).unwrap();
/// assert_eq!((v.detail.as_str(), v.rich.len()), ("", 0));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CapturedVariable {
    /// The variable's name.
    pub name: String,
    /// Its type, as evcxr wrote it in the generated code.
    pub type_name: String,
    /// One line: its `Debug` text (or the prelude's summary), cut to
    /// [`VALUE_CHARS`] characters.
    pub value: String,
    /// Longer text in `Debug` syntax (cut to [`DETAIL_CHARS`]) that the kernel reads the
    /// variable's fields and items from; empty when it has none.
    #[serde(default)]
    pub detail: String,
    /// Its rich forms (a tensor's table, a chart's SVG), when captured.
    #[serde(default)]
    pub rich: MimeBundle,
}

/// Characters of a variable's one-line value; a longer one ends in `…`.
pub const VALUE_CHARS: usize = 200;

/// Characters of a variable's detail text, which its fields and items are read from.
pub const DETAIL_CHARS: usize = 4000;

/// A panic as the prelude's hook saw it.
///
/// ```
/// use torchbook_contract::message::PanicReport;
/// let r: PanicReport = serde_json::from_str(
///     r#"{"message":"boom","file":"src/lib.rs","line":3,"column":5}"#).unwrap();
/// assert_eq!((r.line, r.thread.as_str()), (3, ""));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PanicReport {
    /// The panic message.
    pub message: String,
    /// Source file of the panic, as rustc names it.
    pub file: String,
    /// 1-based line in that file.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// Thread name.
    #[serde(default)]
    pub thread: String,
}

/// What code in the execution process sends its output forwarder on the message link.
///
/// ```
/// use torchbook_contract::message::FromCell;
/// let m = FromCell::Gate(true);
/// assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"gate":true}"#);
/// let raw = FromCell::Evcxr("EVCXR_PANIC_NOTIFICATION".into());
/// assert_eq!(serde_json::to_string(&raw).unwrap(), r#"{"evcxr":"EVCXR_PANIC_NOTIFICATION"}"#);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FromCell {
    /// Pass a message on to the kernel.
    Kernel(FromPrelude),
    /// A line of evcxr's own protocol (a panic notification, the end of a cell), written to
    /// evcxr as it is. Printed text that looks like one is escaped instead.
    Evcxr(String),
    /// Opened while a cell's final value is shown by a `evcxr_display` method of its own type
    /// (evcxr's documented way to show HTML): while open, what the cell prints reaches evcxr
    /// unescaped, so its `EVCXR_BEGIN_CONTENT` blocks become the result.
    Gate(bool),
}

/// Start of the message of the panic that stops a loop which never took an interrupt with
/// `check_interrupt()`; the kernel reports such a panic as an interrupt.
///
/// ```
/// assert!(torchbook_contract::message::LOOP_INTERRUPTED.starts_with("interrupted"));
/// ```
pub const LOOP_INTERRUPTED: &str = "interrupted: the cell was stopped in a loop";
