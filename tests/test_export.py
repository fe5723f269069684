"""Issue 16, item 1: every course notebook exported with `torchbook-kernel export` builds as a
Cargo program and runs green with the notebook's own assertions.

The ten crates are members of one workspace in a temporary directory, with the repository's
Cargo.lock and release profile, built into the same target directory as the rest of the tests,
so tch and the prelude are not built again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KERNEL = str(Path(sys.prefix) / "bin/torchbook-kernel")
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
TARGET = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))


def export(notebook: Path, dir: Path) -> subprocess.CompletedProcess:
    return subprocess.run([KERNEL, "export", str(notebook), "--crate", str(dir), "--prelude", str(ROOT / "prelude")],
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    ws = tmp_path_factory.mktemp("exports")
    members = ", ".join(f'"{nb.stem}"' for nb in NOTEBOOKS)
    profile = (ROOT / "Cargo.toml").read_text().split("[profile.release]", 1)[1].split("\n[", 1)[0]
    (ws / "Cargo.toml").write_text(f'[workspace]\nresolver = "2"\nmembers = [{members}]\n\n[profile.release]{profile}\n')
    # The repository's versions; cargo adds the ten members to it without the network.
    shutil.copy(ROOT / "Cargo.lock", ws / "Cargo.lock")
    for nb in NOTEBOOKS:
        run = export(nb, ws / nb.stem)
        assert run.returncode == 0, run.stderr
    build = subprocess.run(["cargo", "build", "--release", "--offline"], cwd=ws, capture_output=True, text=True,
                           timeout=1800)
    assert build.returncode == 0, build.stderr[-6000:]
    return ws


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[nb.stem for nb in NOTEBOOKS])
def test_the_exported_notebook_runs_green(built, notebook, tmp_path):
    binary = TARGET / "release" / f"nb_{notebook.stem.lower()}"
    # Run where the notebook runs (its data paths are relative to it), outputs kept apart.
    work = tmp_path / "run"
    shutil.copytree(ROOT / "notebooks", work)
    run = subprocess.run([str(binary)], cwd=work, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, f"{binary.name} failed:\n{run.stdout[-2000:]}\n{run.stderr[-4000:]}"


def test_a_final_value_prints_as_the_notebook_shows_it_and_charts_go_to_files(built, tmp_path):
    work = tmp_path / "run"
    shutil.copytree(ROOT / "notebooks", work)
    run = subprocess.run([str(TARGET / "release/nb_00_tour")], cwd=work, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    # The tour's 3x4 tensor, as the kernel shows it as text (one summary line, every value).
    assert "Tensor[3, 4] Float cpu" in run.stdout
    assert "tensor([[" in run.stdout
    svgs = sorted((work / "outputs").glob("*.svg"))
    assert svgs and svgs[0].read_text().lstrip().startswith("<svg"), run.stdout[-2000:]
    assert "x and losses survived the panic" in run.stdout


def test_two_cells_defining_the_same_function_are_named(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("fn f() -> i32 { 1 }"), nbformat.v4.new_code_cell("fn f() -> i32 { 2 }")]
    path = tmp_path / "twice.ipynb"
    nbformat.write(nb, path)
    run = export(path, tmp_path / "out")
    assert run.returncode != 0
    assert "fn f is defined in cell 1 and again in cell 2" in run.stderr, run.stderr


def test_a_crate_exported_below_a_workspace_joins_it(tmp_path):
    # As cargo finds a crate's workspace: in any directory above it, not only the parent (the GPU
    # bundle exports into gpu/nb/NAME, members of gpu/Cargo.toml).
    (tmp_path / "Cargo.toml").write_text('[workspace]\nresolver = "2"\nmembers = ["nb/*"]\n')
    run = export(ROOT / "notebooks/02_losses.ipynb", tmp_path / "nb" / "02_losses")
    assert run.returncode == 0, run.stderr
    manifest = (tmp_path / "nb/02_losses/Cargo.toml").read_text()
    assert "[workspace]" not in manifest, manifest
    meta = subprocess.run(["cargo", "metadata", "--format-version", "1", "--no-deps", "--offline"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert meta.returncode == 0, meta.stderr
    assert '"name":"nb_02_losses"' in meta.stdout
