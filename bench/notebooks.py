"""Wall time to execute every course notebook with nbclient, each and in total.

    .venv/bin/python bench/notebooks.py
"""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    total = 0.0
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        t0 = time.perf_counter()
        NotebookClient(notebook, kernel_name="torchbook", timeout=900,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
        elapsed = time.perf_counter() - t0
        total += elapsed
        print(f"{path.name:>34}: {elapsed:6.1f} s", flush=True)
    print(f"{'all notebooks':>34}: {total:6.1f} s (goal: at most 600 s on 2 cores)")


if __name__ == "__main__":
    main()
