"""Issue 11, item 7: a compatibility corpus of our own, run in CI.

`corpus/tch_api.rs.cells` exercises tch 0.26's public API the way its documentation and
examples use it (creation, indexing and slicing, broadcasting, kinds, autograd, nn layers,
optimizers, VarStore files and streams, `f_` error paths, devices); each cell asserts its own
expectations, with numbers from closed forms. `corpus/evcxr_semantics.rs.cells` follows evcxr's
documented semantics (state across cells, redefinition, traits, generics, modules, closures,
panics, `?`, `:vars`, `:fmt`, `:dep`, `:help`, `:clear`), cell after cell in one kernel.

Format: a line `// area: NAME` starts a cell; `// expect: error` says the cell must fail,
`// expect-result: TEXT` (with \\n for newlines) or `// expect-result-contains: TEXT` what its
text result must be. Every other cell must succeed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from kernel_client import Kernel

CORPUS = Path(__file__).parent / "corpus"


@dataclass
class Cell:
    area: str
    code: str
    expect_error: bool = False
    result: str | None = None
    contains: str | None = None
    line: int = 0


def cells_of(path: Path) -> list[Cell]:
    cells: list[Cell] = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if line.startswith("// area: "):
            cells.append(Cell(area=line.removeprefix("// area: ").strip(), code="", line=number))
        elif line.startswith("// expect: error"):
            cells[-1].expect_error = True
        elif line.startswith("// expect-result: "):
            cells[-1].result = line.removeprefix("// expect-result: ").replace("\\n", "\n")
        elif line.startswith("// expect-result-contains: "):
            cells[-1].contains = line.removeprefix("// expect-result-contains: ")
        else:
            cells[-1].code += line + "\n"
    return cells


@pytest.mark.parametrize("name", ["tch_api", "evcxr_semantics"])
def test_corpus(name: str):
    cells = cells_of(CORPUS / f"{name}.rs.cells")
    kernel = Kernel()
    failures = []
    try:
        for cell in cells:
            run = kernel.execute(cell.code.rstrip("\n"))
            text = run.result() or ""
            if cell.expect_error:
                ok = run.status == "error"
            else:
                ok = run.status == "ok"
                if ok and cell.result is not None:
                    ok = text == cell.result
                if ok and cell.contains is not None:
                    ok = cell.contains in text or cell.contains in run.stdout()
            if not ok:
                why = "\n".join(run.reply["content"].get("traceback", [])) or f"result {text!r}"
                failures.append(f"{name}:{cell.line} [{cell.area}] {why[:600]}")
    finally:
        kernel.shutdown()
    areas = Counter(c.area for c in cells)
    print(f"{name}: {len(cells) - len(failures)} of {len(cells)} cells passed; by area: {dict(areas)}")
    assert not failures, "\n\n".join(failures)
