"""Start-up and per-cell latency of the Torchbook kernel, measured through jupyter_client.

    .venv/bin/python bench/kernel_latency.py [--starts N] [--repeats N]

Prints, for each figure, the median with min and max over the runs. "Start to first result"
is from asking jupyter_client to start the kernel until the execute_reply of a cell that makes
a tensor (the prelude is loaded as part of start). Per-cell latency is from sending an
execute_request to receiving its execute_reply, for ten typical cells, each run `--repeats`
times in one kernel (a cell that defines an item gets a fresh name each time).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from kernel_client import Kernel  # noqa: E402

FIRST_CELL = "let x = Tensor::randn([3, 4], (Kind::Float, Device::Cpu));\nx.sum(Kind::Float)"

CELLS = {
    "expression": "1 + 2",
    "let": "let a{i} = 40 + {i};",
    "fn": "fn f{i}(v: i64) -> i64 {{ v * 2 }}",
    "struct": "struct P{i} {{ x: f64 }}",
    "loop": "let mut s{i} = 0u64;\nfor k in 0..1000u64 {{ s{i} += k; }}",
    "println": 'println!("hello {i}");',
    "tensor op": "let t{i} = Tensor::ones([64, 64], (Kind::Float, Device::Cpu)).matmul(&Tensor::ones([64, 64], (Kind::Float, Device::Cpu)));",
    "training step": (
        "let vs{i} = nn::VarStore::new(Device::Cpu);\n"
        "let net{i} = mlp(&vs{i}.root() / \"m\", &[8, 16, 1], Activation::Relu);\n"
        "let mut opt{i} = Adam::new(vs{i}.trainable_variables(), AdamConfig::default());\n"
        "let xb{i} = Tensor::randn([32, 8], (Kind::Float, Device::Cpu));\n"
        "let yb{i} = Tensor::rand([32, 1], (Kind::Float, Device::Cpu)).round();\n"
        "opt{i}.zero_grad();\n"
        "let l{i} = binary_cross_entropy_with_logits(&xb{i}.apply(&net{i}), &yb{i});\n"
        "l{i}.backward();\nopt{i}.step();"
    ),
    "plot": 'LineChart::new("c{i}").series_y("y", &[1.0, 0.5, 0.25])',
    "display update": 'let h{i} = display(&"start");\nh{i}.update(&"done");',
}


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):.3f} s (min {min(values):.3f}, max {max(values):.3f}, n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    starts = []
    for _ in range(args.starts):
        t0 = time.perf_counter()
        kernel = Kernel()
        kernel.ok(FIRST_CELL)
        starts.append(time.perf_counter() - t0)
        kernel.shutdown()
    print(f"kernel start to first tensor result: {summary(starts)}")

    kernel = Kernel()
    kernel.ok(FIRST_CELL)
    for name, template in CELLS.items():
        times = []
        for i in range(args.repeats):
            code = template.format(i=i)
            t0 = time.perf_counter()
            kernel.ok(code)
            times.append(time.perf_counter() - t0)
        print(f"cell {name:>14}: {summary(times)}")
    kernel.shutdown()


if __name__ == "__main__":
    main()
