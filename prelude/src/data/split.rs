use super::DataError;
use tch::{Device, Kind, Tensor};

/// A permutation of `0..n` that depends only on `seed` (a splitmix64 Fisher–Yates shuffle, so
/// it is the same on every machine and libtorch version).
///
/// ```
/// use torchbook::prelude::*;
/// let a = Vec::<i64>::try_from(shuffled_indices(5, 1)).unwrap();
/// let mut sorted = a.clone(); sorted.sort();
/// assert_eq!(sorted, vec![0, 1, 2, 3, 4]);
/// assert_eq!(a, Vec::<i64>::try_from(shuffled_indices(5, 1)).unwrap());
/// ```
pub fn shuffled_indices(n: i64, seed: u64) -> Tensor {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    let mut v: Vec<i64> = (0..n).collect();
    for i in (1..v.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
    Tensor::from_slice(&v).to_device(Device::Cpu).to_kind(Kind::Int64)
}

/// Index tensors of a train / validation / test split.
///
/// ```
/// use torchbook::prelude::*;
/// let Split { train, valid, test } = train_valid_test_split(10, 0.2, 0.2, 7).unwrap();
/// let mut all: Vec<i64> = [train, valid, test].iter().flat_map(|t| Vec::<i64>::try_from(t).unwrap()).collect();
/// all.sort();
/// assert_eq!(all, (0..10).collect::<Vec<i64>>()); // every example in exactly one part
/// ```
#[derive(Debug)]
pub struct Split {
    /// Training examples.
    pub train: Tensor,
    /// Validation examples (tuning, early stopping).
    pub valid: Tensor,
    /// Held-out test examples (reported once at the end).
    pub test: Tensor,
}

/// Shuffles `0..n` with `seed` and cuts it: `valid` and `test` are fractions of `n`
/// (rounded down), the rest is for training.
///
/// ```
/// use torchbook::prelude::*;
/// let s = train_valid_test_split(100, 0.1, 0.2, 0).unwrap();
/// assert_eq!((s.train.size()[0], s.valid.size()[0], s.test.size()[0]), (70, 10, 20));
/// assert!(train_valid_test_split(10, 0.6, 0.5, 0).is_err());
/// ```
pub fn train_valid_test_split(n: i64, valid: f64, test: f64, seed: u64) -> Result<Split, DataError> {
    if !(0.0..1.0).contains(&valid) || !(0.0..1.0).contains(&test) || valid + test >= 1.0 {
        return Err(DataError::BadFractions { valid, test });
    }
    let order = shuffled_indices(n, seed);
    let n_valid = (n as f64 * valid).floor() as i64;
    let n_test = (n as f64 * test).floor() as i64;
    let n_train = n - n_valid - n_test;
    Ok(Split {
        train: order.narrow(0, 0, n_train),
        valid: order.narrow(0, n_train, n_valid),
        test: order.narrow(0, n_train + n_valid, n_test),
    })
}
