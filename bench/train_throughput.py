"""Training steps per second: the Torchbook prelude (Rust, tch) against PyTorch eager, side by side.

    .venv/bin/python bench/train_throughput.py [--rounds 5] [--steps 300] [--threads 2]
        [--device cpu|cuda] [--binary PATH]

`--binary` runs a prebuilt `train_throughput` (the GPU bundle's, gpu/README.md) instead of
building it with cargo; `--device cuda` runs both sides on the first GPU.

Same models, same batch sizes, same thread count, same machine, alternating Rust and Python in
each round; prints each figure's median (min-max) and the ratio Rust / PyTorch. Models (the
course's): `text` = Embedding 10,000x16 -> mean pooling -> Linear, batch 32, sequence 100, and
`lstm` = the same embedding -> LSTM 128 -> Linear on the last hidden state (notebook 06); `mlp`
= 64-256-256-10 on digit-sized input, batch 64; `cnn` = notebook 07's digits CNN (conv 3x3 1->16,
ReLU, max pool 2, conv 3x3 16->32, ReLU, max pool 2, dropout 0.2, Linear 128->10), batch 32.
Optimizer: Adam (lr 1e-3), the prelude's own and libtorch's (through tch).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from stats import summary  # noqa: E402


def rust_binary() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache" / "torchbook" / "target"))
    env = dict(os.environ, CARGO_TARGET_DIR=str(target), LIBTORCH_USE_PYTORCH="1")
    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "torchbook", "--example", "train_throughput"],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    return target / "release" / "examples" / "train_throughput"


def rust_steps(binary: Path, model: str, optimizer: str, steps: int, threads: int, device: str) -> float:
    torch_lib = Path(torch.__file__).parent / "lib"
    env = dict(os.environ, LD_LIBRARY_PATH=f"{torch_lib}:{os.environ.get('LD_LIBRARY_PATH', '')}")
    run = subprocess.run([str(binary), model, optimizer, str(steps), str(threads), device], env=env,
                         capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit(f"{binary} {model} {optimizer} failed:\n{run.stderr[-3000:]}")
    out = run.stdout
    return float(out.split()[-1])


def python_steps(model: str, steps: int, threads: int, device: str) -> float:
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    with torch.device(device):
        return timed_steps(model, steps, device)


def timed_steps(model: str, steps: int, device: str) -> float:
    if model in ("text", "lstm"):
        emb = torch.nn.Embedding(10_000, 16)
        x = torch.randint(10_000, (32, 100))
        y = torch.randint(2, (32, 1)).float()
        if model == "text":
            dense = torch.nn.Linear(16, 1)
            params = list(emb.parameters()) + list(dense.parameters())

            def forward():
                return F.binary_cross_entropy_with_logits(dense(emb(x).mean(1)), y)
        else:
            lstm = torch.nn.LSTM(16, 128, batch_first=True)
            dense = torch.nn.Linear(128, 1)
            params = list(emb.parameters()) + list(lstm.parameters()) + list(dense.parameters())

            def forward():
                _, (hidden, _) = lstm(emb(x))
                return F.binary_cross_entropy_with_logits(dense(hidden[-1]), y)
    elif model == "cnn":
        net = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Flatten(), torch.nn.Dropout(0.2), torch.nn.Linear(32 * 2 * 2, 10))
        params = list(net.parameters())
        x = torch.rand(32, 1, 8, 8)
        y = torch.randint(10, (32,))

        def forward():
            return F.cross_entropy(net(x), y)
    else:
        net = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256),
                                  torch.nn.ReLU(), torch.nn.Linear(256, 10))
        params = list(net.parameters())
        x = torch.rand(64, 64)
        y = torch.randint(10, (64,))

        def forward():
            return F.cross_entropy(net(x), y)
    opt = torch.optim.Adam(params, lr=1e-3)

    def step():
        opt.zero_grad()
        forward().backward()
        opt.step()

    for _ in range(20):
        step()
    started = time.perf_counter()
    for _ in range(steps):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    return steps / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--models", nargs="+", default=["text", "lstm", "mlp", "cnn"],
                        choices=["text", "lstm", "mlp", "cnn"])
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--binary", type=Path, help="a prebuilt train_throughput (else cargo builds it)")
    args = parser.parse_args()
    if args.device == "cuda" and not torch.cuda.is_available():
        parser.error("--device cuda: this PyTorch sees no GPU")
    binary = args.binary or rust_binary()
    print(f"torch {torch.__version__}, {args.device}, {args.threads} threads, {args.steps} steps per run, "
          f"{args.rounds} rounds")
    for model in args.models:
        results = {"pytorch": [], "torchbook adam": [], "tch adam": []}
        for _ in range(args.rounds):
            results["pytorch"].append(python_steps(model, args.steps, args.threads, args.device))
            for optimizer in ("torchbook", "tch"):
                results[f"{optimizer} adam"].append(
                    rust_steps(binary, model, optimizer, args.steps, args.threads, args.device))
        base = statistics.median(results["pytorch"])
        for name, values in results.items():
            ratio = statistics.median(values) / base
            print(f"{model:>5} {name:<15} {summary(values, 'steps/s', 1)}  ratio to PyTorch {ratio:.2f}x")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
