//! Checking gradients: autograd against central finite differences, in double precision.

use tch::{Kind, Tensor};

/// Why a gradient check could not run.
///
/// ```
/// use torchbook::prelude::*;
/// let err = gradcheck(|v| v[0].shallow_clone(), &[Tensor::from_slice(&[1.0f64, 2.0])]).unwrap_err();
/// assert_eq!(err.to_string(), "gradcheck: f must return a scalar, got shape [2]");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GradcheckError {
    /// `f` must return one number.
    #[error("gradcheck: f must return a scalar, got shape {0:?}")]
    NotScalar(Vec<i64>),
    /// Inputs must be floating point.
    #[error("gradcheck: input {index} has kind {kind:?}; inputs must be floating point")]
    NotFloat {
        /// Which input.
        index: usize,
        /// Its kind.
        kind: Kind,
    },
}

/// The largest disagreement between autograd and finite differences.
///
/// ```
/// use torchbook::prelude::*;
/// // d/dx Σ x³ = 3x²: autograd and the central differences agree, and both are returned.
/// let x = Tensor::from_slice(&[1.0f64, -2.0]);
/// let report = gradcheck(|v| v[0].pow_tensor_scalar(3).sum(Kind::Double), &[x]).unwrap();
/// assert!(report.passed && report.max_abs_error < 1e-6);
/// assert_eq!(Vec::<f64>::try_from(&report.analytic[0]).unwrap(), vec![3.0, 12.0]);
/// ```
#[derive(Debug)]
pub struct GradcheckReport {
    /// max |autograd − numeric| over all elements of all inputs.
    pub max_abs_error: f64,
    /// max |autograd − numeric| / max(|numeric|, 1e-12).
    pub max_rel_error: f64,
    /// Whether every element satisfied |a − n| ≤ atol + rtol·|n|.
    pub passed: bool,
    /// Autograd's gradients, one per input.
    pub analytic: Vec<Tensor>,
    /// The finite-difference gradients, one per input.
    pub numeric: Vec<Tensor>,
}

/// Compares autograd's gradient of the scalar `f(inputs)` with central differences
/// `(f(x + ε) − f(x − ε)) / 2ε`, `ε = 1e-6`, all in `f64`, with `atol = 1e-5`, `rtol = 1e-3`
/// (PyTorch's `torch.autograd.gradcheck` defaults).
///
/// # Shapes
/// Inputs of any shape; `f` returns a scalar (shape `[]`).
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::from_slice(&[0.5f64, -1.0, 2.0]);
/// let report = gradcheck(|v| (&v[0] * &v[0]).sin().sum(Kind::Double), &[x]).unwrap();
/// assert!(report.passed, "{report:?}");
/// ```
pub fn gradcheck(
    f: impl Fn(&[Tensor]) -> Tensor,
    inputs: &[Tensor],
) -> Result<GradcheckReport, GradcheckError> {
    gradcheck_with(f, inputs, 1e-6, 1e-5, 1e-3)
}

/// [`gradcheck`] with explicit step and tolerances.
///
/// ```
/// use torchbook::prelude::*;
/// // |x| at 0.0005 with a step of 1e-3 straddles the kink at 0: the central difference is
/// // (0.0015 − 0.0005) / 0.002 = 0.5 while the derivative is 1, and the check says so.
/// let x = Tensor::from_slice(&[0.0005f64]);
/// let report = gradcheck_with(|v| v[0].abs().sum(Kind::Double), &[x], 1e-3, 1e-5, 1e-3).unwrap();
/// assert!(!report.passed && (report.max_abs_error - 0.5).abs() < 1e-9);
/// ```
pub fn gradcheck_with(
    f: impl Fn(&[Tensor]) -> Tensor,
    inputs: &[Tensor],
    eps: f64,
    atol: f64,
    rtol: f64,
) -> Result<GradcheckReport, GradcheckError> {
    for (index, x) in inputs.iter().enumerate() {
        if !x.is_floating_point() {
            return Err(GradcheckError::NotFloat { index, kind: x.kind() });
        }
    }
    let xs: Vec<Tensor> =
        inputs.iter().map(|x| x.detach().to_kind(Kind::Double).copy().set_requires_grad(true)).collect();
    let y = f(&xs);
    if !y.size().is_empty() {
        return Err(GradcheckError::NotScalar(y.size()));
    }
    let refs: Vec<&Tensor> = xs.iter().collect();
    let analytic = Tensor::run_backward(&[&y], &refs, false, false);

    let plain: Vec<Tensor> = xs.iter().map(|x| x.detach().copy()).collect();
    let value = |v: &[Tensor]| tch::no_grad(|| f(v).double_value(&[]));
    let mut numeric = Vec::new();
    for i in 0..plain.len() {
        let n = plain[i].numel() as i64;
        let mut grad = vec![0.0; n as usize];
        for (j, g) in grad.iter_mut().enumerate() {
            let flat = plain[i].view([-1]);
            let original = flat.double_value(&[j as i64]);
            let _ = flat.get(j as i64).fill_(original + eps);
            let up = value(&plain);
            let _ = flat.get(j as i64).fill_(original - eps);
            let down = value(&plain);
            let _ = flat.get(j as i64).fill_(original);
            *g = (up - down) / (2.0 * eps);
        }
        numeric.push(Tensor::from_slice(&grad).view(plain[i].size().as_slice()));
    }

    let (mut max_abs, mut max_rel, mut passed) = (0.0f64, 0.0f64, true);
    for (a, n) in analytic.iter().zip(&numeric) {
        let diff = (a - n).abs();
        max_abs = max_abs.max(diff.max().double_value(&[]));
        let rel = &diff / n.abs().clamp_min(1e-12);
        max_rel = max_rel.max(rel.max().double_value(&[]));
        passed &= bool::try_from(diff.le_tensor(&(n.abs() * rtol + atol)).all()).unwrap_or(false);
    }
    Ok(GradcheckReport { max_abs_error: max_abs, max_rel_error: max_rel, passed, analytic, numeric })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_correct_gradient_passes_and_a_wrong_one_fails() {
        let x = Tensor::from_slice(&[0.3f64, -0.7]);
        let w = Tensor::from_slice(&[1.5f64, 2.0]);
        let ok = gradcheck(|v| (&v[0] * &v[1]).exp().sum(Kind::Double), &[x.shallow_clone(), w]).unwrap();
        assert!(ok.passed && ok.max_abs_error < 1e-8, "{ok:?}");
        // A function whose backward is deliberately wrong: detach hides half of x·x from autograd.
        let bad = gradcheck(|v| (&v[0] * v[0].detach()).sum(Kind::Double), &[x]).unwrap();
        assert!(!bad.passed);
        // Closed form: d/dx x² = 2x, autograd saw only x, so the error is |x| = 0.7 at most.
        assert!((bad.max_abs_error - 0.7).abs() < 1e-6);
    }

    #[test]
    fn bad_inputs_are_named() {
        let err = gradcheck(|v| v[0].shallow_clone(), &[Tensor::from_slice(&[1.0f64, 2.0])]).unwrap_err();
        assert_eq!(err.to_string(), "gradcheck: f must return a scalar, got shape [2]");
        let err = gradcheck(|v| v[0].sum(Kind::Double), &[Tensor::from_slice(&[1i64])]).unwrap_err();
        assert_eq!(err.to_string(), "gradcheck: input 0 has kind Int64; inputs must be floating point");
    }
}
