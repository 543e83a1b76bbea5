"""What every portfolio and trades command starts from: the account asked for (default: the
most recently used), its ledger rebuilt from the stored fills, valued at the latest prices.

The fills come from :class:`~trademind.portfolio.fill_cache.FillCache` (one per database):
a process that opens the same ledger again reads only the fills stored since.

Prices: the latest snapshot's when it is newer than the last fill (the trading loop writes
one at every bar close), else the fills' own prices. ``as_of`` says which time that is; the
wall clock plays no part (a replay account lives in its replayed past).
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from trademind.core.market import TradingMode
from trademind.portfolio.fill_cache import FillCache
from trademind.portfolio.ledger import Ledger
from trademind.portfolio.store import LedgerStore

if TYPE_CHECKING:
    from trademind.core.clock import Clock
    from trademind.db.session import Database
    from trademind.portfolio.book import LedgerSnapshot
    from trademind.portfolio.rows import AccountInfo


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountView:
    """An account as the commands show it."""

    name: str
    mode: TradingMode
    broker: str
    starting_cash: Decimal
    currency: str
    created_at: datetime
    last_used_at: datetime


@dataclass(frozen=True, slots=True)
class OpenedLedger:
    """The account, its ledger and its valuation ``now`` (``valuation.ts`` is ``as_of``)."""

    store: LedgerStore
    account: AccountInfo
    ledger: Ledger
    valuation: LedgerSnapshot

    @property
    def view(self) -> AccountView:
        return account_view(self.account)


def account_view(account: AccountInfo) -> AccountView:
    return AccountView(
        name=account.name,
        mode=account.mode,
        broker=account.broker,
        starting_cash=account.starting_cash,
        currency=account.currency,
        created_at=account.created_at,
        last_used_at=account.last_used_at,
    )


_FILL_CACHES: weakref.WeakKeyDictionary[Database, FillCache] = weakref.WeakKeyDictionary()
_FILL_CACHES_LOCK = threading.Lock()


def fill_cache(database: Database) -> FillCache:
    """The fills read so far from ``database`` (a server opens the same ledgers on every
    read: only the fills stored since are read again)."""
    with _FILL_CACHES_LOCK:
        cache = _FILL_CACHES.get(database)
        if cache is None:
            cache = _FILL_CACHES[database] = FillCache(database)
        return cache


def open_ledger(database: Database, clock: Clock, account: str | None) -> OpenedLedger:
    """The account ``account`` (None: the most recently used) with its ledger and valuation.

    No account at all and an unknown name are ValidationErrors (exit 1) saying what to do."""
    store = LedgerStore(database, clock)
    info = store.account(account)
    ledger = Ledger.replayed(info.name, info.starting_cash, fill_cache(database).fills(info))
    fills = ledger.fills
    as_of = fills[-1].ts if fills else info.created_at
    prices: dict[str, Decimal] = {}
    latest = store.latest_prices(info)
    if latest is not None and latest[0] >= as_of:
        as_of, prices = latest
    held = {position.symbol for position in ledger.positions()}
    valuation = ledger.mark(as_of, {s: p for s, p in prices.items() if s in held})
    return OpenedLedger(store, info, ledger, valuation)
