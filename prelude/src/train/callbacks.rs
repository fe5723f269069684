use super::History;
use tch::{nn, Tensor};

/// Whether training goes on after a callback.
///
/// ```
/// use torchbook::prelude::*;
/// // A callback that stops training once the training loss is below 0.1.
/// struct StopBelow(f64);
/// impl Callback for StopBelow {
///     fn on_epoch_end(&mut self, _epoch: usize, history: &History, _vs: &nn::VarStore) -> Control {
///         if history.train_loss.last().is_some_and(|&l| l < self.0) { Control::Stop } else { Control::Continue }
///     }
/// }
/// let mut history = History::default();
/// history.train_loss.push(0.05);
/// let vs = nn::VarStore::new(Device::Cpu);
/// assert_eq!(StopBelow(0.1).on_epoch_end(0, &history, &vs), Control::Stop);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Keep training.
    Continue,
    /// Stop after this epoch.
    Stop,
}

/// Hooks into `Trainer::fit`. Every method has a default that does nothing.
///
/// ```
/// use torchbook::prelude::*;
/// // Counts batches; everything else keeps its default.
/// #[derive(Default)]
/// struct CountBatches(usize);
/// impl Callback for CountBatches {
///     fn on_batch_end(&mut self, _epoch: usize, _batch: usize, _batches: usize, _loss: f64) {
///         self.0 += 1;
///     }
/// }
/// let mut counter = CountBatches::default();
/// counter.on_batch_end(0, 0, 4, 0.7);
/// assert_eq!(counter.0, 1);
/// ```
pub trait Callback {
    /// Before each batch (epoch and batch 0-based): `Control::Stop` ends training there, as an
    /// interrupt does (the history so far is returned with `interrupted` set).
    fn on_batch_start(&mut self, _epoch: usize, _batch: usize) -> Control {
        Control::Continue
    }
    /// Before each batch, after `on_batch_start`: a learning rate to give the optimizer from
    /// this batch on, or `None` to leave it.
    fn learning_rate(&mut self) -> Option<f64> {
        None
    }
    /// After each batch: epoch and batch (0-based), batches per epoch, the batch's loss.
    fn on_batch_end(&mut self, _epoch: usize, _batch: usize, _batches: usize, _loss: f64) {}
    /// After each epoch, with the history so far.
    fn on_epoch_end(&mut self, _epoch: usize, _history: &History, _vs: &nn::VarStore) -> Control {
        Control::Continue
    }
    /// When training ends (also after an interrupt or early stop).
    fn on_train_end(&mut self, _history: &History, _vs: &nn::VarStore) {}
}

/// Stops when the validation loss has not improved by `min_delta` for `patience` epochs.
///
/// ```
/// use torchbook::prelude::*;
/// let vs = nn::VarStore::new(Device::Cpu);
/// let mut stop = EarlyStopping::new(2).min_delta(0.01);
/// let mut history = History::default();
/// let mut decisions = Vec::new();
/// for (epoch, loss) in [1.0, 0.8, 0.795, 0.799].into_iter().enumerate() {
///     history.valid_loss.push(loss);
///     decisions.push(stop.on_epoch_end(epoch, &history, &vs));
/// }
/// // 0.795 and 0.799 do not beat 0.8 by 0.01: the second of them ends training.
/// assert_eq!(decisions, vec![Control::Continue, Control::Continue, Control::Continue, Control::Stop]);
/// ```
#[derive(Debug, Clone)]
pub struct EarlyStopping {
    /// Epochs without improvement tolerated.
    pub patience: usize,
    /// Smallest decrease that counts as improvement.
    pub min_delta: f64,
    best: f64,
    waited: usize,
}

impl EarlyStopping {
    /// Early stopping with `patience` epochs.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let stop = EarlyStopping::new(5);
    /// assert_eq!((stop.patience, stop.min_delta), (5, 0.0));
    /// ```
    pub fn new(patience: usize) -> Self {
        EarlyStopping { patience, min_delta: 0.0, best: f64::INFINITY, waited: 0 }
    }

    /// Requires improvements of at least `min_delta`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// assert_eq!(EarlyStopping::new(5).min_delta(1e-3).min_delta, 1e-3);
    /// ```
    pub fn min_delta(mut self, min_delta: f64) -> Self {
        self.min_delta = min_delta;
        self
    }
}

impl Callback for EarlyStopping {
    fn on_epoch_end(&mut self, _epoch: usize, history: &History, _vs: &nn::VarStore) -> Control {
        let Some(&loss) = history.valid_loss.last() else {
            return Control::Continue;
        };
        if loss < self.best - self.min_delta {
            self.best = loss;
            self.waited = 0;
            Control::Continue
        } else {
            self.waited += 1;
            if self.waited >= self.patience {
                Control::Stop
            } else {
                Control::Continue
            }
        }
    }
}

/// Keeps a copy of the weights from the epoch with the lowest validation loss and puts them
/// back when training ends.
///
/// ```
/// use torchbook::prelude::*;
/// let vs = nn::VarStore::new(Device::Cpu);
/// let w = vs.root().var("w", &[1], nn::Init::Const(1.0));
/// let mut best = BestWeights::new();
/// let mut history = History::default();
/// for (epoch, (value, loss)) in [(1.0, 0.5), (2.0, 0.3), (3.0, 0.4)].into_iter().enumerate() {
///     tch::no_grad(|| { let _ = w.shallow_clone().fill_(value); });
///     history.valid_loss.push(loss);
///     best.on_epoch_end(epoch, &history, &vs);
/// }
/// best.on_train_end(&history, &vs);
/// assert_eq!((best.restored_epoch, w.double_value(&[0])), (Some(1), 2.0));
/// ```
#[derive(Debug, Default)]
pub struct BestWeights {
    best: Option<(f64, Vec<(String, Tensor)>)>,
    /// Epoch (0-based) whose weights were restored.
    pub restored_epoch: Option<usize>,
    best_epoch: usize,
}

impl BestWeights {
    /// A callback with nothing saved yet.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// assert_eq!(BestWeights::new().restored_epoch, None);
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

impl Callback for BestWeights {
    fn on_epoch_end(&mut self, epoch: usize, history: &History, vs: &nn::VarStore) -> Control {
        if let Some(&loss) = history.valid_loss.last() {
            if self.best.as_ref().is_none_or(|(best, _)| loss < *best) {
                let copy = vs.variables().into_iter().map(|(name, t)| (name, t.detach().copy())).collect();
                self.best = Some((loss, copy));
                self.best_epoch = epoch;
            }
        }
        Control::Continue
    }

    fn on_train_end(&mut self, _history: &History, vs: &nn::VarStore) {
        if let Some((_, saved)) = &self.best {
            let current = vs.variables();
            tch::no_grad(|| {
                for (name, value) in saved {
                    if let Some(var) = current.get(name) {
                        var.shallow_clone().copy_(value);
                    }
                }
            });
            self.restored_epoch = Some(self.best_epoch);
        }
    }
}
