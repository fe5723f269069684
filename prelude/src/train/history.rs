use crate::display::Displayable;
use crate::plot::LineChart;

/// What `Trainer::fit` measured, epoch by epoch.
///
/// ```
/// use torchbook::prelude::*;
/// let history = History { train_loss: vec![0.9, 0.5, 0.4], valid_loss: vec![0.8, 0.6, 0.7], ..Default::default() };
/// assert_eq!((history.epochs(), history.best_epoch()), (3, Some(1)));
/// assert!(history.loss_chart().to_svg().unwrap().contains("valid"));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct History {
    /// Mean training loss per epoch.
    pub train_loss: Vec<f64>,
    /// Validation loss per epoch (empty without a validation loader).
    pub valid_loss: Vec<f64>,
    /// Training metric per epoch (empty without a metric).
    pub train_metric: Vec<f64>,
    /// Validation metric per epoch.
    pub valid_metric: Vec<f64>,
    /// The metric's name, for charts.
    pub metric_name: String,
    /// The user interrupted the kernel; the epochs above are the ones completed.
    pub interrupted: bool,
    /// A callback (early stopping) ended training.
    pub stopped_early: bool,
}

impl History {
    /// Epochs completed.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let history = History { train_loss: vec![0.9, 0.6, 0.5], valid_loss: vec![0.8, 0.55, 0.6], ..Default::default() };
    /// assert_eq!(history.epochs(), 3);
    /// ```
    pub fn epochs(&self) -> usize {
        self.train_loss.len()
    }

    /// Epoch (0-based) with the lowest validation loss, if there is validation.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let history = History { train_loss: vec![0.9, 0.6, 0.5], valid_loss: vec![0.8, 0.55, 0.6], ..Default::default() };
    /// assert_eq!(history.best_epoch(), Some(1));
    /// assert_eq!(History::default().best_epoch(), None);
    /// ```
    pub fn best_epoch(&self) -> Option<usize> {
        self.valid_loss.iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i)
    }

    /// Loss curves (train and validation) as a chart.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let history = History { train_loss: vec![0.9, 0.6, 0.5], valid_loss: vec![0.8, 0.55, 0.6], ..Default::default() };
    /// let chart = history.loss_chart();
    /// assert_eq!(chart.series_list().len(), 2); // train and valid
    /// ```
    pub fn loss_chart(&self) -> LineChart {
        let mut chart =
            LineChart::new("loss").x_label("epoch").y_label("loss").series_y("train", &self.train_loss);
        if !self.valid_loss.is_empty() {
            chart = chart.series_y("valid", &self.valid_loss);
        }
        chart
    }

    /// Metric curves, when there is a metric.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let history = History { train_loss: vec![0.9, 0.6, 0.5], valid_loss: vec![0.8, 0.55, 0.6], ..Default::default() };
    /// assert!(history.metric_chart().is_none()); // no metric recorded
    /// let with_metric = History { train_metric: vec![0.7], valid_metric: vec![0.65], metric_name: "accuracy".into(), ..history };
    /// assert!(with_metric.metric_chart().unwrap().to_svg().unwrap().contains("accuracy"));
    /// ```
    pub fn metric_chart(&self) -> Option<LineChart> {
        if self.train_metric.is_empty() {
            return None;
        }
        let mut chart = LineChart::new(self.metric_name.clone())
            .x_label("epoch")
            .y_label(self.metric_name.clone())
            .series_y("train", &self.train_metric);
        if !self.valid_metric.is_empty() {
            chart = chart.series_y("valid", &self.valid_metric);
        }
        Some(chart)
    }
}

impl Displayable for History {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        let last = |v: &[f64]| v.last().map(|x| format!("{x:.4}")).unwrap_or_else(|| "-".into());
        let text = format!(
            "History: {} epochs, train loss {}, valid loss {}{}{}",
            self.epochs(),
            last(&self.train_loss),
            last(&self.valid_loss),
            if self.interrupted { " (interrupted)" } else { "" },
            if self.stopped_early { " (stopped early)" } else { "" }
        );
        let mut html = String::from("<div style=\"display:flex;flex-wrap:wrap\">");
        for chart in std::iter::once(self.loss_chart()).chain(self.metric_chart()) {
            if let Ok(svg) = chart.size(420, 300).to_svg() {
                html.push_str(&format!("<div>{svg}</div>"));
            }
        }
        html.push_str("</div>");
        vec![("text/plain".to_owned(), text), ("text/html".to_owned(), html)]
    }
}
