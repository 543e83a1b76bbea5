"""The yfinance provider against a hand-written fake of ``yfinance.download``: every frame shape
it returns, retries with backoff, and the errors people see. No test touches the network."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from trademind.core.clock import TestClock
from trademind.core.errors import ValidationError
from trademind.data.providers import (
    BarRequest,
    NetworkUnavailableError,
    NoDataError,
    ProviderError,
    build_provider,
)
from trademind.data.providers.yfinance import YFinanceProvider
from trademind.testing.yahoo import FakeYahoo

PRICE_NAMES = ["Adj Close", "Close", "High", "Low", "Open", "Volume"]
DATES = pd.DatetimeIndex(["2024-01-02", "2024-01-03", "2024-01-04"], name="Date")
NOW = datetime(2024, 6, 3, 15, 0, tzinfo=UTC)
JAN = BarRequest("AAPL", "1d", datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 5, tzinfo=UTC))


class Sleeps:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def prices(index: pd.DatetimeIndex = DATES) -> dict[str, list[float]]:
    base = np.arange(len(index), dtype=float)
    return {
        "Adj Close": list(base + 99.5),
        "Close": list(base + 100.5),
        "High": list(base + 101),
        "Low": list(base + 99),
        "Open": list(base + 100),
        "Volume": list(base * 10 + 1000),
    }


def single_level(index: pd.DatetimeIndex = DATES) -> pd.DataFrame:
    return pd.DataFrame(prices(index), index=index)


def price_ticker(tickers: tuple[str, ...] = ("AAPL",)) -> pd.DataFrame:
    frames = {ticker: single_level() * (i + 1) for i, ticker in enumerate(tickers)}
    frame = pd.concat(frames, axis=1, names=["Ticker", "Price"])
    return frame.swaplevel(0, 1, axis=1).sort_index(axis=1)


def ticker_price(tickers: tuple[str, ...] = ("AAPL",)) -> pd.DataFrame:
    frames = {ticker: single_level() * (i + 1) for i, ticker in enumerate(tickers)}
    return pd.concat(frames, axis=1, names=["Ticker", "Price"])


def provider(download: Callable[..., Any], **options: Any) -> YFinanceProvider:
    options.setdefault("sleep", Sleeps())
    return YFinanceProvider(download, clock=TestClock(NOW), **options)


def expect_standard_bars(bars: pd.DataFrame) -> None:
    assert bars["ts"].tolist() == [pd.Timestamp(d, tz="UTC") for d in DATES]
    assert bars["open"].tolist() == [100.0, 101.0, 102.0]
    assert bars["close"].tolist() == [100.5, 101.5, 102.5]
    assert bars["adj_close"].tolist() == [99.5, 100.5, 101.5]
    assert bars["volume"].tolist() == [1000.0, 1010.0, 1020.0]


@pytest.mark.parametrize(
    "shape",
    [
        single_level,
        price_ticker,
        ticker_price,
        lambda: single_level().rename(columns=str.lower),
        lambda: single_level().rename(columns=str.upper),
        lambda: single_level(DATES.tz_localize("America/New_York")),
    ],
    ids=["single", "price-ticker", "ticker-price", "lower", "upper", "tz-aware"],
)
def test_every_frame_shape_normalises_to_the_same_bars(shape: Callable[[], pd.DataFrame]) -> None:
    result = provider(FakeYahoo.scripted(shape())).fetch(JAN)
    expect_standard_bars(result.bars)
    assert result.source == "yfinance"
    assert result.notices == ()


def test_date_strings_in_the_index_are_read_and_other_indexes_refused() -> None:
    as_text = single_level().set_axis(DATES.strftime("%Y-%m-%d"), axis=0)
    expect_standard_bars(provider(FakeYahoo.scripted(as_text)).fetch(JAN).bars)
    numbered = single_level().reset_index(drop=True)
    with pytest.raises(ProviderError, match="not indexed by dates"):
        provider(FakeYahoo.scripted(numbered)).fetch(JAN)
    garbage = single_level().set_axis(["a", "b", "c"], axis=0)
    with pytest.raises(ProviderError, match="not indexed by dates"):
        provider(FakeYahoo.scripted(garbage)).fetch(JAN)


@pytest.mark.parametrize("shape", [price_ticker, ticker_price])
def test_several_tickers_pick_the_requested_one(shape: Callable[..., pd.DataFrame]) -> None:
    frame = shape(("MSFT", "AAPL"))  # MSFT's values are x1, AAPL's x2
    result = provider(FakeYahoo.scripted(frame)).fetch(JAN)
    assert result.bars["close"].tolist() == [201.0, 203.0, 205.0]


def test_other_tickers_only_is_an_error() -> None:
    with pytest.raises(ProviderError, match="columns for MSFT, SPY but not AAPL"):
        provider(FakeYahoo.scripted(price_ticker(("MSFT", "SPY")))).fetch(JAN)


def test_rows_that_are_empty_for_this_ticker_are_left_out_with_a_notice() -> None:
    frame = single_level()
    frame.iloc[1] = np.nan
    result = provider(FakeYahoo.scripted(frame)).fetch(JAN)
    assert len(result.bars) == 2
    assert any("left out 1 empty row" in notice for notice in result.notices)


def test_without_adj_close_the_column_is_nan_and_a_notice_says_so() -> None:
    result = provider(FakeYahoo.scripted(single_level().drop(columns="Adj Close"))).fetch(JAN)
    assert result.bars["adj_close"].isna().all()
    assert result.notices == (
        "yfinance returned no Adj Close for AAPL: adjusted prices are unavailable",
    )


@pytest.mark.parametrize("missing", ["Close", "Open", "Volume"])
def test_a_missing_column_is_named(missing: str) -> None:
    frame = single_level().drop(columns=missing)
    with pytest.raises(ProviderError, match=f"AAPL: yfinance returned no {missing.lower()} column"):
        provider(FakeYahoo.scripted(frame)).fetch(JAN)


@pytest.mark.parametrize("answer", [pd.DataFrame(), pd.DataFrame(columns=PRICE_NAMES), None])
def test_an_empty_answer_is_no_data(answer: pd.DataFrame | None) -> None:
    download = FakeYahoo.scripted(answer)
    with pytest.raises(NoDataError, match="AAPL: yfinance returned no 1d bars"):
        provider(download).fetch(JAN)
    assert len(download.calls) == 1


def test_daily_arguments_are_dates_and_the_range_is_enforced() -> None:
    index = pd.DatetimeIndex(["2024-01-01", *DATES.strftime("%Y-%m-%d"), "2024-01-05"])
    download = FakeYahoo.scripted(single_level(index))
    request = BarRequest(
        "AAPL", "1d", datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 4, 15, tzinfo=UTC)
    )
    bars = provider(download).fetch(request).bars
    assert download.calls == [
        {
            "tickers": "AAPL",
            "start": "2024-01-02",
            "end": "2024-01-05",  # 2024-01-04's bar (00:00 UTC) is before 15:00, so it is included
            "interval": "1d",
            "auto_adjust": False,
            "actions": True,  # the splits the quality checks cross-check
            "progress": False,
            "threads": False,
            "multi_level_index": False,
            "group_by": "column",
            "timeout": 30.0,
        }
    ]
    assert bars["ts"].dt.day.tolist() == [2, 3, 4]


def test_intraday_bars_are_converted_to_utc() -> None:
    index = pd.date_range("2024-05-30 09:30", periods=3, freq="5min", tz="America/New_York")
    download = FakeYahoo.scripted(single_level(index))
    request = BarRequest(
        "AAPL", "5m", datetime(2024, 5, 30, tzinfo=UTC), datetime(2024, 5, 31, tzinfo=UTC)
    )
    result = provider(download).fetch(request)
    assert result.bars["ts"].iloc[0] == pd.Timestamp("2024-05-30 13:30", tz="UTC")
    assert download.calls[0]["start"] == datetime(2024, 5, 30, tzinfo=UTC)


def test_naive_intraday_times_are_read_as_new_york_with_a_notice() -> None:
    index = pd.date_range("2024-05-30 09:30", periods=3, freq="5min")
    request = BarRequest("AAPL", "5m", datetime(2024, 5, 30, tzinfo=UTC), None)
    result = provider(FakeYahoo.scripted(single_level(index))).fetch(request)
    assert result.bars["ts"].iloc[0] == pd.Timestamp("2024-05-30 13:30", tz="UTC")
    assert any("without a timezone" in notice for notice in result.notices)


@pytest.mark.parametrize(
    ("timeframe", "days_back", "limit"), [("1m", 10, 7), ("5m", 90, 60), ("1h", 800, 730)]
)
def test_intraday_history_limits_are_stated_up_front(
    timeframe: str, days_back: int, limit: int
) -> None:
    download = FakeYahoo.scripted(single_level())
    request = BarRequest("AAPL", timeframe, NOW - timedelta(days=days_back), None)
    with pytest.raises(ValidationError, match=f"{timeframe} bars for the last {limit} days only"):
        provider(download).fetch(request)
    assert download.calls == []


def test_intraday_without_start_asks_for_what_yahoo_keeps() -> None:
    index = pd.date_range("2024-05-30 09:30", periods=3, freq="1min", tz="America/New_York")
    download = FakeYahoo.scripted(single_level(index))
    result = provider(download).fetch(BarRequest("AAPL", "1m"))
    start = download.calls[0]["start"]
    assert NOW - timedelta(days=7) < start < NOW - timedelta(days=6)
    assert any("keeps 1m bars for 7 days" in notice for notice in result.notices)


def test_transient_errors_are_retried_with_exponential_backoff() -> None:
    download = FakeYahoo.scripted(
        ConnectionError("reset"), TimeoutError("timed out"), single_level()
    )
    sleeps = Sleeps()
    result = provider(download, sleep=sleeps).fetch(JAN)
    expect_standard_bars(result.bars)
    assert len(download.calls) == 3
    assert sleeps.waits == [1.0, 2.0]


def test_network_down_after_every_retry_names_the_sample_source() -> None:
    download = FakeYahoo.scripted(ConnectionError("Network is unreachable"))
    sleeps = Sleeps()
    with pytest.raises(NetworkUnavailableError) as caught:
        provider(download, sleep=sleeps, retries=6).fetch(JAN)
    message = str(caught.value)
    assert message.startswith("AAPL: network unreachable")
    assert "--source sample" in message
    assert "\n" not in message
    assert caught.value.symbol == "AAPL"
    assert len(download.calls) == 7
    assert sleeps.waits == [1.0, 2.0, 4.0, 8.0, 16.0, 16.0]


def test_errors_yfinance_only_logs_are_recognised_and_retried() -> None:
    def swallowed_failure() -> pd.DataFrame:
        logging.getLogger("yfinance").error(
            "['AAPL']: ConnectionError('Failed to perform, curl: (7) Failed to connect')"
        )
        return pd.DataFrame(columns=PRICE_NAMES)

    download = FakeYahoo.scripted(swallowed_failure)
    with pytest.raises(NetworkUnavailableError, match=r"ConnectionError\('Failed to perform"):
        provider(download, retries=2).fetch(JAN)
    assert len(download.calls) == 3


def test_a_logged_non_network_error_is_no_data_without_retry() -> None:
    def delisted() -> pd.DataFrame:
        logging.getLogger("yfinance").error("['ZZZZ']: possibly delisted; no price data found")
        return pd.DataFrame()

    download = FakeYahoo.scripted(delisted)
    with pytest.raises(NoDataError, match="possibly delisted"):
        provider(download).fetch(BarRequest("ZZZZ", "1d", JAN.start, JAN.end))
    assert len(download.calls) == 1


def test_rate_limiting_is_retried_then_reported() -> None:
    class YFRateLimitError(Exception):
        pass

    download = FakeYahoo.scripted(
        YFRateLimitError("Too Many Requests. Rate limited. Try after a while.")
    )
    with pytest.raises(ProviderError, match="kept refusing requests after 3 attempts") as caught:
        provider(download, retries=2).fetch(JAN)
    assert not isinstance(caught.value, NetworkUnavailableError)
    assert len(download.calls) == 3


def test_unexpected_errors_are_not_retried() -> None:
    download = FakeYahoo.scripted(KeyError("chart"))
    with pytest.raises(ProviderError, match=r"AAPL: yfinance failed: KeyError: 'chart'"):
        provider(download).fetch(JAN)
    assert len(download.calls) == 1


def test_http_client_errors_are_not_retried_but_server_errors_are() -> None:
    class HTTPError(OSError):
        def __init__(self, status: int) -> None:
            super().__init__(f"HTTP Error {status}")
            self.response = type("Response", (), {"status_code": status})()

    not_found = FakeYahoo.scripted(HTTPError(404))
    with pytest.raises(ProviderError, match="HTTP Error 404"):
        provider(not_found).fetch(JAN)
    assert len(not_found.calls) == 1
    unavailable = FakeYahoo.scripted(HTTPError(503), single_level())
    expect_standard_bars(provider(unavailable).fetch(JAN).bars)
    assert len(unavailable.calls) == 2


def test_build_provider_wires_the_download_function() -> None:
    download = FakeYahoo.scripted(single_level())
    built = build_provider("yfinance", download=download, clock=TestClock(NOW))
    assert built.name == "yfinance"
    assert built.available_symbols() == []
    built.fetch(BarRequest("AAPL", "1d", datetime(2024, 1, 2, tzinfo=UTC), None))
    assert download.calls[0]["tickers"] == "AAPL"


def test_configured_retries_and_timeout_reach_the_download() -> None:
    from trademind.config import load_settings
    from trademind.services.data_service import provider_for

    environ = {"TRADEMIND__DATA__MAX_RETRIES": "5", "TRADEMIND__DATA__REQUEST_TIMEOUT": "7.5"}
    settings = load_settings(environ=environ)
    provider = provider_for(settings, "yfinance", None, clock=TestClock(NOW))
    assert isinstance(provider, YFinanceProvider)
    assert provider.retries == 5
    assert provider.download_arguments(JAN, None)["timeout"] == 7.5
