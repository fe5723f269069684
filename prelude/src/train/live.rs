use super::{Callback, Control, History};
use crate::display::{display, DisplayHandle, Displayable, Html};
use std::time::{Duration, Instant};
use tch::nn;

/// Redraws the loss (and metric) curves in place after every epoch, while `fit` runs.
///
/// ```
/// use torchbook::prelude::*;
/// // Trainer::live() adds it with a progress bar; it can also be added on its own.
/// let trainer = Trainer::new(3).callback(LivePlot::new());
/// assert_eq!(trainer.callbacks.len(), 1);
/// ```
#[derive(Debug, Default)]
pub struct LivePlot {
    handle: Option<DisplayHandle>,
}

impl LivePlot {
    /// A plot that appears after the first epoch.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let trainer = Trainer::new(5).callback(LivePlot::new());
    /// assert_eq!(trainer.callbacks.len(), 1);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

impl Callback for LivePlot {
    fn on_epoch_end(&mut self, _epoch: usize, history: &History, _vs: &nn::VarStore) -> Control {
        match &self.handle {
            None => self.handle = Some(display(history)),
            Some(h) => h.update(history),
        }
        Control::Continue
    }
}

/// A progress bar over epochs and batches, updated in place (at most five times a second).
///
/// ```
/// use torchbook::prelude::*;
/// let mut bar = ProgressBar::new(2);
/// bar.on_batch_end(0, 0, 10, 0.69);
/// assert_eq!(Trainer::new(2).live().callbacks.len(), 2); // a LivePlot and a ProgressBar
/// ```
#[derive(Debug)]
pub struct ProgressBar {
    epochs: usize,
    handle: Option<DisplayHandle>,
    last_draw: Option<Instant>,
}

/// Shortest time between two redraws within an epoch.
const REDRAW: Duration = Duration::from_millis(200);

impl ProgressBar {
    /// A bar for `epochs` epochs.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let trainer = Trainer::new(5).callback(ProgressBar::new(5));
    /// assert_eq!(trainer.callbacks.len(), 1);
    /// ```
    pub fn new(epochs: usize) -> Self {
        ProgressBar { epochs, handle: None, last_draw: None }
    }

    fn draw(&mut self, text: String, fraction: f64) {
        let html = Html(progress_html(&text, fraction));
        struct Bar(Html, String);
        impl Displayable for Bar {
            fn mime_bundle(&self) -> Vec<(String, String)> {
                vec![("text/plain".to_owned(), self.1.clone()), ("text/html".to_owned(), self.0 .0.clone())]
            }
        }
        let bar = Bar(html, text);
        match &self.handle {
            None => self.handle = Some(display(&bar)),
            Some(h) => h.update(&bar),
        }
        self.last_draw = Some(Instant::now());
    }
}

impl Callback for ProgressBar {
    fn on_batch_end(&mut self, epoch: usize, batch: usize, batches: usize, loss: f64) {
        if self.last_draw.is_some_and(|t| t.elapsed() < REDRAW) {
            return;
        }
        let done = (epoch * batches + batch + 1) as f64 / (self.epochs * batches).max(1) as f64;
        self.draw(
            format!("epoch {}/{} batch {}/{} loss {loss:.4}", epoch + 1, self.epochs, batch + 1, batches),
            done,
        );
    }

    fn on_epoch_end(&mut self, epoch: usize, history: &History, _vs: &nn::VarStore) -> Control {
        let (text, fraction) = epoch_progress(epoch, self.epochs, history);
        self.draw(text, fraction);
        Control::Continue
    }
}

/// The progress line after an epoch, and the fraction of training done (the progress bar and
/// the training panel say the same).
pub(super) fn epoch_progress(epoch: usize, epochs: usize, history: &History) -> (String, f64) {
    let valid = history.valid_loss.last().map(|v| format!(" valid loss {v:.4}")).unwrap_or_default();
    let train = history.train_loss.last().copied().unwrap_or(f64::NAN);
    (
        format!("epoch {}/{epochs} train loss {train:.4}{valid}", epoch + 1),
        (epoch + 1) as f64 / epochs.max(1) as f64,
    )
}

/// A progress line as HTML: a bar filled to `fraction` and the text.
pub(super) fn progress_html(text: &str, fraction: f64) -> String {
    format!(
        "<div style=\"font-family:monospace\"><progress value=\"{fraction:.3}\" max=\"1\" style=\"width:40%\"></progress> {}</div>",
        text.replace('&', "&amp;").replace('<', "&lt;")
    )
}
