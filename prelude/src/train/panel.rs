//! The live training panel: widgets that show `fit`'s progress and act on it while it runs.

use super::{Callback, Control, History};
use crate::display::{display, DisplayHandle, Displayable};
use crate::widgets::{
    AsWidget, Button, ButtonConfig, FloatLogSlider, FloatLogSliderConfig, FloatProgress, FloatProgressConfig,
    HBox, Label, LabelConfig, Output, VBox, WidgetStyle,
};
use serde_json::json;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tch::nn;

/// Options of a [`TrainingPanel`].
///
/// ```
/// use torchbook::prelude::*;
/// let config = PanelConfig { learning_rate: Some(0.01), ..Default::default() };
/// assert_eq!(config.learning_rate, Some(0.01));
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PanelConfig {
    /// Show a learning-rate slider (log scale, 1e-6 to 1) starting at this rate. `fit` gives the
    /// optimizer this rate before the first batch, and the slider's rate before the next batch
    /// whenever it is moved (a schedule still sets its rate at each epoch's start).
    pub learning_rate: Option<f64>,
}

/// A live panel for `Trainer::fit`: a progress bar with the epoch, batch and loss, a Stop button,
/// the loss curves redrawn after each epoch, and, when asked for, a learning-rate slider.
///
/// Pressing Stop ends `fit` before its next batch: it returns the history so far with
/// `interrupted` set, and the model keeps its weights, as with the kernel's interrupt (■). The
/// panel's controls reach the kernel while the cell runs (kernel subshells; JupyterLab 4.6).
/// Where there is no widget front end (nbconvert, papermill, the console) the panel shows the
/// outcome as text and HTML when training ends: the last progress line and the loss curves.
///
/// ```
/// use torchbook::prelude::*;
/// tch::manual_seed(0);
/// let x = Tensor::linspace(-1.0, 1.0, 32, (Kind::Float, Device::Cpu)).unsqueeze(1);
/// let data = TensorDataset::new(x.shallow_clone(), &x * 2.0 + 1.0).unwrap();
/// let vs = nn::VarStore::new(Device::Cpu);
/// let model = nn::seq_t().add(nn::linear(&vs.root() / "fc", 1, 1, Default::default()));
/// let mut opt = Adam::new(vs.trainable_variables(), AdamConfig::default());
/// let loader = DataLoader::new(&data, 8).unwrap();
/// let panel = TrainingPanel::new(10, PanelConfig { learning_rate: Some(0.1), ..Default::default() });
/// let stop = panel.stop_button();
/// let mut trainer = Trainer::new(10).callback(panel);
/// // Pressed before training: fit stops before its first batch, with the history empty.
/// stop.click();
/// let history = trainer.fit(&model, &vs, &mut opt, &mse, None, &loader, None);
/// assert!(history.interrupted && history.epochs() == 0);
/// ```
pub struct TrainingPanel {
    epochs: usize,
    progress: FloatProgress,
    status: Label,
    stop: Button,
    chart: Output,
    learning_rate: Option<FloatLogSlider>,
    /// The rate last given to the optimizer from the slider.
    rate_given: Option<f64>,
    stop_pressed: Arc<AtomicBool>,
    panel: VBox,
    handle: Option<DisplayHandle>,
    last_draw: Option<Instant>,
    last_chart: Option<Instant>,
    /// The progress as text, and as a fraction done.
    text: String,
    fraction: f64,
}

/// Shortest time between two redraws of the progress within an epoch.
const REDRAW: Duration = Duration::from_millis(200);
/// Shortest time between two redraws of the loss curves (short epochs would send a chart each
/// few milliseconds); the last one is drawn when training ends.
const REDRAW_CHART: Duration = Duration::from_millis(500);

impl TrainingPanel {
    /// A panel for `epochs` epochs; it appears when training starts.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let trainer = Trainer::new(5).callback(TrainingPanel::new(5, PanelConfig::default()));
    /// assert_eq!(trainer.callbacks.len(), 1);
    /// ```
    pub fn new(epochs: usize, config: PanelConfig) -> TrainingPanel {
        let progress =
            FloatProgress::new(FloatProgressConfig { description: "training".into(), ..Default::default() });
        let status =
            Label::new(LabelConfig { value: "waiting for the first batch".into(), ..Default::default() });
        let stop = Button::new(ButtonConfig {
            description: "Stop".into(),
            tooltip: "End training before the next batch; the model and its history are kept".into(),
            button_style: WidgetStyle::Danger,
            icon: "stop".into(),
            ..Default::default()
        });
        let stop_pressed = Arc::new(AtomicBool::new(false));
        let pressed = stop_pressed.clone();
        stop.on_click(move || pressed.store(true, Ordering::SeqCst));
        let learning_rate = config.learning_rate.map(|rate| {
            FloatLogSlider::new(FloatLogSliderConfig {
                value: rate,
                min: -6.0,
                max: 0.0,
                step: 0.1,
                description: "lr".into(),
                readout_format: ".1e".into(),
                ..Default::default()
            })
        });
        let chart = Output::new();
        let row = HBox::new(&[&progress, &status, &stop]);
        let panel = match &learning_rate {
            Some(slider) => VBox::new(&[&row, slider, &chart]),
            None => VBox::new(&[&row, &chart]),
        };
        TrainingPanel {
            epochs,
            progress,
            status,
            stop,
            chart,
            learning_rate,
            rate_given: None,
            stop_pressed,
            panel,
            handle: None,
            last_draw: None,
            last_chart: None,
            text: String::new(),
            fraction: 0.0,
        }
    }

    /// The Stop button (a handle to the same widget), to press from code or show elsewhere.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let panel = TrainingPanel::new(3, PanelConfig::default());
    /// assert_eq!(panel.stop_button().as_widget().get("description"), "Stop");
    /// ```
    pub fn stop_button(&self) -> Button {
        self.stop.clone()
    }

    /// The learning-rate slider, when the config asked for one.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let panel = TrainingPanel::new(3, PanelConfig { learning_rate: Some(1e-3), ..Default::default() });
    /// assert!((panel.learning_rate_slider().unwrap().value() - 1e-3).abs() < 1e-12);
    /// ```
    pub fn learning_rate_slider(&self) -> Option<FloatLogSlider> {
        self.learning_rate.clone()
    }

    fn view(&self, history: Option<&History>) -> PanelView {
        let mut html = super::live::progress_html(&self.text, self.fraction);
        if let Some(history) = history {
            if let Some((_, charts)) = history.mime_bundle().into_iter().find(|(mime, _)| mime == "text/html")
            {
                html.push_str(&charts);
            }
        }
        PanelView { widget: self.panel.mime_bundle(), text: self.text.clone(), html }
    }

    fn show_progress(&mut self, text: String, fraction: f64) {
        self.progress.set_value(fraction);
        self.status.set_value(text.clone());
        self.text = text;
        self.fraction = fraction;
        // Only the widgets change while training runs: redrawing the display would rebuild the
        // widget view under the reader's pointer (a Stop press could miss). The text and HTML
        // for front ends without widgets are redrawn once, when training ends.
        self.last_draw = Some(Instant::now());
    }
}

/// What the panel's display holds: the widgets' view, with text and HTML for front ends
/// without widgets.
struct PanelView {
    widget: Vec<(String, String)>,
    text: String,
    html: String,
}

impl Displayable for PanelView {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        let mut bundle: Vec<(String, String)> =
            self.widget.iter().filter(|(mime, _)| mime != "text/plain").cloned().collect();
        bundle.push(("text/plain".to_owned(), self.text.clone()));
        bundle.push(("text/html".to_owned(), self.html.clone()));
        bundle
    }
}

impl Callback for TrainingPanel {
    fn on_batch_start(&mut self, epoch: usize, batch: usize) -> Control {
        if self.handle.is_none() {
            self.text = format!("training: epoch {}/{}, batch {}", epoch + 1, self.epochs, batch + 1);
            self.handle = Some(display(&self.view(None)));
        }
        if self.stop_pressed.load(Ordering::SeqCst) {
            Control::Stop
        } else {
            Control::Continue
        }
    }

    fn learning_rate(&mut self) -> Option<f64> {
        let rate = self.learning_rate.as_ref()?.value();
        if self.rate_given == Some(rate) {
            return None;
        }
        self.rate_given = Some(rate);
        Some(rate)
    }

    fn on_batch_end(&mut self, epoch: usize, batch: usize, batches: usize, loss: f64) {
        if self.last_draw.is_some_and(|t| t.elapsed() < REDRAW) {
            return;
        }
        let done = (epoch * batches + batch + 1) as f64 / (self.epochs * batches).max(1) as f64;
        let rate = self.rate_given.map(|r| format!(" lr {r:.1e}")).unwrap_or_default();
        self.show_progress(
            format!(
                "epoch {}/{} batch {}/{} loss {loss:.4}{rate}",
                epoch + 1,
                self.epochs,
                batch + 1,
                batches
            ),
            done,
        );
    }

    fn on_epoch_end(&mut self, epoch: usize, history: &History, _vs: &nn::VarStore) -> Control {
        let (text, fraction) = super::live::epoch_progress(epoch, self.epochs, history);
        self.show_progress(text, fraction);
        if self.last_chart.is_none_or(|t| t.elapsed() >= REDRAW_CHART) {
            self.chart.show(history);
            self.last_chart = Some(Instant::now());
        }
        Control::Continue
    }

    fn on_train_end(&mut self, history: &History, _vs: &nn::VarStore) {
        let how = if self.stop_pressed.load(Ordering::SeqCst) {
            self.progress.as_widget().set([("bar_style", json!("danger"))]);
            format!(
                "stopped (Stop pressed) after {} epoch(s): the model and history are kept",
                history.epochs()
            )
        } else if history.interrupted {
            self.progress.as_widget().set([("bar_style", json!("warning"))]);
            format!("interrupted after {} epoch(s): the model and history are kept", history.epochs())
        } else {
            self.progress.as_widget().set([("bar_style", json!("success"))]);
            let last = history.train_loss.last().map(|l| format!(", train loss {l:.4}")).unwrap_or_default();
            format!("done: {} epoch(s){last}", history.epochs())
        };
        if history.epochs() > 0 {
            self.chart.show(history);
        }
        self.stop.set_disabled(true);
        self.status.set_value(how.clone());
        self.text = how;
        if let Some(handle) = &self.handle {
            handle.update(&self.view(Some(history)));
        }
    }
}
