//! Activation functions, each with its derivative written out from its formula.
//!
//! The activations chapter plots each function beside its derivative and checks the derivative
//! against autograd; [`Activation`] is the same set as a [`Module`](tch::nn::Module) for networks.
//!
//! # Shapes
//! All functions here are elementwise: the output has the input's shape. [`softmax`] normalises
//! along one dimension; [`softmax_jacobian`] takes a vector `[n]` and returns `[n, n]`.

use tch::{Kind, Tensor};

/// `max(0, x)`.
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::from_slice(&[-1.0f64, 0.0, 2.0]);
/// assert_eq!(Vec::<f64>::try_from(relu(&x)).unwrap(), vec![0.0, 0.0, 2.0]);
/// ```
pub fn relu(xs: &Tensor) -> Tensor {
    xs.clamp_min(0.0)
}

/// `1` where `x > 0`, else `0` (at 0 too, as PyTorch's autograd takes it).
///
/// The slope is exactly zero for every negative input: a unit whose input stays negative gets
/// no gradient and stops learning ("dying ReLU").
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::from_slice(&[-2.0f64, 0.0, 3.0]);
/// assert_eq!(Vec::<f64>::try_from(relu_derivative(&x)).unwrap(), vec![0.0, 0.0, 1.0]);
/// ```
pub fn relu_derivative(xs: &Tensor) -> Tensor {
    xs.gt(0.0).to_kind(xs.kind())
}

/// `x` where `x > 0`, else `slope · x`.
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::from_slice(&[-2.0f64, 3.0]);
/// assert_eq!(Vec::<f64>::try_from(leaky_relu(&x, 0.01)).unwrap(), vec![-0.02, 3.0]);
/// ```
pub fn leaky_relu(xs: &Tensor, slope: f64) -> Tensor {
    xs.where_self(&xs.gt(0.0), &(xs * slope))
}

/// `1` where `x > 0`, else `slope` (PyTorch's autograd also gives `slope` at 0).
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::from_slice(&[-2.0f64, 0.0, 3.0]);
/// assert_eq!(Vec::<f64>::try_from(leaky_relu_derivative(&x, 0.01)).unwrap(), vec![0.01, 0.01, 1.0]);
/// ```
pub fn leaky_relu_derivative(xs: &Tensor, slope: f64) -> Tensor {
    let one = xs.ones_like();
    one.where_self(&xs.gt(0.0), &(&one * slope))
}

/// `1 / (1 + e^{-x})`.
///
/// ```
/// use torchbook::prelude::*;
/// let s = sigmoid(&Tensor::from_slice(&[0.0f64, 2.0]));
/// assert_eq!(s.double_value(&[0]), 0.5);
/// assert!((s.double_value(&[1]) - 0.8807970779778823).abs() < 1e-15); // 1 / (1 + e^-2)
/// ```
pub fn sigmoid(xs: &Tensor) -> Tensor {
    (xs.neg().exp() + 1.0).reciprocal()
}

/// `σ(x) (1 − σ(x))`, at most 1/4: stacked sigmoids shrink gradients ("vanishing gradients").
///
/// ```
/// use torchbook::prelude::*;
/// // The largest slope is at 0: σ(0)(1 − σ(0)) = 1/4.
/// assert_eq!(sigmoid_derivative(&Tensor::from(0.0f64)).double_value(&[]), 0.25);
/// ```
pub fn sigmoid_derivative(xs: &Tensor) -> Tensor {
    let s = sigmoid(xs);
    &s * (1.0 - &s)
}

/// `(e^x − e^{−x}) / (e^x + e^{−x})`, computed by libtorch's stable `tanh`.
///
/// ```
/// use torchbook::prelude::*;
/// let t = tanh(&Tensor::from_slice(&[0.0f64, 1.0]));
/// assert_eq!(t.double_value(&[0]), 0.0);
/// assert!((t.double_value(&[1]) - 1f64.tanh()).abs() < 1e-15);
/// ```
pub fn tanh(xs: &Tensor) -> Tensor {
    xs.tanh()
}

/// `1 − tanh²(x)`.
///
/// ```
/// use torchbook::prelude::*;
/// assert_eq!(tanh_derivative(&Tensor::from(0.0f64)).double_value(&[]), 1.0);
/// ```
pub fn tanh_derivative(xs: &Tensor) -> Tensor {
    1.0 - xs.tanh().square()
}

/// `x Φ(x)` with `Φ` the standard normal CDF (the exact GELU, not the tanh approximation).
///
/// ```
/// use torchbook::prelude::*;
/// let g = gelu(&Tensor::from_slice(&[0.0f64, 1.0]));
/// assert_eq!(g.double_value(&[0]), 0.0);
/// // 1 · Φ(1) = 0.8413447460685429 (standard normal CDF at 1)
/// assert!((g.double_value(&[1]) - 0.8413447460685429).abs() < 1e-12);
/// ```
pub fn gelu(xs: &Tensor) -> Tensor {
    xs * normal_cdf(xs)
}

/// `Φ(x) + x φ(x)` with `φ` the standard normal density.
///
/// ```
/// use torchbook::prelude::*;
/// // At 0: Φ(0) + 0 · φ(0) = 1/2.
/// assert_eq!(gelu_derivative(&Tensor::from(0.0f64)).double_value(&[]), 0.5);
/// ```
pub fn gelu_derivative(xs: &Tensor) -> Tensor {
    let density = (xs.square() * -0.5).exp() / (2.0 * std::f64::consts::PI).sqrt();
    normal_cdf(xs) + xs * density
}

fn normal_cdf(xs: &Tensor) -> Tensor {
    (xs / std::f64::consts::SQRT_2).erf().g_add_scalar(1.0) * 0.5
}

/// `e^{x_i} / Σ_j e^{x_j}` along `dim`, shifted by the maximum so large inputs do not overflow.
///
/// ```
/// use torchbook::prelude::*;
/// let p = softmax(&Tensor::from_slice(&[1000.0f64, 1000.0]), 0);
/// assert_eq!(Vec::<f64>::try_from(p).unwrap(), vec![0.5, 0.5]);
/// ```
pub fn softmax(xs: &Tensor, dim: i64) -> Tensor {
    let shifted = xs - xs.amax([dim], true);
    let e = shifted.exp();
    &e / e.sum_dim_intlist(&[dim][..], true, e.kind())
}

/// The Jacobian of softmax for a vector `x` of length `n`: `diag(p) − p pᵀ`, shape `[n, n]`.
///
/// ```
/// use torchbook::prelude::*;
/// // Two equal inputs: p = (½, ½), so diag(p) − p pᵀ = [[¼, −¼], [−¼, ¼]].
/// let j = softmax_jacobian(&Tensor::from_slice(&[0.0f64, 0.0]));
/// assert_eq!(Vec::<f64>::try_from(j.reshape([-1])).unwrap(), vec![0.25, -0.25, -0.25, 0.25]);
/// ```
pub fn softmax_jacobian(xs: &Tensor) -> Tensor {
    let p = softmax(xs, 0);
    p.diag(0) - p.outer(&p)
}

/// An activation as a value: choose one per layer, apply it, plot it, differentiate it.
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::from_slice(&[-1.0f64, 1.0]);
/// let y = x.apply(&Activation::LeakyRelu(0.1));
/// assert_eq!(Vec::<f64>::try_from(y).unwrap(), vec![-0.1, 1.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Activation {
    /// [`relu`]
    Relu,
    /// [`leaky_relu`] with this negative slope.
    LeakyRelu(f64),
    /// [`sigmoid`]
    Sigmoid,
    /// [`tanh`]
    Tanh,
    /// [`gelu`]
    Gelu,
    /// The identity (a linear layer's output as it is).
    Identity,
}

impl Activation {
    /// The function.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let x = Tensor::from_slice(&[-1.0f64, 2.0]);
    /// assert_eq!(Vec::<f64>::try_from(Activation::LeakyRelu(0.1).apply_to(&x)).unwrap(), vec![-0.1, 2.0]);
    /// assert!(Activation::Identity.apply_to(&x).equal(&x));
    /// ```
    pub fn apply_to(&self, xs: &Tensor) -> Tensor {
        match *self {
            Activation::Relu => relu(xs),
            Activation::LeakyRelu(slope) => leaky_relu(xs, slope),
            Activation::Sigmoid => sigmoid(xs),
            Activation::Tanh => tanh(xs),
            Activation::Gelu => gelu(xs),
            Activation::Identity => xs.shallow_clone(),
        }
    }

    /// Its derivative, elementwise.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// // Every derivative agrees with autograd (the activations chapter plots both).
    /// let x = Tensor::from_slice(&[-1.5f64, -0.2, 0.3, 2.0]).set_requires_grad(true);
    /// for a in [Activation::Relu, Activation::LeakyRelu(0.01), Activation::Sigmoid, Activation::Tanh, Activation::Gelu] {
    ///     let autograd = Tensor::run_backward(&[a.apply_to(&x).sum(Kind::Double)], &[&x], false, false)[0].shallow_clone();
    ///     assert!(a.derivative(&x.detach()).allclose(&autograd, 1e-12, 1e-12, false), "{}", a.name());
    /// }
    /// ```
    pub fn derivative(&self, xs: &Tensor) -> Tensor {
        match *self {
            Activation::Relu => relu_derivative(xs),
            Activation::LeakyRelu(slope) => leaky_relu_derivative(xs, slope),
            Activation::Sigmoid => sigmoid_derivative(xs),
            Activation::Tanh => tanh_derivative(xs),
            Activation::Gelu => gelu_derivative(xs),
            Activation::Identity => xs.ones_like(),
        }
    }

    /// A short name for legends.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// assert_eq!((Activation::Gelu.name(), Activation::LeakyRelu(0.01).name()), ("GELU".to_owned(), "LeakyReLU(0.01)".to_owned()));
    /// ```
    pub fn name(&self) -> String {
        match self {
            Activation::Relu => "ReLU".to_owned(),
            Activation::LeakyRelu(s) => format!("LeakyReLU({s})"),
            Activation::Sigmoid => "Sigmoid".to_owned(),
            Activation::Tanh => "Tanh".to_owned(),
            Activation::Gelu => "GELU".to_owned(),
            Activation::Identity => "Identity".to_owned(),
        }
    }
}

impl tch::nn::Module for Activation {
    fn forward(&self, xs: &Tensor) -> Tensor {
        self.apply_to(xs)
    }
}

/// The derivative autograd computes for an elementwise `f` at `xs` (for checks and plots).
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::linspace(-3.0, 3.0, 7, (Kind::Double, Device::Cpu));
/// let by_hand = sigmoid_derivative(&x);
/// let by_autograd = autograd_derivative(&x, sigmoid);
/// assert!(by_hand.allclose(&by_autograd, 1e-12, 1e-12, false));
/// ```
pub fn autograd_derivative(xs: &Tensor, f: impl Fn(&Tensor) -> Tensor) -> Tensor {
    let x = xs.detach().set_requires_grad(true);
    let y = f(&x);
    let grads = Tensor::run_backward(&[y.sum(Kind::Double)], &[&x], false, false);
    grads[0].shallow_clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Device;

    fn xs() -> Tensor {
        Tensor::from_slice(&[-2.0f64, -0.5, 0.0, 0.5, 2.0])
    }

    fn close(a: &Tensor, b: &Tensor) -> bool {
        a.allclose(b, 1e-12, 1e-12, false)
    }

    #[test]
    fn functions_match_libtorch_builtins() {
        let x = Tensor::linspace(-6.0, 6.0, 101, (Kind::Double, Device::Cpu));
        assert!(close(&relu(&x), &x.relu()));
        assert!(close(&sigmoid(&x), &x.sigmoid()));
        assert!(close(&leaky_relu(&x, 0.01), &x.leaky_relu()));
        assert!(close(&gelu(&x), &x.gelu("none")));
        assert!(close(&softmax(&x, 0), &x.softmax(0, Kind::Double)));
    }

    #[test]
    fn gelu_matches_pytorch_values() {
        // torch.nn.functional.gelu(torch.tensor([-2., -.5, 0., .5, 2.], dtype=torch.float64))
        let expected = Tensor::from_slice(&[
            -0.04550026389635842,
            -0.15426876936299344,
            0.0,
            0.34573123063700656,
            1.9544997361036416,
        ]);
        assert!(close(&gelu(&xs()), &expected));
        // ... and its gradient from .backward() on the sum.
        let expected_grad = Tensor::from_slice(&[
            -0.08523180107819692,
            0.13250487534383712,
            0.5,
            0.8674951246561629,
            1.085231801078197,
        ]);
        assert!(close(&gelu_derivative(&xs()), &expected_grad));
    }

    #[test]
    fn derivatives_match_autograd_including_at_zero() {
        let x = xs();
        assert!(close(&relu_derivative(&x), &autograd_derivative(&x, |t| t.relu())));
        // libtorch's leaky_relu has the fixed slope 0.01.
        assert!(close(&leaky_relu_derivative(&x, 0.01), &autograd_derivative(&x, |t| t.leaky_relu())));
        assert!(close(&leaky_relu_derivative(&x, 0.2), &autograd_derivative(&x, |t| leaky_relu(t, 0.2))));
        assert!(close(&sigmoid_derivative(&x), &autograd_derivative(&x, |t| t.sigmoid())));
        assert!(close(&tanh_derivative(&x), &autograd_derivative(&x, |t| t.tanh())));
        assert!(close(&gelu_derivative(&x), &autograd_derivative(&x, |t| t.gelu("none"))));
    }

    #[test]
    fn softmax_jacobian_matches_autograd_rows() {
        let x = Tensor::from_slice(&[0.3f64, -1.0, 2.0]);
        let j = softmax_jacobian(&x);
        for i in 0..3 {
            let row = autograd_derivative(&x, |t| softmax(t, 0).get(i));
            assert!(close(&j.get(i), &row), "row {i}");
        }
    }

    #[test]
    fn sigmoid_slope_never_exceeds_a_quarter() {
        let x = Tensor::linspace(-10.0, 10.0, 2001, (Kind::Double, Device::Cpu));
        // Closed form: the maximum of σ(x)(1 − σ(x)) is 1/4, at x = 0.
        assert_eq!(sigmoid_derivative(&x).max().double_value(&[]), 0.25);
    }
}
