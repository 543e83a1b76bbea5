"""Order states written in batches: :class:`OrderWrites`.

Inside a journal transaction the journal keeps each order's latest state here and writes them
all as the transaction ends (or before anything reads the ``orders`` table): one query finds
which rows exist, then one statement updates those and one inserts the others (each run once
with many parameter sets). A replay's block of steps writes its orders in a few round trips
instead of one or two per state. A new order row gets its logged decision's strategy
(:mod:`~trademind.portfolio.decision_links`: from the journal's known decisions where it
holds them, else read from the decision log).
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa

from trademind.db.models import Order as OrderRow
from trademind.portfolio import rows
from trademind.portfolio.decision_links import KnownDecisions, decision_strategies

if TYPE_CHECKING:
    from trademind.core.order_state import OrderState
    from trademind.portfolio.rows import AccountInfo

_ORDERS: Final = cast(sa.Table, OrderRow.__table__)
_UPDATE_ORDER: Final = sa.update(_ORDERS).where(
    _ORDERS.c.account_id == sa.bindparam("order_account"),
    _ORDERS.c.client_order_id == sa.bindparam("order_key"),
)
"""The SET clause is the columns :func:`~trademind.portfolio.rows.update_order_row` sets."""
_INSERT_ORDER: Final = sa.insert(_ORDERS)
_STORED_IDS: Final = sa.select(_ORDERS.c.client_order_id).where(
    _ORDERS.c.account_id == sa.bindparam("account"),
    _ORDERS.c.client_order_id.in_(sa.bindparam("keys", expanding=True)),
)


class OrderWrites:
    """The latest state of each order recorded since the last :meth:`flush`."""

    def __init__(self, known: KnownDecisions | None = None) -> None:
        self._pending: dict[tuple[int, str], tuple[AccountInfo, OrderState]] = {}
        self._known = known

    def __bool__(self) -> bool:
        return bool(self._pending)

    def add(self, account: AccountInfo, state: OrderState) -> None:
        self._pending[(account.id, state.client_order_id)] = (account, state)

    def clear(self) -> None:
        self._pending.clear()

    def flush(self, connection: sa.Connection) -> None:
        """Write every pending state (rows updated in place, new orders inserted in the order
        they were first recorded)."""
        pending, self._pending = self._pending, {}
        accounts: dict[int, list[str]] = {}
        for account_id, key in pending:
            accounts.setdefault(account_id, []).append(key)
        stored = {
            (account_id, key)
            for account_id, keys in accounts.items()
            for key in connection.execute(_STORED_IDS, {"account": account_id, "keys": keys})
            .scalars()
            .all()
        }
        updates: list[dict[str, Any]] = []
        inserts: list[dict[str, Any]] = []
        for found, (account, state) in pending.items():
            if found in stored:
                updates.append(
                    {"order_account": account.id, "order_key": found[1]} | _status(state)
                )
            else:
                row = rows.new_order_row(account, state)
                inserts.append({k: v for k, v in vars(row).items() if not k.startswith("_")})
        _add_strategies(connection, inserts, self._known)
        if updates:
            connection.execute(_UPDATE_ORDER, updates)
        if inserts:
            connection.execute(_INSERT_ORDER, inserts)


def _add_strategies(
    connection: sa.Connection, inserts: list[dict[str, Any]], known: KnownDecisions | None
) -> None:
    """Each new order row gets the strategy of its logged decision (none without one)."""
    refs: dict[int, list[str]] = {}
    for row in inserts:
        if row.get("decision_ref") is not None:
            refs.setdefault(row["account_id"], []).append(row["decision_ref"])
    strategies: dict[tuple[int, str | None], str | None] = {
        (account_id, ref): strategy
        for account_id, keys in refs.items()
        for ref, strategy in decision_strategies(connection, account_id, keys, known).items()
    }
    for row in inserts:
        row["strategy"] = strategies.get((row["account_id"], row.get("decision_ref")))


def _status(state: OrderState) -> dict[str, Any]:
    status = types.SimpleNamespace()
    rows.update_order_row(cast("OrderRow", status), state)
    return vars(status)
