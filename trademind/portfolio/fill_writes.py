"""Fills written in batches: :class:`FillWrites`.

Inside a journal transaction the journal applies each fill to the account's ledger at once
(the ledger knows every stored execution id, so a fill is booked once) and keeps the row to
write here; as the transaction ends (after the order states: a trade row names its order's)
the trades are inserted with one statement, the orders' commissions added with another and
each touched symbol's holding written from the ledger as it stands: a few round trips per block
of steps instead of five or six per fill. A trade row records its order's decision (its
strategy, reasoning and ``agent_signals``: :mod:`~trademind.portfolio.decision_links`; from the
journal's known decisions where it holds them, else read from the decision log).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa

from trademind.db.models import Holding, Trade
from trademind.db.models import Order as OrderRow
from trademind.portfolio import rows
from trademind.portfolio.decision_links import KnownDecisions, order_links
from trademind.portfolio.rows import AccountInfo, FillContext

if TYPE_CHECKING:
    from trademind.core.orders import Fill
    from trademind.portfolio.ledger import Ledger

_ORDERS: Final = cast(sa.Table, OrderRow.__table__)
_TRADES: Final = cast(sa.Table, Trade.__table__)
_HOLDINGS: Final = cast(sa.Table, Holding.__table__)
_ADD_COMMISSION: Final = (
    sa.update(_ORDERS)
    .where(_ORDERS.c.id == sa.bindparam("row"))
    .values(
        commission=_ORDERS.c.commission + sa.bindparam("amount", type_=_ORDERS.c.commission.type)
    )
)
_HELD_SYMBOLS: Final = sa.select(_HOLDINGS.c.symbol).where(
    _HOLDINGS.c.account_id == sa.bindparam("account"),
    _HOLDINGS.c.symbol.in_(sa.bindparam("symbols", expanding=True)),
)
_HOLDING_KEY: Final = (
    _HOLDINGS.c.account_id == sa.bindparam("account"),
    _HOLDINGS.c.symbol == sa.bindparam("holding_symbol"),
)


@dataclass(frozen=True, slots=True)
class _Pending:
    account: AccountInfo
    ledger: Ledger
    fill: Fill
    realized: Decimal
    recorded_at: datetime


class FillWrites:
    """Fills booked in the ledger, their rows not written yet (module docstring)."""

    def __init__(self, known: KnownDecisions | None = None) -> None:
        self._pending: list[_Pending] = []
        self._known = known

    def __bool__(self) -> bool:
        return bool(self._pending)

    def book(self, account: AccountInfo, ledger: Ledger, fill: Fill, now: datetime) -> bool:
        """Apply ``fill`` (as stored) to ``ledger`` and keep its row; False when the ledger
        booked its execution id before."""
        before = ledger.realized_pnl
        if not ledger.apply(fill):
            return False
        self._pending.append(_Pending(account, ledger, fill, ledger.realized_pnl - before, now))
        return True

    def clear(self) -> None:
        self._pending.clear()

    def flush(self, connection: sa.Connection) -> None:
        """Write the pending fills' trades, commissions and holdings."""
        pending, self._pending = self._pending, []
        by_account: dict[int, list[_Pending]] = {}
        for one in pending:
            by_account.setdefault(one.account.id, []).append(one)
        for group in by_account.values():
            _write(connection, group, self._known)


def _write(
    connection: sa.Connection, pending: list[_Pending], known: KnownDecisions | None
) -> None:
    account = pending[0].account
    orders = order_links(connection, account.id, (one.fill.order_id for one in pending), known)
    trades: list[dict[str, Any]] = []
    commissions: dict[int, Decimal] = {}
    for one in pending:
        order = orders.get(one.fill.order_id)
        context = FillContext(
            order_row_id=None if order is None else order.order_row_id,
            strategy=None if order is None else order.strategy,
            realized_pnl=one.realized,
            recorded_at=one.recorded_at,
            agent_signals={} if order is None else order.agent_signals,
            reasoning=None if order is None else order.reasoning,
        )
        trades.append(_set_columns(rows.row_from_fill(account, one.fill, context)))
        if order is not None:
            row = order.order_row_id
            commissions[row] = commissions.get(row, Decimal(0)) + one.fill.commission
    connection.execute(sa.insert(_TRADES), trades)
    if commissions:
        amounts = [{"row": row, "amount": amount} for row, amount in commissions.items()]
        connection.execute(_ADD_COMMISSION, amounts)
    last = {one.fill.symbol: one for one in pending}  # each symbol's last fill
    _write_holdings(connection, account, pending[-1].ledger, last)


def _write_holdings(
    connection: sa.Connection, account: AccountInfo, ledger: Ledger, last: dict[str, _Pending]
) -> None:
    symbols = sorted(last)
    held = set(
        connection.execute(_HELD_SYMBOLS, {"account": account.id, "symbols": symbols}).scalars()
    )
    updates, inserts, deletes = [], [], []
    for symbol in symbols:
        key = {"account": account.id, "holding_symbol": symbol}
        position = ledger.position(symbol)
        now = last[symbol].recorded_at
        if position is None:
            if symbol in held:
                deletes.append(key)
        elif symbol in held:
            updates.append(key | rows.holding_values(position, now))
        else:
            inserts.append(_set_columns(rows.new_holding_row(account, position, now)))
    if deletes:
        connection.execute(sa.delete(_HOLDINGS).where(*_HOLDING_KEY), deletes)
    if updates:
        connection.execute(sa.update(_HOLDINGS).where(*_HOLDING_KEY), updates)
    if inserts:
        connection.execute(sa.insert(_HOLDINGS), inserts)


def _set_columns(row: object) -> dict[str, Any]:
    """The column values set on a new ORM row (defaults left to the table), for Core."""
    return {key: value for key, value in vars(row).items() if not key.startswith("_")}
