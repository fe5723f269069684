//! A value's fields and items, read from its `Debug` text one level at a time.
//!
//! The variables panel unfolds a struct into its fields, a `Vec` into its items and a map into
//! its entries. The kernel only has the `Debug` text the prelude captured
//! (`torchbook::variables`, cut to `DETAIL_CHARS`), so it reads that text: `Name { a: 1, b: 2 }`,
//! `Name(1, 2)`, `[1, 2]`, `{"k": 1}`, `{1, 2}`, with strings and chars kept whole. A text that
//! was cut (it ends in `…`) unfolds into the items it still holds. Anything else has no children.

/// What one level of a value holds: `(label, text)` pairs, in order.
///
/// ```
/// use torchbook_kernel::execution::debug_tree::children;
/// let fields = children(r#"Point { x: 1, label: "a, b" }"#);
/// assert_eq!(fields, [("x".to_owned(), "1".to_owned()), ("label".to_owned(), "\"a, b\"".to_owned())]);
/// assert_eq!(children("[[1, 2], [3]]")[1], ("1".to_owned(), "[3]".to_owned()));
/// assert!(children("42").is_empty());
/// ```
pub fn children(text: &str) -> Vec<(String, String)> {
    let text = text.trim();
    let cut = text.ends_with('…');
    let body = text.trim_end_matches('…');
    let Some(open_at) = body.find(['{', '(', '[']) else { return vec![] };
    let head = &body[..open_at];
    if !head.trim().chars().all(|c| c.is_alphanumeric() || c == '_' || c == ':') || head.contains('"') {
        return vec![];
    }
    let open = body[open_at..].chars().next().unwrap_or('(');
    let inner_start = open_at + 1;
    let Some((inner_end, closed_at_end)) = matching_close(body, inner_start) else { return vec![] };
    if !closed_at_end && !cut {
        return vec![];
    }
    let parts = split_top_level(&body[inner_start..inner_end]);
    let keyed = open == '{';
    let mut out = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        match keyed.then(|| key_split(part)).flatten() {
            Some((key, value)) => out.push((unquote(key), value.trim().to_owned())),
            None => out.push((i.to_string(), part.to_owned())),
        }
    }
    if cut {
        if let Some(last) = out.last_mut() {
            last.1.push('…');
        }
    }
    out
}

/// Calls `visit(index, char, depth)` for each character outside string and char literals
/// (`depth`: brackets open before it), until `visit` returns `true`; returns that index.
fn walk(text: &str, mut visit: impl FnMut(usize, char, i32) -> bool) -> Option<usize> {
    let mut depth = 0i32;
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        match c {
            '"' => {
                i += 1 + quoted_len(&text[i + 1..]);
                continue;
            }
            '\'' => {
                if let Some(len) = char_literal_len(&text[i + 1..]) {
                    i += 1 + len;
                    continue;
                }
            }
            '}' | ')' | ']' => depth -= 1,
            _ => {}
        }
        if visit(i, c, depth) {
            return Some(i);
        }
        if matches!(c, '{' | '(' | '[') {
            depth += 1;
        }
        i += c.len_utf8();
    }
    None
}

/// Bytes up to and including the closing quote of a string whose opening quote was just read
/// (the rest of the text when it never closes).
fn quoted_len(rest: &str) -> usize {
    let mut escaped = false;
    for (i, c) in rest.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => return i + 1,
            _ => {}
        }
    }
    rest.len()
}

/// Bytes up to and including the closing quote of a char literal (`'a'`, `'\n'`, `'\u{1F600}'`)
/// whose opening quote was just read; `None` when it is not one.
fn char_literal_len(rest: &str) -> Option<usize> {
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    if first == '\\' {
        let (_, _escaped) = chars.next()?;
        chars.take(10).find(|&(_, c)| c == '\'').map(|(i, _)| i + 1)
    } else {
        let (i, close) = chars.next()?;
        (close == '\'').then_some(i + 1)
    }
}

/// Where the group opened just before `from` closes: `(index of the close, is it the text's
/// end)`; the text's end when it never closes.
fn matching_close(text: &str, from: usize) -> Option<(usize, bool)> {
    let close = walk(&text[from..], |_, c, depth| matches!(c, '}' | ')' | ']') && depth < 0);
    Some(match close {
        Some(i) => (from + i, text[from + i + 1..].trim().is_empty()),
        None => (text.len(), false),
    })
}

/// Splits at the commas outside brackets and literals.
fn split_top_level(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    walk(text, |i, c, depth| {
        if c == ',' && depth == 0 {
            parts.push(&text[start..i]);
            start = i + 1;
        }
        false
    });
    parts.push(&text[start..]);
    parts
}

/// `key: value` at the top level of an entry (a struct field or a map entry).
fn key_split(part: &str) -> Option<(&str, &str)> {
    let at = walk(part, |i, c, depth| c == ':' && depth == 0 && part[i + 1..].starts_with(' '))?;
    Some((&part[..at], &part[at + 1..]))
}

/// A map's string key without its quotes; any other key as written.
fn unquote(key: &str) -> String {
    let key = key.trim();
    match serde_json::from_str::<String>(key) {
        Ok(s) if key.starts_with('"') => s,
        _ => key.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(text: &str) -> Vec<String> {
        children(text).into_iter().map(|(l, _)| l).collect()
    }

    // Inputs are what Rust's `{:?}` prints for the values named.
    #[test]
    fn structs_tuples_vecs_maps_and_sets() {
        assert_eq!(labels("Config { lr: 0.1, layers: [64, 10], name: \"mlp\" }"), ["lr", "layers", "name"]);
        assert_eq!(children("Some((1, \"x\"))"), [("0".to_owned(), "(1, \"x\")".to_owned())]);
        assert_eq!(labels("(1, 2.5, 'c')"), ["0", "1", "2"]);
        assert_eq!(children(r#"{"b": [1, 2], "a: x": 3}"#)[1], ("a: x".to_owned(), "3".to_owned()));
        assert_eq!(labels("{1, 2, 3}"), ["0", "1", "2"]);
        assert_eq!(
            children("[',', ')']"),
            [("0".to_owned(), "','".to_owned()), ("1".to_owned(), "')'".to_owned())]
        );
        assert_eq!(labels("Ok(Point { x: 1 })"), ["0"]);
        assert_eq!(labels("Point { x: 1 }.y"), Vec::<String>::new(), "not one value");
        assert_eq!(labels(r"['\'', '\\', '\u{1F600}', '}']"), ["0", "1", "2", "3"]);
        assert_eq!(labels(r#"["a\"]", "b"]"#), ["0", "1"]);
    }

    #[test]
    fn atoms_have_no_children_and_a_cut_text_unfolds_what_it_holds() {
        for atom in ["3", "-1.5e-7", "true", "None", "\"text (with) [brackets]\"", "'x'", "Unit", "[]"] {
            assert!(children(atom).is_empty(), "{atom}");
        }
        let cut = children("[1, 2, 3, 4…");
        assert_eq!(cut.len(), 4);
        assert_eq!(cut[3].1, "4…");
    }
}
