//! HBox and VBox: widgets laid out in a row or a column.

use super::widget::{controls, Widget};
use super::AsWidget;
use crate::display::Displayable;
use serde_json::{json, Map, Value};

fn boxed(kind: &'static str, model: &'static str, view: &'static str, children: &[&dyn AsWidget]) -> Widget {
    let children: Vec<Widget> = children.iter().map(|c| c.as_widget().clone()).collect();
    let references: Vec<String> = children.iter().map(|c| format!("IPY_MODEL_{}", c.model_id())).collect();
    let mut state = Map::new();
    state.insert("children".to_owned(), json!(references));
    state.insert("box_style".to_owned(), Value::String(String::new()));
    Widget::new(kind, controls(model, view), state, &[], children)
}

macro_rules! layout_box {
    ($(#[$doc:meta])* $name:ident, $model:literal, $view:literal) => {
        $(#[$doc])*
        #[derive(Clone, Debug)]
        pub struct $name {
            widget: Widget,
        }

        impl $name {
            /// Lays `children` out; the box keeps them alive as long as it lives.
            pub fn new(children: &[&dyn AsWidget]) -> $name {
                $name { widget: boxed(stringify!($name), $model, $view, children) }
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

layout_box!(
    /// Widgets side by side.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let (a, b) = (Button::new(ButtonConfig::default()), Label::new(LabelConfig::default()));
    /// let row = HBox::new(&[&a, &b]);
    /// let children = row.as_widget().get("children");
    /// assert_eq!(children[1], format!("IPY_MODEL_{}", b.as_widget().model_id()));
    /// ```
    HBox, "HBoxModel", "HBoxView"
);

layout_box!(
    /// Widgets one above the other.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let s = IntSlider::new(IntSliderConfig::default());
    /// let column = VBox::new(&[&s, &Output::new()]);
    /// assert_eq!(column.as_widget().get("children").as_array().unwrap().len(), 2);
    /// ```
    VBox, "VBoxModel", "VBoxView"
);
