use super::{bundle, finite_range, render_svg, OrPlot, PlotError};
use crate::display::Displayable;
use plotters::prelude::*;
use plotters::style::colors::colormaps::ViridisRGB;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A matrix as coloured cells, optionally with the values written in (confusion matrices,
/// weight matrices, attention maps). Row 0 is drawn at the top.
///
/// ```
/// use torchbook::prelude::*;
/// let h = Heatmap::new("confusion", vec![vec![50.0, 2.0], vec![3.0, 45.0]]).annotate(true)
///     .axis_names("predicted", "actual");
/// assert!(h.to_svg().unwrap().lines().any(|l| l.trim() == "45"));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    title: String,
    values: Vec<Vec<f64>>,
    annotate: bool,
    x_name: String,
    y_name: String,
}

impl Heatmap {
    /// Rows of values (all rows of the same length).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let h = Heatmap::new("counts", vec![vec![5.0, 1.0], vec![0.0, 7.0]]);
    /// assert!(h.to_svg().unwrap().contains("counts"));
    /// ```
    pub fn new(title: impl Into<String>, values: Vec<Vec<f64>>) -> Self {
        Heatmap { title: title.into(), values, annotate: false, x_name: String::new(), y_name: String::new() }
    }

    /// From a 2-D tensor.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let weights = Tensor::randn([4, 6], (Kind::Float, Device::Cpu));
    /// assert!(Heatmap::from_tensor("layer 1 weights", &weights).to_svg().is_ok());
    /// ```
    pub fn from_tensor(title: impl Into<String>, t: &tch::Tensor) -> Self {
        let t = t.to_kind(tch::Kind::Double).to_device(tch::Device::Cpu);
        Heatmap::new(title, Vec::<Vec<f64>>::try_from(&t).unwrap_or_default())
    }

    /// Write each value in its cell.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let svg = Heatmap::new("confusion", vec![vec![42.0, 3.0], vec![1.0, 50.0]]).annotate(true).to_svg().unwrap();
    /// assert!(svg.contains(">42<") || svg.contains("42"));
    /// ```
    pub fn annotate(mut self, on: bool) -> Self {
        self.annotate = on;
        self
    }

    /// Names of the column axis and the row axis.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let svg = Heatmap::new("confusion", vec![vec![1.0]]).axis_names("predicted", "actual").to_svg().unwrap();
    /// assert!(svg.contains("predicted") && svg.contains("actual"));
    /// ```
    pub fn axis_names(mut self, columns: impl Into<String>, rows: impl Into<String>) -> Self {
        self.x_name = columns.into();
        self.y_name = rows.into();
        self
    }

    /// Renders the heatmap as SVG.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// assert!(Heatmap::new("empty", vec![]).to_svg().is_err());
    /// assert!(Heatmap::new("one", vec![vec![1.0]]).to_svg().unwrap().starts_with("<svg"));
    /// ```
    pub fn to_svg(&self) -> Result<String, PlotError> {
        let rows = self.values.len();
        let cols = self.values.first().map_or(0, Vec::len);
        if rows == 0 || cols == 0 || self.values.iter().any(|r| r.len() != cols) {
            return Err(PlotError::Shape {
                title: self.title.clone(),
                message: format!("rows must be non-empty and of equal length, got {rows} rows"),
            });
        }
        let (lo, hi) = finite_range(self.values.iter().flatten().copied())
            .ok_or_else(|| PlotError::Empty(self.title.clone()))?;
        let title = &self.title;
        let cell = (360 / rows.max(cols)).clamp(12, 60) as u32;
        let size = (cols as u32 * cell + 120, rows as u32 * cell + 100);
        let norm = |v: f64| if hi > lo { ((v - lo) / (hi - lo)) as f32 } else { 0.5 };
        render_svg(title, size, |root| {
            let mut chart = ChartBuilder::on(root)
                .caption(title, ("sans-serif", 18))
                .margin(10)
                .x_label_area_size(36)
                .y_label_area_size(40)
                // plotters' integer ranges include their end: `0..n-1` makes n segments.
                .build_cartesian_2d(
                    (0..cols as i32 - 1).into_segmented(),
                    (0..rows as i32 - 1).into_segmented(),
                )
                .or_plot(title)?;
            let index = |v: &SegmentValue<i32>| match v {
                SegmentValue::Exact(i) | SegmentValue::CenterOf(i) => Some(*i),
                SegmentValue::Last => None,
            };
            let column_label = |v: &SegmentValue<i32>| index(v).map(|c| c.to_string()).unwrap_or_default();
            // Row 0 is drawn at the top, so the label of segment y is row `rows - 1 - y`.
            let row_label = |v: &SegmentValue<i32>| {
                index(v).map(|y| (rows as i32 - 1 - y).to_string()).unwrap_or_default()
            };
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc(&self.x_name)
                .y_desc(&self.y_name)
                .x_labels(cols)
                .y_labels(rows)
                .x_label_formatter(&column_label)
                .y_label_formatter(&row_label)
                .draw()
                .or_plot(title)?;
            let area = chart.plotting_area();
            for (r, row) in self.values.iter().enumerate() {
                // Row 0 at the top.
                let y = (rows - 1 - r) as i32;
                for (c, &v) in row.iter().enumerate() {
                    let c = c as i32;
                    let color = if v.is_finite() { ViridisRGB::get_color(norm(v)) } else { WHITE };
                    let corners = [
                        (SegmentValue::Exact(c), SegmentValue::Exact(y)),
                        (SegmentValue::Exact(c + 1), SegmentValue::Exact(y + 1)),
                    ];
                    area.draw(&Rectangle::new(corners, color.filled())).or_plot(title)?;
                    if self.annotate {
                        let text = if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v:.2}") };
                        let ink = if norm(v) > 0.6 { BLACK } else { WHITE };
                        let style = ("sans-serif", 13)
                            .into_font()
                            .color(&ink)
                            .pos(Pos::new(HPos::Center, VPos::Center));
                        let at = (SegmentValue::CenterOf(c), SegmentValue::CenterOf(y));
                        area.draw(&Text::new(text, at, style)).or_plot(title)?;
                    }
                }
            }
            Ok(())
        })
    }
}

impl Displayable for Heatmap {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        let cols = self.values.first().map_or(0, Vec::len);
        bundle(format!("Heatmap '{}' {}×{}", self.title, self.values.len(), cols), self.to_svg())
    }
}
