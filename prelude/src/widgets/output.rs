//! The Output widget (`@jupyter-widgets/output` 1.0.0): an output area a callback redraws.
//!
//! Its outputs are part of its state (`outputs`, in nbformat's output shape), so they are
//! saved with the notebook's widget state and shown again without a kernel.

use super::widget::{ModelSpec, Widget};
use super::AsWidget;
use crate::display::Displayable;
use serde_json::{json, Map, Value};

const OUTPUT: ModelSpec = ModelSpec {
    model_name: "OutputModel",
    view_name: "OutputView",
    module: "@jupyter-widgets/output",
    module_version: "1.0.0",
};

/// An output area that code fills and redraws: a chart redrawn when a slider moves.
///
/// ```
/// use torchbook::prelude::*;
/// let out = Output::new();
/// out.show(&"loss 0.25");
/// out.append_text("epoch 2\n");
/// let outputs = out.as_widget().get("outputs");
/// assert_eq!(outputs[0]["data"]["text/plain"], "loss 0.25");
/// assert_eq!(outputs[1]["text"], "epoch 2\n");
/// out.clear();
/// assert_eq!(out.as_widget().get("outputs"), serde_json::json!([]));
/// ```
#[derive(Clone, Debug)]
pub struct Output {
    widget: Widget,
}

impl Default for Output {
    fn default() -> Self {
        Output::new()
    }
}

/// One display output, as nbformat writes it (JSON types as JSON).
pub(crate) fn display_output(value: &(impl Displayable + ?Sized)) -> Value {
    let mut data = Map::new();
    for (mime, text) in value.mime_bundle() {
        let json_type = mime == "application/json" || mime.ends_with("+json");
        let parsed = json_type.then(|| serde_json::from_str(&text).ok()).flatten();
        data.insert(mime, parsed.unwrap_or(Value::String(text)));
    }
    json!({ "output_type": "display_data", "data": data, "metadata": {} })
}

impl Output {
    /// Creates an empty output area and opens its comm.
    pub fn new() -> Output {
        let state = json!({ "msg_id": "", "outputs": [] });
        let Value::Object(state) = state else { unreachable!("a JSON object literal") };
        Output { widget: Widget::new("Output", OUTPUT, state, &[], Vec::new()) }
    }

    /// Replaces what it shows with `value`'s rich forms (a chart's SVG, a tensor's table).
    pub fn show(&self, value: &(impl Displayable + ?Sized)) {
        self.widget.set([("outputs", json!([display_output(value)]))]);
    }

    /// Adds `value` below what it shows.
    pub fn append(&self, value: &(impl Displayable + ?Sized)) {
        self.push(display_output(value));
    }

    /// Adds text, as printed on stdout, below what it shows.
    pub fn append_text(&self, text: &str) {
        self.push(json!({ "output_type": "stream", "name": "stdout", "text": text }));
    }

    fn push(&self, output: Value) {
        let mut outputs = match self.widget.get("outputs") {
            Value::Array(v) => v,
            _ => Vec::new(),
        };
        outputs.push(output);
        self.widget.set([("outputs", Value::Array(outputs))]);
    }

    /// Empties it.
    pub fn clear(&self) {
        self.widget.set([("outputs", json!([]))]);
    }

    /// The text of what it shows (each output's `text/plain`, or its printed text).
    pub fn text(&self) -> String {
        let outputs = self.widget.get("outputs");
        let mut text = String::new();
        for output in outputs.as_array().into_iter().flatten() {
            if let Some(t) = output.get("text").and_then(Value::as_str) {
                text.push_str(t);
            } else if let Some(t) = output.pointer("/data/text~1plain").and_then(Value::as_str) {
                text.push_str(t);
                text.push('\n');
            }
        }
        text
    }
}

impl AsWidget for Output {
    fn as_widget(&self) -> &Widget {
        &self.widget
    }
}

impl Displayable for Output {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        let mut bundle = self.widget.mime_bundle();
        if let Some(plain) = bundle.iter_mut().find(|(m, _)| m == "text/plain") {
            plain.1 = self.text();
        }
        bundle
    }
}
