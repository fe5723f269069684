//! The controls of `@jupyter-widgets/controls` 2.0.0: sliders, a checkbox, text, labels,
//! progress bars, a dropdown, toggle buttons and a button, each a config with `Default` (as
//! tch's layers are made) and a typed handle on its [`Widget`].

use super::widget::{controls, FieldType, Widget};
use super::AsWidget;
use crate::display::Displayable;
use serde_json::{json, Map, Value};

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A value a control holds, as JSON.
pub trait ControlValue: Sized + Send + Sync + 'static {
    /// To JSON.
    fn to_json(&self) -> Value;
    /// From JSON, when it holds this type.
    fn from_json(value: &Value) -> Option<Self>;
}

impl ControlValue for i64 {
    fn to_json(&self) -> Value {
        json!(self)
    }
    fn from_json(value: &Value) -> Option<i64> {
        value.as_i64()
    }
}

impl ControlValue for f64 {
    fn to_json(&self) -> Value {
        json!(self)
    }
    fn from_json(value: &Value) -> Option<f64> {
        value.as_f64()
    }
}

impl ControlValue for bool {
    fn to_json(&self) -> Value {
        json!(self)
    }
    fn from_json(value: &Value) -> Option<bool> {
        value.as_bool()
    }
}

impl ControlValue for String {
    fn to_json(&self) -> Value {
        json!(self)
    }
    fn from_json(value: &Value) -> Option<String> {
        value.as_str().map(str::to_owned)
    }
}

/// A progress bar's or button's colour (`bar_style`, `button_style`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum WidgetStyle {
    /// The theme's default.
    #[default]
    Plain,
    /// Blue.
    Primary,
    /// Green.
    Success,
    /// Light blue.
    Info,
    /// Orange.
    Warning,
    /// Red.
    Danger,
}

impl WidgetStyle {
    fn name(self) -> &'static str {
        match self {
            WidgetStyle::Plain => "",
            WidgetStyle::Primary => "primary",
            WidgetStyle::Success => "success",
            WidgetStyle::Info => "info",
            WidgetStyle::Warning => "warning",
            WidgetStyle::Danger => "danger",
        }
    }
}

macro_rules! value_control {
    ($(#[$doc:meta])* $name:ident, $config:ident, $value:ty, $model:literal, $view:literal, $field:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name {
            widget: Widget,
        }

        impl $name {
            /// Creates the control and opens its comm.
            pub fn new(config: $config) -> $name {
                $name {
                    widget: Widget::new(
                        stringify!($name),
                        controls($model, $view),
                        config.state(),
                        &[("value", $field)],
                        Vec::new(),
                    ),
                }
            }

            /// The current value (readable from any thread: a training loop reads it at
            /// every step).
            pub fn value(&self) -> $value {
                <$value as ControlValue>::from_json(&self.widget.get("value")).unwrap_or_default()
            }

            /// Sets the value here and on the front end.
            pub fn set_value(&self, value: $value) {
                self.widget.set([("value", ControlValue::to_json(&value))]);
            }

            /// Calls `f(value)` after the value changed (moved on the front end, or set).
            pub fn on_change(&self, f: impl Fn($value) + Send + Sync + 'static) {
                self.widget.observe(Some("value"), move |_, v| {
                    if let Some(v) = <$value as ControlValue>::from_json(v) {
                        f(v)
                    }
                });
            }
        }

        impl AsWidget for $name {
            fn as_widget(&self) -> &Widget {
                &self.widget
            }
        }

        impl Displayable for $name {
            fn mime_bundle(&self) -> Vec<(String, String)> {
                self.widget.mime_bundle()
            }
        }
    };
}

/// Options of an [`IntSlider`].
#[derive(Debug, Clone, PartialEq)]
pub struct IntSliderConfig {
    /// Initial value.
    pub value: i64,
    /// Smallest value.
    pub min: i64,
    /// Largest value.
    pub max: i64,
    /// Step.
    pub step: i64,
    /// Label shown before it.
    pub description: String,
    /// Send values while dragging (else on release).
    pub continuous_update: bool,
    /// Greyed out.
    pub disabled: bool,
}

impl Default for IntSliderConfig {
    fn default() -> Self {
        IntSliderConfig {
            value: 0,
            min: 0,
            max: 100,
            step: 1,
            description: String::new(),
            continuous_update: true,
            disabled: false,
        }
    }
}

impl IntSliderConfig {
    fn state(&self) -> Map<String, Value> {
        object(json!({
            "value": self.value, "min": self.min, "max": self.max, "step": self.step,
            "description": self.description, "continuous_update": self.continuous_update,
            "disabled": self.disabled, "orientation": "horizontal", "readout": true,
            "readout_format": "d", "behavior": "drag-tap",
        }))
    }
}

value_control!(
    /// A slider over integers.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let epochs = IntSlider::new(IntSliderConfig { value: 5, min: 1, max: 50, description: "epochs".into(), ..Default::default() });
    /// epochs.set_value(8);
    /// assert_eq!(epochs.value(), 8);
    /// ```
    IntSlider, IntSliderConfig, i64, "IntSliderModel", "IntSliderView", FieldType::Int
);

/// Options of a [`FloatSlider`].
#[derive(Debug, Clone, PartialEq)]
pub struct FloatSliderConfig {
    /// Initial value.
    pub value: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Step.
    pub step: f64,
    /// Label shown before it.
    pub description: String,
    /// d3-format of the value shown beside it (`.2f`).
    pub readout_format: String,
    /// Send values while dragging (else on release).
    pub continuous_update: bool,
    /// Greyed out.
    pub disabled: bool,
}

impl Default for FloatSliderConfig {
    fn default() -> Self {
        FloatSliderConfig {
            value: 0.0,
            min: 0.0,
            max: 1.0,
            step: 0.01,
            description: String::new(),
            readout_format: ".2f".to_owned(),
            continuous_update: true,
            disabled: false,
        }
    }
}

impl FloatSliderConfig {
    fn state(&self) -> Map<String, Value> {
        object(json!({
            "value": self.value, "min": self.min, "max": self.max, "step": self.step,
            "description": self.description, "continuous_update": self.continuous_update,
            "disabled": self.disabled, "orientation": "horizontal", "readout": true,
            "readout_format": self.readout_format, "behavior": "drag-tap",
        }))
    }
}

value_control!(
    /// A slider over real numbers.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let momentum = FloatSlider::new(FloatSliderConfig { value: 0.9, description: "momentum".into(), ..Default::default() });
    /// assert_eq!(momentum.value(), 0.9);
    /// ```
    FloatSlider, FloatSliderConfig, f64, "FloatSliderModel", "FloatSliderView", FieldType::Float
);

/// Options of a [`FloatLogSlider`]: the slider moves the exponent, from `min` to `max`.
#[derive(Debug, Clone, PartialEq)]
pub struct FloatLogSliderConfig {
    /// Initial value (not its exponent).
    pub value: f64,
    /// Base of the exponent.
    pub base: f64,
    /// Smallest exponent.
    pub min: f64,
    /// Largest exponent.
    pub max: f64,
    /// Step of the exponent.
    pub step: f64,
    /// Label shown before it.
    pub description: String,
    /// d3-format of the value shown beside it.
    pub readout_format: String,
    /// Send values while dragging (else on release).
    pub continuous_update: bool,
    /// Greyed out.
    pub disabled: bool,
}

impl Default for FloatLogSliderConfig {
    fn default() -> Self {
        FloatLogSliderConfig {
            value: 1e-3,
            base: 10.0,
            min: -5.0,
            max: 0.0,
            step: 0.1,
            description: String::new(),
            readout_format: ".1e".to_owned(),
            continuous_update: true,
            disabled: false,
        }
    }
}

impl FloatLogSliderConfig {
    fn state(&self) -> Map<String, Value> {
        object(json!({
            "value": self.value, "base": self.base, "min": self.min, "max": self.max,
            "step": self.step, "description": self.description,
            "continuous_update": self.continuous_update, "disabled": self.disabled,
            "orientation": "horizontal", "readout": true, "readout_format": self.readout_format,
            "behavior": "drag-tap",
        }))
    }
}

value_control!(
    /// A slider over powers of a base: learning rates from 1e-5 to 1 by default.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let lr = FloatLogSlider::new(FloatLogSliderConfig { value: 0.01, description: "lr".into(), ..Default::default() });
    /// assert_eq!(lr.value(), 0.01);
    /// ```
    FloatLogSlider, FloatLogSliderConfig, f64, "FloatLogSliderModel", "FloatLogSliderView", FieldType::Float
);

/// Options of a [`Checkbox`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CheckboxConfig {
    /// Ticked.
    pub value: bool,
    /// Label shown beside it.
    pub description: String,
    /// Greyed out.
    pub disabled: bool,
}

impl CheckboxConfig {
    fn state(&self) -> Map<String, Value> {
        object(json!({
            "value": self.value, "description": self.description, "disabled": self.disabled,
            "indent": true,
        }))
    }
}

value_control!(
    /// A checkbox.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let bias = Checkbox::new(CheckboxConfig { value: true, description: "bias".into(), ..Default::default() });
    /// assert!(bias.value());
    /// ```
    Checkbox, CheckboxConfig, bool, "CheckboxModel", "CheckboxView", FieldType::Bool
);

/// Options of a [`Text`] box.
#[derive(Debug, Clone, PartialEq)]
pub struct TextBoxConfig {
    /// Initial text.
    pub value: String,
    /// Shown greyed while empty.
    pub placeholder: String,
    /// Label shown before it.
    pub description: String,
    /// Send the text at each key (else on Enter or leaving the box).
    pub continuous_update: bool,
    /// Greyed out.
    pub disabled: bool,
}

impl Default for TextBoxConfig {
    fn default() -> Self {
        TextBoxConfig {
            value: String::new(),
            placeholder: String::new(),
            description: String::new(),
            continuous_update: true,
            disabled: false,
        }
    }
}

impl TextBoxConfig {
    fn state(&self) -> Map<String, Value> {
        object(json!({
            "value": self.value, "placeholder": self.placeholder, "description": self.description,
            "continuous_update": self.continuous_update, "disabled": self.disabled,
        }))
    }
}

value_control!(
    /// A one-line text box.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let review = TextBox::new(TextBoxConfig { placeholder: "a review".into(), ..Default::default() });
    /// review.set_value("great film".into());
    /// assert_eq!(review.value(), "great film");
    /// ```
    TextBox, TextBoxConfig, String, "TextModel", "TextView", FieldType::Text
);

/// Options of a [`Label`] or an [`HtmlWidget`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LabelConfig {
    /// The text (HTML for an [`HtmlWidget`]).
    pub value: String,
    /// Label shown before it.
    pub description: String,
}

impl LabelConfig {
    fn state(&self) -> Map<String, Value> {
        object(json!({ "value": self.value, "description": self.description, "placeholder": "" }))
    }
}

value_control!(
    /// A line of text the code changes.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let clicks = Label::new(LabelConfig { value: "0 clicks".into(), ..Default::default() });
    /// clicks.set_value("1 click".into());
    /// assert_eq!(clicks.value(), "1 click");
    /// ```
    Label, LabelConfig, String, "LabelModel", "LabelView", FieldType::Text
);

value_control!(
    /// HTML the code changes (ipywidgets' `HTML`).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let status = HtmlWidget::new(LabelConfig { value: "<b>ready</b>".into(), ..Default::default() });
    /// assert_eq!(status.value(), "<b>ready</b>");
    /// ```
    HtmlWidget, LabelConfig, String, "HTMLModel", "HTMLView", FieldType::Text
);

/// Options of an [`IntProgress`].
#[derive(Debug, Clone, PartialEq)]
pub struct IntProgressConfig {
    /// Initial value.
    pub value: i64,
    /// Empty bar.
    pub min: i64,
    /// Full bar.
    pub max: i64,
    /// Label shown before it.
    pub description: String,
    /// Colour.
    pub bar_style: WidgetStyle,
}

impl Default for IntProgressConfig {
    fn default() -> Self {
        IntProgressConfig {
            value: 0,
            min: 0,
            max: 100,
            description: String::new(),
            bar_style: WidgetStyle::Plain,
        }
    }
}

impl IntProgressConfig {
    fn state(&self) -> Map<String, Value> {
        object(json!({
            "value": self.value, "min": self.min, "max": self.max, "description": self.description,
            "bar_style": self.bar_style.name(), "orientation": "horizontal",
        }))
    }
}

value_control!(
    /// A progress bar over integers (batches, epochs).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let bar = IntProgress::new(IntProgressConfig { max: 10, ..Default::default() });
    /// for step in 1..=10 { bar.set_value(step); }
    /// assert_eq!(bar.value(), 10);
    /// ```
    IntProgress, IntProgressConfig, i64, "IntProgressModel", "ProgressView", FieldType::Int
);

/// Options of a [`FloatProgress`].
#[derive(Debug, Clone, PartialEq)]
pub struct FloatProgressConfig {
    /// Initial value.
    pub value: f64,
    /// Empty bar.
    pub min: f64,
    /// Full bar.
    pub max: f64,
    /// Label shown before it.
    pub description: String,
    /// Colour.
    pub bar_style: WidgetStyle,
}

impl Default for FloatProgressConfig {
    fn default() -> Self {
        FloatProgressConfig {
            value: 0.0,
            min: 0.0,
            max: 1.0,
            description: String::new(),
            bar_style: WidgetStyle::Plain,
        }
    }
}

impl FloatProgressConfig {
    fn state(&self) -> Map<String, Value> {
        object(json!({
            "value": self.value, "min": self.min, "max": self.max, "description": self.description,
            "bar_style": self.bar_style.name(), "orientation": "horizontal",
        }))
    }
}

value_control!(
    /// A progress bar over real numbers (a fraction done).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let done = FloatProgress::new(FloatProgressConfig::default());
    /// done.set_value(0.5);
    /// assert_eq!(done.value(), 0.5);
    /// ```
    FloatProgress, FloatProgressConfig, f64, "FloatProgressModel", "ProgressView", FieldType::Float
);

/// Options of a [`Dropdown`] or [`ToggleButtons`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SelectionConfig {
    /// The choices' labels.
    pub options: Vec<String>,
    /// The chosen one (`None`: the first, when there are options).
    pub index: Option<usize>,
    /// Label shown before it.
    pub description: String,
    /// Greyed out.
    pub disabled: bool,
}

impl SelectionConfig {
    fn state(&self) -> Map<String, Value> {
        let index = self.index.or((!self.options.is_empty()).then_some(0));
        object(json!({
            "_options_labels": self.options, "index": index, "description": self.description,
            "disabled": self.disabled,
        }))
    }
}

macro_rules! selection_control {
    ($(#[$doc:meta])* $name:ident, $model:literal, $view:literal, $extra:expr) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name {
            widget: Widget,
        }

        impl $name {
            /// Creates the control and opens its comm.
            pub fn new(config: SelectionConfig) -> $name {
                let mut state = config.state();
                state.extend(object($extra));
                $name {
                    widget: Widget::new(
                        stringify!($name),
                        controls($model, $view),
                        state,
                        &[("index", FieldType::OptionIndex)],
                        Vec::new(),
                    ),
                }
            }

            /// The chosen option's index.
            pub fn index(&self) -> Option<usize> {
                self.widget.get("index").as_u64().map(|i| i as usize)
            }

            /// The chosen option's label.
            pub fn value(&self) -> Option<String> {
                let index = self.index()?;
                self.widget.get("_options_labels").get(index)?.as_str().map(str::to_owned)
            }

            /// Chooses option `index` (`None`: none); an index past the options is an error
            /// naming both.
            pub fn set_index(&self, index: Option<usize>) -> Result<(), super::WidgetError> {
                let options = self.widget.get("_options_labels").as_array().map_or(0, Vec::len);
                if let Some(i) = index.filter(|&i| i >= options) {
                    return Err(super::WidgetError::BadValue {
                        widget: stringify!($name),
                        key: "index".to_owned(),
                        why: format!("index {i} is past the {options} options"),
                    });
                }
                self.widget.set([("index", json!(index))]);
                Ok(())
            }

            /// Calls `f(index, label)` after another option was chosen.
            pub fn on_change(&self, f: impl Fn(usize, &str) + Send + Sync + 'static) {
                let widget = self.widget.clone();
                let labels = move || widget.get("_options_labels");
                self.widget.observe(Some("index"), move |_, v| {
                    if let Some(i) = v.as_u64() {
                        if let Some(label) = labels().get(i as usize).and_then(Value::as_str) {
                            f(i as usize, label)
                        }
                    }
                });
            }
        }

        impl AsWidget for $name {
            fn as_widget(&self) -> &Widget {
                &self.widget
            }
        }

        impl Displayable for $name {
            fn mime_bundle(&self) -> Vec<(String, String)> {
                self.widget.mime_bundle()
            }
        }
    };
}

selection_control!(
    /// A drop-down list.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let activation = Dropdown::new(SelectionConfig {
    ///     options: vec!["relu".into(), "tanh".into(), "sigmoid".into()], ..Default::default() });
    /// assert_eq!(activation.value().as_deref(), Some("relu"));
    /// activation.set_index(Some(2)).unwrap();
    /// assert_eq!(activation.value().as_deref(), Some("sigmoid"));
    /// assert!(activation.set_index(Some(3)).is_err());
    /// ```
    Dropdown, "DropdownModel", "DropdownView", json!({})
);

selection_control!(
    /// A row of buttons, one pressed.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let optimizer = ToggleButtons::new(SelectionConfig {
    ///     options: vec!["SGD".into(), "Adam".into()], index: Some(1), ..Default::default() });
    /// assert_eq!(optimizer.value().as_deref(), Some("Adam"));
    /// ```
    ToggleButtons, "ToggleButtonsModel", "ToggleButtonsView", json!({"button_style": "", "tooltips": [], "icons": []})
);

/// Options of a [`Button`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ButtonConfig {
    /// The text on it.
    pub description: String,
    /// Shown on hover.
    pub tooltip: String,
    /// Colour.
    pub button_style: WidgetStyle,
    /// A Font Awesome icon name (`stop`).
    pub icon: String,
    /// Greyed out.
    pub disabled: bool,
}

/// A button; [`on_click`](Button::on_click) runs code when it is pressed.
///
/// ```
/// use torchbook::prelude::*;
/// let stop = Button::new(ButtonConfig { description: "Stop".into(), button_style: WidgetStyle::Danger, ..Default::default() });
/// let pressed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
/// let p = pressed.clone();
/// stop.on_click(move || p.store(true, std::sync::atomic::Ordering::SeqCst));
/// stop.click();
/// assert!(pressed.load(std::sync::atomic::Ordering::SeqCst));
/// ```
#[derive(Clone, Debug)]
pub struct Button {
    widget: Widget,
}

impl Button {
    /// Creates the button and opens its comm.
    pub fn new(config: ButtonConfig) -> Button {
        let state = object(json!({
            "description": config.description, "tooltip": config.tooltip,
            "button_style": config.button_style.name(), "icon": config.icon, "disabled": config.disabled,
        }));
        Button {
            widget: Widget::new("Button", controls("ButtonModel", "ButtonView"), state, &[], Vec::new()),
        }
    }

    /// Calls `f()` each time the button is pressed (on the widgets' thread, so it runs while a
    /// cell runs too).
    pub fn on_click(&self, f: impl Fn() + Send + Sync + 'static) {
        self.widget.on_custom(move |content| {
            if content.get("event").and_then(Value::as_str) == Some("click") {
                f()
            }
        });
    }

    /// Presses the button from code: its click handlers run now, on this thread.
    pub fn click(&self) {
        self.widget.receive_custom(&json!({ "event": "click" }));
    }

    /// Changes the text on it.
    pub fn set_description(&self, text: &str) {
        self.widget.set([("description", json!(text))]);
    }

    /// Greys it out, or not.
    pub fn set_disabled(&self, disabled: bool) {
        self.widget.set([("disabled", json!(disabled))]);
    }
}

impl AsWidget for Button {
    fn as_widget(&self) -> &Widget {
        &self.widget
    }
}

impl Displayable for Button {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        self.widget.mime_bundle()
    }
}
