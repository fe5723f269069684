"""Issue 11, items 10-12: what Jupyter's own tools do with Torchbook's kernelspec and notebooks."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.sign import NotebookNotary

ROOT = Path(__file__).resolve().parent.parent
SPEC_DIR = Path(sys.prefix) / "share/jupyter/kernels/torchbook"


def test_nbconvert_to_script_writes_the_cells_as_rust(tmp_path):
    notebook = tmp_path / "tour.ipynb"
    shutil.copy(ROOT / "notebooks/00_tour.ipynb", notebook)
    run = subprocess.run([str(Path(sys.prefix) / "bin/jupyter"), "nbconvert", "--to", "script", str(notebook)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    script = tmp_path / "tour.rs"
    assert script.exists(), list(tmp_path.iterdir())
    first_code = next(c for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "code")
    assert first_code.source.splitlines()[0] in script.read_text()


def test_every_notebook_names_an_exporter_nbconvert_has():
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        info = json.loads(path.read_text())["metadata"]["language_info"]
        assert info.get("nbconvert_exporter") in (None, "script"), (path.name, info)


def test_the_kernelspec_ships_its_logos():
    for name, size in [("logo-32x32.png", 32), ("logo-64x64.png", 64)]:
        data = (SPEC_DIR / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n", name
        width, height = struct.unpack(">II", data[16:24])
        assert (width, height) == (size, size), name
    svg = (SPEC_DIR / "logo-svg.svg").read_text()
    assert svg.lstrip().startswith("<svg") and "viewBox" in svg


def test_the_shipped_notebooks_are_trusted_after_install():
    notary = NotebookNotary()
    untrusted = [p.name for p in sorted((ROOT / "notebooks").glob("*.ipynb"))
                 if not notary.check_signature(nbformat.read(p, as_version=4))]
    assert not untrusted, f"not trusted: {untrusted}"
