"""`ab run`'s language model calls are real spending: the user's calls of the day go into the
sandbox (the daily budget counts them) and each replay's calls come back to the user's ledger,
attributed to that replay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from trademind.core.clock import TestClock
from trademind.core.llm_calls import LlmCall, LlmOutcome
from trademind.db.llm_calls import LlmCallRepository
from trademind.db.session import Database
from trademind.services.ab_service import CallRelay
from trademind.services.safety_sandbox import sandbox

NOW = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)


def _call(at: datetime, cost: str | None) -> LlmCall:
    return LlmCall(
        called_at=at,
        model="glm-4.7",
        purpose="sentiment",
        outcome=LlmOutcome.OK if cost is not None else LlmOutcome.HTTP_ERROR,
        cost_usd=None if cost is None else Decimal(cost),
    )


def test_the_day_goes_in_and_each_replays_calls_come_back(database: Database) -> None:
    user = LlmCallRepository(database)
    user.record(_call(NOW - timedelta(days=1), "0.50"))  # yesterday: not the budget's
    user.record(_call(NOW - timedelta(hours=1), "0.25"))
    relay = CallRelay(database, TestClock(NOW))
    with sandbox() as box:
        relay.ready(box.database)
        inside = LlmCallRepository(box.database)
        assert box.database is not database
        assert inside.cost_on(NOW.date()) == Decimal("0.25")  # the budget sees today's spend
        inside.record(_call(NOW, "0.01"))
        inside.record(_call(NOW, None))
        first = relay.take(box.database)
        inside.record(_call(NOW + timedelta(minutes=1), "0.02"))
        second = relay.take(box.database)
    assert [c.cost_usd for c in first] == [Decimal("0.01"), None]
    assert [c.cost_usd for c in second] == [Decimal("0.02")]
    assert user.cost_on(NOW.date()) == Decimal("0.28")  # 0.25 + the replays' 0.03, once each
    assert len(user.since(NOW - timedelta(days=2))) == 5
