//! How a [`Tensor`] looks in a notebook: one summary line (shape, dtype, device,
//! requires_grad, min/mean/max) and its values laid out as PyTorch's `repr` lays them out.
//!
//! Up to [`SHOW_ALL_UP_TO`] elements every value is shown; a larger tensor keeps the first and
//! last [`EDGE_ITEMS`] of each dimension with `...` between, as PyTorch does past its
//! threshold. All values of a tensor share one format, chosen as PyTorch chooses it: integers
//! for integer kinds, `1.` for floats that are all whole, four decimals, or scientific notation
//! when the values span more than three orders of magnitude.

use crate::display::Displayable;
use tch::{Kind, Tensor};

/// Tensors with at most this many elements show every value.
pub const SHOW_ALL_UP_TO: usize = 100;
/// Values kept at each end of a dimension when a tensor is summarised (PyTorch's `edgeitems`).
pub const EDGE_ITEMS: usize = 3;
/// Width at which a row of values wraps (PyTorch's `linewidth`).
const LINE_WIDTH: usize = 80;

/// The facts about a tensor that its notebook view shows.
///
/// ```
/// use torchbook::prelude::*;
/// let view = TensorView::of(&Tensor::from_slice(&[1.0f32, 2.0, 6.0]).reshape([3, 1]));
/// assert_eq!(view.shape, vec![3, 1]);
/// assert_eq!(view.stats, Some((1.0, 3.0, 6.0)));
/// assert_eq!(view.shown, vec!["1.", "2.", "6."]);
/// assert_eq!(view.values_text(), "tensor([[1.],\n        [2.],\n        [6.]])");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TensorView {
    /// The tensor's size along each dimension.
    pub shape: Vec<i64>,
    /// Element type, as tch names it (`Float`, `Int64`, ...).
    pub kind: String,
    /// `cpu`, `cuda:0`, ...
    pub device: String,
    /// Whether autograd tracks this tensor.
    pub requires_grad: bool,
    /// `(min, mean, max)` over all elements, for non-empty real tensors.
    pub stats: Option<(f64, f64, f64)>,
    /// The values shown, formatted alike, in row-major order (the elided ones left out).
    pub shown: Vec<String>,
    /// Whether values were left out (more than [`SHOW_ALL_UP_TO`] elements).
    pub summarised: bool,
    /// Total number of elements.
    pub numel: usize,
    /// For each dimension, the indices shown, `None` where `...` stands.
    axes: Vec<Vec<Option<i64>>>,
}

fn device_name(device: tch::Device) -> String {
    match device {
        tch::Device::Cpu => "cpu".to_owned(),
        tch::Device::Cuda(i) => format!("cuda:{i}"),
        tch::Device::Mps => "mps".to_owned(),
        tch::Device::Vulkan => "vulkan".to_owned(),
    }
}

fn is_real(kind: Kind) -> bool {
    !matches!(kind, Kind::ComplexHalf | Kind::ComplexFloat | Kind::ComplexDouble)
}

fn is_integral(kind: Kind) -> bool {
    matches!(kind, Kind::Uint8 | Kind::Int8 | Kind::Int16 | Kind::Int | Kind::Int64)
}

/// The one format every value of a tensor is written in.
#[derive(Debug, Clone, Copy, PartialEq)]
enum NumberFormat {
    Bool,
    Integer,
    /// Floats that are all whole numbers: `3.`
    Whole,
    /// Four decimals: `0.1235`
    Fixed,
    /// `1.2346e+05`
    Scientific,
}

impl NumberFormat {
    /// PyTorch's choice for these values (its `_Formatter`).
    fn choose(kind: Kind, values: &[f64]) -> NumberFormat {
        if kind == Kind::Bool {
            return NumberFormat::Bool;
        }
        if is_integral(kind) {
            return NumberFormat::Integer;
        }
        let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if finite.iter().all(|v| v.fract() == 0.0) {
            let too_big = finite.iter().any(|v| v.abs() > 1e8);
            return if too_big { NumberFormat::Scientific } else { NumberFormat::Whole };
        }
        let nonzero: Vec<f64> = finite.iter().map(|v| v.abs()).filter(|v| *v != 0.0).collect();
        let max = nonzero.iter().copied().fold(0.0, f64::max);
        let min = nonzero.iter().copied().fold(f64::INFINITY, f64::min);
        if !nonzero.is_empty() && (max / min > 1000.0 || max > 1e8 || min < 1e-4) {
            NumberFormat::Scientific
        } else {
            NumberFormat::Fixed
        }
    }

    fn write(self, v: f64) -> String {
        if v.is_nan() {
            return "nan".to_owned();
        }
        if v.is_infinite() {
            return if v > 0.0 { "inf" } else { "-inf" }.to_owned();
        }
        match self {
            NumberFormat::Bool => (v != 0.0).to_string(),
            NumberFormat::Integer => format!("{}", v as i64),
            NumberFormat::Whole => format!("{v:.0}."),
            NumberFormat::Fixed => format!("{v:.4}"),
            NumberFormat::Scientific => {
                // Rust writes `1.2346e5`; PyTorch (and C) write `1.2346e+05`.
                let s = format!("{v:.4e}");
                let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
                let exponent: i32 = exponent.parse().unwrap_or(0);
                let sign = if exponent < 0 { '-' } else { '+' };
                format!("{mantissa}e{sign}{:02}", exponent.abs())
            }
        }
    }
}

/// `s` with `&`, `<` and `>` escaped for HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The indices of a dimension of `size` that are shown.
fn axis(size: i64, summarise: bool) -> Vec<Option<i64>> {
    let edge = EDGE_ITEMS as i64;
    if summarise && size > 2 * edge {
        (0..edge).map(Some).chain(std::iter::once(None)).chain((size - edge..size).map(Some)).collect()
    } else {
        (0..size).map(Some).collect()
    }
}

impl TensorView {
    /// Reads the summary of `tensor` (copies at most the shown values to the CPU).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let view = TensorView::of(&Tensor::ones([3, 4], (Kind::Float, Device::Cpu)));
    /// assert!(view.summary().starts_with("Tensor[3, 4] Float cpu"));
    /// assert_eq!(view.shown.len(), 12);
    /// ```
    pub fn of(tensor: &Tensor) -> TensorView {
        if !tensor.defined() {
            return TensorView {
                shape: vec![],
                kind: "undefined".to_owned(),
                device: "-".to_owned(),
                requires_grad: false,
                stats: None,
                shown: vec![],
                summarised: false,
                numel: 0,
                axes: vec![],
            };
        }
        let kind = tensor.kind();
        let numel = tensor.numel();
        let shape = tensor.size();
        let summarised = numel > SHOW_ALL_UP_TO;
        let axes: Vec<Vec<Option<i64>>> = shape.iter().map(|&n| axis(n, summarised)).collect();
        let (stats, shown) = if numel > 0 && is_real(kind) {
            let detached = tensor.detach().to_kind(Kind::Double);
            let flat = detached.flatten(0, -1);
            let stats = (
                flat.min().double_value(&[]),
                flat.mean(Kind::Double).double_value(&[]),
                flat.max().double_value(&[]),
            );
            // Only the shown rows and columns travel to the CPU.
            let mut picked = detached;
            for (dim, indices) in axes.iter().enumerate() {
                let keep: Vec<i64> = indices.iter().flatten().copied().collect();
                if keep.len() as i64 != shape[dim] {
                    let index = Tensor::from_slice(&keep).to_device(picked.device());
                    picked = picked.index_select(dim as i64, &index);
                }
            }
            let picked = picked.flatten(0, -1).to_device(tch::Device::Cpu);
            let values: Vec<f64> = Vec::<f64>::try_from(&picked).unwrap_or_default();
            let format = NumberFormat::choose(kind, &values);
            (Some(stats), values.into_iter().map(|v| format.write(v)).collect())
        } else {
            (None, vec![])
        };
        TensorView {
            shape,
            kind: format!("{kind:?}"),
            device: device_name(tensor.device()),
            requires_grad: tensor.requires_grad(),
            stats,
            shown,
            summarised,
            numel,
            axes,
        }
    }

    /// The values as PyTorch's `repr` lays them out: nested brackets, one width for all,
    /// rows wrapped at 80 columns, `...` where values are left out.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let t = Tensor::arange(200, (Kind::Int64, Device::Cpu));
    /// assert_eq!(TensorView::of(&t).values_text(), "tensor([  0,   1,   2,  ..., 197, 198, 199])");
    /// let m = Tensor::from_slice(&[1.5f64, -2.0, 3.25, 4.0]).reshape([2, 2]);
    /// assert_eq!(TensorView::of(&m).values_text(), "tensor([[ 1.5000, -2.0000],\n        [ 3.2500,  4.0000]])");
    /// ```
    pub fn values_text(&self) -> String {
        if self.shown.is_empty() {
            return if self.numel == 0 && self.stats.is_none() && self.kind != "undefined" {
                format!("tensor([], size={:?})", self.shape)
            } else {
                format!("tensor(<{} values of kind {} not shown>)", self.numel, self.kind)
            };
        }
        // As in PyTorch, `nan` and `inf` do not widen the other values.
        let width = self
            .shown
            .iter()
            .filter(|s| !matches!(s.as_str(), "nan" | "inf" | "-inf"))
            .map(|s| s.chars().count())
            .max()
            .unwrap_or(0);
        let mut next = 0;
        let prefix = "tensor(";
        let body = self.block(0, prefix.len(), width, &mut next);
        format!("{prefix}{body})")
    }

    /// Brackets for dimension `dim` and those inside it, starting at column `indent`.
    fn block(&self, dim: usize, indent: usize, width: usize, next: &mut usize) -> String {
        if dim == self.axes.len() {
            let s = &self.shown[*next];
            *next += 1;
            return format!("{s:>width$}");
        }
        let inner = self.axes.len() - dim - 1;
        // PyTorch writes an elided run as ` ...` among values and `...` among rows.
        let gap = if inner == 0 { " ..." } else { "..." };
        let parts: Vec<String> = self.axes[dim]
            .iter()
            .map(|i| match i {
                Some(_) => self.block(dim + 1, indent + 1, width, next),
                None => gap.to_owned(),
            })
            .collect();
        if inner == 0 {
            // Innermost: values on rows wrapped at the line width.
            let per_line = ((LINE_WIDTH.saturating_sub(indent + 1)) / (width + 2)).max(1);
            let lines: Vec<String> = parts.chunks(per_line).map(|c| c.join(", ")).collect();
            return format!("[{}]", lines.join(&format!(",\n{}", " ".repeat(indent + 1))));
        }
        let separator = format!(",{}{}", "\n".repeat(inner), " ".repeat(indent + 1));
        format!("[{}]", parts.join(&separator))
    }

    /// One line: `Tensor[3, 4] Float cpu`, plus statistics when there are any.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let s = TensorView::of(&Tensor::from_slice(&[1.0f64, 3.0])).summary();
    /// assert!(s.contains("min=1.0000") && s.contains("mean=2.0000") && s.contains("max=3.0000"), "{s}");
    /// ```
    pub fn summary(&self) -> String {
        let mut s = format!("Tensor{:?} {} {}", self.shape, self.kind, self.device);
        if self.requires_grad {
            s.push_str(" requires_grad");
        }
        if let Some((min, mean, max)) = self.stats {
            s.push_str(&format!(" min={min:.4} mean={mean:.4} max={max:.4}"));
        }
        s
    }

    /// The values as an HTML grid: a vector as one row, a matrix as rows and columns (`⋯`
    /// and `⋮` where values are left out), higher dimensions as the text layout.
    fn values_html(&self) -> String {
        let cell = |s: &str| format!("<td style=\"text-align:right\"><code>{}</code></td>", escape(s));
        let gap = |s: &str| format!("<td style=\"text-align:center\">{s}</td>");
        match self.axes.len() {
            _ if self.shown.is_empty() => format!("<pre>{}</pre>", escape(&self.values_text())),
            0 => format!("<table class=\"torchbook-values\"><tr>{}</tr></table>", cell(&self.shown[0])),
            1 | 2 => {
                let (rows, cols) = if self.axes.len() == 1 {
                    (vec![Some(0)], &self.axes[0])
                } else {
                    (self.axes[0].clone(), &self.axes[1])
                };
                let shown_cols = cols.iter().flatten().count();
                let mut next = 0;
                let mut body = String::new();
                for row in &rows {
                    body.push_str("<tr>");
                    for col in cols {
                        match (row, col) {
                            (Some(_), Some(_)) => {
                                body.push_str(&cell(&self.shown[next]));
                                next += 1;
                            }
                            (Some(_), None) => body.push_str(&gap("⋯")),
                            (None, Some(_)) => body.push_str(&gap("⋮")),
                            (None, None) => body.push_str(&gap("⋱")),
                        }
                    }
                    body.push_str("</tr>");
                }
                debug_assert_eq!(next, rows.iter().flatten().count() * shown_cols);
                format!("<table class=\"torchbook-values\">{body}</table>")
            }
            _ => format!("<pre>{}</pre>", escape(&self.values_text())),
        }
    }

    /// The HTML the notebook shows: the facts as a table, then the values.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let html = TensorView::of(&Tensor::zeros([3, 4], (Kind::Float, Device::Cpu))).html();
    /// assert!(html.contains("<table"));
    /// assert_eq!(html.matches("<code>0.</code>").count(), 12, "every value of a 3x4 tensor");
    /// ```
    pub fn html(&self) -> String {
        let mut rows = vec![
            ("shape", format!("{:?}", self.shape)),
            ("dtype", self.kind.clone()),
            ("device", self.device.clone()),
            ("requires_grad", self.requires_grad.to_string()),
        ];
        if let Some((min, mean, max)) = self.stats {
            rows.push(("min / mean / max", format!("{min:.4} / {mean:.4} / {max:.4}")));
        }
        let mut body: String = rows
            .iter()
            .map(|(k, v)| format!("<tr><th style=\"text-align:left\">{k}</th><td style=\"text-align:left\"><code>{}</code></td></tr>", escape(v)))
            .collect();
        body.push_str(&format!(
            "<tr><th style=\"text-align:left;vertical-align:top\">values</th><td>{}</td></tr>",
            self.values_html()
        ));
        format!("<table class=\"torchbook-tensor\"><caption style=\"text-align:left\">Tensor</caption>{body}</table>")
    }
}

impl Displayable for TensorView {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        vec![
            ("text/plain".to_owned(), format!("{}\n{}", self.summary(), self.values_text())),
            ("text/html".to_owned(), self.html()),
        ]
    }
}

impl Displayable for Tensor {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        TensorView::of(self).mime_bundle()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected layouts below are what PyTorch 2.13's repr prints for the same tensors
    // (`torch.arange(20).reshape(4, 5)`, `torch.tensor([1e-5, 1.0])`, ...; the summarised
    // ones with `torch.set_printoptions(threshold=100)`), bools spelled as Rust spells them.

    #[test]
    fn small_tensors_show_every_value_in_one_format() {
        let t = Tensor::arange(20, (Kind::Int64, tch::Device::Cpu)).reshape([4, 5]);
        let view = TensorView::of(&t);
        assert!(!view.summarised);
        assert_eq!(view.shown.len(), 20);
        assert_eq!(
            view.values_text(),
            "tensor([[ 0,  1,  2,  3,  4],\n        [ 5,  6,  7,  8,  9],\n        [10, 11, 12, 13, 14],\n        [15, 16, 17, 18, 19]])"
        );
        // mean of 0..20 is 9.5 (closed form: (n - 1) / 2).
        assert_eq!(view.stats, Some((0.0, 9.5, 19.0)));
    }

    #[test]
    fn large_tensors_keep_three_at_each_end_of_every_dimension() {
        let t = Tensor::arange(1000, (Kind::Int64, tch::Device::Cpu)).reshape([10, 100]);
        let view = TensorView::of(&t);
        assert!(view.summarised);
        assert_eq!(view.shown.len(), 36);
        let text = view.values_text();
        assert!(text.starts_with("tensor([[  0,   1,   2,  ...,  97,  98,  99],\n"), "{text}");
        assert!(text.contains("        ...,\n"), "{text}");
        assert!(text.ends_with("[900, 901, 902,  ..., 997, 998, 999]])"), "{text}");
    }

    #[test]
    fn the_format_follows_the_values_as_pytorchs_does() {
        let sci = TensorView::of(&Tensor::from_slice(&[1e-5f64, 1.0]));
        assert_eq!(sci.values_text(), "tensor([1.0000e-05, 1.0000e+00])");
        let fixed = TensorView::of(&Tensor::from_slice(&[0.5f32, -1.25]));
        assert_eq!(fixed.values_text(), "tensor([ 0.5000, -1.2500])");
        let odd = TensorView::of(&Tensor::from_slice(&[f64::NAN, 2.0, f64::NEG_INFINITY]));
        assert_eq!(odd.values_text(), "tensor([nan, 2., -inf])");
        let flags = TensorView::of(&Tensor::from_slice(&[true, false]));
        assert_eq!(flags.values_text(), "tensor([ true, false])");
        assert_eq!(TensorView::of(&Tensor::from(2.5f64)).values_text(), "tensor(2.5000)");
    }

    #[test]
    fn long_rows_wrap_at_eighty_columns_and_three_dimensions_leave_a_blank_line() {
        let row = TensorView::of(&Tensor::arange(40, (Kind::Float, tch::Device::Cpu)).g_mul_scalar(0.5));
        assert!(row.values_text().lines().all(|l| l.chars().count() <= LINE_WIDTH), "{}", row.values_text());
        let cube = TensorView::of(&Tensor::arange(8, (Kind::Int64, tch::Device::Cpu)).reshape([2, 2, 2]));
        assert_eq!(
            cube.values_text(),
            "tensor([[[0, 1],\n         [2, 3]],\n\n        [[4, 5],\n         [6, 7]]])"
        );
    }

    #[test]
    fn html_holds_every_value_of_a_small_matrix_and_marks_the_gaps_of_a_large_one() {
        let small =
            TensorView::of(&Tensor::arange(12, (Kind::Int64, tch::Device::Cpu)).reshape([3, 4])).html();
        for v in 0..12 {
            assert!(small.contains(&format!("<code>{v}</code>")), "{v} missing: {small}");
        }
        let large = TensorView::of(&Tensor::zeros([50, 50], (Kind::Float, tch::Device::Cpu))).html();
        assert_eq!(large.matches("<code>0.</code>").count(), 36);
        assert!(large.contains('⋯') && large.contains('⋮') && large.contains('⋱'));
    }

    #[test]
    fn empty_and_undefined_tensors_have_no_stats() {
        let empty = Tensor::zeros([0, 3], (Kind::Float, tch::Device::Cpu));
        assert_eq!(TensorView::of(&empty).stats, None);
        assert_eq!(TensorView::of(&empty).values_text(), "tensor([], size=[0, 3])");
        assert_eq!(TensorView::of(&Tensor::new()).kind, "undefined");
    }

    #[test]
    fn html_names_requires_grad_and_device() {
        let t = Tensor::ones([2], (Kind::Float, tch::Device::Cpu)).set_requires_grad(true);
        let html = TensorView::of(&t).html();
        assert!(html.contains("requires_grad</th><td style=\"text-align:left\"><code>true"));
        assert!(html.contains("cpu"));
    }
}
