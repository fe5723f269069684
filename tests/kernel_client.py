"""A small driver for the Torchbook kernel over the real Jupyter protocol (jupyter_client).

Every message the kernel sends back is validated against the message schemas of
jupyter_kernel_test (msgspec_v5), so each test that talks to the kernel also checks the wire
format. Timeouts below bound a hang; they are not performance claims.
"""

from __future__ import annotations

import queue
from dataclasses import dataclass, field
from typing import Any, Callable

from jupyter_client.manager import KernelManager, start_new_kernel
from jupyter_kernel_test.msgspec_v5 import schema_fragments, validate_message

KERNEL_NAME = "torchbook"
TIMEOUT = 300


@dataclass
class Execution:
    reply: dict[str, Any]
    outputs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.reply["content"]["status"]

    def of_type(self, msg_type: str) -> list[dict[str, Any]]:
        return [m["content"] for m in self.outputs if m["msg_type"] == msg_type]

    def stdout(self) -> str:
        return "".join(c["text"] for c in self.of_type("stream") if c["name"] == "stdout")

    def stderr(self) -> str:
        return "".join(c["text"] for c in self.of_type("stream") if c["name"] == "stderr")

    def result(self, mime: str = "text/plain") -> str | None:
        results = self.of_type("execute_result")
        return results[-1]["data"].get(mime) if results else None

    def error(self) -> dict[str, Any]:
        errors = self.of_type("error")
        assert len(errors) == 1, f"expected one error message, got {self.outputs}"
        return errors[0]


class Kernel:
    """One running kernel and a blocking client connected to it."""

    def __init__(self, **start_kwargs: Any) -> None:
        """Starts a kernel; `start_kwargs` go to `KernelManager.start_kernel` (`cwd`, `env`)."""
        self.km, self.kc = start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=TIMEOUT, **start_kwargs)

    def shutdown(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)

    def iopub_for(self, msg_id: str, timeout: float = TIMEOUT,
                  on_message: Callable[[dict[str, Any]], None] | None = None,
                  from_start: bool = True) -> list[dict[str, Any]]:
        """IOPub messages caused by `msg_id`, up to idle, each validated.

        With `from_start` (no message of this request read yet) the first must be `busy`.
        """
        messages = []
        while True:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            if msg["msg_type"] in schema_fragments:  # comm messages have no schema there
                validate_message(msg)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            messages.append(msg)
            if on_message:
                on_message(msg)
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                break
        if from_start:
            assert messages[0]["msg_type"] == "status", messages[0]
            assert messages[0]["content"]["execution_state"] == "busy"
        return messages

    def shell_reply(self, msg_id: str, msg_type: str, timeout: float = TIMEOUT) -> dict[str, Any]:
        while True:
            reply = self.kc.get_shell_msg(timeout=timeout)
            if reply["parent_header"].get("msg_id") == msg_id:
                validate_message(reply, msg_type, msg_id)
                return reply

    def execute(self, code: str, *, allow_stdin: bool = False, silent: bool = False,
                store_history: bool = True, timeout: float = TIMEOUT) -> Execution:
        msg_id = self.kc.execute(code, allow_stdin=allow_stdin, silent=silent,
                                 store_history=store_history)
        messages = self.iopub_for(msg_id, timeout)
        reply = self.shell_reply(msg_id, "execute_reply", timeout)
        outputs = [m for m in messages if m["msg_type"] not in ("status", "execute_input")]
        return Execution(reply, outputs)

    def ok(self, code: str, **kwargs: Any) -> Execution:
        """Runs `code` and fails the test with the kernel's traceback if it did not succeed."""
        run = self.execute(code, **kwargs)
        if run.status != "ok":
            raise AssertionError(f"cell failed: {code!r}\n" + "\n".join(run.reply["content"].get("traceback", [])))
        return run

    def request(self, send: Callable[[], str], msg_type: str) -> dict[str, Any]:
        """Sends a shell request through `send` (a kc method) and returns its validated reply."""
        msg_id = send()
        reply = self.shell_reply(msg_id, msg_type)
        self.iopub_for(msg_id)
        return reply

    def drain_iopub(self) -> None:
        while True:
            try:
                self.kc.get_iopub_msg(timeout=0.2)
            except queue.Empty:
                return


def kernel_manager() -> KernelManager:
    return KernelManager(kernel_name=KERNEL_NAME)
