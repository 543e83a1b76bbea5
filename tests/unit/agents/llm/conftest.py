from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.llm_client import Harness, RecordingSleeper

from trademind.core.clock import TestClock
from trademind.testing.fake_llm import FakeLlmServer
from trademind.testing.llm_ledger import MemoryCallLedger


@pytest.fixture
def harness() -> Iterator[Harness]:
    clock = TestClock()
    with FakeLlmServer() as server:
        yield Harness(server, clock, MemoryCallLedger(), RecordingSleeper(clock))
