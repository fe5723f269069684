//! How a [`Tensor`] looks in a notebook: a summary table (shape, dtype, device, requires_grad,
//! min/mean/max) and a preview of its values.

use crate::display::Displayable;
use tch::{Kind, Tensor};

/// Values shown in a preview before it is cut with an ellipsis.
const PREVIEW_LEN: usize = 8;

/// The facts about a tensor that its notebook view shows.
///
/// ```
/// use torchbook::prelude::*;
/// let view = TensorView::of(&Tensor::from_slice(&[1.0f32, 2.0, 6.0]).reshape([3, 1]));
/// assert_eq!(view.shape, vec![3, 1]);
/// assert_eq!(view.stats, Some((1.0, 3.0, 6.0)));
/// assert_eq!(view.preview, vec!["1", "2", "6"]);
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
    /// The first elements in row-major order, formatted.
    pub preview: Vec<String>,
    /// Total number of elements.
    pub numel: usize,
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

fn format_value(value: f64, kind: Kind) -> String {
    match kind {
        Kind::Bool => (value != 0.0).to_string(),
        Kind::Uint8 | Kind::Int8 | Kind::Int16 | Kind::Int | Kind::Int64 => {
            format!("{}", value as i64)
        }
        _ => {
            let s = format!("{value:.4}");
            let s = s.trim_end_matches('0').trim_end_matches('.');
            if s.is_empty() || s == "-" {
                "0".to_owned()
            } else {
                s.to_owned()
            }
        }
    }
}

impl TensorView {
    /// Reads the summary of `tensor` (copies at most a few values to the CPU).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let view = TensorView::of(&Tensor::ones([3, 4], (Kind::Float, Device::Cpu)));
    /// assert!(view.summary().starts_with("Tensor[3, 4] Float cpu"));
    /// ```
    pub fn of(tensor: &Tensor) -> TensorView {
        if !tensor.defined() {
            return TensorView {
                shape: vec![],
                kind: "undefined".to_owned(),
                device: "-".to_owned(),
                requires_grad: false,
                stats: None,
                preview: vec![],
                numel: 0,
            };
        }
        let kind = tensor.kind();
        let numel = tensor.numel();
        let detached = tensor.detach();
        let (stats, preview) = if numel > 0 && is_real(kind) {
            let flat = detached.to_kind(Kind::Double).flatten(0, -1);
            let stats = (
                flat.min().double_value(&[]),
                flat.mean(Kind::Double).double_value(&[]),
                flat.max().double_value(&[]),
            );
            let head = flat.narrow(0, 0, numel.min(PREVIEW_LEN) as i64).to_device(tch::Device::Cpu);
            let values: Vec<f64> = Vec::<f64>::try_from(&head).unwrap_or_default();
            (Some(stats), values.into_iter().map(|v| format_value(v, kind)).collect())
        } else {
            (None, vec![])
        };
        TensorView {
            shape: tensor.size(),
            kind: format!("{kind:?}"),
            device: device_name(tensor.device()),
            requires_grad: tensor.requires_grad(),
            stats,
            preview,
            numel,
        }
    }

    fn preview_text(&self) -> String {
        let mut text = self.preview.join(", ");
        if self.numel > self.preview.len() {
            text.push_str(", …");
        }
        format!("[{text}]")
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

    /// The HTML table the notebook shows.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let html = TensorView::of(&Tensor::zeros([2, 2], (Kind::Float, Device::Cpu))).html();
    /// assert!(html.contains("<table"));
    /// ```
    pub fn html(&self) -> String {
        let escape = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;");
        let mut rows = vec![
            ("shape", format!("{:?}", self.shape)),
            ("dtype", self.kind.clone()),
            ("device", self.device.clone()),
            ("requires_grad", self.requires_grad.to_string()),
        ];
        if let Some((min, mean, max)) = self.stats {
            rows.push(("min / mean / max", format!("{min:.4} / {mean:.4} / {max:.4}")));
        }
        rows.push(("values", self.preview_text()));
        let body: String = rows
            .iter()
            .map(|(k, v)| format!("<tr><th style=\"text-align:left\">{k}</th><td style=\"text-align:left\"><code>{}</code></td></tr>", escape(v)))
            .collect();
        format!("<table class=\"torchbook-tensor\"><caption style=\"text-align:left\">Tensor</caption>{body}</table>")
    }
}

impl Displayable for TensorView {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        vec![
            ("text/plain".to_owned(), format!("{}\n{}", self.summary(), self.preview_text())),
            ("text/html".to_owned(), self.html()),
        ]
    }
}

impl Displayable for Tensor {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        let view = TensorView::of(self);
        // tch's own Display prints the values as PyTorch does.
        let text = if self.defined() && view.numel <= 1000 {
            format!("{}\n{self}", view.summary())
        } else {
            format!("{}\n{}", view.summary(), view.preview_text())
        };
        vec![("text/plain".to_owned(), text), ("text/html".to_owned(), view.html())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_tensors_preview_as_integers_and_cut_long_previews() {
        let t = Tensor::arange(20, (Kind::Int64, tch::Device::Cpu));
        let view = TensorView::of(&t);
        assert_eq!(view.preview.len(), PREVIEW_LEN);
        assert_eq!(view.preview[3], "3");
        // mean of 0..20 is 9.5 (closed form: (n - 1) / 2).
        assert_eq!(view.stats, Some((0.0, 9.5, 19.0)));
        assert!(view.preview_text().ends_with(", …]"));
    }

    #[test]
    fn empty_and_undefined_tensors_have_no_stats() {
        let empty = Tensor::zeros([0, 3], (Kind::Float, tch::Device::Cpu));
        assert_eq!(TensorView::of(&empty).stats, None);
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
