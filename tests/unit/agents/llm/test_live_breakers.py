"""The dashboard lists the breakers of this process's live LLM clients, as they are."""

from __future__ import annotations

import gc

from trademind.agents.llm.breaker import CircuitBreaker, live_breakers
from trademind.core.clock import TestClock


def test_a_live_breaker_is_listed_with_its_state_until_it_is_gone() -> None:
    clock = TestClock()
    breaker = CircuitBreaker(2, 300.0, clock, label="glm-4.7 at test.invalid")
    mine = [b for b in live_breakers() if b.label == "glm-4.7 at test.invalid"]
    assert [(b.state, b.consecutive_failures, b.threshold) for b in mine] == [("closed", 0, 2)]
    breaker.record_failure()
    breaker.record_failure()
    (snapshot,) = [b for b in live_breakers() if b.label == "glm-4.7 at test.invalid"]
    assert (snapshot.state, snapshot.seconds_until_probe) == ("open", 300.0)
    del breaker
    gc.collect()
    assert not [b for b in live_breakers() if b.label == "glm-4.7 at test.invalid"]
