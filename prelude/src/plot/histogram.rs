use super::{bundle, cartesian, finite_range, pad, render_svg, OrPlot, PlotError, PALETTE};
use crate::display::Displayable;
use plotters::prelude::*;

/// A histogram of values in equal-width bins.
///
/// ```
/// use torchbook::prelude::*;
/// // Four bins of width 0.25 over [0, 1]; the maximum falls in the last bin.
/// let h = Histogram::new("weights", &[0.0, 0.3, 0.3, 0.9, 1.0], 4);
/// assert_eq!(h.counts(), vec![1, 2, 0, 2]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Histogram {
    title: String,
    values: Vec<f64>,
    bins: usize,
}

impl Histogram {
    /// Values split into `bins` bins between their minimum and maximum.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let h = Histogram::new("values", &[0.0, 0.1, 0.2, 0.9, 1.0], 2);
    /// assert_eq!(h.counts(), vec![3, 2]);
    /// ```
    pub fn new(title: impl Into<String>, values: &[f64], bins: usize) -> Self {
        Histogram { title: title.into(), values: values.to_vec(), bins: bins.max(1) }
    }

    /// From all elements of a tensor.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let h = Histogram::from_tensor("weights", &Tensor::from_slice(&[1.0f32, 2.0, 2.0, 4.0]).reshape([2, 2]), 3);
    /// assert_eq!(h.counts().iter().sum::<usize>(), 4);
    /// ```
    pub fn from_tensor(title: impl Into<String>, t: &tch::Tensor, bins: usize) -> Self {
        let flat = t.detach().to_kind(tch::Kind::Double).to_device(tch::Device::Cpu).flatten(0, -1);
        Histogram::new(title, &Vec::<f64>::try_from(&flat).unwrap_or_default(), bins)
    }

    fn range(&self) -> Option<(f64, f64)> {
        finite_range(self.values.iter().copied())
    }

    /// Count per bin (the last bin includes the maximum).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// // Bins of width 1 over [0, 3]; 3.0 falls in the last bin.
    /// assert_eq!(Histogram::new("h", &[0.0, 0.5, 1.5, 3.0], 3).counts(), vec![2, 1, 1]);
    /// ```
    pub fn counts(&self) -> Vec<usize> {
        let mut counts = vec![0; self.bins];
        if let Some((lo, hi)) = self.range() {
            let width = if hi > lo { (hi - lo) / self.bins as f64 } else { 1.0 };
            for &v in self.values.iter().filter(|v| v.is_finite()) {
                let b = (((v - lo) / width) as usize).min(self.bins - 1);
                counts[b] += 1;
            }
        }
        counts
    }

    /// Renders the histogram as SVG.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// assert!(Histogram::new("h", &[1.0, 2.0], 4).to_svg().unwrap().starts_with("<svg"));
    /// assert!(Histogram::new("nothing", &[], 4).to_svg().is_err());
    /// ```
    pub fn to_svg(&self) -> Result<String, PlotError> {
        let (lo, hi) = self.range().ok_or_else(|| PlotError::Empty(self.title.clone()))?;
        let width = if hi > lo { (hi - lo) / self.bins as f64 } else { 1.0 };
        let counts = self.counts();
        let top = *counts.iter().max().unwrap_or(&1) as f64;
        let (x0, x1) = pad(lo, lo + width * self.bins as f64);
        let title = &self.title;
        render_svg(title, (560, 360), |root| {
            let mut chart = cartesian(root, title, x0..x1, 0.0..top * 1.05)?;
            chart
                .configure_mesh()
                .y_desc("count")
                .x_label_formatter(&super::tick_label)
                .y_label_formatter(&super::tick_label)
                .draw()
                .or_plot(title)?;
            let bars = counts.iter().enumerate().map(|(b, &c)| {
                let left = lo + b as f64 * width;
                Rectangle::new([(left, 0.0), (left + width, c as f64)], PALETTE[0].mix(0.8).filled())
            });
            chart.draw_series(bars).or_plot(title)?;
            Ok(())
        })
    }
}

impl Displayable for Histogram {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        bundle(
            format!("Histogram '{}' of {} values in {} bins", self.title, self.values.len(), self.bins),
            self.to_svg(),
        )
    }
}
