//! Text: a tokenizer and sequence padding with the semantics of Keras's text preprocessing.

mod pad;
mod tokenizer;

pub use pad::{pad_sequences, Padding};
pub use tokenizer::Tokenizer;
