//! The variables the debugger's panel lists: the last capture of each stored variable.
//!
//! The shell updates the table after every cell from what the cell's end captured
//! (`torchbook::variables`) and the variables evcxr still holds: a moved or dropped variable
//! leaves, `:clear` and a lost execution process empty it. The control thread reads it to answer
//! `inspectVariables`, also while a cell runs (it then shows the state before that cell).

use std::sync::{Arc, Mutex};
use torchbook_contract::message::CapturedVariable;

/// Shared between the shell (which writes) and the control thread (which reads).
#[derive(Debug, Clone, Default)]
pub struct VariableTable {
    inner: Arc<Mutex<Vec<CapturedVariable>>>,
}

impl VariableTable {
    /// Replaces the table after a cell: `live` is evcxr's `(name, type)` list, `captured` what
    /// the cell's end sent (none when the cell did not get that far). A variable kept without
    /// a new capture keeps its last one.
    ///
    /// ```
    /// use torchbook_contract::message::CapturedVariable;
    /// use torchbook_kernel::execution::variables::VariableTable;
    /// let var = |name: &str, value: &str| CapturedVariable {
    ///     name: name.into(), type_name: "i32".into(), value: value.into(),
    ///     detail: String::new(), rich: Default::default() };
    /// let table = VariableTable::default();
    /// table.update(Some(vec![var("b", "2"), var("a", "1")]), &[("a".into(), "i32".into()), ("b".into(), "i32".into())]);
    /// table.update(None, &[("b".into(), "i32".into())]); // `a` was moved
    /// let now = table.snapshot();
    /// assert_eq!((now.len(), now[0].name.as_str(), now[0].value.as_str()), (1, "b", "2"));
    /// ```
    pub fn update(&self, captured: Option<Vec<CapturedVariable>>, live: &[(String, String)]) {
        let Ok(mut table) = self.inner.lock() else { return };
        let mut captured = captured.unwrap_or_default();
        let mut next: Vec<CapturedVariable> = live
            .iter()
            .map(|(name, type_name)| {
                if let Some(i) = captured.iter().position(|v| &v.name == name) {
                    return captured.swap_remove(i);
                }
                table.iter().find(|v| &v.name == name).cloned().unwrap_or_else(|| CapturedVariable {
                    name: name.clone(),
                    type_name: type_name.clone(),
                    value: "(not captured yet)".to_owned(),
                    detail: String::new(),
                    rich: Default::default(),
                })
            })
            .collect();
        next.sort_by(|a, b| a.name.cmp(&b.name));
        *table = next;
    }

    /// The table now, sorted by name.
    pub fn snapshot(&self) -> Vec<CapturedVariable> {
        self.inner.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// One variable by name.
    pub fn get(&self, name: &str) -> Option<CapturedVariable> {
        self.inner.lock().ok().and_then(|t| t.iter().find(|v| v.name == name).cloned())
    }
}
