//! Data: datasets, batching, splits, scaling and encodings (d2l's `DataModule` pieces).

mod dataset;
mod loader;
mod normalize;
mod one_hot;
mod split;

pub use dataset::{Dataset, TensorDataset};
pub use loader::{Batch, DataLoader};
pub use normalize::{MinMaxScaler, Standardizer};
pub use one_hot::one_hot;
pub use split::{shuffled_indices, train_valid_test_split, Split};

/// Why data could not be prepared.
///
/// ```
/// use torchbook::prelude::*;
/// let err = TensorDataset::new(Tensor::zeros([4, 2], (Kind::Float, Device::Cpu)),
///                              Tensor::zeros([3], (Kind::Int64, Device::Cpu))).unwrap_err();
/// assert_eq!(err.to_string(), "features have 4 examples (shape [4, 2]) but labels have 3 (shape [3])");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DataError {
    /// Features and labels disagree on the number of examples.
    #[error("features have {features} examples (shape {feature_shape:?}) but labels have {labels} (shape {label_shape:?})")]
    LengthMismatch {
        /// Rows of the features.
        features: i64,
        /// Rows of the labels.
        labels: i64,
        /// Shape of the features.
        feature_shape: Vec<i64>,
        /// Shape of the labels.
        label_shape: Vec<i64>,
    },
    /// Split fractions must be in [0, 1) and leave room for training data.
    #[error("split fractions valid={valid} test={test} must be >= 0 and sum to less than 1")]
    BadFractions {
        /// Validation fraction.
        valid: f64,
        /// Test fraction.
        test: f64,
    },
    /// A scaler was applied to data with another number of columns than it was fitted on.
    #[error("scaler fitted on {fitted} columns cannot transform shape {shape:?}")]
    Columns {
        /// Columns at fit time.
        fitted: i64,
        /// Shape given.
        shape: Vec<i64>,
    },
    /// Batch size zero.
    #[error("batch size must be at least 1")]
    BatchSize,
}
