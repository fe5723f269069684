//! The plain-text display of a cell's final value, found on the first compile.
//!
//! evcxr shows a cell's last expression by compiling `(expr).evcxr_display();` and, when that
//! fails because the type has no such method (an `i32`, a `Vec`, any value that is not
//! [`Displayable`](crate::display::Displayable)), compiling the cell a second time with a
//! `format!("{:?}", …)` in its place. That second compile is about 0.18 s of a 0.43 s cell
//! (`:timing` shows it as "Fallback").
//!
//! [`EvcxrDebugDisplay`] gives every `Debug` type an `evcxr_display` method, so the first
//! compile succeeds. Its method takes `&mut self`, and Rust's method lookup tries `&self`
//! methods before `&mut self` ones, so a type with a rich display (an inherent
//! `evcxr_display`, or [`EvcxrDisplay`](crate::display::EvcxrDisplay) through
//! `Displayable`) keeps it. When the `&mut` borrow is not allowed (the last expression names
//! a variable declared without `mut`), the first compile fails as before and evcxr's own
//! fallback shows the value: the same text, one compile later.
//!
//! evcxr's `:fmt` and `:types` change how it formats values; the kernel passes them on with
//! [`set_debug_style`] so this display follows them.

use std::fmt::Debug;
use std::sync::Mutex;

/// Hexadecimal integers in `Debug` output (`{:x?}`, `{:X?}`).
///
/// ```
/// use torchbook::debug_display::{debug_text, set_debug_style, DebugStyle, Hex};
/// set_debug_style(DebugStyle { hex: Some(Hex::Upper), ..Default::default() });
/// assert_eq!(debug_text(&[255u8, 16]), "[FF, 10]");
/// set_debug_style(DebugStyle::default());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hex {
    /// `{:x?}`
    Lower,
    /// `{:X?}`
    Upper,
}

/// How values without a rich display are written: the `Debug` format (`{:?}` by default, as
/// set by `:fmt`) and whether the type is shown first (`:types`).
///
/// ```
/// use torchbook::debug_display::{debug_text, set_debug_style, DebugStyle};
/// set_debug_style(DebugStyle { show_types: true, ..Default::default() });
/// assert_eq!(debug_text(&Some(1u8)), ": Option<u8> = Some(1)");
/// set_debug_style(DebugStyle { pretty: true, ..Default::default() });
/// assert_eq!(debug_text(&(1, 2)), "(\n    1,\n    2,\n)");
/// set_debug_style(DebugStyle::default());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DebugStyle {
    /// `{:#?}`: pretty-printed over several lines.
    pub pretty: bool,
    /// `{:x?}` / `{:X?}`.
    pub hex: Option<Hex>,
    /// `{:.N?}`: digits after the point for floats.
    pub precision: Option<usize>,
    /// Write `: Type = value`, as evcxr does after `:types`.
    pub show_types: bool,
}

static STYLE: Mutex<DebugStyle> =
    Mutex::new(DebugStyle { pretty: false, hex: None, precision: None, show_types: false });

/// Sets the style of later displays (the kernel calls it after `:fmt` or `:types`).
///
/// ```
/// use torchbook::debug_display::{debug_text, set_debug_style, DebugStyle};
/// set_debug_style(DebugStyle { precision: Some(2), ..Default::default() });
/// assert_eq!(debug_text(&vec![1.0f64, 2.5]), "[1.00, 2.50]");
/// set_debug_style(DebugStyle::default());
/// ```
pub fn set_debug_style(style: DebugStyle) {
    *STYLE.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = style;
}

/// The current style.
///
/// ```
/// use torchbook::debug_display::{debug_style, DebugStyle};
/// assert_eq!(debug_style(), DebugStyle::default()); // `{:?}`, no types, until `:fmt` or `:types`
/// ```
pub fn debug_style() -> DebugStyle {
    *STYLE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// `value` formatted in `style`'s `Debug` format.
fn formatted<T: Debug + ?Sized>(value: &T, style: DebugStyle) -> String {
    let p = style.precision;
    match (style.pretty, style.hex, p) {
        (false, None, None) => format!("{value:?}"),
        (true, None, None) => format!("{value:#?}"),
        (false, Some(Hex::Lower), None) => format!("{value:x?}"),
        (true, Some(Hex::Lower), None) => format!("{value:#x?}"),
        (false, Some(Hex::Upper), None) => format!("{value:X?}"),
        (true, Some(Hex::Upper), None) => format!("{value:#X?}"),
        (false, None, Some(p)) => format!("{value:.p$?}"),
        (true, None, Some(p)) => format!("{value:#.p$?}"),
        (false, Some(Hex::Lower), Some(p)) => format!("{value:.p$x?}"),
        (true, Some(Hex::Lower), Some(p)) => format!("{value:#.p$x?}"),
        (false, Some(Hex::Upper), Some(p)) => format!("{value:.p$X?}"),
        (true, Some(Hex::Upper), Some(p)) => format!("{value:#.p$X?}"),
    }
}

/// `std::any::type_name` without module paths: `Option<String>` for
/// `core::option::Option<alloc::string::String>`, as evcxr writes types.
fn short_type_name(full: &str) -> String {
    let mut out = String::with_capacity(full.len());
    let mut word = String::new();
    let mut chars = full.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
        } else if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            word.clear();
        } else {
            out.push_str(&word);
            word.clear();
            out.push(c);
        }
    }
    out.push_str(&word);
    out
}

/// The text a cell's final `value` is shown as, in the current style.
///
/// ```
/// use torchbook::debug_display::debug_text;
/// assert_eq!(debug_text(&Some(3)), "Some(3)");
/// ```
pub fn debug_text<T: Debug + ?Sized>(value: &T) -> String {
    text_in_style(value, debug_style())
}

fn text_in_style<T: Debug + ?Sized>(value: &T, style: DebugStyle) -> String {
    let text = formatted(value, style);
    if style.show_types {
        format!(": {} = {text}", short_type_name(std::any::type_name::<T>()))
    } else {
        text
    }
}

/// An `evcxr_display` for every `Debug` type, found by evcxr's first compile of a cell.
///
/// ```
/// use torchbook::prelude::*;
/// // What evcxr compiles for a cell ending in `1 + 2`: prints the value in evcxr's framing.
/// (1 + 2).evcxr_display();
/// // A rich display still wins (`&self` methods are found before `&mut self` ones).
/// (Tensor::from(1.0)).evcxr_display();
/// ```
pub trait EvcxrDebugDisplay {
    /// Writes the value's `Debug` text as a `text/plain` result.
    fn evcxr_display(&mut self);
}

/// Whether `T` is `()`, the value of a cell that ends in a loop or a `println!`.
fn is_unit<T: ?Sized>() -> bool {
    std::any::type_name::<T>() == "()"
}

impl<T: Debug + ?Sized> EvcxrDebugDisplay for T {
    /// A `()` is not shown (as Python shows no `None`), unless `:types` is on.
    fn evcxr_display(&mut self) {
        let style = debug_style();
        if is_unit::<T>() && !style.show_types {
            return;
        }
        let text = text_in_style(self, style);
        crate::display::show_result([("text/plain".to_owned(), text)].into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_style_matches_the_format_string_it_stands_for() {
        let v = vec![10.0f64 / 3.0];
        let n = [255u8, 16];
        let style = |pretty, hex, precision| DebugStyle { pretty, hex, precision, show_types: false };
        assert_eq!(formatted(&n, style(false, None, None)), format!("{n:?}"));
        assert_eq!(formatted(&n, style(true, None, None)), format!("{n:#?}"));
        assert_eq!(formatted(&n, style(false, Some(Hex::Lower), None)), "[ff, 10]");
        assert_eq!(formatted(&n, style(false, Some(Hex::Upper), None)), "[FF, 10]");
        assert_eq!(formatted(&n, style(true, Some(Hex::Upper), None)), format!("{n:#X?}"));
        assert_eq!(formatted(&v, style(false, None, Some(3))), "[3.333]");
        assert_eq!(formatted(&v, style(true, None, Some(1))), "[\n    3.3,\n]");
    }

    #[test]
    fn only_the_unit_type_is_unit() {
        assert!(is_unit::<()>());
        assert!(!is_unit::<((),)>() && !is_unit::<Vec<()>>() && !is_unit::<str>());
    }

    #[test]
    fn type_names_are_shortened_as_evcxr_does() {
        assert_eq!(short_type_name("core::option::Option<alloc::string::String>"), "Option<String>");
        assert_eq!(short_type_name("(i32, &str)"), "(i32, &str)");
        assert_eq!(
            short_type_name("std::collections::hash::map::HashMap<i64, alloc::vec::Vec<f32>>"),
            "HashMap<i64, Vec<f32>>"
        );
    }
}
