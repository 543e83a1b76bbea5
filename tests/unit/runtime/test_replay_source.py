"""ReplaySource: the engine's event order, the clock at each close, and the replay speed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from support.shared_data import daily_csv

from trademind.backtest.engine.prepare import flatten
from trademind.core.clock import TestClock
from trademind.core.errors import UsageError, ValidationError
from trademind.core.market import Bar
from trademind.runtime.bar_sources import BarBatch, ReplaySource, bar_length
from trademind.runtime.pacing import Speed
from trademind.strategies.base import Bars, Signals

DAY0 = datetime(2024, 1, 2, tzinfo=UTC)


def _load(symbol: str, rows: slice) -> Bars:
    import pandas as pd

    frame = pd.read_csv(daily_csv(symbol)).iloc[rows]
    ts = pd.to_datetime(frame["Date"]).to_numpy(dtype="datetime64[ns]").astype(np.int64)
    cols = [
        frame[name].to_numpy(dtype=np.float64)
        for name in ("Open", "High", "Low", "Close", "Volume")
    ]
    return Bars(symbol, ts, *cols)


def _no_signals(size: int) -> Signals:
    nothing = np.zeros(size, dtype=np.bool_)
    return Signals(
        nothing, nothing, np.zeros(size), np.zeros(size, dtype=np.int16), np.full(size, np.nan)
    )


class RecordingSleeper:
    def __init__(self) -> None:
        self.pauses: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)


async def _collect(source: ReplaySource) -> list[BarBatch]:
    return [batch async for batch in source.batches()]


async def test_bars_come_in_the_backtest_engines_event_order() -> None:
    """Series with different spans (and so some timestamps held by one symbol only)."""
    series = {
        "MSFT": _load("MSFT", slice(100, 400)),
        "AAPL": _load("AAPL", slice(0, 300)),
        "TSLA": _load("TSLA", slice(250, 600)),
    }
    flat = flatten(list(series.values()), [_no_signals(len(bars)) for bars in series.values()])
    names = list(series)
    expected = [(int(flat.ts[i]), names[int(flat.symbol_of[i])]) for i in range(flat.ts.shape[0])]
    clock = TestClock()
    batches = await _collect(ReplaySource(series, timeframe="1d", clock=clock))
    got = [
        (int(np.datetime64(bar.ts.replace(tzinfo=None), "ns").astype(np.int64)), bar.symbol)
        for batch in batches
        for bar in batch.bars
    ]
    assert got == expected
    assert len(batches) == flat.steps
    assert all(
        bar.ts + timedelta(days=1) == batch.closed_at for batch in batches for bar in batch.bars
    )
    assert clock.now() == batches[-1].closed_at


async def test_the_clock_is_at_each_close_when_the_batch_is_handed_on() -> None:
    clock = TestClock()
    bars = [_bar(day) for day in range(3)]
    seen = []
    async for batch in ReplaySource({"AAPL": bars}, timeframe="1d", clock=clock).batches():
        seen.append((batch.closed_at, clock.now()))
    assert [now for _, now in seen] == [DAY0 + timedelta(days=day + 1) for day in range(3)]
    assert all(close == now for close, now in seen)


def _bar(day: int, symbol: str = "AAPL", timeframe: str = "1d") -> Bar:
    step = bar_length(timeframe)
    return Bar(
        symbol=symbol,
        timeframe=timeframe,
        ts=DAY0 + step * day,
        open=10.0,
        high=11.0,
        low=9.0,
        close=10.5,
        volume=100.0,
    )


async def test_a_multiple_of_real_time_sleeps_the_scaled_gaps() -> None:
    sleeper = RecordingSleeper()
    bars = [_bar(day, timeframe="5m") for day in (0, 1, 2, 5)]
    source = ReplaySource(
        {"AAPL": bars}, timeframe="5m", clock=TestClock(), speed=Speed.parse("60x"), sleeper=sleeper
    )
    await _collect(source)
    assert sleeper.pauses == pytest.approx([5.0, 5.0, 15.0])  # 300 s / 60, 300 s / 60, 900 s / 60


async def test_max_speed_never_sleeps() -> None:
    sleeper = RecordingSleeper()
    source = ReplaySource(
        {"AAPL": [_bar(0), _bar(1)]},
        timeframe="1d",
        clock=TestClock(),
        speed=Speed.parse("max"),
        sleeper=sleeper,
    )
    assert len(await _collect(source)) == 2
    assert sleeper.pauses == []


@pytest.mark.parametrize(
    ("text", "multiple"), [("max", None), ("1x", 1.0), (" 60X ", 60.0), ("0.5x", 0.5)]
)
def test_speeds_parse(text: str, multiple: float | None) -> None:
    assert Speed.parse(text).multiple == multiple


@pytest.mark.parametrize("text", ["fast", "0x", "-2x", "10"])
def test_bad_speeds_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError):
        Speed.parse(text)


def test_bad_replays_are_refused() -> None:
    clock = TestClock()
    with pytest.raises(ValidationError, match="no symbols"):
        ReplaySource({}, timeframe="1d", clock=clock)
    with pytest.raises(ValidationError, match="AAPL: no bars"):
        ReplaySource({"AAPL": []}, timeframe="1d", clock=clock)
    with pytest.raises(ValidationError, match="unknown timeframe"):
        ReplaySource({"AAPL": [_bar(0)]}, timeframe="7d", clock=clock)
    with pytest.raises(ValidationError, match="needs a sleeper"):
        ReplaySource({"AAPL": [_bar(0)]}, timeframe="1d", clock=clock, speed=Speed(2.0))


async def test_unordered_bars_are_refused() -> None:
    source = ReplaySource({"AAPL": [_bar(1), _bar(0)]}, timeframe="1d", clock=TestClock())
    with pytest.raises(ValidationError, match="not strictly increasing"):
        await _collect(source)
