"""How much warming standbys slow a notebook that runs beside them (issue 25, item 2), same run.

    .venv/bin/python bench/standby_yield.py [--standbys 2] [--rounds 3]

One kernel without standbys (`TORCHBOOK_STANDBY=0`) runs a training-like cell (tests/test_parallel's
`TRAIN`: libtorch on every core) and a cell that compiles (a new function each time: rustc). Each is
timed alone, then while `--standbys` freshly started standbys warm up (cargo, rustc and
rust-analyzer: about a minute of both cores), in two configurations:
- **yielding**: the standbys as the kernel starts them (their own session, its autogroup at
  niceness 19, threads at 10: kernel/src/priority.rs);
- **before**: the same standbys with their autogroup set back to 0 by this script as soon as they
  start (root only), which is how they ran before item 2: threads at niceness 10, but a session
  with an equal share of the processors.
The training cell times itself (`Instant`); the compiling cell is timed from the client's send to
its reply. Prints medians with spread (bench/stats.py) and the ratios to alone.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from kernel_client import Kernel  # noqa: E402
from stats import summary  # noqa: E402
from test_parallel import TRAIN, seconds_and_threads  # noqa: E402
from test_standby import ready_standbys, store  # noqa: E402

SPEC = json.loads((Path(sys.prefix) / "share/jupyter/kernels/torchbook/kernel.json").read_text())
BINARY = SPEC["argv"][0]
ENV = dict(os.environ, **SPEC["env"])


def stop_standbys() -> None:
    subprocess.run([BINARY, "standby", "--stop"], env=ENV, check=True, capture_output=True)


def start_standbys(n: int, client: int, before: bool) -> list[subprocess.Popen]:
    env = dict(ENV, TORCHBOOK_STANDBY_FOR_PID=str(client), TORCHBOOK_STANDBY=str(n))
    env.pop("JPY_PARENT_PID", None)
    started = [subprocess.Popen([BINARY, "standby"], env=env, start_new_session=True,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(n)]
    if before:
        # Undo the autogroup niceness as soon as the standby has set it.
        for p in started:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    if Path(f"/proc/{p.pid}/autogroup").read_text().split()[-1] != "0":
                        Path(f"/proc/{p.pid}/autogroup").write_text("0")
                        break
                except OSError:
                    pass
                time.sleep(0.01)
    return started


def warming(standbys: list[subprocess.Popen]) -> bool:
    ready = {p.stem for p in ready_standbys()}
    return any(str(p.pid) not in ready and p.poll() is None for p in standbys)


def timings(kernel: Kernel, counter: list[int], rounds: int, while_=lambda: True) -> tuple[list[float], list[float]]:
    train, build = [], []
    for _ in range(rounds):
        if not while_():
            break
        train.append(seconds_and_threads(kernel.ok(TRAIN).result())[0])
        counter[0] += 1
        started = time.monotonic()
        kernel.ok(f"fn f{counter[0]}(x: i64) -> i64 {{ x * {counter[0]} }}\nf{counter[0]}(2)")
        build.append(time.monotonic() - started)
    return train, build


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--standbys", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    stop_standbys()
    client = subprocess.Popen(["sleep", "3600"])
    kernel = Kernel(env=dict(os.environ, TORCHBOOK_STANDBY="0"))
    counter = [0]
    rows = []
    try:
        kernel.ok(TRAIN)
        alone = timings(kernel, counter, args.rounds)
        rows.append(("alone", alone))
        for name, before in [("beside warming standbys, before (autogroup 0)", True),
                             ("beside warming standbys, yielding (autogroup 19)", False)]:
            standbys = start_standbys(args.standbys, client.pid, before)
            time.sleep(2)  # cargo and rustc under way
            rows.append((name, timings(kernel, counter, args.rounds, lambda: warming(standbys))))
            for p in standbys:
                p.kill()
                p.wait()
            stop_standbys()
    finally:
        kernel.shutdown()
        client.kill()
        stop_standbys()
    print(f"{args.standbys} standbys warming; {os.cpu_count()} CPUs; store {store()}")
    for name, (train, build) in rows:
        if not train:
            print(f"{name}: the standbys were ready before a round ran")
            continue
        ratio = ""
        if name != "alone":
            import statistics

            ratio = (f"  ({statistics.median(train) / statistics.median(alone[0]):.2f}x,"
                     f" {statistics.median(build) / statistics.median(alone[1]):.2f}x alone)")
        print(f"{name}: training cell {summary(train)}, compiling cell {summary(build)}{ratio}")


if __name__ == "__main__":
    main()
