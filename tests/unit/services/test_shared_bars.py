"""The live A/B sessions' shared provider: one question asked once, the same answer (or error)
for every asker, ends a moment apart treated as one question."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from trademind.core.market import Bar
from trademind.data.providers.base import ProviderError
from trademind.services.trade.variants import SharedBars

START = datetime(2024, 3, 4, tzinfo=UTC)


def _bar(day: int) -> Bar:
    return Bar(
        symbol="AAPL", ts=START + timedelta(days=day), open=10.0, high=11.0, low=9.0,
        close=10.5, volume=100.0, timeframe="1d",
    )  # fmt: skip


class Slow:
    def __init__(self, fail: bool = False) -> None:
        self.calls = 0
        self.fail = fail

    async def closed_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> Sequence[Bar]:
        self.calls += 1
        await asyncio.sleep(0)
        if self.fail:
            raise ProviderError("Yahoo answered 503", symbol)
        return [_bar(k) for k in range(5) if _bar(k).ts < end]


def test_the_same_question_at_once_is_asked_once() -> None:
    inner = Slow()
    shared = SharedBars(inner)
    end = START + timedelta(days=3)

    async def both() -> list[Sequence[Bar]]:
        return list(
            await asyncio.gather(*(shared.closed_bars("AAPL", "1d", START, end) for _ in "ab"))
        )

    first, second = asyncio.run(both())
    assert inner.calls == 1
    assert first == second
    assert len(first) == 3


def test_ends_a_moment_apart_are_one_question_and_other_questions_are_asked() -> None:
    inner = Slow()
    shared = SharedBars(inner)
    end = START + timedelta(days=3)

    async def asks() -> tuple[Sequence[Bar], Sequence[Bar], Sequence[Bar]]:
        later = await shared.closed_bars("AAPL", "1d", START, end)
        sooner = await shared.closed_bars("AAPL", "1d", START, end - timedelta(seconds=30))
        other = await shared.closed_bars("AAPL", "1d", START, end + timedelta(days=1))
        return later, sooner, other

    later, sooner, other = asyncio.run(asks())
    assert inner.calls == 2  # the third question is another day
    assert len(later) == 3
    assert len(sooner) == 3  # the same bars: none lies in the 30 seconds between the ends
    assert len(other) == 4


def test_every_asker_gets_the_same_error() -> None:
    shared = SharedBars(Slow(fail=True))

    async def both() -> list[object]:
        return list(
            await asyncio.gather(
                *(shared.closed_bars("AAPL", "1d", START, START) for _ in "ab"),
                return_exceptions=True,
            )
        )

    errors = asyncio.run(both())
    assert len(errors) == 2
    assert all(isinstance(error, ProviderError) for error in errors)
