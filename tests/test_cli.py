"""Issue 22, item 4: the command line of `torchbook-kernel`, parsed by clap.

`--help` and `--version` for the binary and each subcommand exit 0; a usage error names the
wrong argument, exits 2 and never prints a backtrace (even with RUST_BACKTRACE=1); `export`
finds the prelude of the installation it belongs to, with neither `--prelude` nor
TORCHBOOK_PRELUDE.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KERNEL = str(Path(sys.prefix) / "bin/torchbook-kernel")
SUBCOMMANDS = ["run", "standby", "warm", "install", "export"]


def cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "TORCHBOOK_PRELUDE"}
    environment.update(RUST_BACKTRACE="1", **env)
    return subprocess.run([KERNEL, *args], capture_output=True, text=True, timeout=60, env=environment)


def test_help_lists_every_subcommand_and_exits_0():
    run = cli("--help")
    assert run.returncode == 0, run.stderr
    for sub in SUBCOMMANDS:
        assert sub in run.stdout
    assert "backtrace" not in run.stdout + run.stderr


def test_version_is_the_crates():
    cargo = (ROOT / "Cargo.toml").read_text()
    version = cargo.split("[workspace.package]", 1)[1].split('version = "', 1)[1].split('"', 1)[0]
    run = cli("--version")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"torchbook-kernel {version}"


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_each_subcommand_has_help(sub: str):
    run = cli(sub, "--help")
    assert run.returncode == 0, run.stderr
    assert f"Usage: torchbook-kernel {sub}" in run.stdout


@pytest.mark.parametrize("args, named", [
    (["frobnicate"], "frobnicate"),
    (["run"], "--connection-file"),
    (["export", "nb.ipynb"], "--crate"),
    (["install", "--prefix", "/tmp/x", "--env", "NOEQUALS"], "NOEQUALS"),
    (["warm", "--libtch", "/tmp/libtch.a"], "--torch-lib"),
    (["standby", "--spawn", "--stop"], "--stop"),
    (["run", "--conection-file", "f.json"], "--conection-file"),
])
def test_usage_errors_name_the_argument_exit_2_without_a_backtrace(args: list[str], named: str):
    run = cli(*args)
    assert run.returncode == 2, (run.returncode, run.stderr)
    assert named in run.stderr
    assert "backtrace" not in run.stderr.lower() and "Error: usage" not in run.stderr


def test_export_finds_the_prelude_of_its_installation(tmp_path: Path):
    notebook = tmp_path / "tiny.ipynb"
    notebook.write_text(json.dumps({
        "cells": [{"cell_type": "code", "metadata": {}, "source": ["let x = 2;\n", "x * 21"],
                   "outputs": [], "execution_count": None}],
        "metadata": {"kernelspec": {"name": "torchbook", "language": "rust", "display_name": "Rust (Torchbook)"}},
        "nbformat": 4, "nbformat_minor": 5,
    }))
    run = cli("export", str(notebook), "--crate", str(tmp_path / "tiny"))
    assert run.returncode == 0, run.stderr
    manifest = (tmp_path / "tiny" / "Cargo.toml").read_text()
    assert str((ROOT / "prelude").resolve()) in manifest or str(ROOT / "prelude") in manifest, manifest


def test_export_names_a_prelude_directory_that_is_not_one(tmp_path: Path):
    run = cli("export", "nb.ipynb", "--crate", str(tmp_path / "c"), "--prelude", str(tmp_path))
    assert run.returncode == 1
    assert f"--prelude {tmp_path} has no Cargo.toml" in run.stderr
    assert "backtrace" not in run.stderr.lower()
