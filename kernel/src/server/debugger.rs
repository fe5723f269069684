//! The debugger messages: Debug Adapter Protocol requests in `debug_request`, on control.
//!
//! Torchbook answers what JupyterLab's variables panel needs: `debugInfo` (before anything is
//! started: JupyterLab asks it first, to learn whether a debugger runs), `initialize`, `attach`,
//! `disconnect`, `configurationDone`, `setExceptionBreakpoints`, `inspectVariables` (every
//! variable with its type and value), `variables` (one level of a value's fields or items) and
//! `richInspectVariables` (a variable's rich forms: a tensor's table, a chart's SVG). Every
//! answer comes from [`VariableTable`], filled when each cell ended, so none compiles or runs
//! anything, and all of them are answered while a cell runs.
//!
//! A cell is compiled Rust that runs in one call, with no line-by-line tracing, so breakpoints
//! are not supported: `setBreakpoints` answers each breakpoint unverified with that reason,
//! `dumpCell` writes the cell where the debugger expects it, and any other command is
//! `success: false` naming it.

use crate::execution::debug_tree;
use crate::execution::variables::VariableTable;
use serde_json::{json, Value};
use std::collections::HashMap;
use torchbook_contract::message::VALUE_CHARS;

/// Why breakpoints and stepping are not offered.
pub const NO_BREAKPOINTS: &str = "breakpoints are not supported by the Torchbook kernel: a cell is compiled \
     Rust that runs in one call; the variables panel shows every variable after each cell";

/// Texts remembered before the references start again (JupyterLab asks afresh after each cell).
const MAX_REFERENCES: usize = 10_000;

/// The adapter's state: started or not, and the `variablesReference`s it handed out.
#[derive(Debug)]
pub struct Debugger {
    variables: VariableTable,
    started: bool,
    seq: i64,
    references: HashMap<i64, String>,
    /// The reference each text got (0: nothing to unfold), so asking again reuses it.
    by_text: HashMap<String, i64>,
    next_reference: i64,
}

impl Debugger {
    /// An adapter reading `variables`.
    pub fn new(variables: VariableTable) -> Debugger {
        Debugger {
            variables,
            started: false,
            seq: 0,
            references: HashMap::new(),
            by_text: HashMap::new(),
            next_reference: 1,
        }
    }

    /// Answers one request: the response, and the events to publish after it.
    ///
    /// ```
    /// use torchbook_kernel::execution::variables::VariableTable;
    /// use torchbook_kernel::server::debugger::Debugger;
    /// let mut debugger = Debugger::new(VariableTable::default());
    /// let (info, _) = debugger.handle(&serde_json::json!({"type": "request", "seq": 1, "command": "debugInfo"}));
    /// assert_eq!((info["success"].as_bool(), info["body"]["isStarted"].as_bool()), (Some(true), Some(false)));
    /// let (odd, _) = debugger.handle(&serde_json::json!({"type": "request", "seq": 2, "command": "stepIn"}));
    /// assert!(odd["message"].as_str().unwrap().contains("stepIn"));
    /// ```
    pub fn handle(&mut self, request: &Value) -> (Value, Vec<Value>) {
        let command = request["command"].as_str().unwrap_or_default().to_owned();
        let arguments = &request["arguments"];
        let mut events = Vec::new();
        let answer: Result<Value, String> = match command.as_str() {
            "debugInfo" => Ok(self.debug_info()),
            "initialize" => {
                events.push(self.event("initialized", json!({})));
                Ok(json!({
                    "supportsConfigurationDoneRequest": true,
                    "supportsSetVariable": false,
                    "supportsModulesRequest": false,
                    "supportsConditionalBreakpoints": false,
                    "exceptionBreakpointFilters": [],
                }))
            }
            "attach" => {
                self.started = true;
                Ok(json!({}))
            }
            "disconnect" => {
                self.started = false;
                self.references.clear();
                self.by_text.clear();
                Ok(json!({}))
            }
            "configurationDone" => Ok(json!({})),
            "setExceptionBreakpoints" => Ok(json!({ "breakpoints": [] })),
            "inspectVariables" => Ok(self.inspect_variables()),
            "variables" => self.children(arguments),
            "richInspectVariables" => self.rich(arguments),
            "setBreakpoints" => Ok(unverified(arguments)),
            "dumpCell" => dump_cell(arguments),
            "threads" => Ok(json!({ "threads": [] })),
            "" => Err("a debug_request needs a DAP `command`".to_owned()),
            other => Err(format!(
                "the Torchbook kernel does not support the debugger command `{other}`: {NO_BREAKPOINTS}"
            )),
        };
        self.seq += 1;
        let mut response = json!({
            "type": "response",
            "seq": self.seq,
            "request_seq": request["seq"].clone(),
            "command": command,
            "success": answer.is_ok(),
        });
        match answer {
            Ok(body) => response["body"] = body,
            Err(message) => response["message"] = Value::String(message),
        }
        (response, events)
    }

    fn event(&mut self, event: &str, body: Value) -> Value {
        self.seq += 1;
        json!({ "type": "event", "seq": self.seq, "event": event, "body": body })
    }

    fn debug_info(&self) -> Value {
        json!({
            "isStarted": self.started,
            "hashMethod": "Murmur2",
            "hashSeed": HASH_SEED,
            "tmpFilePrefix": tmp_file_prefix(),
            "tmpFileSuffix": ".rs",
            "breakpoints": [],
            "stoppedThreads": [],
            "richRendering": true,
            "exceptionPaths": [],
            "copyToGlobals": false,
        })
    }

    /// A reference for `detail` when it unfolds into anything, else 0; the same text keeps
    /// its reference, so JupyterLab's many `inspectVariables` add nothing.
    fn reference(&mut self, detail: &str) -> i64 {
        if let Some(&id) = self.by_text.get(detail) {
            return id;
        }
        if self.by_text.len() >= MAX_REFERENCES {
            self.references.clear();
            self.by_text.clear();
        }
        let id = if debug_tree::children(detail).is_empty() {
            0
        } else {
            let id = self.next_reference;
            self.next_reference += 1;
            self.references.insert(id, detail.to_owned());
            id
        };
        self.by_text.insert(detail.to_owned(), id);
        id
    }

    fn inspect_variables(&mut self) -> Value {
        let variables: Vec<Value> = self
            .variables
            .snapshot()
            .into_iter()
            .map(|v| {
                let reference = self.reference(&v.detail);
                json!({
                    "name": v.name,
                    "value": v.value,
                    "type": v.type_name,
                    "evaluateName": v.name,
                    "variablesReference": reference,
                })
            })
            .collect();
        json!({ "variables": variables })
    }

    fn children(&mut self, arguments: &Value) -> Result<Value, String> {
        let id = arguments["variablesReference"].as_i64().ok_or_else(|| {
            format!(
                "`variables` needs an integer variablesReference, got {}",
                arguments["variablesReference"]
            )
        })?;
        let detail = self
            .references
            .get(&id)
            .cloned()
            .ok_or_else(|| format!("no variable has the reference {id} (the variables changed since; ask inspectVariables again)"))?;
        let variables: Vec<Value> = debug_tree::children(&detail)
            .into_iter()
            .map(|(label, text)| {
                let reference = self.reference(&text);
                // No `type`: the text does not say it, and without one JupyterLab's tree shows
                // the value beside the name.
                json!({
                    "name": label,
                    "value": one_line(&text),
                    "variablesReference": reference,
                })
            })
            .collect();
        Ok(json!({ "variables": variables }))
    }

    fn rich(&self, arguments: &Value) -> Result<Value, String> {
        let name = arguments["variableName"].as_str().ok_or_else(|| {
            format!("richInspectVariables needs a variableName string, got {}", arguments["variableName"])
        })?;
        let variable =
            self.variables.get(name).ok_or_else(|| {
            format!("there is no variable named `{name}` (rich views are kept for variables, not for their fields)")
        })?;
        let mut data = serde_json::Map::new();
        for (mime, content) in &variable.rich {
            data.insert(mime.clone(), Value::String(content.clone()));
        }
        if !data.contains_key("text/plain") {
            let text = if variable.detail.is_empty() { &variable.value } else { &variable.detail };
            data.insert("text/plain".to_owned(), Value::String(text.clone()));
        }
        Ok(json!({ "data": data, "metadata": {} }))
    }
}

/// The seed JupyterLab is told to hash a cell's code with (it names cells by the hash).
const HASH_SEED: u32 = 0x7a3c_6b19;

fn tmp_file_prefix() -> String {
    format!("{}/torchbook_{}/", std::env::temp_dir().display(), std::process::id())
}

fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = joined.chars();
    let head: String = chars.by_ref().take(VALUE_CHARS).collect();
    if chars.next().is_some() {
        head + "…"
    } else {
        head
    }
}

/// `setBreakpoints`: every breakpoint asked for, unverified, with the reason.
fn unverified(arguments: &Value) -> Value {
    let breakpoints: Vec<Value> = arguments["breakpoints"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|b| json!({ "verified": false, "line": b["line"].clone(), "message": NO_BREAKPOINTS }))
                .collect()
        })
        .unwrap_or_default();
    json!({ "breakpoints": breakpoints })
}

/// `dumpCell`: writes the cell's code to a private file and says where (the debugger's editor
/// opens it; breakpoints set there stay unverified). The name is a hash of the code.
fn dump_cell(arguments: &Value) -> Result<Value, String> {
    use std::hash::{Hash, Hasher};
    use std::io::Write;
    let code = arguments["code"]
        .as_str()
        .ok_or_else(|| "dumpCell needs the cell's `code` as a string".to_owned())?;
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    code.hash(&mut hasher);
    let prefix = tmp_file_prefix();
    let path = format!("{prefix}{:016x}.rs", hasher.finish());
    crate::private::create_dir(std::path::Path::new(&prefix))
        .map_err(|e| format!("creating {prefix}: {e}"))?;
    crate::private::create_file(std::path::Path::new(&path))
        .and_then(|mut f| f.write_all(code.as_bytes()))
        .map_err(|e| format!("writing {path}: {e}"))?;
    Ok(json!({ "sourcePath": path }))
}
