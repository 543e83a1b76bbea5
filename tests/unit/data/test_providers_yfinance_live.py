"""The live yfinance provider of paper mode against FakeYahoo: bars stamped as stored bars,
missing or invalid rows left out (never filled), no bars yet is an empty answer, failures
are TradeMindErrors (the paper source logs them and polls again). No test touches the network."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from trademind.core.clock import TestClock
from trademind.core.errors import TradeMindError
from trademind.data.providers import SourceUnreachableError
from trademind.data.providers.yfinance_live import live_yfinance
from trademind.testing.yahoo import FakeYahoo

NOW = datetime(2024, 7, 5, 21, 0, tzinfo=UTC)
FRIDAY = datetime(2024, 7, 5, tzinfo=UTC)
CLOSE = datetime(2024, 7, 5, 20, 0, tzinfo=UTC)


def _frame(index: pd.DatetimeIndex, close: list[float]) -> pd.DataFrame:
    values = np.array(close)
    return pd.DataFrame(
        {
            "Open": values - 0.5,
            "High": values + 1,
            "Low": values - 1,
            "Close": values,
            "Adj Close": values,
            "Volume": np.full(len(values), 1000.0),
        },
        index=index,
    )


async def test_a_daily_bar_is_stamped_at_midnight_utc_of_its_session() -> None:
    yahoo = FakeYahoo()
    provider = live_yfinance(clock=TestClock(NOW), download=yahoo)
    bars = await provider.closed_bars("AAPL", "1d", FRIDAY, CLOSE)
    assert [(bar.symbol, bar.timeframe, bar.ts) for bar in bars] == [("AAPL", "1d", FRIDAY)]
    assert bars[0].close == pytest.approx(
        float((FRIDAY.date() - datetime(2024, 1, 1).date()).days) + 100.5
    )
    assert yahoo.calls[0]["interval"] == "1d"


async def test_intraday_bars_are_utc_and_missing_rows_are_left_out_not_filled() -> None:
    index = pd.date_range("2024-07-05 09:30", periods=4, freq="5min", tz="America/New_York")
    frame = _frame(index, [10.0, 11.0, 12.0, 13.0])
    frame.iloc[1, frame.columns.get_loc("Close")] = np.nan  # a bar Yahoo has not finished
    frame.iloc[2, frame.columns.get_loc("Low")] = 20.0  # low above the close: not a bar
    provider = live_yfinance(clock=TestClock(NOW), download=FakeYahoo.scripted(frame))
    start = datetime(2024, 7, 5, 13, 30, tzinfo=UTC)
    bars = await provider.closed_bars("AAPL", "5m", start, datetime(2024, 7, 5, 14, tzinfo=UTC))
    assert [bar.ts for bar in bars] == [
        datetime(2024, 7, 5, 13, 30, tzinfo=UTC),
        datetime(2024, 7, 5, 13, 45, tzinfo=UTC),
    ]
    assert [bar.close for bar in bars] == [10.0, 13.0]


async def test_no_bars_yet_is_an_empty_answer() -> None:
    provider = live_yfinance(clock=TestClock(NOW), download=FakeYahoo(empty={"AAPL"}))
    assert await provider.closed_bars("AAPL", "1d", FRIDAY, CLOSE) == []


async def test_failures_are_trademind_errors() -> None:
    down = FakeYahoo(failing={"AAPL": ValueError("HTTP Error 404: Not Found")})
    with pytest.raises(TradeMindError, match="yfinance failed"):
        await live_yfinance(clock=TestClock(NOW), download=down).closed_bars(
            "AAPL", "1d", FRIDAY, CLOSE
        )
    offline = live_yfinance(
        clock=TestClock(NOW), download=FakeYahoo(), probe=lambda host, port, timeout: "no route"
    )
    with pytest.raises(SourceUnreachableError, match="no route"):
        await offline.closed_bars("AAPL", "1d", FRIDAY, CLOSE)
