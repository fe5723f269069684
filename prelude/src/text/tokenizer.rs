use std::collections::HashMap;
use unicode_properties::{GeneralCategoryGroup, UnicodeGeneralCategory};

/// Turns texts into sequences of word indices, as Keras's `Tokenizer` does.
///
/// - Words are lower-cased (Unicode-aware), punctuation and symbols (Unicode categories P and S,
///   which cover Keras's default filter characters) become spaces, and the text is split on
///   whitespace.
/// - `word_index` numbers words from 1 by descending frequency (ties keep first-seen order);
///   0 is left for padding. An out-of-vocabulary token, when set, takes index 1.
/// - `texts_to_sequences` keeps only words whose index is below `num_words` (when set); other
///   words become the OOV index, or are dropped when there is no OOV token.
///
/// ```
/// use torchbook::prelude::*;
/// let mut tok = Tokenizer::new(Some(4), Some("<OOV>"));
/// tok.fit_on_texts(&["The cat sat.", "The dog sat!", "the END"]);
/// assert_eq!(tok.word_index()["<OOV>"], 1);
/// assert_eq!(tok.word_index()["the"], 2);
/// assert_eq!(tok.texts_to_sequences(&["the cat, the bird"]), vec![vec![2, 1, 2, 1]]);
/// ```
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Tokenizer {
    num_words: Option<usize>,
    oov_token: Option<String>,
    counts: HashMap<String, usize>,
    first_seen: HashMap<String, usize>,
    word_index: HashMap<String, usize>,
    documents: usize,
}

impl Tokenizer {
    /// A tokenizer keeping the `num_words − 1` most frequent words (all when `None`).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// // The course's setting: 10,000 words and an out-of-vocabulary token.
    /// let tok = Tokenizer::new(Some(10_000), Some("<OOV>"));
    /// assert_eq!(tok.document_count(), 0);
    /// ```
    pub fn new(num_words: Option<usize>, oov_token: Option<&str>) -> Self {
        Tokenizer {
            num_words,
            oov_token: oov_token.map(str::to_owned),
            counts: HashMap::new(),
            first_seen: HashMap::new(),
            word_index: HashMap::new(),
            documents: 0,
        }
    }

    /// Splits a text into lower-case words without punctuation.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// assert_eq!(Tokenizer::words("Ça va? ÉTÉ—très «bien»!"), vec!["ça", "va", "été", "très", "bien"]);
    /// ```
    pub fn words(text: &str) -> Vec<String> {
        let cleaned: String = text
            .to_lowercase()
            .chars()
            .map(|c| match c.general_category_group() {
                GeneralCategoryGroup::Punctuation | GeneralCategoryGroup::Symbol => ' ',
                _ => c,
            })
            .collect();
        cleaned.split_whitespace().map(str::to_owned).collect()
    }

    /// Counts the words of `texts` and rebuilds the index.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let mut tok = Tokenizer::new(None, None);
    /// tok.fit_on_texts(&["a b b", "b c"]);
    /// tok.fit_on_texts(&["c c"]); // counts add up over calls
    /// assert_eq!((tok.word_counts()["b"], tok.word_counts()["c"], tok.document_count()), (3, 3, 3));
    /// ```
    pub fn fit_on_texts<S: AsRef<str>>(&mut self, texts: &[S]) {
        for text in texts {
            self.documents += 1;
            for word in Self::words(text.as_ref()) {
                let order = self.first_seen.len();
                self.first_seen.entry(word.clone()).or_insert(order);
                *self.counts.entry(word).or_insert(0) += 1;
            }
        }
        let mut by_count: Vec<(&String, &usize)> = self.counts.iter().collect();
        by_count.sort_by(|a, b| b.1.cmp(a.1).then(self.first_seen[a.0].cmp(&self.first_seen[b.0])));
        self.word_index.clear();
        let offset = if let Some(oov) = &self.oov_token {
            self.word_index.insert(oov.clone(), 1);
            2
        } else {
            1
        };
        for (i, (word, _)) in by_count.into_iter().enumerate() {
            self.word_index.entry(word.clone()).or_insert(i + offset);
        }
    }

    /// Word to index (1-based; 0 is padding).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let mut tok = Tokenizer::new(None, None);
    /// tok.fit_on_texts(&["rare common common"]);
    /// assert_eq!((tok.word_index()["common"], tok.word_index()["rare"]), (1, 2));
    /// ```
    pub fn word_index(&self) -> &HashMap<String, usize> {
        &self.word_index
    }

    /// How often each word was seen.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let mut tok = Tokenizer::new(None, None);
    /// tok.fit_on_texts(&["Spam, SPAM and spam!"]);
    /// assert_eq!(tok.word_counts()["spam"], 3);
    /// ```
    pub fn word_counts(&self) -> &HashMap<String, usize> {
        &self.counts
    }

    /// Number of texts fitted.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let mut tok = Tokenizer::new(None, None);
    /// tok.fit_on_texts(&["one", "two", ""]);
    /// assert_eq!(tok.document_count(), 3);
    /// ```
    pub fn document_count(&self) -> usize {
        self.documents
    }

    /// Size of the embedding table this tokenizer needs: the largest index it emits, plus one.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let mut tok = Tokenizer::new(Some(3), Some("<OOV>"));
    /// tok.fit_on_texts(&["a a b c d"]);
    /// // Indices 0 (padding), 1 (OOV) and 2 ("a") are emitted: an embedding of 3 rows.
    /// assert_eq!(tok.vocab_size(), 3);
    /// ```
    pub fn vocab_size(&self) -> usize {
        let largest = self.word_index.len() + 1;
        self.num_words.map_or(largest, |n| n.min(largest))
    }

    /// Index sequences for `texts`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let mut tok = Tokenizer::new(None, None);
    /// tok.fit_on_texts(&["good film", "bad film"]);
    /// // Without an OOV token, unknown words are dropped.
    /// assert_eq!(tok.texts_to_sequences(&["a good, good film"]), vec![vec![2, 2, 1]]);
    /// ```
    pub fn texts_to_sequences<S: AsRef<str>>(&self, texts: &[S]) -> Vec<Vec<i64>> {
        let oov = self.oov_token.as_ref().and_then(|t| self.word_index.get(t)).copied();
        texts
            .iter()
            .map(|text| {
                Self::words(text.as_ref())
                    .iter()
                    .filter_map(|w| match self.word_index.get(w) {
                        Some(&i) if self.num_words.is_none_or(|n| i < n) => Some(i as i64),
                        _ => oov.map(|o| o as i64),
                    })
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_keras_on_a_small_corpus() {
        // Expected by Keras's algorithm (keras/preprocessing/text.py: counts sorted by
        // frequency with a stable sort, indices from 1): word_index
        // {'the': 1, 'sat': 2, 'cat': 3, 'dog': 4, 'on': 5, 'mat': 6}.
        let mut tok = Tokenizer::new(None, None);
        tok.fit_on_texts(&["The cat sat.", "The dog sat!", "on the mat"]);
        let wi = tok.word_index();
        assert_eq!((wi["the"], wi["sat"], wi["cat"], wi["dog"], wi["on"], wi["mat"]), (1, 2, 3, 4, 5, 6));
        assert_eq!(tok.texts_to_sequences(&["the cat sat on the mat"]), vec![vec![1, 3, 2, 5, 1, 6]]);
        // num_words=3 keeps indices 1 and 2 only, and drops the rest without an OOV token.
        let mut small = Tokenizer::new(Some(3), None);
        small.fit_on_texts(&["The cat sat.", "The dog sat!", "on the mat"]);
        assert_eq!(small.texts_to_sequences(&["the cat sat"]), vec![vec![1, 2]]);
        assert_eq!(small.vocab_size(), 3);
    }
}
