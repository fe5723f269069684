//! Turning a failed cell into `ename`, `evalue` and a traceback on the cell's own lines.

use crate::protocol::messages::ErrorInfo;
use torchbook_contract::message::PanicReport;

/// Lines of a cell, 1-based access.
fn cell_line(cell: &str, line: usize) -> Option<&str> {
    cell.lines().nth(line.checked_sub(1)?)
}

fn caret_line(column: usize, width: usize, label: &str) -> String {
    let pad = " ".repeat(column.saturating_sub(1));
    let marks = "^".repeat(width.max(1));
    if label.is_empty() {
        format!("   | {pad}{marks}")
    } else {
        format!("   | {pad}{marks} {label}")
    }
}

/// A compile error as evcxr reports it, mapped to the cell.
pub fn compilation_errors(errors: &[evcxr::CompilationError], cell: &str) -> ErrorInfo {
    let mut traceback = Vec::new();
    for error in errors {
        let head = match error.code() {
            Some(code) => format!("{}[{code}]: {}", error.level(), error.message()),
            None => format!("{}: {}", error.level(), error.message()),
        };
        traceback.push(head);
        let mut located = false;
        for spanned in error.spanned_messages() {
            let Some(span) = &spanned.span else { continue };
            located = true;
            traceback.push(format!("  --> cell line {}, column {}", span.start_line, span.start_column));
            if let Some(text) = cell_line(cell, span.start_line) {
                traceback.push(format!("{:>3}| {text}", span.start_line));
                let width = if span.end_line == span.start_line {
                    span.end_column.saturating_sub(span.start_column)
                } else {
                    text.chars().count().saturating_sub(span.start_column - 1)
                };
                traceback.push(caret_line(span.start_column, width, &spanned.label));
            }
        }
        if !located {
            // Errors in code evcxr generated (or in an earlier cell's items) carry rustc's text.
            traceback.extend(error.rendered().lines().map(str::to_owned));
        }
        for help in error.help() {
            traceback.push(format!("   = help: {help}"));
        }
    }
    let evalue = errors.first().map(|e| e.message()).unwrap_or_else(|| "the cell did not compile".to_owned());
    ErrorInfo { ename: "CompilationError".to_owned(), evalue, traceback }
}

/// Finds which line of `cell` produced line `generated_line` of the compiled source.
///
/// evcxr copies each statement of the cell verbatim into the generated crate, so the generated
/// line's text appears in the cell. When it appears more than once, the occurrence with the same
/// rank among equal lines is taken. `None` when the line is not from this cell (for example a
/// function defined in an earlier cell).
pub fn map_generated_line(generated: &str, generated_line: usize, cell: &str) -> Option<usize> {
    map_generated_position(generated, generated_line, 1, cell).map(|(line, _)| line)
}

fn indent_width(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count()
}

/// Like [`map_generated_line`], also moving `column` by the difference in indentation
/// (evcxr indents the code it wraps).
pub fn map_generated_position(
    generated: &str,
    generated_line: usize,
    column: usize,
    cell: &str,
) -> Option<(usize, usize)> {
    let line = cell_line_of(generated, generated_line, cell)?;
    let generated_text = generated.lines().nth(generated_line - 1)?;
    let cell_text = cell.lines().nth(line - 1)?;
    let shifted = (column + indent_width(cell_text)).saturating_sub(indent_width(generated_text));
    Some((line, shifted.max(1)))
}

fn cell_line_of(generated: &str, generated_line: usize, cell: &str) -> Option<usize> {
    let target = generated.lines().nth(generated_line.checked_sub(1)?)?.trim();
    if target.is_empty() {
        return None;
    }
    let rank = generated.lines().take(generated_line - 1).filter(|l| l.trim() == target).count();
    let matches: Vec<usize> =
        cell.lines().enumerate().filter(|(_, l)| l.trim() == target).map(|(i, _)| i + 1).collect();
    match matches.len() {
        0 => None,
        1 => Some(matches[0]),
        n => Some(matches[rank.min(n - 1)]),
    }
}

/// A panic, located in the cell when its line came from the cell.
pub fn panic(report: &PanicReport, generated_source: Option<&str>, cell: &str) -> ErrorInfo {
    let mut traceback = Vec::new();
    // Cells run on the execution process's main thread, which the cell's std sees unnamed.
    let thread = match report.thread.as_str() {
        "" | "<unnamed>" | "main" => String::new(),
        name => format!("thread '{name}' "),
    };
    let cell_location = if report.file.ends_with("src/lib.rs") {
        generated_source
            .and_then(|g| map_generated_position(g, report.line as usize, report.column as usize, cell))
    } else {
        None
    };
    match cell_location {
        Some((line, column)) => {
            traceback.push(format!("{thread}panicked at cell line {line}, column {column}:"));
            if let Some(text) = cell_line(cell, line) {
                traceback.push(format!("{line:>3}| {text}"));
            }
        }
        None => {
            let place = if report.file.ends_with("src/lib.rs") {
                let text = generated_source
                    .and_then(|g| g.lines().nth(report.line as usize - 1))
                    .map(str::trim)
                    .unwrap_or("");
                format!("code defined in an earlier cell: `{text}`")
            } else {
                format!("{}:{}:{}", report.file, report.line, report.column)
            };
            traceback.push(format!("{thread}panicked in {place}:"));
        }
    }
    traceback.push("Variables defined before this cell are kept.".to_owned());
    // Last: CI summaries (nbmake, pytest) quote a traceback's last line as the reason.
    traceback.push(report.message.clone());
    let ename = if report.message.starts_with(torchbook_contract::message::LOOP_INTERRUPTED) {
        "Interrupted"
    } else {
        "Panic"
    };
    ErrorInfo { ename: ename.to_owned(), evalue: report.message.clone(), traceback }
}

/// The execution process died (abort, segfault, killed on interrupt).
pub fn process_lost(reason: &str, detail: &str, lost: &[String], stderr_tail: &[String]) -> ErrorInfo {
    let mut traceback = vec![format!("{reason}: {detail}")];
    traceback.extend(stderr_tail.iter().cloned());
    if lost.is_empty() {
        traceback.push("No variables were lost.".to_owned());
    } else {
        traceback.push(format!("Variables lost: {}", lost.join(", ")));
    }
    traceback.push(
        "The prelude is loaded again; functions, types and `use` items of earlier cells are kept.".to_owned(),
    );
    let ename = match reason {
        "Interrupted" => "KeyboardInterrupt",
        // Python's name for it, which course material and nbgrader users know.
        "OutOfMemory" => "MemoryError",
        _ => "ProcessCrashed",
    };
    ErrorInfo { ename: ename.to_owned(), evalue: format!("{reason}: {detail}"), traceback }
}

/// Any other error evcxr reports (a bad `:command`, a failed `:dep`, ...).
pub fn message(text: &str) -> ErrorInfo {
    let first = text.lines().next().unwrap_or("error").to_owned();
    ErrorInfo {
        ename: "EvcxrError".to_owned(),
        evalue: first,
        traceback: text.lines().map(str::to_owned).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_lines_map_back_to_the_cell() {
        let cell = "let a = 1;\nlet v: Vec<i32> = vec![];\nv[3];";
        let generated = "fn f() {\nlet a = 1;\nlet v: Vec<i32> = vec![];\n    v[3];\n}";
        assert_eq!(map_generated_line(generated, 4, cell), Some(3));
        assert_eq!(map_generated_line(generated, 1, cell), None);
    }

    #[test]
    fn repeated_lines_map_by_rank() {
        let cell = "x.f();\ny();\nx.f();";
        let generated = "fn g(){}\nx.f();\ny();\nx.f();";
        assert_eq!(map_generated_line(generated, 2, cell), Some(1));
        assert_eq!(map_generated_line(generated, 4, cell), Some(3));
    }

    #[test]
    fn panic_traceback_points_at_the_cell_line() {
        let report = PanicReport {
            message: "index out of bounds".into(),
            file: "src/lib.rs".into(),
            line: 4,
            column: 5,
            thread: "main".into(),
        };
        let cell = "let a = 1;\nlet v: Vec<i32> = vec![];\nv[3];";
        let generated = "fn f() {\nlet a = 1;\nlet v: Vec<i32> = vec![];\n    v[3];\n}";
        let info = panic(&report, Some(generated), cell);
        assert_eq!(info.ename, "Panic");
        // Column 5 of the generated line, indented by 4, is column 1 of the cell line.
        assert_eq!(info.traceback[0], "panicked at cell line 3, column 1:");
        assert_eq!(info.traceback[1], "  3| v[3];");
    }

    #[test]
    fn lost_variables_are_named() {
        let info = process_lost("Interrupted", "stopped", &["x".into(), "model".into()], &[]);
        assert_eq!(info.ename, "KeyboardInterrupt");
        assert!(info.traceback.iter().any(|l| l == "Variables lost: x, model"));
    }
}
