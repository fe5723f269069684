//! What evcxr's generated code sends through the prelude instead of printing it.
//!
//! evcxr's wrapper around a cell prints protocol lines of its own (a panic was caught, a `?`
//! returned early, a variable changed type). Printed, they would share stdout with the cell's
//! text, and a cell printing the same words was taken for them. The kernel rewrites those
//! lines of the generated source to call [`evcxr_line`] (`kernel/src/execution/cell_source.rs`),
//! and brackets the final value's `evcxr_display()` call with [`gate`], so that a type's own
//! `evcxr_display` (evcxr's documented way to show HTML) still prints its content blocks.
//! Outside the kernel both print what evcxr expects.

use torchbook_contract::link::{self, LinkError};
use torchbook_contract::message::FromCell;

/// Passes one line of evcxr's protocol to evcxr.
///
/// ```
/// // Outside the kernel the line is printed, as evcxr's generated code would.
/// torchbook::cell_link::evcxr_line("EVCXR_ERROR_OCCURRED");
/// ```
pub fn evcxr_line(line: &str) {
    match link::send(&FromCell::Evcxr(line.to_owned())) {
        Ok(()) => {}
        Err(LinkError::NotInKernel) => println!("{line}"),
        Err(e) => eprintln!("torchbook: {e}"),
    }
}

/// Opens (`true`) or closes the window in which printed content blocks reach evcxr.
///
/// ```
/// torchbook::cell_link::gate(true);
/// println!("EVCXR_BEGIN_CONTENT text/html\n<b>shown as the result</b>\nEVCXR_END_CONTENT");
/// torchbook::cell_link::gate(false);
/// ```
pub fn gate(open: bool) {
    if let Err(e) = link::send(&FromCell::Gate(open)) {
        if !matches!(e, LinkError::NotInKernel) {
            eprintln!("torchbook: {e}");
        }
    }
}

/// Shows `text` as the cell's result (`text/plain`).
///
/// evcxr's fallback display (used when the final value's `evcxr_display()` does not compile:
/// the expression moves a stored variable, or uses `?`) calls this instead of printing an
/// `EVCXR_BEGIN_CONTENT text/plain` block (`kernel/src/execution/cell_source.rs`).
///
/// ```
/// // Outside the kernel the text is written in evcxr's content framing, as evcxr expects.
/// torchbook::cell_link::evcxr_text_plain("\"foo\"");
/// ```
pub fn evcxr_text_plain(text: &str) {
    crate::display::show_result([("text/plain".to_owned(), text.to_owned())].into_iter().collect());
}
