use super::History;
use tch::{nn, Tensor};

/// Whether training goes on after a callback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// Keep training.
    Continue,
    /// Stop after this epoch.
    Stop,
}

/// Hooks into `Trainer::fit`. Every method has a default that does nothing.
pub trait Callback {
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
    pub fn new(patience: usize) -> Self {
        EarlyStopping { patience, min_delta: 0.0, best: f64::INFINITY, waited: 0 }
    }

    /// Requires improvements of at least `min_delta`.
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
#[derive(Debug, Default)]
pub struct BestWeights {
    best: Option<(f64, Vec<(String, Tensor)>)>,
    /// Epoch (0-based) whose weights were restored.
    pub restored_epoch: Option<usize>,
    best_epoch: usize,
}

impl BestWeights {
    /// A callback with nothing saved yet.
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
