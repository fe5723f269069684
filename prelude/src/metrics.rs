//! Classification metrics: accuracy, precision, recall, F1, MCC and the confusion matrix.

use crate::display::Displayable;
use tch::{Kind, Tensor};

/// Counts of actual class (row) against predicted class (column).
///
/// ```
/// use torchbook::prelude::*;
/// let actual = Tensor::from_slice(&[1i64, 1, 1, 0, 0, 0, 0, 0]);
/// let predicted = Tensor::from_slice(&[1i64, 1, 0, 0, 0, 0, 0, 1]);
/// let cm = ConfusionMatrix::new(&predicted, &actual, 2);
/// assert_eq!(cm.counts, vec![vec![4, 1], vec![1, 2]]);
/// assert_eq!(cm.accuracy(), 0.75);
/// assert_eq!((cm.precision(1), cm.recall(1)), (2.0 / 3.0, 2.0 / 3.0));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfusionMatrix {
    /// `counts[actual][predicted]`.
    pub counts: Vec<Vec<u64>>,
}

impl ConfusionMatrix {
    /// Builds the matrix from integer class tensors of the same length.
    ///
    /// Panics if the lengths differ or a class is outside `0..classes`, naming both.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// // actual    1 1 1 0 0 0 0 0
    /// // predicted 1 1 0 0 0 0 0 1   → TP 2, FN 1, FP 1, TN 4
    /// let cm = ConfusionMatrix::new(&Tensor::from_slice(&[1i64, 1, 0, 0, 0, 0, 0, 1]),
    ///                               &Tensor::from_slice(&[1i64, 1, 1, 0, 0, 0, 0, 0]), 2);
    /// assert_eq!(cm.counts[1][1], 2); // counts[actual][predicted]
    /// assert_eq!(cm.counts[0][1], 1);
    /// ```
    pub fn new(predicted: &Tensor, actual: &Tensor, classes: usize) -> Self {
        let p =
            Vec::<i64>::try_from(predicted.flatten(0, -1).to_kind(Kind::Int64).to_device(tch::Device::Cpu))
                .unwrap();
        let a = Vec::<i64>::try_from(actual.flatten(0, -1).to_kind(Kind::Int64).to_device(tch::Device::Cpu))
            .unwrap();
        assert_eq!(p.len(), a.len(), "predicted has {} values but actual has {}", p.len(), a.len());
        let mut counts = vec![vec![0u64; classes]; classes];
        for (&pi, &ai) in p.iter().zip(&a) {
            assert!(
                (0..classes as i64).contains(&pi) && (0..classes as i64).contains(&ai),
                "class out of range: predicted {pi}, actual {ai}, classes {classes}"
            );
            counts[ai as usize][pi as usize] += 1;
        }
        ConfusionMatrix { counts }
    }

    fn total(&self) -> u64 {
        self.counts.iter().flatten().sum()
    }

    fn column(&self, c: usize) -> u64 {
        self.counts.iter().map(|row| row[c]).sum()
    }

    fn row(&self, c: usize) -> u64 {
        self.counts[c].iter().sum()
    }

    /// Fraction of predictions that are right.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// // actual    1 1 1 0 0 0 0 0
    /// // predicted 1 1 0 0 0 0 0 1   → TP 2, FN 1, FP 1, TN 4
    /// let cm = ConfusionMatrix::new(&Tensor::from_slice(&[1i64, 1, 0, 0, 0, 0, 0, 1]),
    ///                               &Tensor::from_slice(&[1i64, 1, 1, 0, 0, 0, 0, 0]), 2);
    /// assert_eq!(cm.accuracy(), 6.0 / 8.0);
    /// ```
    pub fn accuracy(&self) -> f64 {
        let right: u64 = (0..self.counts.len()).map(|c| self.counts[c][c]).sum();
        ratio(right, self.total())
    }

    /// Of the examples predicted `class`, the fraction that are (0 when none was predicted).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// // actual    1 1 1 0 0 0 0 0
    /// // predicted 1 1 0 0 0 0 0 1   → TP 2, FN 1, FP 1, TN 4
    /// let cm = ConfusionMatrix::new(&Tensor::from_slice(&[1i64, 1, 0, 0, 0, 0, 0, 1]),
    ///                               &Tensor::from_slice(&[1i64, 1, 1, 0, 0, 0, 0, 0]), 2);
    /// assert_eq!(cm.precision(1), 2.0 / 3.0);
    /// ```
    pub fn precision(&self, class: usize) -> f64 {
        ratio(self.counts[class][class], self.column(class))
    }

    /// Of the examples that are `class`, the fraction found (0 when there are none).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// // actual    1 1 1 0 0 0 0 0
    /// // predicted 1 1 0 0 0 0 0 1   → TP 2, FN 1, FP 1, TN 4
    /// let cm = ConfusionMatrix::new(&Tensor::from_slice(&[1i64, 1, 0, 0, 0, 0, 0, 1]),
    ///                               &Tensor::from_slice(&[1i64, 1, 1, 0, 0, 0, 0, 0]), 2);
    /// assert_eq!(cm.recall(1), 2.0 / 3.0);
    /// assert_eq!(cm.recall(0), 4.0 / 5.0);
    /// ```
    pub fn recall(&self, class: usize) -> f64 {
        ratio(self.counts[class][class], self.row(class))
    }

    /// Harmonic mean of precision and recall for `class`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// // actual    1 1 1 0 0 0 0 0
    /// // predicted 1 1 0 0 0 0 0 1   → TP 2, FN 1, FP 1, TN 4
    /// let cm = ConfusionMatrix::new(&Tensor::from_slice(&[1i64, 1, 0, 0, 0, 0, 0, 1]),
    ///                               &Tensor::from_slice(&[1i64, 1, 1, 0, 0, 0, 0, 0]), 2);
    /// assert!((cm.f1(1) - 2.0 / 3.0).abs() < 1e-12);
    /// ```
    pub fn f1(&self, class: usize) -> f64 {
        let (p, r) = (self.precision(class), self.recall(class));
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }

    /// Matthews correlation coefficient (Gorodkin's multiclass form; the usual formula for two
    /// classes): 1 perfect, 0 no better than chance, −1 always wrong.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// // actual    1 1 1 0 0 0 0 0
    /// // predicted 1 1 0 0 0 0 0 1   → TP 2, FN 1, FP 1, TN 4
    /// let cm = ConfusionMatrix::new(&Tensor::from_slice(&[1i64, 1, 0, 0, 0, 0, 0, 1]),
    ///                               &Tensor::from_slice(&[1i64, 1, 1, 0, 0, 0, 0, 0]), 2);
    /// // (TP·TN − FP·FN) / √((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (8 − 1) / √(3·3·5·5) = 7/15
    /// assert!((cm.mcc() - 7.0 / 15.0).abs() < 1e-12);
    /// ```
    pub fn mcc(&self) -> f64 {
        let k = self.counts.len();
        let s = self.total() as f64;
        let c: f64 = (0..k).map(|i| self.counts[i][i] as f64).sum();
        let p: Vec<f64> = (0..k).map(|i| self.column(i) as f64).collect();
        let t: Vec<f64> = (0..k).map(|i| self.row(i) as f64).collect();
        let pt: f64 = p.iter().zip(&t).map(|(a, b)| a * b).sum();
        let pp: f64 = p.iter().map(|a| a * a).sum();
        let tt: f64 = t.iter().map(|a| a * a).sum();
        let denominator = ((s * s - pp) * (s * s - tt)).sqrt();
        if denominator == 0.0 {
            0.0
        } else {
            (c * s - pt) / denominator
        }
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Displayable for ConfusionMatrix {
    fn mime_bundle(&self) -> Vec<(String, String)> {
        let k = self.counts.len();
        let mut text = String::from("actual \\ predicted\n");
        let mut html = String::from("<table><tr><th>actual \\ predicted</th>");
        for c in 0..k {
            html.push_str(&format!("<th>{c}</th>"));
        }
        html.push_str("</tr>");
        for (a, row) in self.counts.iter().enumerate() {
            text.push_str(&format!("{a}: {row:?}\n"));
            html.push_str(&format!("<tr><th>{a}</th>"));
            for v in row {
                html.push_str(&format!("<td style=\"text-align:right\">{v}</td>"));
            }
            html.push_str("</tr>");
        }
        html.push_str("</table>");
        text.push_str(&format!("accuracy {:.4}, MCC {:.4}", self.accuracy(), self.mcc()));
        vec![("text/plain".to_owned(), text), ("text/html".to_owned(), html)]
    }
}

/// Class predictions from binary logits (`> 0`) or probabilities (`> 0.5`): both mean p > ½.
///
/// ```
/// use torchbook::prelude::*;
/// let logits = Tensor::from_slice(&[-1.0f64, 0.5, 3.0]);
/// assert_eq!(Vec::<i64>::try_from(binary_predictions(&logits, true)).unwrap(), vec![0, 1, 1]);
/// let probabilities = Tensor::from_slice(&[0.2f64, 0.7]);
/// assert_eq!(Vec::<i64>::try_from(binary_predictions(&probabilities, false)).unwrap(), vec![0, 1]);
/// ```
pub fn binary_predictions(scores: &Tensor, are_logits: bool) -> Tensor {
    let threshold = if are_logits { 0.0 } else { 0.5 };
    scores.flatten(0, -1).gt(threshold).to_kind(Kind::Int64)
}

/// Fraction of binary logits on the right side of 0 for 0/1 targets (for `Trainer` metrics).
///
/// ```
/// use torchbook::prelude::*;
/// let logits = Tensor::from_slice(&[-2.0f32, 1.0, 0.5, -0.1]).reshape([4, 1]);
/// let targets = Tensor::from_slice(&[0.0f32, 1.0, 0.0, 0.0]).reshape([4, 1]);
/// assert_eq!(binary_accuracy_logits(&logits, &targets), 0.75);
/// ```
pub fn binary_accuracy_logits(logits: &Tensor, targets: &Tensor) -> f64 {
    let predicted = binary_predictions(logits, true);
    predicted
        .eq_tensor(&targets.flatten(0, -1).to_kind(Kind::Int64))
        .to_kind(Kind::Double)
        .mean(Kind::Double)
        .double_value(&[])
}

/// Fraction of rows of logits `[N, C]` whose argmax is the class in `targets [N]`.
///
/// ```
/// use torchbook::prelude::*;
/// let logits = Tensor::from_slice(&[0.1f32, 0.9, 0.8, 0.2]).reshape([2, 2]);
/// assert_eq!(accuracy(&logits, &Tensor::from_slice(&[1i64, 1])), 0.5);
/// ```
pub fn accuracy(logits: &Tensor, targets: &Tensor) -> f64 {
    logits
        .argmax(-1, false)
        .eq_tensor(&targets.to_kind(Kind::Int64))
        .to_kind(Kind::Double)
        .mean(Kind::Double)
        .double_value(&[])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_scores_match_their_closed_forms() {
        // TP=2, FN=1, FP=1, TN=4: MCC = (2·4 − 1·1) / √((2+1)(2+1)(4+1)(4+1)) = 7 / 15
        // (sklearn.metrics.matthews_corrcoef gives the same for these labels).
        let actual = Tensor::from_slice(&[1i64, 1, 1, 0, 0, 0, 0, 0]);
        let predicted = Tensor::from_slice(&[1i64, 1, 0, 0, 0, 0, 0, 1]);
        let cm = ConfusionMatrix::new(&predicted, &actual, 2);
        assert!((cm.mcc() - 7.0 / 15.0).abs() < 1e-12);
        assert!((cm.f1(1) - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn multiclass_mcc_is_one_when_perfect_and_zero_for_constant_predictions() {
        let y = Tensor::from_slice(&[0i64, 1, 2, 2, 1, 0]);
        assert_eq!(ConfusionMatrix::new(&y, &y, 3).mcc(), 1.0);
        let constant = Tensor::zeros([6], (Kind::Int64, tch::Device::Cpu));
        assert_eq!(ConfusionMatrix::new(&constant, &y, 3).mcc(), 0.0);
    }

    #[test]
    fn accuracy_helpers() {
        let logits = Tensor::from_slice(&[2.0f32, -1.0, 0.5, -0.2]);
        let targets = Tensor::from_slice(&[1.0f32, 0.0, 0.0, 0.0]);
        assert_eq!(binary_accuracy_logits(&logits, &targets), 0.75);
        let multi = Tensor::from_slice(&[0.1f32, 0.9, 0.8, 0.2]).reshape([2, 2]);
        assert_eq!(accuracy(&multi, &Tensor::from_slice(&[1i64, 1])), 0.5);
    }
}
