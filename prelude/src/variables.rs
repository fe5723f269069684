//! What the debugger's variables panel shows: every stored variable, captured when a cell ends.
//!
//! evcxr stores each variable a cell leaves with `put_variable::<T>(name, value)` at the end of
//! its generated function. The kernel's rustc wrapper (`kernel/src/execution/cell_source.rs`)
//! puts a capture of the value before each of those calls, and a call to [`cell_ended`] before
//! the function returns, which sends them all to the kernel in one message
//! ([`FromPrelude::Variables`]). The kernel answers JupyterLab's `inspectVariables` from the last
//! capture, so a request never compiles or runs anything.
//!
//! Which text a value gets is chosen at the call site, by the type evcxr wrote (autoref
//! specialization: the first of these that applies):
//! 1. [`Inspect`], the prelude's own view: tensors (shape, dtype, device, `requires_grad`,
//!    statistics and the table when small), `VarStore`s (their variables and parameter count),
//!    charts and other rich values (their SVG or HTML as the rich view);
//! 2. `Debug`: the `{:?}` text, cut to [`VALUE_CHARS`] characters for the value and
//!    [`DETAIL_CHARS`] for the fields and items the panel unfolds; formatting stops there, so a
//!    huge `Vec` costs no more than a short one;
//! 3. anything else: `(no Debug)`.
//!
//! Rich forms are captured while the cell's capture has used less than [`RICH_BUDGET`]; the rest
//! say so in their rich view. A value whose `Debug` panics shows that it panicked.

use crate::display::Displayable;
use std::fmt::{self, Debug, Write};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tch::{nn, Tensor};
use torchbook_contract::link::{self, LinkError};
use torchbook_contract::message::{CapturedVariable, FromCell, FromPrelude, MimeBundle};
pub use torchbook_contract::message::{DETAIL_CHARS, VALUE_CHARS};

/// Tensors up to this many elements get statistics and their table; larger ones their shape,
/// dtype and device only (statistics read every element).
pub const STATS_UP_TO: i64 = 65_536;

/// Time a cell's capture may spend on rich forms (a table, an SVG) before it leaves them out.
pub const RICH_BUDGET: Duration = Duration::from_millis(3);

struct Pending {
    variables: Vec<CapturedVariable>,
    started: Option<Instant>,
    rich_spent: Duration,
}

static PENDING: Mutex<Pending> =
    Mutex::new(Pending { variables: Vec::new(), started: None, rich_spent: Duration::ZERO });

fn pending() -> std::sync::MutexGuard<'static, Pending> {
    PENDING.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The prelude's own view of a value in the variables panel (tier 1, see the module
/// documentation).
///
/// ```
/// use torchbook::prelude::*;
/// use torchbook::variables::Inspect;
/// let t = Tensor::zeros([64, 10], (Kind::Float, Device::Cpu));
/// assert_eq!(t.value(), "Tensor [64, 10] f32 cpu min=0.0000 mean=0.0000 max=0.0000");
/// assert!(t.detail().starts_with("Tensor { shape: [64, 10], dtype: Float, device: cpu"));
/// ```
pub trait Inspect {
    /// One line for the panel's value column.
    fn value(&self) -> String;
    /// `Debug` syntax the panel's fields and items are read from (empty: nothing to unfold).
    fn detail(&self) -> String {
        String::new()
    }
    /// The rich forms (`richInspectVariables`), when the value has any.
    fn rich(&self) -> MimeBundle {
        MimeBundle::new()
    }
    /// [`value`](Inspect::value) and [`detail`](Inspect::detail) together, for a view that
    /// computes them from the same figures (a tensor's statistics are read once).
    fn value_and_detail(&self) -> (String, String) {
        (self.value(), self.detail())
    }
}

/// `f32`, `i64`, ... as the issue's panel line spells a tensor's kind.
fn short_kind(kind: tch::Kind) -> String {
    use tch::Kind::*;
    match kind {
        Float => "f32".into(),
        Double => "f64".into(),
        Half => "f16".into(),
        BFloat16 => "bf16".into(),
        Int64 => "i64".into(),
        Int => "i32".into(),
        Int16 => "i16".into(),
        Int8 => "i8".into(),
        Uint8 => "u8".into(),
        Bool => "bool".into(),
        other => format!("{other:?}"),
    }
}

fn device_name(device: tch::Device) -> String {
    match device {
        tch::Device::Cpu => "cpu".into(),
        tch::Device::Cuda(i) => format!("cuda:{i}"),
        other => format!("{other:?}").to_lowercase(),
    }
}

impl Inspect for Tensor {
    fn value(&self) -> String {
        self.value_and_detail().0
    }

    fn detail(&self) -> String {
        self.value_and_detail().1
    }

    fn value_and_detail(&self) -> (String, String) {
        if !self.defined() {
            return ("Tensor (undefined)".into(), String::new());
        }
        let (size, kind, device, requires_grad) =
            (self.size(), self.kind(), device_name(self.device()), self.requires_grad());
        let mut value = format!("Tensor {size:?} {} {device}", short_kind(kind));
        if requires_grad {
            value.push_str(" requires_grad");
        }
        let mut detail = format!(
            "Tensor {{ shape: {size:?}, dtype: {kind:?}, device: {device}, requires_grad: {requires_grad}, numel: {}",
            self.numel()
        );
        if let Some((min, mean, max)) = small_stats(self) {
            let _ = write!(value, " min={min:.4} mean={mean:.4} max={max:.4}");
            let _ = write!(detail, ", min: {min}, mean: {mean}, max: {max}");
        }
        detail.push_str(" }");
        (value, detail)
    }

    fn rich(&self) -> MimeBundle {
        if self.defined() && (self.numel() as i64) <= STATS_UP_TO {
            self.mime_bundle().into_iter().collect()
        } else {
            MimeBundle::from([(
                "text/plain".to_owned(),
                format!("{} (no table: more than {STATS_UP_TO} elements)", self.value()),
            )])
        }
    }
}

/// Minimum, mean and maximum of a real tensor of at most [`STATS_UP_TO`] elements.
fn small_stats(t: &Tensor) -> Option<(f64, f64, f64)> {
    let numel = t.numel() as i64;
    if numel == 0
        || numel > STATS_UP_TO
        || matches!(t.kind(), tch::Kind::ComplexHalf | tch::Kind::ComplexFloat | tch::Kind::ComplexDouble)
    {
        return None;
    }
    let d = t.detach().to_kind(tch::Kind::Double);
    Some((d.min().double_value(&[]), d.mean(tch::Kind::Double).double_value(&[]), d.max().double_value(&[])))
}

impl Inspect for nn::VarStore {
    fn value(&self) -> String {
        let variables = self.variables();
        let parameters: i64 = variables.values().map(|t| t.numel() as i64).sum();
        format!(
            "VarStore: {} variables, {} parameters, {}",
            variables.len(),
            parameters,
            device_name(self.device())
        )
    }

    fn detail(&self) -> String {
        let mut variables: Vec<(String, Tensor)> = self.variables().into_iter().collect();
        variables.sort_by(|a, b| a.0.cmp(&b.0));
        let items: Vec<String> =
            variables.iter().map(|(name, t)| format!("{name:?}: {}", t.value())).collect();
        format!("VarStore {{{}}}", items.join(", "))
    }
}

/// Rich values: the panel's value is their kind, the rich view their own forms.
macro_rules! inspect_rich {
    ($($ty:ty => $what:literal),* $(,)?) => {$(
        impl Inspect for $ty {
            fn value(&self) -> String {
                concat!($what, " (open the rich view)").to_owned()
            }
            fn rich(&self) -> MimeBundle {
                self.mime_bundle().into_iter().collect()
            }
        }
    )*};
}

inspect_rich! {
    crate::plot::LineChart => "line chart",
    crate::plot::ScatterPlot => "scatter plot",
    crate::plot::ContourPlot => "contour plot",
    crate::plot::Heatmap => "heatmap",
    crate::plot::Histogram => "histogram",
    crate::plot::ImageGrid => "image grid",
    crate::train::History => "training history",
    crate::metrics::ConfusionMatrix => "confusion matrix",
}

/// Writes at most `limit` characters, then fails, which stops the formatting.
struct Cut {
    text: String,
    chars: usize,
    limit: usize,
    cut: bool,
}

impl Write for Cut {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            if self.chars == self.limit {
                self.cut = true;
                return Err(fmt::Error);
            }
            self.text.push(c);
            self.chars += 1;
        }
        Ok(())
    }
}

/// `value`'s `Debug` text, at most `limit` characters (then `…`).
///
/// ```
/// let long: Vec<u32> = (0..100_000).collect();
/// let text = torchbook::variables::debug_cut(&long, 20);
/// assert_eq!(text, "[0, 1, 2, 3, 4, 5, 6…");
/// ```
pub fn debug_cut(value: &dyn Debug, limit: usize) -> String {
    let mut out = Cut { text: String::new(), chars: 0, limit, cut: false };
    let _ = write!(out, "{value:?}");
    if out.cut {
        out.text.push('…');
    }
    out.text
}

/// One line of a longer text: its line breaks shown as spaces, at most [`VALUE_CHARS`].
fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = joined.chars();
    let head: String = chars.by_ref().take(VALUE_CHARS).collect();
    if chars.next().is_some() {
        head + "…"
    } else {
        head
    }
}

/// Captures one variable; `capture` fills its texts (`true`: rich forms are still allowed).
///
/// Everything that runs per variable is here, or in the three `capture_*` functions, compiled
/// once with the prelude: the generic code a cell instantiates for each of its variables is a
/// coercion to `&dyn` and one call, so capturing adds little to a cell's build.
fn record(name: &str, type_name: &str, capture: &mut dyn FnMut(&mut CapturedVariable, bool)) {
    let started = Instant::now();
    let rich_allowed = {
        let mut p = pending();
        p.started.get_or_insert(started);
        p.rich_spent < RICH_BUDGET
    };
    let mut variable = CapturedVariable {
        name: name.to_owned(),
        type_name: type_name.to_owned(),
        value: String::new(),
        detail: String::new(),
        rich: MimeBundle::new(),
    };
    let outcome =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| capture(&mut variable, rich_allowed)));
    if outcome.is_err() {
        variable.value = "(its Debug or view panicked)".to_owned();
        variable.detail.clear();
        variable.rich.clear();
    }
    let mut p = pending();
    if !variable.rich.is_empty() {
        p.rich_spent += started.elapsed();
    }
    p.variables.push(variable);
}

fn capture_inspect(value: &dyn Inspect, name: &str, type_name: &str) {
    record(name, type_name, &mut |v, rich_allowed| {
        let (line, detail) = value.value_and_detail();
        v.value = one_line(&line);
        v.detail = detail;
        if rich_allowed {
            v.rich = value.rich();
        } else {
            v.rich.insert(
                "text/plain".to_owned(),
                format!("(not captured: this cell's variables used their {RICH_BUDGET:?} for rich views)"),
            );
        }
    })
}

fn capture_debug(value: &dyn Debug, name: &str, type_name: &str) {
    record(name, type_name, &mut |v, _| {
        let detail = debug_cut(value, DETAIL_CHARS);
        v.value = one_line(&detail);
        v.detail = detail;
    })
}

fn capture_opaque(name: &str, type_name: &str) {
    record(name, type_name, &mut |v, _| v.value = "(no Debug)".to_owned())
}

/// The wrapper the call site's specialization picks from (see the module documentation).
pub struct Probe<'a, T>(pub &'a T);

/// Tier 1: the prelude's [`Inspect`].
pub trait ViaInspect {
    /// Records the value for the panel.
    fn torchbook_capture(&self, name: &str, type_name: &str);
}

impl<T: Inspect> ViaInspect for &&Probe<'_, T> {
    #[inline]
    fn torchbook_capture(&self, name: &str, type_name: &str) {
        capture_inspect(self.0, name, type_name)
    }
}

/// Tier 2: `Debug`.
pub trait ViaDebug {
    /// Records the value for the panel.
    fn torchbook_capture(&self, name: &str, type_name: &str);
}

impl<T: Debug> ViaDebug for &Probe<'_, T> {
    #[inline]
    fn torchbook_capture(&self, name: &str, type_name: &str) {
        capture_debug(self.0, name, type_name)
    }
}

/// Tier 3: anything.
pub trait ViaNothing {
    /// Records the variable's type and `(no Debug)`.
    fn torchbook_capture(&self, name: &str, type_name: &str);
}

impl<T> ViaNothing for Probe<'_, T> {
    #[inline]
    fn torchbook_capture(&self, name: &str, type_name: &str) {
        capture_opaque(name, type_name)
    }
}

/// What the rewritten cell brings into scope before each capture.
///
/// ```
/// use torchbook::variables::probe::*;
/// struct Opaque;
/// let (n, s, o) = (3_i32, String::from("hi"), Opaque);
/// (&&&Probe(&n)).torchbook_capture("n", "i32");
/// (&&&Probe(&s)).torchbook_capture("s", "String");
/// (&&&Probe(&o)).torchbook_capture("o", "Opaque");
/// let captured = torchbook::variables::take();
/// let values: Vec<&str> = captured.iter().map(|v| v.value.as_str()).collect();
/// assert_eq!(values, ["3", "\"hi\"", "(no Debug)"]);
/// ```
pub mod probe {
    pub use super::{Probe, ViaDebug, ViaInspect, ViaNothing};
}

/// The variables captured since the last call (and forgets them).
pub fn take() -> Vec<CapturedVariable> {
    let mut p = pending();
    p.started = None;
    p.rich_spent = Duration::ZERO;
    std::mem::take(&mut p.variables)
}

/// Sends what the cell's end captured to the kernel; the rewritten cell calls it last.
///
/// ```
/// // Outside the kernel there is no one to send them to; they are forgotten.
/// torchbook::variables::cell_ended();
/// ```
pub fn cell_ended() {
    let variables = take();
    if variables.is_empty() {
        return;
    }
    match link::send(&FromCell::Kernel(FromPrelude::Variables { variables })) {
        Ok(()) | Err(LinkError::NotInKernel) => {}
        Err(e) => eprintln!("torchbook: {e}"),
    }
}

#[cfg(test)]
// `&&&Probe(..)` is the call the rewritten cell makes: the borrows pick the tier.
#[allow(clippy::needless_borrow)]
mod tests {
    use super::probe::*;
    use super::*;
    use tch::{Device, Kind};

    #[test]
    fn each_kind_of_value_gets_its_tier() {
        // Expected texts: Rust's own `{:?}` of the same values, and the summary format above.
        let t = Tensor::from_slice(&[1.0f32, 2.0, 3.0]).set_requires_grad(true);
        let big = Tensor::zeros([300, 300], (Kind::Float, Device::Cpu));
        let vs = nn::VarStore::new(Device::Cpu);
        let _w = vs.root().var("weight", &[4, 3], nn::Init::Const(0.0));
        let map = std::collections::BTreeMap::from([("a", 1), ("b", 2)]);
        let opt: Option<Vec<u8>> = Some(vec![1, 2]);
        (&&&Probe(&t)).torchbook_capture("t", "Tensor");
        (&&&Probe(&big)).torchbook_capture("big", "Tensor");
        (&&&Probe(&vs)).torchbook_capture("vs", "nn::VarStore");
        (&&&Probe(&map)).torchbook_capture("map", "BTreeMap<&str, i32>");
        (&&&Probe(&opt)).torchbook_capture("opt", "Option<Vec<u8>>");
        let got = take();
        assert_eq!(got[0].value, "Tensor [3] f32 cpu requires_grad min=1.0000 mean=2.0000 max=3.0000");
        assert!(got[0].rich["text/html"].contains("torchbook-tensor"));
        assert_eq!(got[1].value, "Tensor [300, 300] f32 cpu", "90,000 elements: no statistics");
        assert!(got[1].rich["text/plain"].contains("no table"));
        assert_eq!(got[2].value, "VarStore: 1 variables, 12 parameters, cpu");
        assert_eq!(
            got[2].detail,
            "VarStore {\"weight\": Tensor [4, 3] f32 cpu requires_grad min=0.0000 mean=0.0000 max=0.0000}"
        );
        assert_eq!(got[3].value, r#"{"a": 1, "b": 2}"#);
        assert_eq!(got[4].value, "Some([1, 2])");
        assert!(take().is_empty(), "taking forgets");
    }

    #[test]
    fn a_long_value_is_cut_and_a_panicking_debug_is_named() {
        struct Bad;
        impl Debug for Bad {
            fn fmt(&self, _: &mut fmt::Formatter) -> fmt::Result {
                panic!("no")
            }
        }
        let long = "x".repeat(10_000);
        (&&&Probe(&long)).torchbook_capture("long", "String");
        (&&&Probe(&Bad)).torchbook_capture("bad", "Bad");
        let got = take();
        assert_eq!(got[0].value.chars().count(), VALUE_CHARS + 1);
        assert!(got[0].value.ends_with('…'));
        assert_eq!(got[0].detail.chars().count(), DETAIL_CHARS + 1);
        assert_eq!(got[1].value, "(its Debug or view panicked)");
    }
}
