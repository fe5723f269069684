"""What capturing variables for the debugger's panel costs a cell (issue 24), same run.

    .venv/bin/python bench/variables.py [--cells 9]

For 1, 20 and 200 stored variables (a quarter each of i64, String, Vec<f64> of 1000 items and
2x3 Tensor), starts one kernel with the captures on and one with them off
(`TORCHBOOK_VARIABLES=0`, the rustc wrapper then leaves them out: the "before"), defines the
variables, then times `--cells` runs of a one-statement cell. With `:timing` on, evcxr reports
each phase; the run phase ("Execution") holds the capture itself, the compile phases hold the
capture code rustc compiles. Also times 500 `inspectVariables` requests against the 200-variable
kernel. Prints medians with spread (bench/stats.py) and the on/off ratios.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernel_client import Kernel  # noqa: E402
from stats import summary  # noqa: E402
from test_debugger import Dap  # noqa: E402


def definitions(n: int) -> str:
    lines = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            lines.append(f"let v{i}: i64 = {i};")
        elif kind == 1:
            lines.append(f"let v{i} = String::from(\"value {i}\");")
        elif kind == 2:
            lines.append(f"let v{i}: Vec<f64> = (0..1000).map(|x| x as f64).collect();")
        else:
            lines.append(f"let v{i} = Tensor::ones([2, 3], (Kind::Float, Device::Cpu));")
    return "\n".join(lines)


def measure(n: int, capture: bool, cells: int) -> dict[str, list[float]]:
    env = dict(os.environ, TORCHBOOK_STANDBY="0", TORCHBOOK_VARIABLES="1" if capture else "0")
    kernel = Kernel(env=env)
    try:
        kernel.ok(definitions(n))
        kernel.ok(":timing")
        phases: dict[str, list[float]] = {"wall": []}
        for i in range(cells):
            started = time.perf_counter()
            run = kernel.ok(f"let z = {i};")
            phases["wall"].append(time.perf_counter() - started)
            for name, secs in re.findall(r"\| ([^|]+?) ([0-9.]+)s", run.result() or ""):
                phases.setdefault(name, []).append(float(secs))
        if capture and n == 200:
            dap = Dap(kernel)
            times = []
            for _ in range(500):
                started = time.perf_counter()
                dap.panel()
                times.append(time.perf_counter() - started)
            phases["inspectVariables (500 requests)"] = times
        return phases
    finally:
        kernel.shutdown()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cells", type=int, default=9)
    opts = ap.parse_args()
    for n in (1, 20, 200):
        on = measure(n, True, opts.cells)
        off = measure(n, False, opts.cells)
        print(f"\n{n} stored variables, one-statement cell, {opts.cells} cells each")
        for phase in on:
            line = f"  {phase:<32} on {summary(on[phase])}"
            if phase in off:
                ratio = statistics.median(on[phase]) / max(statistics.median(off[phase]), 1e-9)
                delta = (statistics.median(on[phase]) - statistics.median(off[phase])) * 1e3
                line += f" | off {summary(off[phase])} | on/off {ratio:.2f} ({delta:+.1f} ms)"
            print(line)


if __name__ == "__main__":
    main()
