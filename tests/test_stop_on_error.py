"""Issue 12, item 3: after a failed cell, queued cells are aborted (ipykernel's _abort_queues).

Every client sends `stop_on_error: true` by default: a notebook run with "Run All" must stop at
the first failure, not run the cells below it against state the failed cell never made.
"""

from __future__ import annotations

import time

from jupyter_kernel_test.msgspec_v5 import validate_message

from kernel_client import TIMEOUT, Kernel


def reply_to(kernel: Kernel, msg_id: str) -> dict:
    """The execute_reply to `msg_id`, schema-checked unless aborted: jupyter_kernel_test's schema
    spells that status 'abort', the messaging documentation's typo (jupyter_client#1063);
    kernels, ipykernel first, send 'aborted'."""
    while True:
        reply = kernel.kc.get_shell_msg(timeout=TIMEOUT)
        if reply["parent_header"].get("msg_id") != msg_id:
            continue
        if reply["content"]["status"] == "aborted":
            assert reply["msg_type"] == "execute_reply"
        else:
            validate_message(reply, "execute_reply", msg_id)
        return reply


def send_queue(kernel: Kernel, first: str, queued: list[str], stop_on_error: bool = True) -> list[dict]:
    """Sends `first` and then `queued` at once (as Run All does) and returns every reply, in order."""
    ids = [kernel.kc.execute(first, stop_on_error=stop_on_error)]
    ids += [kernel.kc.execute(code, stop_on_error=stop_on_error) for code in queued]
    replies = [reply_to(kernel, msg_id) for msg_id in ids]
    kernel.drain_iopub()
    return replies


def test_queued_cells_after_an_error_are_aborted_and_do_not_run(kernel: Kernel):
    queued = [f"let ran_{i} = {i};" for i in range(16)]
    replies = send_queue(kernel, "let broken: i32 = \"not a number\";", queued)
    statuses = [r["content"]["status"] for r in replies]
    assert statuses == ["error"] + ["aborted"] * 16, statuses
    # None of them ran: their variables do not exist.
    run = kernel.execute("ran_0 + ran_15")
    assert run.status == "error"
    assert "ran_0" in "\n".join(run.error()["traceback"])


def test_a_panic_aborts_the_queue_too_and_later_cells_run_again(kernel: Kernel):
    replies = send_queue(kernel, 'panic!("stop here")', ["let after_panic = 1;", "after_panic"])
    assert [r["content"]["status"] for r in replies] == ["error", "aborted", "aborted"]
    # Cells sent after the abort run normally.
    assert kernel.ok("1 + 1").result() == "2"


def test_without_stop_on_error_queued_cells_run(kernel: Kernel):
    replies = send_queue(kernel, "let broken: i32 = \"x\";", ["let runs_anyway = 3;", "runs_anyway * 2"],
                         stop_on_error=False)
    assert [r["content"]["status"] for r in replies] == ["error", "ok", "ok"]
    assert kernel.ok("runs_anyway").result() == "3"


def test_an_interrupted_cell_aborts_the_cells_queued_behind_it(kernel: Kernel):
    loop = ("let mut steps = 0u64;\nloop {\n    if check_interrupt().is_err() { panic!(\"interrupted at {steps}\"); }\n"
            "    if steps == 0 { println!(\"loop started\"); }\n    steps += 1;\n"
            "    std::thread::sleep(std::time::Duration::from_millis(5));\n}")
    first = kernel.kc.execute(loop)
    queued = [kernel.kc.execute(f"let after_interrupt_{i} = {i};") for i in range(9)]
    # Interrupt once the loop runs: an interrupt that arrives while the cell still compiles is
    # forgotten when the cell starts (tests/test_interrupts.py), and a loaded machine may take
    # seconds to compile it.
    deadline = time.monotonic() + TIMEOUT
    while True:
        msg = kernel.kc.get_iopub_msg(timeout=max(0.1, deadline - time.monotonic()))
        if msg["msg_type"] == "stream" and "loop started" in msg["content"]["text"]:
            break
    kernel.km.interrupt_kernel()
    replies = [reply_to(kernel, m) for m in [first, *queued]]
    kernel.drain_iopub()
    assert [r["content"]["status"] for r in replies] == ["error"] + ["aborted"] * 9
    assert kernel.execute("after_interrupt_0").status == "error"
