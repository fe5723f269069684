"""Issue 22, item 3: whole programs, as a textbook prints them, run in one notebook.

Each file of `programs/<area>/` is a complete program (items and `fn main`). The test builds
it with `rustc --edition 2021`, runs it, and takes that stdout as the expected output; then it
pastes the same text into a cell of one kernel, followed by `main();`, and compares the cell's
stdout. All programs run one after another in the same kernel, so every program's items stay
defined while the next runs: programs reuse names (`type Result<T>`, `mod checked`, `Point`)
with other definitions, as the chapters of a book do (`programs/README.md`).
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from kernel_client import Kernel

PROGRAMS = sorted((Path(__file__).parent / "programs").glob("*/*.rs"))

# Where a notebook must differ from a bare rustc build, and the error it gives instead. The
# prelude's dependencies (serde_json's `impl PartialEq<Value> for u32`, ...) give an integer
# more than one `PartialEq`, so `assert_eq!(&empty_array, &[])` cannot infer the empty slice's
# type: rustc reports the same E0282 for the same program in any crate that depends on
# serde_json (checked with cargo). `collections/arrays_and_slices_typed.rs` is the same program
# with the type written out, and must match rustc.
DIFFERENCES = {"collections/arrays_and_slices.rs": "error[E0282]: type annotations needed"}


def rustc_stdout(program: Path, out_dir: Path) -> str:
    binary = out_dir / f"{program.parent.name}-{program.stem}"
    build = subprocess.run(["rustc", "--edition", "2021", "-o", str(binary), str(program)],
                           capture_output=True, text=True, timeout=120)
    assert build.returncode == 0, f"{program}: rustc failed:\n{build.stderr}"
    run = subprocess.run([str(binary)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, f"{program}: exit {run.returncode}\n{run.stderr}"
    return run.stdout


def cell_of(program: Path) -> str:
    text = program.read_text()
    # `fn main() -> Result<..>`: the cell unwraps it, as a test of the program would.
    call = "main().unwrap();" if re.search(r"^fn main\(\)\s*->", text, re.M) else "main();"
    return f"{text.rstrip()}\n{call}"


def test_the_corpus_is_large_enough_in_every_area():
    areas = Counter(p.parent.name for p in PROGRAMS)
    assert len(PROGRAMS) >= 60, areas
    for area in ["errors", "modules", "macros", "traits", "closures", "iterators", "collections", "ownership"]:
        assert areas[area] >= 6, areas


def test_every_program_prints_what_rustc_builds_print(tmp_path: Path):
    expected = {p: rustc_stdout(p, tmp_path) for p in PROGRAMS}
    kernel = Kernel()
    failures = []
    try:
        for program in PROGRAMS:
            run = kernel.execute(cell_of(program))
            name = f"{program.parent.name}/{program.name}"
            if name in DIFFERENCES:
                why = "\n".join(run.reply["content"].get("traceback", []))
                if run.status == "ok" or DIFFERENCES[name] not in why:
                    failures.append(f"{name}: expected the documented error {DIFFERENCES[name]!r}, got "
                                    f"{run.status}: {why[:400]}")
            elif run.status != "ok":
                why = "\n".join(run.reply["content"].get("traceback", []))
                failures.append(f"{name}: the cell failed:\n{why[:800]}")
            elif run.stdout() != expected[program]:
                failures.append(f"{name}: stdout differs\nrustc: {expected[program]!r}\ncell:  {run.stdout()!r}")
    finally:
        kernel.shutdown()
    areas = Counter(p.parent.name for p in PROGRAMS)
    print(f"programs: {len(PROGRAMS) - len(failures) - len(DIFFERENCES)} of {len(PROGRAMS)} print what rustc's "
          f"build prints, {len(DIFFERENCES)} differs as documented; "
          f"by area: {dict(sorted(areas.items()))}")
    assert not failures, "\n\n".join(failures)
