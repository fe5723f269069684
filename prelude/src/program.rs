//! Notebook code run as a program (`torchbook-kernel export`): what the notebook would show.
//!
//! In a notebook, a cell's final value and `display(...)` become rich outputs. In an exported
//! program, [`show_outputs_in`] makes them print their `text/plain` form on stdout (a `()`
//! shows nothing, as in the notebook) and write every other form (an SVG chart, an HTML table)
//! to a numbered file in a directory, named on stdout.
//!
//! ```
//! let dir = std::env::temp_dir().join(format!("torchbook-program-doc-{}", std::process::id()));
//! torchbook::program::show_outputs_in(&dir).unwrap();
//! torchbook::display::display(&torchbook::display::Html::new("<b>hi</b>"));
//! assert!(std::fs::read_dir(&dir).unwrap().count() >= 1);
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;
use torchbook_contract::message::MimeBundle;

static OUTPUT_DIR: OnceLock<PathBuf> = OnceLock::new();
static NEXT_FILE: AtomicUsize = AtomicUsize::new(1);

/// Sends rich outputs to files in `dir` (created if needed) for the rest of the program.
pub fn show_outputs_in(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let _ = OUTPUT_DIR.set(dir.to_path_buf());
    Ok(())
}

fn extension(mime: &str) -> &str {
    match mime {
        "image/svg+xml" => "svg",
        "text/html" => "html",
        "image/png" => "png",
        "application/json" => "json",
        _ => "txt",
    }
}

/// In a program that called [`show_outputs_in`]: prints the text form of `data` and writes
/// the others to files; `false` when the program did not ask for this.
pub(crate) fn show(data: &MimeBundle) -> bool {
    let Some(dir) = OUTPUT_DIR.get() else { return false };
    if let Some(text) = data.get("text/plain").filter(|t| t.as_str() != "()") {
        println!("{text}");
    }
    for (mime, content) in data.iter().filter(|(m, _)| m.as_str() != "text/plain") {
        let path =
            dir.join(format!("output-{:03}.{}", NEXT_FILE.fetch_add(1, Ordering::Relaxed), extension(mime)));
        match std::fs::write(&path, content) {
            Ok(()) => println!("[{mime} written to {}]", path.display()),
            Err(e) => eprintln!("torchbook: could not write {}: {e}", path.display()),
        }
    }
    true
}
