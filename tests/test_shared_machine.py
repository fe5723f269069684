"""Issue 12, item 1: on a shared machine another local user can neither claim a standby kernel
nor read what a kernel keeps (connection keys, cell sources, logs).

CI runs as root, so the test makes a second local user (`useradd`) and acts as that user with
`runuser`. The audit's attack is replayed: the intruder reaches the standby's socket (here the
test opens the directories to it, as a umask of 000 used to) and sends a claim naming a
connection file it wrote. The standby must refuse before reading the claim; no socket is
bound, no code runs, and the standby still serves its owner.
"""

from __future__ import annotations

import json
import os
import pwd
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from kernel_client import Kernel
from test_kernel_lifecycle import store
from test_standby import pid_alive, ready_standbys, wait_for

INTRUDER = "tbintruder"

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root to create a second local user")


@pytest.fixture(scope="module")
def intruder() -> str:
    if subprocess.run(["id", INTRUDER], capture_output=True).returncode != 0:
        subprocess.run(["useradd", "--create-home", INTRUDER], check=True)
    return INTRUDER


def as_intruder(user: str, script: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", user, "--", "python3", "-c", script],
                          capture_output=True, text=True, timeout=60)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_what_a_kernel_keeps_is_private_to_its_user():
    kernel = Kernel()
    try:
        kernel.ok('println!("a cell whose source and output stay private");')
        # A standby warms at the lowest priority: on a loaded machine that takes minutes.
        wait_for(lambda: len(ready_standbys()) >= 1, "a ready standby", 400)
        root = store()
        assert mode(root) & 0o077 == 0, oct(mode(root))
        kernel_dirs = list((root / "kernels").glob("k-*"))
        assert kernel_dirs
        for d in kernel_dirs:
            assert mode(d) & 0o077 == 0, (d, oct(mode(d)))
        pool = ready_standbys()[0].parent
        assert mode(pool) & 0o077 == 0, oct(mode(pool))
        for f in pool.iterdir():
            if f.suffix in (".log", ".sock", ".standby", ".claim"):
                assert mode(f) & 0o077 == 0, (f, oct(mode(f)))
    finally:
        kernel.shutdown()


def test_another_user_cannot_claim_a_standby_or_run_code_through_it(intruder, tmp_path):
    first = Kernel()
    try:
        # A standby warms at the lowest priority: on a loaded machine that takes minutes.
        wait_for(lambda: len(ready_standbys()) >= 1, "a ready standby", 400)
    finally:
        first.shutdown()
    sock = ready_standbys()[0]
    pid = int(sock.stem)
    log = sock.with_suffix(".log")
    # What a permissive umask used to leave: every directory on the way and the socket open.
    opened = [p for p in sock.parents if p != Path("/")]
    saved = {p: mode(p) for p in [*opened, sock]}
    home = Path(f"/home/{intruder}")
    ports = [free_port() for _ in range(5)]
    connection = home / "evil.json"
    connection.write_text(json.dumps({
        "shell_port": ports[0], "iopub_port": ports[1], "stdin_port": ports[2], "control_port": ports[3],
        "hb_port": ports[4], "ip": "127.0.0.1", "key": "intruder", "transport": "tcp",
        "signature_scheme": "hmac-sha256"}))
    account = pwd.getpwnam(intruder)
    os.chown(connection, account.pw_uid, account.pw_gid)
    try:
        for p in opened:
            os.chmod(p, saved[p] | 0o755)
        os.chmod(sock, 0o777)
        claim = json.dumps({"connection_file": str(connection), "cwd": str(home)})
        attempt = as_intruder(intruder, f"""
import socket
s = socket.socket(socket.AF_UNIX)
s.settimeout(20)
s.connect({str(sock)!r})
s.sendall({claim!r}.encode() + b"\\n")
try:
    print("answer:", s.recv(100))
except Exception as e:
    print("no answer:", type(e).__name__)
""")
        assert "answer: b''" in attempt.stdout or "no answer" in attempt.stdout, (attempt.stdout, attempt.stderr)
        assert "ok" not in attempt.stdout.split("answer:")[-1]
    finally:
        for p, m in saved.items():
            os.chmod(p, m)
    wait_for(lambda: "refused a claim from uid" in log.read_text(), "the refusal in the standby's log", 30)
    text = log.read_text()
    assert f"uid {account.pw_uid}" in text
    assert "claimed for" not in text, text
    # Nothing listens on the intruder's ports: the kernel never bound them.
    for port in ports:
        with socket.socket() as s:
            assert s.connect_ex(("127.0.0.1", port)) != 0, f"port {port} answers"
    # The standby still waits for its owner, and serves it.
    assert pid_alive(pid) and sock.exists()
    owner = Kernel()
    try:
        assert owner.ok("1 + 1").result() == "2"
    finally:
        owner.shutdown()


def test_a_store_that_others_may_write_is_refused_with_the_fix(tmp_path):
    spec = json.loads((Path(sys.prefix) / "share/jupyter/kernels/torchbook/kernel.json").read_text())
    shared = tmp_path / "shared-store"
    shared.mkdir()
    os.chmod(shared, 0o777)
    env = {**os.environ, **spec["env"], "TORCHBOOK_STORE": str(shared), "TORCHBOOK_STANDBY": "1"}
    spawn = subprocess.run([spec["argv"][0], "standby", "--spawn"], env=env, capture_output=True, text=True)
    assert spawn.returncode != 0
    assert "can be written by other users" in spawn.stderr and "chmod go-w" in spawn.stderr, spawn.stderr
    assert not (shared / "standby").exists()
