//! What the kernel reads in a cell before evcxr gets it: an unfinished cell, and a last `let`
//! without its `;`.
//!
//! Left to evcxr, both were reported in terms of its generated wrapper: `1 +` and `let y = {`
//! pointed into `src/lib.rs` and `EvcxrUserCodeError`, and `let z = 5` mentioned
//! `evcxr_variable_store`. The cell is parsed as the body of a function (evcxr's commands, the
//! lines starting with `:`, blanked first) with the parser evcxr itself uses.

use ra_ap_syntax::{ast, AstNode, Edition, SourceFile};

const OPEN: &str = "fn torchbook_cell() {\n";

fn parse_full(code: &str) -> ra_ap_syntax::Parse<SourceFile> {
    // Commands are blanked in place (same length), so offsets stay the cell's.
    let body: String = code
        .split('\n')
        .map(|line| if line.trim_start().starts_with(':') { " ".repeat(line.len()) } else { line.to_owned() })
        .collect::<Vec<_>>()
        .join("\n");
    SourceFile::parse(&format!("{OPEN}{body}\n}}\n"), Edition::Edition2021)
}

fn parse(code: &str) -> SourceFile {
    parse_full(code).tree()
}

/// Why the cell cannot be complete code, when the parser stops at its very end.
///
/// ```
/// use torchbook_kernel::execution::cell_syntax::incomplete;
/// assert!(incomplete("1 +").unwrap().contains("ends in the middle"));
/// assert!(incomplete("let y = {").is_some());
/// assert_eq!(incomplete("let x = 1;\nx + 1"), None);
/// assert_eq!(incomplete(":dep itoa = \"1\"\nitoa::Buffer::new();"), None);
/// ```
pub fn incomplete(code: &str) -> Option<String> {
    let parsed = parse_full(code);
    let end_of_cell = OPEN.len() + code.trim_end().len();
    let at_end = parsed.errors().into_iter().find(|e| usize::from(e.range().start()) >= end_of_cell)?;
    let last_line = code.trim_end().lines().count().max(1);
    Some(format!(
        "the cell ends in the middle of an expression or block (line {last_line}): {at_end}; \
         finish it (close every bracket, give every operator its operand) and run it again"
    ))
}

/// The cell with a `;` after a last `let` that has none (`let z = 5`), which evcxr otherwise
/// reports through its generated code.
///
/// ```
/// use torchbook_kernel::execution::cell_syntax::with_last_let_terminated;
/// assert_eq!(with_last_let_terminated("let z = 5"), Some("let z = 5;".to_owned()));
/// assert_eq!(with_last_let_terminated("let z = 5;"), None);
/// assert_eq!(with_last_let_terminated("let z = 5;\nz"), None);
/// ```
pub fn with_last_let_terminated(code: &str) -> Option<String> {
    let file = parse(code);
    let body = file.syntax().descendants().find_map(ast::StmtList::cast)?;
    if body.tail_expr().is_some() {
        return None;
    }
    let last = body.statements().last()?;
    let ast::Stmt::LetStmt(binding) = last else { return None };
    if binding.semicolon_token().is_some() {
        return None;
    }
    let trimmed = code.trim_end();
    Some(format!("{trimmed};{}", &code[trimmed.len()..]))
}
