"""Sector and industry per symbol: shipped for the sample, looked up once otherwise, unknown
when the lookup fails (never guessed). The lookups are hand-written fakes: nothing goes online."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from trademind.core.clock import TestClock
from trademind.data.profiles import CompanyProfile, YFinanceProfiles
from trademind.data.providers.sample import SampleProvider
from trademind.db.session import Database
from trademind.portfolio.symbols import SymbolDirectory, shipped_profiles


class CountingLookup:
    source = "fake"

    def __init__(self, answers: Mapping[str, CompanyProfile | None]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def profile(self, symbol: str) -> CompanyProfile | None:
        self.asked.append(symbol)
        return self.answers.get(symbol)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'db' / 'trademind.db'}")
    database.ensure_schema()
    yield database
    database.dispose()


def test_every_sample_symbol_ships_with_a_sector_and_an_industry() -> None:
    shipped = shipped_profiles()
    assert set(shipped) == set(SampleProvider().available_symbols())
    assert all(p.sector and p.industry and p.name for p in shipped.values())
    assert shipped["NVDA"].industry == "Semiconductors"


def test_shipped_symbols_need_no_lookup(database: Database) -> None:
    lookup = CountingLookup({})
    profiles = SymbolDirectory(database, TestClock(), lookup).profiles(["AAPL", "MSFT"])
    assert profiles["AAPL"].sector == "Technology"
    assert profiles["AAPL"].source == "shipped"
    assert lookup.asked == []


def test_a_lookup_is_made_once_and_cached(database: Database) -> None:
    answer = CompanyProfile(symbol="IBM", name="IBM", sector="Technology", industry="IT")
    lookup = CountingLookup({"IBM": answer})
    directory = SymbolDirectory(database, TestClock(), lookup)
    assert directory.profiles(["IBM"])["IBM"].industry == "IT"
    assert SymbolDirectory(database, TestClock(), lookup).profiles(["IBM"])["IBM"].source == "fake"
    assert lookup.asked == ["IBM"]


def test_a_failed_lookup_is_stored_and_shown_as_unknown(database: Database) -> None:
    lookup = CountingLookup({})
    shown = SymbolDirectory(database, TestClock(), lookup).profiles(["XYZ"])["XYZ"]
    assert (shown.sector, shown.industry) == ("unknown", "unknown")
    SymbolDirectory(database, TestClock(), lookup).profiles(["XYZ"])
    assert lookup.asked == ["XYZ"]  # the failure is cached: not asked again


def test_a_failed_lookup_is_asked_again_a_day_later(database: Database) -> None:
    clock = TestClock()
    SymbolDirectory(database, clock, CountingLookup({})).profiles(["IBM"])
    answer = CompanyProfile(symbol="IBM", name="IBM", sector="Technology", industry="IT")
    lookup = CountingLookup({"IBM": answer})
    clock.advance(3600)
    assert SymbolDirectory(database, clock, lookup).profiles(["IBM"])["IBM"].sector == "unknown"
    clock.advance(86_400)
    assert SymbolDirectory(database, clock, lookup).profiles(["IBM"])["IBM"].sector == "Technology"
    assert lookup.asked == ["IBM"]


def test_without_a_lookup_nothing_is_stored(database: Database) -> None:
    shown = SymbolDirectory(database, TestClock(), None).profiles(["XYZ"])["XYZ"]
    assert (shown.sector, shown.source) == ("unknown", "none")
    lookup = CountingLookup({})
    SymbolDirectory(database, TestClock(), lookup).profiles(["XYZ"])
    assert lookup.asked == ["XYZ"]


def _raises(symbol: str) -> Mapping[str, Any]:
    raise OSError("Could not resolve host")


def test_yfinance_profiles_read_sector_and_industry_and_never_raise() -> None:
    info = {"sector": "Technology", "industry": "Semiconductors", "longName": "NVIDIA Corp"}
    found = YFinanceProfiles(lambda symbol: info).profile("NVDA")
    assert found == CompanyProfile(
        symbol="NVDA", name="NVIDIA Corp", sector="Technology", industry="Semiconductors"
    )
    assert YFinanceProfiles(_raises).profile("NVDA") is None
    assert YFinanceProfiles(lambda symbol: {"sector": " ", "industry": None}).profile("X") is None
