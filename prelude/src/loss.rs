//! Loss functions written from their formulas, each checked against libtorch's built-in.
//!
//! Every loss comes twice, as in tch: `f_name` returns a [`LossError`] naming both shapes when
//! the inputs do not fit, and `name` panics with that message (handy in a notebook cell).
//! All losses average over the batch (PyTorch's `reduction="mean"`).
//!
//! # Shapes
//! - [`mse`], [`mae`], [`binary_cross_entropy`], [`binary_cross_entropy_with_logits`]:
//!   prediction and target of the same shape.
//! - [`cross_entropy`]: logits `[N, C]`, class indices `[N]` (integers).
//! - [`cross_entropy_probs`]: logits `[N, C]`, target probabilities `[N, C]`.
//! - [`nll`]: log-probabilities `[N, C]`, class indices `[N]`.

use tch::{Kind, Tensor};

/// Why a loss could not be computed.
///
/// ```
/// use torchbook::prelude::*;
/// let err = f_mse(&Tensor::zeros([2, 3], (Kind::Float, Device::Cpu)), &Tensor::zeros([3], (Kind::Float, Device::Cpu)))
///     .unwrap_err();
/// assert_eq!(err.to_string(), "mse: input shape [2, 3] does not fit target shape [3] (the same shape)");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LossError {
    /// The prediction and the target do not have the shapes the loss needs.
    #[error("{loss}: input shape {input:?} does not fit target shape {target:?} ({expected})")]
    Shape {
        /// The loss.
        loss: &'static str,
        /// Shape of the prediction.
        input: Vec<i64>,
        /// Shape of the target.
        target: Vec<i64>,
        /// What was expected.
        expected: &'static str,
    },
    /// Class targets must be integers.
    #[error("{loss}: class targets must be integer indices, got {kind:?}")]
    TargetKind {
        /// The loss.
        loss: &'static str,
        /// The target's kind.
        kind: Kind,
    },
}

fn same_shape(loss: &'static str, input: &Tensor, target: &Tensor) -> Result<(), LossError> {
    if input.size() != target.size() {
        return Err(LossError::Shape {
            loss,
            input: input.size(),
            target: target.size(),
            expected: "the same shape",
        });
    }
    Ok(())
}

fn class_targets(loss: &'static str, input: &Tensor, target: &Tensor) -> Result<(), LossError> {
    let (i, t) = (input.size(), target.size());
    if i.len() != 2 || t.len() != 1 || i[0] != t[0] {
        return Err(LossError::Shape { loss, input: i, target: t, expected: "[N, C] and [N]" });
    }
    if !matches!(target.kind(), Kind::Int64 | Kind::Int | Kind::Int16 | Kind::Int8 | Kind::Uint8) {
        return Err(LossError::TargetKind { loss, kind: target.kind() });
    }
    Ok(())
}

/// Mean squared error `mean((ŷ − y)²)`.
///
/// ```
/// use torchbook::prelude::*;
/// let l = mse(&Tensor::from_slice(&[1.0f64, 2.0]), &Tensor::from_slice(&[1.0f64, 4.0]));
/// assert_eq!(l.double_value(&[]), 2.0);
/// ```
pub fn f_mse(prediction: &Tensor, target: &Tensor) -> Result<Tensor, LossError> {
    same_shape("mse", prediction, target)?;
    Ok((prediction - target).square().mean(prediction.kind()))
}

/// [`f_mse`]; panics with the error message if the shapes differ.
///
/// ```
/// use torchbook::prelude::*;
/// let l = mse(&Tensor::from_slice(&[0.0f64, 0.0]), &Tensor::from_slice(&[1.0f64, 3.0]));
/// assert_eq!(l.double_value(&[]), 5.0); // (1 + 9) / 2
/// ```
pub fn mse(prediction: &Tensor, target: &Tensor) -> Tensor {
    f_mse(prediction, target).unwrap_or_else(|e| panic!("{e}"))
}

/// Mean absolute error `mean(|ŷ − y|)`.
///
/// ```
/// use torchbook::prelude::*;
/// let l = f_mae(&Tensor::from_slice(&[0.0f64, 0.0]), &Tensor::from_slice(&[1.0f64, -3.0])).unwrap();
/// assert_eq!(l.double_value(&[]), 2.0); // (1 + 3) / 2
/// ```
pub fn f_mae(prediction: &Tensor, target: &Tensor) -> Result<Tensor, LossError> {
    same_shape("mae", prediction, target)?;
    Ok((prediction - target).abs().mean(prediction.kind()))
}

/// [`f_mae`]; panics with the error message if the shapes differ.
///
/// ```
/// use torchbook::prelude::*;
/// assert_eq!(mae(&Tensor::from_slice(&[2.0f64]), &Tensor::from_slice(&[0.5f64])).double_value(&[]), 1.5);
/// ```
pub fn mae(prediction: &Tensor, target: &Tensor) -> Tensor {
    f_mae(prediction, target).unwrap_or_else(|e| panic!("{e}"))
}

/// Binary cross-entropy on probabilities: `−mean(y log p + (1 − y) log(1 − p))`.
///
/// Each log is clamped at −100, as PyTorch does, so a probability of exactly 0 or 1 gives a
/// large finite loss instead of infinity.
///
/// ```
/// use torchbook::prelude::*;
/// // −(1 · ln 0.5) = ln 2 for a 50% prediction of a positive.
/// let l = f_binary_cross_entropy(&Tensor::from_slice(&[0.5f64]), &Tensor::from_slice(&[1.0f64])).unwrap();
/// assert!((l.double_value(&[]) - 2f64.ln()).abs() < 1e-15);
/// // A certain, wrong prediction is clamped at 100 rather than infinite.
/// let l = binary_cross_entropy(&Tensor::from_slice(&[0.0f64]), &Tensor::from_slice(&[1.0f64]));
/// assert_eq!(l.double_value(&[]), 100.0);
/// ```
pub fn f_binary_cross_entropy(probabilities: &Tensor, target: &Tensor) -> Result<Tensor, LossError> {
    same_shape("binary_cross_entropy", probabilities, target)?;
    let log_p = probabilities.log().clamp_min(-100.0);
    let log_not_p = probabilities.neg().g_add_scalar(1.0).log().clamp_min(-100.0);
    let not_target = target.neg().g_add_scalar(1.0);
    let log_likelihood = target * log_p + not_target * log_not_p;
    Ok(log_likelihood.mean(probabilities.kind()).neg())
}

/// [`f_binary_cross_entropy`]; panics with the error message if the shapes differ.
///
/// ```
/// use torchbook::prelude::*;
/// let l = binary_cross_entropy(&Tensor::from_slice(&[0.9f64, 0.2]), &Tensor::from_slice(&[1.0f64, 0.0]));
/// let expected = -(0.9f64.ln() + 0.8f64.ln()) / 2.0;
/// assert!((l.double_value(&[]) - expected).abs() < 1e-15);
/// ```
pub fn binary_cross_entropy(probabilities: &Tensor, target: &Tensor) -> Tensor {
    f_binary_cross_entropy(probabilities, target).unwrap_or_else(|e| panic!("{e}"))
}

/// Binary cross-entropy on logits `z` (before the sigmoid):
/// `−mean(y log σ(z) + (1 − y) log σ(−z))`.
///
/// Computed as `mean(z − y z − log σ(z))`, the same quantity (because `log σ(−z) = log σ(z) − z`)
/// in five libtorch calls instead of ten, which matters in a training step on small batches.
/// `log σ` is libtorch's `log_sigmoid`, stable for large |z|; the gradient is `(σ(z) − y) / N`
/// everywhere. The common `max(z, 0) − z y + log(1 + e^{−|z|})` is not used: its kinks at
/// `z = 0` have subgradients autograd does not cancel, giving `−1` instead of `σ(0) − y = −½`.
///
/// ```
/// use torchbook::prelude::*;
/// // A logit of 0 is a 50% prediction: ln 2 whatever the label.
/// let z = Tensor::from_slice(&[0.0f64, 0.0]);
/// let l = f_binary_cross_entropy_with_logits(&z, &Tensor::from_slice(&[1.0f64, 0.0])).unwrap();
/// assert!((l.double_value(&[]) - 2f64.ln()).abs() < 1e-15);
/// ```
pub fn f_binary_cross_entropy_with_logits(logits: &Tensor, target: &Tensor) -> Result<Tensor, LossError> {
    same_shape("binary_cross_entropy_with_logits", logits, target)?;
    let per_example = logits - logits * target - logits.log_sigmoid();
    Ok(per_example.mean(logits.kind()))
}

/// [`f_binary_cross_entropy_with_logits`]; panics with the error message if the shapes differ.
///
/// ```
/// use torchbook::prelude::*;
/// let z = Tensor::from_slice(&[2.0f64]);
/// let on_logits = binary_cross_entropy_with_logits(&z, &Tensor::from_slice(&[1.0f64]));
/// let on_probabilities = binary_cross_entropy(&z.sigmoid(), &Tensor::from_slice(&[1.0f64]));
/// assert!((on_logits.double_value(&[]) - on_probabilities.double_value(&[])).abs() < 1e-15);
/// ```
pub fn binary_cross_entropy_with_logits(logits: &Tensor, target: &Tensor) -> Tensor {
    f_binary_cross_entropy_with_logits(logits, target).unwrap_or_else(|e| panic!("{e}"))
}

fn log_softmax_rows(logits: &Tensor) -> Tensor {
    logits - logits.logsumexp([1], true)
}

/// Cross-entropy of logits `[N, C]` against class indices `[N]`:
/// `mean(log Σ_c e^{z_c} − z_y)`.
///
/// ```
/// use torchbook::prelude::*;
/// let logits = Tensor::from_slice(&[0.0f64, 0.0]).reshape([1, 2]);
/// let loss = cross_entropy(&logits, &Tensor::from_slice(&[1i64]));
/// assert!((loss.double_value(&[]) - 2f64.ln()).abs() < 1e-12);
/// let err = f_cross_entropy(&logits, &Tensor::from_slice(&[1i64, 0])).unwrap_err();
/// assert_eq!(err.to_string(), "cross_entropy: input shape [1, 2] does not fit target shape [2] ([N, C] and [N])");
/// ```
pub fn f_cross_entropy(logits: &Tensor, classes: &Tensor) -> Result<Tensor, LossError> {
    class_targets("cross_entropy", logits, classes)?;
    f_nll(&log_softmax_rows(logits), classes)
}

/// [`f_cross_entropy`]; panics with the error message on bad shapes or kinds.
///
/// ```
/// use torchbook::prelude::*;
/// // Two samples, three classes; equal logits give ln 3 whatever the class.
/// let logits = Tensor::zeros([2, 3], (Kind::Double, Device::Cpu));
/// let l = cross_entropy(&logits, &Tensor::from_slice(&[0i64, 2]));
/// assert!((l.double_value(&[]) - 3f64.ln()).abs() < 1e-15);
/// ```
pub fn cross_entropy(logits: &Tensor, classes: &Tensor) -> Tensor {
    f_cross_entropy(logits, classes).unwrap_or_else(|e| panic!("{e}"))
}

/// Cross-entropy of logits `[N, C]` against target probabilities `[N, C]` (one-hot or soft):
/// `mean(−Σ_c y_c log softmax(z)_c)`.
///
/// ```
/// use torchbook::prelude::*;
/// // With a one-hot target it equals cross-entropy on the class index.
/// let logits = Tensor::from_slice(&[1.0f64, 2.0, 0.5]).reshape([1, 3]);
/// let one_hot = Tensor::from_slice(&[0.0f64, 1.0, 0.0]).reshape([1, 3]);
/// let soft = f_cross_entropy_probs(&logits, &one_hot).unwrap();
/// let hard = cross_entropy(&logits, &Tensor::from_slice(&[1i64]));
/// assert!((soft.double_value(&[]) - hard.double_value(&[])).abs() < 1e-15);
/// ```
pub fn f_cross_entropy_probs(logits: &Tensor, target: &Tensor) -> Result<Tensor, LossError> {
    same_shape("cross_entropy_probs", logits, target)?;
    if logits.dim() != 2 {
        return Err(LossError::Shape {
            loss: "cross_entropy_probs",
            input: logits.size(),
            target: target.size(),
            expected: "[N, C] and [N, C]",
        });
    }
    let per_row = -(target * log_softmax_rows(logits)).sum_dim_intlist(&[1i64][..], false, logits.kind());
    Ok(per_row.mean(logits.kind()))
}

/// [`f_cross_entropy_probs`]; panics with the error message on bad shapes.
///
/// ```
/// use torchbook::prelude::*;
/// // A uniform target over two equal logits: ln 2.
/// let l = cross_entropy_probs(&Tensor::zeros([1, 2], (Kind::Double, Device::Cpu)), &Tensor::full([1, 2], 0.5, (Kind::Double, Device::Cpu)));
/// assert!((l.double_value(&[]) - 2f64.ln()).abs() < 1e-15);
/// ```
pub fn cross_entropy_probs(logits: &Tensor, target: &Tensor) -> Tensor {
    f_cross_entropy_probs(logits, target).unwrap_or_else(|e| panic!("{e}"))
}

/// Negative log-likelihood of log-probabilities `[N, C]` at class indices `[N]`.
///
/// ```
/// use torchbook::prelude::*;
/// let log_p = Tensor::from_slice(&[0.25f64, 0.75]).log().reshape([1, 2]);
/// let l = f_nll(&log_p, &Tensor::from_slice(&[1i64])).unwrap();
/// assert!((l.double_value(&[]) + 0.75f64.ln()).abs() < 1e-15);
/// let err = f_nll(&log_p, &Tensor::from_slice(&[1.0f64])).unwrap_err();
/// assert_eq!(err.to_string(), "nll: class targets must be integer indices, got Double");
/// ```
pub fn f_nll(log_probabilities: &Tensor, classes: &Tensor) -> Result<Tensor, LossError> {
    class_targets("nll", log_probabilities, classes)?;
    let picked = log_probabilities.gather(1, &classes.to_kind(Kind::Int64).unsqueeze(1), false);
    Ok(-picked.mean(log_probabilities.kind()))
}

/// [`f_nll`]; panics with the error message on bad shapes or kinds.
///
/// ```
/// use torchbook::prelude::*;
/// // nll of log-softmax is cross-entropy.
/// let logits = Tensor::from_slice(&[0.3f64, -1.0, 2.0]).reshape([1, 3]);
/// let classes = Tensor::from_slice(&[2i64]);
/// let a = nll(&logits.log_softmax(1, Kind::Double), &classes);
/// assert!((a.double_value(&[]) - cross_entropy(&logits, &classes).double_value(&[])).abs() < 1e-12);
/// ```
pub fn nll(log_probabilities: &Tensor, classes: &Tensor) -> Tensor {
    f_nll(log_probabilities, classes).unwrap_or_else(|e| panic!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Reduction;

    fn t(v: &[f64]) -> Tensor {
        Tensor::from_slice(v)
    }

    fn approx(a: &Tensor, expected: f64) {
        let got = a.double_value(&[]);
        assert!((got - expected).abs() < 1e-12, "got {got}, expected {expected}");
    }

    fn logits() -> Tensor {
        t(&[2.0, 1.0, 0.1, 0.5, 2.5, -1.0]).reshape([2, 3])
    }

    // Expected values from PyTorch 2.13 (float64):
    //   a, b = torch.tensor([1., 2., 3.]), torch.tensor([1.5, 1., 3.5])
    //   F.mse_loss(a, b) = 0.5; F.l1_loss(a, b) = 0.6666666666666666
    //   p, y = torch.tensor([.9, .2, .6]), torch.tensor([1., 0., 1.])
    //   F.binary_cross_entropy(p, y) = 0.2797765635793423
    //   F.binary_cross_entropy_with_logits(torch.tensor([2., -1., .3]), y) = 0.33151498100990745
    //   z = [[2., 1., .1], [.5, 2.5, -1.]]; F.cross_entropy(z, [0, 2]) = 2.035104111700061
    //   F.cross_entropy(z, [[.7, .2, .1], [0., .5, .5]]) = 1.3551041117000608
    #[test]
    fn values_match_pytorch() {
        let (a, b) = (t(&[1.0, 2.0, 3.0]), t(&[1.5, 1.0, 3.5]));
        approx(&mse(&a, &b), 0.5);
        approx(&mae(&a, &b), 2.0 / 3.0);
        let y = t(&[1.0, 0.0, 1.0]);
        approx(&binary_cross_entropy(&t(&[0.9, 0.2, 0.6]), &y), 0.2797765635793423);
        approx(&binary_cross_entropy_with_logits(&t(&[2.0, -1.0, 0.3]), &y), 0.33151498100990745);
        let classes = Tensor::from_slice(&[0i64, 2]);
        approx(&cross_entropy(&logits(), &classes), 2.035104111700061);
        let soft = t(&[0.7, 0.2, 0.1, 0.0, 0.5, 0.5]).reshape([2, 3]);
        approx(&cross_entropy_probs(&logits(), &soft), 1.3551041117000608);
        approx(&nll(&logits().log_softmax(1, Kind::Double), &classes), 2.035104111700061);
    }

    #[test]
    fn values_match_libtorch_builtins() {
        let x = Tensor::randn([8, 5], (Kind::Double, tch::Device::Cpu));
        let y = Tensor::randn([8, 5], (Kind::Double, tch::Device::Cpu));
        approx(&mse(&x, &y), x.mse_loss(&y, Reduction::Mean).double_value(&[]));
        approx(&mae(&x, &y), x.l1_loss(&y, Reduction::Mean).double_value(&[]));
        let p = x.sigmoid();
        let target = y.gt(0.0).to_kind(Kind::Double);
        approx(
            &binary_cross_entropy(&p, &target),
            p.binary_cross_entropy::<Tensor>(&target, None, Reduction::Mean).double_value(&[]),
        );
        approx(
            &binary_cross_entropy_with_logits(&x, &target),
            x.binary_cross_entropy_with_logits::<Tensor>(&target, None, None, Reduction::Mean)
                .double_value(&[]),
        );
        let classes = Tensor::from_slice(&[0i64, 1, 2, 3, 4, 0, 1, 2]);
        approx(
            &cross_entropy(&x, &classes),
            x.cross_entropy_loss::<Tensor>(&classes, None, Reduction::Mean, -100, 0.0).double_value(&[]),
        );
    }

    #[test]
    fn bce_with_logits_stays_finite_and_exact_at_extreme_logits() {
        // Against libtorch's fused kernel, in float32 where e^{±100} would overflow.
        let z = Tensor::from_slice(&[100.0f32, -100.0, 30.0, -30.0, 100.0]).set_requires_grad(true);
        let y = Tensor::from_slice(&[1.0f32, 0.0, 0.0, 1.0, 0.0]);
        let ours = binary_cross_entropy_with_logits(&z, &y);
        let builtin = z.binary_cross_entropy_with_logits::<Tensor>(&y, None, None, Reduction::Mean);
        assert!(ours.allclose(&builtin, 1e-6, 1e-6, false), "{ours} vs {builtin}");
        let grad = |loss: Tensor| Tensor::run_backward(&[loss], &[&z], false, false)[0].shallow_clone();
        assert!(grad(ours).allclose(&grad(builtin), 1e-7, 1e-7, false));
    }

    #[test]
    fn gradients_match_libtorch_builtins_including_at_zero() {
        // z = 0 is where a max/abs formulation of BCE-with-logits gets the wrong subgradient.
        let z = t(&[-3.0, -1.0, 0.0, 0.0, 2.0]).set_requires_grad(true);
        let y = t(&[0.0, 1.0, 1.0, 0.0, 1.0]);
        let grad = |loss: Tensor| Tensor::run_backward(&[loss], &[&z], false, false)[0].shallow_clone();
        let ours = grad(binary_cross_entropy_with_logits(&z, &y));
        let builtin = grad(z.binary_cross_entropy_with_logits::<Tensor>(&y, None, None, Reduction::Mean));
        assert!(ours.allclose(&builtin, 1e-12, 1e-12, false), "{ours} vs {builtin}");
        let logits = t(&[0.0, 1.0, -2.0, 0.5, 0.0, 0.0]).reshape([2, 3]).set_requires_grad(true);
        let classes = Tensor::from_slice(&[1i64, 0]);
        let g = |loss: Tensor| Tensor::run_backward(&[loss], &[&logits], false, false)[0].shallow_clone();
        let ours = g(cross_entropy(&logits, &classes));
        let builtin = g(logits.cross_entropy_loss::<Tensor>(&classes, None, Reduction::Mean, -100, 0.0));
        assert!(ours.allclose(&builtin, 1e-12, 1e-12, false));
        let p = t(&[0.2, 0.7, 0.5]).set_requires_grad(true);
        let yb = t(&[0.0, 1.0, 1.0]);
        let gp = |loss: Tensor| Tensor::run_backward(&[loss], &[&p], false, false)[0].shallow_clone();
        assert!(gp(mse(&p, &yb)).allclose(&gp(p.mse_loss(&yb, Reduction::Mean)), 1e-12, 1e-12, false));
        let ours = gp(binary_cross_entropy(&p, &yb));
        let builtin = gp(p.binary_cross_entropy::<Tensor>(&yb, None, Reduction::Mean));
        assert!(ours.allclose(&builtin, 1e-12, 1e-12, false));
    }

    #[test]
    fn binary_cross_entropy_clamps_like_pytorch() {
        // F.binary_cross_entropy(torch.tensor([0.]), torch.tensor([1.])) = 100.
        approx(&binary_cross_entropy(&t(&[0.0]), &t(&[1.0])), 100.0);
    }

    #[test]
    fn errors_name_both_shapes_and_bad_kinds() {
        let err = f_mse(&t(&[1.0, 2.0]), &t(&[1.0, 2.0, 3.0])).unwrap_err();
        assert_eq!(err.to_string(), "mse: input shape [2] does not fit target shape [3] (the same shape)");
        let err = f_cross_entropy(&logits(), &t(&[0.0, 2.0])).unwrap_err();
        assert_eq!(err.to_string(), "cross_entropy: class targets must be integer indices, got Double");
    }
}
