"""The ledger in the database: accounts, fills, holdings and snapshots (SQLAlchemy).

:class:`LedgerStore` is what the trading loop and the read services use. Writes are one
transaction each (committed before the method returns), unless they run inside
:meth:`LedgerStore.transaction`, which makes every write inside it one transaction, committed
when the block exits (rolled back on an exception); timestamps come from the
:class:`~trademind.core.clock.Clock`. A ledger is rebuilt from its stored fills
(:meth:`LedgerStore.load_ledger`): the fills are the truth, holdings and snapshots are kept
beside them for queries.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final, cast

import sqlalchemy as sa

from trademind.core import values
from trademind.core.errors import ValidationError
from trademind.core.market import TradingMode
from trademind.core.orders import Fill
from trademind.db.models import Account, Holding, PortfolioSnapshot, Trade
from trademind.db.models import Order as OrderRow
from trademind.db.types import to_exact_decimal
from trademind.portfolio import rows
from trademind.portfolio.book import LedgerSnapshot
from trademind.portfolio.decision_links import KnownDecisions, order_links
from trademind.portfolio.ledger import Ledger
from trademind.portfolio.rows import AccountInfo, FillContext

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from trademind.core.clock import Clock
    from trademind.db.session import Database


_SNAPSHOTS: Final = cast(sa.Table, PortfolioSnapshot.__table__)
_TRADES: Final = cast(sa.Table, Trade.__table__)
_ACCOUNTS: Final = cast(sa.Table, Account.__table__)
_ALL_ACCOUNTS: Final = sa.select(_ACCOUNTS).order_by(
    _ACCOUNTS.c.last_used_at.desc(), _ACCOUNTS.c.id.desc()
)
_ORDERS: Final = cast(sa.Table, OrderRow.__table__)
_HOLDINGS: Final = cast(sa.Table, Holding.__table__)
_TRADE_OF_EXECUTION: Final = sa.select(_TRADES.c.id).where(
    _TRADES.c.account_id == sa.bindparam("account"),
    _TRADES.c.broker_execution_id == sa.bindparam("execution"),
)
_ADD_COMMISSION: Final = (
    sa.update(_ORDERS)
    .where(_ORDERS.c.id == sa.bindparam("row"))
    .values(
        commission=_ORDERS.c.commission + sa.bindparam("amount", type_=_ORDERS.c.commission.type)
    )
)
_INSERT_TRADE: Final = sa.insert(_TRADES)
_HOLDING_KEY: Final = (
    _HOLDINGS.c.account_id == sa.bindparam("account"),
    _HOLDINGS.c.symbol == sa.bindparam("holding_symbol"),
)
_UPDATE_HOLDING: Final = sa.update(_HOLDINGS).where(*_HOLDING_KEY)
_DELETE_HOLDING: Final = sa.delete(_HOLDINGS).where(*_HOLDING_KEY)
_INSERT_HOLDING: Final = sa.insert(_HOLDINGS)


class UnknownAccountError(ValidationError):
    """No account has this name; the message names the known ones."""


class NoAccountError(ValidationError):
    """The database holds no trading account yet."""

    def __init__(self) -> None:
        super().__init__(
            "no trading account yet: run `trademind trade --mode replay ...` to create one"
        )


class LedgerStore:
    """Accounts and their ledgers in ``database``."""

    def __init__(self, database: Database, clock: Clock, *, relaxed_commits: bool = False) -> None:
        self.database = database
        self.clock = clock
        self.relaxed_commits = relaxed_commits
        self._active: Session | None = None

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """One transaction for every read and write inside the block (a nested block joins
        the outer one): committed when the outermost block exits, rolled back on an exception.
        With ``relaxed_commits`` the commit does not wait for the disk (``Database.session``'s
        ``relaxed``: safe against a killed process, not against a power cut)."""
        if self._active is not None:
            yield self._active
            return
        with self.database.session(relaxed=self.relaxed_commits) as session:
            self._active = session
            try:
                yield session
            finally:
                self._active = None

    # accounts -------------------------------------------------------------------------------

    def open_account(
        self, name: str, *, mode: TradingMode, broker: str, starting_cash: Decimal
    ) -> AccountInfo:
        """The account ``name``, created with these settings when new, and marked used now.

        An existing account keeps its settings; asking for another mode is a
        ValidationError (an account's book is one mode's)."""
        values.text(name, "account name", max_length=64)
        values.not_negative(starting_cash, "starting cash")
        now = self.clock.now()
        with self.transaction() as session:
            row = session.scalars(sa.select(Account).where(Account.name == name)).one_or_none()
            if row is None:
                row = Account(
                    name=name,
                    mode=TradingMode(mode).value,
                    broker=broker,
                    starting_cash=starting_cash,
                    created_at=now,
                    last_used_at=now,
                )
                session.add(row)
            elif row.mode != TradingMode(mode).value:
                raise ValidationError(
                    f"account {name!r} is a {row.mode} account; it cannot trade in {mode} mode"
                )
            row.last_used_at = now
            session.flush()
            return rows.account_from_row(row)

    def accounts(self) -> list[AccountInfo]:
        """Every account, most recently used first."""
        with self.transaction() as session:  # without the ORM: every request reads them
            found = session.connection().execute(_ALL_ACCOUNTS)
            return [rows.account_from_row(cast(Account, row)) for row in found]

    def account(self, name: str | None = None) -> AccountInfo:
        """The account ``name`` (None: the most recently used one).

        No account at all: :class:`NoAccountError`; an unknown name:
        :class:`UnknownAccountError` naming the known ones."""
        known = self.accounts()
        if not known:
            raise NoAccountError
        if name is None:
            return known[0]
        for account in known:
            if account.name == name:
                return account
        names = ", ".join(sorted(account.name for account in known))
        raise UnknownAccountError(f"no account named {name!r} (known: {names})")

    # ledger ---------------------------------------------------------------------------------

    def load_ledger(self, account: AccountInfo) -> Ledger:
        """The account's ledger, rebuilt from its stored fills in the order they were stored."""
        return Ledger.replayed(account.name, account.starting_cash, self.fills(account))

    def fills(self, account: AccountInfo) -> list[Fill]:
        """The account's fills in the order they were stored (read without the ORM: the
        columns a fill needs have the ``trades`` row's names)."""
        query = sa.select(_TRADES).where(_TRADES.c.account_id == account.id).order_by(_TRADES.c.id)
        with self.transaction() as session:
            found = session.connection().execute(query)
            return [rows.fill_from_row(cast(Trade, row)) for row in found]

    def record_fill(
        self,
        account: AccountInfo,
        ledger: Ledger,
        fill: Fill,
        *,
        agent_signals: Mapping[str, Any] | None = None,
        reasoning: str | None = None,
        known: KnownDecisions | None = None,
    ) -> bool:
        """Store ``fill`` and apply it to ``ledger`` (the account's, as loaded), updating the
        symbol's holding and the order's commission in the same transaction. The order's
        decision comes from ``known`` when it holds it, else from the decision log.

        False, and nothing changed, when a fill with its execution id is stored already. When
        the transaction fails the exception propagates and ``ledger`` (already changed) is
        stale: load it again.

        The ledger is given the fill as the ``trades`` row holds it (quantity, price and
        commission rounded to the column's 8 decimals), so the ledger in memory is exactly the
        one :meth:`load_ledger` rebuilds after a restart (average costs, realised P&L)."""
        fill = stored_fill(fill)
        with self.transaction() as session:
            connection = session.connection()
            if self._stored(connection, account, fill):
                return False
            order = order_links(connection, account.id, [fill.order_id], known).get(fill.order_id)
            before = ledger.realized_pnl
            if not ledger.apply(fill):
                return False
            context = FillContext(
                order_row_id=None if order is None else order.order_row_id,
                strategy=None if order is None else order.strategy,
                realized_pnl=ledger.realized_pnl - before,
                recorded_at=self.clock.now(),
                agent_signals=dict(agent_signals or (order.agent_signals if order else {})),
                reasoning=reasoning or (None if order is None else order.reasoning),
            )
            connection.execute(
                _INSERT_TRADE, _set_columns(rows.row_from_fill(account, fill, context))
            )
            if order is not None:
                connection.execute(
                    _ADD_COMMISSION, {"row": order.order_row_id, "amount": fill.commission}
                )
            self._write_holding(connection, account, ledger, fill.symbol)
        return True

    def save_snapshot(self, account: AccountInfo, snapshot: LedgerSnapshot) -> None:
        """Store ``snapshot`` (replacing one of the same account and time)."""
        self.save_snapshots(account, (snapshot,))

    def save_snapshots(self, account: AccountInfo, snapshots: Sequence[LedgerSnapshot]) -> None:
        """Store ``snapshots`` in one transaction (each replacing one of the same account and
        time): what a replay writes in batches, one statement per table instead of one per bar."""
        if not snapshots:
            return
        table = _SNAPSHOTS
        times = [snapshot.ts for snapshot in snapshots]
        with self.transaction() as session:
            connection = session.connection()
            connection.execute(
                sa.delete(table).where(table.c.account_id == account.id, table.c.ts.in_(times))
            )
            base = {"account_id": account.id, "mode": account.mode.value}
            rows_ = [
                {**base, "ts": one.ts, "currency": account.currency, **rows.snapshot_values(one)}
                for one in snapshots
            ]
            connection.execute(sa.insert(table), rows_)

    def snapshots(self, account: AccountInfo, since: datetime | None = None) -> list[LedgerPoint]:
        """The account's stored snapshots (oldest first), from ``since`` when given (the
        headline columns only, read without the ORM: a session holds one per bar)."""
        table = _SNAPSHOTS
        query = sa.select(table.c.ts, table.c.cash, table.c.equity, table.c.realized_pnl).where(
            table.c.account_id == account.id
        )
        if since is not None:
            query = query.where(table.c.ts >= since)
        with self.transaction() as session:
            found = session.connection().execute(query.order_by(table.c.ts))
            return [
                LedgerPoint(ts=row.ts, cash=row.cash, equity=row.equity, realized=row.realized_pnl)
                for row in found
            ]

    def has_snapshot(self, account: AccountInfo, ts: datetime) -> bool:
        """Whether a snapshot of the account at ``ts`` is stored."""
        query = sa.select(PortfolioSnapshot.id).where(
            PortfolioSnapshot.account_id == account.id, PortfolioSnapshot.ts == ts
        )
        with self.database.session() as session:
            return session.scalars(query).first() is not None

    def snapshot_before(self, account: AccountInfo, ts: datetime) -> LedgerPoint | None:
        """The account's last snapshot strictly before ``ts`` (None: none)."""
        with self.transaction() as session:
            row = session.scalars(
                sa.select(PortfolioSnapshot)
                .where(PortfolioSnapshot.account_id == account.id, PortfolioSnapshot.ts < ts)
                .order_by(PortfolioSnapshot.ts.desc())
                .limit(1)
            ).one_or_none()
            if row is None:
                return None
            return LedgerPoint(
                ts=row.ts, cash=row.cash, equity=row.equity, realized=row.realized_pnl
            )

    def latest_prices(self, account: AccountInfo) -> tuple[datetime, dict[str, Decimal]] | None:
        """The time and the position prices of the account's latest snapshot (None: none)."""
        with self.transaction() as session:
            row = session.scalars(
                sa.select(PortfolioSnapshot)
                .where(PortfolioSnapshot.account_id == account.id)
                .order_by(PortfolioSnapshot.ts.desc())
                .limit(1)
            ).one_or_none()
            if row is None:
                return None
            prices = {
                str(item["symbol"]): Decimal(str(item["market_price"]))
                for item in row.positions
                if isinstance(item, dict) and "symbol" in item and "market_price" in item
            }
            return row.ts, prices

    # helpers --------------------------------------------------------------------------------

    @staticmethod
    def _stored(connection: sa.Connection, account: AccountInfo, fill: Fill) -> bool:
        if fill.execution_id is None:
            return False
        found = connection.execute(
            _TRADE_OF_EXECUTION, {"account": account.id, "execution": fill.execution_id}
        ).first()
        return found is not None

    def _write_holding(
        self, connection: sa.Connection, account: AccountInfo, ledger: Ledger, symbol: str
    ) -> None:
        keys = {"account": account.id, "holding_symbol": symbol}
        position = ledger.position(symbol)
        if position is None:
            connection.execute(_DELETE_HOLDING, keys)
            return
        now = self.clock.now()
        values = rows.holding_values(position, now)
        if connection.execute(_UPDATE_HOLDING, {**keys, **values}).rowcount == 0:
            connection.execute(
                _INSERT_HOLDING, _set_columns(rows.new_holding_row(account, position, now))
            )


def _set_columns(row: object) -> dict[str, Any]:
    """The column values set on a new ORM row (defaults left to the table), for a Core
    INSERT: what the ledger writes at every fill, without the ORM's unit of work."""
    return {key: value for key, value in vars(row).items() if not key.startswith("_")}


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerPoint:
    """One stored snapshot's headline numbers."""

    ts: datetime
    cash: Decimal
    equity: Decimal
    realized: Decimal | None


def stored_fill(fill: Fill) -> Fill:
    """``fill`` as a ``trades`` row stores it: its amounts rounded to the column's scale."""
    return replace(
        fill,
        quantity=to_exact_decimal(fill.quantity),
        price=to_exact_decimal(fill.price),
        commission=to_exact_decimal(fill.commission),
    )
