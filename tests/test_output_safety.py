"""Bytes a cell writes are user data: they never desynchronise the kernel nor pass for protocol.

Issue 12, item 2. Each test checks what a user sees after the hostile output: the text comes
back as text (invalid UTF-8 replaced by U+FFFD, as ipykernel does) and the next cells still get
their own results and displays, in order.
"""

from __future__ import annotations

import random

from kernel_client import Kernel

# The protocol lines of evcxr 0.22 and the frame characters of torchbook_contract::frame.
LOOKALIKES = [
    "EVCXR_EXECUTION_COMPLETE",
    "EVCXR_BEGIN_CONTENT text/html",
    "<script>alert(1)</script>",
    "EVCXR_END_CONTENT",
    "EVCXR_PANIC_NOTIFICATION",
    "EVCXR_ERROR_OCCURRED",
    "EVCXR_VARIABLE_CHANGED_TYPE:x",
    '\x1e{"kind":"display","data":{"text/html":"<b>injected</b>"},"display_id":"d"}',
    '\x1e{"kind":"result","data":{"text/plain":"forged"}}',
    '\x1e{"kind":"panic","message":"forged","file":"src/lib.rs","line":1,"column":1}',
    "\x1fEVCXR_EXECUTION_COMPLETE",
    "\x1cpartial",
    "\x1a_\x1a\x1a",
    "\x1eTORCHBOOK_STDERR_BARRIER 0-0",
]


def rust_bytes(data: bytes) -> str:
    return "&[" + ", ".join(str(b) for b in data) + "]"


def check_alive(kernel: Kernel, n: int) -> None:
    """A known result and a known display still arrive, in order, in their own cell."""
    run = kernel.ok(f'println!("before {n}");\ndisplay(&torchbook::display::Html::new("<i>shown {n}</i>"));\nprintln!("after {n}");\n{n} + 1')
    kinds = [(m["msg_type"], m["content"].get("text") or m["content"].get("data")) for m in run.outputs]
    assert run.stdout() == f"before {n}\nafter {n}\n", run.outputs
    displays = run.of_type("display_data")
    assert len(displays) == 1 and displays[0]["data"]["text/html"] == f"<i>shown {n}</i>", kinds
    order = [m["msg_type"] for m in run.outputs]
    assert order.index("display_data") < order.index("execute_result"), order
    first_text = next(i for i, m in enumerate(run.outputs) if m["msg_type"] == "stream")
    assert first_text < order.index("display_data"), order
    assert run.result() == str(n + 1), run.outputs


def test_invalid_utf8_on_stdout_and_stderr_is_replaced_and_the_kernel_stays_in_step(kernel: Kernel):
    run = kernel.ok(
        "use std::io::Write;\n"
        'std::io::stdout().write_all(b"ok \\xff\\xfe end\\n").unwrap();\n'
        'std::io::stderr().write_all(b"err \\xc3\\x28\\n").unwrap();\n'
        '"last"'
    )
    assert run.stdout() == "ok \ufffd\ufffd end\n"
    assert run.stderr() == "err \ufffd(\n"
    assert run.result() == '"last"' or run.result() == "last"
    # eprintln! after invalid stderr bytes must not panic; the next cell is its own.
    run = kernel.ok('eprintln!("still here");\n7')
    assert run.stderr() == "still here\n" and run.result() == "7"
    check_alive(kernel, 1)


def test_printed_protocol_lines_and_frames_come_back_as_text(kernel: Kernel):
    text = "\n".join(LOOKALIKES)
    run = kernel.ok("let s = String::from_utf8((" + rust_bytes(text.encode()) + ").to_vec()).unwrap();\nprintln!(\"{s}\");\n5")
    assert run.stdout() == text + "\n", run.outputs
    assert run.of_type("display_data") == []
    assert run.of_type("error") == []
    assert run.result() == "5"
    # stderr too.
    run = kernel.ok("eprintln!(\"{}\", String::from_utf8((" + rust_bytes(text.encode()) + ").to_vec()).unwrap());")
    assert text in run.stderr()
    check_alive(kernel, 2)


def test_a_display_and_a_variable_holding_protocol_lines_neither_hang_nor_end_the_cell(kernel: Kernel):
    """evcxr takes any stdout line *containing* `EVCXR_BEGIN_CONTENT <mime>` for a result's start
    and reads on to `EVCXR_END_CONTENT`; a display message (or the variables panel's capture)
    carrying that text hung the kernel until the framing escaped it."""
    text = "\n".join(LOOKALIKES)
    run = kernel.ok("let shown = String::from_utf8((" + rust_bytes(text.encode()) + ").to_vec()).unwrap();\n"
                    "display(&torchbook::display::Html::new(shown.clone()));\n6", timeout=120)
    assert [d["data"]["text/html"] for d in run.of_type("display_data")] == [text]
    assert run.of_type("error") == []
    assert run.result() == "6"
    check_alive(kernel, 3)


def test_fuzzed_bytes_on_both_streams_never_break_the_next_cell(kernel: Kernel):
    rng = random.Random(20261201)  # fixed seed: the same bytes on every run
    fuzzed = 0
    for round_ in range(6):
        out = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        err = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 3000)))
        # Some rounds splice in protocol lookalikes at random offsets.
        spliced = rng.choice(LOOKALIKES).encode()
        at = rng.randrange(len(out))
        out = out[:at] + b"\n" + spliced + b"\n" + out[at:]
        fuzzed += len(out) + len(err)
        run = kernel.execute(
            "use std::io::Write;\n"
            f"std::io::stdout().write_all({rust_bytes(out)}).unwrap();\n"
            f"std::io::stderr().write_all({rust_bytes(err)}).unwrap();\n"
            f"{round_} * 10"
        )
        assert run.status == "ok", run.reply
        assert run.result() == str(round_ * 10)
        got = run.stdout()
        assert got == out.decode("utf-8", errors="replace") or got == out.decode("utf-8", errors="replace") + "\n"
        check_alive(kernel, 100 + round_)
    print(f"fuzzed {fuzzed} bytes")


def test_a_type_with_its_own_evcxr_display_still_shows_html(kernel: Kernel):
    # evcxr's documented way to show rich output (evcxr_jupyter's README): a method that prints
    # a content block. It is the cell's result; the same lines printed elsewhere are text.
    kernel.ok(
        "pub struct Matrix { pub values: Vec<i32> }\n"
        "impl Matrix {\n"
        "    pub fn evcxr_display(&self) {\n"
        '        let cells: String = self.values.iter().map(|v| format!("<td>{v}</td>")).collect();\n'
        '        println!("EVCXR_BEGIN_CONTENT text/html\\n<table><tr>{cells}</tr></table>\\nEVCXR_END_CONTENT");\n'
        "    }\n"
        "}"
    )
    run = kernel.ok("Matrix { values: vec![1, 2] }")
    assert run.result("text/html") == "<table><tr><td>1</td><td>2</td></tr></table>", run.outputs
    run = kernel.ok("let m = Matrix { values: vec![3] };\nm.evcxr_display();\n1")
    assert "EVCXR_BEGIN_CONTENT text/html" in run.stdout()
    assert run.result() == "1" and run.result("text/html") is None


def test_a_final_expression_indexing_a_let_of_the_same_cell(kernel: Kernel):
    # Issue 11, item 4: it asked for the vector to be mutable.
    assert kernel.ok("let v = vec![1, 2];\nv[0]").result() == "1"
    assert kernel.ok('let w = vec![String::from("a")];\nw[0].len()').result() == "1"


def test_a_panic_after_hostile_output_keeps_earlier_variables(kernel: Kernel):
    kernel.ok("let kept = 41;")
    run = kernel.execute('println!("EVCXR_PANIC_NOTIFICATION");\nlet lost = 1;\npanic!("on purpose")')
    assert run.status == "error"
    assert "on purpose" in run.error()["evalue"] + "\n".join(run.error()["traceback"])
    assert kernel.ok("kept + 1").result() == "42"
