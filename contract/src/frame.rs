//! How the execution process frames a cell's output for the kernel, on evcxr's stdout pipe.
//!
//! evcxr reads its child's stdout as lines and takes some for its own protocol: a line equal to
//! `EVCXR_EXECUTION_COMPLETE` ends the cell, one containing `EVCXR_BEGIN_CONTENT <mime>` starts a
//! result. The execution process is the only writer of that pipe: it reads what the cell prints
//! from a pipe of its own, decodes it as UTF-8 (invalid bytes become U+FFFD, as ipykernel
//! does), and writes each piece as one [`text_line`], which can never be a protocol line.
//! Messages from the prelude ([`FromPrelude`]) come on the message link and leave as
//! [`message_line`]s, which printed text can never produce.

use crate::message::FromPrelude;

/// Starts a line of printed text (its newline stripped).
pub const TEXT: char = '\u{1f}';
/// Starts printed text that had no newline yet (a `print!` before a display, a progress bar).
pub const PARTIAL: char = '\u{1c}';
/// Starts a message from the prelude (JSON of [`FromPrelude`]).
pub const MESSAGE: char = '\u{1e}';
/// Escapes itself and the `_` of `EVCXR_` inside text.
const ESCAPE: char = '\u{1a}';

/// One decoded line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// Printed text, with its newline when it had one.
    Text(String),
    /// A message from the prelude.
    Message(FromPrelude),
}

/// Frames printed text; `complete` says the text ended in a newline (not included in `text`).
///
/// ```
/// use torchbook_contract::frame::{decode, text_line, Frame};
/// let line = text_line("EVCXR_EXECUTION_COMPLETE", true);
/// assert!(!line.contains("EVCXR_") && !line.contains('\n'));
/// assert_eq!(decode(&line), Frame::Text("EVCXR_EXECUTION_COMPLETE\n".into()));
/// ```
pub fn text_line(text: &str, complete: bool) -> String {
    let mut line = String::with_capacity(text.len() + 2);
    line.push(if complete { TEXT } else { PARTIAL });
    let mut rest = text;
    while let Some(at) = rest.find(['\u{1a}', 'E']) {
        line.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix(ESCAPE) {
            line.push(ESCAPE);
            line.push(ESCAPE);
            rest = after;
        } else if let Some(after) = rest.strip_prefix("EVCXR_") {
            line.push_str("EVCXR");
            line.push(ESCAPE);
            line.push('_');
            rest = after;
        } else {
            line.push('E');
            rest = &rest[1..];
        }
    }
    line.push_str(rest);
    line
}

/// Frames a message from the prelude.
///
/// The JSON never contains `EVCXR_`: evcxr takes any line that *contains*
/// `EVCXR_BEGIN_CONTENT <mime>` for the start of a result and then reads every line up to
/// `EVCXR_END_CONTENT` as its content, the end of the cell among them, so a display or a
/// captured variable holding that text hung the kernel. `EVCXR_` can only occur inside a JSON
/// string, where `_` may be written `\u005f`: the decoded message is the same.
///
/// ```
/// use torchbook_contract::frame::{decode, message_line, Frame};
/// use torchbook_contract::message::FromPrelude;
/// let m = FromPrelude::Clear { wait: false };
/// assert_eq!(decode(&message_line(&m)), Frame::Message(m));
/// ```
pub fn message_line(message: &FromPrelude) -> String {
    let json = serde_json::to_string(message).expect("a FromPrelude always serialises");
    format!("{MESSAGE}{}", json.replace("EVCXR_", "EVCXR\\u005f"))
}

/// Decodes one line (without its newline) the kernel got from evcxr.
///
/// A line without a frame (written before the execution process set up its pipes) is text; a
/// message whose JSON does not parse is kept as text too, so nothing is lost.
///
/// ```
/// use torchbook_contract::frame::{decode, Frame};
/// assert_eq!(decode("plain"), Frame::Text("plain\n".into()));
/// ```
pub fn decode(line: &str) -> Frame {
    if let Some(text) = line.strip_prefix(TEXT) {
        let mut text = unescape(text);
        text.push('\n');
        Frame::Text(text)
    } else if let Some(text) = line.strip_prefix(PARTIAL) {
        Frame::Text(unescape(text))
    } else if let Some(json) = line.strip_prefix(MESSAGE) {
        match serde_json::from_str(json) {
            Ok(message) => Frame::Message(message),
            Err(_) => Frame::Text(format!("{line}\n")),
        }
    } else {
        Frame::Text(format!("{line}\n"))
    }
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == ESCAPE {
            // The encoder writes ESCAPE only before ESCAPE or '_'.
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::{MimeBundle, PanicReport};

    const PROTOCOL: &[&str] = &[
        "EVCXR_EXECUTION_COMPLETE",
        "EVCXR_BEGIN_CONTENT text/html",
        "EVCXR_END_CONTENT",
        "EVCXR_PANIC_NOTIFICATION",
        "EVCXR_ERROR_OCCURRED",
        "EVCXR_VARIABLE_CHANGED_TYPE:x",
        "EVCXR_INPUT_GET:name",
    ];

    #[test]
    fn protocol_lines_printed_by_a_cell_come_back_as_the_same_text() {
        for p in PROTOCOL {
            for text in [p.to_string(), format!("x {p}"), format!("\u{1a}{p}\u{1a}_E")] {
                for complete in [true, false] {
                    let line = text_line(&text, complete);
                    assert!(!line.contains("EVCXR_"), "{line:?}");
                    let expected = if complete { format!("{text}\n") } else { text.clone() };
                    assert_eq!(decode(&line), Frame::Text(expected));
                }
            }
        }
    }

    #[test]
    fn messages_round_trip_and_text_never_reads_as_one() {
        let data = MimeBundle::from([("text/html".to_owned(), "<b>\n</b>".to_owned())]);
        let messages = [
            FromPrelude::Display { data: data.clone(), display_id: "a".into() },
            FromPrelude::Result { data },
            FromPrelude::Panic(PanicReport {
                message: "m".into(),
                file: "f".into(),
                line: 1,
                column: 2,
                thread: "main".into(),
            }),
        ];
        for m in messages {
            let line = message_line(&m);
            assert!(!line.contains('\n'));
            assert_eq!(decode(&line), Frame::Message(m.clone()));
            // The same bytes printed by a cell are text.
            assert_eq!(decode(&text_line(&line, true)), Frame::Text(format!("{line}\n")));
        }
    }

    #[test]
    fn messages_carrying_protocol_text_never_contain_a_protocol_marker() {
        for p in PROTOCOL {
            let text = format!("{p}\nEVCXR_END_CONTENT \\u005f EVCXR\\u005f EVCXR_");
            let data =
                MimeBundle::from([(format!("text/{p}"), text.clone()), ("text/plain".to_owned(), text)]);
            for m in [
                FromPrelude::Display { data: data.clone(), display_id: p.to_string() },
                FromPrelude::Result { data },
            ] {
                let line = message_line(&m);
                assert!(!line.contains("EVCXR_") && !line.contains('\n'), "{line}");
                assert_eq!(decode(&line), Frame::Message(m.clone()));
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn any_text_round_trips(text in "[^\n]*", complete: bool) {
            let line = text_line(&text, complete);
            proptest::prop_assert!(!line.contains("EVCXR_") && !line.contains('\n'));
            let expected = if complete { format!("{text}\n") } else { text.clone() };
            proptest::prop_assert_eq!(decode(&line), Frame::Text(expected));
        }
    }
}
