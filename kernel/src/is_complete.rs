//! Whether a cell is ready to run: balanced brackets, closed strings and comments.
//!
//! A small Rust lexer suffices: the console front ends ask this on every Enter, so it must be
//! instant and must not compile anything.

/// The answer to `is_complete_request`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completeness {
    /// Ready to run.
    Complete,
    /// More lines are expected; the string is the indent for the next one.
    Incomplete(String),
    /// Cannot be fixed by adding lines (a closing bracket with no opener, or the wrong one).
    Invalid,
}

const INDENT: &str = "    ";

/// Classifies `code`.
///
/// ```
/// use torchbook_kernel::is_complete::{is_complete, Completeness};
/// assert_eq!(is_complete("let x = 1;"), Completeness::Complete);
/// assert_eq!(is_complete("fn f() {"), Completeness::Incomplete("    ".into()));
/// assert_eq!(is_complete("let x = (1];"), Completeness::Invalid);
/// ```
pub fn is_complete(code: &str) -> Completeness {
    let chars: Vec<char> = code.chars().collect();
    let mut stack: Vec<char> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        match c {
            '/' if next == Some('/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
                continue;
            }
            '/' if next == Some('*') => {
                let mut depth = 1;
                i += 2;
                while i < chars.len() && depth > 0 {
                    if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                        depth += 1;
                        i += 2;
                    } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                        depth -= 1;
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
                if depth > 0 {
                    return Completeness::Incomplete(indent_for(stack.len()));
                }
                continue;
            }
            'r' | 'b' if is_raw_string_start(&chars, i) => {
                match skip_raw_string(&chars, i) {
                    Some(end) => i = end,
                    None => return Completeness::Incomplete(String::new()),
                }
                continue;
            }
            '"' => {
                match skip_string(&chars, i + 1) {
                    Some(end) => i = end,
                    None => return Completeness::Incomplete(String::new()),
                }
                continue;
            }
            '\'' => {
                i = skip_char_or_lifetime(&chars, i);
                continue;
            }
            '(' | '[' | '{' => stack.push(c),
            ')' | ']' | '}' => {
                let open = match c {
                    ')' => '(',
                    ']' => '[',
                    _ => '{',
                };
                if stack.pop() != Some(open) {
                    return Completeness::Invalid;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if stack.is_empty() {
        Completeness::Complete
    } else {
        Completeness::Incomplete(indent_for(stack.len()))
    }
}

fn indent_for(depth: usize) -> String {
    INDENT.repeat(depth.max(1))
}

/// Index after the closing quote of a string whose body starts at `i`.
fn skip_string(chars: &[char], mut i: usize) -> Option<usize> {
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 2,
            '"' => return Some(i + 1),
            _ => i += 1,
        }
    }
    None
}

fn is_raw_string_start(chars: &[char], i: usize) -> bool {
    // An identifier character before means this `r` is part of a name.
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return false;
    }
    let mut j = i;
    if chars[j] == 'b' {
        j += 1;
        if chars.get(j) != Some(&'r') {
            return false;
        }
    }
    j += 1;
    while chars.get(j) == Some(&'#') {
        j += 1;
    }
    chars.get(j) == Some(&'"') && (j > i + 1 || chars[i] == 'r')
}

fn skip_raw_string(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if chars[j] == 'b' {
        j += 1;
    }
    j += 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    j += 1;
    while j < chars.len() {
        if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    None
}

/// Skips a char literal (`'a'`, `'\n'`, `'\u{1F600}'`) or a lifetime (`'a`).
fn skip_char_or_lifetime(chars: &[char], i: usize) -> usize {
    match (chars.get(i + 1), chars.get(i + 2)) {
        (Some('\\'), _) => {
            let mut j = i + 2;
            while j < chars.len() && chars[j] != '\'' && chars[j] != '\n' {
                j += 1;
            }
            j + 1
        }
        (Some(_), Some('\'')) => i + 3,
        _ => i + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_inside_strings_chars_and_comments_do_not_count() {
        assert_eq!(is_complete(r#"let s = "(";"#), Completeness::Complete);
        assert_eq!(is_complete("let c = '{';"), Completeness::Complete);
        assert_eq!(is_complete("// {\nlet x = 1;"), Completeness::Complete);
        assert_eq!(is_complete("/* ( /* [ */ */ let x = 1;"), Completeness::Complete);
        assert_eq!(is_complete(r##"let s = r#"he said "}" "#;"##), Completeness::Complete);
        assert_eq!(is_complete(r#"let s = "\"(";"#), Completeness::Complete);
    }

    #[test]
    fn lifetimes_are_not_char_literals() {
        assert_eq!(is_complete("fn f<'a>(x: &'a str) -> &'a str { x }"), Completeness::Complete);
        assert_eq!(is_complete("fn f<'a>(x: &'a str) {"), Completeness::Incomplete("    ".into()));
    }

    #[test]
    fn nesting_sets_the_indent() {
        assert_eq!(is_complete("fn f() {\n    if x {"), Completeness::Incomplete("        ".into()));
        assert_eq!(is_complete("let v = vec![1,"), Completeness::Incomplete("    ".into()));
    }

    #[test]
    fn unterminated_strings_and_comments_are_incomplete() {
        assert_eq!(is_complete("let s = \"abc"), Completeness::Incomplete(String::new()));
        assert_eq!(is_complete("/* still open"), Completeness::Incomplete("    ".into()));
    }

    #[test]
    fn mismatched_closers_are_invalid() {
        assert_eq!(is_complete("}"), Completeness::Invalid);
        assert_eq!(is_complete("let x = [1, 2);"), Completeness::Invalid);
    }

    #[test]
    fn identifiers_ending_in_r_or_b_are_not_raw_strings() {
        assert_eq!(is_complete(r#"let bar = "x"; let br = 1;"#), Completeness::Complete);
    }
}
