"""Standby kernels (kernel/src/standby.rs): a notebook is served by a session started ahead of
time, in the notebook's folder, and the standby's life is tied to the process Jupyter started.

No assertion here depends on timing; bench/peers.py measures how much faster it is.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from kernel_client import Kernel
from test_kernel_lifecycle import store

FIRST = "let x = Tensor::ones([2, 3], (Kind::Float, Device::Cpu));\nx.sum(Kind::Float).double_value(&[])"


def ready_standbys() -> list[Path]:
    """Sockets of live standbys (files of stopped ones are removed lazily)."""
    return sorted(p for p in store().glob("standby/*/*.sock") if pid_alive(int(p.stem)))


def wait_for(predicate, what: str, timeout: float = 180.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def pid_alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def standby_pid(kernel: Kernel) -> int:
    """The process serving the kernel: the parent of its execution process."""
    return int(kernel.ok("std::os::unix::process::parent_id()").result())


def test_a_kernel_started_when_a_standby_is_ready_is_served_by_it_in_the_notebook_folder(tmp_path):
    first = Kernel()  # starts (or keeps) the pool
    try:
        wait_for(lambda: len(ready_standbys()) >= 1, "a ready standby")
        before = {p.stem for p in ready_standbys()}
        notebook_dir = tmp_path / "course"
        notebook_dir.mkdir()
        second = Kernel(cwd=str(notebook_dir))
        try:
            assert second.ok(FIRST).result() == "6.0"
            served_by = standby_pid(second)
            assert str(served_by) in before, f"{served_by} was not one of the ready standbys {before}"
            assert served_by != second.km.provisioner.pid, "the launcher itself ran the session"
            cwd = second.ok("std::env::current_dir().unwrap().display().to_string()").result()
            assert cwd.strip('"') == str(notebook_dir)
            second.ok(f'std::fs::write("made-here.txt", "hi").unwrap();')
            assert (notebook_dir / "made-here.txt").read_text() == "hi"
            # Variables, errors and restarts of the execution process work as in any kernel.
            second.ok("let kept = 5;")
            boom = second.execute('panic!("boom")', timeout=60)
            assert boom.status == "error"
            assert "boom" in "\n".join(boom.reply["content"]["traceback"]), boom.reply["content"]
            assert second.ok("kept * 2").result() == "10"
        finally:
            second.shutdown()
        wait_for(lambda: not pid_alive(served_by), "the standby to exit after shutdown", 30)
    finally:
        first.shutdown()


def test_killing_the_process_jupyter_started_ends_the_standby_and_its_execution_process():
    first = Kernel()
    try:
        wait_for(lambda: len(ready_standbys()) >= 1, "a ready standby")
    finally:
        first.shutdown()
    kernel = Kernel()
    serving = standby_pid(kernel)
    execution = int(kernel.ok("std::process::id()").result())
    assert pid_alive(serving) and pid_alive(execution)
    kernel.kc.stop_channels()
    # SIGKILL to the process Jupyter started: no shutdown message reaches the kernel.
    os.kill(kernel.km.provisioner.pid, signal.SIGKILL)
    wait_for(lambda: not pid_alive(serving) and not pid_alive(execution),
             "the standby and its execution process to exit", 30)


def test_standbys_can_be_turned_off():
    env = dict(os.environ, TORCHBOOK_STANDBY="0")
    kernel = Kernel(env=env)
    try:
        assert kernel.ok(FIRST).result() == "6.0"
        # Without standbys the kernel process runs the session itself.
        assert standby_pid(kernel) == kernel.km.provisioner.pid
    finally:
        kernel.shutdown()


def test_a_bad_standby_setting_is_named_and_the_kernel_starts_without_standbys(tmp_path):
    spec = json.loads((Path(sys.prefix) / "share/jupyter/kernels/torchbook/kernel.json").read_text())
    connection = tmp_path / "kernel.json"
    connection.write_text(json.dumps({
        "shell_port": 0, "iopub_port": 0, "stdin_port": 0, "control_port": 0, "hb_port": 0,
        "ip": "127.0.0.1", "key": "k", "transport": "tcp", "signature_scheme": "hmac-sha256"}))
    env = dict(os.environ, **spec["env"], TORCHBOOK_STANDBY="lots")
    proc = subprocess.Popen([spec["argv"][0], "run", "--connection-file", str(connection)],
                            env=env, stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline()
        assert "TORCHBOOK_STANDBY" in line and "lots" in line and "without standby" in line, line
    finally:
        proc.kill()
        proc.wait()


def test_an_unclaimed_standby_exits_when_its_jupyter_client_is_gone():
    # Issue 11, item 9: standbys with nobody to serve stop; they used to wait 30 minutes each.
    spec = json.loads((Path(sys.prefix) / "share/jupyter/kernels/torchbook/kernel.json").read_text())
    client = subprocess.Popen(["sleep", "600"])
    env = dict(os.environ, **spec["env"], TORCHBOOK_STANDBY="1", TORCHBOOK_STANDBY_FOR_PID=str(client.pid))
    env.pop("JPY_PARENT_PID", None)
    standby = subprocess.Popen([spec["argv"][0], "standby"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: any(p.stem == str(standby.pid) for p in ready_standbys()), "the standby to be ready")
        assert standby.poll() is None
        client.kill()
        client.wait()
        standby.wait(timeout=10)
        log = next(store().glob(f"standby/*/{standby.pid}.log")).read_text()
        assert "the Jupyter client it was started for is gone" in log, log
    finally:
        client.kill()
        standby.kill()


def test_a_standby_takes_the_environment_of_the_kernel_it_serves():
    # Before: a standby kept the environment of the kernel that started it, so a notebook saw
    # another kernel's variables (issue 12, item 7).
    spawner = Kernel(env={**os.environ, "TORCHBOOK_TEST_COURSE": "spawner", "TORCHBOOK_TEST_SPAWNER_ONLY": "1"})
    try:
        wait_for(lambda: len(ready_standbys()) >= 1, "a ready standby")
        before = {p.stem for p in ready_standbys()}
        claimant = Kernel(env={**os.environ, "TORCHBOOK_TEST_COURSE": "claimant κ"})
        try:
            assert str(standby_pid(claimant)) in before, "the kernel was not served by a standby"
            seen = claimant.ok('std::env::var("TORCHBOOK_TEST_COURSE").unwrap()').result()
            assert seen == '"claimant κ"'
            gone = claimant.ok('std::env::var_os("TORCHBOOK_TEST_SPAWNER_ONLY").is_none()').result()
            assert gone == "true"
            # The kernel process has it too: cargo and rustc see it at build time.
            assert claimant.ok('env!("TORCHBOOK_TEST_COURSE")').result() == '"claimant κ"'
        finally:
            claimant.shutdown()
    finally:
        spawner.shutdown()


def test_a_kernel_started_while_the_only_standby_warms_waits_for_it_instead_of_starting_cold():
    # Issue 14: the third of three notebooks opened in a row found both standbys still warming,
    # started a session of its own on the same two cores, and took 12.4 s (bench/lean.py).
    spec = json.loads((Path(sys.prefix) / "share/jupyter/kernels/torchbook/kernel.json").read_text())
    binary = spec["argv"][0]
    env = dict(os.environ, **spec["env"], TORCHBOOK_STANDBY="1")
    subprocess.run([binary, "standby", "--stop"], env=env, check=True, capture_output=True)
    client = subprocess.Popen(["sleep", "600"])
    standby_env = dict(env, TORCHBOOK_STANDBY_FOR_PID=str(client.pid))
    standby_env.pop("JPY_PARENT_PID", None)
    standby = subprocess.Popen([binary, "standby"], env=standby_env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kernel = None
    try:
        wait_for(lambda: any(p.stem == str(standby.pid) for p in store().glob("standby/*/*.standby")),
                 "the standby to register", 30)
        # The kernel waits at most 30 s (standby::patience), and a warm-up takes 30-37 s on this
        # 2-core machine: a kernel started the moment the standby registered gave up 3 s too
        # early in a CI run. Start it once the standby is 12 s into its warm-up, still warming.
        started = time.monotonic()
        wait_for(lambda: time.monotonic() - started >= 12, "the standby to be 12 s into its warm-up", 20)
        assert not any(p.stem == str(standby.pid) for p in ready_standbys()), "it must still be warming"
        kernel = Kernel(env=dict(os.environ, TORCHBOOK_STANDBY="1"))
        assert kernel.ok(FIRST).result() == "6.0"
        assert standby_pid(kernel) == standby.pid, "the kernel started its own session"
    finally:
        if kernel:
            kernel.shutdown()
        client.kill()
        standby.kill()
        standby.wait()
        subprocess.run([binary, "standby", "--stop"], env=env, capture_output=True)


def thread_niceness(pid: int) -> dict[int, int]:
    """Each thread of `pid` and its niceness (field 19 of /proc/<pid>/task/<tid>/stat)."""
    niceness = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:  # the thread ended meanwhile
            continue
        niceness[int(task.name)] = int(stat.rsplit(")", 1)[1].split()[16])
    return niceness


def autogroup_niceness(pid: int) -> int | None:
    """None for the default autogroup, whose line is empty (a process whose session descends
    from init's without a setsid: the project's CI runner is one)."""
    words = Path(f"/proc/{pid}/autogroup").read_text().split()
    return int(words[-1]) if words else None


def test_a_warming_standby_yields_the_processors_and_takes_them_back_when_claimed():
    """Issue 25, item 2. With autogroups on (most distributions, and CI here), every session gets
    an equal share of the processors, whatever its threads' niceness: a standby, a session of its
    own, warmed at niceness 10 and still took as much as the notebook running beside it."""
    enabled = Path("/proc/sys/kernel/sched_autogroup_enabled")
    if not enabled.exists() or enabled.read_text().strip() != "1":
        import pytest

        pytest.skip("this Linux has no autogroups")
    spec = json.loads((Path(sys.prefix) / "share/jupyter/kernels/torchbook/kernel.json").read_text())
    binary = spec["argv"][0]
    env = dict(os.environ, **spec["env"], TORCHBOOK_STANDBY="1")
    subprocess.run([binary, "standby", "--stop"], env=env, check=True, capture_output=True)
    client = subprocess.Popen(["sleep", "600"])
    standby_env = dict(env, TORCHBOOK_STANDBY_FOR_PID=str(client.pid))
    standby_env.pop("JPY_PARENT_PID", None)
    # A session of its own, as the kernel starts standbys (setsid).
    standby = subprocess.Popen([binary, "standby"], env=standby_env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    kernel = None
    try:
        wait_for(lambda: any(p.stem == str(standby.pid) for p in store().glob("standby/*/*.standby")),
                 "the standby to register", 30)
        wait_for(lambda: autogroup_niceness(standby.pid) == 19, "the warming standby's autogroup at niceness 19", 10)
        assert set(thread_niceness(standby.pid).values()) == {10}, thread_niceness(standby.pid)
        # Its own session only: this test's session keeps its share (None: the default group).
        assert autogroup_niceness(os.getpid()) in (0, None)
        # A kernel that waits for it lifts its autogroup while it still warms: a yielding standby
        # would keep the kernel waiting. Started 12 s into the warm-up, as in the test above.
        started = time.monotonic()
        wait_for(lambda: time.monotonic() - started >= 12, "the standby to be 12 s into its warm-up", 20)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as starter:
            starting = starter.submit(Kernel, env=dict(os.environ, TORCHBOOK_STANDBY="1"))
            lifted_while_warming = []

            def lifted() -> bool:
                if autogroup_niceness(standby.pid) != 0:
                    return starting.done()
                lifted_while_warming.append(not any(p.stem == str(standby.pid) for p in ready_standbys()))
                return True

            wait_for(lifted, "the waiting kernel to lift the standby's autogroup", 60)
            kernel = starting.result(timeout=300)
        assert lifted_while_warming == [True], "lifted only once claimed, or never"
        execution = int(kernel.ok("std::process::id()").result())
        assert standby_pid(kernel) == standby.pid, "the kernel started its own session"
        assert autogroup_niceness(standby.pid) == 0
        assert autogroup_niceness(execution) == 0, "the execution process shares the standby's session"
        if os.geteuid() == 0:  # lowering a thread's niceness needs privilege
            for pid in (standby.pid, execution):
                assert set(thread_niceness(pid).values()) == {0}, (pid, thread_niceness(pid))
    finally:
        if kernel:
            kernel.shutdown()
        client.kill()
        standby.kill()
        standby.wait()
        subprocess.run([binary, "standby", "--stop"], env=env, capture_output=True)
