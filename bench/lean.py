"""Issue #14's four goals, measured in one run against ipykernel + torch and the rustc floor.

    .venv/bin/python bench/lean.py [--repeats 5] [--starts 3]

1. Resident memory of one kernel (every process it runs), idle after a first tensor result,
   with no standby: RSS as the goal counts it, and PSS (shared pages split between processes).
2. Kernel start to the first tensor result: cold (`TORCHBOOK_STANDBY=0`), with a standby
   ready, and three then five notebooks opened one after another with the default pool (each
   opened as soon as the one before showed its first result, all left open).
3. The ten cells of bench/peers.py, in a kernel just taken from the pool (so the pool refills
   while the cells run, as in normal use), against rustc compiling and linking a one-line
   dynamic library in the same run.
4. Completion: the first request in a new kernel (standby and cold), then every kind of
   completion a notebook asks for, against JupyterLab's 1 s limit.

Every figure is a median with min-max; ratios are Torchbook / peer. Kernels are shut down and
the standby pool stopped at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from peers import (CELLS, PY_FIRST, TB_FIRST, Client, rustc_floor, spawn_standbys,  # noqa: E402
                   torchbook_rss, torchbook_store, wait_for_standbys, write_specs)
from stats import summary  # noqa: E402

COLD = dict(os.environ, TORCHBOOK_STANDBY="0")

# Completion requests a notebook makes: (code, what it completes).
COMPLETIONS = [
    ("Tensor::ze", "an associated function of tch's Tensor"),
    ("x.su", "a method of a variable of type Tensor"),
    ("let y = x.matm", "a method inside a statement"),
    ("Kind::Fl", "an enum variant"),
    ("std::collections::Hash", "a path in std"),
    ("nn::li", "a function of the prelude's nn"),
    ("LineChart::n", "a prelude type's constructor"),
    ("x.sum(Kind::Float).to_k", "a chained method"),
]


def tree_memory(pid: int) -> tuple[float, float]:
    """(RSS, PSS) in MiB of process `pid` and all its descendants."""
    rss = pss = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
            for f in Path(f"/proc/{p}/task").glob("*/children"):
                stack.extend(int(c) for c in f.read_text().split())
        except OSError:
            pass
    return rss / 1024, pss / 1024


def serving_pid(c: Client) -> int:
    return int(c.run_result("std::os::unix::process::parent_id()"))


def complete_time(c: Client, code: str) -> tuple[float, int]:
    t0 = time.perf_counter()
    msg_id = c.kc.complete(code, len(code))
    while True:
        reply = c.kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            return time.perf_counter() - t0, len(reply["content"]["matches"])


def stop_standbys() -> None:
    spec_bin = Path(sys.executable).parent / "torchbook-kernel"
    subprocess.run([str(spec_bin), "standby", "--stop"], env=dict(os.environ, TORCHBOOK_STORE=str(torchbook_store())),
                   capture_output=True)


def memory(repeats: int) -> None:
    print("\n## 1. Resident memory, idle after the first tensor (no standby), MiB")
    tb_rss, tb_pss, py_rss, py_pss = [], [], [], []
    for _ in range(repeats):
        c = Client("torchbook", COLD)
        c.run(TB_FIRST)
        time.sleep(2)
        rss, pss = tree_memory(c.km.provisioner.pid)
        tb_rss.append(rss)
        tb_pss.append(pss)
        c.close()
        p = Client("bench-ipykernel")
        p.run(PY_FIRST)
        time.sleep(2)
        rss, pss = tree_memory(p.km.provisioner.pid)
        py_rss.append(rss)
        py_pss.append(pss)
        p.close()
    print(f"torchbook RSS {summary(tb_rss, 'MiB', 0)}; PSS {summary(tb_pss, 'MiB', 0)}")
    print(f"ipykernel + torch RSS {summary(py_rss, 'MiB', 0)}; PSS {summary(py_pss, 'MiB', 0)}")
    print(f"ratio (RSS): {statistics.median(tb_rss) / statistics.median(py_rss):.2f}x; goal: at most 700 MiB "
          f"-> {'met' if statistics.median(tb_rss) <= 700 else 'not met'}")


def starts(n: int) -> None:
    print("\n## 2. Kernel start to the first tensor result, s")
    cold, ready, py = [], [], []
    for _ in range(n):
        t0 = time.perf_counter()
        c = Client("torchbook", COLD)
        c.run(TB_FIRST)
        cold.append(time.perf_counter() - t0)
        c.close()
        wait_for_standbys()
        t0 = time.perf_counter()
        c = Client("torchbook")
        c.run(TB_FIRST)
        ready.append(time.perf_counter() - t0)
        c.close()
        t0 = time.perf_counter()
        p = Client("bench-ipykernel")
        p.run(PY_FIRST)
        py.append(time.perf_counter() - t0)
        p.close()
    pm = statistics.median(py)
    print(f"torchbook cold (no standby): {summary(cold)} = {statistics.median(cold) / pm:.2f}x ipykernel; "
          f"goal 3 s -> {'met' if statistics.median(cold) <= 3 else 'not met'}")
    print(f"torchbook, a standby ready: {summary(ready)} = {statistics.median(ready) / pm:.2f}x ipykernel; "
          f"goal 0.5 s -> {'met' if statistics.median(ready) <= 0.5 else 'not met'}")
    print(f"ipykernel + torch: {summary(py)}")
    for count in (3, 5):
        wait_for_standbys()
        opened, line = [], []
        for i in range(count):
            t0 = time.perf_counter()
            c = Client("torchbook")
            c.run(TB_FIRST)
            elapsed = time.perf_counter() - t0
            by_standby = serving_pid(c) != c.km.provisioner.pid
            opened.append(c)
            goal = 0.5 if by_standby else 3.0
            line.append(f"{elapsed:.2f} s ({'standby' if by_standby else 'cold'}, "
                        f"{'met' if elapsed <= goal else 'not met'})")
        print(f"{count} notebooks one after another: " + ", ".join(line))
        for c in opened:
            c.close()


def cells(repeats: int) -> None:
    print("\n## 3. Per-cell latency in a kernel just taken from the pool (the pool refills meanwhile), s")
    wait_for_standbys()
    c = Client("torchbook")
    c.run(TB_FIRST)
    times: dict[str, list[float]] = {name: [] for name in CELLS}
    for i in range(repeats):
        for name, (code, _) in CELLS.items():
            t0 = time.perf_counter()
            c.run(code.format(i=i))
            times[name].append(time.perf_counter() - t0)
    c.close()
    floor = statistics.median(rustc_floor(repeats))
    print(f"floor: rustc, one-line cdylib, {floor:.3f} s (same run)")
    worst = 0.0
    for name, values in times.items():
        ratio = statistics.median(values) / floor
        worst = max(worst, ratio)
        print(f"{name:>15}: {summary(values)} = {ratio:.2f}x the floor")
    expr = statistics.median(times["expression"])
    print(f"expression {expr:.3f} s (goal 0.15 s -> {'met' if expr <= 0.15 else 'not met'}); worst ratio "
          f"{worst:.2f}x the floor (goal 2.5x -> {'met' if worst <= 2.5 else 'not met'})")


def completions() -> None:
    print("\n## 4. Completion, s (JupyterLab gives up after 1 s)")
    for label, env in (("standby", None), ("cold", COLD)):
        if env is None:
            wait_for_standbys()
        c = Client("torchbook", env)
        first, n = complete_time(c, "Tensor::ze")
        print(f"first completion in a new kernel ({label}): {first:.3f} s, {n} matches; goal 0.5 s -> "
              f"{'met' if first <= 0.5 else 'not met'}")
        if env is None:
            c.run(TB_FIRST)
            worst = 0.0
            for code, what in COMPLETIONS:
                t, n = complete_time(c, code)
                worst = max(worst, t)
                print(f"  {what:<42} {code!r:<28} {t:.3f} s, {n} matches")
            print(f"slowest: {worst:.3f} s -> {'under' if worst < 1 else 'over'} 1 s")
        c.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--starts", type=int, default=3)
    args = parser.parse_args()
    write_specs()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}, commit {commit}, {os.cpu_count()} CPUs")
    spawn_standbys()
    try:
        memory(args.starts)
        starts(args.starts)
        cells(args.repeats)
        completions()
    finally:
        stop_standbys()


if __name__ == "__main__":
    main()
