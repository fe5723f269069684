use tch::Tensor;

/// Dropout: in training, zeroes each value with probability `p` and scales the rest by
/// `1 / (1 − p)`; in evaluation, passes values through.
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::ones([1000], (Kind::Float, Device::Cpu));
/// let d = Dropout::new(0.5);
/// assert!(x.apply_t(&d, false).equal(&x));
/// let kept = x.apply_t(&d, true).ne(0.0).sum(Kind::Int64).int64_value(&[]);
/// assert!(kept > 400 && kept < 600);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dropout {
    /// Probability of zeroing a value.
    pub p: f64,
}

impl Dropout {
    /// Dropout with probability `p`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let dropout = Dropout::new(0.2);
    /// assert_eq!(dropout.p, 0.2);
    /// ```
    pub fn new(p: f64) -> Self {
        Dropout { p }
    }
}

impl tch::nn::ModuleT for Dropout {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Tensor {
        xs.dropout(self.p, train)
    }
}
