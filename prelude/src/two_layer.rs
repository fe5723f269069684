//! The backprop chapter's network, forward and backward written out by hand.
//!
//! A two-layer network for a binary task: `z₁ = x W₁ + b₁`, `a₁ = ReLU(z₁)`,
//! `z₂ = a₁ W₂ + b₂`, `ŷ = σ(z₂)`, with the mean binary cross-entropy `L`. Its gradients:
//!
//! ```text
//! δ₂ = ∂L/∂z₂ = (ŷ − y) / N            (sigmoid and cross-entropy together)
//! ∂L/∂W₂ = a₁ᵀ δ₂      ∂L/∂b₂ = Σₙ δ₂
//! δ₁ = ∂L/∂z₁ = (δ₂ W₂ᵀ) ⊙ 1[z₁ > 0]   (ReLU passes the gradient only where it was active)
//! ∂L/∂W₁ = xᵀ δ₁       ∂L/∂b₁ = Σₙ δ₁
//! ```
//!
//! # Shapes
//! `x: [N, D]`, `y: [N, 1]` with values in {0, 1}; `W₁: [D, H]`, `b₁: [H]`, `W₂: [H, 1]`,
//! `b₂: [1]`.

use tch::{Device, Kind, Tensor};

/// Parameters of the two-layer network (`f64`).
///
/// ```
/// use torchbook::prelude::*;
/// tch::manual_seed(0);
/// let mut net = TwoLayerNet::new(2, 16);
/// let x = Tensor::randn([64, 2], (Kind::Double, Device::Cpu));
/// let y = x.prod_dim_int(1, true, Kind::Double).gt(0.0).to_kind(Kind::Double); // XOR of signs
/// let first = net.train_step(&x, &y, 0.5);
/// let mut last = first;
/// for _ in 0..200 {
///     last = net.train_step(&x, &y, 0.5);
/// }
/// assert!(last < first / 2.0, "loss {first} -> {last}");
/// ```
#[derive(Debug)]
pub struct TwoLayerNet {
    /// `[D, H]`
    pub w1: Tensor,
    /// `[H]`
    pub b1: Tensor,
    /// `[H, 1]`
    pub w2: Tensor,
    /// `[1]`
    pub b2: Tensor,
}

/// Intermediate values of a forward pass, kept for the backward pass.
///
/// ```
/// use torchbook::prelude::*;
/// let net = TwoLayerNet::new(3, 4);
/// let f = net.forward(&Tensor::ones([2, 3], (Kind::Double, Device::Cpu)));
/// assert!(f.a1.equal(&f.z1.relu()));
/// assert!(f.y_hat.allclose(&f.z2.sigmoid(), 1e-12, 1e-12, false));
/// ```
#[derive(Debug)]
pub struct Forward {
    /// Hidden pre-activation `[N, H]`.
    pub z1: Tensor,
    /// Hidden activation `[N, H]`.
    pub a1: Tensor,
    /// Output logit `[N, 1]`.
    pub z2: Tensor,
    /// Output probability `[N, 1]`.
    pub y_hat: Tensor,
}

/// Gradients of the loss with respect to each parameter.
///
/// ```
/// use torchbook::prelude::*;
/// tch::manual_seed(1);
/// let net = TwoLayerNet::new(3, 5);
/// let x = Tensor::randn([8, 3], (Kind::Double, Device::Cpu));
/// let y = Tensor::from_slice(&[0.0f64, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0]).reshape([8, 1]);
/// let by_hand = net.backward(&x, &y, &net.forward(&x));
/// let autograd = net.autograd_gradients(&x, &y);
/// assert!(by_hand.w1.allclose(&autograd.w1, 1e-12, 1e-12, false));
/// assert!(by_hand.b2.allclose(&autograd.b2, 1e-12, 1e-12, false));
/// ```
#[derive(Debug)]
pub struct Gradients {
    /// ∂L/∂W₁
    pub w1: Tensor,
    /// ∂L/∂b₁
    pub b1: Tensor,
    /// ∂L/∂W₂
    pub w2: Tensor,
    /// ∂L/∂b₂
    pub b2: Tensor,
}

impl TwoLayerNet {
    /// He-initialised weights for `inputs` features and `hidden` units, zero biases.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// tch::manual_seed(0);
    /// let net = TwoLayerNet::new(2, 8);
    /// let x = Tensor::randn([5, 2], (Kind::Double, Device::Cpu));
    /// assert_eq!(net.forward(&x).y_hat.size(), vec![5, 1]);
    /// ```
    pub fn new(inputs: i64, hidden: i64) -> Self {
        let opts = (Kind::Double, Device::Cpu);
        TwoLayerNet {
            w1: Tensor::randn([inputs, hidden], opts) * (2.0 / inputs as f64).sqrt(),
            b1: Tensor::zeros([hidden], opts),
            w2: Tensor::randn([hidden, 1], opts) * (2.0 / hidden as f64).sqrt(),
            b2: Tensor::zeros([1], opts),
        }
    }

    /// The forward pass.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// tch::manual_seed(3);
    /// let net = TwoLayerNet::new(2, 4);
    /// let x = Tensor::randn([6, 2], (Kind::Double, Device::Cpu));
    /// let y = Tensor::from_slice(&[1.0f64, 0.0, 1.0, 1.0, 0.0, 0.0]).reshape([6, 1]);
    /// let f = net.forward(&x);
    /// assert_eq!((f.z1.size(), f.y_hat.size()), (vec![6, 4], vec![6, 1]));
    /// ```
    pub fn forward(&self, x: &Tensor) -> Forward {
        let z1 = x.matmul(&self.w1) + &self.b1;
        let a1 = z1.clamp_min(0.0);
        let z2 = a1.matmul(&self.w2) + &self.b2;
        let y_hat = z2.sigmoid();
        Forward { z1, a1, z2, y_hat }
    }

    /// Mean binary cross-entropy of the prediction for `x` against `y`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// tch::manual_seed(3);
    /// let net = TwoLayerNet::new(2, 4);
    /// let x = Tensor::randn([6, 2], (Kind::Double, Device::Cpu));
    /// let y = Tensor::from_slice(&[1.0f64, 0.0, 1.0, 1.0, 0.0, 0.0]).reshape([6, 1]);
    /// let by_formula = binary_cross_entropy(&net.forward(&x).y_hat, &y);
    /// assert!((net.loss(&x, &y).double_value(&[]) - by_formula.double_value(&[])).abs() < 1e-12);
    /// ```
    pub fn loss(&self, x: &Tensor, y: &Tensor) -> Tensor {
        crate::loss::binary_cross_entropy_with_logits(&self.forward(x).z2, y)
    }

    /// The backward pass by hand, following the formulas in this module's documentation.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// tch::manual_seed(3);
    /// let net = TwoLayerNet::new(2, 4);
    /// let x = Tensor::randn([6, 2], (Kind::Double, Device::Cpu));
    /// let y = Tensor::from_slice(&[1.0f64, 0.0, 1.0, 1.0, 0.0, 0.0]).reshape([6, 1]);
    /// let g = net.backward(&x, &y, &net.forward(&x));
    /// // Checked against central differences, not only autograd.
    /// let w1 = net.w1.shallow_clone();
    /// let numeric = gradcheck(|v| { let n = TwoLayerNet { w1: v[0].shallow_clone(), b1: net.b1.shallow_clone(), w2: net.w2.shallow_clone(), b2: net.b2.shallow_clone() }; n.loss(&x, &y) }, &[w1]).unwrap();
    /// assert!(numeric.passed && g.w1.allclose(&numeric.numeric[0], 1e-6, 1e-6, false));
    /// ```
    pub fn backward(&self, x: &Tensor, y: &Tensor, forward: &Forward) -> Gradients {
        let n = x.size()[0] as f64;
        let delta2 = (&forward.y_hat - y) / n;
        let w2 = forward.a1.tr().matmul(&delta2);
        let b2 = delta2.sum_dim_intlist(&[0i64][..], false, Kind::Double);
        let delta1 = delta2.matmul(&self.w2.tr()) * forward.z1.gt(0.0).to_kind(Kind::Double);
        let w1 = x.tr().matmul(&delta1);
        let b1 = delta1.sum_dim_intlist(&[0i64][..], false, Kind::Double);
        Gradients { w1, b1, w2, b2 }
    }

    /// One step of gradient descent with hand-computed gradients; returns the loss before it.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// tch::manual_seed(3);
    /// let mut net = TwoLayerNet::new(2, 4);
    /// let x = Tensor::randn([6, 2], (Kind::Double, Device::Cpu));
    /// let y = Tensor::from_slice(&[1.0f64, 0.0, 1.0, 1.0, 0.0, 0.0]).reshape([6, 1]);
    /// let before = net.train_step(&x, &y, 0.1);
    /// assert!(net.loss(&x, &y).double_value(&[]) < before);
    /// ```
    pub fn train_step(&mut self, x: &Tensor, y: &Tensor, lr: f64) -> f64 {
        let forward = self.forward(x);
        let loss = crate::loss::binary_cross_entropy_with_logits(&forward.z2, y).double_value(&[]);
        let g = self.backward(x, y, &forward);
        self.w1 -= g.w1 * lr;
        self.b1 -= g.b1 * lr;
        self.w2 -= g.w2 * lr;
        self.b2 -= g.b2 * lr;
        loss
    }

    /// The gradients autograd computes for the same loss, for comparison.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// tch::manual_seed(3);
    /// let net = TwoLayerNet::new(2, 4);
    /// let x = Tensor::randn([6, 2], (Kind::Double, Device::Cpu));
    /// let y = Tensor::from_slice(&[1.0f64, 0.0, 1.0, 1.0, 0.0, 0.0]).reshape([6, 1]);
    /// let g = net.autograd_gradients(&x, &y);
    /// assert_eq!(g.w2.size(), net.w2.size());
    /// assert!(!net.w1.requires_grad()); // the network itself is left alone
    /// ```
    pub fn autograd_gradients(&self, x: &Tensor, y: &Tensor) -> Gradients {
        let params: Vec<Tensor> = [&self.w1, &self.b1, &self.w2, &self.b2]
            .iter()
            .map(|p| p.detach().set_requires_grad(true))
            .collect();
        let net = TwoLayerNet {
            w1: params[0].shallow_clone(),
            b1: params[1].shallow_clone(),
            w2: params[2].shallow_clone(),
            b2: params[3].shallow_clone(),
        };
        let loss = net.loss(x, y);
        let refs: Vec<&Tensor> = params.iter().collect();
        let g = Tensor::run_backward(&[&loss], &refs, false, false);
        Gradients {
            w1: g[0].shallow_clone(),
            b1: g[1].shallow_clone(),
            w2: g[2].shallow_clone(),
            b2: g[3].shallow_clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> (Tensor, Tensor) {
        tch::manual_seed(7);
        let x = Tensor::randn([32, 3], (Kind::Double, Device::Cpu));
        let y = x.sum_dim_intlist(&[1i64][..], true, Kind::Double).gt(0.0).to_kind(Kind::Double);
        (x, y)
    }

    #[test]
    fn hand_gradients_equal_autograd() {
        let (x, y) = data();
        let net = TwoLayerNet::new(3, 6);
        let by_hand = net.backward(&x, &y, &net.forward(&x));
        let auto = net.autograd_gradients(&x, &y);
        for (a, b) in [
            (&by_hand.w1, &auto.w1),
            (&by_hand.b1, &auto.b1),
            (&by_hand.w2, &auto.w2),
            (&by_hand.b2, &auto.b2),
        ] {
            assert!(a.allclose(b, 1e-12, 1e-12, false));
        }
    }

    #[test]
    fn training_with_hand_gradients_learns_the_task() {
        let (x, y) = data();
        let mut net = TwoLayerNet::new(3, 16);
        let first = net.train_step(&x, &y, 0.5);
        let mut last = first;
        for _ in 0..300 {
            last = net.train_step(&x, &y, 0.5);
        }
        assert!(last < first / 4.0, "loss {first} -> {last}");
    }
}
