"""Returns histories: aligned in memory, and point in time from stored daily bars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest

from trademind.safety.returns_history import AlignedReturns, StoredDailyReturns
from trademind.safety.risk_math import RiskInputError
from trademind.testing.bars import FakeBarRepository

START = datetime(2024, 1, 1, tzinfo=UTC)


def _daily(closes: list[float], *, skip: set[int] = frozenset()) -> pd.DataFrame:  # type: ignore[assignment]
    rows = [
        {
            "ts": START + timedelta(days=i),
            "open": c,
            "high": c,
            "low": c,
            "close": c,
            "volume": 1000.0,
        }
        for i, c in enumerate(closes)
        if i not in skip
    ]
    return pd.DataFrame(rows)


def _store() -> FakeBarRepository:
    bars = FakeBarRepository()
    bars.add("AAA", "1d", _daily([100.0 * 1.01**i for i in range(40)]))
    bars.add("BBB", "1d", _daily([50.0 + (i % 2) for i in range(40)], skip={20}))
    return bars


def test_a_decision_sees_only_bars_closed_by_its_time() -> None:
    source = StoredDailyReturns(_store())
    during = START + timedelta(days=10, hours=15)  # bar 10 is still open
    after = START + timedelta(days=11)  # bar 10 closed
    seen = source.as_of(during).daily_returns(["AAA"], 100)["AAA"]
    assert len(seen) == 9  # closes 0..9
    assert source.as_of(after).daily_returns(["AAA"], 100)["AAA"] == pytest.approx([0.01] * 10)


def test_later_bars_do_not_change_what_a_decision_saw() -> None:
    at = START + timedelta(days=25)
    short, full = FakeBarRepository(), _store()
    short.add("AAA", "1d", _daily([100.0 * 1.01**i for i in range(25)]))
    history = StoredDailyReturns(short).as_of(at).daily_returns(["AAA"], 100)
    assert StoredDailyReturns(full).as_of(at).daily_returns(["AAA"], 100) == history


def test_a_missing_bar_leaves_no_return_that_day_nor_the_next() -> None:
    view = StoredDailyReturns(_store()).as_of(START + timedelta(days=40))
    frame = view.returns_frame(["AAA", "BBB"], 100)
    assert frame["BBB"].isna().sum() == 2
    assert frame["AAA"].notna().all()
    window = view.window(["AAA", "BBB"], 100, 20)
    assert window.days == 37
    assert window.days_dropped == 2


def test_the_window_is_built_once_per_decision_time() -> None:
    bars = _store()
    source = StoredDailyReturns(bars)
    at = START + timedelta(days=40)
    first = source.as_of(at).window(["AAA", "BBB"], 30, 20)
    reads = len(bars.reads)
    assert source.as_of(at).window(["AAA", "BBB"], 30, 20) is first
    assert len(bars.reads) == reads
    assert source.as_of(at + timedelta(days=1)).window(["AAA", "BBB"], 30, 20) is not first


def test_a_symbol_without_bars_is_excluded_with_the_reason() -> None:
    view = StoredDailyReturns(_store()).as_of(START + timedelta(days=40))
    window = view.window(["AAA", "ZZZ"], 30, 20)
    with pytest.raises(RiskInputError, match="ZZZ has returns on 0 of 30 days, need 20"):
        window.position_of("ZZZ")


def test_aligned_returns_take_the_last_days_and_keep_their_windows() -> None:
    returns = AlignedReturns({"A": np.arange(10.0) / 100, "B": [np.nan] * 5 + [0.01] * 5})
    assert returns.daily_returns(["A", "B", "C"], 3) == {
        "A": pytest.approx([0.07, 0.08, 0.09]),
        "B": [0.01] * 3,
        "C": [],
    }
    window = returns.window(["A"], 4, 3)
    assert window.days == 4
    assert returns.window(["A"], 4, 3) is window
    with pytest.raises(ValueError, match="one length"):
        AlignedReturns({"A": [0.1], "B": [0.1, 0.2]})


def test_the_closes_are_read_once_and_bars_stored_later_are_found_the_next_day() -> None:
    reader = FakeBarRepository()
    reader.add("AAA", "1d", _daily([100.0 * 1.01**i for i in range(20)]))
    source = StoredDailyReturns(reader)
    for day in range(5, 21):  # a replay: one decision a day over the stored bars
        source.as_of(START + timedelta(days=day)).daily_returns(["AAA"], 100)
    assert len(reader.reads) == 1
    # a paper session goes past the stored bars; a bar is stored meanwhile
    source.as_of(START + timedelta(days=22)).daily_returns(["AAA"], 100)
    reads = len(reader.reads)
    source.as_of(START + timedelta(days=22, hours=1)).daily_returns(["AAA"], 100)
    assert len(reader.reads) == reads  # the same day: not looked for again
    reader.add("AAA", "1d", _daily([100.0 * 1.01**i for i in range(22)]))
    seen = source.as_of(START + timedelta(days=23)).daily_returns(["AAA"], 100)["AAA"]
    assert len(seen) == 21  # closes 0..21: the new bars were read
    assert seen == pytest.approx([0.01] * 21)


def _pandas_returns(closes: dict[str, pd.Series], symbols: list[str], days: int) -> pd.DataFrame:
    """The returns as pandas computes them (outer join, ``pct_change`` without filling)."""
    joined = pd.concat({s: closes[s].iloc[-(days + 1) :] for s in symbols}, axis=1, sort=True)
    returns = joined.pct_change(fill_method=None).iloc[1:]
    return returns.iloc[-days:].reindex(columns=symbols)


@pytest.mark.parametrize("seed", range(6))
def test_the_returns_are_pandas_outer_join_pct_change_bit_for_bit(seed: int) -> None:
    rng = np.random.default_rng(seed)
    bars, closes = FakeBarRepository(), {}
    for symbol in ("AAA", "BBB", "CCC"):
        prices = list(100.0 * np.cumprod(1.0 + rng.normal(0.0, 0.02, 80)))
        prices[int(rng.integers(0, 80))] = 0.0  # a zero close: inf and NaN returns
        skip = {int(day) for day in rng.choice(80, size=int(rng.integers(0, 12)), replace=False)}
        frame = _daily(prices, skip=skip)
        bars.add(symbol, "1d", frame)
        closes[symbol] = pd.Series(frame["close"].to_numpy(), index=pd.DatetimeIndex(frame["ts"]))
    at = START + timedelta(days=int(rng.integers(30, 90)))
    view = StoredDailyReturns(bars).as_of(at)
    seen = {s: c[c.index <= at - timedelta(days=1)] for s, c in closes.items()}
    for symbols, days in ((["AAA", "BBB", "CCC"], 30), (["CCC", "AAA"], 60), (["BBB"], 5)):
        expected = _pandas_returns(seen, symbols, days)
        got = view.returns_frame(symbols, days)
        pd.testing.assert_frame_equal(got, expected, check_exact=True, check_freq=False)
        finite = {s: [float(x) for x in expected[s] if np.isfinite(x)] for s in symbols}
        assert view.daily_returns(symbols, days) == finite
