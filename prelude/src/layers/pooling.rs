use tch::{Kind, Tensor};

/// Max pooling over `kernel × kernel` windows with the same stride (PyTorch's `MaxPool2d(k)`).
///
/// # Shapes
/// `[B, C, H, W]` in, `[B, C, H / k, W / k]` out (rounded down).
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::arange(16, (Kind::Float, Device::Cpu)).reshape([1, 1, 4, 4]);
/// let y = x.apply(&MaxPool2d::new(2));
/// assert_eq!(Vec::<f32>::try_from(y.flatten(0, -1)).unwrap(), vec![5., 7., 13., 15.]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MaxPool2d {
    /// Window size and stride.
    pub kernel: i64,
}

impl MaxPool2d {
    /// Pooling with `kernel × kernel` windows.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let pool = MaxPool2d::new(2);
    /// assert_eq!(Tensor::zeros([1, 3, 9, 9], (Kind::Float, Device::Cpu)).apply(&pool).size(), vec![1, 3, 4, 4]);
    /// ```
    pub fn new(kernel: i64) -> Self {
        MaxPool2d { kernel }
    }
}

impl tch::nn::Module for MaxPool2d {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.max_pool2d([self.kernel, self.kernel], [self.kernel, self.kernel], [0, 0], [1, 1], false)
    }
}

/// Average over the time axis (Keras's `GlobalAveragePooling1D`).
///
/// # Shapes
/// `[B, T, F]` in, `[B, F]` out.
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::from_slice(&[1.0f32, 2.0, 3.0, 4.0]).reshape([1, 2, 2]);
/// let y = x.apply(&GlobalAveragePooling1d);
/// assert_eq!(Vec::<f32>::try_from(y.flatten(0, -1)).unwrap(), vec![2.0, 3.0]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GlobalAveragePooling1d;

impl tch::nn::Module for GlobalAveragePooling1d {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.mean_dim(&[1i64][..], false, xs.kind().min_float())
    }
}

trait MinFloat {
    fn min_float(self) -> Kind;
}

impl MinFloat for Kind {
    fn min_float(self) -> Kind {
        match self {
            Kind::Double | Kind::Half | Kind::BFloat16 | Kind::Float => self,
            _ => Kind::Float,
        }
    }
}

/// Flattens all but the batch dimension.
///
/// # Shapes
/// `[B, ..]` in, `[B, product of the rest]` out.
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::zeros([8, 32, 2, 2], (Kind::Float, Device::Cpu));
/// assert_eq!(x.apply(&Flatten).size(), vec![8, 128]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flatten;

impl tch::nn::Module for Flatten {
    fn forward(&self, xs: &Tensor) -> Tensor {
        xs.flatten(1, -1)
    }
}
