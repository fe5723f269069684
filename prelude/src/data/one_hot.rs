use tch::{Kind, Tensor};

/// One-hot encoding of class indices `[N]` into `[N, classes]` floats.
///
/// ```
/// use torchbook::prelude::*;
/// let h = one_hot(&Tensor::from_slice(&[2i64, 0]), 3);
/// assert_eq!(Vec::<f32>::try_from(h.flatten(0, -1)).unwrap(), vec![0., 0., 1., 1., 0., 0.]);
/// ```
pub fn one_hot(classes: &Tensor, num_classes: i64) -> Tensor {
    classes.to_kind(Kind::Int64).one_hot(num_classes).to_kind(Kind::Float)
}
