//! The comm link: how Jupyter comms (ipywidgets' models) travel between the kernel and the
//! prelude in the execution process.
//!
//! The kernel listens on a Unix socket ([`crate::env::COMM_SOCKET`]); the prelude connects once
//! per execution process. Both sides write one JSON line per message:
//! - the kernel sends [`ToPrelude`]: a front end's comm event, numbered, or the
//!   acknowledgement of something the prelude sent;
//! - the prelude sends [`ToKernel`]: a comm message for the front end (published on IOPub
//!   before the acknowledgement comes back, so a widget's `comm_open` always precedes the
//!   `display_data` that shows it), and the end of its handling of an event (the kernel's
//!   `idle` waits for it).

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A comm message as both sides of Jupyter know it (`comm_open`, `comm_msg`, `comm_close`).
///
/// ```
/// use torchbook_contract::comm::Comm;
/// let open = Comm::Open {
///     comm_id: "c1".into(),
///     target_name: "jupyter.widget".into(),
///     data: serde_json::json!({"state": {}, "buffer_paths": []}),
///     metadata: serde_json::json!({"version": "2.1.0"}),
/// };
/// let json = serde_json::to_string(&open).unwrap();
/// assert!(json.starts_with(r#"{"kind":"open""#));
/// assert_eq!(open.comm_id(), "c1");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Comm {
    /// `comm_open`.
    Open {
        /// The comm's id (a widget's model id).
        comm_id: String,
        /// The target (`jupyter.widget`, `jupyter.widget.control`).
        target_name: String,
        /// Payload.
        data: Value,
        /// The message's metadata (the widget protocol's version).
        #[serde(default)]
        metadata: Value,
    },
    /// `comm_msg`.
    Msg {
        /// The comm's id.
        comm_id: String,
        /// Payload.
        data: Value,
    },
    /// `comm_close`.
    Close {
        /// The comm's id.
        comm_id: String,
        /// Payload.
        #[serde(default)]
        data: Value,
    },
}

impl Comm {
    /// The id of the comm this message belongs to.
    pub fn comm_id(&self) -> &str {
        match self {
            Comm::Open { comm_id, .. } | Comm::Msg { comm_id, .. } | Comm::Close { comm_id, .. } => comm_id,
        }
    }
}

/// From the kernel to the prelude.
///
/// ```
/// use torchbook_contract::comm::{Comm, ToPrelude};
/// let m = ToPrelude::Event { seq: 7, comm: Comm::Close { comm_id: "c".into(), data: Default::default() } };
/// let line = serde_json::to_string(&m).unwrap();
/// assert_eq!(serde_json::from_str::<ToPrelude>(&line).unwrap(), m);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "to_prelude", rename_all = "snake_case")]
pub enum ToPrelude {
    /// A front end's comm message, numbered; answered by [`ToKernel::Done`] with the same `seq`.
    Event {
        /// The event's number (the kernel's, increasing).
        seq: u64,
        /// The message.
        comm: Comm,
    },
    /// [`ToKernel::Send`] number `seq` is published.
    Ack {
        /// The number of the send.
        seq: u64,
    },
}

/// From the prelude to the kernel.
///
/// ```
/// use torchbook_contract::comm::ToKernel;
/// let m = ToKernel::Done { seq: 7, error: Some("IntSlider `value`: expected an integer, got \"a\"".into()) };
/// let line = serde_json::to_string(&m).unwrap();
/// assert_eq!(serde_json::from_str::<ToKernel>(&line).unwrap(), m);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "to_kernel", rename_all = "snake_case")]
pub enum ToKernel {
    /// Publish `comm` on IOPub, then acknowledge with [`ToPrelude::Ack`] and the same `seq`.
    Send {
        /// The send's number (the prelude's, increasing).
        seq: u64,
        /// The message.
        comm: Comm,
        /// The event being handled when it was sent: the message is published as its reply
        /// (a widget's `echo_update` must name the front end's `update` as its parent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        in_reply_to: Option<u64>,
    },
    /// The prelude has handled event `seq`; `error` names what was wrong with it, if anything.
    Done {
        /// The event's number.
        seq: u64,
        /// Why the event was refused (an unknown comm, a value of the wrong type), if it was.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
}

/// The comm target of widget models.
pub const WIDGET_TARGET: &str = "jupyter.widget";

/// The comm target a front end opens to fetch every widget's state at once.
pub const CONTROL_TARGET: &str = "jupyter.widget.control";

/// The widget messaging protocol this implementation speaks.
pub const WIDGET_PROTOCOL_VERSION: &str = "2.1.0";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_never_contain_a_newline_whatever_the_payload() {
        let m = ToKernel::Send {
            seq: 1,
            comm: Comm::Msg { comm_id: "c".into(), data: serde_json::json!({"text": "a\nb\r\n"}) },
            in_reply_to: Some(3),
        };
        let line = serde_json::to_string(&m).unwrap();
        assert!(!line.contains('\n'), "{line}");
        assert_eq!(serde_json::from_str::<ToKernel>(&line).unwrap(), m);
    }
}
