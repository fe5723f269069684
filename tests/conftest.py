import pytest

from kernel_client import Kernel


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    yield k
    k.shutdown()


def pytest_terminal_summary(terminalreporter):
    """Each notebook's run time, as the notebook tests measured it."""
    import sys

    module = sys.modules.get("test_notebooks")
    times = getattr(module, "TIMES", {})
    if times:
        listed = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in sorted(times.items()))
        terminalreporter.write_line(f"notebook run times: {listed}")
