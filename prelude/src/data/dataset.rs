use super::DataError;
use tch::Tensor;

/// A collection of `(features, label)` examples that can be gathered into batches.
///
/// ```
/// use torchbook::prelude::*;
/// // A dataset that computes its examples: x and x² for x in 0..n.
/// struct Squares(i64);
/// impl Dataset for Squares {
///     fn len(&self) -> usize { self.0 as usize }
///     fn batch(&self, indices: &Tensor) -> (Tensor, Tensor) {
///         let x = indices.to_kind(Kind::Float).unsqueeze(1);
///         let y = x.square();
///         (x, y)
///     }
/// }
/// let loader = DataLoader::new(Squares(5), 2).unwrap();
/// let last = loader.iter().last().unwrap();
/// assert_eq!(last.y.double_value(&[0, 0]), 16.0);
/// ```
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
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let data = TensorDataset::new(Tensor::zeros([5, 3], (Kind::Float, Device::Cpu)),
    ///                               Tensor::zeros([5], (Kind::Int64, Device::Cpu))).unwrap();
    /// assert_eq!(data.len(), 5);
    /// ```
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
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let data = TensorDataset::new(Tensor::arange(6, (Kind::Float, Device::Cpu)).unsqueeze(1),
    ///                               Tensor::arange(6, (Kind::Int64, Device::Cpu))).unwrap();
    /// let split = train_valid_test_split(6, 0.5, 0.0, 1).unwrap();
    /// let valid = data.subset(&split.valid);
    /// assert_eq!(valid.len(), 3);
    /// ```
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
