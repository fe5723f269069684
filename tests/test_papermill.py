"""Issue 13, item 2: papermill runs Rust notebooks with parameters, each keeping its declared
type, through the translator install.sh puts in the venv (kernel/python/torchbook_papermill.py).

Every run is the real papermill 2.7 command line against the real kernel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
PAPERMILL = str(Path(sys.prefix) / "bin/papermill")


def rust_notebook(path: Path, *cells: tuple[str, list[str]]) -> Path:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "torchbook", "display_name": "Rust (Torchbook)", "language": "rust"}
    nb.metadata["language_info"] = {"name": "rust"}
    for source, tags in cells:
        nb.cells.append(nbformat.v4.new_code_cell(source, metadata={"tags": tags}))
    nbformat.write(nb, path)
    return path


def papermill(src: Path, out: Path, *params: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    args = [PAPERMILL, str(src), str(out), "--cwd", str(cwd or src.parent)]
    for i in range(0, len(params), 2):
        args += ["-p", params[i], params[i + 1]]
    return subprocess.run(args, capture_output=True, text=True, timeout=600)


def outputs_text(nb_path: Path) -> str:
    nb = nbformat.read(nb_path, as_version=4)
    parts = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            parts.append(o.get("text", "") + o.get("data", {}).get("text/plain", "") + o.get("evalue", ""))
    return "\n".join(parts)


PARAMETERS = 'let lr = 0.01;\nlet epochs: usize = 3;\nlet name = "base";'
CHECK = (
    # Each binding only compiles if the parameter kept its declared type.
    "let _: f64 = lr;\nlet _: usize = epochs;\nlet _: &str = name;\n"
    'format!("lr={lr:?} epochs={epochs} name={name}")'
)


def test_parameters_keep_their_declared_types(tmp_path):
    src = rust_notebook(tmp_path / "params.ipynb", (PARAMETERS, ["parameters"]), (CHECK, []))
    out = tmp_path / "out.ipynb"
    run = papermill(src, out, "lr", "0.1", "epochs", "7", "name", "tuned")
    assert run.returncode == 0, run.stderr[-3000:]
    cells = nbformat.read(out, as_version=4).cells
    injected = [c for c in cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1, [c.metadata for c in cells]
    assert "torchbook::parameter::parameter(&epochs" in injected[0].source
    assert '"lr=0.1 epochs=7 name=tuned"' in outputs_text(out)
    # An integer for a float parameter is still a float.
    run = papermill(src, out, "lr", "1")
    assert run.returncode == 0, run.stderr[-3000:]
    assert '"lr=1.0 epochs=3 name=base"' in outputs_text(out)


def test_a_value_that_cannot_be_the_declared_type_names_the_parameter(tmp_path):
    src = rust_notebook(tmp_path / "params.ipynb", (PARAMETERS, ["parameters"]), (CHECK, []))
    out = tmp_path / "out.ipynb"
    run = papermill(src, out, "epochs", "0.5")
    assert run.returncode != 0
    message = "parameter `epochs` is declared as usize, and 0.5 is not one (not a whole number)"
    assert message in run.stderr or message in outputs_text(out), run.stderr[-3000:]
    run = papermill(src, out, "epochs", "-2")
    assert run.returncode != 0
    assert "parameter `epochs` is declared as usize, and -2 is not one (out of range)" in outputs_text(out)


def test_papermill_lists_a_rust_notebooks_parameters(tmp_path):
    src = rust_notebook(tmp_path / "params.ipynb",
                        ('let lr = 0.01; // learning rate\nlet epochs: usize = 3;', ["parameters"]))
    run = subprocess.run([PAPERMILL, "--help-notebook", str(src)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "lr: f64 (default 0.01)" in run.stdout and "learning rate" in run.stdout, run.stdout
    assert "epochs: usize (default 3)" in run.stdout, run.stdout


def test_a_course_notebook_sweeps_over_two_values(tmp_path):
    src = ROOT / "notebooks/03_optimizers.ipynb"
    for steps in ("60", "90"):
        out = tmp_path / f"optimizers-{steps}.ipynb"
        run = papermill(src, out, "steps", steps, cwd=ROOT / "notebooks")
        assert run.returncode == 0, run.stderr[-3000:]
        assert f"distance to the minimum after {steps} steps" in outputs_text(out)
