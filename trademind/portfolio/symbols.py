"""Sector and industry per symbol: the ``symbols`` table, filled from a shipped list or a lookup.

The shipped list (``symbols.csv`` beside this module) covers the bundled sample symbols (AAPL
AMZN GOOGL META MSFT NVDA TSLA). Its values are Yahoo Finance's company profile fields
(``sector``, ``industry``: Morningstar's classification, the same fields
:class:`~trademind.data.profiles.YFinanceProfiles` reads), written down by
hand as Yahoo showed them in 2024 so that every command works offline.

Any other symbol is looked up once through a :class:`ProfileLookup` (Yahoo Finance in the
application, a hand-written fake in tests) and cached in the table. A failed or empty lookup is
stored too (sector and industry NULL) and shown as :data:`UNKNOWN`, never guessed; it is asked
again once it is older than :data:`RETRY_UNKNOWN_AFTER` (the network may have been down).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from typing import TYPE_CHECKING, Final, Protocol

import sqlalchemy as sa

from trademind.data.profiles import CompanyProfile
from trademind.db.models import SymbolInfo

if TYPE_CHECKING:
    from trademind.core.clock import Clock
    from trademind.db.session import Database

UNKNOWN: Final = "unknown"
RETRY_UNKNOWN_AFTER: Final = timedelta(days=1)
"""How long a failed lookup stands before the next command asks again."""
SHIPPED_SOURCE: Final = "shipped"


class ProfileLookup(Protocol):
    """Where a symbol's sector and industry come from when the table does not know it."""

    source: str
    """The name stored in ``symbols.source`` (e.g. ``yfinance``)."""

    def profile(self, symbol: str) -> CompanyProfile | None:
        """The symbol's profile; None when the lookup failed or gave nothing."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class SymbolProfile:
    """What the ledger shows for a symbol: ``sector``/``industry`` are :data:`UNKNOWN` when not
    known; ``source`` says where they came from (``shipped``, ``yfinance``, or ``none``)."""

    symbol: str
    name: str | None
    sector: str
    industry: str
    source: str


def shipped_profiles() -> dict[str, CompanyProfile]:
    """The packaged list, by symbol."""
    text = resources.files("trademind.portfolio").joinpath("symbols.csv").read_text("utf-8")
    return {
        row["symbol"]: CompanyProfile(
            symbol=row["symbol"],
            name=row["name"] or None,
            sector=row["sector"] or None,
            industry=row["industry"] or None,
        )
        for row in csv.DictReader(io.StringIO(text))
    }


class SymbolDirectory:
    """Sector and industry of symbols, cached in ``database``'s ``symbols`` table.

    ``lookup`` None: symbols neither stored nor shipped are shown unknown and nothing is
    stored (no lookup was made)."""

    def __init__(self, database: Database, clock: Clock, lookup: ProfileLookup | None) -> None:
        self._database = database
        self._clock = clock
        self._lookup = lookup

    def profiles(self, symbols: Iterable[str]) -> dict[str, SymbolProfile]:
        """The profile of each of ``symbols`` (stored, else shipped, else looked up)."""
        wanted = sorted(set(symbols))
        with self._database.session() as session:
            stored = {
                row.symbol: row
                for row in session.scalars(
                    sa.select(SymbolInfo).where(SymbolInfo.symbol.in_(wanted))
                )
            }
            shipped = shipped_profiles() if len(stored) < len(wanted) else {}
            for symbol in wanted:
                if symbol in stored:
                    self._retry_if_stale(stored[symbol])
                    continue
                row = self._new_row(symbol, shipped.get(symbol))
                if row is not None:
                    session.add(row)
                    stored[symbol] = row
            return {symbol: _shown(symbol, stored.get(symbol)) for symbol in wanted}

    def _retry_if_stale(self, row: SymbolInfo) -> None:
        """A stored failure older than :data:`RETRY_UNKNOWN_AFTER` is looked up again (the
        network may have been down); the row keeps "unknown" if it fails again."""
        if self._lookup is None or row.sector is not None or row.industry is not None:
            return
        now = self._clock.now()
        if now - row.updated_at < RETRY_UNKNOWN_AFTER:
            return
        fresh = _row(row.symbol, self._lookup.profile(row.symbol), self._lookup.source, self._clock)
        row.name, row.sector, row.industry = fresh.name, fresh.sector, fresh.industry
        row.source, row.updated_at = fresh.source, now

    def _new_row(self, symbol: str, shipped: CompanyProfile | None) -> SymbolInfo | None:
        if shipped is not None:
            return _row(symbol, shipped, SHIPPED_SOURCE, self._clock)
        if self._lookup is None:
            return None
        return _row(symbol, self._lookup.profile(symbol), self._lookup.source, self._clock)


def _row(symbol: str, profile: CompanyProfile | None, source: str, clock: Clock) -> SymbolInfo:
    return SymbolInfo(
        symbol=symbol,
        name=None if profile is None else profile.name,
        sector=None if profile is None else profile.sector,
        industry=None if profile is None else profile.industry,
        source=source,
        updated_at=clock.now(),
    )


def _shown(symbol: str, row: SymbolInfo | None) -> SymbolProfile:
    if row is None:
        return SymbolProfile(
            symbol=symbol, name=None, sector=UNKNOWN, industry=UNKNOWN, source="none"
        )
    return SymbolProfile(
        symbol=symbol,
        name=row.name,
        sector=row.sector or UNKNOWN,
        industry=row.industry or UNKNOWN,
        source=row.source,
    )
