//! Training steps per second of the course's models with the Torchbook prelude, for the
//! side-by-side comparison with PyTorch in `bench/train_throughput.py`.
//!
//! `train_throughput MODEL OPTIMIZER STEPS THREADS [DEVICE]` with MODEL one of the course's models:
//! `text` (Embedding 10,000×16, mean pooling, Linear; batch 32, sequence 100), `lstm` (Embedding
//! 10,000×16, LSTM 128, Linear on the last hidden state; batch 32, sequence 100), `mlp` (digits
//! MLP 64-256-256-10, batch 64) or `cnn` (notebook 07's digits CNN: two 3×3 convolutions with
//! ReLU and 2×2 max pooling, dropout 0.2, Linear; 8×8 images, batch 32); and
//! OPTIMIZER `torchbook` (the prelude's Adam) or `tch` (libtorch's Adam through tch); DEVICE
//! `cpu` (the default) or `cuda` (the first GPU; the clock stops after the GPU has finished).
//! Prints one line: `steps_per_second <value>`.

use std::time::Instant;
use torchbook::prelude::*;

/// A loss as the training step calls it.
type LossFn = fn(&Tensor, &Tensor) -> Tensor;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: train_throughput text|lstm|mlp|cnn torchbook|tch STEPS THREADS [cpu|cuda]";
    let model_name = args.get(1).map(String::as_str).ok_or_else(|| anyhow::anyhow!(usage))?;
    let optimizer_name = args.get(2).map(String::as_str).ok_or_else(|| anyhow::anyhow!(usage))?;
    let steps: usize = args.get(3).ok_or_else(|| anyhow::anyhow!(usage))?.parse()?;
    let threads: i32 = args.get(4).ok_or_else(|| anyhow::anyhow!(usage))?.parse()?;
    // What every notebook gets from the kernel's preload (`runtime::init`); it loads
    // libtorch_cuda.so, so CUDA is only visible after it.
    torchbook::runtime::init();
    let device = match args.get(5).map(String::as_str) {
        None | Some("cpu") => Device::Cpu,
        Some("cuda") if tch::Cuda::is_available() => Device::Cuda(0),
        Some("cuda") => anyhow::bail!("cuda was asked for but libtorch sees no GPU (doctor() says why)"),
        Some(other) => anyhow::bail!("unknown device {other:?}; {usage}"),
    };
    tch::set_num_threads(threads);
    tch::manual_seed(0);
    let vs = nn::VarStore::new(device);
    let (model, x, y, loss): (nn::SequentialT, Tensor, Tensor, LossFn) = match model_name {
        "text" => (
            nn::seq_t()
                .add(nn::embedding(&vs.root() / "embedding", 10_000, 16, Default::default()))
                .add(GlobalAveragePooling1d)
                .add(nn::linear(&vs.root() / "dense", 16, 1, Default::default())),
            Tensor::randint(10_000, [32, 100], (Kind::Int64, device)),
            Tensor::randint(2, [32, 1], (Kind::Float, device)),
            binary_cross_entropy_with_logits,
        ),
        "lstm" => (
            nn::seq_t()
                .add(nn::embedding(&vs.root() / "embedding", 10_000, 16, Default::default()))
                .add(lstm(&vs.root() / "lstm", 16, 128, Default::default()))
                .add(nn::linear(&vs.root() / "dense", 128, 1, Default::default())),
            Tensor::randint(10_000, [32, 100], (Kind::Int64, device)),
            Tensor::randint(2, [32, 1], (Kind::Float, device)),
            binary_cross_entropy_with_logits,
        ),
        "cnn" => {
            let same = nn::ConvConfig { padding: 1, ..Default::default() };
            (
                nn::seq_t()
                    .add(nn::conv2d(&vs.root() / "conv1", 1, 16, 3, same))
                    .add_fn(|x| x.relu())
                    .add(MaxPool2d::new(2))
                    .add(nn::conv2d(&vs.root() / "conv2", 16, 32, 3, same))
                    .add_fn(|x| x.relu())
                    .add(MaxPool2d::new(2))
                    .add(Flatten)
                    .add(Dropout::new(0.2))
                    .add(nn::linear(&vs.root() / "out", 32 * 2 * 2, 10, Default::default())),
                Tensor::rand([32, 1, 8, 8], (Kind::Float, device)),
                Tensor::randint(10, [32], (Kind::Int64, device)),
                cross_entropy,
            )
        }
        "mlp" => (
            nn::seq_t()
                .add(nn::linear(&vs.root() / "fc1", 64, 256, Default::default()))
                .add_fn(|x| x.relu())
                .add(nn::linear(&vs.root() / "fc2", 256, 256, Default::default()))
                .add_fn(|x| x.relu())
                .add(nn::linear(&vs.root() / "fc3", 256, 10, Default::default())),
            Tensor::rand([64, 64], (Kind::Float, device)),
            Tensor::randint(10, [64], (Kind::Int64, device)),
            cross_entropy,
        ),
        other => anyhow::bail!("unknown model {other:?}; {usage}"),
    };
    let mut optimizer: Box<dyn Optimizer> = match optimizer_name {
        "torchbook" => Box::new(Adam::new(vs.trainable_variables(), AdamConfig::default())),
        "tch" => Box::new(nn::Adam::default().build(&vs, 1e-3)?),
        other => anyhow::bail!("unknown optimizer {other:?}; {usage}"),
    };
    let mut step = || {
        optimizer.zero_grad();
        loss(&model.forward_t(&x, true), &y).backward();
        optimizer.step();
    };
    for _ in 0..20 {
        step();
    }
    let started = Instant::now();
    for _ in 0..steps {
        step();
    }
    if let Device::Cuda(index) = device {
        tch::Cuda::synchronize(index as i64);
    }
    println!("steps_per_second {:.1}", steps as f64 / started.elapsed().as_secs_f64());
    Ok(())
}
