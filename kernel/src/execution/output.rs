//! Lines from the execution process: plain text, or messages from the prelude.
//!
//! The prelude (`prelude/src/display.rs`, `prelude/src/runtime.rs`) writes display requests and
//! panic reports to stdout as one line each: a marker, then JSON. Stdout is the one channel whose
//! order evcxr keeps relative to the end of a cell, so a report can never arrive after the reply.

use serde::Deserialize;
use serde_json::{Map, Value};

/// Prefix of a display line; must equal `torchbook::display::DISPLAY_MARKER`.
pub const DISPLAY_MARKER: &str = "\u{1e}TORCHBOOK_DISPLAY ";
/// Prefix of a panic line; must equal `torchbook::runtime::PANIC_MARKER`.
pub const PANIC_MARKER: &str = "\u{1e}TORCHBOOK_PANIC ";

/// A display request from the prelude.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DisplayRequest {
    /// `display(&value)`: a new output area.
    Display {
        /// MIME bundle.
        data: Map<String, Value>,
        /// Id for later updates.
        display_id: String,
    },
    /// `handle.update(&value)`.
    Update {
        /// MIME bundle.
        data: Map<String, Value>,
        /// The area to replace.
        display_id: String,
    },
    /// `clear_output(wait)`.
    Clear {
        /// Clear when the next output arrives.
        wait: bool,
    },
}

/// A panic reported by the prelude's hook.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
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

/// One piece of a stdout line.
#[derive(Debug, Clone, PartialEq)]
pub enum OutputPiece {
    /// Text for the stdout stream (newline included where the line had one).
    Text(String),
    /// A display request.
    Display(DisplayRequest),
    /// A panic report.
    Panic(PanicReport),
}

/// Splits one stdout line (without its newline) into text and prelude messages.
///
/// A marker may follow text that a `print!` left without a newline, so it is searched
/// anywhere in the line. A marker line whose JSON does not parse is passed on as text, so
/// nothing the cell printed is lost.
pub fn parse_stdout_line(line: &str) -> Vec<OutputPiece> {
    for (marker, is_display) in [(DISPLAY_MARKER, true), (PANIC_MARKER, false)] {
        if let Some(at) = line.find(marker) {
            let json = &line[at + marker.len()..];
            let parsed = if is_display {
                serde_json::from_str::<DisplayRequest>(json).map(OutputPiece::Display).ok()
            } else {
                serde_json::from_str::<PanicReport>(json).map(OutputPiece::Panic).ok()
            };
            if let Some(piece) = parsed {
                let mut pieces = Vec::new();
                if at > 0 {
                    pieces.push(OutputPiece::Text(format!("{}\n", &line[..at])));
                }
                pieces.push(piece);
                return pieces;
            }
        }
    }
    vec![OutputPiece::Text(format!("{line}\n"))]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_are_text_with_their_newline() {
        assert_eq!(parse_stdout_line("loss 0.5"), vec![OutputPiece::Text("loss 0.5\n".into())]);
    }

    #[test]
    fn display_after_unterminated_print_keeps_both() {
        let line = format!(
            "epoch 1{DISPLAY_MARKER}{}",
            r#"{"kind":"update","data":{"text/plain":"x"},"display_id":"d1"}"#
        );
        let pieces = parse_stdout_line(&line);
        assert_eq!(pieces[0], OutputPiece::Text("epoch 1\n".into()));
        match &pieces[1] {
            OutputPiece::Display(DisplayRequest::Update { display_id, data }) => {
                assert_eq!(display_id, "d1");
                assert_eq!(data["text/plain"], "x");
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn panic_reports_parse() {
        let line = format!(
            "{PANIC_MARKER}{}",
            r#"{"message":"boom","file":"src/lib.rs","line":12,"column":5,"thread":"main"}"#
        );
        assert_eq!(
            parse_stdout_line(&line),
            vec![OutputPiece::Panic(PanicReport {
                message: "boom".into(),
                file: "src/lib.rs".into(),
                line: 12,
                column: 5,
                thread: "main".into()
            })]
        );
    }

    #[test]
    fn malformed_marker_json_is_kept_as_text() {
        let line = format!("{DISPLAY_MARKER}{{not json");
        assert_eq!(parse_stdout_line(&line), vec![OutputPiece::Text(format!("{line}\n"))]);
    }
}
