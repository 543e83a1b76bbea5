"""The database :class:`~trademind.core.ports.BrokerJournal`: a paper broker's book on the
ledger tables, so that a restart continues from it.

Orders go to ``orders``, fills to ``trades`` (through :class:`~trademind.portfolio.store.
LedgerStore`, which also keeps ``holdings`` current), documents to ``broker_state``. Every
method commits before it returns, except inside :meth:`SqlBrokerJournal.transaction`: there
every write joins one transaction, committed when the block exits (and so do the rows of
:meth:`SqlBrokerJournal.attach`'ed writers, such as the trade service's decision log).
``record_fill`` is idempotent on the fill's execution id (unique per account). The account
must exist (``LedgerStore.open_account``): an unknown name is a
:class:`~trademind.portfolio.store.UnknownAccountError`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Final, Protocol, cast

import sqlalchemy as sa

from trademind.core.orders import Fill
from trademind.db.models import BrokerState
from trademind.db.models import Order as OrderRow
from trademind.db.types import to_exact_decimal
from trademind.portfolio import rows
from trademind.portfolio.decision_links import KnownDecisions
from trademind.portfolio.fill_writes import FillWrites
from trademind.portfolio.order_writes import OrderWrites
from trademind.portfolio.store import LedgerStore

if TYPE_CHECKING:
    from datetime import datetime

    from trademind.core.clock import Clock
    from trademind.core.order_state import OrderState
    from trademind.db.session import Database
    from trademind.portfolio.book import LedgerSnapshot
    from trademind.portfolio.ledger import Ledger
    from trademind.portfolio.rows import AccountInfo


def stored_fill(fill: Fill) -> Fill:
    """``fill`` with its quantity, price and commission rounded as the database stores them."""
    return dataclasses.replace(
        fill,
        quantity=to_exact_decimal(fill.quantity),
        price=to_exact_decimal(fill.price),
        commission=to_exact_decimal(fill.commission),
    )


class PendingWrites(Protocol):
    """Rows kept to be written with the journal's (:meth:`SqlBrokerJournal.attach`)."""

    def __bool__(self) -> bool: ...

    def flush(self, connection: sa.Connection) -> None: ...

    def clear(self) -> None: ...


_BROKER_STATE: Final = cast(sa.Table, BrokerState.__table__)
_UPDATE_STATE: Final = (
    sa.update(_BROKER_STATE)
    .where(
        _BROKER_STATE.c.account_id == sa.bindparam("account"),
        _BROKER_STATE.c.name == sa.bindparam("state_name"),
    )
    .values(document=sa.bindparam("document"), updated_at=sa.bindparam("now"))
)


class SqlBrokerJournal:
    """A :class:`~trademind.core.ports.BrokerJournal` on ``database``.

    ``relaxed_commits`` (a replay: its ledger can be produced again) commits without waiting
    for the disk (:meth:`~trademind.db.session.Database.session`). Keeps each account's
    :class:`~trademind.portfolio.ledger.Ledger` in memory once loaded (the fills are read once
    per process) and drops it when a write fails. ``decisions``: the logged decisions whose
    facts the order and fill rows take from memory (an attached decision log remembers them,
    :class:`~trademind.portfolio.decision_links.KnownDecisions`); forgotten when a transaction
    fails.
    """

    def __init__(self, database: Database, clock: Clock, *, relaxed_commits: bool = False) -> None:
        self.store = LedgerStore(database, clock, relaxed_commits=relaxed_commits)
        self._database = database
        self._accounts: dict[str, AccountInfo] = {}
        self._ledgers: dict[str, Ledger] = {}
        self.decisions = KnownDecisions()
        self._orders = OrderWrites(self.decisions)
        self._fills = FillWrites(self.decisions)
        self._attached: list[PendingWrites] = []
        self._depth = 0

    def attach(self, writes: PendingWrites) -> None:
        """Write ``writes`` with the journal's: first as its transaction ends (before the order
        states and fills, which may name their rows), or at :meth:`write_attached` outside one."""
        self._attached.append(writes)

    def write_attached(self) -> None:
        """Write the attached pending rows now, unless a transaction is open (then as it ends)."""
        if self._depth == 0 and any(self._attached):
            with self.store.transaction() as session:
                for writes in self._attached:
                    writes.flush(session.connection())

    def _account(self, name: str) -> AccountInfo:
        if name not in self._accounts:
            self._accounts[name] = self.store.account(name)
        return self._accounts[name]

    def ledger(self, account: str) -> Ledger:
        """The account's ledger with every recorded fill applied."""
        if account not in self._ledgers:
            self._ledgers[account] = self.store.load_ledger(self._account(account))
        return self._ledgers[account]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Every write inside the block in one transaction (nested blocks join it), committed
        when it exits; on an exception nothing is committed and the ledgers are dropped (they
        may hold fills that were not stored; they are loaded again when next needed). Order
        states recorded inside are written as it ends (:mod:`~trademind.portfolio.order_writes`)."""
        try:
            with self.store.transaction() as session:
                self._depth += 1
                try:
                    yield
                    if self._depth == 1:
                        for writes in self._attached:
                            writes.flush(session.connection())
                        self._orders.flush(session.connection())
                        self._fills.flush(session.connection())
                finally:
                    self._depth -= 1
        except BaseException:
            for writes in self._attached:
                writes.clear()
            self._orders.clear()
            self._fills.clear()
            self._ledgers.clear()
            self.decisions.clear()
            raise

    def _write_orders(self) -> None:
        if self._orders:
            with self.store.transaction() as session:
                self._orders.flush(session.connection())

    def record_order(self, account: str, state: OrderState) -> None:
        """Insert or update the order's row: now, or as the journal's transaction ends."""
        self._orders.add(self._account(account), state)
        if self._depth == 0:
            self._write_orders()

    def record_fill(self, account: str, fill: Fill) -> bool:
        """Store ``fill`` as the database keeps it (8 decimals, :func:`stored_fill`) and apply
        that same form to the in-memory ledger, so a process that goes on and one that loads
        the ledger again from the database (a resume) hold exactly the same book."""
        fill = stored_fill(fill)
        ledger = self.ledger(account)
        if self._depth > 0:  # written as the transaction ends
            return self._fills.book(self._account(account), ledger, fill, self.store.clock.now())
        self._write_orders()  # the fill's row names its order's
        try:
            return self.store.record_fill(
                self._account(account), ledger, fill, known=self.decisions
            )
        except BaseException:
            self._ledgers.pop(account, None)
            raise

    def record_snapshot(self, account: str, snapshot: LedgerSnapshot) -> None:
        """Store a snapshot of the account (see :meth:`Ledger.mark`)."""
        self.store.save_snapshot(self._account(account), snapshot)

    def record_snapshots(self, account: str, snapshots: Sequence[LedgerSnapshot]) -> None:
        """Store several snapshots of the account in one transaction (one statement)."""
        self.store.save_snapshots(self._account(account), snapshots)

    def has_snapshot(self, account: str, ts: datetime) -> bool:
        """Whether a snapshot of the account at ``ts`` is stored."""
        return self.store.has_snapshot(self._account(account), ts)

    def load_orders(self, account: str) -> list[OrderState]:
        info = self._account(account)
        self._write_orders()
        with self.store.transaction() as session:
            found = session.scalars(
                sa.select(OrderRow)
                .where(OrderRow.account_id == info.id)
                .order_by(OrderRow.created_at, OrderRow.id)
            ).all()
            return [rows.order_state_from_row(row) for row in found]

    def load_fills(self, account: str) -> list[Fill]:
        self._write_orders()
        if self._fills:
            with self.store.transaction() as session:
                self._fills.flush(session.connection())
        return self.store.fills(self._account(account))

    def save_state(self, account: str, name: str, document: dict[str, Any]) -> None:
        info = self._account(account)
        now = self.store.clock.now()
        with self.store.transaction() as session:
            # A Core UPDATE first (the usual case): the stored document is not read back, and
            # one statement compiled once (this runs at every bar).
            session.flush()
            updated = session.connection().execute(
                _UPDATE_STATE,
                {"account": info.id, "state_name": name, "document": document, "now": now},
            )
            if updated.rowcount == 0:
                session.add(
                    BrokerState(account_id=info.id, name=name, document=document, updated_at=now)
                )

    def load_state(self, account: str, name: str) -> dict[str, Any] | None:
        info = self._account(account)
        with self.store.transaction() as session:
            row = session.get(BrokerState, (info.id, name))
            return None if row is None else dict(row.document)
