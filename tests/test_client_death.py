"""Issue 11, item 9: a kernel whose client dies exits, taking its execution process with it.

The client here is a separate Python process running jupyter_client's KernelManager, killed
with SIGKILL (as `kill -9` of jupyter console, or a closed terminal, would): it sends no
shutdown. ipykernel exits within seconds in that case; Torchbook must within 10 s.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

CLIENT = r"""
import json, sys
from jupyter_client.manager import start_new_kernel
km, kc = start_new_kernel(kernel_name="torchbook", startup_timeout=300)
msg_id = kc.execute("std::process::id()")
while True:
    m = kc.get_iopub_msg(timeout=300)
    if m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "execute_result":
        execution = int(m["content"]["data"]["text/plain"])
        break
print(json.dumps({"kernel": km.provisioner.pid, "execution": execution}), flush=True)
sys.stdin.read()  # wait to be killed
"""


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_a_kernel_exits_within_10_s_when_its_client_is_killed(tmp_path):
    for standby in ("0", "2"):
        env = dict(os.environ, TORCHBOOK_STANDBY=standby)
        client = subprocess.Popen([sys.executable, "-c", CLIENT], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True, env=env)
        try:
            pids = json.loads(client.stdout.readline())
            assert alive(pids["kernel"]) and alive(pids["execution"]), pids
            client.send_signal(signal.SIGKILL)
            client.wait()
            deadline = time.monotonic() + 10
            while (alive(pids["kernel"]) or alive(pids["execution"])) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not alive(pids["kernel"]), f"kernel {pids['kernel']} outlived its client (standby={standby})"
            assert not alive(pids["execution"]), f"execution process {pids['execution']} outlived its kernel"
        finally:
            client.kill()
