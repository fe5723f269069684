//! A widget model: its state, kept in the execution process and synced with the front end
//! over one comm (the Jupyter widgets messaging protocol, version 2.1.0).

use super::link;
use super::WidgetError;
use crate::display::Displayable;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use torchbook_contract::comm::{Comm, CONTROL_TARGET, WIDGET_PROTOCOL_VERSION, WIDGET_TARGET};

/// The JavaScript module and version of a widget's model and view
/// (`@jupyter-widgets/controls` 2.0.0 and the like).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ModelSpec {
    /// `_model_name` (`IntSliderModel`).
    pub model_name: &'static str,
    /// `_view_name` (`IntSliderView`).
    pub view_name: &'static str,
    /// `_model_module` and `_view_module`.
    pub module: &'static str,
    /// `_model_module_version` and `_view_module_version`.
    pub module_version: &'static str,
}

/// The controls of `@jupyter-widgets/controls` 2.0.0.
pub(crate) const fn controls(model_name: &'static str, view_name: &'static str) -> ModelSpec {
    ModelSpec { model_name, view_name, module: "@jupyter-widgets/controls", module_version: "2.0.0" }
}

/// What a state key the front end may change must hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// A JSON integer.
    Int,
    /// A JSON number.
    Float,
    /// `true` or `false`.
    Bool,
    /// A string.
    Text,
    /// `null` or an index into `_options_labels`.
    OptionIndex,
}

impl FieldType {
    fn check(self, value: &Value, state: &Map<String, Value>) -> Result<(), String> {
        let ok = match self {
            FieldType::Int => value.as_i64().is_some(),
            FieldType::Float => value.as_f64().is_some(),
            FieldType::Bool => value.is_boolean(),
            FieldType::Text => value.is_string(),
            FieldType::OptionIndex => {
                let options = state.get("_options_labels").and_then(Value::as_array).map_or(0, Vec::len);
                value.is_null() || value.as_u64().is_some_and(|i| (i as usize) < options)
            }
        };
        if ok {
            return Ok(());
        }
        Err(match self {
            FieldType::Int => format!("expected an integer, got {value}"),
            FieldType::Float => format!("expected a number, got {value}"),
            FieldType::Bool => format!("expected true or false, got {value}"),
            FieldType::Text => format!("expected a string, got {value}"),
            FieldType::OptionIndex => {
                let options = state.get("_options_labels").and_then(Value::as_array).map_or(0, Vec::len);
                format!("expected null or an option's index below {options}, got {value}")
            }
        })
    }
}

type Observer = Arc<dyn Fn(&str, &Value) + Send + Sync>;
type CustomHandler = Arc<dyn Fn(&Value) + Send + Sync>;

struct Inner {
    id: String,
    kind: &'static str,
    spec: ModelSpec,
    state: Mutex<Map<String, Value>>,
    fields: &'static [(&'static str, FieldType)],
    observers: Mutex<Vec<(Option<&'static str>, Observer)>>,
    custom: Mutex<Vec<CustomHandler>>,
    /// Widgets this one shows (a box's children): kept alive as long as it is.
    children: Vec<Widget>,
    closed: AtomicBool,
}

/// A widget: a model synced with the front end over its comm. Cloning gives another handle on
/// the same model. A widget that was shown stays open until [`close`](Widget::close), `:clear`
/// or a restart (the page refers to it); one never shown closes when its last handle is
/// dropped.
///
/// Every control ([`IntSlider`](super::IntSlider), [`Button`](super::Button), ...) is a typed
/// handle on one; [`AsWidget`] gives it back.
///
/// ```
/// use torchbook::widgets::{AsWidget, IntSlider, IntSliderConfig};
/// let s = IntSlider::new(IntSliderConfig { value: 3, ..Default::default() });
/// let w = s.as_widget();
/// assert_eq!(w.get("value"), serde_json::json!(3));
/// assert_eq!(w.get("_model_name"), serde_json::json!("IntSliderModel"));
/// assert_eq!(w.model_id().len(), 32);
/// ```
#[derive(Clone)]
pub struct Widget {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Widget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.text())
    }
}

/// Widgets alive in this process, by model id.
fn registry() -> &'static Mutex<HashMap<String, Weak<Inner>>> {
    static WIDGETS: OnceLock<Mutex<HashMap<String, Weak<Inner>>>> = OnceLock::new();
    WIDGETS.get_or_init(Default::default)
}

/// Widgets that were shown: the page refers to them, so they stay open when the cell's
/// handles are dropped (`HBox::new(...)` as a cell's last expression), until `close()`,
/// `:clear` or a restart.
fn shown() -> &'static Mutex<HashMap<String, Widget>> {
    static SHOWN: OnceLock<Mutex<HashMap<String, Widget>>> = OnceLock::new();
    SHOWN.get_or_init(Default::default)
}

/// Control comms the front end opened (`jupyter.widget.control`).
fn control_comms() -> &'static Mutex<Vec<String>> {
    static CONTROL: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    CONTROL.get_or_init(Default::default)
}

fn new_model_id() -> String {
    let mut bytes = [0u8; 16];
    // SAFETY: getrandom writes at most `len` bytes into the buffer.
    let n = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), bytes.len(), 0) };
    if n != bytes.len() as isize {
        // No entropy source: time and a counter keep ids unique within the process.
        static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let t = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        let mix = (t.as_nanos() as u64) ^ (u64::from(std::process::id()) << 32);
        bytes[..8].copy_from_slice(&mix.to_le_bytes());
        bytes[8..].copy_from_slice(&COUNT.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Widget {
    /// Creates a model with `state` (the keys of its model schema; the model and view names
    /// are added from `spec`) and opens its comm. `fields` are the keys the front end may
    /// change, with what they must hold; an update to any other key is refused.
    ///
    /// ```
    /// use torchbook::widgets::{FieldType, Widget};
    /// use torchbook::widgets::widget::ModelSpec;
    /// let spec = ModelSpec { model_name: "IntTextModel", view_name: "IntTextView",
    ///     module: "@jupyter-widgets/controls", module_version: "2.0.0" };
    /// let state = serde_json::json!({"value": 7, "description": "n"});
    /// let w = Widget::new("IntText", spec, state.as_object().unwrap().clone(),
    ///     &[("value", FieldType::Int)], Vec::new());
    /// assert_eq!(w.get("value"), serde_json::json!(7));
    /// ```
    pub fn new(
        kind: &'static str,
        spec: ModelSpec,
        mut state: Map<String, Value>,
        fields: &'static [(&'static str, FieldType)],
        children: Vec<Widget>,
    ) -> Widget {
        for (key, value) in [
            ("_model_name", spec.model_name),
            ("_view_name", spec.view_name),
            ("_model_module", spec.module),
            ("_view_module", spec.module),
            ("_model_module_version", spec.module_version),
            ("_view_module_version", spec.module_version),
        ] {
            state.insert(key.to_owned(), Value::String(value.to_owned()));
        }
        let inner = Arc::new(Inner {
            id: new_model_id(),
            kind,
            spec,
            state: Mutex::new(state),
            fields,
            observers: Mutex::new(Vec::new()),
            custom: Mutex::new(Vec::new()),
            children,
            closed: AtomicBool::new(false),
        });
        registry().lock().unwrap_or_else(|e| e.into_inner()).insert(inner.id.clone(), Arc::downgrade(&inner));
        let widget = Widget { inner };
        link::send(Comm::Open {
            comm_id: widget.inner.id.clone(),
            target_name: WIDGET_TARGET.to_owned(),
            data: json!({ "state": widget.state(), "buffer_paths": [] }),
            metadata: json!({ "version": WIDGET_PROTOCOL_VERSION }),
        });
        widget
    }

    /// The model id (the comm's id).
    pub fn model_id(&self) -> &str {
        &self.inner.id
    }

    /// The widget's kind (`IntSlider`).
    pub fn kind(&self) -> &'static str {
        self.inner.kind
    }

    /// The value of one state key (`null` when it has none).
    pub fn get(&self, key: &str) -> Value {
        self.lock().get(key).cloned().unwrap_or(Value::Null)
    }

    /// The whole state.
    pub fn state(&self) -> Map<String, Value> {
        self.lock().clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Map<String, Value>> {
        self.inner.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Changes state keys here and on the front end, then calls the observers of the keys whose
    /// value changed.
    ///
    /// ```
    /// use torchbook::widgets::{AsWidget, Label, LabelConfig};
    /// let label = Label::new(LabelConfig::default());
    /// label.as_widget().set([("value", serde_json::json!("hi"))]);
    /// assert_eq!(label.value(), "hi");
    /// ```
    pub fn set<'a>(&self, changes: impl IntoIterator<Item = (&'a str, Value)>) {
        let mut changed = Map::new();
        {
            let mut state = self.lock();
            for (key, value) in changes {
                if state.get(key) != Some(&value) {
                    state.insert(key.to_owned(), value.clone());
                    changed.insert(key.to_owned(), value);
                }
            }
        }
        if changed.is_empty() {
            return;
        }
        if !self.inner.closed.load(Ordering::SeqCst) {
            link::send(Comm::Msg {
                comm_id: self.inner.id.clone(),
                data: json!({ "method": "update", "state": changed, "buffer_paths": [] }),
            });
        }
        self.notify(&changed);
    }

    fn notify(&self, changed: &Map<String, Value>) {
        let observers = self.inner.observers.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for (key, value) in changed {
            for (wanted, observer) in &observers {
                if wanted.is_none_or(|w| w == key) {
                    observer(key, value);
                }
            }
        }
    }

    /// Calls `f(key, value)` after `key` changed (any key when `None`), from the front end or
    /// from code. Callbacks from the front end run on the widgets' thread of the execution
    /// process, one at a time, while cells run on theirs.
    pub fn observe(&self, key: Option<&'static str>, f: impl Fn(&str, &Value) + Send + Sync + 'static) {
        self.inner.observers.lock().unwrap_or_else(|e| e.into_inner()).push((key, Arc::new(f)));
    }

    /// Calls `f(content)` for each custom message from the front end (a button's click).
    pub fn on_custom(&self, f: impl Fn(&Value) + Send + Sync + 'static) {
        self.inner.custom.lock().unwrap_or_else(|e| e.into_inner()).push(Arc::new(f));
    }

    /// Runs the custom-message handlers with `content`, as a message from the front end does.
    pub fn receive_custom(&self, content: &Value) {
        let handlers = self.inner.custom.lock().unwrap_or_else(|e| e.into_inner()).clone();
        for handler in handlers {
            handler(content);
        }
    }

    /// Whether it was shown (it then stays open until closed; see [`Widget`]).
    pub fn is_shown(&self) -> bool {
        shown().lock().unwrap_or_else(|e| e.into_inner()).contains_key(&self.inner.id)
    }

    /// Closes the comm now: the front end's views of it go away; the handle keeps its state.
    pub fn close(&self) {
        shown().lock().unwrap_or_else(|e| e.into_inner()).remove(&self.inner.id);
        if !self.inner.closed.swap(true, Ordering::SeqCst) {
            link::send(Comm::Close { comm_id: self.inner.id.clone(), data: json!({}) });
        }
    }

    /// Whether the comm is closed.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::SeqCst)
    }

    /// A line of text standing for the widget where no widget can be shown (nbconvert, the
    /// console): `IntSlider(value=3, description="lr")`.
    pub fn text(&self) -> String {
        let state = self.lock();
        let mut parts = Vec::new();
        for key in ["value", "description"] {
            match state.get(key) {
                Some(Value::String(s)) if s.is_empty() => {}
                Some(v) if !v.is_null() => parts.push(format!("{key}={v}")),
                _ => {}
            }
        }
        if let (Some(Value::Array(labels)), Some(index)) =
            (state.get("_options_labels"), state.get("index").and_then(Value::as_u64))
        {
            if let Some(label) = labels.get(index as usize) {
                parts.insert(0, format!("value={label}"));
            }
        }
        drop(state);
        if !self.inner.children.is_empty() {
            parts = self.inner.children.iter().map(Widget::text).collect();
        }
        format!("{}({})", self.inner.kind, parts.join(", "))
    }

    /// Applies the front end's `update`: every key is checked first, and one wrong key
    /// refuses the whole update, changing nothing. Echoed back (`echo_update`), then observed.
    fn apply_update(&self, changes: &Map<String, Value>) -> Result<(), WidgetError> {
        let mut changed = Map::new();
        {
            let mut state = self.lock();
            for (key, value) in changes {
                match self.inner.fields.iter().find(|(k, _)| k == key) {
                    Some((_, field)) => field.check(value, &state).map_err(|why| WidgetError::BadValue {
                        widget: self.inner.kind,
                        key: key.clone(),
                        why,
                    })?,
                    None => {
                        return Err(WidgetError::NotWritable { widget: self.inner.kind, key: key.clone() });
                    }
                }
            }
            for (key, value) in changes {
                if state.get(key) != Some(value) {
                    changed.insert(key.clone(), value.clone());
                }
                state.insert(key.clone(), value.clone());
            }
        }
        link::send(Comm::Msg {
            comm_id: self.inner.id.clone(),
            data: json!({ "method": "echo_update", "state": changes, "buffer_paths": [] }),
        });
        self.notify(&changed);
        Ok(())
    }

    fn handle_msg(&self, data: &Value) -> Result<(), WidgetError> {
        match data.get("method").and_then(Value::as_str) {
            Some("update") => match data.get("state") {
                Some(Value::Object(changes)) => self.apply_update(changes),
                _ => Err(WidgetError::Malformed("an update without a `state` object".to_owned())),
            },
            Some("request_state") => {
                link::send(Comm::Msg {
                    comm_id: self.inner.id.clone(),
                    data: json!({ "method": "update", "state": self.state(), "buffer_paths": [] }),
                });
                Ok(())
            }
            Some("custom") => {
                self.receive_custom(data.get("content").unwrap_or(&Value::Null));
                Ok(())
            }
            other => Err(WidgetError::Malformed(format!("unknown method {other:?} for {}", self.inner.kind))),
        }
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        registry().lock().unwrap_or_else(|e| e.into_inner()).remove(&self.id);
        if !self.closed.swap(true, Ordering::SeqCst) {
            link::send(Comm::Close { comm_id: self.id.clone(), data: json!({}) });
        }
    }
}

/// Gives the [`Widget`] behind a typed control.
pub trait AsWidget {
    /// The model.
    fn as_widget(&self) -> &Widget;
}

impl AsWidget for Widget {
    fn as_widget(&self) -> &Widget {
        self
    }
}

/// The MIME bundle that shows a widget: its view (JupyterLab, Notebook 7, VS Code) and a line
/// of text for clients without widgets.
///
/// ```
/// use torchbook::prelude::*;
/// let s = IntSlider::new(IntSliderConfig { value: 4, description: "k".into(), ..Default::default() });
/// let bundle = s.mime_bundle();
/// assert!(bundle.iter().any(|(m, v)| m == "application/vnd.jupyter.widget-view+json"
///     && v.contains(s.as_widget().model_id())));
/// assert!(bundle.iter().any(|(m, v)| m == "text/plain" && v == "IntSlider(value=4, description=\"k\")"));
/// ```
impl Displayable for Widget {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        if !self.is_closed() {
            shown().lock().unwrap_or_else(|e| e.into_inner()).insert(self.inner.id.clone(), self.clone());
        }
        let view = json!({ "model_id": self.inner.id, "version_major": 2, "version_minor": 1 });
        vec![
            ("text/plain".to_owned(), self.text()),
            ("application/vnd.jupyter.widget-view+json".to_owned(), view.to_string()),
        ]
    }
}

/// Closes every widget of this process (the kernel runs it after `:clear`).
///
/// ```
/// use torchbook::prelude::*;
/// let s = IntSlider::new(IntSliderConfig::default());
/// torchbook::widgets::close_all();
/// assert!(s.as_widget().is_closed());
/// ```
pub fn close_all() {
    shown().lock().unwrap_or_else(|e| e.into_inner()).clear();
    let alive: Vec<Arc<Inner>> =
        registry().lock().unwrap_or_else(|e| e.into_inner()).values().filter_map(Weak::upgrade).collect();
    for inner in alive {
        Widget { inner }.close();
    }
}

fn find(comm_id: &str) -> Result<Widget, WidgetError> {
    let inner = registry().lock().unwrap_or_else(|e| e.into_inner()).get(comm_id).and_then(Weak::upgrade);
    match inner {
        Some(inner) if !inner.closed.load(Ordering::SeqCst) => Ok(Widget { inner }),
        _ => Err(WidgetError::UnknownWidget(comm_id.to_owned())),
    }
}

/// Every live widget's full state, as the control comm's `update_states` gives it.
fn states() -> Value {
    let alive: Vec<Arc<Inner>> =
        registry().lock().unwrap_or_else(|e| e.into_inner()).values().filter_map(Weak::upgrade).collect();
    let mut states = Map::new();
    for inner in alive.into_iter().filter(|i| !i.closed.load(Ordering::SeqCst)) {
        let spec = inner.spec;
        let widget = Widget { inner };
        states.insert(
            widget.model_id().to_owned(),
            json!({
                "model_name": spec.model_name,
                "model_module": spec.module,
                "model_module_version": spec.module_version,
                "state": widget.state(),
            }),
        );
    }
    Value::Object(states)
}

/// Handles one comm message from the front end (on the widgets' thread).
pub(crate) fn dispatch(comm: Comm) -> Result<(), WidgetError> {
    match comm {
        Comm::Open { comm_id, target_name, .. } if target_name == CONTROL_TARGET => {
            control_comms().lock().unwrap_or_else(|e| e.into_inner()).push(comm_id);
            Ok(())
        }
        Comm::Open { target_name, .. } => {
            Err(WidgetError::Malformed(format!("no comm target {target_name:?}")))
        }
        Comm::Msg { comm_id, data } => {
            let is_control = control_comms().lock().unwrap_or_else(|e| e.into_inner()).contains(&comm_id);
            if is_control {
                return match data.get("method").and_then(Value::as_str) {
                    Some("request_states") => {
                        link::send(Comm::Msg {
                            comm_id,
                            data: json!({ "method": "update_states", "states": states(), "buffer_paths": [] }),
                        });
                        Ok(())
                    }
                    other => {
                        Err(WidgetError::Malformed(format!("unknown method {other:?} on the control comm")))
                    }
                };
            }
            find(&comm_id)?.handle_msg(&data)
        }
        Comm::Close { comm_id, .. } => {
            let mut control = control_comms().lock().unwrap_or_else(|e| e.into_inner());
            if let Some(at) = control.iter().position(|c| *c == comm_id) {
                control.remove(at);
                return Ok(());
            }
            drop(control);
            // The front end closed it: nothing more is sent on it.
            find(&comm_id)?.inner.closed.store(true, Ordering::SeqCst);
            Ok(())
        }
    }
}
