//! What the kernel reads in a cell before evcxr gets it: an unfinished cell, a last `let`
//! without its `;`, and a whole program ([`as_program`]).
//!
//! Left to evcxr, both were reported in terms of its generated wrapper: `1 +` and `let y = {`
//! pointed into `src/lib.rs` and `EvcxrUserCodeError`, and `let z = 5` mentioned
//! `evcxr_variable_store`. The cell is parsed as the body of a function (evcxr's commands, the
//! lines starting with `:`, blanked first) with the parser evcxr itself uses.

use ra_ap_syntax::ast::HasName;
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

/// The module a whole-program cell's items are kept in (see [`as_program`]).
pub const PROGRAM_MODULE: &str = "program";

/// Whether `statement` is an item, or a call of one of the cell's own macros (`macros`) in
/// item position (`create_function!(foo);`).
fn item_like(statement: &ast::Stmt, macros: &[String]) -> bool {
    match statement {
        ast::Stmt::Item(_) => true,
        ast::Stmt::ExprStmt(e) => match e.expr() {
            Some(ast::Expr::MacroExpr(m)) => m
                .macro_call()
                .and_then(|c| c.path())
                .is_some_and(|p| p.qualifier().is_none() && macros.contains(&p.syntax().text().to_string())),
            _ => false,
        },
        ast::Stmt::LetStmt(_) => false,
    }
}

/// Where `pub(crate) ` goes on an item that has no visibility: after its attributes and doc
/// comments. `None` for items that take none (`impl`, `macro_rules!`, `use`, macro calls).
fn visibility_point(item: &ast::Item) -> Option<ra_ap_syntax::TextSize> {
    use ast::HasVisibility;
    let has_visibility = match item {
        ast::Item::Fn(i) => i.visibility(),
        ast::Item::Struct(i) => i.visibility(),
        ast::Item::Enum(i) => i.visibility(),
        ast::Item::Union(i) => i.visibility(),
        ast::Item::Const(i) => i.visibility(),
        ast::Item::Static(i) => i.visibility(),
        ast::Item::TypeAlias(i) => i.visibility(),
        ast::Item::Trait(i) => i.visibility(),
        ast::Item::Module(i) => i.visibility(),
        _ => return None,
    }
    .is_some();
    if has_visibility {
        return None;
    }
    item.syntax()
        .children_with_tokens()
        .find(|e| {
            !matches!(
                e.kind(),
                ra_ap_syntax::SyntaxKind::ATTR
                    | ra_ap_syntax::SyntaxKind::COMMENT
                    | ra_ap_syntax::SyntaxKind::WHITESPACE
            )
        })
        .map(|e| e.text_range().start())
}

/// A cell that is a whole program, as a textbook prints one (its items, `fn main` among them,
/// then statements such as `main();`), with its items kept together in `mod program`.
///
/// evcxr keeps every cell's items in one namespace, one item per name. A program pasted into a
/// notebook then broke in four ways that rustc never shows: a later cell's `type Result<T>` or
/// `mod checked` changed the meaning of earlier programs' items; two items of one name under
/// exclusive `cfg`s kept only one of them; a macro call at top level that writes items
/// (`create_function!(foo);`) defined locals; and the macros' order was evcxr's. In one module,
/// the program is one item: compiled as rustc compiles it, whole and in its own order, and
/// replaced by the next program. Its top-level items become `pub(crate)` (so `main` and
/// `program::NAME` can be reached from outside), `crate::` paths inside it lead to
/// `crate::program::`, and `use program::main;` lets the cell's statements (and later cells)
/// call `main()`. Lines stay where they were, so errors point at the cell's own lines.
///
/// `None` when the cell is not such a program: no top-level `fn main`, an item after a
/// statement, or a crate-level `#![...]` attribute.
///
/// ```
/// use torchbook_kernel::execution::cell_syntax::as_program;
/// let cell = "type Result<T> = std::result::Result<T, String>;\nfn main() { let r: Result<u8> = Ok(1); }\nmain();";
/// let program = as_program(cell).unwrap();
/// assert_eq!(program.lines().count(), cell.lines().count());
/// assert!(program.starts_with("mod program { use super::*; pub(crate) type Result<T>"));
/// assert!(program.contains("pub(crate) fn main() { let r: Result<u8> = Ok(1); } } use program::main;\nmain();"));
/// assert_eq!(as_program("fn helper() {}\nhelper();"), None);
/// ```
pub fn as_program(code: &str) -> Option<String> {
    let file = parse(code);
    let body = file.syntax().descendants().find_map(ast::StmtList::cast)?;
    let statements: Vec<ast::Stmt> = body.statements().collect();
    let last_item = statements.iter().rposition(|s| matches!(s, ast::Stmt::Item(_)))?;
    let items = &statements[..=last_item];
    let macros: Vec<String> = items
        .iter()
        .filter_map(|s| match s {
            ast::Stmt::Item(ast::Item::MacroRules(m)) => Some(m.name()?.text().to_string()),
            _ => None,
        })
        .collect();
    if !items.iter().all(|s| item_like(s, &macros)) {
        return None;
    }
    let has_main = items.iter().any(|s| match s {
        ast::Stmt::Item(ast::Item::Fn(f)) => f.name().is_some_and(|n| n.text() == "main"),
        _ => false,
    });
    if !has_main || file.syntax().descendants().filter_map(ast::Attr::cast).any(|a| a.excl_token().is_some())
    {
        return None;
    }
    let offset = ra_ap_syntax::TextSize::of(OPEN);
    let start = items.first()?.syntax().text_range().start();
    let end = items.last()?.syntax().text_range().end();
    let mut insertions: Vec<(ra_ap_syntax::TextSize, String)> = Vec::new();
    for statement in items {
        if let ast::Stmt::Item(item) = statement {
            if let Some(at) = visibility_point(item) {
                insertions.push((at, "pub(crate) ".to_owned()));
            }
        }
        // `crate::x` (a path, a `use` tree, `pub(in crate::x)`) now means `crate::program::x`.
        for path in statement.syntax().descendants().filter_map(ast::Path::cast) {
            let only_crate = path.qualifier().is_none()
                && path.segment().is_some_and(|s| s.crate_token().is_some())
                && path.syntax().text() == "crate";
            let qualifies = path.syntax().parent().is_some_and(|p| {
                ast::Path::can_cast(p.kind())
                    || ast::UseTree::can_cast(p.kind())
                    || ast::Visibility::can_cast(p.kind())
            });
            if only_crate && qualifies {
                insertions.push((path.syntax().text_range().end(), format!("::{PROGRAM_MODULE}")));
            }
        }
    }
    // Last, so that at an equal offset they end up outside what the items received.
    insertions.push((start, format!("mod {PROGRAM_MODULE} {{ use super::*; ")));
    insertions.push((end, format!(" }} use {PROGRAM_MODULE}::main;")));
    insertions.sort_by_key(|(at, _)| std::cmp::Reverse(*at));
    let mut text = code.to_owned();
    for (at, insert) in insertions {
        text.insert_str(usize::from(at - offset), &insert);
    }
    Some(text)
}

#[cfg(test)]
mod program_tests {
    use super::*;

    #[test]
    fn a_program_is_one_module_with_its_cfg_twins_macros_and_crate_paths() {
        let cell = "// a program\n\
            macro_rules! make { ($n:ident) => { fn $n() {} }; }\n\
            make!(foo);\n\
            #[cfg(panic = \"unwind\")]\nfn ah() {}\n#[cfg(not(panic = \"unwind\"))]\nfn ah() {}\n\
            mod checked { pub fn div() {} }\n\
            use crate::checked::div;\n\
            pub struct P;\n\
            impl P { fn f() { crate::checked::div(); } }\n\
            fn main() { foo(); ah(); div(); }\n\
            main();";
        let out = as_program(cell).unwrap();
        assert_eq!(out.lines().count(), cell.lines().count());
        let lines: Vec<&str> = out.lines().collect();
        // A comment before the first item belongs to it.
        assert_eq!(lines[0], "mod program { use super::*; // a program");
        assert!(lines[1].starts_with("macro_rules! make"), "{}", lines[1]);
        assert_eq!(lines[2], "make!(foo);");
        assert_eq!(lines[4], "pub(crate) fn ah() {}");
        assert_eq!(lines[6], "pub(crate) fn ah() {}");
        assert_eq!(lines[7], "pub(crate) mod checked { pub fn div() {} }");
        assert_eq!(lines[8], "use crate::program::checked::div;");
        assert_eq!(lines[9], "pub struct P;");
        assert_eq!(lines[10], "impl P { fn f() { crate::program::checked::div(); } }");
        assert_eq!(lines[11], "pub(crate) fn main() { foo(); ah(); div(); } } use program::main;");
        assert_eq!(lines[12], "main();");
        assert!(parse_full(&out).errors().is_empty(), "{:?}", parse_full(&out).errors());
    }

    #[test]
    fn cells_that_are_not_whole_programs_are_left_to_evcxr() {
        assert_eq!(as_program("let x = 1;\nfn main() {}"), None, "an item after a statement");
        assert_eq!(as_program("fn main() {}\nlet x = 1;\nfn g() {}"), None);
        assert_eq!(as_program("#![allow(unused)]\nfn main() {}"), None);
        assert_eq!(as_program("fn not_main() {}\nnot_main();"), None);
        assert_eq!(
            as_program("println!(\"x\");\nfn main() {}"),
            None,
            "only the cell's own macros are items"
        );
        let program = as_program(":dep itoa = \"1\"\nfn main() {}\nmain();").unwrap();
        assert!(program.starts_with(":dep itoa = \"1\"\nmod program {"), "{program}");
    }
}
