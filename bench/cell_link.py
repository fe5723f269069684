"""The cell's build with and without the cell linker (kernel/src/execution/cell_linker.rs), same run.

    .venv/bin/python bench/cell_link.py [--runs 7] [--rounds 2]

Starts a kernel with no pool, runs a tensor cell, then replays the rustc command the kernel
recorded for it (`target/torchbook-cell-recipe.json`: what the kernel runs for every cell when
nothing cargo watches changed) with the cell-linker link in place, and with it removed (rustc's
`cc` with every library rustc passes, libtorch's included), alternating rounds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from kernel_client import Kernel  # noqa: E402


def os_string(value):
    """serde's form of an `OsString` on Unix: {"Unix": [bytes]}."""
    return bytes(value["Unix"]).decode() if isinstance(value, dict) else value


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--rounds", type=int, default=2)
    opts = ap.parse_args()
    kernel = Kernel(env=dict(os.environ, TORCHBOOK_STANDBY="0"))
    try:
        home = Path(kernel.ok('std::env::var("EVCXR_TMPDIR").unwrap()').result().strip('"'))
        kernel.ok("let t = Tensor::ones([2, 2], (Kind::Float, Device::Cpu));")
        kernel.ok("t.sum(Kind::Float)")
        recipe = json.loads((home / "target/torchbook-cell-recipe.json").read_text())
        command = [os_string(recipe["program"]), *map(os_string, recipe["args"])]
        env = {os_string(k): os_string(v) for k, v in recipe["env"]}
        link = home / ".torchbook-bin" / "torchbook-cell-linker"
        target = os.readlink(link)

        def times() -> list[float]:
            out = []
            for _ in range(opts.runs):
                start = time.perf_counter()
                subprocess.run(command, env=env, cwd=home, check=True, capture_output=True)
                out.append(time.perf_counter() - start)
            return out

        with_linker: list[float] = []
        without: list[float] = []
        for _ in range(opts.rounds):
            with_linker += times()
            link.unlink()
            try:
                without += times()
            finally:
                link.symlink_to(target)
        a, b = statistics.median(with_linker), statistics.median(without)
        print(f"cell build (recorded rustc command), n={len(with_linker)} each:")
        print(f"  with the cell linker:    {a:.3f} s ({min(with_linker):.3f}-{max(with_linker):.3f})")
        print(f"  rustc's cc, every -l:    {b:.3f} s ({min(without):.3f}-{max(without):.3f})")
        print(f"  ratio {a / b:.2f}x")
    finally:
        kernel.shutdown()


if __name__ == "__main__":
    main()
