"""Cells built without cargo (kernel/src/execution/cell_build.rs): when nothing cargo watches
changed, the kernel runs the rustc command cargo ran for the previous cell, and a cell behaves
exactly as one cargo built: results, variables, compile errors on the user's line, panics.

No assertion depends on timing; bench/lean.py measures what it saves.
"""

from __future__ import annotations

import os
from pathlib import Path

from kernel_client import Kernel


def builds(kernel: Kernel) -> list[str]:
    tmpdir = kernel.ok('std::env::var("EVCXR_TMPDIR").unwrap()').result().strip('"')
    return (Path(tmpdir) / "target" / "torchbook-cell-builds.log").read_text().split()


def test_cells_after_the_first_skip_cargo_and_behave_the_same():
    kernel = Kernel(env=dict(os.environ, TORCHBOOK_STANDBY="0"))
    try:
        kernel.ok("let a = 20;")
        before = len(builds(kernel))
        assert kernel.ok("a + 1").result() == "21"
        kernel.ok("fn twice(v: i32) -> i32 { v * 2 }")
        assert kernel.ok("twice(a)").result() == "40"
        assert kernel.ok("Tensor::ones([2, 2], (Kind::Float, Device::Cpu)).sum(Kind::Float).double_value(&[])").result() == "4.0"
        bad = kernel.execute('let s: i32 = "no";')
        assert bad.status == "error"
        content = bad.reply["content"]
        assert "mismatched types" in content["evalue"], content
        assert any('let s: i32 = "no";' in line for line in content["traceback"]), content["traceback"]
        boom = kernel.execute('panic!("boom")')
        assert boom.status == "error" and "boom" in "\n".join(boom.reply["content"]["traceback"])
        assert kernel.ok("a").result() == "20"
        log = builds(kernel)[before:]
        assert log.count("direct") >= 6, log
    finally:
        kernel.shutdown()
