//! Rewrites of the source evcxr generates for a cell, made in the rustc wrapper before it compiles.
//!
//! evcxr writes each cell into `src/lib.rs` of its crate `ctx`, wrapped in code of its own. The
//! wrapper ([`super::rustc_wrapper`]) rewrites three things in that file, on the lines where they
//! are, so every line number evcxr maps errors and panics back with stays right:
//!
//! 1. evcxr's protocol `println!`s (a panic was caught, a `?` returned early, a variable changed
//!    type) call the prelude's `torchbook::cell_link::evcxr_line` instead: printed, they shared stdout
//!    with the cell's text, and a cell that printed the same words was taken for them
//!    ([`super::cell_output`]).
//! 2. The final value's `(EXPR).evcxr_display();` becomes
//!    `gate(true); (&(EXPR)).evcxr_display(); gate(false);`. The gate lets a type's own
//!    `evcxr_display` print evcxr content blocks (evcxr's documented way to show HTML) while
//!    printed text elsewhere never can. The reference makes the receiver a value: the prelude's
//!    `Debug` display takes `&mut self` (so that rich displays, `&self`, win), and on a place
//!    such as `v[0]` that asked for `v` to be mutable.
//!
//! 3. When the final value's `evcxr_display()` does not compile (the expression moves a stored
//!    variable, or uses `?`), evcxr compiles the cell again with a fallback that defines
//!    `fn evcxr_send_text_plain` and prints the value's `Debug` text as an
//!    `EVCXR_BEGIN_CONTENT text/plain` block. That function's body becomes a call to
//!    `torchbook::cell_link::evcxr_text_plain`, which sends the text as the cell's result: printed,
//!    the block was framed as the cell's own text and shown as such, with no `execute_result`.
//!
//! 4. evcxr keeps a notebook's items in a hash map and writes them out in its order, which
//!    changes from one kernel to the next; a `macro_rules!` macro is only visible to code written
//!    after it, so a cell's function using the cell's macro failed in some kernels ("cannot find
//!    macro"). A copy of every top-level `macro_rules!`, on one line and in the order of the file,
//!    goes right after the crate's inner attributes (on their line), so every item sees it;
//!    copies and originals are marked `#[allow(unused_macros)]`.
//!
//! 5. Each cell starts by forgetting an interrupt meant for an earlier one
//!    (`torchbook::interrupt::cell_started()` at the top of evcxr's entry point) and taking its
//!    share of the cores (`torchbook::threads::cell_started()`, given back by
//!    `threads::cell_ended()` where the entry point returns), and each loop
//!    body of the cell starts with `torchbook::interrupt::loop_check()`: one relaxed atomic load,
//!    which panics once an interrupt has waited a second without being taken by
//!    `check_interrupt()`. The panic unwinds to evcxr's `catch_unwind`, so a tight loop stops
//!    with every earlier variable kept, where before its process was killed. Loops in `const`
//!    and `extern` functions (where a panic cannot unwind) and in evcxr's own module are left
//!    alone.
//!
//! 6. Before each of evcxr's `evcxr_variable_store.put_variable::<T>(stringify!(x), x);` (a
//!    variable the cell leaves), a capture of `x` for the debugger's variables panel
//!    (`torchbook::variables`, which picks the value's text by its type at this call site),
//!    unless the cell's code never names `x` and its type can only change where named
//!    ([`changes_only_where_named`]: numbers, strings, std's collections of them), and
//!    before the entry point returns, `torchbook::variables::cell_ended()`, which sends them to
//!    the kernel in one message. `TORCHBOOK_VARIABLES=0` in the kernel's environment leaves
//!    them out (the benchmark's "before").
//!
//! Only cells that see the prelude (`--extern torchbook`) are rewritten.

use ra_ap_syntax::ast::{HasArgList, HasGenericArgs, HasLoopBody, HasName};
use ra_ap_syntax::{ast, AstNode, Edition, SourceFile, SyntaxNode, TextRange, TextSize};

const LINK: &str = "::torchbook::cell_link";

/// evcxr 0.22's protocol prints, and what each becomes.
fn protocol_prints() -> [(&'static str, String); 3] {
    [
        (
            r#"println!("EVCXR_PANIC_NOTIFICATION");"#,
            format!(r#"{LINK}::evcxr_line("EVCXR_PANIC_NOTIFICATION");"#),
        ),
        (
            r#"println!("{}", evcxr_internal_runtime::USER_ERROR_OCCURRED);"#,
            format!("{LINK}::evcxr_line(evcxr_internal_runtime::USER_ERROR_OCCURRED);"),
        ),
        (
            r#"println!("{VARIABLE_CHANGED_TYPE}{name}");"#,
            format!(r#"{LINK}::evcxr_line(&format!("{{VARIABLE_CHANGED_TYPE}}{{name}}"));"#),
        ),
    ]
}

/// evcxr's runtime module uses a let chain, which only edition 2024 accepts; the same test on
/// the same lines for every edition.
const LET_CHAIN: (&str, &str) = (
    "if let Some(v) = self.variables.get(name)\n            && v.downcast_ref::<T>().is_none()\n",
    "if let Some(v) = self.variables.get(name)\n            .filter(|v| v.downcast_ref::<T>().is_none())\n",
);

/// The edition cells compile with unless the notebook asks for another (`:edition 2024`):
/// tch's documentation and examples are edition 2021, where `fn net(vs: &nn::Path) -> impl
/// Module` does not capture the path's lifetime and `net(&vs.root())` compiles (in 2024 it is
/// E0716).
pub const DEFAULT_EDITION: &str = "2021";

/// The file in the cell crate's directory that holds the edition `:edition` chose.
pub const EDITION_FILE: &str = ".torchbook-edition";

/// Text inserted at an offset of the original source.
struct Insertion {
    at: TextSize,
    text: String,
}

/// The final-value display evcxr generates: `(\nEXPR\n).evcxr_display();`, the parentheses on
/// lines of their own. A call the user wrote is not one (its receiver is not so laid out).
fn final_displays(file: &SourceFile) -> Vec<(TextRange, TextRange)> {
    file.syntax()
        .descendants()
        .filter_map(ast::MethodCallExpr::cast)
        .filter(|call| call.name_ref().is_some_and(|n| n.text() == "evcxr_display"))
        .filter_map(|call| {
            let ast::Expr::ParenExpr(receiver) = call.receiver()? else { return None };
            let text = receiver.syntax().text().to_string();
            if !(text.starts_with("(\n") && text.ends_with("\n)")) {
                return None;
            }
            let statement = call.syntax().parent().and_then(ast::ExprStmt::cast)?;
            Some((statement.syntax().text_range(), receiver.syntax().text_range()))
        })
        .collect()
}

/// Where the top of a block's braces is, for an insertion just inside it.
fn after_open_brace(block: &ast::BlockExpr) -> Option<TextSize> {
    Some(block.stmt_list()?.l_curly_token()?.text_range().end())
}

/// Whether a panic raised at `node` could not unwind, or `node` is evcxr's own code.
fn must_not_panic_at(node: &SyntaxNode) -> bool {
    for a in node.ancestors() {
        // The cell's code runs in a closure that evcxr calls inside `catch_unwind`, within its
        // `extern "C"` entry point: the nearest function or closure decides.
        if ast::ClosureExpr::can_cast(a.kind()) {
            return false;
        }
        if let Some(f) = ast::Fn::cast(a.clone()) {
            return f.const_token().is_some() || f.abi().is_some();
        }
        if let Some(m) = ast::Module::cast(a.clone()) {
            if m.name().is_some_and(|n| n.text() == "evcxr_internal_runtime") {
                return true;
            }
        }
        if ast::Const::can_cast(a.kind()) || ast::Static::can_cast(a.kind()) {
            return true;
        }
    }
    false
}

/// A top-level `macro_rules!` on one line: comments and line breaks become spaces. `None` when a
/// token itself spans lines (a multi-line string literal), which cannot be put on one line.
fn one_line_macro(m: &ast::MacroRules) -> Option<String> {
    let name = m.name()?;
    let body = m.token_tree()?;
    let mut text = format!("#[allow(unused_macros)] macro_rules! {} ", name.text());
    for token in body.syntax().descendants_with_tokens().filter_map(|e| e.into_token()) {
        match token.kind() {
            ra_ap_syntax::SyntaxKind::WHITESPACE | ra_ap_syntax::SyntaxKind::COMMENT => text.push(' '),
            _ if token.text().contains('\n') => return None,
            _ => text.push_str(token.text()),
        }
    }
    if !body.syntax().text().to_string().starts_with('{') {
        text.push(';');
    }
    Some(text)
}

/// The insertions of item 4 of the module documentation.
fn hoisted_macros(file: &SourceFile) -> Vec<Insertion> {
    let macros: Vec<ast::MacroRules> = file.syntax().children().filter_map(ast::MacroRules::cast).collect();
    let copies: Vec<String> = macros.iter().filter_map(one_line_macro).collect();
    if copies.is_empty() {
        return Vec::new();
    }
    let at = file.syntax().children().filter_map(ast::Attr::cast).filter(|a| a.excl_token().is_some()).last();
    let at = at.map_or(TextSize::from(0), |a| a.syntax().text_range().end());
    let mut insertions = vec![Insertion { at, text: format!(" {} ", copies.join(" ")) }];
    for m in &macros {
        insertions.push(Insertion {
            at: m.syntax().text_range().start(),
            text: "#[allow(unused_macros)] ".to_owned(),
        });
    }
    insertions
}

/// The name of the function evcxr's fallback display defines and calls.
const SEND_TEXT_PLAIN: &str = "evcxr_send_text_plain";

/// Replaces the body of evcxr's `fn evcxr_send_text_plain(text: &str)` (see the module
/// documentation) with a call into the prelude, keeping the lines the body spanned.
fn send_text_plain_through_prelude(text: &mut String) {
    let file = SourceFile::parse(text, Edition::Edition2024).tree();
    let mut bodies: Vec<TextRange> = file
        .syntax()
        .descendants()
        .filter_map(ast::Fn::cast)
        .filter(|f| f.name().is_some_and(|n| n.text() == SEND_TEXT_PLAIN))
        .filter(|f| f.param_list().is_some_and(|p| p.params().count() == 1))
        .filter_map(|f| Some(f.body()?.syntax().text_range()))
        .collect();
    bodies.sort_by_key(|r| std::cmp::Reverse(r.start()));
    for body in bodies {
        let range = usize::from(body.start())..usize::from(body.end());
        let newlines = text[range.clone()].matches('\n').count();
        let call = format!("{{ {LINK}::evcxr_text_plain(text); }}{}", "\n".repeat(newlines));
        text.replace_range(range, &call);
    }
}

/// The environment variable that, set to `0`, turns the variables panel's captures off.
pub const CAPTURE_ENV: &str = "TORCHBOOK_VARIABLES";

/// Captures for the variables panel (item 6 of the module documentation): one before each of
/// evcxr's `put_variable` statements, and the send before each entry point's final
/// `evcxr_variable_store`.
fn variable_captures(file: &SourceFile) -> Vec<Insertion> {
    let mut insertions = Vec::new();
    let entries = file
        .syntax()
        .descendants()
        .filter_map(ast::Fn::cast)
        .filter(|f| f.name().is_some_and(|n| n.text().starts_with("run_user_code_")));
    for entry in entries {
        let Some(body) = entry.body() else { continue };
        let named = names_in_user_code(&body);
        for call in body.syntax().descendants().filter_map(ast::MethodCallExpr::cast) {
            let receiver_is_store =
                call.receiver().is_some_and(|r| r.syntax().text() == "evcxr_variable_store");
            if !receiver_is_store || call.name_ref().is_none_or(|n| n.text() != "put_variable") {
                continue;
            }
            let Some(ty) = call.generic_arg_list().and_then(|g| g.generic_args().next()) else { continue };
            let Some(value) = call.arg_list().and_then(|a| a.args().nth(1)) else { continue };
            let Some(statement) = call.syntax().parent().and_then(ast::ExprStmt::cast) else { continue };
            let name = value.syntax().text().to_string();
            let type_name = ty.syntax().text().to_string();
            if !named.contains(name.as_str()) && changes_only_where_named(&type_name) {
                // The kernel keeps what an earlier cell captured (execution::variables).
                continue;
            }
            insertions.push(Insertion {
                at: statement.syntax().text_range().start(),
                text: format!(
                    "{{ use ::torchbook::variables::probe::*; \
                     (&&&Probe(&{name})).torchbook_capture(stringify!({name}), {type_name:?}); }} "
                ),
            });
        }
        if let Some(at) = entry_end(&body) {
            insertions.push(Insertion { at, text: "::torchbook::variables::cell_ended(); ".to_owned() });
        }
    }
    insertions
}

/// Every identifier the cell's own code in an entry point uses: its tokens, less evcxr's
/// statements that take and put the stored variables (`let mut n =
/// evcxr_variable_store.take_variable::<T>(..)`, `evcxr_variable_store.put_variable::<T>(..)`).
/// Identifiers inside macro calls count, so `v.push(1)` inside `for` or `vec![x; 3]` names them.
fn names_in_user_code(body: &ast::BlockExpr) -> std::collections::HashSet<String> {
    let store_calls: Vec<TextRange> = body
        .syntax()
        .descendants()
        .filter_map(ast::MethodCallExpr::cast)
        .filter(|call| call.receiver().is_some_and(|r| r.syntax().text() == "evcxr_variable_store"))
        .map(|call| match call.syntax().parent().and_then(ast::LetStmt::cast) {
            Some(binding) => binding.syntax().text_range(),
            None => call.syntax().text_range(),
        })
        .collect();
    body.syntax()
        .descendants_with_tokens()
        .filter_map(|element| element.into_token())
        .filter(|token| token.kind() == ra_ap_syntax::SyntaxKind::IDENT)
        .filter(|token| !store_calls.iter().any(|range| range.contains_range(token.text_range())))
        .map(|token| token.text().to_owned())
        .collect()
}

/// Whether a stored variable of this type (as evcxr writes it) can change only in a cell that
/// names it: numbers, `bool`, `char`, strings and std's owned collections, `Option`, `Result`,
/// `Box`, tuples and arrays of those. They have no shared ownership or interior mutability, so
/// a cell that does not name such a variable leaves its value, and its capture, as they were.
/// Anything else (a `Tensor`, which a shallow clone changes; `Rc<RefCell<_>>`, a widget, a
/// struct of the user's) is captured after every cell.
///
/// ```
/// use torchbook_kernel::execution::cell_source::changes_only_where_named;
/// assert!(changes_only_where_named("std::collections::HashMap<String, Vec<(f64, [i32; 3])>>"));
/// assert!(changes_only_where_named("&'static str"));
/// assert!(!changes_only_where_named("Tensor"));
/// assert!(!changes_only_where_named("Vec<std::rc::Rc<std::cell::RefCell<i32>>>"));
/// assert!(!changes_only_where_named("&'static mut Vec<i32>"));
/// ```
pub fn changes_only_where_named(type_name: &str) -> bool {
    const OWNED: &[&str] = &[
        "i8",
        "i16",
        "i32",
        "i64",
        "i128",
        "isize",
        "u8",
        "u16",
        "u32",
        "u64",
        "u128",
        "usize",
        "f32",
        "f64",
        "bool",
        "char",
        "str",
        "String",
        "Vec",
        "VecDeque",
        "HashMap",
        "BTreeMap",
        "HashSet",
        "BTreeSet",
        "Option",
        "Result",
        "Box",
        "std",
        "alloc",
        "core",
        "collections",
        "string",
        "vec",
        "option",
        "result",
        "boxed",
        "static",
    ];
    let punctuation_only =
        type_name.chars().all(|c| c.is_alphanumeric() || c == '_' || "<>()[];,:&' ".contains(c));
    punctuation_only
        && type_name
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .filter(|word| !word.is_empty() && !word.chars().all(|c| c.is_ascii_digit()))
            .all(|word| OWNED.contains(&word))
}

/// Where an entry point returns: its final `evcxr_variable_store`.
fn entry_end(body: &ast::BlockExpr) -> Option<TextSize> {
    let tail = body.stmt_list()?.tail_expr()?;
    (tail.syntax().text() == "evcxr_variable_store").then(|| tail.syntax().text_range().start())
}

/// The tops of evcxr's entry points (`run_user_code_N`) and of every loop body.
fn interrupt_points(file: &SourceFile) -> (Vec<TextSize>, Vec<TextSize>) {
    let entries = file
        .syntax()
        .descendants()
        .filter_map(ast::Fn::cast)
        .filter(|f| f.name().is_some_and(|n| n.text().starts_with("run_user_code_")))
        .filter_map(|f| after_open_brace(&f.body()?))
        .collect();
    let bodies = file.syntax().descendants().filter_map(|node| {
        let body = if let Some(l) = ast::LoopExpr::cast(node.clone()) {
            l.loop_body()
        } else if let Some(w) = ast::WhileExpr::cast(node.clone()) {
            w.loop_body()
        } else if let Some(f) = ast::ForExpr::cast(node.clone()) {
            f.loop_body()
        } else {
            None
        }?;
        if must_not_panic_at(&node) {
            return None;
        }
        after_open_brace(&body)
    });
    (entries, bodies.collect())
}

/// The rewritten source (see the module documentation).
///
/// ```
/// use torchbook_kernel::execution::cell_source::rewrite;
/// let generated = "fn run() {\nlet v = vec![1];\n(\nv[0]\n).evcxr_display();\n}\n";
/// let rewritten = rewrite(generated);
/// assert_eq!(rewritten.lines().count(), generated.lines().count());
/// assert!(rewritten.contains("::torchbook::cell_link::gate(true); (&(\nv[0]\n)).evcxr_display();"));
/// ```
pub fn rewrite(source: &str) -> String {
    rewrite_with(source, &Rewrite::default())
}

/// What [`rewrite_with`] does beyond the fixed rewrites.
///
/// ```
/// let r = torchbook_kernel::execution::cell_source::Rewrite::default();
/// assert!(r.borrow_final && r.capture_variables);
/// ```
#[derive(Debug, Clone)]
pub struct Rewrite {
    /// Borrow a final value that is a place (off while `:types` is on, see [`TYPES_FILE`]).
    pub borrow_final: bool,
    /// Capture the cell's variables for the variables panel (off with [`CAPTURE_ENV`]`=0`).
    pub capture_variables: bool,
}

impl Default for Rewrite {
    fn default() -> Self {
        Rewrite { borrow_final: true, capture_variables: true }
    }
}

/// The file in the cell crate's directory that says `:types` is on: the final value is then not
/// borrowed, so its type shows as written (`Option<f64>`, not `&Option<f64>`).
pub const TYPES_FILE: &str = ".torchbook-types";

/// [`rewrite`], with the choices of `options`.
pub fn rewrite_with(source: &str, options: &Rewrite) -> String {
    let borrow_final = options.borrow_final;
    let mut text = source.to_owned();
    for (from, to) in protocol_prints() {
        text = text.replace(from, &to);
    }
    text = text.replace(LET_CHAIN.0, LET_CHAIN.1);
    send_text_plain_through_prelude(&mut text);
    let file = SourceFile::parse(&text, Edition::Edition2024).tree();
    let mut insertions = Vec::new();
    for (statement, receiver) in final_displays(&file) {
        insertions.push(Insertion { at: statement.start(), text: format!("{LINK}::gate(true); ") });
        // Only a place (`v[0]`, `p.x`, `name`) needs the borrow; a value (a call, `println!`)
        // keeps its type, so `()` stays unshown.
        let is_place = file
            .syntax()
            .covering_element(receiver)
            .into_node()
            .and_then(ast::ParenExpr::cast)
            .and_then(|p| p.expr())
            .is_some_and(|e| {
                matches!(e, ast::Expr::IndexExpr(_) | ast::Expr::FieldExpr(_) | ast::Expr::PathExpr(_))
            });
        if borrow_final && is_place {
            insertions.push(Insertion { at: receiver.start() + TextSize::from(1), text: "&(".to_owned() });
            insertions.push(Insertion { at: receiver.end(), text: ")".to_owned() });
        }
        insertions.push(Insertion { at: statement.end(), text: format!(" {LINK}::gate(false);") });
    }
    insertions.extend(hoisted_macros(&file));
    if options.capture_variables {
        insertions.extend(variable_captures(&file));
    }
    // The cell's share of the cores is given back where it ends (torchbook::threads).
    let ends: Vec<TextSize> = file
        .syntax()
        .descendants()
        .filter_map(ast::Fn::cast)
        .filter(|f| f.name().is_some_and(|n| n.text().starts_with("run_user_code_")))
        .filter_map(|f| entry_end(&f.body()?))
        .collect();
    for at in ends {
        insertions.push(Insertion { at, text: "::torchbook::threads::cell_ended(); ".to_owned() });
    }
    let (entries, loops) = interrupt_points(&file);
    for at in entries {
        insertions.push(Insertion {
            at,
            text: " ::torchbook::interrupt::cell_started(); ::torchbook::threads::cell_started();".to_owned(),
        });
    }
    for at in loops {
        insertions.push(Insertion { at, text: " ::torchbook::interrupt::loop_check();".to_owned() });
    }
    insertions.sort_by_key(|i| std::cmp::Reverse(i.at));
    for insertion in insertions {
        text.insert_str(usize::from(insertion.at), &insertion.text);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shape evcxr 0.22 generates (copied from a kernel's `src/lib.rs`, trimmed).
    const GENERATED: &str = r#"struct EvcxrUserCodeError {}
impl<T: std::fmt::Display> From<T> for EvcxrUserCodeError {
    fn from(error: T) -> Self {
        eprintln!("{}", error);
        println!("{}", evcxr_internal_runtime::USER_ERROR_OCCURRED);
        EvcxrUserCodeError {}
    }
}
mod evcxr_internal_runtime {
    pub fn check_variable<T: 'static>(&mut self, name: &str) -> bool {
        if let Some(v) = self.variables.get(name)
            && v.downcast_ref::<T>().is_none()
        {
            println!("{VARIABLE_CHANGED_TYPE}{name}");
        }
    }
}
const fn c() { loop {} }
extern "C" fn callback() { while true {} }
fn user_fn() { for i in 0..3 { let _ = i; } }
pub extern "C" fn run_user_code_3(s: *mut u8) -> *mut u8 {
match std::panic::catch_unwind(
  std::panic::AssertUnwindSafe(||{
let v = vec![String::new()];
loop { break; }
m.evcxr_display();
(
v[0]
).evcxr_display();
})) {
  Ok(_) => {}
  Err(_) => {
    println!("EVCXR_PANIC_NOTIFICATION");
}}
s
}
"#;

    /// evcxr 0.22's entry point for a cell `let mut v = vec![1]; v.push(2);` after `let n = 3;`
    /// (from a kernel's `src/lib.rs`, trimmed).
    const STORING: &str = "pub extern \"C\" fn run_user_code_5(
mut evcxr_variable_store: *mut evcxr_internal_runtime::VariableStore)
  -> *mut evcxr_internal_runtime::VariableStore {
let mut n = evcxr_variable_store.take_variable::<i32>(stringify!(n));
match std::panic::catch_unwind(
  std::panic::AssertUnwindSafe(||{
let mut v = vec![1]; v.push(2);
evcxr_variable_store.put_variable::<Vec<i32>>(stringify!(v), v);
})) {
  Ok(_) => {}
  Err(_) => {}}
evcxr_variable_store.put_variable::<i32>(stringify!(n), n);
evcxr_variable_store
}
";

    #[test]
    fn every_stored_variable_is_captured_and_sent_when_the_cell_ends_on_the_same_lines() {
        let out = rewrite(STORING);
        assert_eq!(out.lines().count(), STORING.lines().count());
        assert!(out.contains(
            "{ use ::torchbook::variables::probe::*; (&&&Probe(&v)).torchbook_capture(stringify!(v), \"Vec<i32>\"); } \
             evcxr_variable_store.put_variable::<Vec<i32>>(stringify!(v), v);"
        ), "{out}");
        // `n` is an `i32` the cell does not name: its earlier capture still holds.
        assert!(!out.contains("Probe(&n)"), "{out}");
        assert!(out.contains("::torchbook::variables::cell_ended(); evcxr_variable_store\n}"), "{out}");
        let naming_n = STORING.replace("v.push(2);", "v.push(n);");
        assert!(rewrite(&naming_n).contains(
            "(&&&Probe(&n)).torchbook_capture(stringify!(n), \"i32\"); } evcxr_variable_store.put"
        ));
        // A tensor can change without being named (a shallow clone's in-place change).
        let tensor = STORING.replace("::<i32>", "::<Tensor>");
        assert!(rewrite(&tensor).contains("(&&&Probe(&n)).torchbook_capture(stringify!(n), \"Tensor\");"));
        assert!(out.contains("\n::torchbook::threads::cell_ended(); "), "{out}");
        let off = rewrite_with(STORING, &Rewrite { capture_variables: false, ..Rewrite::default() });
        assert!(!off.contains("torchbook_capture") && !off.contains("variables::cell_ended"));
        assert!(
            off.contains("::torchbook::threads::cell_ended(); evcxr_variable_store"),
            "the cores are given back"
        );
    }

    #[test]
    fn protocol_prints_go_through_the_prelude_and_lines_stay_put() {
        let out = rewrite(GENERATED);
        assert_eq!(out.lines().count(), GENERATED.lines().count());
        assert!(!out.contains("println!(\"EVCXR_PANIC_NOTIFICATION\")"));
        assert!(out.contains("::torchbook::cell_link::evcxr_line(\"EVCXR_PANIC_NOTIFICATION\");"));
        assert!(
            out.contains("::torchbook::cell_link::evcxr_line(evcxr_internal_runtime::USER_ERROR_OCCURRED);")
        );
        assert!(
            out.contains(r#"::torchbook::cell_link::evcxr_line(&format!("{VARIABLE_CHANGED_TYPE}{name}"));"#)
        );
        // Every line that held user code is unchanged.
        for line in ["let v = vec![String::new()];", "v[0]", "m.evcxr_display();"] {
            assert!(out.lines().any(|l| l == line), "{line}");
        }
    }

    #[test]
    fn the_let_chain_of_evcxrs_runtime_becomes_a_filter_on_the_same_lines() {
        let out = rewrite(GENERATED);
        assert!(!out.contains("&& v.downcast_ref"));
        assert!(out.contains(".filter(|v| v.downcast_ref::<T>().is_none())"));
        assert_eq!(out.lines().count(), GENERATED.lines().count());
    }

    #[test]
    fn cells_forget_old_interrupts_and_loops_can_be_stopped_where_a_panic_unwinds() {
        let out = rewrite(GENERATED);
        assert!(out
            .contains("fn run_user_code_3(s: *mut u8) -> *mut u8 { ::torchbook::interrupt::cell_started();"));
        assert!(out.contains("for i in 0..3 { ::torchbook::interrupt::loop_check(); let _ = i; }"));
        assert!(out.contains("const fn c() { loop {} }"), "a const fn cannot call it");
        assert!(out.contains("while true {} }"), "a panic cannot unwind out of an extern \"C\" fn");
        assert!(out.contains("loop { ::torchbook::interrupt::loop_check(); break; }"));
        assert_eq!(out.matches("loop_check").count(), 2);
    }

    /// evcxr 0.22's fallback display, as its `stringify!` writes it (one line), and the value.
    const FALLBACK: &str = "pub extern \"C\" fn run_user_code_4(s: *mut u8) -> *mut u8 {\n\
        fn evcxr_send_text_plain(text : & str)\n{ use std :: io :: Write; output.write_all(b\"EVCXR_BEGIN_CONTENT text/plain\\n\") ? ; }\
        evcxr_send_text_plain(&format!(\"{:?}\",&(\na.unwrap()\n)));\ns\n}\n";

    #[test]
    fn the_fallback_display_sends_its_text_as_the_result_on_the_same_lines() {
        let out = rewrite(FALLBACK);
        assert_eq!(out.lines().count(), FALLBACK.lines().count());
        assert!(!out.contains("EVCXR_BEGIN_CONTENT"), "{out}");
        assert!(out.contains(
            "fn evcxr_send_text_plain(text : & str)\n{ ::torchbook::cell_link::evcxr_text_plain(text); }"
        ));
        assert!(out.contains("a.unwrap()"));
    }

    #[test]
    fn macros_are_visible_to_every_item_whatever_order_evcxr_wrote_them_in() {
        let generated = "#![allow(unused_imports, unused_mut, dead_code)]\n#![feature(x)]\n\
            fn f() -> u32 { twice!(2) }\n\
            /// Doubles.\n#[macro_export]\nmacro_rules! twice {\n    // one arm\n    ($e:expr) => { $e * 2 };\n}\n\
            macro_rules! unit ( () => { () } );\n";
        let out = rewrite(generated);
        assert_eq!(out.lines().count(), generated.lines().count());
        let second = out.lines().nth(1).unwrap();
        assert!(
            second.starts_with("#![feature(x)] #[allow(unused_macros)] macro_rules! twice {"),
            "{second}"
        );
        assert!(second.contains("($e:expr)=>{$e*2};") || second.contains("$e * 2"), "{second}");
        assert!(!second.contains("one arm") && !second.contains("macro_export"), "{second}");
        assert!(second.ends_with("macro_rules! unit ( () => { () } ); "), "{second}");
        assert!(
            out.contains("#[allow(unused_macros)] /// Doubles.\n#[macro_export]\nmacro_rules! twice {"),
            "{out}"
        );
        assert!(out.contains("#[allow(unused_macros)] macro_rules! unit ( ()"), "{out}");
        let parsed = SourceFile::parse(&out, Edition::Edition2021);
        assert!(parsed.errors().is_empty(), "{:?}\n{out}", parsed.errors());
    }

    #[test]
    fn only_the_generated_final_display_is_gated_and_borrowed() {
        let out = rewrite(GENERATED);
        assert_eq!(out.matches("gate(true)").count(), 1);
        assert_eq!(out.lines().count(), GENERATED.lines().count());
        assert!(out.contains(
            "::torchbook::cell_link::gate(true); (&(\nv[0]\n)).evcxr_display(); ::torchbook::cell_link::gate(false);"
        ));
    }
}
