//! evcxr's `:fmt` and `:types`, passed on to the prelude's display of plain values.
//!
//! The prelude shows a cell's final value on evcxr's first compile
//! (`prelude/src/debug_display.rs`), so evcxr's own formatting settings no longer reach it.
//! The kernel reads those two commands in each cell, checks the format before anything runs,
//! and after the cell tells the execution process the new style with one small cell.
//! Formats are the `Debug` family the prelude can write: `{:?}`, `{:#?}`, with an optional
//! precision (`{:.3?}`) and hexadecimal integers (`{:x?}`, `{:X?}`).
//!
//! The prelude's display borrows the value mutably, which a variable declared without `mut`
//! does not allow, so a cell that ends by naming a variable would still be compiled twice.
//! [`shown_by_reference`] writes such a final `name` as `&name`: the same text is shown (the
//! `Debug` of a reference is its value's, and a rich display is found through the reference).

/// The prelude's `DebugStyle`, as the kernel tracks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DebugStyle {
    pretty: bool,
    hex: Option<char>,
    precision: Option<usize>,
    /// `:types` is on.
    pub show_types: bool,
}

/// `:fmt`'s argument as a style (keeping `show_types`), or why it is not one.
fn parse_format(spec: &str, show_types: bool) -> Result<DebugStyle, String> {
    let unsupported = || {
        format!(
            ":fmt {spec}: Torchbook shows values with a Debug format: {{:?}}, {{:#?}}, optionally with a \
             precision ({{:.3?}}) and hex integers ({{:x?}}, {{:X?}}); the format was not changed"
        )
    };
    let inner = spec.strip_prefix("{:").and_then(|s| s.strip_suffix("?}")).ok_or_else(unsupported)?;
    let (pretty, rest) = match inner.strip_prefix('#') {
        Some(rest) => (true, rest),
        None => (false, inner),
    };
    let (rest, hex) = match rest.chars().last() {
        Some(c @ ('x' | 'X')) => (&rest[..rest.len() - 1], Some(c)),
        _ => (rest, None),
    };
    let precision = match rest.strip_prefix('.') {
        Some(digits) => Some(digits.parse::<usize>().map_err(|_| unsupported())?),
        None if rest.is_empty() => None,
        None => return Err(unsupported()),
    };
    Ok(DebugStyle { pretty, hex, precision, show_types })
}

impl DebugStyle {
    /// The style after the `:fmt` and `:types` lines of `code` (evcxr's command syntax: a line
    /// that starts with the command, its argument after spaces).
    pub fn after_commands(mut self, code: &str) -> Result<DebugStyle, String> {
        for line in code.lines() {
            let line = line.trim_start_matches(' ');
            let (command, argument) = match line.split_once(' ') {
                Some((command, argument)) => (command, argument.trim()),
                None => (line.trim_end(), ""),
            };
            match command {
                ":fmt" if argument.is_empty() => {
                    self = DebugStyle { show_types: self.show_types, ..Default::default() }
                }
                ":fmt" => self = parse_format(argument, self.show_types)?,
                ":types" => self.show_types = !self.show_types,
                _ => {}
            }
        }
        Ok(self)
    }

    /// The cell that sets this style in the execution process.
    pub fn sync_code(&self) -> String {
        let hex = match self.hex {
            Some('x') => "Some(torchbook::debug_display::Hex::Lower)",
            Some(_) => "Some(torchbook::debug_display::Hex::Upper)",
            None => "None",
        };
        format!(
            "torchbook::debug_display::set_debug_style(torchbook::debug_display::DebugStyle {{ \
             pretty: {}, hex: {hex}, precision: {:?}, show_types: {} }});",
            self.pretty, self.precision, self.show_types
        )
    }
}

/// `code` with its final expression `name` written `&name`, when the cell ends with a line
/// that is only an identifier and starts a statement (the line before ends a statement or a
/// block, or there is none); `None` otherwise. Not used under `:types`, where the type shown
/// would become `&T`.
pub fn shown_by_reference(code: &str) -> Option<String> {
    let trimmed = code.trim_end();
    let (before, last) = match trimmed.rfind('\n') {
        Some(at) => (&trimmed[..at], &trimmed[at + 1..]),
        None => ("", trimmed),
    };
    let name = last.trim();
    let mut chars = name.chars();
    let is_identifier = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_');
    let starts_statement = matches!(before.trim_end().chars().last(), None | Some(';' | '}'));
    (is_identifier && starts_statement).then(|| {
        let indent = &last[..last.len() - last.trim_start().len()];
        format!("{before}{}{indent}&{name}", if before.is_empty() { "" } else { "\n" })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_final_variable_name_is_shown_through_a_reference() {
        assert_eq!(shown_by_reference("a").as_deref(), Some("&a"));
        assert_eq!(shown_by_reference("let a = 5;\na\n").as_deref(), Some("let a = 5;\n&a"));
        assert_eq!(
            shown_by_reference("for i in 0..2 {}\n  total_2").as_deref(),
            Some("for i in 0..2 {}\n  &total_2")
        );
        // Not a lone identifier, or the line continues an expression: left alone.
        for code in ["a + 1", "x.len()", "let a = 1;", "b +\na", "foo(\na", "// note\na", "&a", "", "1"] {
            assert_eq!(shown_by_reference(code), None, "{code:?}");
        }
    }

    #[test]
    fn formats_of_the_debug_family_are_read() {
        let style = |code: &str| DebugStyle::default().after_commands(code);
        assert_eq!(style(":fmt {:#?}").unwrap(), DebugStyle { pretty: true, ..Default::default() });
        assert_eq!(
            style(":fmt {:#.3x?}").unwrap(),
            DebugStyle { pretty: true, hex: Some('x'), precision: Some(3), show_types: false }
        );
        assert_eq!(style(":fmt {:X?}").unwrap().hex, Some('X'));
        assert_eq!(style("let x = 1;\n:types\n:fmt {:.2?}").unwrap().precision, Some(2));
        assert!(style(":types").unwrap().show_types);
        assert!(!style(":types\n:types").unwrap().show_types);
        assert_eq!(style(":fmt {:#?}\n:fmt").unwrap(), DebugStyle::default());
        assert_eq!(style("let fmt = 1; // :fmt {}").unwrap(), DebugStyle::default());
    }

    #[test]
    fn other_formats_are_refused_with_the_supported_ones_named() {
        for bad in ["{}", "{:?", "{:.x?}", "{:>8?}", "{:e}"] {
            let err = DebugStyle::default().after_commands(&format!(":fmt {bad}")).unwrap_err();
            assert!(
                err.starts_with(&format!(":fmt {bad}: Torchbook shows values with a Debug format")),
                "{err}"
            );
        }
    }

    #[test]
    fn sync_code_names_the_prelude_items() {
        let style = DebugStyle { pretty: true, hex: Some('X'), precision: Some(4), show_types: true };
        assert_eq!(
            style.sync_code(),
            "torchbook::debug_display::set_debug_style(torchbook::debug_display::DebugStyle { pretty: true, \
             hex: Some(torchbook::debug_display::Hex::Upper), precision: Some(4), show_types: true });"
        );
    }
}
