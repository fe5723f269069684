"""Issue 23, part 3: kernel subshells (JEP 91), so widgets act while a cell runs.

The messages are the ones JupyterLab 4.6 sends when `commsOverSubshells` is on (its default,
per comm target): `create_subshell_request` on control once a widget's comm is opened, then
every comm message for that target with the new id in its header's `subshell_id`, and
`delete_subshell_request` when the last comm of the target closes.
"""

from __future__ import annotations

import queue
import re
import time
import uuid
from typing import Any

import pytest

from kernel_client import TIMEOUT, Kernel


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    yield k
    k.shutdown()


def control(kernel: Kernel, msg_type: str, content: dict[str, Any]) -> dict[str, Any]:
    msg = kernel.kc.session.msg(msg_type, content)
    kernel.kc.control_channel.send(msg)
    while True:
        reply = kernel.kc.get_control_msg(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
            assert reply["msg_type"] == msg_type.replace("_request", "_reply")
            return reply["content"]


def on_subshell(kernel: Kernel, subshell_id: str, msg_type: str, content: dict[str, Any]) -> str:
    """Sends a shell message whose header names the subshell, as JupyterLab does; returns its id."""
    msg = kernel.kc.session.msg(msg_type, content)
    msg["header"]["subshell_id"] = subshell_id
    kernel.kc.shell_channel.send(msg)
    return msg["header"]["msg_id"]


def shell_reply(kernel: Kernel, msg_id: str) -> dict[str, Any]:
    while True:
        reply = kernel.kc.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def slider_comm(kernel: Kernel, name: str) -> str:
    run = kernel.ok(f"let {name} = IntSlider::new(IntSliderConfig::default());")
    return next(m["content"]["comm_id"] for m in run.outputs if m["msg_type"] == "comm_open")


def test_kernel_info_offers_subshells(kernel):
    info = kernel.request(kernel.kc.kernel_info, "kernel_info_reply")["content"]
    # The exact string JupyterLab 4.6 looks for before it creates a subshell.
    assert "kernel subshells" in info["supported_features"]


def test_subshells_are_created_listed_and_deleted(kernel):
    first = control(kernel, "create_subshell_request", {})
    second = control(kernel, "create_subshell_request", {})
    assert first["status"] == second["status"] == "ok"
    assert first["subshell_id"] != second["subshell_id"]
    listed = control(kernel, "list_subshell_request", {})["subshell_id"]
    assert listed[-2:] == [first["subshell_id"], second["subshell_id"]]

    deleted = control(kernel, "delete_subshell_request", {"subshell_id": first["subshell_id"]})
    assert deleted == {"status": "ok"}
    listed = control(kernel, "list_subshell_request", {})["subshell_id"]
    assert first["subshell_id"] not in listed and second["subshell_id"] in listed

    # Deleting it again, or one never made, is an error that names the id.
    again = control(kernel, "delete_subshell_request", {"subshell_id": first["subshell_id"]})
    assert again["status"] == "error" and again["ename"] == "SubshellError"
    assert first["subshell_id"] in again["evalue"]

    # A request on the deleted subshell gets an error reply naming it, not silence.
    msg_id = on_subshell(kernel, first["subshell_id"], "kernel_info_request", {})
    reply = shell_reply(kernel, msg_id)["content"]
    assert reply["status"] == "error" and reply["ename"] == "SubshellError"
    assert first["subshell_id"] in reply["evalue"]

    # The live one answers, and its IOPub messages carry its id in their parent header.
    msg_id = on_subshell(kernel, second["subshell_id"], "kernel_info_request", {})
    assert shell_reply(kernel, msg_id)["content"]["implementation"] == "torchbook"
    states = kernel.iopub_for(msg_id)
    assert all(m["parent_header"]["subshell_id"] == second["subshell_id"] for m in states)
    control(kernel, "delete_subshell_request", {"subshell_id": second["subshell_id"]})


def test_a_comm_update_on_a_subshell_is_applied_while_a_cell_runs(kernel):
    """The issue's test: a slider's update sent on a subshell while a 10-second cell runs on
    the main shell is applied and answered at once, and the running cell reads the new value."""
    comm_id = slider_comm(kernel, "during")
    subshell = control(kernel, "create_subshell_request", {})["subshell_id"]
    kernel.drain_iopub()
    cell = kernel.kc.execute(
        'println!("looping");\n'
        "let start = std::time::Instant::now();\n"
        "let mut seen = None;\n"
        "while start.elapsed() < std::time::Duration::from_secs(10) {\n"
        "    if during.value() == 7 { seen = Some(start.elapsed()); break; }\n"
        "    std::thread::sleep(std::time::Duration::from_millis(2));\n"
        "}\n"
        'println!("seen after {:?}", seen.map(|d| d.as_secs_f64()));'
    )
    log: list[tuple[float, dict[str, Any]]] = []

    def collect_until(done) -> None:
        while not done():
            msg = kernel.kc.get_iopub_msg(timeout=TIMEOUT)
            log.append((time.monotonic(), msg))

    # Wait until the cell's loop runs (after its compile), then a second more.
    collect_until(lambda: any(m["msg_type"] == "stream" and m["parent_header"]["msg_id"] == cell
                              and "looping" in m["content"]["text"] for _, m in log))
    time.sleep(1)
    sent_at = time.monotonic()
    update = on_subshell(kernel, subshell, "comm_msg", {
        "comm_id": comm_id, "data": {"method": "update", "state": {"value": 7}, "buffer_paths": []}})

    def idle(msg_id: str) -> bool:
        return any(m["msg_type"] == "status" and m["content"]["execution_state"] == "idle"
                   and m["parent_header"]["msg_id"] == msg_id for _, m in log)

    collect_until(lambda: idle(update) and idle(cell))
    update_idle = next(t for t, m in log if m["msg_type"] == "status" and m["parent_header"]["msg_id"] == update
                       and m["content"]["execution_state"] == "idle")
    cell_idle = next(t for t, m in log if m["msg_type"] == "status" and m["parent_header"]["msg_id"] == cell
                     and m["content"]["execution_state"] == "idle")
    assert update_idle < cell_idle, "the update waited for the cell"
    assert update_idle - sent_at < 2.0, f"the update took {update_idle - sent_at:.2f} s"
    echo = [m["content"]["data"] for _, m in log if m["msg_type"] == "comm_msg" and m["parent_header"]["msg_id"] == update]
    assert echo == [{"method": "echo_update", "state": {"value": 7}, "buffer_paths": []}]

    reply = shell_reply(kernel, cell)["content"]
    assert reply["status"] == "ok"
    printed = "".join(m["content"]["text"] for _, m in log if m["msg_type"] == "stream" and m["parent_header"]["msg_id"] == cell)
    found = re.search(r"seen after Some\(([0-9.e-]+)\)", printed)
    assert found, printed
    # The loop saw the value when it was sent: after the 1 s wait, long before its 10 s.
    assert 0.9 < float(found.group(1)) < 5.0, printed
    control(kernel, "delete_subshell_request", {"subshell_id": subshell})


def test_a_cell_on_a_subshell_is_refused_and_completion_waits_for_the_main_shell(kernel):
    subshell = control(kernel, "create_subshell_request", {})["subshell_id"]
    msg_id = on_subshell(kernel, subshell, "execute_request", {
        "code": "let x = 1;", "silent": False, "store_history": True, "user_expressions": {},
        "allow_stdin": False, "stop_on_error": True})
    reply = shell_reply(kernel, msg_id)["content"]
    assert reply["status"] == "error" and reply["ename"] == "SubshellError"
    assert "main shell" in reply["evalue"]
    errors = [m for m in kernel.iopub_for(msg_id) if m["msg_type"] == "error"]
    assert errors and errors[0]["content"]["ename"] == "SubshellError"

    # Completion needs the session, so the main shell answers it.
    msg_id = on_subshell(kernel, subshell, "complete_request", {"code": "let v = vec![1]; v.pu", "cursor_pos": 21})
    reply = shell_reply(kernel, msg_id)["content"]
    assert reply["status"] == "ok" and "push" in reply["matches"]
    # And is_complete is answered by the subshell itself.
    msg_id = on_subshell(kernel, subshell, "is_complete_request", {"code": "fn f() {"})
    assert shell_reply(kernel, msg_id)["content"]["status"] == "incomplete"
    control(kernel, "delete_subshell_request", {"subshell_id": subshell})
    kernel.drain_iopub()


def test_a_request_naming_no_subshell_still_runs_on_the_main_shell(kernel):
    # jupyter_client 8 and older front ends send no subshell_id at all; JupyterLab sends null.
    msg = kernel.kc.session.msg("execute_request", {
        "code": "40 + 2", "silent": False, "store_history": True, "user_expressions": {},
        "allow_stdin": False, "stop_on_error": True})
    msg["header"]["subshell_id"] = None
    kernel.kc.shell_channel.send(msg)
    reply = shell_reply(kernel, msg["header"]["msg_id"])["content"]
    assert reply["status"] == "ok"
    results = [m for m in kernel.iopub_for(msg["header"]["msg_id"]) if m["msg_type"] == "execute_result"]
    assert results[0]["content"]["data"]["text/plain"] == "42"


def test_stop_on_the_training_panel_ends_fit_and_the_rate_slider_reaches_the_optimizer(kernel):
    """Issue 23, parts 3 and 4: the panel's learning-rate slider, moved during `fit`, is the
    optimizer's rate from the next batch; its Stop button ends `fit` within 2 s, and the next
    cell sees the epochs done and the model kept."""
    kernel.ok(
        "tch::manual_seed(0);\n"
        "let px = Tensor::randn([4096, 8], (Kind::Float, Device::Cpu));\n"
        "let py = px.sum_dim_intlist(&[1i64][..], true, Kind::Float);\n"
        "let pdata = TensorDataset::new(px, py).unwrap();\n"
        "let pvs = nn::VarStore::new(Device::Cpu);\n"
        "let pmodel = mlp(&pvs.root() / \"m\", &[8, 32, 1], Activation::Relu);\n"
        "let mut popt = Adam::new(pvs.trainable_variables(), AdamConfig::default());")
    subshell = control(kernel, "create_subshell_request", {})["subshell_id"]
    kernel.drain_iopub()
    cell = kernel.kc.execute(
        "let ploader = DataLoader::new(pdata.clone(), 32).unwrap();\n"
        "let phistory = Trainer::new(100_000).panel(PanelConfig { learning_rate: Some(0.05), ..Default::default() })\n"
        "    .fit(&pmodel, &pvs, &mut popt, &mse, None, &ploader, None);")
    log: list[tuple[float, dict[str, Any]]] = []

    def mine(m: dict[str, Any], msg_id: str) -> bool:
        return m["parent_header"].get("msg_id") == msg_id

    def collect_until(done) -> None:
        while not done():
            msg = kernel.kc.get_iopub_msg(timeout=TIMEOUT)
            log.append((time.monotonic(), msg))
            if msg["msg_type"] == "error" and mine(msg, cell):
                raise AssertionError("the training cell failed: " + "\n".join(msg["content"]["traceback"]))

    def opened(model: str) -> list[dict[str, Any]]:
        return [m["content"] for _, m in log if m["msg_type"] == "comm_open" and mine(m, cell)
                and m["content"]["data"]["state"]["_model_name"] == model]

    # The panel is shown, and a few epochs have run (the Label says which).
    def epochs_shown() -> bool:
        return any(int(n) >= 3 for _, m in log if m["msg_type"] == "comm_msg"
                   for n in re.findall(r"epoch (\d+)/\d+ train loss", str(m["content"]["data"].get("state", {}).get("value", ""))))
    collect_until(epochs_shown)
    (button,) = [c for c in opened("ButtonModel") if c["data"]["state"]["description"] == "Stop"]
    (slider,) = opened("FloatLogSliderModel")
    (label,) = opened("LabelModel")
    assert slider["data"]["state"]["value"] == 0.05

    moved = on_subshell(kernel, subshell, "comm_msg", {
        "comm_id": slider["comm_id"], "data": {"method": "update", "state": {"value": 0.001}, "buffer_paths": []}})
    # The progress line names the rate in use: the optimizer got the slider's rate.
    collect_until(lambda: any(m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == label["comm_id"]
                              and "lr 1.0e-3" in str(m["content"]["data"].get("state", {}).get("value", ""))
                              for _, m in log))
    pressed_at = time.monotonic()
    on_subshell(kernel, subshell, "comm_msg", {
        "comm_id": button["comm_id"], "data": {"method": "custom", "content": {"event": "click"}}})
    collect_until(lambda: any(m["msg_type"] == "status" and m["content"]["execution_state"] == "idle" and mine(m, cell)
                              for _, m in log))
    ended_at = next(t for t, m in log if m["msg_type"] == "status" and mine(m, cell)
                    and m["content"]["execution_state"] == "idle")
    assert ended_at - pressed_at < 2.0, f"fit ended {ended_at - pressed_at:.2f} s after Stop"
    assert any(m["msg_type"] == "status" and mine(m, moved) for _, m in log)
    assert shell_reply(kernel, cell)["content"]["status"] == "ok"
    # Without a widget front end the display's text says how training ended.
    final = [m["content"]["data"] for _, m in log if m["msg_type"] == "update_display_data" and mine(m, cell)][-1]
    assert final["text/plain"].startswith("stopped (Stop pressed) after "), final["text/plain"]
    assert "<svg" in final["text/html"]

    done = kernel.ok('println!("{} {} {}", phistory.interrupted, phistory.epochs(), phistory.train_loss.len());').stdout()
    interrupted, epochs, losses = done.split()
    assert interrupted == "true" and 3 <= int(epochs) < 100_000 and int(losses) == int(epochs), done
    # The model kept its weights: it predicts the sum far better than at the start (loss ~8).
    loss = float(kernel.ok("mse(&pmodel.forward_t(&pdata.x, false), &pdata.y).double_value(&[])").result())
    assert loss < 1.0, loss
    control(kernel, "delete_subshell_request", {"subshell_id": subshell})
