"""A slider moved, until its chart is redrawn: Torchbook's widgets against ipykernel + ipywidgets,
same run (issue 23, part 5).

    .venv/bin/python bench/widgets.py [--moves 20]

Each kernel shows an integer slider and, through `interact`, a 200-point line chart of
sin(k x) titled with k. The benchmark then plays the front end (jupyter_client): it sends the
slider's `update` comm message, as JupyterLab does when the slider is dragged, and times until
the redrawn chart is on IOPub (Torchbook: the Output widget's state update holding the new
chart; ipywidgets: the `display_data` its Output widget captures). The kernel is idle
meanwhile. Torchbook is measured twice: with the prelude's `LineChart` (plotters, the course's
charts) and with the same hand-written SVG the Python peer draws (no matplotlib in the venv),
so the protocol paths compare like for like. Prints medians with spread (bench/stats.py) and
the ratios.

Second figure: a slider update sent on a kernel subshell (JEP 91, as JupyterLab 4.6 sends it)
while the main shell runs a 30-second cell, timed until the update's `idle` (applied and
echoed), against ipykernel 7's subshells doing the same; median of 20.

Not measured here: the same in the browser.
"""

from __future__ import annotations

import argparse
import os
import queue
import sys
import time
from pathlib import Path
from typing import Any, Callable

from jupyter_client.manager import start_new_kernel

sys.path.insert(0, str(Path(__file__).resolve().parent))
from stats import summary  # noqa: E402

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" width="400" height="200">'
       '<text x="10" y="20">sin(k x), k = {k}</text><polyline fill="none" stroke="blue" points="{points}"/></svg>')

TORCHBOOK_PLOTTERS = """let k = IntSlider::new(IntSliderConfig { value: 1, min: 1, max: 10, ..Default::default() });
let kk = k.clone();
let view = interact(&[&k], move || {
    let k = kk.value() as f64;
    let ys: Vec<f64> = (0..200).map(|i| (i as f64 / 200.0 * k).sin()).collect();
    LineChart::new(format!("sin(k x), k = {k}")).series_y("y", &ys)
});
view"""

TORCHBOOK_SVG = """let k = IntSlider::new(IntSliderConfig { value: 1, min: 1, max: 10, ..Default::default() });
let kk = k.clone();
let view = interact(&[&k], move || {
    let k = kk.value();
    let points: Vec<String> = (0..200)
        .map(|i| format!("{},{:.3}", i * 2, 100.0 - 50.0 * (i as f64 / 200.0 * k as f64).sin()))
        .collect();
    torchbook::display::Html::new(format!(SVG_TEMPLATE, k = k, points = points.join(" ")))
});
view""".replace("SVG_TEMPLATE", '"' + SVG.replace('"', '\\"') + '"')

PYTHON = '''import math
import ipywidgets as w
from IPython.display import display, HTML
k = w.IntSlider(value=1, min=1, max=10)
def chart(k):
    points = " ".join(f"{i * 2},{100 - 50 * math.sin(i / 200 * k):.3f}" for i in range(200))
    display(HTML(SVG.format(k=k, points=points)))
display(w.VBox([k, w.interactive_output(chart, {"k": k})]))
'''.replace("SVG.format", repr(SVG) + ".format")


def run_cell(kc, code: str) -> list[dict[str, Any]]:
    msg_id = kc.execute(code)
    messages = []
    while True:
        msg = kc.get_iopub_msg(timeout=600)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        messages.append(msg)
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    reply = kc.get_shell_msg(timeout=600)
    assert reply["content"]["status"] == "ok", reply["content"]
    return messages


def drain(kc) -> None:
    while True:
        try:
            kc.get_iopub_msg(timeout=0.3)
        except queue.Empty:
            return


def with_slider(kernel_name: str, code: str, env: dict[str, str] | None):
    """Starts a kernel and runs `code`, which opens an IntSlider; returns the manager, the
    client and the slider's comm id."""
    km, kc = start_new_kernel(kernel_name=kernel_name, startup_timeout=600,
                              env=env if env is not None else dict(os.environ))
    messages = run_cell(kc, code)
    slider = next(m["content"]["comm_id"] for m in messages if m["msg_type"] == "comm_open"
                  and m["content"]["data"]["state"].get("_model_name") == "IntSliderModel")
    return km, kc, slider


def moves(kernel_name: str, code: str, redrawn: Callable[[dict[str, Any], int], bool], count: int,
          env: dict[str, str] | None = None) -> list[float]:
    km, kc, slider = with_slider(kernel_name, code, env)
    try:
        drain(kc)
        times = []
        for i in range(count + 2):  # the first two warm up
            value = 2 + i % 9
            msg = kc.session.msg("comm_msg", {"comm_id": slider, "data": {
                "method": "update", "state": {"value": value}, "buffer_paths": []}})
            start = time.perf_counter()
            kc.shell_channel.send(msg)
            while not redrawn(kc.get_iopub_msg(timeout=120), value):
                pass
            elapsed = time.perf_counter() - start
            if i >= 2:
                times.append(elapsed)
            drain(kc)
        return times
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


SLIDER_RUST = "let k = IntSlider::new(IntSliderConfig { value: 1, min: 1, max: 100, ..Default::default() });\nk"
BUSY_RUST = "for _ in 0..600 { std::thread::sleep(std::time::Duration::from_millis(50)); }"
SLIDER_PYTHON = "import ipywidgets as w\nk = w.IntSlider(value=1, min=1, max=100)\nk"
BUSY_PYTHON = "import time\nfor _ in range(600):\n    time.sleep(0.05)"


def during_cell(kernel_name: str, setup: str, busy: str, count: int, env: dict[str, str] | None = None) -> list[float]:
    """Update sent on a subshell while a cell runs on the main shell, until its idle."""
    km, kc, slider = with_slider(kernel_name, setup, env)
    try:
        request = kc.session.msg("create_subshell_request", {})
        kc.control_channel.send(request)
        subshell = kc.get_control_msg(timeout=60)["content"]["subshell_id"]
        drain(kc)
        cell = kc.execute(busy)
        while kc.get_iopub_msg(timeout=600)["msg_type"] != "execute_input":
            pass
        time.sleep(1.0)
        times = []
        for i in range(count + 2):  # the first two warm up
            msg = kc.session.msg("comm_msg", {"comm_id": slider, "data": {
                "method": "update", "state": {"value": 2 + i}, "buffer_paths": []}})
            msg["header"]["subshell_id"] = subshell
            start = time.perf_counter()
            kc.shell_channel.send(msg)
            while True:
                got = kc.get_iopub_msg(timeout=60)
                if (got["parent_header"].get("msg_id") == msg["header"]["msg_id"] and got["msg_type"] == "status"
                        and got["content"]["execution_state"] == "idle"):
                    break
                assert got["parent_header"].get("msg_id") != cell or got["msg_type"] != "status", \
                    "the cell ended before the updates were done"
            if i >= 2:
                times.append(time.perf_counter() - start)
            time.sleep(0.2)
        return times
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def torchbook_redrawn(msg: dict[str, Any], value: int) -> bool:
    if msg["msg_type"] != "comm_msg":
        return False
    outputs = msg["content"]["data"].get("state", {}).get("outputs") or []
    return any(f"k = {value}" in str(o.get("data", {})) for o in outputs)


def python_redrawn(msg: dict[str, Any], value: int) -> bool:
    return msg["msg_type"] == "display_data" and f"k = {value}" in msg["content"]["data"].get("text/html", "")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--moves", type=int, default=20)
    args = parser.parse_args()
    env = dict(os.environ, TORCHBOOK_STANDBY="0")
    figures = {
        "Torchbook, LineChart (plotters)": moves("torchbook", TORCHBOOK_PLOTTERS, torchbook_redrawn, args.moves, env),
        "Torchbook, hand-written SVG": moves("torchbook", TORCHBOOK_SVG, torchbook_redrawn, args.moves, env),
        "ipykernel 7 + ipywidgets 8, hand-written SVG": moves("python3", PYTHON, python_redrawn, args.moves),
    }
    print(f"slider update -> redrawn 200-point chart on IOPub, idle kernel, {args.moves} moves each")
    for name, times in figures.items():
        print(f"  {name:48s} {summary([t * 1000 for t in times], 'ms', 1)}")
    import statistics

    peer = statistics.median(figures["ipykernel 7 + ipywidgets 8, hand-written SVG"])
    for name in list(figures)[:2]:
        print(f"  ratio {name} / ipywidgets: {statistics.median(figures[name]) / peer:.2f}x")

    during = {
        "Torchbook": during_cell("torchbook", SLIDER_RUST, BUSY_RUST, args.moves, env),
        "ipykernel 7 + ipywidgets 8": during_cell("python3", SLIDER_PYTHON, BUSY_PYTHON, args.moves),
    }
    print(f"slider update on a subshell -> applied and idle, while a cell runs, {args.moves} updates each")
    for name, times in during.items():
        print(f"  {name:48s} {summary([t * 1000 for t in times], 'ms', 1)}")
    ratio = statistics.median(during["Torchbook"]) / statistics.median(during["ipykernel 7 + ipywidgets 8"])
    print(f"  ratio Torchbook / ipykernel: {ratio:.2f}x (goal: Torchbook under 100 ms)")


if __name__ == "__main__":
    main()
