"""PaperSource: polls only on NYSE sessions, passes on only session bars, each once, in order."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import pytest

from trademind.core.clock import LiveClock, TestClock
from trademind.core.errors import BrokerError
from trademind.core.market import Bar
from trademind.runtime.bar_sources import BarBatch
from trademind.runtime.paper_source import PaperSource
from trademind.runtime.sessions import ExchangeSessions, SchedulerWaiter

# Wednesday 3 July 2024 closes early (17:00 UTC); 4 July is a holiday; Friday 5 July is normal.
WED = datetime(2024, 7, 3, 13, 30, tzinfo=UTC)
FRI = datetime(2024, 7, 5, 13, 30, tzinfo=UTC)
DELAY = timedelta(seconds=5)


class MovingWaiter:
    """Moves the test clock to each wake-up time and records it."""

    def __init__(self, clock: TestClock) -> None:
        self.clock = clock
        self.waits: list[datetime] = []

    async def wait_until(self, when: datetime) -> None:
        self.waits.append(when)
        if when > self.clock.now():
            self.clock.set_time(when)


class FakeProvider:
    """Every bar of a fixed list, whatever time it is (the source must filter)."""

    def __init__(self, bars: Sequence[Bar], failing: set[datetime] | None = None) -> None:
        self.bars = list(bars)
        self.calls: list[tuple[str, datetime, datetime]] = []
        self.failing = failing or set()

    async def closed_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> Sequence[Bar]:
        self.calls.append((symbol, start, end))
        if end in self.failing:
            raise BrokerError("provider down")
        return [bar for bar in self.bars if bar.symbol == symbol and start <= bar.ts < end]


def _bar(symbol: str, ts: datetime, timeframe: str = "1h") -> Bar:
    return Bar(
        symbol=symbol,
        timeframe=timeframe,
        ts=ts,
        open=10.0,
        high=11.0,
        low=9.0,
        close=10.5,
        volume=100.0,
    )


def _hourly(symbol: str, start: datetime, count: int) -> list[Bar]:
    return [_bar(symbol, start + timedelta(hours=h)) for h in range(count)]


async def _run(source: PaperSource) -> list[BarBatch]:
    return [batch async for batch in source.batches()]


def _source(
    provider: FakeProvider, clock: TestClock, waiter: MovingWaiter, **kw: object
) -> PaperSource:
    return PaperSource(
        provider,
        symbols=["AAPL", "MSFT"],
        timeframe="1h",
        clock=clock,
        calendar=ExchangeSessions(),
        waiter=waiter,
        delay=DELAY,
        **kw,
    )  # type: ignore[arg-type]


async def test_polls_only_at_bar_closes_inside_sessions_and_skips_the_holiday() -> None:
    clock = TestClock(datetime(2024, 7, 3, 12, 0, tzinfo=UTC))  # before Wednesday's open
    waiter = MovingWaiter(clock)
    source = _source(FakeProvider([]), clock, waiter, until=datetime(2024, 7, 6, tzinfo=UTC))
    assert await _run(source) == []
    wednesday = [WED + timedelta(hours=h) for h in (1, 2, 3)] + [
        datetime(2024, 7, 3, 17, tzinfo=UTC)
    ]
    friday = [FRI + timedelta(hours=h) for h in range(1, 7)] + [
        datetime(2024, 7, 5, 20, tzinfo=UTC)
    ]
    assert waiter.waits == [when + DELAY for when in wednesday + friday]


async def test_only_session_bars_pass_each_once_in_time_order() -> None:
    pre_market = _bar("AAPL", datetime(2024, 7, 5, 12, 30, tzinfo=UTC))
    holiday = _bar("AAPL", datetime(2024, 7, 4, 14, 30, tzinfo=UTC))
    bars = [pre_market, holiday, *_hourly("AAPL", FRI, 7), *_hourly("MSFT", FRI, 3)]
    clock = TestClock(datetime(2024, 7, 4, 12, 0, tzinfo=UTC))
    provider = FakeProvider(bars)
    batches = await _run(
        _source(provider, clock, MovingWaiter(clock), until=datetime(2024, 7, 6, tzinfo=UTC))
    )
    stamps = [(batch.closed_at, tuple(bar.symbol for bar in batch.bars)) for batch in batches]
    expected = [(FRI + timedelta(hours=h + 1), ("AAPL", "MSFT")) for h in range(3)]
    expected += [(FRI + timedelta(hours=h + 1), ("AAPL",)) for h in range(3, 6)]
    expected += [
        (datetime(2024, 7, 5, 20, tzinfo=UTC), ("AAPL",))
    ]  # the 19:30 bar ends at the close
    assert stamps == expected
    assert all(bar is not pre_market and bar is not holiday for b in batches for bar in b.bars)


async def test_bars_missed_by_a_failed_poll_come_with_the_next() -> None:
    clock = TestClock(datetime(2024, 7, 5, 13, 0, tzinfo=UTC))
    first_poll_end = FRI + timedelta(hours=1)
    provider = FakeProvider(_hourly("AAPL", FRI, 2), failing={first_poll_end})
    source = PaperSource(
        provider,
        symbols=["AAPL"],
        timeframe="1h",
        clock=clock,
        calendar=ExchangeSessions(),
        waiter=MovingWaiter(clock),
        delay=DELAY,
        until=FRI + timedelta(hours=2, minutes=1),
    )
    batches = await _run(source)
    assert [batch.closed_at for batch in batches] == [
        FRI + timedelta(hours=1),
        FRI + timedelta(hours=2),
    ]
    assert clock.now() == FRI + timedelta(hours=2) + DELAY


async def test_daily_bars_are_polled_once_at_the_close() -> None:
    clock = TestClock(datetime(2024, 7, 3, 12, 0, tzinfo=UTC))
    daily = [_bar("AAPL", datetime(2024, 7, day, tzinfo=UTC), "1d") for day in (3, 4, 5)]
    waiter = MovingWaiter(clock)
    source = PaperSource(
        FakeProvider(daily),
        symbols=["AAPL"],
        timeframe="1d",
        clock=clock,
        calendar=ExchangeSessions(),
        waiter=waiter,
        delay=DELAY,
        until=datetime(2024, 7, 6, tzinfo=UTC),
    )
    batches = await _run(source)
    assert [batch.closed_at for batch in batches] == [
        datetime(2024, 7, 3, 17, tzinfo=UTC),
        datetime(2024, 7, 5, 20, tzinfo=UTC),
    ]
    assert [batch.bars[0].ts.day for batch in batches] == [3, 5]  # no bar for the holiday


async def test_stop_ends_the_batches() -> None:
    clock = TestClock(datetime(2024, 7, 5, 13, 0, tzinfo=UTC))
    source = _source(FakeProvider(_hourly("AAPL", FRI, 7)), clock, MovingWaiter(clock))
    seen = []
    async for batch in source.batches():
        seen.append(batch)
        source.stop()
    assert len(seen) == 1


async def test_the_scheduler_waiter_wakes_at_the_time() -> None:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    scheduler = AsyncIOScheduler(timezone=UTC)
    scheduler.start()
    try:
        clock = LiveClock()
        target = clock.now() + timedelta(milliseconds=50)
        await asyncio.wait_for(SchedulerWaiter(scheduler).wait_until(target), timeout=10)
        assert clock.now() >= target
        cancelled = asyncio.ensure_future(
            SchedulerWaiter(scheduler).wait_until(target + timedelta(hours=1))
        )
        await asyncio.sleep(0)
        cancelled.cancel()
        with pytest.raises(asyncio.CancelledError):
            await cancelled
        assert scheduler.get_jobs() == []
    finally:
        scheduler.shutdown(wait=False)


async def test_a_daily_bar_whose_poll_failed_comes_with_the_next_sessions_poll() -> None:
    clock = TestClock(datetime(2024, 7, 3, 12, 0, tzinfo=UTC))
    daily = [_bar("AAPL", datetime(2024, 7, day, tzinfo=UTC), "1d") for day in (3, 5, 8)]
    wednesday_close = datetime(2024, 7, 3, 17, tzinfo=UTC)
    source = PaperSource(
        FakeProvider(daily, failing={wednesday_close}),
        symbols=["AAPL"],
        timeframe="1d",
        clock=clock,
        calendar=ExchangeSessions(),
        waiter=MovingWaiter(clock),
        delay=DELAY,
        until=datetime(2024, 7, 6, tzinfo=UTC),
    )
    batches = await _run(source)
    assert [(b.bars[0].ts.day, b.closed_at) for b in batches] == [
        (3, wednesday_close),  # late, with Friday's poll, in time order
        (5, datetime(2024, 7, 5, 20, tzinfo=UTC)),
    ]


async def test_bars_seen_before_are_not_passed_on() -> None:
    clock = TestClock(datetime(2024, 7, 5, 13, 0, tzinfo=UTC))
    provider = FakeProvider(_hourly("AAPL", FRI, 3))
    source = PaperSource(
        provider,
        symbols=["AAPL"],
        timeframe="1h",
        clock=clock,
        calendar=ExchangeSessions(),
        waiter=MovingWaiter(clock),
        delay=DELAY,
        until=FRI + timedelta(hours=3, minutes=1),
        seen={"AAPL": FRI + timedelta(hours=1)},
    )
    batches = await _run(source)
    assert [batch.bars[0].ts for batch in batches] == [FRI + timedelta(hours=2)]
