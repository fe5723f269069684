"""A real JupyterHub with three local users running a course notebook at the same time.

    sudo /opt/torchbook-hub/venv/bin/python bench/hub.py [--users 3] [--notebook notebooks/04_activations.ipynb]

Run by hand (as root: it creates local users and the hub spawns their servers as them), after
`./install.sh`. It sets up, in /opt/torchbook-hub (`--hub-dir`):

- JupyterHub (PyPI) and JupyterLab in `venv/`, configurable-http-proxy (npm) in `node/`, a copy
  of this machine's Rust toolchain in `rust/` (root's `~/.rustup` is not readable by others) and
  the C++ wrapper `libtch.a` that install.sh built, so no user builds libtorch's wrapper;
- local users `tbhub1`... made with `useradd`, each with a kernelspec of its own in
  `~/.local/share/jupyter/kernels/torchbook` whose store is in the user's own cache (a hub user
  cannot use another user's store: the privacy checks refuse it), and that store's build template
  warmed as the user (`torchbook-kernel warm`), timed;

then starts the hub with the DummyAuthenticator and a service token, starts every user's server
through the hub's REST API, and at the same moment, in every user's server (through the proxy,
`/user/NAME/api/kernels` and the kernel's websocket), starts a Torchbook kernel and runs every
code cell of the notebook. It reports per user: the server's start time, the kernel's start to
its first reply, the notebook's run time, cells with errors, and the peak resident memory of all
the user's processes (sampled every 0.5 s from /proc). Standby kernels are on, as on a real hub.
`--standby 0` turns the pool off (what a hub with 1-2 GB per user needs). Everything is
stopped at the end; the users and their homes are left for a rerun.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import pwd
import secrets
import shutil
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests
import websocket

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"


def sh(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), check=True, text=True, capture_output=True, **kw)


@functools.cache
def torch_lib() -> str:
    return sh(str(VENV / "bin/python"), "-c", "import os, torch; print(os.path.join(os.path.dirname(torch.__file__), 'lib'))").stdout.strip()


def libtch() -> Path:
    target = Path(os.environ.get("CARGO_TARGET_DIR", Path.home() / ".cache/torchbook/target"))
    found = sorted(target.glob("release/build/torch-sys-*/out/libtch.a"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise SystemExit(f"no libtch.a under {target}: run ./install.sh first")
    return found[-1]


def set_up_hub_dir(hub: Path) -> None:
    if not (hub / "venv/bin/jupyterhub").exists():
        # A Python every user can run (a pyenv under /root is not).
        sh("/usr/bin/python3", "-m", "venv", str(hub / "venv"))
        sh(str(hub / "venv/bin/pip"), "install", "-q", "jupyterhub==6.1.1", "jupyterlab==4.6.6")
    if not (hub / "node/node_modules/.bin/configurable-http-proxy").exists():
        sh("npm", "install", "--prefix", str(hub / "node"), "configurable-http-proxy")
    if not (hub / "rust/bin/cargo").exists():
        sysroot = sh("rustc", "--print", "sysroot").stdout.strip()
        shutil.copytree(sysroot, hub / "rust", symlinks=True)
    shutil.copy(libtch(), hub / "libtch.a")
    for p in [hub, *hub.rglob("*")]:
        if not p.is_symlink():
            p.chmod(p.stat().st_mode | 0o044 | (0o011 if p.is_dir() or p.stat().st_mode & 0o100 else 0))


STANDBY: str | None = None  # --standby N: the kernels' TORCHBOOK_STANDBY (pool size)


def kernel_env(hub: Path, home: Path) -> dict[str, str]:
    return {**({"TORCHBOOK_STANDBY": STANDBY} if STANDBY is not None else {}),
        "TORCHBOOK_STORE": str(home / ".cache/torchbook/stores/hub"),
        "TORCHBOOK_PRELUDE": str(ROOT / "prelude"),
        "LIBTORCH_USE_PYTORCH": "1",
        "LD_LIBRARY_PATH": torch_lib(),
        "PATH": f"{VENV}/bin:{hub}/rust/bin:/usr/local/bin:/usr/bin:/bin",
    }


def set_up_user(hub: Path, name: str) -> float:
    """Makes the user, its kernelspec and its warmed store; returns the warm-up's seconds."""
    if subprocess.run(["id", name], capture_output=True).returncode != 0:
        sh("useradd", "--create-home", "--shell", "/bin/bash", name)
    home = Path(pwd.getpwnam(name).pw_dir)
    env = kernel_env(hub, home)
    # A clean environment: nothing of root's (its cargo target, its library path) reaches the user.
    as_user = ["runuser", "-u", name, "--", "env", "-i", f"HOME={home}", f"USER={name}", *[f"{k}={v}" for k, v in env.items()]]
    sh(*as_user, str(VENV / "bin/torchbook-kernel"), "install", "--prefix", str(home / ".local"),
       *sum((["--env", f"{k}={v}"] for k, v in env.items()), []))
    started = time.monotonic()
    warm = subprocess.run([*as_user, str(VENV / "bin/torchbook-kernel"), "warm", "--libtch", str(hub / "libtch.a"),
                           "--torch-lib", env["LD_LIBRARY_PATH"]], text=True, capture_output=True, cwd=home)
    if warm.returncode != 0:
        raise SystemExit(f"warming {name}'s store failed:\n{warm.stdout[-3000:]}\n{warm.stderr[-3000:]}")
    return time.monotonic() - started


def stop_standbys(hub: Path, name: str) -> None:
    home = Path(pwd.getpwnam(name).pw_dir)
    env = kernel_env(hub, home)
    subprocess.run(["runuser", "-u", name, "--", "env", "-i", f"HOME={home}", *[f"{k}={v}" for k, v in env.items()],
                    str(VENV / "bin/torchbook-kernel"), "standby", "--stop"], capture_output=True)


def user_rss_mib(uid: int) -> float:
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if int(fields.get("Uid", "-1").split()[0]) == uid and "VmRSS" in fields:
            total += int(fields["VmRSS"].split()[0])
    return total / 1024


class Peak(threading.Thread):
    def __init__(self, uid: int):
        super().__init__(daemon=True)
        self.uid, self.peak, self.running = uid, 0.0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, user_rss_mib(self.uid))
            time.sleep(0.5)


def write_config(hub: Path, work: Path, users: list[str], token: str, port: int) -> Path:
    config = work / "jupyterhub_config.py"
    config.write_text(f"""
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_port = {port + 1}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{port + 2}"
c.ConfigurableHTTPProxy.command = ["{hub}/node/node_modules/.bin/configurable-http-proxy"]
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {set(users)!r}
c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
c.Spawner.cmd = ["{hub}/venv/bin/jupyterhub-singleuser"]
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.JupyterHub.db_url = "sqlite:///{work}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{work}/cookie_secret"
c.ConfigurableHTTPProxy.pid_file = "{work}/proxy.pid"
c.JupyterHub.services = [{{"name": "bench", "api_token": "{token}"}}]
c.JupyterHub.load_roles = [{{"name": "bench", "scopes": ["admin:users", "admin:servers", "access:servers"], "services": ["bench"]}}]
""")
    return config


def run_notebook(base: str, token: str, user: str, notebook: Path, result: dict) -> None:
    headers = {"Authorization": f"token {token}"}
    api = f"{base}/user/{user}/api"
    started = time.monotonic()
    kernel = requests.post(f"{api}/kernels", json={"name": "torchbook"}, headers=headers, timeout=300)
    kernel.raise_for_status()
    kid = kernel.json()["id"]
    ws = websocket.create_connection(f"{base.replace('http', 'ws', 1)}/user/{user}/api/kernels/{kid}/channels",
                                     header=[f"Authorization: token {token}"], timeout=900)
    session = uuid.uuid4().hex

    def request(msg_type: str, content: dict) -> tuple[dict, list[dict]]:
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps({"header": {"msg_id": msg_id, "msg_type": msg_type, "session": session, "username": user,
                                       "version": "5.3", "date": ""},
                            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell"}))
        reply, outputs, idle = None, [], False
        while reply is None or not idle:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["channel"] == "shell":
                reply = msg
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
            elif msg["msg_type"] in ("stream", "error", "execute_result"):
                outputs.append(msg)
        return reply, outputs

    request("kernel_info_request", {})
    result["kernel_ready_s"] = time.monotonic() - started
    cells = [c for c in json.loads(notebook.read_text())["cells"] if c["cell_type"] == "code"]
    run_started = time.monotonic()
    errors = []
    for i, cell in enumerate(cells):
        source = "".join(cell["source"])
        tags = cell.get("metadata", {}).get("tags", [])
        reply, outputs = request("execute_request", {"code": source, "silent": False, "store_history": True,
                                                     "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        if reply["content"]["status"] != "ok" and "raises-exception" not in tags:
            errors.append((i, reply["content"].get("ename"), reply["content"].get("evalue", "")[:300]))
    result["notebook_s"] = time.monotonic() - run_started
    result["cells"] = len(cells)
    result["errors"] = errors
    ws.close()
    requests.delete(f"{api}/kernels/{kid}", headers=headers, timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--notebook", type=Path, default=ROOT / "notebooks/04_activations.ipynb")
    parser.add_argument("--hub-dir", type=Path, default=Path("/opt/torchbook-hub"))
    parser.add_argument("--port", type=int, default=18000)
    parser.add_argument("--standby", help="standby kernels per user (TORCHBOOK_STANDBY; default: the kernel's own)")
    args = parser.parse_args()
    global STANDBY
    STANDBY = args.standby
    if os.geteuid() != 0:
        raise SystemExit("run as root: the hub spawns each user's server as that user")
    hub, users = args.hub_dir, [f"tbhub{i + 1}" for i in range(args.users)]
    print(f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.1f} GiB; "
          f"{len(users)} users, notebook {args.notebook.name}, standbys {STANDBY or 'default'}", flush=True)
    set_up_hub_dir(hub)
    warm = {}
    for name in users:
        warm[name] = set_up_user(hub, name)
        print(f"{name}: store warmed in {warm[name]:.1f} s", flush=True)
    work = hub / "run"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    token = secrets.token_hex(16)
    config = write_config(hub, work, users, token, args.port)
    log = open(work / "hub.log", "w")
    hub_proc = subprocess.Popen([str(hub / "venv/bin/jupyterhub"), "-f", str(config)], cwd=work, stdout=log,
                                stderr=subprocess.STDOUT, env=dict(os.environ, PATH=f"{hub}/venv/bin:{os.environ['PATH']}"))
    base = f"http://127.0.0.1:{args.port}"
    headers = {"Authorization": f"token {token}"}
    results = {name: {} for name in users}
    peaks = {name: Peak(pwd.getpwnam(name).pw_uid) for name in users}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/hub/api/", timeout=5).ok:
                    break
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or hub_proc.poll() is not None:
                raise SystemExit(f"the hub did not start; see {work}/hub.log")
            time.sleep(0.5)
        requests.post(f"{base}/hub/api/users", json={"usernames": users}, headers=headers, timeout=30)
        for p in peaks.values():
            p.start()
        started = {name: time.monotonic() for name in users}
        for name in users:
            r = requests.post(f"{base}/hub/api/users/{name}/server", headers=headers, timeout=60)
            if r.status_code not in (201, 202):
                raise SystemExit(f"starting {name}'s server: {r.status_code} {r.text}")
        pending = set(users)
        while pending:
            for name in list(pending):
                model = requests.get(f"{base}/hub/api/users/{name}", headers=headers, timeout=30).json()
                server = model.get("servers", {}).get("")
                if server and server.get("ready"):
                    results[name]["server_s"] = time.monotonic() - started[name]
                    pending.discard(name)
            if time.monotonic() - min(started.values()) > 300:
                raise SystemExit(f"servers not ready after 300 s: {pending}; see {work}/hub.log")
            time.sleep(0.5)
        print("servers: " + ", ".join(f"{n} {results[n]['server_s']:.1f} s" for n in users), flush=True)
        threads = [threading.Thread(target=run_notebook, args=(base, token, name, args.notebook, results[name])) for name in users]
        all_started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.monotonic() - all_started
        for p in peaks.values():
            p.running = False
        print(f"\n{len(users)} users ran {args.notebook.name} at the same time; wall {wall:.1f} s")
        print(f"{'user':<8} {'warm s':>7} {'server s':>9} {'kernel s':>9} {'notebook s':>11} {'peak RSS MiB':>13}  cells with errors")
        failed = 0
        for name in users:
            r = results[name]
            if "notebook_s" not in r:
                failed += 1
                print(f"{name:<8} did not finish: {r}")
                continue
            failed += bool(r["errors"])
            print(f"{name:<8} {warm[name]:>7.1f} {r['server_s']:>9.1f} {r['kernel_ready_s']:>9.1f} {r['notebook_s']:>11.1f} "
                  f"{peaks[name].peak:>13.0f}  {r['errors'] or 'none'} (of {r['cells']})")
        print(f"{len(users) - failed} passed, {failed} failed")
    finally:
        for name in users:
            requests.delete(f"{base}/hub/api/users/{name}/server", headers=headers, timeout=60)
        hub_proc.terminate()
        hub_proc.wait(timeout=30)
        for name in users:
            stop_standbys(hub, name)
        log.close()


if __name__ == "__main__":
    sys.exit(main())
