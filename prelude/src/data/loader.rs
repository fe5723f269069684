use super::{DataError, Dataset};
use tch::{Device, Kind, Tensor};

/// One batch: features and labels, on the loader's device.
#[derive(Debug)]
pub struct Batch {
    /// Features `[B, ..]`.
    pub x: Tensor,
    /// Labels `[B, ..]`.
    pub y: Tensor,
}

/// Iterates over a dataset in batches: optional shuffling with a seed (a new order each epoch),
/// an optional short last batch, and batches moved to a device.
///
/// ```
/// use torchbook::prelude::*;
/// let data = TensorDataset::new(Tensor::arange(10, (Kind::Float, Device::Cpu)).unsqueeze(1),
///                               Tensor::arange(10, (Kind::Int64, Device::Cpu))).unwrap();
/// let loader = DataLoader::new(data.clone(), 4).unwrap().shuffle(42);
/// let sizes: Vec<i64> = loader.iter().map(|b| b.x.size()[0]).collect();
/// assert_eq!(sizes, vec![4, 4, 2]);
/// assert_eq!(loader.drop_last(true).iter().count(), 2);
/// ```
pub struct DataLoader<D: Dataset> {
    dataset: D,
    batch_size: usize,
    shuffle_seed: Option<u64>,
    drop_last: bool,
    device: Device,
    epoch: std::cell::Cell<u64>,
}

impl<D: Dataset> DataLoader<D> {
    /// Batches of `batch_size` in the dataset's order, on the CPU.
    ///
    /// The loader owns what it is given: pass a dataset (cheap to clone: tensors share their
    /// storage) to keep the loader in a notebook variable, or a reference inside a function.
    pub fn new(dataset: D, batch_size: usize) -> Result<Self, DataError> {
        if batch_size == 0 {
            return Err(DataError::BatchSize);
        }
        Ok(DataLoader {
            dataset,
            batch_size,
            shuffle_seed: None,
            drop_last: false,
            device: Device::Cpu,
            epoch: std::cell::Cell::new(0),
        })
    }

    /// Shuffles every epoch, reproducibly from `seed` (epoch `e` uses `seed + e`).
    pub fn shuffle(mut self, seed: u64) -> Self {
        self.shuffle_seed = Some(seed);
        self
    }

    /// Drops a last batch smaller than the batch size.
    pub fn drop_last(mut self, drop: bool) -> Self {
        self.drop_last = drop;
        self
    }

    /// Moves batches to `device`.
    pub fn to_device(mut self, device: Device) -> Self {
        self.device = device;
        self
    }

    /// Number of batches per epoch.
    pub fn len(&self) -> usize {
        let n = self.dataset.len();
        if self.drop_last {
            n / self.batch_size
        } else {
            n.div_ceil(self.batch_size)
        }
    }

    /// Whether an epoch has no batch.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The batches of the next epoch.
    pub fn iter(&self) -> impl Iterator<Item = Batch> + '_ {
        let n = self.dataset.len() as i64;
        let order = match self.shuffle_seed {
            Some(seed) => {
                let epoch = self.epoch.get();
                self.epoch.set(epoch + 1);
                super::shuffled_indices(n, seed.wrapping_add(epoch))
            }
            None => Tensor::arange(n, (Kind::Int64, Device::Cpu)),
        };
        let bs = self.batch_size as i64;
        (0..self.len() as i64).map(move |b| {
            let len = bs.min(n - b * bs);
            let (x, y) = self.dataset.batch(&order.narrow(0, b * bs, len));
            Batch { x: x.to_device(self.device), y: y.to_device(self.device) }
        })
    }
}
