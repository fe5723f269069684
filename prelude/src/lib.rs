//! Torchbook: the library every Torchbook notebook gets, backed by [`tch`] (libtorch).
//!
//! The kernel preloads `use torchbook::prelude::*;`, so a cell can name [`Tensor`](tch::Tensor),
//! [`Kind`](tch::Kind), [`Device`](tch::Device), [`nn`](tch::nn), [`display`](display::display)
//! and the rest without a `use` line. Outside a notebook the crate is an ordinary library.
//!
//! ```
//! use torchbook::prelude::*;
//! let x = Tensor::ones([2, 3], (Kind::Float, Device::Cpu));
//! assert_eq!(x.sum(Kind::Float).double_value(&[]), 6.0);
//! ```
#![warn(missing_docs)]

pub use plotters;
pub use serde_json;
pub use tch;

pub mod activation;
pub mod allocator;
pub mod cell_link;
pub mod data;
pub mod datasets;
pub mod debug_display;
pub mod display;
pub mod doctor;
pub mod flat;
pub mod gradcheck;
pub mod input;
pub mod interrupt;
pub mod layers;
pub mod loss;
pub mod metrics;
pub mod optim;
pub mod parameter;
pub mod plot;
pub mod prelude;
pub mod program;
pub mod runtime;
pub mod serving;
pub mod tensor_view;
pub mod text;
pub mod threads;
pub mod train;
pub mod two_layer;
pub mod variables;
pub mod widgets;
