//! Line charts rendered to inline SVG with plotters.

use super::{cartesian, pad, render_svg, OrPlot, PlotError, PALETTE};
use crate::display::Displayable;
use plotters::prelude::*;

/// One named curve of a [`LineChart`].
///
/// ```
/// use torchbook::prelude::*;
/// let chart = LineChart::new("curves").series_y("loss", &[3.0, 2.0]);
/// assert!(chart.to_svg().unwrap().contains("loss"));
/// let series = torchbook::plot::Series { name: "loss".into(), points: vec![(0.0, 3.0), (1.0, 2.0)] };
/// assert_eq!(series.points.len(), 2);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// `(x, y)` points in drawing order.
    pub points: Vec<(f64, f64)>,
}

/// A line chart with several series, axis labels and a legend; shows as SVG in a notebook.
///
/// ```
/// use torchbook::prelude::*;
/// let chart = LineChart::new("loss")
///     .x_label("epoch")
///     .y_label("value")
///     .series_y("train", &[1.0, 0.5, 0.25])
///     .series("valid", &[(0.0, 1.1), (1.0, 0.7), (2.0, 0.6)]);
/// let svg = chart.to_svg().unwrap();
/// assert!(svg.starts_with("<svg") && svg.contains("train") && svg.contains("epoch"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    title: String,
    x_label: String,
    y_label: String,
    series: Vec<Series>,
    size: (u32, u32),
}

impl LineChart {
    /// An empty chart with a title, 640×400 pixels.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let chart = LineChart::new("accuracy");
    /// assert!(chart.series_list().is_empty());
    /// ```
    pub fn new(title: impl Into<String>) -> Self {
        LineChart {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            series: Vec::new(),
            size: (640, 400),
        }
    }

    /// Label under the x axis.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// assert!(LineChart::new("c").x_label("epoch").series_y("s", &[1.0, 2.0]).to_svg().unwrap().contains("epoch"));
    /// ```
    pub fn x_label(mut self, label: impl Into<String>) -> Self {
        self.x_label = label.into();
        self
    }

    /// Label beside the y axis.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// assert!(LineChart::new("c").y_label("loss").series_y("s", &[1.0, 2.0]).to_svg().unwrap().contains("loss"));
    /// ```
    pub fn y_label(mut self, label: impl Into<String>) -> Self {
        self.y_label = label.into();
        self
    }

    /// Picture size in pixels.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let svg = LineChart::new("wide").size(900, 300).series_y("s", &[1.0, 2.0]).to_svg().unwrap();
    /// assert!(svg.contains("900"));
    /// ```
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = (width, height);
        self
    }

    /// Adds a series of `(x, y)` points.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let chart = LineChart::new("c").series("curve", &[(0.0, 1.0), (0.5, 0.2)]);
    /// assert_eq!(chart.series_list()[0].points[1], (0.5, 0.2));
    /// ```
    pub fn series(mut self, name: impl Into<String>, points: &[(f64, f64)]) -> Self {
        self.series.push(Series { name: name.into(), points: points.to_vec() });
        self
    }

    /// Adds a series from separate x and y values (the shorter list sets the length).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let xs: Vec<f64> = (0..5).map(|i| i as f64 / 4.0).collect();
    /// let ys: Vec<f64> = xs.iter().map(|x| x * x).collect();
    /// let chart = LineChart::new("x²").series_xy("x²", &xs, &ys);
    /// assert_eq!(chart.series_list()[0].points[4], (1.0, 1.0));
    /// ```
    pub fn series_xy(self, name: impl Into<String>, xs: &[f64], ys: &[f64]) -> Self {
        let points: Vec<(f64, f64)> = xs.iter().copied().zip(ys.iter().copied()).collect();
        self.series(name, &points)
    }

    /// Adds a series whose x values are 0, 1, 2, ...
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// // x is the index: 0, 1, 2, …
    /// let chart = LineChart::new("loss").series_y("train", &[0.9, 0.5]);
    /// assert_eq!(chart.series_list()[0].points, vec![(0.0, 0.9), (1.0, 0.5)]);
    /// ```
    pub fn series_y(self, name: impl Into<String>, ys: &[f64]) -> Self {
        let points: Vec<(f64, f64)> = ys.iter().enumerate().map(|(i, &y)| (i as f64, y)).collect();
        self.series(name, &points)
    }

    /// The series drawn so far.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let chart = LineChart::new("c").series_y("a", &[1.0]).series_y("b", &[2.0]);
    /// let names: Vec<&str> = chart.series_list().iter().map(|s| s.name.as_str()).collect();
    /// assert_eq!(names, vec!["a", "b"]);
    /// ```
    pub fn series_list(&self) -> &[Series] {
        &self.series
    }

    fn bounds(&self) -> Option<((f64, f64), (f64, f64))> {
        let finite =
            self.series.iter().flat_map(|s| s.points.iter()).filter(|(x, y)| x.is_finite() && y.is_finite());
        let mut b: Option<((f64, f64), (f64, f64))> = None;
        for &(x, y) in finite {
            b = Some(match b {
                None => ((x, x), (y, y)),
                Some(((x0, x1), (y0, y1))) => ((x0.min(x), x1.max(x)), (y0.min(y), y1.max(y))),
            });
        }
        b.map(|((x0, x1), (y0, y1))| (pad(x0, x1), pad(y0, y1)))
    }

    /// Renders the chart as an SVG document.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let svg = LineChart::new("c").series_y("a", &[1.0, 3.0]).to_svg().unwrap();
    /// assert!(svg.starts_with("<svg") && svg.ends_with("</svg>\n") || svg.trim_end().ends_with("</svg>"));
    /// ```
    pub fn to_svg(&self) -> Result<String, PlotError> {
        let ((x0, x1), (y0, y1)) = self.bounds().ok_or_else(|| PlotError::Empty(self.title.clone()))?;
        let title = &self.title;
        render_svg(title, self.size, |root| {
            let mut chart = cartesian(root, title, x0..x1, y0..y1)?;
            let xs = self.series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
            chart
                .configure_mesh()
                .x_desc(&self.x_label)
                .y_desc(&self.y_label)
                .x_labels(super::label_count(xs))
                .x_label_formatter(&super::tick_label)
                .y_label_formatter(&super::tick_label)
                .label_style(("sans-serif", 13))
                .draw()
                .or_plot(title)?;
            for (i, s) in self.series.iter().enumerate() {
                let color = PALETTE[i % PALETTE.len()];
                let points = s.points.iter().copied().filter(|(x, y)| x.is_finite() && y.is_finite());
                chart
                    .draw_series(LineSeries::new(points, color.stroke_width(2)))
                    .or_plot(title)?
                    .label(s.name.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
            }
            if self.series.len() > 1 || self.series.iter().any(|s| !s.name.is_empty()) {
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.8))
                    .border_style(BLACK)
                    .label_font(("sans-serif", 13))
                    .draw()
                    .or_plot(title)?;
            }
            Ok(())
        })
    }
}

impl Displayable for LineChart {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        let names: Vec<&str> = self.series.iter().map(|s| s.name.as_str()).collect();
        let text =
            format!("LineChart '{}' with {} series: {}", self.title, self.series.len(), names.join(", "));
        super::bundle(text, self.to_svg())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_chart_is_an_error_naming_the_chart() {
        let err = LineChart::new("nothing").to_svg().unwrap_err();
        assert_eq!(err.to_string(), "chart 'nothing' has no finite points to draw");
    }

    #[test]
    fn epochs_are_labelled_as_integers_and_no_tick_reads_minus_zero() {
        // Ten epochs of a loss that crosses zero: plotters' own labels read `-0.0` and `2.0`.
        let losses: Vec<f64> = (0..10).map(|e| 1.0 - 0.25 * f64::from(e)).collect();
        let svg = LineChart::new("loss").series_y("loss", &losses).to_svg().unwrap();
        let labels = super::super::tests::svg_labels(&svg);
        assert!(!labels.iter().any(|l| l == "-0.0" || l == "-0"), "{labels:?}");
        for epoch in 0..10 {
            assert!(labels.contains(&epoch.to_string()), "epoch {epoch} missing from {labels:?}");
        }
        assert!(!labels.iter().any(|l| l == "0.0" || l == "2.0"), "{labels:?}");
    }

    #[test]
    fn non_finite_points_are_skipped() {
        let chart = LineChart::new("nan").series("a", &[(0.0, f64::NAN), (1.0, 2.0), (2.0, 3.0)]);
        // 5% padding around x in [1, 2] and y in [2, 3].
        assert_eq!(chart.bounds(), Some(((0.95, 2.05), (1.95, 3.05))));
        assert!(chart.to_svg().is_ok());
    }
}
