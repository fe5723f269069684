//! Optimizers written out from their update rules, and the one trait they share with tch's.
//!
//! Each follows PyTorch's `torch.optim` exactly (same defaults, same order of operations), and
//! the tests check that they follow the same trajectory as PyTorch to 1e-5 on a fixed problem.
//! [`Adam`] has a switch to turn bias correction off, because the course's source article
//! leaves it out and the optimizers chapter shows what that costs.

use crate::flat::FlatParams;
use tch::Tensor;

/// What a training loop needs from an optimizer; tch's `nn::Optimizer` implements it too.
///
/// ```
/// use torchbook::prelude::*;
/// // The same training loop with the prelude's optimizers and with tch's.
/// fn fit(opt: &mut dyn Optimizer, w: &Tensor) -> f64 {
///     for _ in 0..100 {
///         opt.zero_grad();
///         (w - 3.0).square().sum(Kind::Float).backward();
///         opt.step();
///     }
///     w.double_value(&[0])
/// }
/// let vs = nn::VarStore::new(Device::Cpu);
/// let w = vs.root().var("w", &[1], nn::Init::Const(0.0));
/// assert!((fit(&mut GradientDescent::new(vs.trainable_variables(), 0.1), &w) - 3.0).abs() < 1e-4);
/// let mut tch_sgd = nn::Sgd::default().build(&vs, 0.1).unwrap();
/// assert!((fit(&mut tch_sgd, &w) - 3.0).abs() < 1e-4);
/// ```
pub trait Optimizer {
    /// Updates the parameters from their gradients.
    fn step(&mut self);
    /// Sets every parameter's gradient to zero.
    fn zero_grad(&mut self);
    /// Changes the learning rate (for schedules).
    fn set_learning_rate(&mut self, lr: f64);
}

impl Optimizer for tch::nn::Optimizer {
    fn step(&mut self) {
        tch::nn::Optimizer::step(self)
    }
    fn zero_grad(&mut self) {
        tch::nn::Optimizer::zero_grad(self)
    }
    fn set_learning_rate(&mut self, lr: f64) {
        self.set_lr(lr)
    }
}

fn zero_grads(params: &[Tensor]) {
    for p in params {
        let mut g = p.grad();
        if g.defined() {
            let _ = g.detach_().zero_();
        }
    }
}

/// The gradient of `p` plus `weight_decay · p` (L2 regularisation, as PyTorch adds it).
fn decayed_grad(p: &Tensor, weight_decay: f64) -> Option<Tensor> {
    let g = p.grad();
    if !g.defined() {
        return None;
    }
    Some(if weight_decay != 0.0 { g + p.detach() * weight_decay } else { g.detach() })
}

fn update(p: &Tensor, delta: &Tensor) {
    tch::no_grad(|| {
        let mut p = p.shallow_clone();
        let _ = p.g_sub_(delta);
    });
}

/// Plain gradient descent: `w ← w − lr · ∇L`.
///
/// ```
/// use torchbook::prelude::*;
/// let w = Tensor::from_slice(&[3.0f64]).set_requires_grad(true);
/// let mut opt = GradientDescent::new(vec![w.shallow_clone()], 0.25);
/// (&w * &w).sum(Kind::Double).backward(); // ∇ = 2w = 6
/// opt.step();
/// assert_eq!(w.double_value(&[0]), 1.5);
/// ```
pub struct GradientDescent {
    params: Vec<Tensor>,
    lr: f64,
}

impl GradientDescent {
    /// Descends on `params` (tensors that require grad) with learning rate `lr`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let w = Tensor::from_slice(&[2.0f64]).set_requires_grad(true);
    /// let mut gd = GradientDescent::new(vec![w.shallow_clone()], 0.25);
    /// (&w * &w).sum(Kind::Double).backward(); // gradient 2w = 4
    /// gd.step();
    /// assert_eq!(w.double_value(&[0]), 1.0); // 2 − 0.25 · 4
    /// ```
    pub fn new(params: Vec<Tensor>, lr: f64) -> Self {
        GradientDescent { params, lr }
    }
}

impl Optimizer for GradientDescent {
    fn step(&mut self) {
        for p in &self.params {
            if let Some(g) = decayed_grad(p, 0.0) {
                update(p, &(g * self.lr));
            }
        }
    }
    fn zero_grad(&mut self) {
        zero_grads(&self.params)
    }
    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr
    }
}

/// Settings of [`Sgd`] (PyTorch's `torch.optim.SGD`, without dampening).
///
/// ```
/// use torchbook::prelude::*;
/// let config = SgdConfig { lr: 0.05, momentum: 0.9, nesterov: true, ..Default::default() };
/// assert_eq!((config.weight_decay, SgdConfig::default().lr), (0.0, 0.01));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SgdConfig {
    /// Learning rate.
    pub lr: f64,
    /// Momentum factor; 0 for none.
    pub momentum: f64,
    /// Nesterov's look-ahead variant of momentum.
    pub nesterov: bool,
    /// L2 penalty added to the gradient.
    pub weight_decay: f64,
}

impl Default for SgdConfig {
    fn default() -> Self {
        SgdConfig { lr: 0.01, momentum: 0.0, nesterov: false, weight_decay: 0.0 }
    }
}

/// Stochastic gradient descent with optional momentum (heavy-ball or Nesterov).
///
/// `b ← μ b + g` (the first step takes `b = g`), then `w ← w − lr · b`, or with Nesterov
/// `w ← w − lr · (g + μ b)`.
///
/// ```
/// use torchbook::prelude::*;
/// let w = Tensor::from_slice(&[1.0f64]).set_requires_grad(true);
/// let mut sgd = Sgd::new(vec![w.shallow_clone()], SgdConfig { lr: 0.1, momentum: 0.9, ..Default::default() });
/// for _ in 0..2 {
///     sgd.zero_grad();
///     (&w * 2.0).sum(Kind::Double).backward(); // gradient 2 each step
///     sgd.step();
/// }
/// // b₁ = 2, w = 1 − 0.2 = 0.8; b₂ = 0.9 · 2 + 2 = 3.8, w = 0.8 − 0.38 = 0.42
/// assert!((w.double_value(&[0]) - 0.42).abs() < 1e-12);
/// ```
pub struct Sgd {
    params: Vec<Tensor>,
    config: SgdConfig,
    velocity: Vec<Option<Tensor>>,
}

impl Sgd {
    /// SGD on `params`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let w = Tensor::from_slice(&[2.0f64]).set_requires_grad(true);
    /// let mut sgd = Sgd::new(vec![w.shallow_clone()], SgdConfig { lr: 0.25, ..Default::default() });
    /// (&w * &w).sum(Kind::Double).backward();
    /// sgd.step();
    /// assert_eq!(w.double_value(&[0]), 1.0);
    /// ```
    pub fn new(params: Vec<Tensor>, config: SgdConfig) -> Self {
        let velocity = params.iter().map(|_| None).collect();
        Sgd { params, config, velocity }
    }
}

impl Optimizer for Sgd {
    fn step(&mut self) {
        let c = self.config;
        for (p, v) in self.params.iter().zip(self.velocity.iter_mut()) {
            let Some(g) = decayed_grad(p, c.weight_decay) else {
                continue;
            };
            let direction = if c.momentum != 0.0 {
                let b = match v.take() {
                    None => g.copy(),
                    Some(b) => b * c.momentum + &g,
                };
                let d = if c.nesterov { &g + &b * c.momentum } else { b.shallow_clone() };
                *v = Some(b);
                d
            } else {
                g
            };
            update(p, &(direction * c.lr));
        }
    }
    fn zero_grad(&mut self) {
        zero_grads(&self.params)
    }
    fn set_learning_rate(&mut self, lr: f64) {
        self.config.lr = lr
    }
}

/// Adagrad: `s ← s + g²`, `w ← w − lr · g / (√s + ε)`, with PyTorch's defaults (`ε = 1e-10`).
///
/// ```
/// use torchbook::prelude::*;
/// let w = Tensor::from_slice(&[1.0f64]).set_requires_grad(true);
/// let mut adagrad = Adagrad::new(vec![w.shallow_clone()], 0.5);
/// (&w * 4.0).sum(Kind::Double).backward();
/// adagrad.step();
/// // s = 16, step = 0.5 · 4 / (4 + 1e-10): half a unit on the first step, whatever the gradient's size.
/// assert!((w.double_value(&[0]) - 0.5).abs() < 1e-9);
/// ```
pub struct Adagrad {
    params: Vec<Tensor>,
    lr: f64,
    eps: f64,
    sums: Vec<Option<Tensor>>,
}

impl Adagrad {
    /// Adagrad on `params` with learning rate `lr`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let w = Tensor::from_slice(&[2.0f64]).set_requires_grad(true);
    /// let mut adagrad = Adagrad::new(vec![w.shallow_clone()], 0.1);
    /// (&w * &w).sum(Kind::Double).backward();
    /// adagrad.step();
    /// assert!((w.double_value(&[0]) - 1.9).abs() < 1e-9); // first step: lr · g / |g|
    /// ```
    pub fn new(params: Vec<Tensor>, lr: f64) -> Self {
        let sums = params.iter().map(|_| None).collect();
        Adagrad { params, lr, eps: 1e-10, sums }
    }
}

impl Optimizer for Adagrad {
    fn step(&mut self) {
        for (p, s) in self.params.iter().zip(self.sums.iter_mut()) {
            let Some(g) = decayed_grad(p, 0.0) else {
                continue;
            };
            let sum = match s.take() {
                None => g.square(),
                Some(prev) => prev + g.square(),
            };
            update(p, &(&g / (sum.sqrt() + self.eps) * self.lr));
            *s = Some(sum);
        }
    }
    fn zero_grad(&mut self) {
        zero_grads(&self.params)
    }
    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr
    }
}

/// RMSProp: `s ← α s + (1 − α) g²`, `w ← w − lr · g / (√s + ε)`; PyTorch's defaults
/// `α = 0.99`, `ε = 1e-8`.
///
/// ```
/// use torchbook::prelude::*;
/// let w = Tensor::from_slice(&[1.0f64]).set_requires_grad(true);
/// let mut rmsprop = RmsProp::new(vec![w.shallow_clone()], 0.01);
/// (&w * 2.0).sum(Kind::Double).backward();
/// rmsprop.step();
/// // s = 0.01 · 4 = 0.04, step = 0.01 · 2 / (0.2 + 1e-8) ≈ 0.1
/// assert!((w.double_value(&[0]) - 0.9).abs() < 1e-6);
/// ```
pub struct RmsProp {
    params: Vec<Tensor>,
    lr: f64,
    alpha: f64,
    eps: f64,
    averages: Vec<Option<Tensor>>,
}

impl RmsProp {
    /// RMSProp on `params` with learning rate `lr`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let w = Tensor::from_slice(&[2.0f64]).set_requires_grad(true);
    /// let mut rmsprop = RmsProp::new(vec![w.shallow_clone()], 0.001);
    /// (&w * &w).sum(Kind::Double).backward();
    /// rmsprop.step();
    /// // s = 0.01 · 16, step = 0.001 · 4 / 0.4 = 0.01
    /// assert!((w.double_value(&[0]) - 1.99).abs() < 1e-6);
    /// ```
    pub fn new(params: Vec<Tensor>, lr: f64) -> Self {
        let averages = params.iter().map(|_| None).collect();
        RmsProp { params, lr, alpha: 0.99, eps: 1e-8, averages }
    }
}

impl Optimizer for RmsProp {
    fn step(&mut self) {
        for (p, a) in self.params.iter().zip(self.averages.iter_mut()) {
            let Some(g) = decayed_grad(p, 0.0) else {
                continue;
            };
            let prev = a.take().unwrap_or_else(|| g.zeros_like());
            let avg = prev * self.alpha + g.square() * (1.0 - self.alpha);
            update(p, &(&g / (avg.sqrt() + self.eps) * self.lr));
            *a = Some(avg);
        }
    }
    fn zero_grad(&mut self) {
        zero_grads(&self.params)
    }
    fn set_learning_rate(&mut self, lr: f64) {
        self.lr = lr
    }
}

/// Settings of [`Adam`].
///
/// ```
/// use torchbook::prelude::*;
/// let adamw = AdamConfig::adamw();
/// assert!(adamw.decoupled && adamw.weight_decay == 0.01 && adamw.lr == 1e-3);
/// let article = AdamConfig { bias_correction: false, ..Default::default() };
/// assert!(!article.bias_correction);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConfig {
    /// Learning rate.
    pub lr: f64,
    /// Decay of the first moment.
    pub beta1: f64,
    /// Decay of the second moment.
    pub beta2: f64,
    /// Added to the denominator.
    pub eps: f64,
    /// L2 penalty added to the gradient (Adam) or decoupled decay (AdamW).
    pub weight_decay: f64,
    /// Decoupled weight decay: `w ← w (1 − lr · wd)` before the step (AdamW).
    pub decoupled: bool,
    /// Divide the moments by `1 − βᵗ`. Without it the first steps are far too small, because
    /// both moments start at zero.
    pub bias_correction: bool,
}

impl Default for AdamConfig {
    fn default() -> Self {
        AdamConfig {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled: false,
            bias_correction: true,
        }
    }
}

impl AdamConfig {
    /// AdamW's defaults (`weight_decay = 0.01`, decoupled).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let vs = nn::VarStore::new(Device::Cpu);
    /// let _layer = nn::linear(&vs.root() / "fc", 4, 2, Default::default());
    /// let opt = Adam::new(vs.trainable_variables(), AdamConfig { lr: 3e-4, ..AdamConfig::adamw() });
    /// assert_eq!(opt.steps(), 0);
    /// ```
    pub fn adamw() -> Self {
        AdamConfig { weight_decay: 0.01, decoupled: true, ..Default::default() }
    }

    /// The same settings with another weight decay.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let config = AdamConfig::default().with_weight_decay(1e-4);
    /// assert_eq!((config.weight_decay, config.decoupled), (1e-4, false)); // L2 added to the gradient
    /// ```
    pub fn with_weight_decay(self, weight_decay: f64) -> Self {
        AdamConfig { weight_decay, ..self }
    }
}

/// Adam (and AdamW): `m ← β₁m + (1 − β₁)g`, `v ← β₂v + (1 − β₂)g²`,
/// `w ← w − lr · m̂ / (√v̂ + ε)` with `m̂ = m / (1 − β₁ᵗ)`, `v̂ = v / (1 − β₂ᵗ)`.
///
/// ```
/// use torchbook::prelude::*;
/// let w = Tensor::from_slice(&[1.0f64]).set_requires_grad(true);
/// let mut adam = Adam::new(vec![w.shallow_clone()], AdamConfig { lr: 0.1, ..Default::default() });
/// (&w * 3.0).sum(Kind::Double).backward();
/// adam.step();
/// // With bias correction the first step is lr · sign(g), whatever the gradient's size.
/// assert!((w.double_value(&[0]) - 0.9).abs() < 1e-6);
/// ```
///
/// The parameters are packed into one buffer per device and dtype ([`FlatParams`]), so a step
/// is about ten libtorch calls on whole buffers whatever the number of parameters, as with
/// PyTorch's fused and `foreach` Adam; a step where some parameter has no gradient updates the others one by
/// one and leaves it alone, as PyTorch does.
pub struct Adam {
    params: FlatParams,
    config: AdamConfig,
    /// First and second moments of each group, laid out like its buffer.
    moments: Vec<(Tensor, Tensor)>,
    t: i32,
}

impl Adam {
    /// Adam on `params`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let vs = nn::VarStore::new(Device::Cpu);
    /// let model = nn::linear(&vs.root() / "fc", 3, 1, Default::default());
    /// let mut adam = Adam::new(vs.trainable_variables(), AdamConfig::default());
    /// let x = Tensor::ones([2, 3], (Kind::Float, Device::Cpu));
    /// adam.zero_grad();
    /// model.forward(&x).square().mean(Kind::Float).backward();
    /// adam.step();
    /// assert_eq!(adam.steps(), 1);
    /// ```
    pub fn new(params: Vec<Tensor>, config: AdamConfig) -> Self {
        let params = FlatParams::new(params);
        let moments = (0..params.groups())
            .map(|group| {
                let buffer = params.buffer(group);
                (buffer.zeros_like(), buffer.zeros_like())
            })
            .collect();
        Adam { params, config, moments, t: 0 }
    }

    /// Steps taken so far.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let w = Tensor::from_slice(&[2.0f64]).set_requires_grad(true);
    /// let mut adam = Adam::new(vec![w.shallow_clone()], AdamConfig::default());
    /// for _ in 0..3 {
    ///     adam.zero_grad();
    ///     (&w * &w).sum(Kind::Double).backward();
    ///     adam.step();
    /// }
    /// assert_eq!(adam.steps(), 3);
    /// ```
    pub fn steps(&self) -> i32 {
        self.t
    }
}

/// One Adam update of `w` (a group's buffer or one parameter) from its gradient `g`, in
/// PyTorch's order (torch/optim/adam.py): `m ← m + (1 − β₁)(g − m)`, `v ← β₂ v + (1 − β₂) g²`,
/// `denom = √v / √c2 + ε`, `w ← w − (lr / c1) · m / denom`, all in place.
fn adam_update(c: &AdamConfig, t: i32, w: &Tensor, g: &Tensor, m1: &mut Tensor, m2: &mut Tensor) {
    tch::no_grad(|| {
        let mut w = w.shallow_clone();
        let g =
            if !c.decoupled && c.weight_decay != 0.0 { g + &w * c.weight_decay } else { g.shallow_clone() };
        if c.decoupled && c.weight_decay != 0.0 {
            let _ = w.g_mul_scalar_(1.0 - c.lr * c.weight_decay);
        }
        let (c1, c2) =
            if c.bias_correction { (1.0 - c.beta1.powi(t), 1.0 - c.beta2.powi(t)) } else { (1.0, 1.0) };
        let _ = m1.lerp_(&g, 1.0 - c.beta1);
        let _ = m2.g_mul_scalar_(c.beta2);
        let _ = m2.addcmul_(&g, &(&g * (1.0 - c.beta2)));
        let mut denom = m2.sqrt();
        let _ = denom.g_div_scalar_(c2.sqrt());
        let _ = denom.g_add_scalar_(c.eps);
        let _ = w.addcdiv_(&(&*m1 * (-c.lr / c1)), &denom);
    })
}

impl Optimizer for Adam {
    fn step(&mut self) {
        self.t += 1;
        for group in self.params.check() {
            let (device, kind) = self.params.place(group);
            let (m1, m2) = &mut self.moments[group];
            *m1 = m1.to_device(device).to_kind(kind);
            *m2 = m2.to_device(device).to_kind(kind);
        }
        for group in 0..self.params.groups() {
            let (m1, m2) = &mut self.moments[group];
            if let Some(g) = self.params.gradient(group) {
                adam_update(&self.config, self.t, &self.params.buffer(group), &g, m1, m2);
                continue;
            }
            for (index, p) in self.params.params(group).iter().enumerate() {
                let g = p.grad();
                if !g.defined() {
                    continue;
                }
                // A gradient made before `VarStore::set_kind` / `set_device` is in the old ones.
                let g = g.to_device(p.device()).to_kind(p.kind());
                let (start, n) = self.params.span(group, index);
                let shape = p.size();
                let mut m1 = m1.narrow(0, start, n).view(shape.as_slice());
                let mut m2 = m2.narrow(0, start, n).view(shape.as_slice());
                adam_update(&self.config, self.t, p, &g, &mut m1, &mut m2);
            }
        }
    }
    fn zero_grad(&mut self) {
        for group in 0..self.params.groups() {
            zero_grads(self.params.params(group))
        }
    }
    fn set_learning_rate(&mut self, lr: f64) {
        self.config.lr = lr
    }
}

/// Learning-rate schedules: the rate to use at an epoch (or step), given the base rate.
///
/// ```
/// use torchbook::prelude::*;
/// let cosine = Schedule::Cosine { t_max: 10, min_lr: 0.0 };
/// assert_eq!(cosine.lr(1.0, 0), 1.0);
/// assert!((cosine.lr(1.0, 5) - 0.5).abs() < 1e-12);
/// assert!(cosine.lr(1.0, 10).abs() < 1e-12);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Schedule {
    /// The base rate throughout.
    Constant,
    /// Multiply by `gamma` every `step_size` epochs (PyTorch's `StepLR`).
    Step {
        /// Epochs between decays.
        step_size: usize,
        /// Factor per decay.
        gamma: f64,
    },
    /// Cosine from the base rate down to `min_lr` over `t_max` epochs (`CosineAnnealingLR`).
    Cosine {
        /// Length of the half cosine.
        t_max: usize,
        /// Final rate.
        min_lr: f64,
    },
    /// Linear warm-up from 0 over `warmup` epochs, then cosine decay to 0 at `total`.
    WarmupCosine {
        /// Warm-up length.
        warmup: usize,
        /// Total length.
        total: usize,
    },
}

impl Schedule {
    /// The learning rate at `epoch` (0-based).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let s = Schedule::Step { step_size: 2, gamma: 0.5 };
    /// assert_eq!((0..5).map(|e| s.lr(0.8, e)).collect::<Vec<_>>(), vec![0.8, 0.8, 0.4, 0.4, 0.2]);
    /// ```
    pub fn lr(&self, base: f64, epoch: usize) -> f64 {
        use std::f64::consts::PI;
        match *self {
            Schedule::Constant => base,
            Schedule::Step { step_size, gamma } => base * gamma.powi((epoch / step_size.max(1)) as i32),
            Schedule::Cosine { t_max, min_lr } => {
                let t = epoch.min(t_max) as f64 / t_max.max(1) as f64;
                min_lr + (base - min_lr) * (1.0 + (PI * t).cos()) / 2.0
            }
            Schedule::WarmupCosine { warmup, total } => {
                if epoch < warmup {
                    base * (epoch + 1) as f64 / warmup as f64
                } else {
                    let span = total.saturating_sub(warmup).max(1) as f64;
                    let t = ((epoch - warmup) as f64 / span).min(1.0);
                    base * (1.0 + (PI * t).cos()) / 2.0
                }
            }
        }
    }
}

/// Scales all gradients so their joint L2 norm is at most `max_norm`; returns the norm before
/// clipping (as `torch.nn.utils.clip_grad_norm_` does, with its `1e-6` guard).
///
/// ```
/// use torchbook::prelude::*;
/// let w = Tensor::from_slice(&[0.0f64, 0.0]).set_requires_grad(true);
/// (&w * Tensor::from_slice(&[3.0f64, 4.0])).sum(Kind::Double).backward();
/// let before = clip_grad_norm(&[w.shallow_clone()], 1.0);
/// assert_eq!(before, 5.0);
/// assert!((w.grad().norm().double_value(&[]) - 1.0).abs() < 1e-5);
/// ```
pub fn clip_grad_norm(params: &[Tensor], max_norm: f64) -> f64 {
    let grads: Vec<Tensor> = params.iter().map(|p| p.grad()).filter(|g| g.defined()).collect();
    let total: f64 =
        grads.iter().map(|g| g.square().sum(tch::Kind::Double).double_value(&[])).sum::<f64>().sqrt();
    let coef = max_norm / (total + 1e-6);
    if coef < 1.0 {
        for g in &grads {
            let mut g = g.shallow_clone();
            let _ = g.g_mul_scalar_(coef);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Kind;

    /// Rosenbrock-like `(w₀ − 1)² + 10 (w₁ − w₀²)²`, 50 steps from (−1, 1.5). Expected end
    /// points from PyTorch 2.13 (float64):
    /// ```text
    /// w = torch.tensor([-1.0, 1.5], dtype=torch.float64, requires_grad=True); opt = <optimizer>([w], ...)
    /// for _ in range(50): opt.zero_grad(); f(w).backward(); opt.step()
    /// ```
    fn run(make: impl FnOnce(Vec<Tensor>) -> Box<dyn Optimizer>) -> Vec<f64> {
        let w = Tensor::from_slice(&[-1.0f64, 1.5]).set_requires_grad(true);
        let mut opt = make(vec![w.shallow_clone()]);
        for _ in 0..50 {
            opt.zero_grad();
            let (a, b) = (w.get(0), w.get(1));
            let f = (&a - 1.0).square() + (&b - a.square()).square() * 10.0;
            f.backward();
            opt.step();
        }
        Vec::<f64>::try_from(w.detach()).unwrap()
    }

    fn assert_close(got: Vec<f64>, expected: [f64; 2]) {
        for (g, e) in got.iter().zip(expected) {
            assert!((g - e).abs() < 1e-5, "got {got:?}, PyTorch {expected:?}");
        }
    }

    #[test]
    fn trajectories_match_pytorch() {
        let sgd = |c: SgdConfig| move |p| Box::new(Sgd::new(p, c)) as Box<dyn Optimizer>;
        assert_close(
            run(sgd(SgdConfig { lr: 0.01, ..Default::default() })),
            [-0.7347670927698617, 0.6204755810599549],
        );
        assert_close(
            run(sgd(SgdConfig { lr: 0.005, momentum: 0.9, ..Default::default() })),
            [0.8404980344525517, 0.7566486324181726],
        );
        assert_close(
            run(sgd(SgdConfig { lr: 0.005, momentum: 0.9, nesterov: true, ..Default::default() })),
            [0.7952824025535012, 0.6259343674212835],
        );
        assert_close(
            run(sgd(SgdConfig { lr: 0.01, momentum: 0.5, weight_decay: 0.1, ..Default::default() })),
            [0.13755575324568983, -0.00037564864542939934],
        );
        assert_close(run(|p| Box::new(Adagrad::new(p, 0.3))), [-0.4730463252302021, 0.27155797026620043]);
        assert_close(run(|p| Box::new(RmsProp::new(p, 0.01))), [-0.8150155732978708, 0.7420418086057965]);
        let adam = |c: AdamConfig| move |p| Box::new(Adam::new(p, c)) as Box<dyn Optimizer>;
        assert_close(
            run(adam(AdamConfig { lr: 0.05, ..Default::default() })),
            [-0.618699439230408, 0.42063635605671346],
        );
        assert_close(
            run(adam(AdamConfig { lr: 0.05, weight_decay: 0.1, ..Default::default() })),
            [-0.5789844773126708, 0.36884683201297075],
        );
        assert_close(
            run(adam(AdamConfig { lr: 0.05, ..AdamConfig::adamw() }.with_weight_decay(0.1))),
            [-0.39722848399287725, 0.17783590946766883],
        );
    }

    /// A least-squares layer `x·w + b` (w 2×3, b 3) and a parameter `u` that no loss uses,
    /// 30 steps of lr 0.1, weight decay 0.01, `zero_grad(set_to_none=False)`. Expected values
    /// from PyTorch 2.13 (float64, `torch.optim.Adam` / `AdamW` with the same settings, the
    /// script in the comment below); `u` has no gradient there either and stays put.
    /// ```text
    /// w = tensor([[0.5, -0.3, 0.8], [0.1, 0.4, -0.6]]); b = tensor([0.2, -0.1, 0.05]); u = tensor([1., 2.])
    /// x = tensor([[1., 2.], [-1., .5], [.3, -.7]]); y = tensor([[1., 0., -1.], [.5, .5, .5], [0., -2., 1.]])
    /// for _ in range(30): opt.zero_grad(set_to_none=False); ((x @ w + b - y) ** 2).sum().backward(); opt.step()
    /// ```
    fn least_squares(
        config: AdamConfig,
        with_unused: bool,
        move_w_at: Option<usize>,
    ) -> (Vec<f64>, Vec<f64>) {
        let t = |v: &[f64], shape: &[i64]| Tensor::from_slice(v).view(shape).set_requires_grad(true);
        let mut w = t(&[0.5, -0.3, 0.8, 0.1, 0.4, -0.6], &[2, 3]);
        let b = t(&[0.2, -0.1, 0.05], &[3]);
        let u = t(&[1.0, 2.0], &[2]);
        let x = Tensor::from_slice(&[1.0f64, 2.0, -1.0, 0.5, 0.3, -0.7]).view([3, 2]);
        let y = Tensor::from_slice(&[1.0f64, 0.0, -1.0, 0.5, 0.5, 0.5, 0.0, -2.0, 1.0]).view([3, 3]);
        let mut params = vec![w.shallow_clone(), b.shallow_clone()];
        if with_unused {
            params.push(u.shallow_clone());
        }
        let mut adam = Adam::new(params, config);
        for step in 0..30 {
            if move_w_at == Some(step) {
                // What `VarStore::set_device` does: the same values in new storage.
                let moved = w.detach().copy();
                w.set_data(&moved);
            }
            adam.zero_grad();
            (x.matmul(&w) + &b - &y).square().sum(Kind::Double).backward();
            adam.step();
        }
        assert_eq!(Vec::<f64>::try_from(&u).unwrap(), vec![1.0, 2.0]);
        let values = |t: &Tensor| Vec::<f64>::try_from(t.detach().reshape([-1])).unwrap();
        (values(&w), values(&b))
    }

    /// Packing re-points the parameters at slices of one buffer; saving and loading a
    /// `VarStore` must still see each variable alone, in both of tch's formats, and a saved
    /// file must not hold the buffer once per variable.
    #[test]
    fn packed_parameters_save_and_load_as_separate_variables() {
        let vs = tch::nn::VarStore::new(tch::Device::Cpu);
        let layer = tch::nn::linear(&vs.root() / "fc", 64, 32, Default::default());
        let _second = tch::nn::linear(&vs.root() / "out", 32, 1, Default::default());
        let mut adam = Adam::new(vs.trainable_variables(), AdamConfig::default());
        adam.zero_grad();
        tch::nn::Module::forward(&layer, &Tensor::ones([4, 64], (Kind::Float, tch::Device::Cpu)))
            .sum(Kind::Float)
            .backward();
        adam.step();
        let param_bytes: i64 = vs.trainable_variables().iter().map(|t| t.numel() as i64 * 4).sum();
        let dir = std::env::temp_dir();
        for name in ["tb-packed.ot", "tb-packed.safetensors"] {
            let path = dir.join(format!("{}-{name}", std::process::id()));
            vs.save(&path).unwrap();
            let size = std::fs::metadata(&path).unwrap().len() as i64;
            assert!(size < 2 * param_bytes, "{name}: {size} bytes for {param_bytes} bytes of parameters");
            let mut fresh = tch::nn::VarStore::new(tch::Device::Cpu);
            let _a = tch::nn::linear(&fresh.root() / "fc", 64, 32, Default::default());
            let _b = tch::nn::linear(&fresh.root() / "out", 32, 1, Default::default());
            fresh.load(&path).unwrap();
            for (key, value) in vs.variables() {
                assert!(fresh.variables()[&key].equal(&value), "{name}: {key} differs after loading");
            }
            std::fs::remove_file(&path).unwrap();
        }
    }

    /// `VarStore::set_kind` (like `set_device`) gives every variable new storage; the next step
    /// packs them again, moves the moments along, and keeps training the model's variables.
    #[test]
    fn a_var_store_converted_after_packing_keeps_training() {
        // With an unused variable (never a gradient) the step goes parameter by parameter.
        for with_unused in [false, true] {
            let mut vs = tch::nn::VarStore::new(tch::Device::Cpu);
            let layer = tch::nn::linear(&vs.root() / "fc", 3, 1, Default::default());
            if with_unused {
                let _ = vs.root().var("unused", &[2], tch::nn::Init::Const(1.0));
            }
            let mut adam = Adam::new(vs.trainable_variables(), AdamConfig { lr: 0.1, ..Default::default() });
            let step = |adam: &mut Adam, kind: Kind| {
                adam.zero_grad();
                let x = Tensor::ones([2, 3], (kind, tch::Device::Cpu));
                tch::nn::Module::forward(&layer, &x).square().mean(kind).backward();
                adam.step();
            };
            step(&mut adam, Kind::Float);
            vs.set_kind(Kind::Double);
            let before = vs.variables()["fc.weight"].copy();
            step(&mut adam, Kind::Double);
            let after = &vs.variables()["fc.weight"];
            assert_eq!(after.kind(), Kind::Double);
            assert!(
                !after.equal(&before),
                "with_unused={with_unused}: the converted variables were not updated"
            );
            assert_eq!(adam.steps(), 2);
        }
    }

    #[test]
    fn adam_on_packed_parameters_matches_pytorch() {
        let adam_w = [
            0.015030072671329067,
            -0.9267260449355443,
            -0.31989273666925705,
            0.33598626196618897,
            0.953833298458934,
            -0.6047423932198075,
        ];
        let adam_b = [0.294174945249899, -0.9521695554983272, 0.45820404369759443];
        let adamw_w = [
            0.013405624819404044,
            -0.929520007391437,
            -0.31635564187404663,
            0.3369814228126848,
            0.956233941528974,
            -0.6071900348351102,
        ];
        let adamw_b = [0.2935353054703408, -0.9538479411357934, 0.4610079467479571];
        let close = |got: Vec<f64>, expected: &[f64], what: &str| {
            for (g, e) in got.iter().zip(expected) {
                assert!((g - e).abs() < 1e-5, "{what}: got {got:?}, PyTorch {expected:?}");
            }
        };
        let l2 = AdamConfig { lr: 0.1, weight_decay: 0.01, ..Default::default() };
        let decoupled = AdamConfig { lr: 0.1, ..AdamConfig::adamw() };
        // Packed update (all gradients present), one by one (u has none), and with w given
        // new storage half-way (the optimizer packs it again and keeps its moments).
        for (with_unused, move_w_at, what) in
            [(false, None, "packed"), (true, None, "one by one"), (false, Some(15), "repacked")]
        {
            let (w, b) = least_squares(l2, with_unused, move_w_at);
            close(w, &adam_w, what);
            close(b, &adam_b, what);
            let (w, b) = least_squares(decoupled, with_unused, move_w_at);
            close(w, &adamw_w, what);
            close(b, &adamw_b, what);
        }
    }

    #[test]
    fn plain_gradient_descent_equals_sgd_without_momentum() {
        let gd = run(|p| Box::new(GradientDescent::new(p, 0.01)));
        assert_close(gd, [-0.7347670927698617, 0.6204755810599549]);
    }

    #[test]
    fn tch_optimizers_satisfy_the_trait() {
        let vs = tch::nn::VarStore::new(tch::Device::Cpu);
        let w = vs.root().var("w", &[1], tch::nn::Init::Const(2.0));
        let mut opt: Box<dyn Optimizer> =
            Box::new(tch::nn::OptimizerConfig::build(tch::nn::Sgd::default(), &vs, 0.5).unwrap());
        opt.zero_grad();
        (&w * &w).sum(Kind::Float).backward();
        opt.step();
        // w − lr · 2w = 2 − 0.5 · 4 = 0
        assert_eq!(w.double_value(&[0]), 0.0);
    }

    #[test]
    fn without_bias_correction_the_first_adam_step_has_the_wrong_size() {
        // Closed form after one step with g = 2: corrected, lr · m̂ / √v̂ = lr exactly;
        // uncorrected, lr · (1 − β₁) g / (√((1 − β₂) g²) + ε) = lr · 0.2 / √0.004 ≈ 3.16 · lr.
        let step = |bias_correction| {
            let w = Tensor::from_slice(&[0.0f64]).set_requires_grad(true);
            let mut adam = Adam::new(
                vec![w.shallow_clone()],
                AdamConfig { lr: 0.1, bias_correction, ..Default::default() },
            );
            (&w * 2.0).sum(Kind::Double).backward();
            adam.step();
            -w.double_value(&[0])
        };
        assert!((step(true) - 0.1).abs() < 1e-6);
        let uncorrected = 0.1 * 0.1 * 2.0 / ((0.001f64 * 4.0).sqrt() + 1e-8);
        assert!((step(false) - uncorrected).abs() < 1e-9);
    }

    #[test]
    fn schedules_follow_their_formulas() {
        let cos = Schedule::Cosine { t_max: 10, min_lr: 0.0 };
        assert!((cos.lr(1.0, 5) - 0.5).abs() < 1e-12);
        assert_eq!(cos.lr(1.0, 10), 0.0);
        let warm = Schedule::WarmupCosine { warmup: 4, total: 14 };
        assert_eq!(warm.lr(1.0, 0), 0.25);
        assert_eq!(warm.lr(1.0, 3), 1.0);
        assert!((warm.lr(1.0, 9) - 0.5).abs() < 1e-12);
    }
}
