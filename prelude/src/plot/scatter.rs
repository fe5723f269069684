use super::{bundle, finite_range, pad, PlotError, PALETTE};
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
    pub fn new(title: impl Into<String>) -> Self {
        ScatterPlot {
            title: title.into(),
            x_label: String::new(),
            y_label: String::new(),
            groups: Vec::new(),
        }
    }
    /// Axis labels.
    pub fn labels(mut self, x: impl Into<String>, y: impl Into<String>) -> Self {
        self.x_label = x.into();
        self.y_label = y.into();
        self
    }
    /// Adds a group of points.
    pub fn group(mut self, name: impl Into<String>, points: &[(f64, f64)]) -> Self {
        self.groups.push((name.into(), points.to_vec()));
        self
    }

    /// Renders the plot as SVG.
    pub fn to_svg(&self) -> Result<String, PlotError> {
        let all = || self.groups.iter().flat_map(|g| g.1.iter());
        let (x0, x1) =
            finite_range(all().map(|p| p.0)).ok_or_else(|| PlotError::Empty(self.title.clone()))?;
        let (y0, y1) =
            finite_range(all().map(|p| p.1)).ok_or_else(|| PlotError::Empty(self.title.clone()))?;
        let ((x0, x1), (y0, y1)) = (pad(x0, x1), pad(y0, y1));
        let err = |e: &dyn std::fmt::Display| PlotError::drawing(&self.title, e);
        let mut svg = String::new();
        {
            let root = SVGBackend::with_string(&mut svg, (560, 420)).into_drawing_area();
            root.fill(&WHITE).map_err(|e| err(&e))?;
            let mut chart = ChartBuilder::on(&root)
                .caption(&self.title, ("sans-serif", 20))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(50)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(|e| err(&e))?;
            chart.configure_mesh().x_desc(&self.x_label).y_desc(&self.y_label).draw().map_err(|e| err(&e))?;
            for (i, (name, points)) in self.groups.iter().enumerate() {
                let color = PALETTE[i % PALETTE.len()];
                chart
                    .draw_series(
                        points
                            .iter()
                            .filter(|p| p.0.is_finite() && p.1.is_finite())
                            .map(|&p| Circle::new(p, 3, color.filled())),
                    )
                    .map_err(|e| err(&e))?
                    .label(name.clone())
                    .legend(move |(x, y)| Circle::new((x + 8, y), 4, color.filled()));
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()
                .map_err(|e| err(&e))?;
            root.present().map_err(|e| err(&e))?;
        }
        Ok(svg)
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
