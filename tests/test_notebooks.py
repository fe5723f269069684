"""Every course notebook, executed with nbclient against the installed Torchbook kernel.

A notebook passes when every cell runs, except cells tagged `raises-exception`, which must
fail. Cells tagged `skip-ci` are not run here, nor cells tagged `gpu` when no GPU is present;
there is no other way of skipping. The notebooks assert what they teach in their own cells; the
checks below add what only the outside can see (rich outputs, display updates, error reports).
Each notebook's run time is printed at the end of the session.
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
import torch
from nbclient import NotebookClient

NOTEBOOK_DIR = Path(__file__).parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
TIMEOUT_PER_CELL = 600
HAS_GPU = torch.cuda.is_available()
TIMES: dict[str, float] = {}
# The course notebooks as nbclient left them, for the checks that need a run's outputs.
RAN: dict[str, nbformat.NotebookNode] = {}


def skipped(cell) -> bool:
    tags = cell.metadata.get("tags", [])
    return "skip-ci" in tags or ("gpu" in tags and not HAS_GPU)


def execute(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    runnable = nbformat.v4.new_notebook(metadata=nb.metadata)
    runnable.cells = [c for c in nb.cells if not (c.cell_type == "code" and skipped(c))]
    for cell in runnable.cells:
        if cell.cell_type == "code":
            cell.outputs = []
    client = NotebookClient(runnable, kernel_name="torchbook", timeout=TIMEOUT_PER_CELL, allow_errors=True,
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()
    TIMES[path.name] = time.perf_counter() - started
    if path.parent == NOTEBOOK_DIR:
        RAN[path.name] = runnable
    return runnable


def check_cells(name: str, nb: nbformat.NotebookNode) -> None:
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        if "raises-exception" in cell.metadata.get("tags", []):
            assert errors, f"{name} cell {i} is tagged raises-exception but did not fail"
        elif errors:
            e = errors[0]
            raise AssertionError(f"{name} cell {i} failed: {e['ename']}: {e['evalue']}\n" + "\n".join(e["traceback"]))
        assert cell.get("execution_count"), f"{name} cell {i} did not run"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_and_fails_only_where_tagged(path: Path):
    check_cells(path.name, execute(path))


def test_tour_shows_tensors_charts_live_updates_and_errors():
    nb = execute(NOTEBOOK_DIR / "00_tour.ipynb")
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    data = [o.get("data", {}) for o in outputs]
    assert any("text/html" in d and "torchbook-tensor" in d["text/html"] for d in data)
    assert any(d.get("image/svg+xml", "").startswith("<svg") for d in data)
    # nbclient applies update_display_data to the output with the same display_id: the
    # notebook keeps the last state of the live output.
    displays = [o for o in outputs if o.output_type == "display_data"]
    assert displays and displays[0]["data"]["text/plain"] == "epoch 3 of 3: loss 0.333"
    errors = [o for o in outputs if o.output_type == "error"]
    assert len(errors) == 1 and errors[0]["ename"] == "Panic"
    # rustc locates an index panic at its bracket: column 18 of `let first = empty[0];`.
    assert errors[0]["traceback"][0] == "panicked at cell line 2, column 18:", errors[0]["traceback"]
    assert any("survived the panic" in o.get("text", "") for o in outputs if o.output_type == "stream")


def widget_models(nb: nbformat.NotebookNode) -> list[dict]:
    """The widget models nbclient saved in the notebook (as JupyterLab's "Save Widget State")."""
    return list(nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"].values())


def ran(name: str) -> nbformat.NotebookNode:
    return RAN.get(name) or execute(NOTEBOOK_DIR / name)


def test_the_chapters_widgets_are_saved_with_their_last_values():
    """Issue 23, part 4: the widget state a client saves with the notebook (nbclient, as
    JupyterLab's "Save Widget State Automatically") is complete: a reopened notebook shows the
    sliders at their values and the chart of those values, with no kernel."""
    models = widget_models(ran("03_optimizers.ipynb"))
    by_description = {m["state"].get("description"): m for m in models}
    assert by_description["lr"]["model_name"] == "FloatLogSliderModel"
    assert by_description["lr"]["state"]["value"] == 0.01
    assert by_description["momentum"]["state"]["value"] == 0.9
    charts = [o["data"]["image/svg+xml"] for m in models if m["model_name"] == "OutputModel"
              for o in m["state"]["outputs"] if "image/svg+xml" in o.get("data", {})]
    assert any("lr 0.0100, momentum 0.90" in svg for svg in charts), charts

    models = widget_models(ran("04_activations.ipynb"))
    (dropdown,) = [m for m in models if m["model_name"] == "DropdownModel"]
    assert dropdown["state"]["_options_labels"][dropdown["state"]["index"]] == "leaky ReLU"
    charts = [o["data"]["image/svg+xml"] for m in models if m["model_name"] == "OutputModel"
              for o in m["state"]["outputs"] if "image/svg+xml" in o.get("data", {})]
    assert any("LeakyRelu(0.1) and its derivative" in svg for svg in charts), charts

    # 06's training panels: the last line says training ended, the bar is full, Stop is off.
    nb = ran("06_text_classification.ipynb")
    models = widget_models(nb)
    lines = [m["state"]["value"] for m in models if m["model_name"] == "LabelModel"]
    assert len([line for line in lines if line.startswith("done: ")]) == 4, lines
    stops = [m["state"] for m in models if m["model_name"] == "ButtonModel" and m["state"]["description"] == "Stop"]
    assert len(stops) == 4 and all(s["disabled"] for s in stops)
    # Without widgets, the panel's output is its last line and the curves.
    texts = [o["data"] for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
             if o.output_type == "display_data" and "application/vnd.jupyter.widget-view+json" in o.get("data", {})
             and o["data"].get("text/plain", "").startswith("done: ")]
    assert len(texts) == 4 and all("<svg" in t["text/html"] for t in texts)


def test_skip_tags_are_honoured(tmp_path: Path):
    nb = nbformat.v4.new_notebook(metadata={"kernelspec": {"name": "torchbook", "display_name": "Rust (Torchbook)",
                                                           "language": "rust"}})
    skip = nbformat.v4.new_code_cell('panic!("a skip-ci cell must not run");')
    skip.metadata["tags"] = ["skip-ci"]
    gpu = nbformat.v4.new_code_cell('assert!(tch::Cuda::is_available(), "gpu cells run only with a GPU");')
    gpu.metadata["tags"] = ["gpu"]
    nb.cells = [skip, gpu, nbformat.v4.new_code_cell("1 + 1")]
    path = tmp_path / "99_tags.ipynb"
    nbformat.write(nb, path)
    ran = execute(path)
    check_cells(path.name, ran)
    assert len(ran.cells) == (2 if HAS_GPU else 1)
