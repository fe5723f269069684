use super::DataError;
use tch::Tensor;

/// A collection of `(features, label)` examples that can be gathered into batches.
pub trait Dataset {
    /// Number of examples.
    fn len(&self) -> usize;
    /// Whether there are none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The examples at `indices` (an `Int64` tensor `[B]`), stacked: `([B, ..], [B, ..])`.
    fn batch(&self, indices: &Tensor) -> (Tensor, Tensor);
}

/// Features and labels held as two tensors whose first dimension indexes examples.
///
/// # Shapes
/// `x: [N, ..]`, `y: [N, ..]`.
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::arange(12, (Kind::Float, Device::Cpu)).reshape([6, 2]);
/// let y = Tensor::arange(6, (Kind::Int64, Device::Cpu));
/// let data = TensorDataset::new(x, y).unwrap();
/// let (bx, by) = data.batch(&Tensor::from_slice(&[4i64, 1]));
/// assert_eq!(Vec::<i64>::try_from(by).unwrap(), vec![4, 1]);
/// assert_eq!(bx.size(), vec![2, 2]);
/// ```
#[derive(Debug)]
pub struct TensorDataset {
    /// Features.
    pub x: Tensor,
    /// Labels.
    pub y: Tensor,
}

impl Clone for TensorDataset {
    /// A second handle on the same tensors (no data is copied).
    fn clone(&self) -> Self {
        TensorDataset { x: self.x.shallow_clone(), y: self.y.shallow_clone() }
    }
}

impl<T: Dataset + ?Sized> Dataset for &T {
    fn len(&self) -> usize {
        (**self).len()
    }
    fn batch(&self, indices: &Tensor) -> (Tensor, Tensor) {
        (**self).batch(indices)
    }
}

impl TensorDataset {
    /// Pairs features and labels; their first dimensions must agree.
    pub fn new(x: Tensor, y: Tensor) -> Result<Self, DataError> {
        let (xs, ys) = (x.size(), y.size());
        if xs.first() != ys.first() {
            return Err(DataError::LengthMismatch {
                features: xs.first().copied().unwrap_or(0),
                labels: ys.first().copied().unwrap_or(0),
                feature_shape: xs,
                label_shape: ys,
            });
        }
        Ok(TensorDataset { x, y })
    }

    /// The examples at `indices` as a new dataset (for splits).
    pub fn subset(&self, indices: &Tensor) -> TensorDataset {
        let (x, y) = self.batch(indices);
        TensorDataset { x, y }
    }
}

impl Dataset for TensorDataset {
    fn len(&self) -> usize {
        self.x.size().first().copied().unwrap_or(0) as usize
    }

    fn batch(&self, indices: &Tensor) -> (Tensor, Tensor) {
        let on = |t: &Tensor| indices.to_device(t.device());
        (self.x.index_select(0, &on(&self.x)), self.y.index_select(0, &on(&self.y)))
    }
}
