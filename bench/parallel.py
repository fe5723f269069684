"""The course run by nbmake one after another and two at once, with standbys on and off (issue 25).

    .venv/bin/python bench/parallel.py [--before] [--skip-peer]

Each configuration runs `pytest --nbmake notebooks/` (the real nbmake and pytest-xdist) from the
same starting state: no standby running, so its first kernel starts cold. Configurations:
- one after another, standbys on (the kernelspec's default) and off (`TORCHBOOK_STANDBY=0`);
- two at once (`-n 2`), standbys on and off;
- with `--before`: two at once with `OMP_NUM_THREADS` set to every core, which the kernel leaves
  alone (a user's choice wins), so every kernel spins libtorch on every core as before issue 25.
Prints each configuration's wall time, its nbmake result and its ratio to one after another
(standbys on), all measured in this run.

The peer, measured in the same run: PyTorch eager, two processes each training the same small
LSTM (`peer_lstm`), alone and two at once, with PyTorch's default threads (every core) and with
one thread each (the `OMP_NUM_THREADS=1` advice Python users get). The ratio that matters is the
slower of two at once over one alone.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = json.loads((Path(sys.prefix) / "share/jupyter/kernels/torchbook/kernel.json").read_text())
BINARY = SPEC["argv"][0]
ENV = dict(os.environ, **SPEC["env"])
ENV.pop("OMP_NUM_THREADS", None)

# The peer: the same work in every process, timed by the process itself (imports left out).
PEER_LSTM = """
import sys, time, torch
threads = int(sys.argv[1])
if threads:
    torch.set_num_threads(threads)
torch.manual_seed(0)
lstm = torch.nn.LSTM(64, 128, batch_first=True)
head = torch.nn.Linear(128, 2)
opt = torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-3)
x = torch.randn(32, 40, 64)
y = torch.randint(0, 2, (32,))
started = time.perf_counter()
for _ in range(60):
    out, _ = lstm(x)
    loss = torch.nn.functional.cross_entropy(head(out[:, -1]), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
print(f"{time.perf_counter() - started:.3f} {torch.get_num_threads()}")
"""


def stop_standbys() -> None:
    subprocess.run([BINARY, "standby", "--stop"], env=ENV, check=True, capture_output=True)
    # A stopped standby's processes take a moment to leave.
    time.sleep(3)


def run_course(workers: int, env_extra: dict[str, str]) -> tuple[float, str]:
    """(wall seconds, nbmake's result line and failures) for one run of the whole course."""
    stop_standbys()
    command = [sys.executable, "-m", "pytest", "--nbmake", "--nbmake-timeout=900",
               "-p", "no:cacheprovider", "-q", "-rf", "notebooks"]
    if workers > 1:
        command[3:3] = ["-n", str(workers)]
    env = dict(ENV, **env_extra)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    stop_standbys()
    lines = done.stdout.strip().splitlines()
    failures = [line.split("::")[0].split("/")[-1] for line in lines if line.startswith("FAILED")]
    summary = re.sub(r"=+", "", lines[-1]).strip() if lines else f"no output (exit {done.returncode})"
    summary = re.sub(r" in [0-9.]+s.*", "", summary)
    if failures:
        summary += " (" + ", ".join(failures) + ")"
    return wall, summary


def peer(threads: int, at_once: int) -> list[float]:
    """Seconds each of `at_once` PyTorch processes took, started together."""
    procs = [subprocess.Popen([sys.executable, "-c", PEER_LSTM, str(threads)], stdout=subprocess.PIPE,
                              text=True, env=ENV) for _ in range(at_once)]
    return [float(p.communicate()[0].split()[0]) for p in procs]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", action="store_true",
                        help="also run two at once with OMP_NUM_THREADS set to every core")
    parser.add_argument("--skip-peer", action="store_true", help="leave the PyTorch peer out")
    args = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    print(f"{cores} cores; {len(list((ROOT / 'notebooks').glob('*.ipynb')))} notebooks", flush=True)

    if not args.skip_peer:
        peer(0, 1)  # imports and the page cache warmed once
        for threads, label in ((0, f"default threads ({cores})"), (1, "1 thread each")):
            alone = min(peer(threads, 1) for _ in range(2))[0]
            both = peer(threads, 2)
            print(f"peer PyTorch LSTM, {label}: alone {alone:.2f} s, two at once "
                  f"{both[0]:.2f} s and {both[1]:.2f} s: {max(both) / alone:.2f}x alone", flush=True)

    configurations = [
        ("one after another, standbys on", 1, {}),
        ("two at once (-n 2), standbys on", 2, {}),
        ("two at once (-n 2), TORCHBOOK_STANDBY=0", 2, {"TORCHBOOK_STANDBY": "0"}),
        ("one after another, TORCHBOOK_STANDBY=0", 1, {"TORCHBOOK_STANDBY": "0"}),
    ]
    if args.before:
        configurations.append((f"two at once (-n 2), standbys on, OMP_NUM_THREADS={cores} (before)", 2,
                               {"OMP_NUM_THREADS": str(cores)}))
    rows = []
    for label, workers, extra in configurations:
        wall, result = run_course(workers, extra)
        rows.append((label, wall, result))
        print(f"{label}: {wall:.0f} s, {result}", flush=True)

    base = rows[0][1]
    print()
    print("| how | wall | ratio to one after another (standbys on) | result |")
    print("| --- | --- | --- | --- |")
    for label, wall, result in rows:
        print(f"| {label} | {wall:.0f} s | {wall / base:.2f}x | {result} |")


if __name__ == "__main__":
    main()
