//! Widgets: sliders, buttons, text and output areas a notebook's reader moves and presses,
//! synced with JupyterLab's widgets front end (the Jupyter widgets messaging protocol 2.1.0;
//! the models of `@jupyter-widgets/controls` 2.0.0 and `@jupyter-widgets/output` 1.0.0).
//!
//! A widget lives in the execution process, beside the cell's variables. Its state is synced
//! over a comm: set from code ([`IntSlider::set_value`]) it changes on the page; moved on the
//! page, its new value is read by [`IntSlider::value`] from any thread, and its callbacks
//! ([`IntSlider::on_change`], [`Button::on_click`]) run on the widgets' own thread, one at a
//! time. A panic in a callback is reported on stderr and in the kernel's log; it never ends
//! the kernel.
//!
//! Where no widget can be shown (nbconvert, papermill, the console) a widget shows a line of
//! text, and [`interact`] shows its first result.
//!
//! Ownership across cells: a widget is a cheap handle (`clone` shares the same model), and its
//! comm closes when the last handle is dropped. Keep a widget in a variable (`let lr = ...;`),
//! and move clones of the widgets a callback needs into it:
//!
//! ```
//! use torchbook::prelude::*;
//! let button = Button::new(ButtonConfig { description: "Add one".into(), ..Default::default() });
//! let count = Label::new(LabelConfig { value: "0".into(), ..Default::default() });
//! let shown = count.clone();
//! button.on_click(move || {
//!     let n: i64 = shown.value().parse().unwrap_or(0);
//!     shown.set_value((n + 1).to_string());
//! });
//! button.click();
//! assert_eq!(count.value(), "1");
//! ```

mod boxes;
mod controls;
mod interact;
pub(crate) mod link;
mod output;
pub mod widget;

pub use boxes::{HBox, VBox};
pub use controls::{
    Button, ButtonConfig, Checkbox, CheckboxConfig, ControlValue, Dropdown, FloatLogSlider,
    FloatLogSliderConfig, FloatProgress, FloatProgressConfig, FloatSlider, FloatSliderConfig, HtmlWidget,
    IntProgress, IntProgressConfig, IntSlider, IntSliderConfig, Label, LabelConfig, SelectionConfig, TextBox,
    TextBoxConfig, ToggleButtons, WidgetStyle,
};
pub use interact::{interact, Interactive, DEBOUNCE};
pub use output::Output;
pub use widget::{close_all, AsWidget, FieldType, Widget};

/// What was wrong with a widget message or value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WidgetError {
    /// No open widget has this model id.
    #[error("no open widget has the model id {0:?}")]
    UnknownWidget(String),
    /// A value of the wrong type or out of range.
    #[error("{widget} `{key}`: {why}")]
    BadValue {
        /// The widget's kind.
        widget: &'static str,
        /// The state key.
        key: String,
        /// What it must hold, and what came.
        why: String,
    },
    /// A key the front end may not change.
    #[error("{widget} has no `{key}` the front end may change")]
    NotWritable {
        /// The widget's kind.
        widget: &'static str,
        /// The state key.
        key: String,
    },
    /// A message that is not one of the protocol's.
    #[error("a malformed widget message: {0}")]
    Malformed(String),
    /// The kernel did not acknowledge (it ended).
    #[error("the kernel's comm link is gone")]
    KernelGone,
}

/// True on a thread that runs widget callbacks (the panic hook reports their panics there).
pub(crate) fn in_callback() -> bool {
    link::in_callback()
}

#[cfg(test)]
mod tests {
    use super::widget::dispatch;
    use super::*;
    use serde_json::json;
    use torchbook_contract::comm::Comm;

    fn update(w: &Widget, state: serde_json::Value) -> Result<(), WidgetError> {
        dispatch(Comm::Msg {
            comm_id: w.model_id().to_owned(),
            data: json!({"method": "update", "state": state, "buffer_paths": []}),
        })
    }

    #[test]
    fn an_update_from_the_front_end_is_applied_and_observed() {
        let s = IntSlider::new(IntSliderConfig::default());
        let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let t = seen.clone();
        s.on_change(move |v| t.lock().unwrap().push(v));
        update(s.as_widget(), json!({"value": 42})).unwrap();
        assert_eq!(s.value(), 42);
        assert_eq!(*seen.lock().unwrap(), [42]);
    }

    #[test]
    fn a_wrong_type_or_key_is_refused_by_name_and_changes_nothing() {
        let s = IntSlider::new(IntSliderConfig { value: 5, ..Default::default() });
        let e = update(s.as_widget(), json!({"value": "six"})).unwrap_err();
        assert_eq!(e.to_string(), "IntSlider `value`: expected an integer, got \"six\"");
        let e = update(s.as_widget(), json!({"value": 6, "max": 7})).unwrap_err();
        assert_eq!(e.to_string(), "IntSlider has no `max` the front end may change");
        assert_eq!((s.value(), s.as_widget().get("max")), (5, json!(100)));
        let d = Dropdown::new(SelectionConfig { options: vec!["a".into()], ..Default::default() });
        let e = update(d.as_widget(), json!({"index": 1})).unwrap_err();
        assert_eq!(e.to_string(), "Dropdown `index`: expected null or an option's index below 1, got 1");
    }

    #[test]
    fn unknown_and_closed_widgets_are_named() {
        let e = update_unknown("nope");
        assert_eq!(e.to_string(), "no open widget has the model id \"nope\"");
        let s = IntSlider::new(IntSliderConfig::default());
        s.as_widget().close();
        assert!(update(s.as_widget(), json!({"value": 1})).is_err());
        assert_eq!(s.value(), 0);
    }

    fn update_unknown(id: &str) -> WidgetError {
        dispatch(Comm::Msg { comm_id: id.into(), data: json!({"method": "update", "state": {}}) })
            .unwrap_err()
    }

    #[test]
    fn a_button_click_arrives_as_a_custom_message() {
        let b = Button::new(ButtonConfig::default());
        let n = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
        let m = n.clone();
        b.on_click(move || {
            m.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        });
        let custom = json!({"method": "custom", "content": {"event": "click"}});
        dispatch(Comm::Msg { comm_id: b.as_widget().model_id().into(), data: custom }).unwrap();
        assert_eq!(n.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn dropped_widgets_leave_the_registry() {
        let id = IntSlider::new(IntSliderConfig::default()).as_widget().model_id().to_owned();
        assert_eq!(update_unknown(&id), WidgetError::UnknownWidget(id));
    }
}
