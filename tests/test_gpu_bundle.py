"""Issue 16, item 2: the GPU bundle (gpu/README.md) builds here against PyTorch 2.11.0 and runs
green on CPU with it, before it is ever sent to the lent GPU machine.

`gpu/build.sh` makes (or reuses) the scratch environment with PyTorch 2.11.0, exports every
course notebook, builds them and the throughput benchmark against tch 0.24, and assembles
`gpu/bundle/`; `gpu/bundle/run.sh PYTHON` runs every notebook with its own assertions and the
benchmark, as the device would, here on CPU (a shortened benchmark: one round of 30 steps).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TORCH211 = Path(os.environ.get("TORCHBOOK_TORCH211", Path.home() / ".cache/torchbook/torch211"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
LIMIT = 64 * 1024 * 1024


def clean_env(**extra: str) -> dict[str, str]:
    # Nothing of the course's own libtorch 2.13.0 (test.sh puts it on the library path).
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "VIRTUAL_ENV", "LIBTORCH_USE_PYTORCH")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if not p.startswith(str(ROOT / ".venv")))
    env.update(extra)
    return env


@pytest.fixture(scope="module")
def bundle() -> Path:
    build = subprocess.run(["bash", str(ROOT / "gpu/build.sh")], capture_output=True, text=True, timeout=2400,
                           env=clean_env(TORCHBOOK_KERNEL=str(ROOT / ".venv/bin/torchbook-kernel")))
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-6000:]
    return ROOT / "gpu/bundle"


def test_the_bundle_fits_the_device_and_holds_every_notebook(bundle):
    size = sum(p.stat().st_size for p in bundle.rglob("*") if p.is_file())
    assert size < LIMIT, f"bundle is {size / 2**20:.1f} MiB, over the device's 64 MiB"
    binaries = sorted(p.name for p in (bundle / "bin").iterdir())
    assert binaries == sorted([f"nb_{nb.stem}" for nb in NOTEBOOKS] + ["train_throughput"]), binaries
    manifest = (bundle / "MANIFEST").read_text()
    assert "against: PyTorch 2.11.0" in manifest, manifest[:500]
    # Linked to libtorch dynamically: the device's own torch/lib is what runs.
    needed = subprocess.run(["readelf", "-d", str(bundle / "bin/nb_00_tour")], capture_output=True, text=True).stdout
    assert "libtorch_cpu.so" in needed and "libc10.so" in needed


def test_the_bundle_runs_green_on_cpu_with_pytorch_2_11(bundle, tmp_path):
    out = tmp_path / "out"
    run = subprocess.run(["bash", str(bundle / "run.sh"), str(TORCH211 / "bin/python")], capture_output=True, text=True,
                         timeout=1800, env=clean_env(OUT=str(out), TORCHBOOK_BENCH_ROUNDS="1", TORCHBOOK_BENCH_STEPS="30"))
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    assert run.stdout.strip().splitlines()[-1] == f"{len(NOTEBOOKS) + 1} passed, 0 failed", run.stdout[-2000:]
    results = (out / "results.tsv").read_text().splitlines()[1:]
    assert len(results) == len(NOTEBOOKS) and all("\tpassed\t" in r for r in results), results
    assert "torch 2.11.0" in (out / "machine.txt").read_text()
    # The tour's doctor() report: libtorch 2.11.0 loaded and expected, no problem found.
    tour = (out / "nb_00_tour/stdout.txt").read_text()
    assert "2.11.0" in tour and "tch expects 2.13.0" not in tour, tour[:3000]
    throughput = (out / "throughput.txt").read_text()
    for model in ("text", "lstm", "mlp", "cnn"):
        for side in ("pytorch", "torchbook adam", "tch adam"):
            label = [model, *side.split()]
            assert any(line.split()[:len(label)] == label for line in throughput.splitlines()), (model, side, throughput)
