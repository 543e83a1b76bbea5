"""The shipped Yahoo fake, through the real yfinance provider."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime

import pandas as pd
import pytest

from trademind.data.providers import BarRequest
from trademind.data.providers.base import ProviderError
from trademind.data.providers.yfinance import YFinanceProvider
from trademind.testing.clock import TestClock
from trademind.testing.yahoo import FakeYahoo, Outage

NOW = datetime(2024, 12, 31, tzinfo=UTC)

JAN = BarRequest("AAPL", "1d", datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 6, tzinfo=UTC))


def _provider(fake: FakeYahoo) -> YFinanceProvider:
    return YFinanceProvider(
        download=fake, retries=1, sleep=lambda _seconds: None, clock=TestClock(NOW)
    )


def test_answers_business_days_whose_prices_depend_on_the_date_only() -> None:
    fake = FakeYahoo()
    first = _provider(fake).fetch(JAN).bars
    assert [stamp.date() for stamp in first["ts"]] == [date(2024, 1, d) for d in (2, 3, 4, 5)]
    again = (
        _provider(fake)
        .fetch(
            BarRequest(
                "AAPL", "1d", datetime(2024, 1, 4, tzinfo=UTC), datetime(2024, 1, 6, tzinfo=UTC)
            )
        )
        .bars
    )
    assert list(again["close"]) == list(first["close"].iloc[2:])
    assert fake.symbols == ["AAPL", "AAPL"]


def test_a_download_without_end_needs_today() -> None:
    with pytest.raises(ValueError, match="today"):
        FakeYahoo()(tickers="AAPL", start="2024-01-02", end=None)
    frame = FakeYahoo(today=date(2024, 1, 5))(tickers="AAPL", start="2024-01-02", end=None)
    assert frame is not None
    assert list(frame.index) == list(pd.bdate_range("2024-01-02", "2024-01-05"))


def test_failures_per_symbol(caplog: pytest.LogCaptureFixture) -> None:
    fake = FakeYahoo(
        failing={"AAPL": ConnectionError("Network is unreachable")},
        outages={"MSFT": Outage("logged", after_calls=1)},
        delisted={"GONE"},
    )
    with pytest.raises(ConnectionError):
        fake(tickers="AAPL", start="2024-01-02", end="2024-01-06")
    assert fake(tickers="MSFT", start="2024-01-02", end="2024-01-06") is not None
    with caplog.at_level(logging.ERROR, logger="yfinance"):
        assert fake(tickers="MSFT", start="2024-01-02", end="2024-01-06").empty  # type: ignore[union-attr]
        assert fake(tickers="GONE", start="2024-01-02", end="2024-01-06").empty  # type: ignore[union-attr]
    assert "Timeout" in caplog.records[0].getMessage()
    assert "possibly delisted" in caplog.records[1].getMessage()
    with pytest.raises(TimeoutError):
        FakeYahoo(outages={"X": Outage("raised")})(
            tickers="X", start="2024-01-02", end="2024-01-06"
        )
    with pytest.raises(ProviderError):
        _provider(FakeYahoo(delisted={"AAPL"})).fetch(JAN)
