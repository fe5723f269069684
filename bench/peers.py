"""Torchbook against its peers, alternating them in one run: start-up, per-cell latency, memory.

    .venv/bin/python bench/peers.py [--starts 5] [--repeats 5] [--skip-evcxr]

Peers: evcxr_jupyter 0.22 (installed by bench/setup_peers.sh into ~/.cache/torchbook/peers,
outside the repository's build; its tmpdir is kept between starts, so `:dep tch` does not rebuild
tch each time) and ipykernel with `import torch`. Torchbook is measured twice: with a standby
kernel ready (the default; the pool is allowed to refill before each start) and cold
(`TORCHBOOK_STANDBY=0`). Every figure is a median with min and max; ratios are Torchbook / peer.
The floor is what rustc alone needs to compile and link a one-line dynamic library.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = Path.home() / ".cache" / "torchbook" / "peers"
EVCXR = PEERS / "evcxr" / "bin" / "evcxr_jupyter"
EVCXR_TMP = PEERS / "evcxr-tmpdir"
SPECS = PEERS / "kernelspecs"

sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
from stats import summary  # noqa: E402
from jupyter_client.manager import start_new_kernel  # noqa: E402

TORCH_LIB = Path(ROOT / ".venv/lib").glob("python3*/site-packages/torch/lib").__next__()

TB_FIRST = "let x = Tensor::randn([3, 4], (Kind::Float, Device::Cpu));\nx.sum(Kind::Float)"
EVCXR_SETUP = [":dep tch = \"0.26\"", "use tch::{nn, nn::Module, nn::OptimizerConfig, Device, Kind, Tensor};"]
EVCXR_FIRST = TB_FIRST
PY_FIRST = "import torch\nx = torch.randn(3, 4)\nx.sum()"

# The ten cells: Torchbook's form and evcxr's (tch and plain Rust only, same work).
SVG = "<svg xmlns='http://www.w3.org/2000/svg' width='40' height='20'><polyline points='0,0 20,10 40,15' stroke='black' fill='none'/></svg>"
CELLS = {
    "expression": ("1 + 2", "1 + 2"),
    "let": ("let a{i} = 40 + {i};", "let a{i} = 40 + {i};"),
    "fn": ("fn f{i}(v: i64) -> i64 {{ v * 2 }}", "fn f{i}(v: i64) -> i64 {{ v * 2 }}"),
    "struct": ("struct P{i} {{ x: f64 }}", "struct P{i} {{ x: f64 }}"),
    "loop": ("let mut s{i} = 0u64;\nfor k in 0..1000u64 {{ s{i} += k; }}",) * 2,
    "println": ('println!("hello {i}");',) * 2,
    "tensor op": (
        "let t{i} = Tensor::ones([64, 64], (Kind::Float, Device::Cpu)).matmul(&Tensor::ones([64, 64], (Kind::Float, Device::Cpu)));",
    ) * 2,
    "training step": (
        "let vs{i} = nn::VarStore::new(Device::Cpu);\n"
        "let net{i} = nn::seq().add(nn::linear(&vs{i}.root() / \"l1\", 8, 16, Default::default())).add_fn(|x| x.relu()).add(nn::linear(&vs{i}.root() / \"l2\", 16, 1, Default::default()));\n"
        "let mut opt{i} = nn::Adam::default().build(&vs{i}, 1e-3).unwrap();\n"
        "let xb{i} = Tensor::randn([32, 8], (Kind::Float, Device::Cpu));\n"
        "let yb{i} = Tensor::rand([32, 1], (Kind::Float, Device::Cpu)).round();\n"
        "let l{i} = net{i}.forward(&xb{i}).binary_cross_entropy_with_logits::<Tensor>(&yb{i}, None, None, tch::Reduction::Mean);\n"
        "opt{i}.backward_step(&l{i});",
    ) * 2,
    "plot": (
        'LineChart::new("c{i}").series_y("y", &[1.0, 0.5, 0.25])',
        'println!("EVCXR_BEGIN_CONTENT image/svg+xml\\n' + SVG + '\\nEVCXR_END_CONTENT");',
    ),
    "display update": (
        'let h{i} = display(&"start");\nh{i}.update(&"done");',
        'println!("EVCXR_BEGIN_CONTENT text/plain\\nstart\\nEVCXR_END_CONTENT");\nprintln!("EVCXR_BEGIN_CONTENT text/plain\\ndone\\nEVCXR_END_CONTENT");',
    ),
}


def write_specs() -> None:
    """Kernelspecs for the peers, in a folder of the benchmark's own (found through JUPYTER_PATH)."""
    path = f"{ROOT / '.venv/bin'}:{Path.home() / '.cargo/bin'}:/usr/local/bin:/usr/bin:/bin"
    evcxr_env = {"LIBTORCH_USE_PYTORCH": "1", "LD_LIBRARY_PATH": str(TORCH_LIB), "PATH": path,
                 "EVCXR_TMPDIR": str(EVCXR_TMP)}
    specs = {
        "bench-evcxr": {"argv": [str(EVCXR), "--control_file", "{connection_file}"], "language": "rust",
                        "display_name": "evcxr 0.22", "env": evcxr_env},
        "bench-ipykernel": {"argv": [str(ROOT / ".venv/bin/python"), "-m", "ipykernel_launcher", "-f",
                                     "{connection_file}"], "language": "python", "display_name": "ipykernel"},
    }
    for name, spec in specs.items():
        d = SPECS / "kernels" / name
        d.mkdir(parents=True, exist_ok=True)
        (d / "kernel.json").write_text(json.dumps(spec, indent=1))
    os.environ["JUPYTER_PATH"] = str(SPECS)


class Client:
    def __init__(self, kernel_name: str, env: dict[str, str] | None = None):
        kwargs = {"env": env} if env else {}
        self.km, self.kc = start_new_kernel(kernel_name=kernel_name, startup_timeout=900, **kwargs)

    def run(self, code: str, timeout: float = 900) -> dict:
        msg_id = self.kc.execute(code)
        reply = self.kc.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=timeout)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"{code!r} failed: {reply['content']}")
        return reply

    def rss_mib(self, root: int | None = None) -> float:
        """Resident memory of process `root` (default: the one Jupyter started) and its descendants."""
        pids = [root or self.km.provisioner.pid]
        total = 0
        while pids:
            pid = pids.pop()
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
                pids.extend(int(c) for c in children)
            except OSError:
                pass
        return total / 1024

    def run_result(self, code: str) -> str:
        msg_id = self.kc.execute(code)
        result = ""
        while True:
            msg = self.kc.get_iopub_msg(timeout=60)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "execute_result":
                result = msg["content"]["data"]["text/plain"]
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return result

    def close(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)


def torchbook_rss(client: Client) -> float:
    """The kernel process serving the notebook (a standby, not a child of the process Jupyter
    started, which only waits for it) and its execution process, plus that waiting process."""
    serving = int(client.run_result("std::os::unix::process::parent_id()"))
    launcher = client.km.provisioner.pid
    extra = client.rss_mib(launcher) if serving == launcher else _own_rss(launcher)
    return (client.rss_mib(serving) if serving != launcher else 0) + extra


def _own_rss(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def torchbook_store() -> Path:
    spec = json.loads((ROOT / ".venv/share/jupyter/kernels/torchbook/kernel.json").read_text())
    return Path(spec["env"]["TORCHBOOK_STORE"])


def spawn_standbys() -> None:
    """Starts the standby pool as `install.sh --open` does (the kernelspec's environment), so
    the first measured start does not wait for a pool that only a first kernel would fill."""
    spec = json.loads((ROOT / ".venv/share/jupyter/kernels/torchbook/kernel.json").read_text())
    subprocess.run([spec["argv"][0], "standby", "--spawn"], env=dict(os.environ, **spec["env"]), check=True)


def wait_for_standbys(n: int = 2, timeout: float = 180) -> None:
    if not any(Path(f"/proc/{p.stem}").exists() for p in torchbook_store().glob("standby/*/*.standby")):
        spawn_standbys()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = [p for p in torchbook_store().glob("standby/*/*.sock") if Path(f"/proc/{p.stem}").exists()]
        if len(ready) >= n:
            return
        time.sleep(0.25)


def timed_start(name: str, setup: list[str], first: str, env: dict[str, str] | None = None) -> float:
    t0 = time.perf_counter()
    c = Client(name, env)
    for code in setup:
        c.run(code)
    c.run(first)
    elapsed = time.perf_counter() - t0
    c.close()
    return elapsed


def rustc_floor(repeats: int) -> list[float]:
    times = []
    with tempfile.TemporaryDirectory() as d:
        src = Path(d) / "one.rs"
        src.write_text("#[no_mangle] pub extern \"C\" fn one() -> i32 { 1 }\n")
        for _ in range(repeats):
            t0 = time.perf_counter()
            subprocess.run(["rustc", "--crate-type", "cdylib", "-C", "opt-level=0", "-o", str(Path(d) / "libone.so"),
                            str(src)], check=True)
            times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-evcxr", action="store_true")
    args = parser.parse_args()
    use_evcxr = not args.skip_evcxr
    if use_evcxr and not EVCXR.exists():
        sys.exit(f"{EVCXR} is missing: run bench/setup_peers.sh first (or pass --skip-evcxr)")
    write_specs()
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} on {os.cpu_count()} CPUs; torch lib {TORCH_LIB}", flush=True)

    if use_evcxr:
        print("warming evcxr's tmpdir (builds tch once; not timed)...", flush=True)
        try:
            timed_start("bench-evcxr", EVCXR_SETUP, EVCXR_FIRST)
        except Exception as e:  # reported, and the run goes on without the peer
            print(f"evcxr_jupyter could not run a cell on this machine, so it is left out: {e}", flush=True)
            use_evcxr = False

    # 1. Start to first tensor result, alternating the kernels.
    starts: dict[str, list[float]] = {"torchbook (standby ready)": [], "torchbook (cold)": [], "ipykernel + torch": []}
    if use_evcxr:
        starts["evcxr_jupyter + :dep tch"] = []
    cold_env = dict(os.environ, TORCHBOOK_STANDBY="0")
    for _ in range(args.starts):
        wait_for_standbys()
        starts["torchbook (standby ready)"].append(timed_start("torchbook", [], TB_FIRST))
        starts["torchbook (cold)"].append(timed_start("torchbook", [], TB_FIRST, cold_env))
        starts["ipykernel + torch"].append(timed_start("bench-ipykernel", [], PY_FIRST))
        if use_evcxr:
            starts["evcxr_jupyter + :dep tch"].append(timed_start("bench-evcxr", EVCXR_SETUP, EVCXR_FIRST))
    print("\n## Kernel start to first tensor result")
    for name, values in starts.items():
        print(f"{name:>28}: {summary(values)}")
    for peer in [p for p in starts if not p.startswith("torchbook")]:
        ratio = statistics.median(starts["torchbook (standby ready)"]) / statistics.median(starts[peer])
        print(f"{'ratio vs ' + peer:>40}: {ratio:.2f}x the peer's time")

    # 2. Per-cell latency, the two Rust kernels side by side, cell by cell.
    wait_for_standbys()
    tb = Client("torchbook")
    tb.run(TB_FIRST)
    ev = None
    if use_evcxr:
        ev = Client("bench-evcxr")
        for code in EVCXR_SETUP:
            ev.run(code)
        ev.run(EVCXR_FIRST)
    idle_rss = {"torchbook": torchbook_rss(tb)}
    if ev:
        idle_rss["evcxr_jupyter"] = ev.rss_mib()
    print("\n## Per-cell latency (execute_request to execute_reply)")
    worst = 0.0
    for name, (tb_code, ev_code) in CELLS.items():
        tb_t, ev_t = [], []
        for i in range(args.repeats):
            t0 = time.perf_counter()
            tb.run(tb_code.format(i=i))
            tb_t.append(time.perf_counter() - t0)
            if ev:
                t0 = time.perf_counter()
                ev.run(ev_code.format(i=i))
                ev_t.append(time.perf_counter() - t0)
        line = f"{name:>15}: torchbook {summary(tb_t)}"
        if ev:
            ratio = statistics.median(tb_t) / statistics.median(ev_t)
            worst = max(worst, ratio)
            line += f" | evcxr {summary(ev_t)} | ratio {ratio:.2f}"
        print(line, flush=True)
    if ev:
        print(f"worst ratio over the ten cells: {worst:.2f} (goal: at most 0.50)")
    floor = rustc_floor(args.repeats)
    print(f"floor: rustc compiles and links a one-line cdylib in {summary(floor)}")

    # 5. Memory: idle with the prelude loaded, and after the text classification notebook's cells.
    print("\n## Resident memory (kernel process and its children)")
    for name, mib in idle_rss.items():
        print(f"{name:>15} idle after the first tensor: {mib:8.0f} MiB")
    tb.close()
    if ev:
        ev.close()
    nb = ROOT / "notebooks" / "06_text_classification.ipynb"
    if nb.exists():
        import nbformat

        wait_for_standbys()
        notebook = nbformat.read(nb, as_version=4)
        c = Client("torchbook")
        for cell in notebook.cells:
            if cell.cell_type == "code":
                c.run(cell.source)
        print(f"{'torchbook':>15} after the cells of {nb.name}: {torchbook_rss(c):8.0f} MiB")
        c.close()


if __name__ == "__main__":
    main()
