import pytest

from kernel_client import Kernel


@pytest.fixture(scope="module")
def kernel():
    k = Kernel()
    yield k
    k.shutdown()
