use super::{DataError, Dataset};
use tch::{Device, Kind, Tensor};

/// One batch: features and labels, on the loader's device.
///
/// ```
/// use torchbook::prelude::*;
/// let data = TensorDataset::new(Tensor::ones([3, 2], (Kind::Float, Device::Cpu)),
///                               Tensor::zeros([3], (Kind::Int64, Device::Cpu))).unwrap();
/// let Batch { x, y } = DataLoader::new(data, 3).unwrap().iter().next().unwrap();
/// assert_eq!((x.size(), y.size()), (vec![3, 2], vec![3]));
/// ```
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
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let data = TensorDataset::new(Tensor::arange(10, (Kind::Float, Device::Cpu)).unsqueeze(1),
    ///                               Tensor::arange(10, (Kind::Int64, Device::Cpu))).unwrap();
    /// let first = DataLoader::new(&data, 4).unwrap().iter().next().unwrap();
    /// assert_eq!(Vec::<i64>::try_from(first.y).unwrap(), vec![0, 1, 2, 3]); // in order without `shuffle`
    /// assert!(DataLoader::new(&data, 0).is_err());
    /// ```
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
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let data = TensorDataset::new(Tensor::arange(10, (Kind::Float, Device::Cpu)).unsqueeze(1),
    ///                               Tensor::arange(10, (Kind::Int64, Device::Cpu))).unwrap();
    /// let loader = DataLoader::new(&data, 10).unwrap().shuffle(3);
    /// let epoch = |l: &DataLoader<&TensorDataset>| Vec::<i64>::try_from(l.iter().next().unwrap().y).unwrap();
    /// let (first, second) = (epoch(&loader), epoch(&loader));
    /// assert_ne!(first, second); // a new order each epoch…
    /// assert_eq!(first, epoch(&DataLoader::new(&data, 10).unwrap().shuffle(3))); // …the same for the same seed
    /// ```
    pub fn shuffle(mut self, seed: u64) -> Self {
        self.shuffle_seed = Some(seed);
        self
    }

    /// Drops a last batch smaller than the batch size.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let data = TensorDataset::new(Tensor::arange(10, (Kind::Float, Device::Cpu)).unsqueeze(1),
    ///                               Tensor::arange(10, (Kind::Int64, Device::Cpu))).unwrap();
    /// assert_eq!(DataLoader::new(&data, 3).unwrap().drop_last(true).len(), 3); // 10 = 3 + 3 + 3 (+ 1 dropped)
    /// ```
    pub fn drop_last(mut self, drop: bool) -> Self {
        self.drop_last = drop;
        self
    }

    /// Moves batches to `device`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let data = TensorDataset::new(Tensor::arange(10, (Kind::Float, Device::Cpu)).unsqueeze(1),
    ///                               Tensor::arange(10, (Kind::Int64, Device::Cpu))).unwrap();
    /// let device = try_gpu();
    /// let batch = DataLoader::new(&data, 5).unwrap().to_device(device).iter().next().unwrap();
    /// assert_eq!((batch.x.device(), batch.y.device()), (device, device));
    /// ```
    pub fn to_device(mut self, device: Device) -> Self {
        self.device = device;
        self
    }

    /// Number of batches per epoch.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let data = TensorDataset::new(Tensor::arange(10, (Kind::Float, Device::Cpu)).unsqueeze(1),
    ///                               Tensor::arange(10, (Kind::Int64, Device::Cpu))).unwrap();
    /// assert_eq!(DataLoader::new(&data, 4).unwrap().len(), 3); // 4 + 4 + 2
    /// ```
    pub fn len(&self) -> usize {
        let n = self.dataset.len();
        if self.drop_last {
            n / self.batch_size
        } else {
            n.div_ceil(self.batch_size)
        }
    }

    /// Whether an epoch has no batch.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let empty = TensorDataset::new(Tensor::zeros([0, 1], (Kind::Float, Device::Cpu)),
    ///                                Tensor::zeros([0], (Kind::Int64, Device::Cpu))).unwrap();
    /// assert!(DataLoader::new(empty, 8).unwrap().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The batches of the next epoch.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let data = TensorDataset::new(Tensor::arange(10, (Kind::Float, Device::Cpu)).unsqueeze(1),
    ///                               Tensor::arange(10, (Kind::Int64, Device::Cpu))).unwrap();
    /// let loader = DataLoader::new(&data, 4).unwrap();
    /// let total: i64 = loader.iter().map(|b| b.y.sum(Kind::Int64).int64_value(&[])).sum();
    /// assert_eq!(total, 45); // every example once per epoch
    /// ```
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
