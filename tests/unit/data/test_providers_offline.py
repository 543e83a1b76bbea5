"""Offline detection (issue 9, defect 12), reported splits (defect 13) and CSV naming and
column options (defect 8). No test touches the internet: the probe is a fake, or talks to a
socket on 127.0.0.1."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from trademind.core.clock import LiveClock
from trademind.core.errors import ValidationError
from trademind.data.corporate import ReportedSplit
from trademind.data.providers import BarRequest, SourceUnreachableError, build_provider
from trademind.data.providers.csv import CsvProvider
from trademind.data.providers.csv_reader import parse_column_spec
from trademind.data.providers.reachability import probe_target, tcp_probe
from trademind.data.providers.yfinance import YAHOO_HOST, YFinanceProvider
from trademind.testing.yahoo import FakeYahoo

JAN = BarRequest("AAPL", "1d", datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 6, tzinfo=UTC))
DAYS = pd.DatetimeIndex(["2024-01-02", "2024-01-03", "2024-01-04", "2024-01-05"], name="Date")


class OfflineProbe:
    """A probe that says the host is unreachable, and counts its calls."""

    def __init__(self, reason: str | None = "cannot resolve query1.finance.yahoo.com") -> None:
        self.reason = reason
        self.calls: list[tuple[str, int, float]] = []

    def __call__(self, host: str, port: int, timeout: float) -> str | None:
        self.calls.append((host, port, timeout))
        return self.reason


def split_frame() -> pd.DataFrame:
    """What ``yfinance.download`` answers with a ``Stock Splits`` column (2:1 on 2024-01-04)."""
    return pd.DataFrame(
        {
            "Open": [100.0, 101, 51, 52],
            "High": [102.0, 103, 53, 54],
            "Low": [99.0, 100, 50, 51],
            "Close": [101.0, 102, 52, 53],
            "Adj Close": [101.0, 102, 52, 53],
            "Volume": [1e6] * 4,
            "Dividends": [0.0] * 4,
            "Stock Splits": [0.0, 0.0, 2.0, 0.0],
        },
        index=DAYS,
    )


def split_yahoo() -> FakeYahoo:
    """Yahoo answering every download with :func:`split_frame`."""
    return FakeYahoo.scripted(split_frame)


# --- the reachability probe ----------------------------------------------------------------


def test_an_unreachable_host_fails_every_fetch_at_once_without_downloading() -> None:
    """Defect 12: one probe, then no download and no retry against an unreachable host."""
    probe, download = OfflineProbe(), split_yahoo()
    provider = YFinanceProvider(
        download=download, probe=probe, sleep=lambda _s: None, clock=LiveClock()
    )
    for _ in range(2):
        with pytest.raises(SourceUnreachableError) as raised:
            provider.fetch(JAN)
        assert str(raised.value) == (
            f"cannot reach Yahoo Finance ({YAHOO_HOST}): cannot resolve {YAHOO_HOST}"
        )
    assert download.calls == []
    assert probe.calls == [(YAHOO_HOST, 443, 1.0)]  # probed once for the whole command


def test_a_reachable_host_is_probed_once_and_downloads_go_on() -> None:
    probe, download = OfflineProbe(reason=None), split_yahoo()
    provider = YFinanceProvider(download=download, probe=probe, clock=LiveClock())
    provider.fetch(JAN)
    provider.fetch(JAN)
    assert (len(probe.calls), len(download.calls)) == (1, 2)


def test_the_real_provider_is_built_with_the_tcp_probe_and_injected_downloads_without() -> None:
    real = build_provider("yfinance", clock=LiveClock())
    assert isinstance(real, YFinanceProvider)
    assert real._probe is tcp_probe
    injected = build_provider("yfinance", download=split_yahoo(), clock=LiveClock())
    assert isinstance(injected, YFinanceProvider)
    assert injected._probe is None


def test_tcp_probe_answers_within_its_timeout_on_local_sockets() -> None:
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        port = listening.getsockname()[1]
        assert tcp_probe("127.0.0.1", port, timeout=1.0) is None
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    reason = tcp_probe("127.0.0.1", port, timeout=1.0)
    assert reason is not None
    assert reason.startswith(f"cannot connect to 127.0.0.1:{port} (")


def test_behind_a_proxy_the_proxy_is_probed() -> None:
    assert probe_target(YAHOO_HOST, environ={}) == (YAHOO_HOST, 443)
    proxied = {"HTTPS_PROXY": "http://proxy.example:3128"}
    assert probe_target(YAHOO_HOST, environ=proxied) == ("proxy.example", 3128)
    assert probe_target(YAHOO_HOST, environ={"https_proxy": "proxy.example"}) == (
        "proxy.example",
        80,
    )


# --- library logging stays off the console -------------------------------------------------


class Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_what_yfinance_logs_during_a_download_reaches_handlers_only_at_debug() -> None:
    """Defect 12: yfinance's "possibly delisted" lines went to the console; now they are kept
    for the log file at DEBUG and the failure is reported once, by the provider's error."""

    def delisted(**kwargs: Any) -> pd.DataFrame:
        del kwargs
        logging.getLogger("yfinance").error("$AAPL: possibly delisted; no price data found")
        logging.getLogger("urllib3.connectionpool").warning("Retrying (Retry(total=2))")
        return pd.DataFrame()

    root, seen = logging.getLogger(), Records()
    root.addHandler(seen)
    level = root.level
    root.setLevel(logging.DEBUG)
    try:
        with pytest.raises(Exception, match="possibly delisted"):
            YFinanceProvider(download=delisted, clock=LiveClock()).fetch(JAN)
    finally:
        root.removeHandler(seen)
        root.setLevel(level)
    assert [r.name for r in seen.records if r.levelno > logging.DEBUG] == []
    debug = [r.getMessage() for r in seen.records]
    assert any("possibly delisted" in message for message in debug)
    assert any("Retrying" in message for message in debug)
    assert logging.getLogger("yfinance").propagate  # restored after the download


# --- reported splits -----------------------------------------------------------------------


def test_the_splits_yfinance_reports_come_with_the_bars() -> None:
    result = YFinanceProvider(download=split_yahoo(), clock=LiveClock()).fetch(JAN)
    assert result.splits == (ReportedSplit(datetime(2024, 1, 4, tzinfo=UTC), 2.0),)
    assert result.splits[0].label == "2:1"


def test_an_answer_without_a_splits_column_reports_no_split_list() -> None:
    def plain(**kwargs: Any) -> pd.DataFrame:
        return split_frame().drop(columns=["Stock Splits", "Dividends"])

    assert YFinanceProvider(download=plain, clock=LiveClock()).fetch(JAN).splits is None


# --- CSV: file names and --columns (defect 8) ----------------------------------------------


def test_a_file_name_that_is_no_symbol_says_so(tmp_path: Path) -> None:
    """Defect 8: 'BRK B.csv' was reported as "no SYMBOL.csv files"."""
    path = tmp_path / "BRK B.csv"
    path.write_text("Date,Open,High,Low,Close,Volume\n2024-01-02,1,2,0.5,1.5,100\n")
    with pytest.raises(ValidationError) as raised:
        CsvProvider(path).available_symbols()
    message = str(raised.value)
    assert message.startswith("the file name 'BRK B.csv' is not a valid symbol")
    assert "e.g. AAPL.csv, BRK-B.csv" in message
    assert message.endswith("rename it, e.g. to BRK-B.csv")


def test_a_directory_of_badly_named_files_names_them(tmp_path: Path) -> None:
    (tmp_path / "my data.csv").write_text("Date,Close\n")
    with pytest.raises(ValidationError, match=r"'my data\.csv'"):
        CsvProvider(tmp_path).available_symbols()


def test_column_specs_parse_into_a_mapping() -> None:
    assert parse_column_spec(" date=Datum , Close=Schluss,volume=Umsatz Stück") == {
        "date": "Datum",
        "close": "Schluss",
        "volume": "Umsatz Stück",
    }


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ("date=Datum,,close=Schluss", "empty entry"),
        ("date=Datum,", "empty entry"),
        ("date", "is not FIELD=COLUMN"),
        ("=Datum", "is not FIELD=COLUMN"),
        ("date=", "is not FIELD=COLUMN"),
        ("price=Kurs", "unknown field 'price'"),
        ("date=Datum,date=Tag", "field 'date' is mapped twice"),
        ("open=Kurs,close=kurs", "column 'kurs' is mapped to two fields"),
    ],
)
def test_bad_column_specs_are_refused(spec: str, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        parse_column_spec(spec)
