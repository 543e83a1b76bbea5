"""The ingest service on a real SQLite database with hand-written providers (no network)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from trademind.config import Settings
from trademind.core.errors import ValidationError
from trademind.data.providers import (
    BarRequest,
    NoDataError,
    ProviderError,
    ProviderResult,
    RejectedRow,
)
from trademind.data.providers.yfinance import YFinanceProvider
from trademind.data.store import BarStore, Coverage
from trademind.db.session import Database
from trademind.services import data_service
from trademind.services.data_service import Window, plan_requests, resolve_window
from trademind.testing.clock import TestClock
from trademind.testing.yahoo import FakeYahoo, yahoo_frame

NOW = datetime(2024, 6, 14, 21, 0, tzinfo=UTC)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'ingest' / 'trademind.db'}")
    database.ensure_schema()
    yield database
    database.dispose()


@pytest.fixture
def settings() -> Settings:
    return Settings(data={"watchlist": ["AAPL", "MSFT"], "history_days": 30})


def fake_yahoo(failing: dict[str, BaseException] | None = None) -> FakeYahoo:
    """Yahoo with business-day bars up to NOW's day; ``failing`` symbols raise."""
    return FakeYahoo(failing=failing or {}, today=NOW.date())


def yahoo(fake: FakeYahoo) -> YFinanceProvider:
    return YFinanceProvider(
        download=fake, retries=1, sleep=lambda _seconds: None, clock=TestClock(NOW)
    )


def test_yfinance_network_failure_names_the_sample_source_and_others_proceed(
    database: Database, settings: Settings
) -> None:
    fake = fake_yahoo({"MSFT": ConnectionError("Failed to establish a new connection")})
    report = data_service.ingest(
        database,
        settings,
        symbols=None,
        source="yfinance",
        provider=yahoo(fake),
        clock=TestClock(NOW),
    )
    by_symbol = {result.symbol: result for result in report.results}
    assert by_symbol["AAPL"].ok
    assert by_symbol["AAPL"].inserted > 0
    error = by_symbol["MSFT"].error
    assert error is not None
    assert "network" in error
    assert "--source sample" in error
    assert [result.symbol for result in report.failed] == ["MSFT"]
    assert BarStore(database).coverage("MSFT", "1d") is None


def test_yfinance_fetches_only_what_is_not_stored(database: Database, settings: Settings) -> None:
    fake = fake_yahoo()
    provider = yahoo(fake)
    first = data_service.ingest(
        database,
        settings,
        symbols=["AAPL"],
        source="yfinance",
        provider=provider,
        clock=TestClock(NOW),
    )
    assert first.results[0].inserted == len(pd.bdate_range("2024-05-15", "2024-06-14"))
    assert [call["start"] for call in fake.calls] == ["2024-05-15"]
    coverage = BarStore(database).coverage("AAPL", "1d")
    assert coverage is not None  # the window ends at the clock's day, and rows carry its time
    assert coverage.last == datetime(2024, 6, 14, tzinfo=UTC)
    assert coverage.last_ingested_at == NOW

    fake.calls.clear()
    again = data_service.ingest(
        database,
        settings,
        symbols=["AAPL"],
        source="yfinance",
        provider=provider,
        clock=TestClock(NOW),
    )
    assert [call["start"] for call in fake.calls] == ["2024-06-14"]  # the last bar, refreshed
    assert (again.results[0].inserted, again.results[0].unchanged) == (0, 1)

    fake.calls.clear()
    wider = data_service.ingest(
        database,
        settings,
        symbols=["AAPL"],
        source="yfinance",
        provider=provider,
        start=date(2024, 5, 1),
        clock=TestClock(NOW),
    )
    assert [(call["start"], call["end"]) for call in fake.calls] == [
        ("2024-05-01", "2024-05-15"),
        ("2024-06-14", None),
    ]
    assert wider.results[0].inserted == len(pd.bdate_range("2024-05-01", "2024-05-14"))


class ScriptedProvider:
    """A provider answering per symbol with a result or an exception."""

    name = "csv"

    def __init__(self, answers: dict[str, ProviderResult | BaseException]) -> None:
        self.answers = answers

    def available_symbols(self) -> list[str]:
        return sorted(self.answers)

    def fetch(self, request: BarRequest) -> ProviderResult:
        answer = self.answers[request.symbol]
        if isinstance(answer, BaseException):
            raise answer
        return answer


def _result(symbol: str, frame: pd.DataFrame, rejected: tuple[RejectedRow, ...] = ()) -> Any:
    bars = pd.DataFrame(
        {
            "ts": pd.DatetimeIndex(frame.index).tz_localize("UTC"),
            "open": frame["Open"].to_numpy(),
            "high": frame["High"].to_numpy(),
            "low": frame["Low"].to_numpy(),
            "close": frame["Close"].to_numpy(),
            "volume": frame["Volume"].to_numpy(),
            "adj_close": np.nan,
        }
    )
    return ProviderResult(symbol, "1d", "csv", bars, rejected, ("a notice",))


def test_every_failure_stays_with_its_symbol(database: Database, settings: Settings) -> None:
    days = pd.bdate_range("2024-01-02", periods=5)
    bad = yahoo_frame(days)
    bad.loc[days[2], "Close"] = -3.0
    rejected = (RejectedRow(line=4, raw={"Date": "2024-01-0x", "Open": "1"}, reason="bad date"),)
    provider = ScriptedProvider(
        {
            "AAPL": _result("AAPL", bad, rejected),
            "BOOM": RuntimeError("unexpected"),
            "EMPTY": NoDataError("EMPTY: no bars"),
            "MSFT": _result("MSFT", yahoo_frame(days)),
            "WRONG": ProviderError("WRONG: missing column Close"),
        }
    )
    report = data_service.ingest(
        database, settings, symbols=None, source="csv", provider=provider, clock=TestClock(NOW)
    )
    by_symbol = {result.symbol: result for result in report.results}
    assert list(by_symbol) == ["AAPL", "BOOM", "EMPTY", "MSFT", "WRONG"]
    aapl = by_symbol["AAPL"]
    assert (aapl.fetched, aapl.inserted, aapl.quarantined, aapl.rejected) == (5, 4, 1, 1)
    assert aapl.notices == ("a notice",)
    assert by_symbol["BOOM"].error == "internal error: RuntimeError: unexpected"
    assert by_symbol["EMPTY"].error == "EMPTY: no bars"
    assert by_symbol["WRONG"].error == "WRONG: missing column Close"
    assert by_symbol["MSFT"].inserted == 5
    assert report.totals["failed"] == 3
    quarantine = BarStore(database).open_quarantine(["AAPL"])
    assert sorted((record.check, record.detail[:7]) for record in quarantine) == [
        ("non_positive_price", "close -"),
        ("unparsable", "line 4:"),
    ]


def test_progress_is_reported_per_symbol(database: Database, settings: Settings) -> None:
    days = pd.bdate_range("2024-01-02", periods=3)
    provider = ScriptedProvider({s: _result(s, yahoo_frame(days)) for s in ("A", "B")})
    calls: list[tuple[int, int, str | None]] = []
    data_service.ingest(
        database,
        settings,
        symbols=None,
        source="csv",
        provider=provider,
        progress=lambda *args: calls.append(args),
        clock=TestClock(NOW),
    )
    assert calls == [(0, 2, "A"), (1, 2, "B"), (2, 2, None)]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"days": 0}, "--days must be a positive"),
        ({"days": 5, "start": date(2024, 1, 1)}, "either --days or --start"),
        ({"start": date(2024, 2, 1), "end": date(2024, 1, 1)}, "is after --end"),
        ({"start": datetime(2024, 1, 1)}, "timezone-aware"),
    ],
)
def test_bad_ranges_are_validation_errors(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        resolve_window(**{"start": None, "end": None, "days": None} | arguments, now=NOW,
                       default_days=None)  # fmt: skip


def test_ranges_cover_whole_days() -> None:
    window = resolve_window(
        start=date(2024, 1, 2), end=date(2024, 1, 5), days=None, now=NOW, default_days=None
    )
    assert window == Window(datetime(2024, 1, 2, tzinfo=UTC), datetime(2024, 1, 6, tzinfo=UTC))
    recent = resolve_window(start=None, end=None, days=7, now=NOW, default_days=30)
    assert recent == Window(datetime(2024, 6, 7, tzinfo=UTC), None)
    default = resolve_window(start=None, end=None, days=None, now=NOW, default_days=30)
    assert default.start == datetime(2024, 5, 15, tzinfo=UTC)


def test_incremental_plan_skips_the_stored_middle() -> None:
    first, last = datetime(2024, 3, 1, tzinfo=UTC), datetime(2024, 4, 1, tzinfo=UTC)
    stored = Coverage(first, last, 22, NOW)
    inside = Window(first + timedelta(days=3), last - timedelta(days=3))
    assert plan_requests("AAPL", "1d", inside, stored) == []
    around = Window(first - timedelta(days=10), last + timedelta(days=10))
    assert [(r.start, r.end) for r in plan_requests("AAPL", "1d", around, stored)] == [
        (around.start, first),
        (last, around.end),
    ]
    assert [(r.start, r.end) for r in plan_requests("AAPL", "1d", around, None)] == [
        (around.start, around.end)
    ]


def test_the_scheduled_refresh_ingests_then_computes_indicators(
    database: Database, settings: Settings
) -> None:
    fake = fake_yahoo({"MSFT": ConnectionError("Network is unreachable")})
    refresh = data_service.ScheduledRefresh(
        database, lambda: settings, provider=yahoo(fake), clock=TestClock(NOW)
    )
    bars = refresh.refresh_bars(["AAPL", "MSFT"])
    assert bars["AAPL"] is None
    assert "--source sample" in (bars["MSFT"] or "")
    indicators = refresh.refresh_indicators(["AAPL"])
    assert indicators == {"AAPL": None}
    assert BarStore(database).coverage("AAPL", "1d") is not None
