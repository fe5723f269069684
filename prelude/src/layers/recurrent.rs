use tch::nn::{RNNConfig, RNN};
use tch::Tensor;

/// What a recurrent layer returns.
///
/// ```
/// use torchbook::prelude::*;
/// let vs = nn::VarStore::new(Device::Cpu);
/// let gru = gru(&vs.root() / "gru", 4, 6, Default::default());
/// let RecurrentOutput { sequence, last } = gru.run(&Tensor::randn([2, 5, 4], (Kind::Float, Device::Cpu)));
/// assert!(last.allclose(&sequence.select(1, 4), 1e-6, 1e-6, false));
/// ```
#[derive(Debug)]
pub struct RecurrentOutput {
    /// Hidden states at every step `[B, T, H]`.
    pub sequence: Tensor,
    /// Hidden state after the last step `[B, H]` (last layer).
    pub last: Tensor,
}

/// An LSTM, batch-first. As a `Module` it returns the last hidden state, so it can sit in a
/// `Sequential` between an embedding and a dense layer (Keras's `LSTM(units)`).
///
/// # Shapes
/// `[B, T, F]` in; `sequence [B, T, H]`, `last [B, H]` out.
///
/// ```
/// use torchbook::prelude::*;
/// let vs = nn::VarStore::new(Device::Cpu);
/// let lstm = lstm(&vs.root() / "lstm", 3, 5, Default::default());
/// let out = lstm.run(&Tensor::zeros([2, 7, 3], (Kind::Float, Device::Cpu)));
/// assert_eq!((out.sequence.size(), out.last.size()), (vec![2, 7, 5], vec![2, 5]));
/// ```
#[derive(Debug)]
pub struct Lstm {
    inner: tch::nn::LSTM,
}

/// An LSTM layer from `inputs` features to `hidden` units.
///
/// ```
/// use torchbook::prelude::*;
/// // The course's text model: Embedding → LSTM → Dense on the last hidden state.
/// let vs = nn::VarStore::new(Device::Cpu);
/// let model = nn::seq_t()
///     .add(nn::embedding(&vs.root() / "embedding", 100, 8, Default::default()))
///     .add(lstm(&vs.root() / "lstm", 8, 16, Default::default()))
///     .add(nn::linear(&vs.root() / "dense", 16, 1, Default::default()));
/// let tokens = Tensor::randint(100, [4, 12], (Kind::Int64, Device::Cpu));
/// assert_eq!(model.forward_t(&tokens, false).size(), vec![4, 1]);
/// ```
pub fn lstm<'a>(
    path: impl std::borrow::Borrow<tch::nn::Path<'a>>,
    inputs: i64,
    hidden: i64,
    config: RNNConfig,
) -> Lstm {
    Lstm { inner: tch::nn::lstm(path, inputs, hidden, RNNConfig { batch_first: true, ..config }) }
}

impl Lstm {
    /// Runs over a whole sequence from a zero state.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let vs = nn::VarStore::new(Device::Cpu);
    /// let layer = lstm(&vs.root() / "lstm", 2, 3, Default::default());
    /// let out = layer.run(&Tensor::randn([4, 5, 2], (Kind::Float, Device::Cpu)));
    /// assert_eq!((out.sequence.size(), out.last.size()), (vec![4, 5, 3], vec![4, 3]));
    /// ```
    pub fn run(&self, xs: &Tensor) -> RecurrentOutput {
        let (sequence, state) = self.inner.seq(xs);
        RecurrentOutput { sequence, last: state.h().get(-1) }
    }
}

impl tch::nn::Module for Lstm {
    fn forward(&self, xs: &Tensor) -> Tensor {
        self.run(xs).last
    }
}

/// A GRU, batch-first; as a `Module` it returns the last hidden state.
///
/// # Shapes
/// `[B, T, F]` in; `sequence [B, T, H]`, `last [B, H]` out.
///
/// ```
/// use torchbook::prelude::*;
/// let vs = nn::VarStore::new(Device::Cpu);
/// let layer = gru(&vs.root() / "gru", 3, 5, Default::default());
/// assert_eq!(Tensor::zeros([2, 7, 3], (Kind::Float, Device::Cpu)).apply(&layer).size(), vec![2, 5]);
/// ```
#[derive(Debug)]
pub struct Gru {
    inner: tch::nn::GRU,
}

/// A GRU layer from `inputs` features to `hidden` units.
///
/// ```
/// use torchbook::prelude::*;
/// let vs = nn::VarStore::new(Device::Cpu);
/// let out = gru(&vs.root() / "gru", 3, 5, Default::default()).run(&Tensor::zeros([2, 7, 3], (Kind::Float, Device::Cpu)));
/// assert_eq!((out.sequence.size(), out.last.size()), (vec![2, 7, 5], vec![2, 5]));
/// ```
pub fn gru<'a>(
    path: impl std::borrow::Borrow<tch::nn::Path<'a>>,
    inputs: i64,
    hidden: i64,
    config: RNNConfig,
) -> Gru {
    Gru { inner: tch::nn::gru(path, inputs, hidden, RNNConfig { batch_first: true, ..config }) }
}

impl Gru {
    /// Runs over a whole sequence from a zero state.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let vs = nn::VarStore::new(Device::Cpu);
    /// let layer = gru(&vs.root() / "gru", 2, 3, Default::default());
    /// let out = layer.run(&Tensor::randn([4, 5, 2], (Kind::Float, Device::Cpu)));
    /// assert!(out.last.allclose(&out.sequence.select(1, 4), 1e-6, 1e-6, false));
    /// ```
    pub fn run(&self, xs: &Tensor) -> RecurrentOutput {
        let (sequence, state) = self.inner.seq(xs);
        RecurrentOutput { sequence, last: state.0.get(-1) }
    }
}

impl tch::nn::Module for Gru {
    fn forward(&self, xs: &Tensor) -> Tensor {
        self.run(xs).last
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::{Device, Kind};

    #[test]
    fn last_equals_the_final_step_of_the_sequence() {
        let vs = tch::nn::VarStore::new(Device::Cpu);
        let x = Tensor::randn([3, 6, 4], (Kind::Float, Device::Cpu));
        let l = lstm(&vs.root() / "l", 4, 8, Default::default()).run(&x);
        assert!(l.last.allclose(&l.sequence.select(1, 5), 1e-6, 1e-6, false));
        let g = gru(&vs.root() / "g", 4, 8, Default::default()).run(&x);
        assert!(g.last.allclose(&g.sequence.select(1, 5), 1e-6, 1e-6, false));
    }
}
