"""Issue 13, item 3: a kernel inside a cgroup with a hub's limits (a real cgroup, made here as
root) keeps only the standby kernels that fit, runs libtorch on the CPU quota's threads, and
says both in doctor().

The limits are those of a small hub user: 2.5 GiB of memory (the kernel itself holds about
1.3 GiB; a standby needs as much again) and one CPU.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
LIMIT = 2560 << 20


def make_cgroup(name: str, limit: int = LIMIT) -> tuple[list[Path], callable]:
    """Creates memory and CPU cgroups; returns their `cgroup.procs` files and a remover."""
    v2 = Path("/sys/fs/cgroup/cgroup.controllers")
    made: list[Path] = []
    if v2.exists():
        d = Path("/sys/fs/cgroup") / name
        d.mkdir()
        made.append(d)
        (d / "memory.max").write_text(str(limit))
        (d / "cpu.max").write_text("100000 100000")
        procs = [d / "cgroup.procs"]
    else:
        own = next(l.split(":", 2)[2] for l in Path("/proc/self/cgroup").read_text().splitlines()
                   if l.split(":")[1] == "memory")
        mem = Path("/sys/fs/cgroup/memory") / own.lstrip("/") / name
        cpu = Path("/sys/fs/cgroup/cpu") / name
        for d in (mem, cpu):
            d.mkdir()
            made.append(d)
        (mem / "memory.limit_in_bytes").write_text(str(limit))
        (cpu / "cpu.cfs_period_us").write_text("100000")
        (cpu / "cpu.cfs_quota_us").write_text("100000")
        procs = [mem / "cgroup.procs", cpu / "cgroup.procs"]

    def remove():
        for d in reversed(made):
            for _ in range(50):
                try:
                    d.rmdir()
                    break
                except OSError:  # processes still leaving
                    time.sleep(0.2)
    return procs, remove


CLIENT = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, %r)
    from kernel_client import Kernel
    k = Kernel()
    try:
        r = k.ok("let r = doctor(); format!(\\"{}|{:?}|{:?}\\", r.threads, r.cpu_quota, r.standby_plan)").result()
        pid = int(k.ok("std::process::id()").result())
        env = open(f"/proc/{pid}/environ", "rb").read().split(b"\\0")
        omp = [e.decode() for e in env if e.startswith(b"OMP_NUM_THREADS=")]
        print(json.dumps({"doctor": r, "execution_pid": pid, "omp": omp}))
    finally:
        k.shutdown()
""")


@pytest.mark.skipif(os.geteuid() != 0, reason="making a cgroup needs root (CI runs as root)")
def test_a_kernel_under_a_hub_memory_limit_keeps_no_standby_and_follows_the_cpu_quota(tmp_path):
    name = f"torchbook-test-{os.getpid()}"
    procs, remove = make_cgroup(name)
    try:
        def enter():
            for p in procs:
                p.write_text(str(os.getpid()))
        env = dict(os.environ)
        env.pop("OMP_NUM_THREADS", None)
        run = subprocess.run([sys.executable, "-c", CLIENT % str(HERE)], capture_output=True, text=True,
                             preexec_fn=enter, env=env, timeout=600)
        assert run.returncode == 0, run.stderr[-4000:]
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        threads, quota, plan = seen["doctor"].strip('"').split("|", 2)
        assert threads == "1", seen
        assert quota == 'Some(\\"1\\")', seen
        assert plan.startswith('Some(\\"0 of 2 standby kernels'), seen
        assert "cgroup" in plan and "2560 MiB limit" in plan, seen
        # Nothing of the kernel is left in the cgroup, and no standby was started in it.
        left = [int(p) for f in procs for p in f.read_text().split()]
        for pid in left:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            assert "standby" not in cmd, f"a standby runs under the 2.5 GiB limit: {cmd}"
    finally:
        remove()


SMALL_BOX_CLIENT = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, %r)
    from kernel_client import Kernel
    k = Kernel()
    try:
        first = k.ok("1 + 1")
        # 2 GiB of ones: more than the whole limit, so the OOM killer must act.
        big = k.execute("let big = Tensor::ones([512 << 20], (Kind::Float, Device::Cpu));\\nbig.numel()")
        error = big.of_type("error")
        after = k.ok("2 + 3").result()
        print(json.dumps({"first_stderr": first.stderr(), "status": big.status,
                          "error": error[0] if error else None, "after": after}))
    finally:
        k.shutdown()
""")


@pytest.mark.skipif(os.geteuid() != 0, reason="making a cgroup needs root (CI runs as root)")
def test_a_box_too_small_for_a_kernel_is_named_at_start_and_an_oom_kill_is_named_as_one():
    # Issue 22, item 5: 1 GiB, a common per-student default on course hubs.
    name = f"torchbook-small-{os.getpid()}"
    procs, remove = make_cgroup(name, limit=1 << 30)
    try:
        def enter():
            for p in procs:
                p.write_text(str(os.getpid()))
        run = subprocess.run([sys.executable, "-c", SMALL_BOX_CLIENT % str(HERE)], capture_output=True,
                             text=True, preexec_fn=enter, timeout=600)
        assert run.returncode == 0, run.stderr[-4000:]
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        notice = seen["first_stderr"]
        assert "memory limit of 1024 MiB" in notice and "needs about 2048 MiB" in notice, notice
        assert "at least 2048 MiB" in notice, notice
        assert seen["status"] == "error", seen
        error = seen["error"]
        assert error["ename"] == "MemoryError", error
        assert "out-of-memory killer" in error["evalue"] and "1024 MiB" in error["evalue"], error
        # The kernel goes on with a fresh execution process.
        assert seen["after"] == "5", seen
    finally:
        remove()
