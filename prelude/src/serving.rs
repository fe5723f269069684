//! Deployment: save a model's weights and its preprocessing, load them into fresh objects, and
//! predict on raw input with exactly the preprocessing used in training.

use crate::data::Standardizer;
use crate::text::{pad_sequences, Padding, Tokenizer};
use std::path::{Path, PathBuf};
use tch::nn::{self, ModuleT};
use tch::Tensor;

/// Why saving or loading failed.
///
/// ```
/// use torchbook::prelude::*;
/// let mut vs = nn::VarStore::new(Device::Cpu);
/// let err = load_weights(&mut vs, "/no/such/weights.safetensors").unwrap_err();
/// assert!(err.to_string().starts_with("/no/such/weights.safetensors: "));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum ServingError {
    /// The file could not be written or read.
    #[error("{path}: {message}")]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
}

fn file_error(path: &Path, e: impl std::fmt::Display) -> ServingError {
    ServingError::File { path: path.to_path_buf(), message: e.to_string() }
}

/// Saves every variable of `vs` (safetensors when the path ends in `.safetensors`, else
/// libtorch's format).
///
/// ```
/// use torchbook::prelude::*;
/// let vs = nn::VarStore::new(Device::Cpu);
/// let _layer = nn::linear(&vs.root() / "fc", 3, 2, Default::default());
/// let path = std::env::temp_dir().join(format!("tb-doc-{}.safetensors", std::process::id()));
/// save_weights(&vs, &path).unwrap();
/// let mut fresh = nn::VarStore::new(Device::Cpu);
/// let _same = nn::linear(&fresh.root() / "fc", 3, 2, Default::default());
/// load_weights(&mut fresh, &path).unwrap();
/// assert!(fresh.variables()["fc.weight"].equal(&vs.variables()["fc.weight"]));
/// ```
pub fn save_weights(vs: &nn::VarStore, path: impl AsRef<Path>) -> Result<(), ServingError> {
    let path = path.as_ref();
    vs.save(path).map_err(|e| file_error(path, e))
}

/// Loads variables saved by [`save_weights`] into `vs`, whose layers must have the same names
/// and shapes (the error names the variable that does not fit).
///
/// ```
/// use torchbook::prelude::*;
/// let path = std::env::temp_dir().join(format!("tb-doc-load-{}.safetensors", std::process::id()));
/// let vs = nn::VarStore::new(Device::Cpu);
/// let _trained = nn::linear(&vs.root() / "fc", 3, 2, Default::default());
/// save_weights(&vs, &path).unwrap();
/// // A model of another shape does not fit, and the error says which variable.
/// let mut other = nn::VarStore::new(Device::Cpu);
/// let _wider = nn::linear(&other.root() / "fc", 4, 2, Default::default());
/// let err = load_weights(&mut other, &path).unwrap_err();
/// assert!(err.to_string().contains("fc.weight"), "{err}");
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn load_weights(vs: &mut nn::VarStore, path: impl AsRef<Path>) -> Result<(), ServingError> {
    let path = path.as_ref();
    vs.load(path).map_err(|e| file_error(path, e))
}

/// The text preprocessing of a classifier: tokenizer and padding, saved beside the weights.
///
/// ```
/// use torchbook::prelude::*;
/// let mut tok = Tokenizer::new(Some(100), Some("<OOV>"));
/// tok.fit_on_texts(&["good movie", "bad movie"]);
/// let pipeline = TextPipeline { tokenizer: tok, maxlen: 4 };
/// let x = pipeline.encode(&["a good movie"]);
/// assert_eq!(Vec::<i64>::try_from(x.get(0)).unwrap(), vec![0, 1, 3, 2]);
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TextPipeline {
    /// The fitted tokenizer.
    pub tokenizer: Tokenizer,
    /// Sequence length after padding (pre-padding and pre-truncation, as Keras's defaults).
    pub maxlen: usize,
}

impl TextPipeline {
    /// Raw texts to the padded index tensor `[N, maxlen]` the model was trained on.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let mut tok = Tokenizer::new(Some(100), Some("<OOV>"));
    /// tok.fit_on_texts(&["great phone", "bad battery"]);
    /// let pipeline = TextPipeline { tokenizer: tok, maxlen: 3 };
    /// let x = pipeline.encode(&["great battery", "great great great great"]);
    /// assert_eq!(x.size(), vec![2, 3]); // padded and truncated to maxlen
    /// ```
    pub fn encode<S: AsRef<str>>(&self, texts: &[S]) -> Tensor {
        pad_sequences(&self.tokenizer.texts_to_sequences(texts), self.maxlen, Padding::Pre, Padding::Pre, 0)
    }

    /// Writes the pipeline as JSON.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let mut tok = Tokenizer::new(Some(100), Some("<OOV>"));
    /// tok.fit_on_texts(&["great phone", "bad battery"]);
    /// let pipeline = TextPipeline { tokenizer: tok, maxlen: 3 };
    /// let path = std::env::temp_dir().join(format!("tb-doc-pipeline-{}.json", std::process::id()));
    /// pipeline.save(&path).unwrap();
    /// assert_eq!(TextPipeline::load(&path).unwrap(), pipeline);
    /// std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ServingError> {
        let path = path.as_ref();
        let json = serde_json::to_string(self).map_err(|e| file_error(path, e))?;
        std::fs::write(path, json).map_err(|e| file_error(path, e))
    }

    /// Reads a pipeline written by [`save`](Self::save).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let err = TextPipeline::load("/no/such/pipeline.json").unwrap_err();
    /// assert!(err.to_string().starts_with("/no/such/pipeline.json: "));
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ServingError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| file_error(path, e))?;
        serde_json::from_str(&text).map_err(|e| file_error(path, e))
    }
}

/// A standardiser's statistics as plain numbers, to save beside a tabular model.
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::from_slice(&[1.0f32, 10.0, 3.0, 30.0]).reshape([2, 2]);
/// let saved = SavedStandardizer::from(&Standardizer::fit(&x));
/// assert_eq!((saved.mean.clone(), saved.std.clone()), (vec![2.0, 20.0], vec![1.0, 10.0]));
/// let path = std::env::temp_dir().join(format!("tb-doc-scaler-{}.json", std::process::id()));
/// saved.save(&path).unwrap();
/// let restored = SavedStandardizer::load(&path).unwrap().to_standardizer();
/// let z = restored.transform(&x).unwrap();
/// assert_eq!(Vec::<f32>::try_from(z.reshape([-1])).unwrap(), vec![-1.0, -1.0, 1.0, 1.0]);
/// std::fs::remove_file(&path).unwrap();
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SavedStandardizer {
    /// Column means.
    pub mean: Vec<f64>,
    /// Column standard deviations.
    pub std: Vec<f64>,
}

impl SavedStandardizer {
    /// Captures `s`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let x = Tensor::from_slice(&[1.0f32, 3.0]).reshape([2, 1]);
    /// let saved = SavedStandardizer::from(&Standardizer::fit(&x));
    /// assert_eq!((saved.mean, saved.std), (vec![2.0], vec![1.0]));
    /// ```
    pub fn from(s: &Standardizer) -> Self {
        let v = |t: &Tensor| {
            Vec::<f64>::try_from(t.to_kind(tch::Kind::Double).to_device(tch::Device::Cpu)).unwrap_or_default()
        };
        SavedStandardizer { mean: v(&s.mean), std: v(&s.std) }
    }

    /// Rebuilds the standardiser (`Float` statistics, like the data it is applied to).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let saved = SavedStandardizer { mean: vec![10.0], std: vec![2.0] };
    /// let z = saved.to_standardizer().transform(&Tensor::from_slice(&[14.0f32]).reshape([1, 1])).unwrap();
    /// assert_eq!(z.double_value(&[0, 0]), 2.0);
    /// ```
    pub fn to_standardizer(&self) -> Standardizer {
        Standardizer {
            mean: Tensor::from_slice(&self.mean).to_kind(tch::Kind::Float),
            std: Tensor::from_slice(&self.std).to_kind(tch::Kind::Float),
        }
    }

    /// Writes JSON.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let saved = SavedStandardizer { mean: vec![0.5], std: vec![2.0] };
    /// let path = std::env::temp_dir().join(format!("tb-doc-std-{}.json", std::process::id()));
    /// saved.save(&path).unwrap();
    /// assert_eq!(SavedStandardizer::load(&path).unwrap(), saved);
    /// std::fs::remove_file(&path).unwrap();
    /// ```
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), ServingError> {
        let path = path.as_ref();
        std::fs::write(path, serde_json::to_string(self).map_err(|e| file_error(path, e))?)
            .map_err(|e| file_error(path, e))
    }

    /// Reads JSON written by [`save`](Self::save).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// assert!(SavedStandardizer::load("/no/such/scaler.json").is_err());
    /// ```
    pub fn load(path: impl AsRef<Path>) -> Result<Self, ServingError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| file_error(path, e))?;
        serde_json::from_str(&text).map_err(|e| file_error(path, e))
    }
}

/// Probabilities from a binary classifier that outputs logits, in evaluation mode.
///
/// ```
/// use torchbook::prelude::*;
/// let vs = nn::VarStore::new(Device::Cpu);
/// let model = nn::seq_t().add(nn::linear(&vs.root() / "out", 2, 1, Default::default()));
/// let p = predict_proba(&model, &Tensor::zeros([5, 2], (Kind::Float, Device::Cpu)));
/// assert_eq!(p.size(), vec![5, 1]);
/// assert!(p.min().double_value(&[]) > 0.0 && p.max().double_value(&[]) < 1.0);
/// ```
pub fn predict_proba(model: &dyn ModuleT, x: &Tensor) -> Tensor {
    crate::train::predict(model, x).sigmoid()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pipeline_round_trips_through_json_and_encodes_identically() {
        let mut tok = Tokenizer::new(Some(50), Some("<OOV>"));
        tok.fit_on_texts(&["the service was great", "terrible service, never again"]);
        let p = TextPipeline { tokenizer: tok, maxlen: 6 };
        let path = std::env::temp_dir().join(format!("tb-pipeline-{}.json", std::process::id()));
        p.save(&path).unwrap();
        let q = TextPipeline::load(&path).unwrap();
        assert_eq!(p, q);
        assert!(p.encode(&["great service"]).equal(&q.encode(&["great service"])));
    }

    #[test]
    fn loading_a_missing_file_names_it() {
        let mut vs = nn::VarStore::new(tch::Device::Cpu);
        let err = load_weights(&mut vs, "/nonexistent/model.ot").unwrap_err().to_string();
        assert!(err.starts_with("/nonexistent/model.ot: "), "{err}");
    }
}
