use crate::activation::Activation;
use tch::nn::{self, Module};

/// A multilayer perceptron: linear layers of the given sizes with `activation` between them
/// (none after the last).
///
/// # Shapes
/// `[B, sizes[0]]` in, `[B, sizes[last]]` out.
///
/// ```
/// use torchbook::prelude::*;
/// let vs = nn::VarStore::new(Device::Cpu);
/// let net = mlp(&vs.root() / "mlp", &[4, 16, 16, 3], Activation::Relu);
/// let y = Tensor::zeros([5, 4], (Kind::Float, Device::Cpu)).apply(&net);
/// assert_eq!(y.size(), vec![5, 3]);
/// assert_eq!(vs.trainable_variables().len(), 6);
/// ```
pub fn mlp<'a>(
    path: impl std::borrow::Borrow<nn::Path<'a>>,
    sizes: &[i64],
    activation: Activation,
) -> nn::Sequential {
    let path = path.borrow();
    let mut net = nn::seq();
    for (i, pair) in sizes.windows(2).enumerate() {
        net = net.add(nn::linear(path / format!("fc{}", i + 1), pair[0], pair[1], Default::default()));
        if i + 2 < sizes.len() {
            net = net.add_fn(move |xs| activation.forward(xs));
        }
    }
    net
}
