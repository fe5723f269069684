"""Every course notebook, executed by nbconvert with the Torchbook kernel.

A notebook passes when every cell runs, except cells tagged `raises-exception`, which must
fail. The notebooks assert what they teach in their own cells; the checks below add what only
the outside can see (rich outputs, display updates, error reports).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).parent.parent / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def execute(path: Path, out_dir: Path) -> nbformat.NotebookNode:
    out = out_dir / path.name
    cmd = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute",
           "--ExecutePreprocessor.kernel_name=torchbook", "--ExecutePreprocessor.timeout=600",
           f"--output={out}", str(path)]
    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, f"{path.name} failed:\n{done.stderr[-6000:]}"
    return nbformat.read(out, as_version=4)


@pytest.fixture(scope="module")
def executed(tmp_path_factory) -> dict[str, nbformat.NotebookNode]:
    return {}


def outputs_of(cell) -> list:
    return cell.get("outputs", [])


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_fails_only_where_tagged(path: Path, tmp_path: Path, executed):
    nb = execute(path, tmp_path)
    executed[path.stem] = nb
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in outputs_of(cell) if o.output_type == "error"]
        if "raises-exception" in cell.metadata.get("tags", []):
            assert errors, f"{path.name} cell {i} is tagged raises-exception but did not fail"
        else:
            assert not errors, f"{path.name} cell {i} failed: {errors}"
        assert cell.get("execution_count"), f"{path.name} cell {i} did not run"


def test_tour_shows_tensors_charts_live_updates_and_errors(tmp_path: Path):
    nb = execute(Path(__file__).parent.parent / "notebooks" / "00_tour.ipynb", tmp_path)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in outputs_of(c)]
    data = [o.get("data", {}) for o in outputs]
    assert any("text/html" in d and "torchbook-tensor" in d["text/html"] for d in data)
    assert any(d.get("image/svg+xml", "").startswith("<svg") for d in data)
    # nbclient applies update_display_data to the output with the same display_id: the
    # notebook keeps the last state of the live output.
    displays = [o for o in outputs if o.output_type == "display_data"]
    assert displays and displays[0]["data"]["text/plain"] == "epoch 3 of 3: loss 0.333"
    errors = [o for o in outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0]["ename"] == "Panic"
    assert errors[0]["traceback"][0] == "panicked at cell line 2, column 18:", errors[0]["traceback"]
    assert any("survived the panic" in o.get("text", "") for o in outputs if o.output_type == "stream")
