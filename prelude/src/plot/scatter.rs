use super::{bundle, cartesian, finite_range, pad, render_svg, OrPlot, PlotError, PALETTE};
use crate::display::Displayable;
use plotters::prelude::*;

/// A scatter plot with one colour per group and a legend.
///
/// ```
/// use torchbook::prelude::*;
/// let plot = ScatterPlot::new("classes")
///     .group("a", &[(0.0, 0.0), (1.0, 1.0)])
///     .group("b", &[(0.0, 1.0), (1.0, 0.0)]);
/// assert!(plot.to_svg().unwrap().contains("circle"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ScatterPlot {
    title: String,
    x_label: String,
    y_label: String,
    groups: Vec<(String, Vec<(f64, f64)>)>,
}

impl ScatterPlot {
    /// An empty scatter plot.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let plot = ScatterPlot::new("two classes").group("a", &[(0.0, 0.0), (1.0, 1.0)]);
    /// assert!(plot.to_svg().unwrap().contains("two classes"));
    /// ```
    pub fn new(title: impl Into<String>) -> Self {
        ScatterPlot {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            groups: Vec::new(),
        }
    }
    /// Axis labels.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let svg = ScatterPlot::new("p").labels("height", "weight").group("people", &[(1.7, 65.0)]).to_svg().unwrap();
    /// assert!(svg.contains("height") && svg.contains("weight"));
    /// ```
    pub fn labels(mut self, x: impl Into<String>, y: impl Into<String>) -> Self {
        self.x_label = x.into();
        self.y_label = y.into();
        self
    }
    /// Adds a group of points.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let svg = ScatterPlot::new("p").group("inliers", &[(0.0, 0.1)]).group("outliers", &[(5.0, 5.0)]).to_svg().unwrap();
    /// assert!(svg.contains("inliers") && svg.contains("outliers")); // one legend entry per group
    /// ```
    pub fn group(mut self, name: impl Into<String>, points: &[(f64, f64)]) -> Self {
        self.groups.push((name.into(), points.to_vec()));
        self
    }

    /// Renders the plot as SVG.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// assert!(ScatterPlot::new("empty").to_svg().is_err());
    /// ```
    pub fn to_svg(&self) -> Result<String, PlotError> {
        let all = || self.groups.iter().flat_map(|g| g.1.iter());
        let (x0, x1) =
            finite_range(all().map(|p| p.0)).ok_or_else(|| PlotError::Empty(self.title.clone()))?;
        let (y0, y1) =
            finite_range(all().map(|p| p.1)).ok_or_else(|| PlotError::Empty(self.title.clone()))?;
        let ((x0, x1), (y0, y1)) = (pad(x0, x1), pad(y0, y1));
        let title = &self.title;
        render_svg(title, (560, 420), |root| {
            let mut chart = cartesian(root, title, x0..x1, y0..y1)?;
            chart
                .configure_mesh()
                .x_desc(&self.x_label)
                .y_desc(&self.y_label)
                .x_labels(super::label_count(all().map(|p| p.0)))
                .y_labels(super::label_count(all().map(|p| p.1)))
                .x_label_formatter(&super::tick_label)
                .y_label_formatter(&super::tick_label)
                .draw()
                .or_plot(title)?;
            for (i, (name, points)) in self.groups.iter().enumerate() {
                let color = PALETTE[i % PALETTE.len()];
                let finite = points.iter().filter(|p| p.0.is_finite() && p.1.is_finite());
                chart
                    .draw_series(finite.map(|&p| Circle::new(p, 3, color.filled())))
                    .or_plot(title)?
                    .label(name.clone())
                    .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()
                .or_plot(title)?;
            Ok(())
        })
    }
}

impl Displayable for ScatterPlot {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        let n: usize = self.groups.iter().map(|g| g.1.len()).sum();
        bundle(
            format!("ScatterPlot '{}' with {n} points in {} groups", self.title, self.groups.len()),
            self.to_svg(),
        )
    }
}
