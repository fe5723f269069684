"""Issue 24: the debugger messages that fill JupyterLab's variables panel, over jupyter_client.

The requests and their arguments are the ones JupyterLab 4.6's debugger sends (its
`DebuggerService`/`Debugger.Session`: `debugInfo`, `initialize` with its client fields,
`attach`, `configurationDone`, then `inspectVariables` after the cell's IOPub messages,
`variables` to unfold, `richInspectVariables` for the rich view, `disconnect`). Expected
values are Rust's own `{:?}` of the same values and the prelude's tensor summary format.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import Any

import pytest

from kernel_client import TIMEOUT, Kernel

ROOT = Path(__file__).resolve().parent.parent


class Dap:
    """Sends DAP requests in `debug_request` on control, as JupyterLab does."""

    def __init__(self, kernel: Kernel) -> None:
        self.kernel = kernel
        self.seq = 0
        self.events: list[dict[str, Any]] = []

    def __call__(self, command: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        kc = self.kernel.kc
        self.seq += 1
        content = {"type": "request", "seq": self.seq, "command": command, "arguments": arguments or {}}
        msg = kc.session.msg("debug_request", content)
        kc.control_channel.send(msg)
        while True:
            reply = kc.get_control_msg(timeout=TIMEOUT)
            if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
                break
        assert reply["msg_type"] == "debug_reply"
        iopub = self.kernel.iopub_for(msg["header"]["msg_id"])
        self.events += [m["content"] for m in iopub if m["msg_type"] == "debug_event"]
        body = reply["content"]
        assert body["type"] == "response" and body["request_seq"] == self.seq and body["command"] == command
        return body

    def panel(self) -> dict[str, dict[str, Any]]:
        reply = self("inspectVariables")
        assert reply["success"], reply
        return {v["name"]: v for v in reply["body"]["variables"]}


@pytest.fixture(scope="module")
def dap(kernel):
    return Dap(kernel)


def test_the_kernel_says_it_has_a_debugger(kernel):
    reply = kernel.request(kernel.kc.kernel_info, "kernel_info_reply")["content"]
    assert reply["debugger"] is True
    assert "debugger" in reply["supported_features"]
    spec = json.loads((ROOT / ".venv/share/jupyter/kernels/torchbook/kernel.json").read_text())
    assert spec["metadata"]["debugger"] is True


def test_jupyterlabs_sequence_then_every_kind_of_variable_with_its_type_and_value(kernel, dap):
    info = dap("debugInfo")
    assert info["success"] and info["body"]["isStarted"] is False
    assert info["body"]["richRendering"] is True and info["body"]["stoppedThreads"] == []
    init = dap("initialize", {"clientID": "jupyterlab", "clientName": "JupyterLab", "adapterID": "torchbook",
                              "pathFormat": "path", "linesStartAt1": True, "columnsStartAt1": True,
                              "supportsVariableType": True, "supportsVariablePaging": True,
                              "supportsRunInTerminalRequest": True, "locale": "en"})
    assert init["success"], init
    assert any(e["event"] == "initialized" for e in dap.events)
    assert dap("attach")["success"]
    assert dap("configurationDone")["success"]
    assert dap("setExceptionBreakpoints", {"filters": []})["success"]
    assert dap("debugInfo")["body"]["isStarted"] is True

    kernel.ok(
        "#[derive(Debug)] struct Config { lr: f64, layers: Vec<i64>, name: String }\n"
        "struct Opaque;\n"
        "let n: i32 = 42;\n"
        "let s = String::from(\"hello\");\n"
        "let v = vec![1.5f32, 2.5, 3.5];\n"
        "let m: std::collections::BTreeMap<String, i32> = [(\"a\".to_string(), 1)].into_iter().collect();\n"
        "let cfg = Config { lr: 0.1, layers: vec![64, 10], name: \"mlp\".into() };\n"
        "let o = Opaque;\n"
        "let maybe: Option<u8> = None;\n"
        "let x = Tensor::ones([64, 10], (Kind::Float, Device::Cpu));\n"
        "let x_alias = x.shallow_clone();\n"
        "let vs = nn::VarStore::new(Device::Cpu);\n"
        "let lin = nn::linear(vs.root() / \"fc\", 10, 2, Default::default());\n"
        "let chart = LineChart::new(\"loss\").series_y(\"train\", &[3.0, 2.0, 1.5]);\n"
    )
    panel = dap.panel()
    assert {"n", "s", "v", "m", "cfg", "o", "maybe", "x", "vs", "lin", "chart"} <= set(panel), panel.keys()
    assert (panel["n"]["type"], panel["n"]["value"]) == ("i32", "42")
    assert panel["s"]["value"] == '"hello"'
    assert panel["v"]["value"] == "[1.5, 2.5, 3.5]"
    assert panel["m"]["value"] == '{"a": 1}'
    assert panel["cfg"]["value"] == 'Config { lr: 0.1, layers: [64, 10], name: "mlp" }'
    assert panel["o"]["value"] == "(no Debug)" and panel["o"]["type"] == "Opaque"
    assert panel["maybe"]["value"] == "None"
    assert panel["x"]["value"] == "Tensor [64, 10] f32 cpu min=1.0000 mean=1.0000 max=1.0000"
    assert panel["vs"]["value"] == "VarStore: 2 variables, 22 parameters, cpu"
    assert "rich view" in panel["chart"]["value"]

    # One level at a time: a struct's fields, then the Vec inside it.
    fields = dap("variables", {"variablesReference": panel["cfg"]["variablesReference"]})["body"]["variables"]
    assert [(f["name"], f["value"]) for f in fields] == [("lr", "0.1"), ("layers", "[64, 10]"), ("name", '"mlp"')]
    items = dap("variables", {"variablesReference": fields[1]["variablesReference"]})["body"]["variables"]
    assert [(i["name"], i["value"]) for i in items] == [("0", "64"), ("1", "10")]
    assert panel["n"]["variablesReference"] == 0
    weights = dap("variables", {"variablesReference": panel["vs"]["variablesReference"]})["body"]["variables"]
    assert [w["name"] for w in weights] == ["fc.bias", "fc.weight"]
    assert weights[1]["value"].startswith("Tensor [2, 10] f32 cpu requires_grad")

    rich = dap("richInspectVariables", {"variableName": "x"})
    assert rich["success"] and "torchbook-tensor" in rich["body"]["data"]["text/html"]
    svg = dap("richInspectVariables", {"variableName": "chart"})["body"]["data"]
    assert svg["image/svg+xml"].startswith("<svg") and "train" in svg["image/svg+xml"]
    assert dap("richInspectVariables", {"variableName": "n"})["body"]["data"]["text/plain"] == "42"

    # The next cell changes one variable and moves another: the panel follows. It changes `x`
    # without naming it, through a tensor sharing its storage: a tensor is captured after every
    # cell. `v`, a Vec the cell does not name, keeps its capture (cell_source::changes_only_where_named).
    kernel.ok("let n = n + 1;\nlet moved = s;\nlet _ = x_alias.shallow_clone().fill_(2.0);\n")
    panel = dap.panel()
    assert panel["n"]["value"] == "43" and "s" not in panel and panel["moved"]["value"] == '"hello"'
    assert panel["x"]["value"] == "Tensor [64, 10] f32 cpu min=2.0000 mean=2.0000 max=2.0000"
    assert panel["v"]["value"] == "[1.5, 2.5, 3.5]"

    # A cell that fails to compile leaves the panel as it was; `:clear` empties it.
    assert kernel.execute("let broken: i32 = \"no\";").status == "error"
    assert dap.panel()["n"]["value"] == "43"
    kernel.ok(":clear")
    assert dap.panel() == {}
    assert dap("disconnect", {"restart": False, "terminateDebuggee": False})["success"]
    assert dap("debugInfo")["body"]["isStarted"] is False


def test_unsupported_commands_and_bad_arguments_are_answered_with_success_false(kernel, dap):
    kernel.ok("let kept = 5u8;")
    step = dap("stepIn", {"threadId": 1})
    assert step["success"] is False and "stepIn" in step["message"]
    breakpoints = dap("setBreakpoints", {"source": {"path": "/tmp/cell.rs"}, "breakpoints": [{"line": 2}],
                                         "sourceModified": False})
    assert breakpoints["success"] and breakpoints["body"]["breakpoints"][0]["verified"] is False
    assert "not supported" in breakpoints["body"]["breakpoints"][0]["message"]
    dumped = dap("dumpCell", {"code": "let a = 1;\n"})
    assert Path(dumped["body"]["sourcePath"]).read_text() == "let a = 1;\n"
    missing = dap("richInspectVariables", {"variableName": "nope"})
    assert missing["success"] is False and "nope" in missing["message"]
    bad = dap("variables", {"variablesReference": "seven"})
    assert bad["success"] is False and "variablesReference" in bad["message"]
    unknown = dap("variables", {"variablesReference": 987654})
    assert unknown["success"] is False and "987654" in unknown["message"]
    assert dap.panel()["kept"]["value"] == "5", "the kernel goes on"


def test_the_panel_is_answered_while_a_cell_runs_and_quickly(kernel, dap):
    kernel.ok("let before = 1;")
    msg_id = kernel.kc.execute("std::thread::sleep(std::time::Duration::from_secs(3)); let during = 2;")
    time.sleep(1.0)
    started = time.monotonic()
    panel = dap.panel()
    assert time.monotonic() - started < 1.0, "answered on control while the cell sleeps"
    assert "before" in panel and "during" not in panel
    kernel.iopub_for(msg_id, from_start=False)  # the panel's requests read past its busy
    kernel.shell_reply(msg_id, "execute_reply")
    assert "during" in dap.panel()

    # 500 in a row, as JupyterLab sends one after each IOPub message: from send to reply, with
    # kernel_info_request on the same channel as the peer (the client's own share of the time).
    kernel.ok("let many: Vec<i64> = (0..100_000).collect();")
    kc = kernel.kc

    def timed(msg_type: str, content: dict[str, Any]) -> float:
        msg = kc.session.msg(msg_type, content)
        started = time.perf_counter()
        kc.control_channel.send(msg)
        while kc.get_control_msg(timeout=TIMEOUT)["parent_header"].get("msg_id") != msg["header"]["msg_id"]:
            pass
        return time.perf_counter() - started

    inspect, info = [], []
    for i in range(500):
        inspect.append(timed("debug_request", {"type": "request", "seq": 10_000 + i, "command": "inspectVariables",
                                               "arguments": {}}))
        info.append(timed("kernel_info_request", {}))
    kernel.drain_iopub()
    ms = lambda values: f"median {statistics.median(values) * 1e3:.2f} ms, max {max(values) * 1e3:.2f} ms"
    print(f"500 inspectVariables: {ms(inspect)}; kernel_info on control (peer): {ms(info)}; "
          f"ratio of medians {statistics.median(inspect) / statistics.median(info):.2f}")
    assert statistics.median(inspect) < 0.005, ms(inspect)
