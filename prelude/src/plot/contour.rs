use super::{bundle, cartesian, render_svg, OrPlot, PlotError, PALETTE};
use crate::display::Displayable;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;

/// A function of two variables drawn as filled contour bands, with paths on top: loss
/// surfaces and the trajectories optimizers take across them.
///
/// Values are banded by quantiles (so a valley and a cliff both show detail); `log_scale`
/// bands `ln(1 + f − min)` instead, which suits functions like Rosenbrock's.
///
/// ```
/// use torchbook::prelude::*;
/// let plot = ContourPlot::new("bowl", |x, y| x * x + 3.0 * y * y, (-2.0, 2.0), (-2.0, 2.0))
///     .path("descent", &[(1.5, 1.5), (0.9, 0.3), (0.5, 0.06)]);
/// assert!(plot.to_svg().unwrap().contains("descent"));
/// ```
pub struct ContourPlot {
    title: String,
    f: Box<dyn Fn(f64, f64) -> f64>,
    x: (f64, f64),
    y: (f64, f64),
    bands: usize,
    log_scale: bool,
    paths: Vec<(String, Vec<(f64, f64)>)>,
}

/// Grid cells per side.
const RESOLUTION: usize = 64;

impl ContourPlot {
    /// The function `f` over the rectangle `x × y`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let bowl = ContourPlot::new("x² + 10y²", |x, y| x * x + 10.0 * y * y, (-2.0, 2.0), (-1.0, 1.0));
    /// assert!(bowl.to_svg().unwrap().starts_with("<svg"));
    /// ```
    pub fn new(
        title: impl Into<String>,
        f: impl Fn(f64, f64) -> f64 + 'static,
        x: (f64, f64),
        y: (f64, f64),
    ) -> Self {
        ContourPlot {
            title: title.into(),
            f: Box::new(f),
            x,
            y,
            bands: 12,
            log_scale: false,
            paths: Vec::new(),
        }
    }
    /// Number of colour bands.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let bowl = ContourPlot::new("x² + 10y²", |x, y| x * x + 10.0 * y * y, (-2.0, 2.0), (-1.0, 1.0));
    /// let coarse = bowl.bands(4).to_svg().unwrap();
    /// assert!(coarse.contains("<svg"));
    /// ```
    pub fn bands(mut self, bands: usize) -> Self {
        self.bands = bands.max(2);
        self
    }
    /// Bands on a log scale.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// // Rosenbrock spans many orders of magnitude: log-spaced bands show its valley.
    /// let rosenbrock = ContourPlot::new("Rosenbrock", |x, y| (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2), (-2.0, 2.0), (-1.0, 3.0))
    ///     .log_scale(true);
    /// assert!(rosenbrock.to_svg().is_ok());
    /// ```
    pub fn log_scale(mut self, log: bool) -> Self {
        self.log_scale = log;
        self
    }
    /// Adds a path (drawn as a line with markers, in order).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let bowl = ContourPlot::new("x² + 10y²", |x, y| x * x + 10.0 * y * y, (-2.0, 2.0), (-1.0, 1.0));
    /// let svg = bowl.path("gradient descent", &[(-2.0, 1.0), (-1.5, 0.2), (-1.1, 0.0)]).to_svg().unwrap();
    /// assert!(svg.contains("gradient descent")); // the legend names the path
    /// ```
    pub fn path(mut self, name: impl Into<String>, points: &[(f64, f64)]) -> Self {
        self.paths.push((name.into(), points.to_vec()));
        self
    }

    /// Renders the plot as SVG.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let bowl = ContourPlot::new("x² + 10y²", |x, y| x * x + 10.0 * y * y, (-2.0, 2.0), (-1.0, 1.0));
    /// let svg = bowl.to_svg().unwrap();
    /// assert!(svg.starts_with("<svg") && svg.contains("x² + 10y²"));
    /// ```
    pub fn to_svg(&self) -> Result<String, PlotError> {
        let (x0, x1) = self.x;
        let (y0, y1) = self.y;
        if !(x1 > x0 && y1 > y0) {
            return Err(PlotError::Shape {
                title: self.title.clone(),
                message: format!("empty ranges x {:?}, y {:?}", self.x, self.y),
            });
        }
        let (dx, dy) = ((x1 - x0) / RESOLUTION as f64, (y1 - y0) / RESOLUTION as f64);
        let mut grid = Vec::with_capacity(RESOLUTION * RESOLUTION);
        for i in 0..RESOLUTION {
            for j in 0..RESOLUTION {
                let (cx, cy) = (x0 + (i as f64 + 0.5) * dx, y0 + (j as f64 + 0.5) * dy);
                grid.push((i, j, (self.f)(cx, cy)));
            }
        }
        let min = grid.iter().map(|g| g.2).filter(|v| v.is_finite()).fold(f64::INFINITY, f64::min);
        if !min.is_finite() {
            return Err(PlotError::Empty(self.title.clone()));
        }
        let scale = |v: f64| if self.log_scale { (1.0 + v - min).ln() } else { v };
        let mut sorted: Vec<f64> = grid.iter().map(|g| scale(g.2)).filter(|v| v.is_finite()).collect();
        sorted.sort_by(f64::total_cmp);
        let cuts: Vec<f64> = (1..self.bands).map(|k| sorted[k * (sorted.len() - 1) / self.bands]).collect();
        let band = |v: f64| cuts.iter().filter(|&&c| v > c).count() as f32 / (self.bands - 1) as f32;
        let title = &self.title;
        render_svg(title, (560, 480), |root| {
            let mut chart = cartesian(root, title, x0..x1, y0..y1)?;
            chart.configure_mesh().disable_mesh().draw().or_plot(title)?;
            let cells = grid.iter().map(|&(i, j, v)| {
                let color = if v.is_finite() { ViridisRGB::get_color(band(scale(v))) } else { WHITE };
                let (ax, ay) = (x0 + i as f64 * dx, y0 + j as f64 * dy);
                Rectangle::new([(ax, ay), (ax + dx, ay + dy)], color.filled())
            });
            chart.draw_series(cells).or_plot(title)?;
            for (k, (name, points)) in self.paths.iter().enumerate() {
                let color = PALETTE[(k + 1) % PALETTE.len()];
                let inside: Vec<(f64, f64)> = points
                    .iter()
                    .copied()
                    .filter(|&(x, y)| x.is_finite() && y.is_finite())
                    .map(|(x, y)| (x.clamp(x0, x1), y.clamp(y0, y1)))
                    .collect();
                chart
                    .draw_series(LineSeries::new(inside.clone(), color.stroke_width(2)))
                    .or_plot(title)?
                    .label(name.clone())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], color.stroke_width(2)));
                chart
                    .draw_series(inside.iter().map(|&p| Circle::new(p, 2, color.filled())))
                    .or_plot(title)?;
            }
            if !self.paths.is_empty() {
                chart
                    .configure_series_labels()
                    .background_style(WHITE.mix(0.85))
                    .border_style(BLACK)
                    .draw()
                    .or_plot(title)?;
            }
            Ok(())
        })
    }
}

impl Displayable for ContourPlot {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        bundle(format!("ContourPlot '{}' with {} paths", self.title, self.paths.len()), self.to_svg())
    }
}
