"""Shared set-up of the Callmatic adapter tests: the fake on 127.0.0.1."""

from collections.abc import Iterator

import pytest

from tests.fakes.callmatic import CallmaticFake
from tests.fakes.support import running


@pytest.fixture(name="fake")
def fake_fixture() -> Iterator[CallmaticFake]:
    yield from running(CallmaticFake().start())
