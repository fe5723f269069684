//! Parameters packed into one buffer per device and dtype, so an optimizer updates all of
//! them with a handful of libtorch calls instead of a handful per parameter.
//!
//! Each call from Rust into libtorch costs a few microseconds before any arithmetic (the C
//! FFI, the dispatcher, a new tensor handle), so an element-wise update written per parameter
//! costs `ops × parameters` of them. [`FlatParams`] re-points every parameter at a slice of one
//! contiguous buffer (PyTorch's `param.data = …`, which is `set_data` in tch): the model, the
//! `VarStore` and every other handle keep working on the same values, and the optimizer runs
//! its update once on the whole buffer. Gradients are gathered with one `cat` per step.
//!
//! Something may later give a parameter new storage (`VarStore::set_device`, a `set_data` of
//! its own). [`FlatParams::check`] compares each parameter's data pointer with its slice at
//! every step and packs the group again when one moved, so the optimizer never updates a
//! buffer the model no longer reads.

use tch::{Device, Kind, Tensor};

/// One device and dtype's parameters, packed.
struct Group {
    device: Device,
    kind: Kind,
    /// The caller's parameters (shallow clones: the same tensors as the model's).
    params: Vec<Tensor>,
    /// Start of each parameter in `buffer`, and its element count.
    spans: Vec<(i64, i64)>,
    /// All the group's values; each parameter is a view of a slice of it.
    buffer: Tensor,
    /// The gradients, laid out like `buffer` once gathered; each parameter's `.grad` is then a
    /// view of it, and backward passes accumulate into it in place.
    grads: Option<Tensor>,
}

impl Group {
    fn pack(params: Vec<Tensor>) -> Group {
        let device = params[0].device();
        let kind = params[0].kind();
        let mut spans = Vec::with_capacity(params.len());
        let mut start = 0;
        for p in &params {
            let n = p.numel() as i64;
            spans.push((start, n));
            start += n;
        }
        let buffer = tch::no_grad(|| {
            let flat: Vec<Tensor> = params.iter().map(|p| p.detach().reshape([-1])).collect();
            Tensor::cat(&flat, 0)
        });
        let mut group = Group { device, kind, params, spans, buffer, grads: None };
        group.point_params_at_buffer();
        group
    }

    fn point_params_at_buffer(&mut self) {
        for (p, &(start, n)) in self.params.iter_mut().zip(&self.spans) {
            let view = self.buffer.narrow(0, start, n).view(p.size().as_slice());
            p.set_data(&view);
        }
    }

    /// Whether every parameter still reads from its slice of the buffer.
    fn in_place(&self) -> bool {
        are_views_of(&self.buffer, self.kind, &self.spans, &self.params)
    }
}

/// Whether each of `tensors` starts where its span starts in `buffer`: the data pointer alone
/// decides (storage given elsewhere, or another device or dtype, has another address).
fn are_views_of(buffer: &Tensor, kind: Kind, spans: &[(i64, i64)], tensors: &[Tensor]) -> bool {
    let base = buffer.data_ptr() as usize;
    let size = kind.elt_size_in_bytes();
    tensors
        .iter()
        .zip(spans)
        .all(|(t, &(start, n))| n == 0 || t.data_ptr() as usize == base + start as usize * size)
}

/// Parameters grouped by device and dtype, each group packed into one buffer.
///
/// ```
/// use torchbook::flat::FlatParams;
/// use torchbook::prelude::*;
/// let vs = nn::VarStore::new(Device::Cpu);
/// let layer = nn::linear(vs.root(), 3, 2, Default::default());
/// let mut flat = FlatParams::new(vs.trainable_variables());
/// assert_eq!(flat.groups(), 1);
/// // The layer now reads its weights from the packed buffer…
/// let _ = flat.buffer(0).fill_(0.5);
/// let y = layer.forward(&Tensor::ones([1, 3], (Kind::Float, Device::Cpu)));
/// assert_eq!(y.double_value(&[0, 0]), 0.5 * 3.0 + 0.5);
/// // …and the gradients come back in the same order.
/// y.sum(Kind::Float).backward();
/// assert_eq!(flat.gradient(0).unwrap().size(), vec![2 * 3 + 2]);
/// ```
pub struct FlatParams {
    groups: Vec<Group>,
}

impl FlatParams {
    /// Packs `params` (tensors the caller keeps using: a `VarStore`'s variables, say).
    ///
    /// ```
    /// use torchbook::flat::FlatParams;
    /// use torchbook::prelude::*;
    /// let a = Tensor::from_slice(&[1.0f32, 2.0]).set_requires_grad(true);
    /// let b = Tensor::from_slice(&[3.0f64]).set_requires_grad(true);
    /// let flat = FlatParams::new(vec![a.shallow_clone(), b.shallow_clone()]);
    /// assert_eq!(flat.groups(), 2); // one per dtype
    /// assert_eq!(a.double_value(&[1]), 2.0); // same values, new storage
    /// ```
    pub fn new(params: Vec<Tensor>) -> FlatParams {
        let mut by_place: Vec<(Device, Kind, Vec<Tensor>)> = Vec::new();
        for p in params {
            let (device, kind) = (p.device(), p.kind());
            match by_place.iter_mut().find(|(d, k, _)| *d == device && *k == kind) {
                Some((_, _, group)) => group.push(p),
                None => by_place.push((device, kind, vec![p])),
            }
        }
        FlatParams { groups: by_place.into_iter().map(|(_, _, params)| Group::pack(params)).collect() }
    }

    /// Number of (device, dtype) groups.
    ///
    /// ```
    /// use torchbook::flat::FlatParams;
    /// use torchbook::prelude::*;
    /// let a = Tensor::from_slice(&[1.0f32, 2.0]).set_requires_grad(true);
    /// let b = Tensor::from_slice(&[3.0f64]).set_requires_grad(true);
    /// assert_eq!(FlatParams::new(vec![a, b]).groups(), 2);
    /// ```
    pub fn groups(&self) -> usize {
        self.groups.len()
    }

    /// The packed values of group `group`; writing to it writes to the parameters.
    ///
    /// ```
    /// use torchbook::flat::FlatParams;
    /// use torchbook::prelude::*;
    /// let a = Tensor::from_slice(&[1.0f32, 2.0]).set_requires_grad(true);
    /// let b = Tensor::from_slice(&[3.0f64]).set_requires_grad(true);
    /// let flat = FlatParams::new(vec![a.shallow_clone()]);
    /// let _ = flat.buffer(0).g_mul_scalar_(10.0);
    /// assert_eq!(a.double_value(&[0]), 10.0);
    /// ```
    pub fn buffer(&self, group: usize) -> Tensor {
        self.groups[group].buffer.shallow_clone()
    }

    /// The group's parameters, in packing order.
    ///
    /// ```
    /// use torchbook::flat::FlatParams;
    /// use torchbook::prelude::*;
    /// let a = Tensor::from_slice(&[1.0f32, 2.0]).set_requires_grad(true);
    /// let b = Tensor::from_slice(&[3.0f64]).set_requires_grad(true);
    /// let flat = FlatParams::new(vec![a.shallow_clone(), b.shallow_clone()]);
    /// assert_eq!(flat.params(1)[0].kind(), Kind::Double);
    /// ```
    pub fn params(&self, group: usize) -> &[Tensor] {
        &self.groups[group].params
    }

    /// Where parameter `index` of group `group` lies in its buffer: (start, element count).
    ///
    /// ```
    /// use torchbook::flat::FlatParams;
    /// use torchbook::prelude::*;
    /// let a = Tensor::zeros([2, 3], (Kind::Float, Device::Cpu));
    /// let b = Tensor::zeros([4], (Kind::Float, Device::Cpu));
    /// let flat = FlatParams::new(vec![a, b]);
    /// assert_eq!((flat.span(0, 0), flat.span(0, 1)), ((0, 6), (6, 4)));
    /// ```
    pub fn span(&self, group: usize, index: usize) -> (i64, i64) {
        self.groups[group].spans[index]
    }

    /// Packs again every group whose parameters no longer live in its buffer; returns the
    /// groups packed again, whose optimizer state must follow (see [`FlatParams::check`]'s
    /// callers). A parameter that changed its element count panics, naming both shapes.
    ///
    /// ```
    /// use torchbook::flat::FlatParams;
    /// use torchbook::prelude::*;
    /// let mut a = Tensor::from_slice(&[1.0f32, 2.0]);
    /// let mut flat = FlatParams::new(vec![a.shallow_clone()]);
    /// assert!(flat.check().is_empty());
    /// a.set_data(&Tensor::from_slice(&[7.0f32, 8.0])); // new storage, as VarStore::set_device does
    /// assert_eq!(flat.check(), vec![0]);
    /// assert_eq!(Vec::<f32>::try_from(flat.buffer(0)).unwrap(), vec![7.0, 8.0]);
    /// ```
    pub fn check(&mut self) -> Vec<usize> {
        let mut repacked = Vec::new();
        for (index, group) in self.groups.iter_mut().enumerate() {
            if group.in_place() {
                continue;
            }
            for (p, &(_, n)) in group.params.iter().zip(&group.spans) {
                assert!(
                    p.numel() as i64 == n,
                    "a parameter changed size after the optimizer was built: it had {n} elements, \
                     it now has shape {:?}",
                    p.size()
                );
            }
            *group = Group::pack(std::mem::take(&mut group.params));
            repacked.push(index);
        }
        repacked
    }

    /// All gradients of group `group` in one tensor laid out like its buffer, or `None` when
    /// a parameter of the group has no gradient (it took no part in the last backward pass).
    ///
    /// The first call gathers them with one `cat` and makes each parameter's gradient a view of
    /// the result; autograd then accumulates into those views in place (it does whenever a
    /// gradient exists and no graph of the gradient is being built), so later calls return the
    /// same tensor without copying. A gradient found elsewhere (replaced by a backward pass with
    /// `create_graph`, say) is gathered again.
    ///
    /// ```
    /// use torchbook::flat::FlatParams;
    /// use torchbook::prelude::*;
    /// let a = Tensor::from_slice(&[1.0f32, 2.0]).set_requires_grad(true);
    /// let b = Tensor::from_slice(&[3.0f64]).set_requires_grad(true);
    /// let mut flat = FlatParams::new(vec![a.shallow_clone()]);
    /// assert!(flat.gradient(0).is_none()); // no backward pass yet
    /// (&a * 3.0).sum(Kind::Float).backward();
    /// assert_eq!(Vec::<f32>::try_from(flat.gradient(0).unwrap()).unwrap(), vec![3.0, 3.0]);
    /// ```
    pub fn gradient(&mut self, group: usize) -> Option<Tensor> {
        let group = &mut self.groups[group];
        let grads: Vec<Tensor> = group.params.iter().map(Tensor::grad).collect();
        if grads.iter().any(|g| !g.defined()) {
            return None;
        }
        if let Some(flat) = &group.grads {
            if are_views_of(flat, group.kind, &group.spans, &grads) {
                return Some(flat.shallow_clone());
            }
        }
        // In the group's device and dtype: a gradient made before the parameters were
        // converted (`VarStore::set_kind`, `set_device`) is still in the old ones.
        let flat = tch::no_grad(|| {
            let parts: Vec<Tensor> = grads.iter().map(|g| g.reshape([-1])).collect();
            Tensor::cat(&parts, 0).to_device(group.device).to_kind(group.kind)
        });
        for (mut g, &(start, n)) in grads.into_iter().zip(&group.spans) {
            let view = flat.narrow(0, start, n).view(g.size().as_slice());
            g.set_data(&view);
        }
        group.grads = Some(flat.shallow_clone());
        Some(flat)
    }

    /// The device and dtype of group `group`.
    ///
    /// ```
    /// use torchbook::flat::FlatParams;
    /// use torchbook::prelude::*;
    /// let a = Tensor::from_slice(&[1.0f32, 2.0]).set_requires_grad(true);
    /// let b = Tensor::from_slice(&[3.0f64]).set_requires_grad(true);
    /// let flat = FlatParams::new(vec![a, b]);
    /// assert_eq!(flat.place(1), (Device::Cpu, Kind::Double));
    /// ```
    pub fn place(&self, group: usize) -> (Device, Kind) {
        (self.groups[group].device, self.groups[group].kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mixed_dtypes_form_groups_and_views_share_storage() {
        let a = Tensor::from_slice(&[1.0f32, 2.0]).set_requires_grad(true);
        let b = Tensor::from_slice(&[3.0f64]).set_requires_grad(true);
        let c = Tensor::from_slice(&[4.0f32, 5.0, 6.0, 7.0]).view([2, 2]).set_requires_grad(true);
        let flat = FlatParams::new(vec![a.shallow_clone(), b.shallow_clone(), c.shallow_clone()]);
        assert_eq!(flat.groups(), 2);
        assert_eq!(flat.place(0), (Device::Cpu, Kind::Float));
        assert_eq!(Vec::<f32>::try_from(flat.buffer(0)).unwrap(), vec![1.0, 2.0, 4.0, 5.0, 6.0, 7.0]);
        assert_eq!(flat.span(0, 1), (2, 4));
        let _ = flat.buffer(0).fill_(9.0);
        assert_eq!(c.size(), vec![2, 2]);
        assert_eq!(c.double_value(&[1, 1]), 9.0);
        assert_eq!(a.double_value(&[0]), 9.0);
        assert_eq!(b.double_value(&[0]), 3.0);
        assert!(c.requires_grad());
    }

    #[test]
    fn a_parameter_given_new_storage_is_packed_again() {
        let mut a = Tensor::from_slice(&[1.0f32, 2.0]).set_requires_grad(true);
        let mut flat = FlatParams::new(vec![a.shallow_clone()]);
        assert!(flat.check().is_empty());
        a.set_data(&Tensor::from_slice(&[5.0f32, 6.0]));
        assert_eq!(flat.check(), vec![0]);
        assert_eq!(Vec::<f32>::try_from(flat.buffer(0)).unwrap(), vec![5.0, 6.0]);
        let _ = flat.buffer(0).fill_(1.5);
        assert_eq!(a.double_value(&[1]), 1.5);
    }

    #[test]
    #[should_panic(expected = "it had 2 elements, it now has shape [3]")]
    fn a_parameter_that_changed_size_is_named() {
        let mut a = Tensor::from_slice(&[1.0f32, 2.0]);
        let mut flat = FlatParams::new(vec![a.shallow_clone()]);
        a.set_data(&Tensor::from_slice(&[5.0f32, 6.0, 7.0]));
        flat.check();
    }

    #[test]
    fn a_missing_gradient_is_reported_as_none() {
        let a = Tensor::from_slice(&[1.0f32, 2.0]).set_requires_grad(true);
        let b = Tensor::from_slice(&[3.0f32]).set_requires_grad(true);
        let mut flat = FlatParams::new(vec![a.shallow_clone(), b.shallow_clone()]);
        (&a * 2.0).sum(Kind::Float).backward();
        assert!(flat.gradient(0).is_none());
        (&b * 3.0).sum(Kind::Float).backward();
        assert_eq!(Vec::<f32>::try_from(flat.gradient(0).unwrap()).unwrap(), vec![2.0, 2.0, 3.0]);
    }

    #[test]
    fn gathered_gradients_are_accumulated_in_place_by_later_backward_passes() {
        let a = Tensor::from_slice(&[1.0f32, 2.0]).set_requires_grad(true);
        let b = Tensor::from_slice(&[3.0f32]).set_requires_grad(true);
        let mut flat = FlatParams::new(vec![a.shallow_clone(), b.shallow_clone()]);
        let loss = || ((&a * &a).sum(Kind::Float) + &b * 5.0).sum(Kind::Float);
        loss().backward();
        let first = flat.gradient(0).unwrap();
        assert_eq!(Vec::<f32>::try_from(&first).unwrap(), vec![2.0, 4.0, 5.0]);
        loss().backward();
        let second = flat.gradient(0).unwrap();
        assert_eq!(second.data_ptr(), first.data_ptr(), "gathered again instead of reused");
        assert_eq!(Vec::<f32>::try_from(&second).unwrap(), vec![4.0, 8.0, 10.0]);
        assert_eq!(a.grad().double_value(&[1]), 8.0);
        let _ = a.grad().zero_();
        assert_eq!(Vec::<f32>::try_from(&flat.gradient(0).unwrap()).unwrap(), vec![0.0, 0.0, 10.0]);
    }
}
