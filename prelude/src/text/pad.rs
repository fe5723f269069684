use tch::Tensor;

/// Where padding or truncation happens.
///
/// ```
/// use torchbook::prelude::*;
/// let seqs = vec![vec![1, 2, 3]];
/// let post = pad_sequences(&seqs, 5, Padding::Post, Padding::Pre, 0);
/// assert_eq!(Vec::<i64>::try_from(post.get(0)).unwrap(), vec![1, 2, 3, 0, 0]);
/// let cut = pad_sequences(&seqs, 2, Padding::Pre, Padding::Post, 0);
/// assert_eq!(Vec::<i64>::try_from(cut.get(0)).unwrap(), vec![1, 2]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// At the start (Keras's default for both padding and truncation).
    Pre,
    /// At the end.
    Post,
}

/// Makes every sequence `maxlen` long, as Keras's `pad_sequences`: shorter ones are filled with
/// `value`, longer ones cut, each at the side given.
///
/// # Shapes
/// `N` sequences in, `[N, maxlen]` `Int64` out.
///
/// ```
/// use torchbook::prelude::*;
/// let seqs = vec![vec![1, 2, 3], vec![4], vec![5, 6, 7, 8, 9]];
/// let t = pad_sequences(&seqs, 4, Padding::Pre, Padding::Pre, 0);
/// assert_eq!(Vec::<i64>::try_from(t.flatten(0, -1)).unwrap(),
///            vec![0, 1, 2, 3,  0, 0, 0, 4,  6, 7, 8, 9]);
/// let t = pad_sequences(&seqs, 4, Padding::Post, Padding::Post, 0);
/// assert_eq!(Vec::<i64>::try_from(t.get(2)).unwrap(), vec![5, 6, 7, 8]);
/// ```
pub fn pad_sequences(
    sequences: &[Vec<i64>],
    maxlen: usize,
    padding: Padding,
    truncating: Padding,
    value: i64,
) -> Tensor {
    let mut flat = Vec::with_capacity(sequences.len() * maxlen);
    for seq in sequences {
        let kept: &[i64] = if seq.len() > maxlen {
            match truncating {
                Padding::Pre => &seq[seq.len() - maxlen..],
                Padding::Post => &seq[..maxlen],
            }
        } else {
            seq
        };
        let fill = std::iter::repeat_n(value, maxlen - kept.len());
        match padding {
            Padding::Pre => flat.extend(fill.chain(kept.iter().copied())),
            Padding::Post => flat.extend(kept.iter().copied().chain(fill)),
        }
    }
    Tensor::from_slice(&flat).reshape([sequences.len() as i64, maxlen as i64])
}
