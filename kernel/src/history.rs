//! The inputs of this kernel's session, for `history_request`.

use crate::protocol::messages::{HistoryAccess, HistoryRequest};

/// Session number reported for this kernel's own inputs.
pub const SESSION: i64 = 1;

/// Inputs in execution order; entry `i` has line number `i + 1` (its execution count).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct History {
    inputs: Vec<String>,
    outputs: Vec<Option<String>>,
}

/// One entry of a `history_reply`: `(session, line, input)`, or with outputs requested
/// `(session, line, [input, output])`.
pub type Entry = (i64, u64, serde_json::Value);

impl History {
    /// Records a cell that was run with `store_history`.
    pub fn push(&mut self, code: &str) {
        self.inputs.push(code.to_owned());
        self.outputs.push(None);
    }

    /// Records the `text/plain` result of the last recorded cell.
    pub fn set_last_output(&mut self, output: Option<String>) {
        if let Some(last) = self.outputs.last_mut() {
            *last = output;
        }
    }

    /// Number of stored inputs.
    pub fn len(&self) -> usize {
        self.inputs.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    /// Answers a request with `(session, line, input)` triples, as [`Entry`] values.
    pub fn reply(&self, request: &HistoryRequest) -> Vec<Entry> {
        self.query(request)
            .into_iter()
            .map(|(session, line, input)| {
                let value = if request.output {
                    let output = self.outputs.get(line as usize - 1).cloned().flatten();
                    serde_json::json!([input, output])
                } else {
                    serde_json::Value::String(input)
                };
                (session, line, value)
            })
            .collect()
    }

    /// Answers a request with `(session, line, input)` triples.
    ///
    /// ```
    /// use torchbook_kernel::history::History;
    /// use torchbook_kernel::protocol::messages::{HistoryAccess, HistoryRequest};
    /// let mut h = History::default();
    /// for c in ["let a = 1;", "a + 1", "let b = 2;"] { h.push(c); }
    /// let req = HistoryRequest { output: false, raw: true, hist_access_type: HistoryAccess::Tail,
    ///     session: 0, start: 0, stop: None, n: Some(2), pattern: String::new(), unique: false };
    /// assert_eq!(h.query(&req), vec![(1, 2, "a + 1".to_string()), (1, 3, "let b = 2;".to_string())]);
    /// ```
    pub fn query(&self, request: &HistoryRequest) -> Vec<(i64, u64, String)> {
        let numbered = self.inputs.iter().enumerate().map(|(i, s)| (SESSION, i as u64 + 1, s.clone()));
        match request.hist_access_type {
            HistoryAccess::Tail => {
                let n = request.n.unwrap_or(10);
                let all: Vec<_> = numbered.collect();
                let skip = all.len().saturating_sub(n);
                all.into_iter().skip(skip).collect()
            }
            HistoryAccess::Range => {
                if request.session > 0 && request.session != SESSION {
                    return Vec::new();
                }
                let start = request.start.max(1) as u64;
                let stop = request.stop.map(|s| s as u64).unwrap_or(u64::MAX);
                numbered.filter(|(_, line, _)| *line >= start && *line < stop).collect()
            }
            HistoryAccess::Search => {
                let pattern = if request.pattern.is_empty() { "*" } else { &request.pattern };
                let mut found: Vec<_> = numbered.filter(|(_, _, s)| glob_match(pattern, s)).collect();
                if request.unique {
                    let mut seen = std::collections::HashSet::new();
                    found.retain(|(_, _, s)| seen.insert(s.clone()));
                }
                if let Some(n) = request.n {
                    let skip = found.len().saturating_sub(n);
                    found.drain(..skip);
                }
                found
            }
        }
    }
}

/// IPython-style glob: `*` any run of characters, `?` one character, whole-string match.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(kind: HistoryAccess) -> HistoryRequest {
        HistoryRequest {
            output: false,
            raw: true,
            hist_access_type: kind,
            session: 0,
            start: 0,
            stop: None,
            n: None,
            pattern: String::new(),
            unique: false,
        }
    }

    #[test]
    fn range_is_half_open_on_line_numbers() {
        let mut h = History::default();
        for c in ["a", "b", "c", "d"] {
            h.push(c);
        }
        let mut r = request(HistoryAccess::Range);
        r.start = 2;
        r.stop = Some(4);
        assert_eq!(h.query(&r), vec![(1, 2, "b".into()), (1, 3, "c".into())]);
    }

    #[test]
    fn search_globs_and_dedups() {
        let mut h = History::default();
        for c in ["let x = 1;", "x + 1", "let x = 1;", "print"] {
            h.push(c);
        }
        let mut r = request(HistoryAccess::Search);
        r.pattern = "let*".into();
        assert_eq!(h.query(&r).len(), 2);
        r.unique = true;
        assert_eq!(h.query(&r), vec![(1, 1, "let x = 1;".into())]);
    }

    #[test]
    fn outputs_pair_with_inputs_when_asked() {
        let mut h = History::default();
        h.push("1 + 1");
        h.set_last_output(Some("2".into()));
        h.push("let x = 1;");
        let mut r = request(HistoryAccess::Tail);
        r.output = true;
        let entries = h.reply(&r);
        assert_eq!(entries[0].2, serde_json::json!(["1 + 1", "2"]));
        assert_eq!(entries[1].2, serde_json::json!(["let x = 1;", null]));
    }

    #[test]
    fn glob_basics() {
        assert!(glob_match("a*c", "abbbc"));
        assert!(glob_match("a?c", "abc"));
        assert!(!glob_match("a?c", "abbc"));
        assert!(glob_match("*", ""));
        assert!(!glob_match("abc", "abcd"));
    }
}
