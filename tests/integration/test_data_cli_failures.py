"""`trademind data ingest` when a provider fails: through the real CLI, offline, on SQLite.

The real :class:`YFinanceProvider` (retries, error wrapping) runs on a hand-written
``yfinance.download`` stand-in, injected through ``CliState.provider_factory``; a scripted
provider covers answers the yfinance provider never gives (an empty result frame).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pytest
import sqlalchemy as sa
from support.cli_driver import Cli

from trademind.cli.context import CliState
from trademind.core.clock import LiveClock
from trademind.data.providers import BarProvider, BarRequest, ProviderResult
from trademind.data.providers.yfinance import YFinanceProvider
from trademind.data.schema import empty_bar_frame
from trademind.db.session import Database
from trademind.testing.yahoo import FakeYahoo, Outage, Surface

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.data.providers import Source

RANGE = ("--start", "2024-01-01", "--end", "2024-03-28")
FEBRUARY = ("--start", "2024-02-01", "--end", "2024-02-29")
RANGE_DAYS = len(pd.bdate_range("2024-01-01", "2024-03-28"))
FEBRUARY_DAYS = len(pd.bdate_range("2024-02-01", "2024-02-29"))
RETRIES = 2


@dataclass
class YahooFactory:
    """A ``ProviderFactory``: the real yfinance provider on ``download``, without sleeping."""

    download: FakeYahoo
    built: list[tuple[str, Path | None]] = field(default_factory=list)
    sleeps: list[float] = field(default_factory=list)

    def __call__(self, source: Source, path: Path | None, settings: Settings) -> BarProvider:
        del settings
        self.built.append((source, path))
        return YFinanceProvider(
            download=self.download, retries=RETRIES, sleep=self.sleeps.append, clock=LiveClock()
        )


@dataclass
class EmptyFrameProvider:
    """A provider that answers every request with a result holding no bars at all."""

    name: str = "scripted"

    def available_symbols(self) -> list[str]:
        return []

    def fetch(self, request: BarRequest) -> ProviderResult:
        return ProviderResult(request.symbol, request.timeframe, self.name, empty_bar_frame())


@pytest.fixture
def yahoo() -> FakeYahoo:
    return FakeYahoo()


@pytest.fixture
def factory(yahoo: FakeYahoo) -> YahooFactory:
    return YahooFactory(yahoo)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], factory: YahooFactory) -> Cli:
    return Cli(capsys, lambda: CliState(provider_factory=factory))


def _stored(data_dir: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored bar by symbol, straight from the database (not through the CLI)."""
    database = Database(f"sqlite:///{data_dir / 'trademind.db'}")
    query = sa.text(
        "SELECT symbol, ts, open, high, low, close, volume, adj_close, ingested_at "
        "FROM market_data ORDER BY symbol, ts"
    )
    try:
        rows = database.run(lambda c: c.execute(query).all())
    finally:
        database.dispose()
    stored: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        stored.setdefault(row[0], []).append(tuple(row[1:]))
    return stored


@pytest.mark.parametrize("surface", ["raised", "logged"])
def test_a_timeout_fails_its_symbol_alone_and_harms_nothing_stored(
    cli: Cli,
    yahoo: FakeYahoo,
    factory: YahooFactory,
    isolated_environment: Path,
    surface: Surface,
) -> None:
    first = cli.json("data", "ingest", "--source", "yfinance", "--symbols", "DOWN", *FEBRUARY)
    assert first["symbols"][0]["inserted"] == FEBRUARY_DAYS
    before = _stored(isolated_environment)["DOWN"]
    # DOWN's January request still succeeds, then the network drops for its March request.
    yahoo.calls.clear()
    yahoo.outages["DOWN"] = Outage(surface, after_calls=1)

    code, out, err = cli("data", "ingest", "--source", "yfinance", "--symbols", "GOOD,DOWN", *RANGE)

    assert code == 1
    (failure,) = err.splitlines()  # each failure printed once, on one line
    assert failure.startswith("error: 1 of 2 failed: DOWN: ")
    assert "network unreachable" in failure
    assert f"failed after {RETRIES + 1} attempts" in failure
    assert "timed out" in failure
    assert "--source sample" in failure
    assert "GOOD" in out
    assert yahoo.symbols == ["GOOD", "DOWN", *["DOWN"] * (RETRIES + 1)]
    assert factory.sleeps == [1.0, 2.0]  # tenacity's exponential backoff really ran
    assert factory.built[-1] == ("yfinance", None)
    stored = _stored(isolated_environment)
    assert len(stored["GOOD"]) == RANGE_DAYS
    assert stored["DOWN"] == before  # neither January's bars nor anything else was written


def test_json_reports_the_error_of_each_symbol(cli: Cli, yahoo: FakeYahoo) -> None:
    yahoo.outages["DOWN"] = Outage("logged")
    code, out, err = cli(
        "data", "ingest", "--source", "yfinance", "--symbols", "GOOD,DOWN", *RANGE, "-f", "json"
    )
    assert code == 1
    (line,) = err.splitlines()
    assert line.startswith("error: 1 of 2 failed: DOWN: network unreachable")
    report = json.loads(out)  # stdout is the JSON document and nothing else
    results = {row["symbol"]: row for row in report["symbols"]}
    assert results["GOOD"]["ok"]
    assert results["GOOD"]["inserted"] == RANGE_DAYS
    down = results["DOWN"]
    assert not down["ok"]
    assert (down["fetched"], down["inserted"], down["updated"]) == (0, 0, 0)
    assert down["error"].startswith("DOWN: network unreachable, yfinance failed after 3 attempts")
    assert "Operation timed out" in down["error"]
    assert "--source sample" in down["error"]
    assert report["totals"]["failed"] == 1
    assert report["totals"]["inserted"] == RANGE_DAYS


def test_without_stored_bars_and_network_it_says_so_and_fabricates_nothing(
    cli: Cli, yahoo: FakeYahoo, isolated_environment: Path
) -> None:
    yahoo.outages["DOWN"] = Outage("raised")
    code, out, err = cli("data", "ingest", "--source", "yfinance", "--symbols", "DOWN", *RANGE)
    assert code == 1
    assert "error: 1 of 1 failed: DOWN: network unreachable" in err
    assert "--source sample" in err
    assert "0 bars inserted" in out
    assert _stored(isolated_environment) == {}

    code, out, err = cli("data", "show", "DOWN", "--days", "30")
    assert (code, out) == (1, "")
    assert "no bars stored for DOWN" in err
    assert "--source sample" in err
    assert cli.json("data", "status") == []


def test_an_empty_yahoo_answer_is_an_error_of_that_symbol(
    cli: Cli, yahoo: FakeYahoo, isolated_environment: Path
) -> None:
    yahoo.empty.add("GONE")
    report = cli.json(
        "data", "ingest", "--source", "yfinance", "--symbols", "GOOD,GONE", *RANGE, expect=1
    )
    results = {row["symbol"]: row for row in report["symbols"]}
    assert results["GONE"]["error"] == (
        "GONE: yfinance returned no 1d bars for "
        "2024-01-01T00:00:00+00:00 .. 2024-03-29T00:00:00+00:00"
    )
    assert yahoo.symbols.count("GONE") == 1  # an empty answer without a logged error: no retry
    assert results["GOOD"]["inserted"] == RANGE_DAYS
    assert set(_stored(isolated_environment)) == {"GOOD"}


def test_a_provider_result_without_bars_is_an_error_not_an_empty_success(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    def empty(source: Source, path: Path | None, settings: Settings) -> BarProvider:
        del source, path, settings
        return EmptyFrameProvider()

    code, out, err = Cli(capsys, lambda: CliState(provider_factory=empty))(
        "data", "ingest", "--source", "yfinance", "--symbols", "NONE", *RANGE, "-f", "json"
    )
    assert code == 1
    assert "1 of 1 failed: NONE" in err
    (result,) = json.loads(out)["symbols"]
    assert result["error"] == (
        "NONE: the scripted source returned no bars for "
        "2024-01-01T00:00:00+00:00 .. 2024-03-29T00:00:00+00:00"
    )
    assert result["inserted"] == 0
    assert _stored(isolated_environment) == {}
