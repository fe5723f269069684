"""Issue 23: widgets over the Jupyter widgets messaging protocol 2.1.0, through jupyter_client.

The messages a front end sends are the ones JupyterLab 4.6's widget manager
(@jupyter-widgets/jupyterlab-manager 5) sends: `update` with `state` and `buffer_paths`,
`request_state`, `custom` for a button's click, the `jupyter.widget.control` comm with
`request_states`, and `comm_info_request` with `target_name: "jupyter.widget"`. Expected
states are the model schemas of @jupyter-widgets/controls 2.0.0 (what ipywidgets 8 sends for
the same widgets, checked in the first test).
"""

from __future__ import annotations

import queue
import time
import uuid
from typing import Any

import pytest

from kernel_client import TIMEOUT, Kernel

VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    yield k
    k.shutdown()


def comm_send(kernel: Kernel, msg_type: str, content: dict[str, Any], metadata: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """Sends a comm message on shell, as a front end does; returns its IOPub messages (busy to idle)."""
    msg = kernel.kc.session.msg(msg_type, content, metadata=metadata or {})
    kernel.kc.shell_channel.send(msg)
    return kernel.iopub_for(msg["header"]["msg_id"])


def update(kernel: Kernel, comm_id: str, state: dict[str, Any]) -> list[dict[str, Any]]:
    return comm_send(kernel, "comm_msg", {"comm_id": comm_id, "data": {"method": "update", "state": state, "buffer_paths": []}})


def comm_msgs(messages: list[dict[str, Any]], comm_id: str | None = None) -> list[dict[str, Any]]:
    return [m["content"] for m in messages if m["msg_type"] == "comm_msg" and comm_id in (None, m["content"]["comm_id"])]


def opened(run) -> dict[str, dict[str, Any]]:
    """comm_open messages of a cell, by model name."""
    return {c["data"]["state"]["_model_name"]: c for c in run.of_type("comm_open")}


def value_of(kernel: Kernel, expression: str) -> str:
    return kernel.ok(expression).result()


def test_a_widget_opens_its_comm_before_the_display_that_shows_it(kernel):
    run = kernel.ok('let lr = IntSlider::new(IntSliderConfig { value: 3, max: 10, description: "lr".into(), ..Default::default() });\n'
                    "display(&lr);")
    kinds = [m["msg_type"] for m in run.outputs]
    shown = next(i for i, m in enumerate(run.outputs) if m["msg_type"] == "display_data" and VIEW in m["content"]["data"])
    assert kinds.index("comm_open") < shown, kinds
    openings = [m for m in run.outputs if m["msg_type"] == "comm_open"]
    assert openings[0]["metadata"] == {"version": "2.1.0"}
    comm = openings[0]["content"]
    assert comm["target_name"] == "jupyter.widget"
    state = comm["data"]["state"]
    assert comm["data"]["buffer_paths"] == []
    # The keys and values ipywidgets 8.1 sends for IntSlider(value=3, max=10, description="lr"),
    # but for layout and style (left to the front end's defaults).
    assert {k: state[k] for k in ("_model_module", "_model_module_version", "_model_name", "_view_module",
                                  "_view_module_version", "_view_name", "value", "min", "max", "step",
                                  "description", "orientation", "readout", "readout_format", "continuous_update")} == {
        "_model_module": "@jupyter-widgets/controls", "_model_module_version": "2.0.0",
        "_model_name": "IntSliderModel", "_view_module": "@jupyter-widgets/controls",
        "_view_module_version": "2.0.0", "_view_name": "IntSliderView", "value": 3, "min": 0, "max": 10,
        "step": 1, "description": "lr", "orientation": "horizontal", "readout": True, "readout_format": "d",
        "continuous_update": True}
    data = run.outputs[shown]["content"]["data"]
    assert data[VIEW]["model_id"] == comm["comm_id"] and data[VIEW]["version_major"] == 2
    assert data["text/plain"] == 'IntSlider(value=3, description="lr")'


def slider(kernel: Kernel, name: str, value: int = 0) -> str:
    run = kernel.ok(f"let {name} = IntSlider::new(IntSliderConfig {{ value: {value}, ..Default::default() }});")
    return opened(run)["IntSliderModel"]["comm_id"]


def test_comm_info_lists_open_widgets_and_honours_target_name(kernel):
    comm_id = slider(kernel, "listed")
    widgets = kernel.request(lambda: kernel.kc.comm_info(target_name="jupyter.widget"), "comm_info_reply")["content"]["comms"]
    assert widgets[comm_id] == {"target_name": "jupyter.widget"}
    other = kernel.request(lambda: kernel.kc.comm_info(target_name="no.such.target"), "comm_info_reply")["content"]["comms"]
    assert other == {}


def test_an_update_from_the_front_end_is_applied_echoed_and_observed(kernel):
    comm_id = slider(kernel, "moved")
    run = kernel.ok('let seen = Label::new(LabelConfig::default());\nlet shown = seen.clone();\n'
                    'moved.on_change(move |v| shown.set_value(format!("moved to {v}")));')
    label_id = opened(run)["LabelModel"]["comm_id"]
    messages = update(kernel, comm_id, {"value": 7})
    echo = comm_msgs(messages, comm_id)
    assert echo == [{"comm_id": comm_id, "data": {"method": "echo_update", "state": {"value": 7}, "buffer_paths": []}}]
    # The callback ran before idle, and its update names the front end's message as parent.
    assert comm_msgs(messages, label_id)[0]["data"]["state"] == {"value": "moved to 7"}
    assert value_of(kernel, "moved.value()") == "7"
    assert value_of(kernel, "seen.value()") == '"moved to 7"'


def test_request_state_answers_with_the_whole_state(kernel):
    comm_id = slider(kernel, "asked", 4)
    messages = comm_send(kernel, "comm_msg", {"comm_id": comm_id, "data": {"method": "request_state"}})
    (reply,) = comm_msgs(messages, comm_id)
    assert reply["data"]["method"] == "update"
    assert reply["data"]["state"]["value"] == 4 and reply["data"]["state"]["_model_name"] == "IntSliderModel"


def test_the_control_comm_returns_every_widgets_state(kernel):
    comm_id = slider(kernel, "everyone", 9)
    control = str(uuid.uuid4())
    comm_send(kernel, "comm_open", {"comm_id": control, "target_name": "jupyter.widget.control", "data": {}},
              metadata={"version": "1.0.0"})
    messages = comm_send(kernel, "comm_msg", {"comm_id": control, "data": {"method": "request_states"}})
    (reply,) = comm_msgs(messages, control)
    assert reply["data"]["method"] == "update_states"
    assert reply["data"]["buffer_paths"] == []
    mine = reply["data"]["states"][comm_id]
    assert mine["model_name"] == "IntSliderModel" and mine["model_module"] == "@jupyter-widgets/controls"
    assert mine["model_module_version"] == "2.0.0" and mine["state"]["value"] == 9
    comm_send(kernel, "comm_close", {"comm_id": control, "data": {}})


def test_a_button_click_runs_its_callback(kernel):
    run = kernel.ok('let button = Button::new(ButtonConfig { description: "+1".into(), ..Default::default() });\n'
                    'let clicks = Label::new(LabelConfig { value: "0".into(), ..Default::default() });\n'
                    "let c = clicks.clone();\n"
                    "button.on_click(move || { let n: i64 = c.value().parse().unwrap(); c.set_value((n + 1).to_string()); });")
    button = opened(run)["ButtonModel"]["comm_id"]
    for _ in range(3):
        comm_send(kernel, "comm_msg", {"comm_id": button, "data": {"method": "custom", "content": {"event": "click"}}})
    assert value_of(kernel, "clicks.value()") == '"3"'


def test_bad_input_is_refused_and_changes_nothing(kernel):
    comm_id = slider(kernel, "guarded", 5)
    # A string for an integer slider, a key the front end may not change, an unknown comm, a
    # message without a method: each answered busy/idle with no echo and no change.
    for state in ({"value": "six"}, {"value": 6, "max": 1}):
        assert comm_msgs(update(kernel, comm_id, state)) == []
    assert comm_msgs(update(kernel, "no-such-comm", {"value": 1})) == []
    assert comm_msgs(comm_send(kernel, "comm_msg", {"comm_id": comm_id, "data": {"nonsense": True}})) == []
    # A comm_open to a target the kernel does not have is closed at once.
    stranger = str(uuid.uuid4())
    messages = comm_send(kernel, "comm_open", {"comm_id": stranger, "target_name": "jupyter.widget", "data": {}})
    assert [m["content"]["comm_id"] for m in messages if m["msg_type"] == "comm_close"] == [stranger]
    assert value_of(kernel, "(guarded.value(), guarded.as_widget().get(\"max\").to_string())") == '(5, "100")'
    # Closed by the front end: later updates are refused too.
    comm_send(kernel, "comm_close", {"comm_id": comm_id, "data": {}})
    assert comm_msgs(update(kernel, comm_id, {"value": 1})) == []
    assert value_of(kernel, "guarded.value()") == "5"


def test_a_dropped_widget_and_clear_close_their_comms(kernel):
    first = slider(kernel, "short_lived")
    run = kernel.ok("drop(short_lived);")
    assert [c["comm_id"] for c in run.of_type("comm_close")] == [first]
    kept = slider(kernel, "kept")
    run = kernel.ok(":clear")
    assert kept in [c["comm_id"] for c in run.of_type("comm_close")]
    widgets = kernel.request(lambda: kernel.kc.comm_info(target_name="jupyter.widget"), "comm_info_reply")["content"]["comms"]
    assert widgets == {}


def test_a_widget_shown_as_a_cells_last_value_stays_open(kernel):
    run = kernel.ok('HBox::new(&[&Button::new(ButtonConfig { description: "b".into(), ..Default::default() })])')
    box = opened(run)["HBoxModel"]["comm_id"]
    assert run.of_type("comm_close") == []
    assert run.result(VIEW)["model_id"] == box
    widgets = kernel.request(lambda: kernel.kc.comm_info(target_name="jupyter.widget"), "comm_info_reply")["content"]["comms"]
    assert box in widgets and opened(run)["ButtonModel"]["comm_id"] in widgets


def test_an_ended_execution_process_closes_every_comm(kernel):
    comm_id = slider(kernel, "doomed")
    run = kernel.execute("std::process::exit(0);")
    deadline = time.monotonic() + 60
    closed = [c["comm_id"] for c in run.of_type("comm_close")]
    while comm_id not in closed and time.monotonic() < deadline:
        try:
            msg = kernel.kc.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if msg["msg_type"] == "comm_close":
            closed.append(msg["content"]["comm_id"])
    assert comm_id in closed
    # The next execution process connects again: widgets work.
    slider(kernel, "reborn", 2)
    assert value_of(kernel, "reborn.value()") == "2"


def test_a_panicking_callback_is_reported_and_the_kernel_goes_on(kernel):
    run = kernel.ok('let fragile = Button::new(ButtonConfig::default());\nfragile.on_click(|| panic!("boom in a callback"));')
    button = opened(run)["ButtonModel"]["comm_id"]
    comm_send(kernel, "comm_msg", {"comm_id": button, "data": {"method": "custom", "content": {"event": "click"}}})
    after = kernel.ok("1 + 1")
    assert after.result() == "2"


def test_a_callback_that_does_not_return_frees_the_shell_after_five_seconds(kernel):
    # A callback blocks until a later cell releases it (at most 120 s). Before the kernel had a
    # limit on its wait, the click's busy never ended and no cell ran again until the callback
    # returned: the shell waited for it (CommHub::handle, CALLBACK_PATIENCE).
    # (Shared through stored Arcs: each cell is its own crate, with its own copy of a `static`.)
    run = kernel.ok("use std::sync::{Arc, atomic::{AtomicBool, AtomicI64, Ordering}};\n"
                    "let release = Arc::new(AtomicBool::new(false));\n"
                    "let clicks = Arc::new(AtomicI64::new(0));\n"
                    "let stuck = Button::new(ButtonConfig::default());\n"
                    "let (r, c) = (release.clone(), clicks.clone());\n"
                    "stuck.on_click(move || {\n"
                    "    let started = std::time::Instant::now();\n"
                    "    while !r.load(Ordering::SeqCst) && started.elapsed().as_secs() < 120 {\n"
                    "        std::thread::sleep(std::time::Duration::from_millis(20));\n"
                    "    }\n"
                    "    c.fetch_add(1, Ordering::SeqCst);\n"
                    "});")
    button = opened(run)["ButtonModel"]["comm_id"]
    click = {"comm_id": button, "data": {"method": "custom", "content": {"event": "click"}}}
    started = time.monotonic()
    msg = kernel.kc.session.msg("comm_msg", click)
    kernel.kc.shell_channel.send(msg)
    kernel.iopub_for(msg["header"]["msg_id"], timeout=30)
    freed = time.monotonic() - started
    print(f"the click's idle came {freed:.2f} s after it was sent")
    assert 4.5 < freed < 15, freed
    # The shell serves cells while the callback still runs.
    assert kernel.ok("clicks.load(Ordering::SeqCst)").result() == "0"
    kernel.ok("release.store(true, Ordering::SeqCst);")
    # Widget events queued behind it are handled once it returns.
    comm_send(kernel, "comm_msg", click)
    assert kernel.ok("clicks.load(Ordering::SeqCst)").result() == "2"


def test_interact_redraws_its_output_when_a_control_moves(kernel):
    run = kernel.ok("let k = IntSlider::new(IntSliderConfig { value: 2, ..Default::default() });\n"
                    'let kk = k.clone();\nlet view = interact(&[&k], move || format!("k squared = {}", kk.value() * kk.value()));\n'
                    "display(&view);")
    output = opened(run)["OutputModel"]
    # Opened empty, then filled with the first run's result.
    assert output["data"]["state"]["outputs"] == []
    first = [m["content"]["data"]["state"]["outputs"] for m in run.outputs
             if m["msg_type"] == "comm_msg" and m["content"]["comm_id"] == output["comm_id"]]
    assert first[0][0]["data"]["text/plain"] == "k squared = 4"
    slider_id = opened(run)["IntSliderModel"]["comm_id"]
    display = run.of_type("display_data")[-1]["data"]
    assert display["text/plain"] == "k squared = 4"
    assert display[VIEW]["model_id"] == opened(run)["VBoxModel"]["comm_id"]
    update(kernel, slider_id, {"value": 9})
    # The redraw comes from the interact thread after the debounce: wait for it.
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        msg = kernel.kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["msg_type"] == "comm_msg" and msg["content"]["comm_id"] == output["comm_id"]:
            outputs = msg["content"]["data"]["state"].get("outputs")
            if outputs and outputs[0]["data"]["text/plain"] == "k squared = 81":
                assert outputs[0]["output_type"] == "display_data"
                break
    else:
        pytest.fail("no redraw")


def test_the_readmes_widgets_example_runs_as_written(kernel):
    """The README's "Widgets" example, verbatim: a static client gets the first chart, a widget
    front end the panel of two sliders and an output."""
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("### Widgets", 1)[1]
    code = section.split("```rust\n", 1)[1].split("```", 1)[0]
    run = kernel.ok(code)
    result = run.of_type("execute_result")[0]["data"]
    assert result["image/svg+xml"].lstrip().startswith("<svg"), result.keys()
    models = opened(run)
    assert {"FloatLogSliderModel", "IntSliderModel", "OutputModel", "VBoxModel"} <= set(models)
    assert result[VIEW]["model_id"] == models["VBoxModel"]["comm_id"]
