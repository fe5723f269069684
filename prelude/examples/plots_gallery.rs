//! Writes one of each chart to a directory, to look at them outside a notebook:
//! `cargo run --release -p torchbook --example plots_gallery -- /tmp/plots`.

use torchbook::prelude::*;

fn main() -> anyhow::Result<()> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "plots".into()));
    std::fs::create_dir_all(&dir)?;
    let rosenbrock = |x: f64, y: f64| (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2);
    let path: Vec<(f64, f64)> = (0..30).map(|i| (-1.5 + i as f64 * 0.08, 2.0 - i as f64 * 0.05)).collect();
    let contour = ContourPlot::new("Rosenbrock", rosenbrock, (-2.0, 2.0), (-1.0, 3.0))
        .log_scale(true)
        .path("gd", &path);
    std::fs::write(dir.join("contour.svg"), contour.to_svg()?)?;
    let heat = Heatmap::new("confusion", vec![vec![950.0, 12.0], vec![20.0, 133.0]])
        .annotate(true)
        .axis_names("predicted", "actual");
    std::fs::write(dir.join("heatmap.svg"), heat.to_svg()?)?;
    let digits = torchbook::datasets::digits()?;
    let grid = ImageGrid::from_rows(&digits.images.narrow(0, 0, 12), 8, 6)?
        .captions((0..12).map(|i| format!("label {}", digits.labels.int64_value(&[i]))).collect());
    std::fs::write(dir.join("digits.svg"), grid.to_svg()?)?;
    let values: Vec<f64> = (0..500).map(|i| ((i as f64) * 0.37).sin() * (i as f64).sqrt()).collect();
    std::fs::write(dir.join("histogram.svg"), Histogram::new("values", &values, 20).to_svg()?)?;
    let scatter = ScatterPlot::new("two groups")
        .labels("x1", "x2")
        .group("a", &[(0.0, 0.1), (0.5, 0.4), (1.0, 0.8)])
        .group("b", &[(0.2, 1.0), (0.7, 1.5), (1.1, 1.9)]);
    std::fs::write(dir.join("scatter.svg"), scatter.to_svg()?)?;
    let line = LineChart::new("loss")
        .x_label("epoch")
        .y_label("loss")
        .series_y("train", &[1.0, 0.6, 0.4, 0.3])
        .series_y("valid", &[1.1, 0.7, 0.55, 0.5]);
    std::fs::write(dir.join("line.svg"), line.to_svg()?)?;
    println!("wrote 6 charts to {}", dir.display());
    Ok(())
}
