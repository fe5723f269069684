//! Training: a `Trainer` with callbacks (live plots, progress, a widget panel with Stop,
//! early stopping, best weights),
//! `evaluate`, `predict`, and d2l's small helpers.

mod callbacks;
mod helpers;
mod history;
mod live;
mod panel;
mod trainer;

pub use callbacks::{BestWeights, Callback, Control, EarlyStopping};
pub use helpers::{seed_everything, try_gpu, Accumulator, Timer};
pub use history::History;
pub use live::{LivePlot, ProgressBar};
pub use panel::{PanelConfig, TrainingPanel};
pub use trainer::{evaluate, predict, Metric, MetricFn, Trainer};
