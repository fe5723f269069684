//! Pictures rendered to inline SVG with plotters: one-line calls that show in a cell.
//!
//! Every chart is a builder that implements [`Displayable`](crate::display::Displayable): make
//! it the last expression of a cell, or pass it to `display`, or call `to_svg()`.

mod contour;
mod heatmap;
mod histogram;
mod images;
mod line;
mod scatter;

pub use contour::ContourPlot;
pub use heatmap::Heatmap;
pub use histogram::Histogram;
pub use images::ImageGrid;
pub use line::{LineChart, Series};
pub use scatter::ScatterPlot;

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

/// Colours of successive series (matplotlib's default cycle).
pub(crate) const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

/// Why a chart could not be drawn.
///
/// ```
/// use torchbook::prelude::*;
/// let err = LineChart::new("nothing yet").series_y("loss", &[f64::NAN]).to_svg().unwrap_err();
/// assert_eq!(err.to_string(), "chart 'nothing yet' has no finite points to draw");
/// ```
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// Nothing to draw, or only non-finite values.
    #[error("chart '{0}' has no finite points to draw")]
    Empty(String),
    /// The data does not have the shape the chart needs.
    #[error("chart '{title}': {message}")]
    Shape {
        /// Chart title.
        title: String,
        /// What was wrong.
        message: String,
    },
    /// plotters failed while drawing.
    #[error("drawing chart '{title}' failed: {message}")]
    Drawing {
        /// Chart title.
        title: String,
        /// plotters' message.
        message: String,
    },
}

impl PlotError {
    pub(crate) fn drawing(title: &str, e: impl std::fmt::Display) -> PlotError {
        PlotError::Drawing { title: title.to_owned(), message: e.to_string() }
    }
}

/// Turns a plotters error into a [`PlotError`] naming the chart.
pub(crate) trait OrPlot<T> {
    fn or_plot(self, title: &str) -> Result<T, PlotError>;
}

impl<T, E: std::fmt::Display> OrPlot<T> for Result<T, E> {
    fn or_plot(self, title: &str) -> Result<T, PlotError> {
        self.map_err(|e| PlotError::drawing(title, e))
    }
}

/// The drawing area of an SVG picture.
pub(crate) type Root<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// A chart with two real axes.
pub(crate) type Chart2d<'a, 'b> =
    ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws an SVG picture of `size` on a white background with `draw`.
pub(crate) fn render_svg(
    title: &str,
    size: (u32, u32),
    draw: impl FnOnce(&Root<'_>) -> Result<(), PlotError>,
) -> Result<String, PlotError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        root.fill(&WHITE).or_plot(title)?;
        draw(&root)?;
        root.present().or_plot(title)?;
    }
    Ok(svg)
}

/// A captioned chart over `x × y` with room for axis labels (every x-y chart uses this frame).
pub(crate) fn cartesian<'a, 'b>(
    root: &'a Root<'b>,
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
) -> Result<Chart2d<'a, 'b>, PlotError> {
    ChartBuilder::on(root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(56)
        .build_cartesian_2d(x, y)
        .or_plot(title)
}

/// Widens a range by 5% (or by 1 when it is a single value) so marks do not touch the frame.
pub(crate) fn pad(lo: f64, hi: f64) -> (f64, f64) {
    if hi > lo {
        let m = (hi - lo) * 0.05;
        (lo - m, hi + m)
    } else {
        (lo - 1.0, hi + 1.0)
    }
}

/// How an axis tick is written: whole numbers without a decimal point, never `-0`, at most
/// four decimals, and scientific notation for very large or small magnitudes.
///
/// ```
/// use torchbook::plot::tick_label;
/// assert_eq!(tick_label(&3.0), "3");
/// assert_eq!(tick_label(&-0.0), "0");
/// assert_eq!(tick_label(&-1e-17), "0");
/// assert_eq!(tick_label(&0.30000000000000004), "0.3");
/// assert_eq!(tick_label(&-2.5), "-2.5");
/// assert_eq!(tick_label(&1.5e7), "1.5e7");
/// ```
pub fn tick_label(value: &f64) -> String {
    let v = *value;
    if !v.is_finite() {
        return v.to_string();
    }
    // Ticks are multiples of a round step; what is left beyond 1e-9 is float noise.
    let r = (v * 1e9).round() / 1e9;
    if r == 0.0 {
        return "0".to_owned();
    }
    if r.abs() >= 1e6 || r.abs() < 1e-3 {
        let s = format!("{r:.3e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{mantissa}e{exponent}");
    }
    if r.fract() == 0.0 {
        return format!("{}", r as i64);
    }
    let s = format!("{r:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// How many labels an axis over `values` gets: at most 10, and when every value is a whole
/// number (epochs, steps, counts) at most one per unit, so no tick falls between two of them.
pub(crate) fn label_count(values: impl IntoIterator<Item = f64>) -> usize {
    let mut whole = true;
    let range = finite_range(values.into_iter().inspect(|v| whole &= !v.is_finite() || v.fract() == 0.0));
    match range {
        Some((lo, hi)) if whole => ((hi - lo) as usize + 1).clamp(2, 10),
        _ => 10,
    }
}

/// `(min, max)` of the finite values, if any.
pub(crate) fn finite_range(values: impl IntoIterator<Item = f64>) -> Option<(f64, f64)> {
    values.into_iter().filter(|v| v.is_finite()).fold(None, |acc, v| match acc {
        None => Some((v, v)),
        Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
    })
}

/// The SVG and a one-line description as a MIME bundle (text only if drawing failed).
pub(crate) fn bundle(text: String, svg: Result<String, PlotError>) -> Vec<(String, String)> {
    match svg {
        Ok(svg) => vec![("text/plain".to_owned(), text), ("image/svg+xml".to_owned(), svg)],
        Err(e) => vec![("text/plain".to_owned(), format!("{text}\n({e})"))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text of every tick label in an SVG drawn by plotters.
    pub(crate) fn svg_labels(svg: &str) -> Vec<String> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| Some(t.split_once('>')?.1.split_once("</text>")?.0.trim().to_owned()))
            .collect()
    }

    #[test]
    fn whole_numbers_get_at_most_one_label_per_unit() {
        assert_eq!(label_count([0.0, 1.0, 2.0]), 3);
        assert_eq!(label_count((0..100).map(f64::from)), 10);
        assert_eq!(label_count([0.0, 0.5]), 10);
    }

    #[test]
    fn a_constant_range_still_has_a_width() {
        assert_eq!(pad(3.0, 3.0), (2.0, 4.0));
        assert_eq!(finite_range([f64::NAN, 2.0, -1.0, f64::INFINITY]), Some((-1.0, 2.0)));
    }
}
