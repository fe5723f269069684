//! Loaders for the real data sets in the repository's `data/` folder (see `data/README.md`
//! for their licences and citations). Nothing is downloaded.
//!
//! A missing file is an error naming the file; a malformed line is an error naming the file
//! and the line.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use tch::{Kind, Tensor};

/// Why a data set could not be loaded.
///
/// ```
/// use torchbook::datasets::load_sentiment_file;
/// let missing = load_sentiment_file(std::path::Path::new("/no/such/file.txt"), "imdb").unwrap_err();
/// assert!(missing.to_string().starts_with("cannot read /no/such/file.txt: "));
/// ```
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    /// The file could not be opened or read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// A line does not have the expected format.
    #[error("{path}:{line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What was wrong.
        message: String,
    },
}

/// The `data/` folder: `TORCHBOOK_DATA` if set, else the one beside the prelude's sources.
///
/// ```
/// let dir = torchbook::datasets::data_dir();
/// assert!(dir.join("digits").join("digits.csv.gz").exists());
/// ```
pub fn data_dir() -> PathBuf {
    std::env::var_os("TORCHBOOK_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("data"))
}

fn lines(path: &Path) -> Result<Vec<String>, DatasetError> {
    let io = |source| DatasetError::Io { path: path.to_path_buf(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let reader: Box<dyn BufRead> = if path.extension().is_some_and(|e| e == "gz") {
        Box::new(BufReader::new(flate2::read::GzDecoder::new(file)))
    } else {
        Box::new(BufReader::new(file))
    };
    reader.lines().collect::<Result<_, _>>().map_err(io)
}

/// One labelled text.
///
/// ```
/// let sms = torchbook::datasets::sms_spam().unwrap();
/// assert_eq!((sms[0].label, sms[0].source.as_str()), (0, "sms"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelledText {
    /// The text.
    pub text: String,
    /// 1 positive / spam, 0 negative / ham.
    pub label: u8,
    /// Where it comes from (`imdb`, `amazon`, `yelp`, or `sms`).
    pub source: String,
}

fn parse_label(path: &Path, line: usize, field: &str) -> Result<u8, DatasetError> {
    match field.trim() {
        "0" => Ok(0),
        "1" => Ok(1),
        other => Err(DatasetError::Parse {
            path: path.into(),
            line,
            message: format!("label must be 0 or 1, got {other:?}"),
        }),
    }
}

/// Sentiment sentences of one file: `sentence<TAB>label`.
///
/// ```
/// use torchbook::datasets::load_sentiment_file;
/// let path = std::env::temp_dir().join(format!("torchbook-doc-sentiment-{}.txt", std::process::id()));
/// std::fs::write(&path, "Loved it.\t1\nNot again.\t0\nno label here\n").unwrap();
/// let err = load_sentiment_file(&path, "mine").unwrap_err();
/// assert_eq!(err.to_string(), format!("{}:3: expected `sentence<TAB>label`", path.display()));
/// std::fs::write(&path, "Loved it.\t1\nNot again.\t0\n").unwrap();
/// let data = load_sentiment_file(&path, "mine").unwrap();
/// assert_eq!((data[1].text.as_str(), data[1].label), ("Not again.", 0));
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn load_sentiment_file(path: &Path, source: &str) -> Result<Vec<LabelledText>, DatasetError> {
    let mut out = Vec::new();
    for (i, line) in lines(path)?.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (text, label) = line.rsplit_once('\t').ok_or_else(|| DatasetError::Parse {
            path: path.into(),
            line: i + 1,
            message: "expected `sentence<TAB>label`".to_owned(),
        })?;
        out.push(LabelledText {
            text: text.trim().to_owned(),
            label: parse_label(path, i + 1, label)?,
            source: source.to_owned(),
        });
    }
    Ok(out)
}

/// The 3,000 review sentences of Kotzias et al. (2015): imdb, amazon and yelp, 1,000 each.
///
/// ```
/// let data = torchbook::datasets::sentiment().unwrap();
/// assert_eq!(data.len(), 3000);
/// assert_eq!(data.iter().filter(|d| d.label == 1).count(), 1500);
/// ```
pub fn sentiment() -> Result<Vec<LabelledText>, DatasetError> {
    let dir = data_dir().join("sentiment-labelled-sentences");
    let mut all = Vec::new();
    for source in ["imdb", "amazon", "yelp"] {
        let file = if source == "amazon" {
            "amazon_cells_labelled.txt".to_owned()
        } else {
            format!("{source}_labelled.txt")
        };
        all.extend(load_sentiment_file(&dir.join(file), source)?);
    }
    Ok(all)
}

/// SMS messages of Almeida et al. (2011) from a `label<TAB>text` file with a header line.
///
/// ```
/// use torchbook::datasets::load_sms_spam_file;
/// let path = std::env::temp_dir().join(format!("torchbook-doc-sms-{}.txt", std::process::id()));
/// std::fs::write(&path, "Label\tText\nham\tSee you at 6\nspom\tWIN NOW\n").unwrap();
/// let err = load_sms_spam_file(&path).unwrap_err();
/// assert_eq!(err.to_string(), format!("{}:3: label must be ham or spam, got \"spom\"", path.display()));
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn load_sms_spam_file(path: &Path) -> Result<Vec<LabelledText>, DatasetError> {
    let mut out = Vec::new();
    for (i, line) in lines(path)?.iter().enumerate() {
        if i == 0 && line.starts_with("Label") {
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        let (label, text) = line.split_once('\t').ok_or_else(|| DatasetError::Parse {
            path: path.into(),
            line: i + 1,
            message: "expected `ham|spam<TAB>text`".to_owned(),
        })?;
        let label = match label {
            "ham" => 0,
            "spam" => 1,
            other => {
                return Err(DatasetError::Parse {
                    path: path.into(),
                    line: i + 1,
                    message: format!("label must be ham or spam, got {other:?}"),
                })
            }
        };
        out.push(LabelledText { text: text.to_owned(), label, source: "sms".to_owned() });
    }
    Ok(out)
}

/// The SMS Spam Collection: 5,574 messages, 747 spam.
///
/// ```
/// let sms = torchbook::datasets::sms_spam().unwrap();
/// assert_eq!((sms.len(), sms.iter().filter(|m| m.label == 1).count()), (5574, 747));
/// ```
pub fn sms_spam() -> Result<Vec<LabelledText>, DatasetError> {
    load_sms_spam_file(&data_dir().join("sms-spam").join("SMSSpamCollection"))
}

/// Images and labels.
///
/// ```
/// let d = torchbook::datasets::digits().unwrap();
/// assert_eq!((d.images.size(), d.labels.size()), (vec![1797, 64], vec![1797]));
/// assert!(d.images.max().double_value(&[]) <= 16.0);
/// ```
#[derive(Debug)]
pub struct Digits {
    /// Pixels `[N, 64]` as `Float` in 0..16 (8×8 images, row by row).
    pub images: Tensor,
    /// Labels `[N]` `Int64` in 0..10.
    pub labels: Tensor,
}

/// Digits from a CSV (optionally gzipped) of 64 pixel columns then the label.
///
/// ```
/// use torchbook::datasets::load_digits_file;
/// let path = std::env::temp_dir().join(format!("torchbook-doc-digits-{}.csv", std::process::id()));
/// let row = |label: &str| format!("{}{label}\n", "0,".repeat(64));
/// std::fs::write(&path, row("3") + &row("12")).unwrap();
/// let err = load_digits_file(&path).unwrap_err();
/// assert_eq!(err.to_string(), format!("{}:2: label 12 is not a digit", path.display()));
/// std::fs::write(&path, row("3")).unwrap();
/// assert_eq!(Vec::<i64>::try_from(load_digits_file(&path).unwrap().labels).unwrap(), vec![3]);
/// std::fs::remove_file(&path).unwrap();
/// ```
pub fn load_digits_file(path: &Path) -> Result<Digits, DatasetError> {
    let (mut pixels, mut labels) = (Vec::new(), Vec::new());
    for (i, line) in lines(path)?.iter().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let values: Vec<&str> = line.split(',').collect();
        let parse = |message: String| DatasetError::Parse { path: path.into(), line: i + 1, message };
        if values.len() != 65 {
            return Err(parse(format!(
                "expected 65 comma-separated values (64 pixels and a label), got {}",
                values.len()
            )));
        }
        for v in &values[..64] {
            let p: f32 = v.trim().parse().map_err(|_| parse(format!("pixel {v:?} is not a number")))?;
            pixels.push(p);
        }
        let label: i64 = values[64]
            .trim()
            .parse()
            .map_err(|_| parse(format!("label {:?} is not an integer", values[64])))?;
        if !(0..10).contains(&label) {
            return Err(parse(format!("label {label} is not a digit")));
        }
        labels.push(label);
    }
    let n = labels.len() as i64;
    Ok(Digits {
        images: Tensor::from_slice(&pixels).reshape([n, 64]),
        labels: Tensor::from_slice(&labels).to_kind(Kind::Int64),
    })
}

/// The 1,797 8×8 handwritten digits (UCI, as shipped with scikit-learn).
///
/// ```
/// let d = torchbook::datasets::digits().unwrap();
/// assert_eq!(d.images.size(), vec![1797, 64]);
/// ```
pub fn digits() -> Result<Digits, DatasetError> {
    load_digits_file(&data_dir().join("digits").join("digits.csv.gz"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str, contents: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("torchbook-data-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, contents).unwrap();
        path
    }

    #[test]
    fn malformed_lines_are_named_with_file_and_line() {
        let path = temp_file("bad_sms.txt", "Label\tSMS\nham\tfine\nmaybe\tnot sure\n");
        let err = load_sms_spam_file(&path).unwrap_err().to_string();
        assert!(err.ends_with("bad_sms.txt:3: label must be ham or spam, got \"maybe\""), "{err}");
        let path = temp_file("bad_digits.csv", "1,2,3\n");
        let err = load_digits_file(&path).unwrap_err().to_string();
        assert!(
            err.ends_with(
                "bad_digits.csv:1: expected 65 comma-separated values (64 pixels and a label), got 3"
            ),
            "{err}"
        );
    }

    #[test]
    fn a_missing_file_is_named() {
        let err = load_sms_spam_file(Path::new("/nonexistent/sms.txt")).unwrap_err().to_string();
        assert!(err.starts_with("cannot read /nonexistent/sms.txt:"), "{err}");
    }

    #[test]
    fn digits_labels_are_balanced_as_published() {
        // sklearn.datasets.load_digits(): np.bincount(y) = [178 182 177 183 181 182 181 179 174 180]
        let d = digits().unwrap();
        let counts = Vec::<i64>::try_from(d.labels.bincount::<Tensor>(None, 10)).unwrap();
        assert_eq!(counts, vec![178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
    }
}
