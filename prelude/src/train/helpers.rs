use std::time::{Duration, Instant};
use tch::Device;

/// Measures elapsed time over several runs (d2l's `Timer`).
///
/// ```
/// use torchbook::prelude::*;
/// let mut t = Timer::start();
/// t.stop();
/// assert_eq!(t.times().len(), 1);
/// ```
#[derive(Debug, Clone)]
pub struct Timer {
    started: Instant,
    times: Vec<Duration>,
}

impl Timer {
    /// A running timer.
    pub fn start() -> Self {
        Timer { started: Instant::now(), times: Vec::new() }
    }
    /// Starts a new run.
    pub fn restart(&mut self) {
        self.started = Instant::now();
    }
    /// Ends the current run and records it; returns its duration.
    pub fn stop(&mut self) -> Duration {
        let d = self.started.elapsed();
        self.times.push(d);
        d
    }
    /// Recorded runs.
    pub fn times(&self) -> &[Duration] {
        &self.times
    }
    /// Mean of the recorded runs.
    pub fn avg(&self) -> Duration {
        if self.times.is_empty() {
            Duration::ZERO
        } else {
            self.sum() / self.times.len() as u32
        }
    }
    /// Total of the recorded runs.
    pub fn sum(&self) -> Duration {
        self.times.iter().sum()
    }
}

/// Sums several quantities at once (d2l's `Accumulator`), e.g. loss, correct, count.
///
/// ```
/// use torchbook::prelude::*;
/// let mut acc = Accumulator::new(2);
/// acc.add(&[1.0, 2.0]);
/// acc.add(&[3.0, 4.0]);
/// assert_eq!((acc[0], acc[1]), (4.0, 6.0));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Accumulator {
    sums: Vec<f64>,
}

impl Accumulator {
    /// `n` sums at zero.
    pub fn new(n: usize) -> Self {
        Accumulator { sums: vec![0.0; n] }
    }
    /// Adds `values` elementwise (panics naming both lengths if they differ).
    pub fn add(&mut self, values: &[f64]) {
        assert_eq!(
            values.len(),
            self.sums.len(),
            "Accumulator has {} sums but got {} values",
            self.sums.len(),
            values.len()
        );
        for (s, v) in self.sums.iter_mut().zip(values) {
            *s += v;
        }
    }
    /// Back to zero.
    pub fn reset(&mut self) {
        self.sums.iter_mut().for_each(|s| *s = 0.0);
    }
}

impl std::ops::Index<usize> for Accumulator {
    type Output = f64;
    fn index(&self, i: usize) -> &f64 {
        &self.sums[i]
    }
}

/// The first GPU when libtorch can use one, else the CPU (d2l's `try_gpu`).
pub fn try_gpu() -> Device {
    crate::runtime::cuda_load();
    Device::cuda_if_available()
}

/// Seeds libtorch's generators (CPU and CUDA) for reproducible runs.
pub fn seed_everything(seed: u64) {
    tch::manual_seed(seed as i64);
    if tch::Cuda::is_available() {
        tch::Cuda::manual_seed_all(seed);
    }
}
