"""Cells built without cargo (kernel/src/execution/cell_build.rs): when nothing cargo watches
changed, the kernel runs the rustc command cargo ran for the previous cell, and a cell behaves
exactly as one cargo built: results, variables, compile errors on the user's line, panics.

No assertion depends on timing; bench/lean.py measures what it saves.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kernel_client import Kernel


KERNEL_EXE = Path(sys.executable).parent / "torchbook-kernel"


def build_log(kernel: Kernel) -> Path:
    tmpdir = kernel.ok('std::env::var("EVCXR_TMPDIR").unwrap()').result().strip('"')
    return Path(tmpdir) / "target" / "torchbook-cell-builds.log"


def builds(log: Path) -> list[str]:
    """The kernel's builds so far, `cargo` or `direct` (reading it runs no cell)."""
    return log.read_text().split()


def test_cells_after_the_first_skip_cargo_and_behave_the_same():
    kernel = Kernel(env=dict(os.environ, TORCHBOOK_STANDBY="0"))
    try:
        kernel.ok("let a = 20;")
        log_file = build_log(kernel)
        before = len(builds(log_file))
        assert kernel.ok("a + 1").result() == "21"
        kernel.ok("fn twice(v: i32) -> i32 { v * 2 }")
        assert kernel.ok("twice(a)").result() == "40"
        assert kernel.ok("Tensor::ones([2, 2], (Kind::Float, Device::Cpu)).sum(Kind::Float).double_value(&[])").result() == "4.0"
        log = builds(log_file)[before:]
        assert set(log) == {"direct"} and len(log) >= 4, log
        before_error = len(builds(log_file))
        bad = kernel.execute('let s: i32 = "no";')
        assert bad.status == "error"
        content = bad.reply["content"]
        assert "mismatched types" in content["evalue"], content
        assert any('let s: i32 = "no";' in line for line in content["traceback"]), content["traceback"]
        # A failed direct build may also mean a dependency's artifact is gone, which only cargo
        # repairs: the build after a failed one goes through cargo (evcxr builds again at once).
        after_error = builds(log_file)[before_error:]
        assert after_error[0] == "direct" and "cargo" in after_error[1:], after_error
        boom = kernel.execute('panic!("boom")')
        assert boom.status == "error" and "boom" in "\n".join(boom.reply["content"]["traceback"])
        assert kernel.ok("a").result() == "20"
        assert builds(log_file)[-1] == "direct", builds(log_file)
    finally:
        kernel.shutdown()


def run_as_cell_linker(tmp_path: Path, *args: str) -> list[str]:
    """Runs the kernel binary under the name rustc runs it by (kernel/src/execution/cell_linker.rs),
    with a stand-in for the real linker that writes down the arguments it was given."""
    link = tmp_path / "torchbook-cell-linker"
    link.symlink_to(KERNEL_EXE)
    seen = tmp_path / "args"
    real = tmp_path / "real-linker"
    real.write_text(f'#!/bin/sh\nprintf "%s\\n" "$@" > {seen}\n')
    real.chmod(0o755)
    subprocess.run([str(link), *args], check=True, env=dict(os.environ, TORCHBOOK_CELL_LINKER=str(real)))
    return seen.read_text().splitlines()


def test_the_cell_linker_drops_only_libtorchs_own_libraries(tmp_path):
    args = ["-shared", "-Wl,--as-needed", "ctx.o", "-L/lib", "-ltorch_cpu", "-ltorch_cuda", "-ltorch",
            "-lc10", "-lc10_cuda", "-lgomp", "-ltorch_global_deps", "-ltch_capi", "-ltorchbook-1a2b", "-lm",
            "-o", "libctx.so"]
    assert run_as_cell_linker(tmp_path, *args) == [
        "-shared", "-Wl,--as-needed", "ctx.o", "-L/lib", "-lgomp", "-ltch_capi", "-ltorchbook-1a2b", "-lm", "-o",
        "libctx.so"]


def test_the_cell_linker_passes_a_response_file_on_unchanged(tmp_path):
    # rustc writes the arguments to a file when the command line is too long; it is not rewritten.
    assert run_as_cell_linker(tmp_path, "@/tmp/linker-arguments", "-ltorch_cpu") == [
        "@/tmp/linker-arguments", "-ltorch_cpu"]


def test_cells_link_through_the_cell_linker_and_still_reach_libtorch():
    kernel = Kernel(env=dict(os.environ, TORCHBOOK_STANDBY="0"))
    try:
        tmpdir = Path(kernel.ok('std::env::var("EVCXR_TMPDIR").unwrap()').result().strip('"'))
        assert (tmpdir / ".torchbook-bin" / "torchbook-cell-linker").resolve() == KERNEL_EXE.resolve()
        assert kernel.ok("Tensor::arange(4, (Kind::Int64, Device::Cpu)).sum(Kind::Int64).int64_value(&[])").result() == "6"
        cells = sorted((tmpdir / "target").rglob("libctx*.so"), key=lambda p: p.stat().st_mtime)
        assert cells, list((tmpdir / "target").rglob("*.so"))[:20]
        needed = subprocess.run(["readelf", "-d", str(cells[-1])], capture_output=True, text=True, check=True).stdout
        # The cell needs tch's C wrapper, and none of libtorch's libraries directly.
        assert "libtch_capi.so" in needed or "libtorchbook" in needed, needed
        assert "libtorch_cpu.so" not in needed, needed
    finally:
        kernel.shutdown()


def test_a_path_dependency_rebuilt_by_its_build_script_is_seen_by_the_next_cell(tmp_path):
    # Review of issue 14: a build script's `rerun-if-changed` file was not in the key, so after
    # it changed the kernel replayed the old build and the cell saw the old value.
    lib = tmp_path / "valuelib"
    (lib / "src").mkdir(parents=True)
    (lib / "Cargo.toml").write_text('[package]\nname = "valuelib"\nversion = "0.1.0"\nedition = "2021"\n')
    (lib / "build.rs").write_text(
        'fn main() {\n'
        '    println!("cargo:rerun-if-changed=value.txt");\n'
        '    let v = std::fs::read_to_string("value.txt").unwrap();\n'
        '    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("value.rs");\n'
        '    std::fs::write(out, format!("pub const VALUE: i64 = {};", v.trim())).unwrap();\n'
        '}\n')
    (lib / "src/lib.rs").write_text('include!(concat!(env!("OUT_DIR"), "/value.rs"));\n')
    (lib / "value.txt").write_text("1\n")
    kernel = Kernel(env=dict(os.environ, TORCHBOOK_STANDBY="0"))
    try:
        log_file = build_log(kernel)
        kernel.ok(f':dep valuelib = {{ path = "{lib}" }}')
        assert kernel.ok("valuelib::VALUE").result() == "1"
        assert kernel.ok("valuelib::VALUE + 1").result() == "2"
        assert builds(log_file)[-1] == "direct", builds(log_file)
        (lib / "value.txt").write_text("41\n")
        assert kernel.ok("valuelib::VALUE + 1").result() == "42"
        # The library's own source edited: cargo rebuilds it too.
        (lib / "src/lib.rs").write_text('include!(concat!(env!("OUT_DIR"), "/value.rs"));\npub const TWICE: i64 = VALUE * 2;\n')
        assert kernel.ok("valuelib::TWICE").result() == "82"
    finally:
        kernel.shutdown()
