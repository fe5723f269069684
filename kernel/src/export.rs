//! `torchbook-kernel export NOTEBOOK --crate DIR`: a notebook as a Cargo program.
//!
//! Each code cell is parsed with rust-analyzer's parser as the body of a function: its items
//! (`fn`, `struct`, `impl`, `use`, `const`, ...) go to the top of `src/main.rs`, its statements
//! into `main` in cell order, and its final expression is shown as the kernel shows it as text
//! (rich forms, a chart's SVG or a table's HTML, go to numbered files in `outputs/`, see
//! `torchbook::program`). `:dep` lines become dependencies and `:edition` the crate's edition;
//! evcxr's other commands have no meaning in a program and become comments. A cell tagged
//! `skip-ci` is left out, one tagged `gpu` runs only when CUDA is available, and one tagged
//! `raises-exception` must panic; the variables these last two define stay inside them (in the
//! kernel a panicking cell's new variables are dropped too). That is how tests/test_notebooks.py
//! treats the same tags.

use anyhow::{bail, Context, Result};
use ra_ap_syntax::ast::HasModuleItem;
use ra_ap_syntax::{ast, AstNode, Edition};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// What the exporter made of a notebook.
#[derive(Debug, Default, PartialEq)]
pub struct Program {
    /// Items, each with the cell it came from.
    pub items: Vec<(usize, String)>,
    /// The body of `main`.
    pub main: String,
    /// Lines for `[dependencies]` from `:dep`.
    pub dependencies: Vec<String>,
    /// The edition (`:edition`, else 2021 as in the kernel).
    pub edition: String,
}

fn tags(cell: &serde_json::Value) -> Vec<String> {
    cell["metadata"]["tags"]
        .as_array()
        .map(|t| t.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

fn source(cell: &serde_json::Value) -> String {
    match &cell["source"] {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Array(lines) => lines.iter().filter_map(|l| l.as_str()).collect(),
        _ => String::new(),
    }
}

/// The name an item defines, for finding two cells that define the same one.
fn item_key(item: &ast::Item) -> Option<String> {
    use ast::HasName;
    let (kind, name) = match item {
        ast::Item::Fn(f) => ("fn", f.name()),
        ast::Item::Struct(s) => ("type", s.name()),
        ast::Item::Enum(e) => ("type", e.name()),
        ast::Item::Trait(t) => ("trait", t.name()),
        ast::Item::Const(c) => ("value", c.name()),
        ast::Item::Static(s) => ("value", s.name()),
        ast::Item::TypeAlias(t) => ("type", t.name()),
        ast::Item::Module(m) => ("mod", m.name()),
        _ => return None,
    };
    Some(format!("{kind} {}", name?.text()))
}

/// Turns the cells of a notebook (its JSON) into a program.
///
/// ```
/// let nb = serde_json::json!({"cells": [
///     {"cell_type": "code", "metadata": {}, "source": ":dep rand = \"0.8\"\nfn two() -> i32 { 2 }\nlet x = two();\nx + 1"},
///     {"cell_type": "code", "metadata": {"tags": ["raises-exception"]}, "source": "panic!(\"no\")"},
///     {"cell_type": "code", "metadata": {"tags": ["skip-ci"]}, "source": "loop {}"},
/// ]});
/// let p = torchbook_kernel::export::program(&nb).unwrap();
/// assert_eq!(p.items, vec![(1, "fn two() -> i32 { 2 }".to_owned())]);
/// assert_eq!(p.dependencies, vec!["rand = \"0.8\"".to_owned()]);
/// assert!(p.main.contains("let x = two();"));
/// assert!(p.main.contains("let mut shown = &(x + 1);"));
/// assert!(p.main.contains("catch_unwind"));
/// assert!(!p.main.contains("loop {}"));
/// ```
pub fn program(notebook: &serde_json::Value) -> Result<Program> {
    let cells = notebook["cells"].as_array().context("the notebook has no `cells` list")?;
    let mut out = Program { edition: "2021".to_owned(), ..Default::default() };
    let mut defined: BTreeMap<String, usize> = BTreeMap::new();
    let mut number = 0;
    for cell in cells.iter().filter(|c| c["cell_type"] == "code") {
        number += 1;
        let tags = tags(cell);
        let text = source(cell);
        if tags.iter().any(|t| t == "skip-ci") {
            let _ = writeln!(out.main, "    // cell {number}: tagged skip-ci, not exported");
            continue;
        }
        let mut code = String::new();
        for line in text.lines() {
            let command = line.trim_start();
            if let Some(dep) = command.strip_prefix(":dep ") {
                let dep = dep.trim();
                out.dependencies.push(if dep.contains('=') {
                    dep.to_owned()
                } else {
                    format!("{dep} = \"*\"")
                });
            } else if let Some(edition) = command.strip_prefix(":edition ") {
                out.edition = edition.trim().to_owned();
            } else if command.starts_with(':') {
                let _ = writeln!(code, "// {command} (an evcxr command; nothing to do in a program)");
            } else {
                code.push_str(line);
                code.push('\n');
            }
        }
        let wrapped = format!("fn __cell() {{\n{code}\n}}");
        let parse = ast::SourceFile::parse(&wrapped, Edition::Edition2021);
        if let Some(e) = parse.errors().first() {
            bail!("cell {number} does not parse as Rust: {e}");
        }
        let file = parse.tree();
        let body = file
            .items()
            .find_map(|i| match i {
                ast::Item::Fn(f) => f.body(),
                _ => None,
            })
            .and_then(|b| b.stmt_list())
            .with_context(|| format!("cell {number}: no statements found"))?;
        let mut statements = String::new();
        for stmt in body.statements() {
            match stmt {
                ast::Stmt::Item(item) => {
                    if let Some(key) = item_key(&item) {
                        if let Some(first) = defined.insert(key.clone(), number) {
                            bail!(
                                "{key} is defined in cell {first} and again in cell {number}; a program has one \
                                 definition of each name (rename one, or delete the older cell)"
                            );
                        }
                    }
                    out.items.push((number, item.syntax().text().to_string()));
                }
                other => {
                    let _ = writeln!(statements, "    {}", other.syntax().text());
                }
            }
        }
        if let Some(tail) = body.tail_expr() {
            // As the kernel shows a final value: its own display if it has one, else Debug.
            let _ = writeln!(
                statements,
                "    {{\n        let mut shown = &({});\n        shown.evcxr_display();\n    }}",
                tail.syntax().text()
            );
        }
        let _ = writeln!(out.main, "    // cell {number}");
        if tags.iter().any(|t| t == "gpu") {
            // As the notebook test runner: run only where a GPU is.
            let _ = writeln!(out.main, "    if tch::Cuda::is_available() {{\n{statements}    }}");
        } else if tags.iter().any(|t| t == "raises-exception") {
            let _ = writeln!(
                out.main,
                "    let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {{\n{statements}    }})).is_err();\n    assert!(failed, \"cell {number} is tagged raises-exception but did not fail\");"
            );
        } else {
            out.main.push_str(&statements);
        }
    }
    Ok(out)
}

/// The crate's name for a notebook file (`00_tour.ipynb` gives `nb_00_tour`).
///
/// ```
/// assert_eq!(torchbook_kernel::export::crate_name(std::path::Path::new("n/00_tour.ipynb")), "nb_00_tour");
/// ```
pub fn crate_name(notebook: &Path) -> String {
    let stem = notebook.file_stem().and_then(|s| s.to_str()).unwrap_or("notebook");
    let clean: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect();
    format!("nb_{clean}")
}

/// Writes `dir/Cargo.toml`, `dir/src/main.rs` for `notebook`, using the prelude at `prelude`.
/// Below a directory whose `Cargo.toml` has a `[workspace]`, the crate is left to join it;
/// otherwise it is a workspace of its own.
pub fn write_crate(notebook: &Path, dir: &Path, prelude: &Path) -> Result<PathBuf> {
    let text =
        std::fs::read_to_string(notebook).with_context(|| format!("reading {}", notebook.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a notebook (JSON)", notebook.display()))?;
    let program = program(&json).with_context(|| format!("exporting {}", notebook.display()))?;
    let name = crate_name(notebook);
    std::fs::create_dir_all(dir.join("src")).with_context(|| format!("creating {}", dir.display()))?;
    let prelude = std::path::absolute(prelude)?;
    // As cargo looks for a crate's workspace: in every directory above it.
    let dir_abs = std::path::absolute(dir)?;
    let in_workspace = dir_abs
        .ancestors()
        .skip(1)
        .any(|p| std::fs::read_to_string(p.join("Cargo.toml")).is_ok_and(|t| t.contains("[workspace]")));
    let mut manifest = format!(
        "# Exported from {} by `torchbook-kernel export`.\n[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"{}\"\npublish = false\n\n[dependencies]\ntorchbook = {{ path = {:?} }}\n",
        notebook.display(),
        program.edition,
        prelude.display().to_string()
    );
    for dep in &program.dependencies {
        manifest.push_str(dep);
        manifest.push('\n');
    }
    if !in_workspace {
        manifest.push_str("\n[workspace]\n");
    }
    std::fs::write(dir.join("Cargo.toml"), manifest)?;
    let mut main = format!(
        "//! {} as a program (exported by `torchbook-kernel export`). Each `// cell N` is the\n\
         //! notebook's N-th code cell; final values print as the notebook shows them as text, and\n\
         //! charts and tables are written to `outputs/`.\n\
         #![allow(unused, clippy::all)]\n\nuse torchbook::prelude::*;\n\n",
        notebook.file_name().and_then(|n| n.to_str()).unwrap_or("the notebook")
    );
    for (cell, item) in &program.items {
        let _ = write!(main, "// from cell {cell}\n{item}\n\n");
    }
    main.push_str("fn main() -> Result<(), Box<dyn std::error::Error>> {\n");
    main.push_str("    torchbook::runtime::init();\n");
    main.push_str("    torchbook::program::show_outputs_in(std::path::Path::new(\"outputs\"))?;\n");
    main.push_str(&program.main);
    main.push_str("    Ok(())\n}\n");
    std::fs::write(dir.join("src/main.rs"), main)?;
    Ok(dir.join("Cargo.toml"))
}
