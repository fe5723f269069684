//! Everything a notebook cell sees without a `use` line.
//!
//! ```
//! use torchbook::prelude::*;
//! let device = Device::cuda_if_available();
//! let x = Tensor::zeros([2], (Kind::Float, device));
//! assert_eq!(x.size(), vec![2]);
//! ```

pub use crate::activation::*;
pub use crate::data::*;
pub use crate::datasets::LabelledText;
pub use crate::debug_display::EvcxrDebugDisplay;
pub use crate::display::{clear_output, display, DisplayHandle, Displayable, EvcxrDisplay};
pub use crate::doctor::doctor;
pub use crate::gradcheck::{gradcheck, gradcheck_with, GradcheckReport};
pub use crate::input::{input, input_password};
pub use crate::interrupt::{check_interrupt, interrupt_requested, Interrupted};
pub use crate::layers::{
    gru, lstm, mlp, Dropout, Flatten, GlobalAveragePooling1d, Gru, Lstm, MaxPool2d, RecurrentOutput,
};
pub use crate::loss::*;
pub use crate::metrics::{accuracy, binary_accuracy_logits, binary_predictions, ConfusionMatrix};
pub use crate::optim::{
    clip_grad_norm, Adagrad, Adam, AdamConfig, GradientDescent, Optimizer, RmsProp, Schedule, Sgd, SgdConfig,
};
pub use crate::parameter::parameter;
pub use crate::plot::{ContourPlot, Heatmap, Histogram, ImageGrid, LineChart, ScatterPlot};
pub use crate::serving::{load_weights, predict_proba, save_weights, SavedStandardizer, TextPipeline};
pub use crate::tensor_view::TensorView;
pub use crate::text::{pad_sequences, Padding, Tokenizer};
pub use crate::train::*;
pub use crate::two_layer::TwoLayerNet;
pub use crate::widgets::{
    interact, AsWidget, Button, ButtonConfig, Checkbox, CheckboxConfig, Dropdown, FloatLogSlider,
    FloatLogSliderConfig, FloatProgress, FloatProgressConfig, FloatSlider, FloatSliderConfig, HBox,
    HtmlWidget, IntProgress, IntProgressConfig, IntSlider, IntSliderConfig, Interactive, Label, LabelConfig,
    Output, SelectionConfig, TextBox, TextBoxConfig, ToggleButtons, VBox, WidgetStyle,
};
pub use plotters;
pub use serde_json;
pub use tch::nn::{Module, ModuleT, OptimizerConfig};
pub use tch::{self, nn, Device, IndexOp, Kind, Reduction, Tensor};
