//! Layers: tch's where it has them, small modules where it does not.
//!
//! Each layer is built from a named variable path and a config with `Default`, as in tch:
//! `linear(&vs.root() / "fc1", 784, 128, Default::default())`.

mod mlp;
mod pooling;
mod recurrent;
mod regularize;

pub use mlp::mlp;
pub use pooling::{Flatten, GlobalAveragePooling1d, MaxPool2d};
pub use recurrent::{gru, lstm, Gru, Lstm, RecurrentOutput};
pub use regularize::Dropout;
pub use tch::nn::{
    batch_norm1d, batch_norm2d, conv2d, embedding, layer_norm, linear, seq, seq_t, BatchNormConfig,
    ConvConfig, Embedding, EmbeddingConfig, LayerNormConfig, Linear, LinearConfig, RNNConfig, Sequential,
    SequentialT,
};
