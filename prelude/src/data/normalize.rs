use super::DataError;
use tch::Tensor;

/// Standardisation: each column to mean 0 and standard deviation 1, with the statistics of the
/// data it was fitted on (fit on training data only, then apply to everything).
///
/// # Shapes
/// `[N, F]` in, `[N, F]` out.
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::from_slice(&[1.0f64, 10.0, 3.0, 30.0]).reshape([2, 2]);
/// let s = Standardizer::fit(&x);
/// let z = s.transform(&x).unwrap();
/// assert_eq!(Vec::<f64>::try_from(z.flatten(0, -1)).unwrap(), vec![-1.0, -1.0, 1.0, 1.0]);
/// ```
#[derive(Debug)]
pub struct Standardizer {
    /// Column means `[F]`.
    pub mean: Tensor,
    /// Column standard deviations `[F]` (population, as scikit-learn; 1 where a column is constant).
    pub std: Tensor,
}

fn check_columns(fitted: &Tensor, x: &Tensor) -> Result<(), DataError> {
    let f = fitted.size()[0];
    if x.dim() != 2 || x.size()[1] != f {
        return Err(DataError::Columns { fitted: f, shape: x.size() });
    }
    Ok(())
}

impl Standardizer {
    /// Column statistics of `x` (`[N, F]`).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let x = Tensor::from_slice(&[1.0f64, 5.0, 3.0, 5.0]).reshape([2, 2]);
    /// let s = Standardizer::fit(&x);
    /// assert_eq!(Vec::<f64>::try_from(&s.mean).unwrap(), vec![2.0, 5.0]);
    /// // A constant column gets std 1, so it maps to 0 instead of dividing by zero.
    /// assert_eq!(Vec::<f64>::try_from(&s.std).unwrap(), vec![1.0, 1.0]);
    /// ```
    pub fn fit(x: &Tensor) -> Self {
        let mean = x.mean_dim(&[0i64][..], false, x.kind());
        let std = x.std_correction(&[0i64][..], 0, false);
        let std = std.where_self(&std.gt(0.0), &std.ones_like());
        Standardizer { mean, std }
    }

    /// `(x − mean) / std`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let train = Tensor::from_slice(&[0.0f64, 2.0]).reshape([2, 1]);
    /// let s = Standardizer::fit(&train);
    /// // New data is scaled with the training statistics (mean 1, std 1).
    /// let z = s.transform(&Tensor::from_slice(&[3.0f64]).reshape([1, 1])).unwrap();
    /// assert_eq!(z.double_value(&[0, 0]), 2.0);
    /// assert!(s.transform(&Tensor::zeros([1, 2], (Kind::Double, Device::Cpu))).is_err());
    /// ```
    pub fn transform(&self, x: &Tensor) -> Result<Tensor, DataError> {
        check_columns(&self.mean, x)?;
        Ok((x - &self.mean) / &self.std)
    }

    /// Back to the original scale.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let x = Tensor::from_slice(&[1.0f64, 4.0, 7.0]).reshape([3, 1]);
    /// let s = Standardizer::fit(&x);
    /// let back = s.inverse(&s.transform(&x).unwrap()).unwrap();
    /// assert!(back.allclose(&x, 1e-12, 1e-12, false));
    /// ```
    pub fn inverse(&self, z: &Tensor) -> Result<Tensor, DataError> {
        check_columns(&self.mean, z)?;
        Ok(z * &self.std + &self.mean)
    }
}

/// Min-max normalisation: each column to `[0, 1]` using the fitted minimum and maximum.
///
/// ```
/// use torchbook::prelude::*;
/// let x = Tensor::from_slice(&[0.0f64, 5.0, 10.0]).reshape([3, 1]);
/// let m = MinMaxScaler::fit(&x);
/// assert_eq!(Vec::<f64>::try_from(m.transform(&x).unwrap().flatten(0, -1)).unwrap(), vec![0.0, 0.5, 1.0]);
/// ```
#[derive(Debug)]
pub struct MinMaxScaler {
    /// Column minima `[F]`.
    pub min: Tensor,
    /// Column ranges `[F]` (1 where a column is constant).
    pub range: Tensor,
}

impl MinMaxScaler {
    /// Column minima and ranges of `x` (`[N, F]`).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let m = MinMaxScaler::fit(&Tensor::from_slice(&[2.0f64, 10.0, 6.0, 10.0]).reshape([2, 2]));
    /// assert_eq!(Vec::<f64>::try_from(&m.min).unwrap(), vec![2.0, 10.0]);
    /// assert_eq!(Vec::<f64>::try_from(&m.range).unwrap(), vec![4.0, 1.0]);
    /// ```
    pub fn fit(x: &Tensor) -> Self {
        let min = x.amin(&[0i64][..], false);
        let range = x.amax(&[0i64][..], false) - &min;
        let range = range.where_self(&range.gt(0.0), &range.ones_like());
        MinMaxScaler { min, range }
    }

    /// `(x − min) / range`.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let m = MinMaxScaler::fit(&Tensor::from_slice(&[0.0f64, 10.0]).reshape([2, 1]));
    /// // Values outside the fitted range fall outside [0, 1].
    /// let z = m.transform(&Tensor::from_slice(&[15.0f64]).reshape([1, 1])).unwrap();
    /// assert_eq!(z.double_value(&[0, 0]), 1.5);
    /// ```
    pub fn transform(&self, x: &Tensor) -> Result<Tensor, DataError> {
        check_columns(&self.min, x)?;
        Ok((x - &self.min) / &self.range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tch::Kind;

    #[test]
    fn constant_columns_do_not_divide_by_zero_and_shapes_are_checked() {
        let x = Tensor::from_slice(&[2.0f64, 2.0, 2.0]).reshape([3, 1]);
        let z = Standardizer::fit(&x).transform(&x).unwrap();
        assert_eq!(z.abs().sum(Kind::Double).double_value(&[]), 0.0);
        let err = Standardizer::fit(&x).transform(&Tensor::zeros([3, 2], (Kind::Double, tch::Device::Cpu)));
        assert_eq!(err.unwrap_err().to_string(), "scaler fitted on 1 columns cannot transform shape [3, 2]");
    }

    #[test]
    fn statistics_match_numpy() {
        // numpy: x = [[1, 2], [3, 6], [5, 7]]; x.mean(0) = [3, 5]; x.std(0) = [1.63299316, 2.1602469]
        let x = Tensor::from_slice(&[1.0f64, 2.0, 3.0, 6.0, 5.0, 7.0]).reshape([3, 2]);
        let s = Standardizer::fit(&x);
        assert_eq!(Vec::<f64>::try_from(&s.mean).unwrap(), vec![3.0, 5.0]);
        let std = Vec::<f64>::try_from(&s.std).unwrap();
        assert!((std[0] - 1.632_993_16).abs() < 1e-8 && (std[1] - 2.160_246_9).abs() < 1e-7);
    }
}
