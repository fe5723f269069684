"""Kernel starts, restarts and several notebooks at once reuse the prebuilt prelude.

"Not rebuilt" is checked on the files themselves: each kernel builds in a directory of its own,
and the compiled tch library there must be the template's file (same inode: a hard link made at
start), not a new build.
"""

from __future__ import annotations

import json
import os
import tomllib
import sys
import threading
from pathlib import Path

from kernel_client import Kernel

SPEC = Path(sys.prefix) / "share" / "jupyter" / "kernels" / "torchbook" / "kernel.json"


def store() -> Path:
    return Path(json.loads(SPEC.read_text())["env"]["TORCHBOOK_STORE"])


def kernel_dir(kernel: Kernel) -> Path:
    run = kernel.ok('std::env::var("EVCXR_TMPDIR").unwrap()')
    return Path(run.result().strip('"'))


def compiled(dir_: Path, stem: str) -> list[Path]:
    return sorted(dir_.glob(f"target/*/debug/deps/lib{stem}-*.so"))


def assert_reuses_template(dir_: Path) -> None:
    template = store() / "kernels" / "template"
    mine = compiled(dir_, "tch")
    theirs = compiled(template, "tch")
    assert mine and theirs, (mine, theirs)
    assert {p.stat().st_ino for p in mine} == {p.stat().st_ino for p in theirs}, "tch was rebuilt"
    for prelude in compiled(dir_, "torchbook"):
        twin = template / prelude.relative_to(dir_)
        assert twin.exists() and prelude.stat().st_mtime == twin.stat().st_mtime, "the prelude was rebuilt"


def in_parallel(jobs: list) -> list:
    """Runs each job on its own thread; returns their results in order, raising the first error."""
    results: list = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(i, job):
        try:
            results[i] = job()
        except BaseException as e:  # reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    return results


def test_four_notebooks_started_and_computing_together_each_get_their_own_build_directory():
    kernels: list[Kernel] = in_parallel([Kernel] * 4)
    dirs: list[Path] = []
    try:
        dirs = [kernel_dir(k) for k in kernels]
        assert len(set(dirs)) == 4, dirs

        def work(i: int):
            # Each kernel's numbers differ, so a result that crossed kernels would show.
            k, n = kernels[i], 10 + i
            out = []
            for round_ in range(3):
                k.ok(f"let t{round_} = Tensor::arange({n}, (Kind::Float, Device::Cpu)).reshape([1, {n}]);")
                out.append(k.ok(f"t{round_}.matmul(&t{round_}.tr()).double_value(&[0, 0])").result())
            return out

        results = in_parallel([lambda i=i: work(i) for i in range(4)])
        for i, got in enumerate(results):
            n = 10 + i
            want = f"{float(sum(v * v for v in range(n)))}"  # sum of squares 0..n-1
            assert got == [want] * 3, (i, got)
        for d in dirs:
            assert_reuses_template(d)
    finally:
        for k in kernels:
            k.shutdown()
    for d in dirs:
        assert not d.exists(), f"{d} was left behind after shutdown"


def test_restart_brings_a_fresh_kernel_with_the_prelude():
    kernel = Kernel()
    try:
        kernel.ok("let before_restart = 1;")
        first_dir = kernel_dir(kernel)
        kernel.km.restart_kernel(now=False)
        kernel.kc.wait_for_ready(timeout=300)
        run = kernel.execute("before_restart")
        assert run.status == "error" and run.error()["ename"] == "CompilationError"
        assert kernel.ok("Tensor::ones([3], (Kind::Float, Device::Cpu)).sum(Kind::Float).double_value(&[])").result() == "3.0"
        second_dir = kernel_dir(kernel)
        assert second_dir != first_dir and not first_dir.exists()
        assert_reuses_template(second_dir)
    finally:
        kernel.shutdown()


def locked_versions(lock: Path) -> dict[str, str]:
    """name -> versions (comma-joined, sorted) of the packages in a Cargo.lock."""
    packages = tomllib.loads(lock.read_text())["package"]
    versions: dict[str, list[str]] = {}
    for p in packages:
        versions.setdefault(p["name"], []).append(p["version"])
    return {name: ",".join(sorted(v)) for name, v in versions.items()}


def test_a_cell_can_add_its_own_dependency_without_rebuilding_tch():
    kernel = Kernel()
    try:
        run = kernel.ok(':dep itoa = "1"\nlet mut buffer = itoa::Buffer::new();\nbuffer.format(1234).to_string()')
        # A String is shown in its Debug form, as evcxr shows it.
        assert run.result() == '"1234"'
        # Issue 22, item 1: evcxr checks a `:dep` with `cargo metadata` on a one-dependency
        # manifest in the same directory, which rewrote Cargo.lock; the build then took the
        # registry's newest version of every crate and rebuilt tch wherever those were newer
        # than the template's. Every package keeps the template's version.
        template = locked_versions(store() / "kernels" / "template" / "torchbook-template.lock")
        now = locked_versions(kernel_dir(kernel) / "Cargo.lock")
        changed = {name: (v, now.get(name)) for name, v in template.items() if now.get(name) != v}
        assert not changed, f"packages whose version moved after :dep: {changed}"
        assert_reuses_template(kernel_dir(kernel))
        assert kernel.ok("Tensor::ones([2], (Kind::Float, Device::Cpu)).sum(Kind::Float).double_value(&[])").result() == "2.0"
    finally:
        kernel.shutdown()


def test_stale_kernel_directories_are_cleaned_at_start():
    stale = store() / "kernels" / f"k-{2**22 + 12345}-deadbeef"
    stale.mkdir(parents=True, exist_ok=True)
    assert not Path(f"/proc/{2**22 + 12345}").exists()
    kernel = Kernel()
    try:
        kernel.ok("1")
        assert not stale.exists()
    finally:
        kernel.shutdown()
    assert os.path.isdir(store() / "kernels" / "template")
