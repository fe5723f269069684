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
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let timer = Timer::start();
    /// assert!(timer.times().is_empty()); // nothing recorded until `stop`
    /// ```
    pub fn start() -> Self {
        Timer { started: Instant::now(), times: Vec::new() }
    }
    /// Starts a new run.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let mut timer = Timer::start();
    /// std::thread::sleep(std::time::Duration::from_millis(20));
    /// timer.restart(); // the 20 ms above are not counted
    /// let run = timer.stop();
    /// assert!(run < std::time::Duration::from_secs(10));
    /// ```
    pub fn restart(&mut self) {
        self.started = Instant::now();
    }
    /// Ends the current run and records it; returns its duration.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let mut timer = Timer::start();
    /// let first = timer.stop();
    /// assert_eq!(timer.times(), &[first]);
    /// ```
    pub fn stop(&mut self) -> Duration {
        let d = self.started.elapsed();
        self.times.push(d);
        d
    }
    /// Recorded runs.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let mut timer = Timer::start();
    /// for _ in 0..3 {
    ///     timer.restart();
    ///     timer.stop();
    /// }
    /// assert_eq!(timer.times().len(), 3);
    /// ```
    pub fn times(&self) -> &[Duration] {
        &self.times
    }
    /// Mean of the recorded runs.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let mut timer = Timer::start();
    /// timer.stop();
    /// timer.restart();
    /// timer.stop();
    /// assert_eq!(timer.times().len(), 2);
    /// assert!(timer.avg() <= timer.sum());
    /// ```
    pub fn avg(&self) -> Duration {
        if self.times.is_empty() {
            Duration::ZERO
        } else {
            self.sum() / self.times.len() as u32
        }
    }
    /// Total of the recorded runs.
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let timer = Timer::start();
    /// assert_eq!(timer.sum(), std::time::Duration::ZERO);
    /// ```
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
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let acc = Accumulator::new(3);
    /// assert_eq!((acc[0], acc[1], acc[2]), (0.0, 0.0, 0.0));
    /// ```
    pub fn new(n: usize) -> Self {
        Accumulator { sums: vec![0.0; n] }
    }
    /// Adds `values` elementwise (panics naming both lengths if they differ).
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// // d2l's use: summed loss, correct predictions and examples over batches.
    /// let mut acc = Accumulator::new(3);
    /// acc.add(&[2.5, 7.0, 10.0]);
    /// acc.add(&[1.5, 9.0, 10.0]);
    /// assert_eq!((acc[0] / acc[2], acc[1] / acc[2]), (0.2, 0.8));
    /// ```
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
    ///
    /// ```
    /// use torchbook::prelude::*;
    /// let mut acc = Accumulator::new(1);
    /// acc.add(&[5.0]);
    /// acc.reset();
    /// assert_eq!(acc[0], 0.0);
    /// ```
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
///
/// ```
/// use torchbook::prelude::*;
/// let device = try_gpu();
/// assert_eq!(device.is_cuda(), tch::Cuda::is_available());
/// let x = Tensor::ones([2], (Kind::Float, device));
/// assert_eq!(x.device(), device);
/// ```
pub fn try_gpu() -> Device {
    crate::runtime::cuda_load();
    Device::cuda_if_available()
}

/// Seeds libtorch's generators (CPU and CUDA) for reproducible runs.
///
/// ```
/// use torchbook::prelude::*;
/// seed_everything(7);
/// let a = Tensor::randn([3], (Kind::Float, Device::Cpu));
/// seed_everything(7);
/// assert!(a.equal(&Tensor::randn([3], (Kind::Float, Device::Cpu))));
/// ```
pub fn seed_everything(seed: u64) {
    tch::manual_seed(seed as i64);
    if tch::Cuda::is_available() {
        tch::Cuda::manual_seed_all(seed);
    }
}
