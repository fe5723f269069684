"""Issue 11, item 13: a cell sent while a kernel still starts (no standby ready) says what it
waits for and for about how long, then the note goes away."""

from __future__ import annotations

import os

from kernel_client import Kernel


def test_the_first_cell_of_a_cold_kernel_says_what_is_being_prepared():
    kernel = Kernel(env=dict(os.environ, TORCHBOOK_STANDBY="0"))
    try:
        run = kernel.execute("1 + 1")
        kinds = [m["msg_type"] for m in run.outputs]
        notes = run.of_type("display_data")
        assert notes, kinds
        text = notes[0]["data"]["text/plain"]
        assert "Starting the Rust session" in text and " s" in text, text
        # Cleared before the cell's own output, which is untouched.
        assert kinds.index("clear_output") > kinds.index("display_data")
        assert kinds.index("clear_output") < kinds.index("execute_result")
        assert run.result() == "2"
        # Later cells say nothing of the kind.
        assert kernel.ok("3").of_type("display_data") == []
    finally:
        kernel.shutdown()
