"""An account's stored fills, for a process that rebuilds its ledger again and again (the web
server: every portfolio and safety read opens the ledger): read once, then only the fills
stored since. Fills are only ever appended (no code updates or deletes a ``trades`` row).

Each call reads the account's number of fills and largest fill id. Equal to what is held: the
held fills. Otherwise the rows with a larger id are read and appended, and the number must
then match (it does not when a row with a smaller id was committed late, which PostgreSQL's
sequences allow, or when the database was replaced): else every fill is read again. The fills
come in the order they were stored (by id), as :meth:`LedgerStore.fills
<trademind.portfolio.store.LedgerStore.fills>` gives them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Final, cast

import sqlalchemy as sa

from trademind.db.models import Trade
from trademind.portfolio.rows import fill_from_row

if TYPE_CHECKING:
    from trademind.core.orders import Fill
    from trademind.db.session import Database
    from trademind.portfolio.rows import AccountInfo

_TRADES: Final = cast(sa.Table, Trade.__table__)
_ACCOUNT: Final = _TRADES.c.account_id == sa.bindparam("account")
_STATS: Final = sa.select(sa.func.count(), sa.func.max(_TRADES.c.id)).where(_ACCOUNT)
_FILL_COLUMNS: Final = [
    _TRADES.c[name]
    for name in (
        "id",
        "client_order_id",
        "symbol",
        "side",
        "quantity",
        "price",
        "executed_at",
        "commission",
        "broker_execution_id",
    )
]
_FILLS_AFTER: Final = (
    sa.select(*_FILL_COLUMNS)
    .where(_ACCOUNT, _TRADES.c.id > sa.bindparam("after"))
    .order_by(_TRADES.c.id)
)


@dataclass(frozen=True, slots=True)
class _Held:
    created_at: datetime  # the account's: another account under a reused id is not this one
    count: int
    last_id: int
    fills: tuple[Fill, ...]


class FillCache:
    """The fills of every account of ``database`` read so far (module docstring).
    Thread-safe: the web app's routes call it from worker threads."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._held: dict[int, _Held] = {}
        self._lock = threading.Lock()

    def fills(self, account: AccountInfo) -> tuple[Fill, ...]:
        """Every fill of ``account``, in the order they were stored."""
        with self._database.session() as session:  # one read transaction (SQLite: one snapshot)
            connection = session.connection()
            count, last_id = connection.execute(_STATS, {"account": account.id}).one()
            held = self._held.get(account.id)
            if held is None or held.created_at != account.created_at:
                held = _Held(account.created_at, 0, 0, ())
            if (held.count, held.last_id) == (count, last_id or 0):
                return held.fills
            newer = self._read(connection, account, held.last_id)
            if held.count + len(newer) != count:  # a late row below last_id: read them all
                newer, held = (
                    self._read(connection, account, 0),
                    _Held(account.created_at, 0, 0, ()),
                )
        fills = held.fills + tuple(fill for _, fill in newer)
        last = newer[-1][0] if newer else held.last_id
        with self._lock:
            self._held[account.id] = _Held(account.created_at, len(fills), last, fills)
        return fills

    @staticmethod
    def _read(
        connection: sa.Connection, account: AccountInfo, after: int
    ) -> list[tuple[int, Fill]]:
        found = connection.execute(_FILLS_AFTER, {"account": account.id, "after": after})
        return [(row.id, fill_from_row(cast(Trade, row))) for row in found]
