use super::{Callback, Control, History};
use crate::data::{DataLoader, Dataset};
use crate::optim::{clip_grad_norm, Optimizer, Schedule};
use tch::nn::{self, ModuleT};
use tch::{Kind, Tensor};

/// A function of the model's output and the targets, averaged over examples.
///
/// ```
/// use torchbook::prelude::*;
/// let metric: MetricFn = &accuracy;
/// let logits = Tensor::from_slice(&[0.2f32, 0.8]).reshape([1, 2]);
/// assert_eq!(metric(&logits, &Tensor::from_slice(&[1i64])), 1.0);
/// ```
pub type MetricFn<'a> = &'a dyn Fn(&Tensor, &Tensor) -> f64;

/// A named metric computed per batch.
///
/// ```
/// use torchbook::prelude::*;
/// let named: Metric = ("accuracy", &binary_accuracy_logits);
/// assert_eq!(named.0, "accuracy");
/// ```
pub type Metric<'a> = (&'a str, MetricFn<'a>);

/// Runs training loops: epochs over a loader, optional validation, learning-rate schedule,
/// gradient clipping, and callbacks.
///
/// Interrupting the kernel (■) during `fit`, or pressing the Stop button of its
/// [`TrainingPanel`](super::TrainingPanel) (`.panel(..)`), stops it before the next batch; `fit`
/// returns the history so far with `interrupted` set, and the model keeps the weights it had.
///
/// ```
/// use torchbook::prelude::*;
/// tch::manual_seed(0);
/// let x = Tensor::randn([64, 2], (Kind::Float, Device::Cpu));
/// let y = x.sum_dim_intlist(&[1i64][..], true, Kind::Float).gt(0.0).to_kind(Kind::Float);
/// let data = TensorDataset::new(x, y).unwrap();
/// let vs = nn::VarStore::new(Device::Cpu);
/// let model = mlp(&vs.root() / "m", &[2, 8, 1], Activation::Relu);
/// let mut opt = Adam::new(vs.trainable_variables(), AdamConfig { lr: 0.05, ..Default::default() });
/// let loader = DataLoader::new(&data, 16).unwrap().shuffle(0);
/// let history = Trainer::new(20).fit(&model, &vs, &mut opt, &binary_cross_entropy_with_logits,
///     Some(("accuracy", &binary_accuracy_logits)), &loader, Some(&loader));
/// assert_eq!(history.epochs(), 20);
/// assert!(history.valid_metric.last().unwrap() > &0.9);
/// ```
pub struct Trainer {
    /// Epochs to run.
    pub epochs: usize,
    /// Learning-rate schedule with its base rate, applied at the start of each epoch.
    pub schedule: Option<(Schedule, f64)>,
    /// Clip the joint gradient norm to this value.
    pub clip_grad_norm: Option<f64>,
    /// Callbacks, called in order.
    pub callbacks: Vec<Box<dyn Callback>>,
}

impl Trainer {
    /// A trainer for `epochs` epochs, without callbacks.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let trainer = Trainer::new(5);
    /// assert_eq!((trainer.epochs, trainer.callbacks.len(), trainer.clip_grad_norm), (5, 0, None));
    /// ```
    pub fn new(epochs: usize) -> Self {
        Trainer { epochs, schedule: None, clip_grad_norm: None, callbacks: Vec::new() }
    }

    /// Adds a callback.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let trainer = Trainer::new(50).callback(EarlyStopping::new(3)).callback(BestWeights::new());
    /// assert_eq!(trainer.callbacks.len(), 2);
    /// ```
    pub fn callback(mut self, callback: impl Callback + 'static) -> Self {
        self.callbacks.push(Box::new(callback));
        self
    }

    /// Adds the live loss plot and the progress bar.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// assert_eq!(Trainer::new(10).live().callbacks.len(), 2);
    /// ```
    pub fn live(self) -> Self {
        let epochs = self.epochs;
        self.callback(super::LivePlot::new()).callback(super::ProgressBar::new(epochs))
    }

    /// Adds the live widget panel: progress, a Stop button, the loss curves, and a learning-rate
    /// slider when `config` asks for one ([`TrainingPanel`](super::TrainingPanel)).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let trainer = Trainer::new(10).panel(PanelConfig { learning_rate: Some(0.01), ..Default::default() });
    /// assert_eq!(trainer.callbacks.len(), 1);
    /// ```
    pub fn panel(self, config: super::PanelConfig) -> Self {
        let epochs = self.epochs;
        self.callback(super::TrainingPanel::new(epochs, config))
    }

    /// Uses a learning-rate schedule starting from `base_lr`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let trainer = Trainer::new(20).schedule(Schedule::Cosine { t_max: 20, min_lr: 0.0 }, 0.1);
    /// assert!(trainer.schedule.is_some());
    /// ```
    pub fn schedule(mut self, schedule: Schedule, base_lr: f64) -> Self {
        self.schedule = Some((schedule, base_lr));
        self
    }

    /// Trains `model` (whose variables are in `vs`) and returns what it measured.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// tch::manual_seed(0);
    /// // y = 2x + 1 from 32 points, one linear unit, mean squared error.
    /// let x = Tensor::linspace(-1.0, 1.0, 32, (Kind::Float, Device::Cpu)).unsqueeze(1);
    /// let data = TensorDataset::new(x.shallow_clone(), &x * 2.0 + 1.0).unwrap();
    /// let vs = nn::VarStore::new(Device::Cpu);
    /// let model = nn::seq_t().add(nn::linear(&vs.root() / "fc", 1, 1, Default::default()));
    /// let mut opt = Adam::new(vs.trainable_variables(), AdamConfig { lr: 0.1, ..Default::default() });
    /// let loader = DataLoader::new(&data, 8).unwrap();
    /// let history = Trainer::new(60).fit(&model, &vs, &mut opt, &mse, None, &loader, None);
    /// assert!(history.train_loss.last().unwrap() < &1e-3 && !history.interrupted);
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn fit<D: Dataset>(
        &mut self,
        model: &dyn ModuleT,
        vs: &nn::VarStore,
        optimizer: &mut dyn Optimizer,
        loss: &dyn Fn(&Tensor, &Tensor) -> Tensor,
        metric: Option<Metric<'_>>,
        train: &DataLoader<D>,
        valid: Option<&DataLoader<D>>,
    ) -> History {
        let mut history =
            History { metric_name: metric.map(|m| m.0.to_owned()).unwrap_or_default(), ..Default::default() };
        let params = vs.trainable_variables();
        'epochs: for epoch in 0..self.epochs {
            if let Some((schedule, base)) = self.schedule {
                optimizer.set_learning_rate(schedule.lr(base, epoch));
            }
            let batches = train.len();
            let (mut loss_sum, mut metric_sum, mut count) = (0.0, 0.0, 0usize);
            for (b, batch) in train.iter().enumerate() {
                let mut stop = crate::interrupt::check_interrupt().is_err();
                for c in &mut self.callbacks {
                    stop |= c.on_batch_start(epoch, b) == Control::Stop;
                }
                if stop {
                    history.interrupted = true;
                    break 'epochs;
                }
                for c in &mut self.callbacks {
                    if let Some(lr) = c.learning_rate() {
                        optimizer.set_learning_rate(lr);
                    }
                }
                let output = model.forward_t(&batch.x, true);
                let l = loss(&output, &batch.y);
                optimizer.zero_grad();
                l.backward();
                if let Some(max) = self.clip_grad_norm {
                    clip_grad_norm(&params, max);
                }
                optimizer.step();
                let n = batch.x.size()[0] as usize;
                let lv = l.double_value(&[]);
                loss_sum += lv * n as f64;
                if let Some((_, f)) = metric {
                    metric_sum += tch::no_grad(|| f(&output, &batch.y)) * n as f64;
                }
                count += n;
                for c in &mut self.callbacks {
                    c.on_batch_end(epoch, b, batches, lv);
                }
            }
            history.train_loss.push(loss_sum / count.max(1) as f64);
            if metric.is_some() {
                history.train_metric.push(metric_sum / count.max(1) as f64);
            }
            if let Some(v) = valid {
                let (vl, vm) = evaluate(model, v, loss, metric.map(|m| m.1));
                history.valid_loss.push(vl);
                if let Some(m) = vm {
                    history.valid_metric.push(m);
                }
            }
            let mut stop = false;
            for c in &mut self.callbacks {
                stop |= c.on_epoch_end(epoch, &history, vs) == Control::Stop;
            }
            if stop {
                history.stopped_early = true;
                break;
            }
        }
        for c in &mut self.callbacks {
            c.on_train_end(&history, vs);
        }
        history
    }
}

/// Mean loss (and metric) of `model` in evaluation mode over a loader, without gradients.
///
/// ```
/// use torchbook::prelude::*;
/// // A model that always outputs 0 has MSE mean(y²) on any data.
/// let zero = nn::func_t(|x, _train| x.zeros_like());
/// let data = TensorDataset::new(Tensor::zeros([4, 1], (Kind::Float, Device::Cpu)),
///                               Tensor::from_slice(&[1.0f32, 1.0, 3.0, 3.0]).reshape([4, 1])).unwrap();
/// let loader = DataLoader::new(data, 3).unwrap();
/// let (loss, metric) = evaluate(&zero, &loader, &mse, None);
/// assert!((loss - 5.0).abs() < 1e-6 && metric.is_none()); // (1 + 1 + 9 + 9) / 4, in f32
/// ```
pub fn evaluate<D: Dataset>(
    model: &dyn ModuleT,
    loader: &DataLoader<D>,
    loss: &dyn Fn(&Tensor, &Tensor) -> Tensor,
    metric: Option<MetricFn<'_>>,
) -> (f64, Option<f64>) {
    tch::no_grad(|| {
        let (mut l, mut m, mut n) = (0.0, 0.0, 0usize);
        for batch in loader.iter() {
            let out = model.forward_t(&batch.x, false);
            let k = batch.x.size()[0] as usize;
            l += loss(&out, &batch.y).double_value(&[]) * k as f64;
            if let Some(f) = metric {
                m += f(&out, &batch.y) * k as f64;
            }
            n += k;
        }
        let n = n.max(1) as f64;
        (l / n, metric.map(|_| m / n))
    })
}

/// The model's output for `x` in evaluation mode, without gradients, in batches of 1024.
///
/// ```
/// use torchbook::prelude::*;
/// let vs = nn::VarStore::new(Device::Cpu);
/// let model = nn::seq_t().add(nn::linear(&vs.root() / "fc", 3, 2, Default::default())).add(Dropout::new(0.5));
/// let x = Tensor::ones([2500, 3], (Kind::Float, Device::Cpu));
/// let y = predict(&model, &x);
/// // Evaluation mode: dropout is off, so identical rows give identical outputs.
/// assert_eq!(y.size(), vec![2500, 2]);
/// assert!(y.get(0).equal(&y.get(2499)) && !y.requires_grad());
/// ```
pub fn predict(model: &dyn ModuleT, x: &Tensor) -> Tensor {
    tch::no_grad(|| {
        let n = x.size()[0];
        let parts: Vec<Tensor> =
            (0..n).step_by(1024).map(|s| model.forward_t(&x.narrow(0, s, 1024.min(n - s)), false)).collect();
        Tensor::cat(&parts, 0).to_kind(parts.first().map(|p| p.kind()).unwrap_or(Kind::Float))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activation::Activation;
    use crate::data::TensorDataset;
    use crate::layers::mlp;
    use crate::optim::{Adam, AdamConfig};
    use crate::train::{BestWeights, EarlyStopping};
    use tch::Device;

    fn setup() -> (TensorDataset, nn::VarStore) {
        tch::manual_seed(1);
        let x = Tensor::randn([128, 2], (Kind::Float, Device::Cpu));
        let y = x.select(1, 0).gt(0.0).to_kind(Kind::Float).unsqueeze(1);
        (TensorDataset::new(x, y).unwrap(), nn::VarStore::new(Device::Cpu))
    }

    /// The interrupt flag is global to the process, so the tests that train run one after the
    /// other in this single test.
    #[test]
    fn interrupts_early_stopping_and_best_weights() {
        let _guard = crate::interrupt::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        an_interrupt_stops_before_the_next_batch_and_keeps_the_history();
        early_stopping_and_best_weights_restore_the_best_epoch();
    }

    fn an_interrupt_stops_before_the_next_batch_and_keeps_the_history() {
        let (data, vs) = setup();
        let model = mlp(&vs.root() / "m", &[2, 4, 1], Activation::Relu);
        let mut opt = Adam::new(vs.trainable_variables(), AdamConfig::default());
        let loader = DataLoader::new(&data, 32).unwrap();
        struct InterruptAfterFirstEpoch;
        impl Callback for InterruptAfterFirstEpoch {
            fn on_epoch_end(&mut self, _: usize, _: &History, _: &nn::VarStore) -> Control {
                crate::interrupt::request_interrupt();
                Control::Continue
            }
        }
        let history = Trainer::new(10).callback(InterruptAfterFirstEpoch).fit(
            &model,
            &vs,
            &mut opt,
            &crate::loss::binary_cross_entropy_with_logits,
            None,
            &loader,
            None,
        );
        assert!(history.interrupted);
        assert_eq!(history.epochs(), 1);
    }

    fn early_stopping_and_best_weights_restore_the_best_epoch() {
        let (data, vs) = setup();
        let model = mlp(&vs.root() / "m", &[2, 16, 1], Activation::Relu);
        let mut opt = Adam::new(vs.trainable_variables(), AdamConfig { lr: 0.05, ..Default::default() });
        let loader = DataLoader::new(&data, 16).unwrap();
        // No loss can fall by 10 after the first epoch: training stops after 1 + patience epochs.
        let stopper = EarlyStopping::new(3).min_delta(10.0);
        let history = Trainer::new(200).callback(stopper).callback(BestWeights::new()).fit(
            &model,
            &vs,
            &mut opt,
            &crate::loss::binary_cross_entropy_with_logits,
            None,
            &loader,
            Some(&loader),
        );
        assert!(history.stopped_early, "{history:?}");
        assert_eq!(history.epochs(), 4);
        let best = history.best_epoch().unwrap();
        let (restored_loss, _) =
            evaluate(&model, &loader, &crate::loss::binary_cross_entropy_with_logits, None);
        assert!(
            (restored_loss - history.valid_loss[best]).abs() < 1e-5,
            "{restored_loss} vs {}",
            history.valid_loss[best]
        );
    }
}
