"""The database BrokerJournal and LedgerStore on SQLite and PostgreSQL (issue 10, item 9):
orders, fills, holdings and broker documents survive a restart exactly as written."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from trademind.core.clock import TestClock
from trademind.core.decisions import Action, Decision
from trademind.core.errors import ValidationError
from trademind.core.market import TradingMode
from trademind.core.order_state import OrderState
from trademind.core.order_status import OrderStatus
from trademind.core.orders import Fill, Order, OrderSide, OrderType
from trademind.core.ports import BrokerJournal
from trademind.db.models import AgentDecision, Holding, Trade
from trademind.db.models import Order as OrderRow
from trademind.db.session import Database
from trademind.portfolio.journal import SqlBrokerJournal
from trademind.portfolio.store import LedgerStore, NoAccountError, UnknownAccountError
from trademind.services.trade.decisions import DecisionWrites

T0 = datetime(2024, 1, 2, 15, tzinfo=UTC)


@pytest.fixture
def clock() -> TestClock:
    return TestClock(T0)


@pytest.fixture
def journal(database: Database, clock: TestClock) -> SqlBrokerJournal:
    LedgerStore(database, clock).open_account(
        "demo", mode=TradingMode.REPLAY, broker="paper", starting_cash=Decimal(10_000)
    )
    return SqlBrokerJournal(database, clock)


def _order(cid: str = "c1", quantity: str = "10") -> Order:
    return Order(
        client_order_id=cid,
        symbol="AAPL",
        side=OrderSide.BUY,
        quantity=Decimal(quantity),
        order_type=OrderType.LIMIT,
        limit_price=Decimal("100.5"),
        decision_id="d-7",
    )


def _state(order: Order, status: OrderStatus, filled: str, minutes: int) -> OrderState:
    return OrderState(
        order=order,
        status=status,
        quantity=order.quantity,
        filled_quantity=Decimal(filled),
        average_fill_price=None if filled == "0" else Decimal("100.25"),
        submitted_at=T0,
        updated_at=T0 + timedelta(minutes=minutes),
        broker_order_id="b-1",
    )


def _fill(quantity: str, execution_id: str | None, minutes: int, side: str = "buy") -> Fill:
    return Fill(
        order_id="c1",
        symbol="AAPL",
        side=OrderSide(side),
        quantity=Decimal(quantity),
        price=Decimal("100.25"),
        ts=T0 + timedelta(minutes=minutes),
        commission=Decimal("0.5"),
        execution_id=execution_id,
    )


def _restarted(database: Database) -> Iterator[SqlBrokerJournal]:
    url = database.engine.url.render_as_string(hide_password=False)
    again = Database(url)
    try:
        yield SqlBrokerJournal(again, TestClock(T0 + timedelta(days=1)))
    finally:
        again.dispose()


def test_the_journal_is_a_broker_journal(journal: SqlBrokerJournal) -> None:
    port: BrokerJournal = journal
    assert port.load_orders("demo") == []


def test_a_restart_loads_exactly_what_was_written(
    journal: SqlBrokerJournal, database: Database
) -> None:
    order = _order()
    states = [
        _state(order, OrderStatus.PENDING, "0", 0),
        _state(order, OrderStatus.PARTIALLY_FILLED, "4", 1),
        _state(order, OrderStatus.FILLED, "10", 2),
    ]
    fills = [_fill("4", "x1", 1), _fill("6", "x2", 2)]
    journal.record_order("demo", states[0])
    journal.record_order("demo", states[1])
    assert journal.record_fill("demo", fills[0])
    journal.record_order("demo", states[2])
    assert journal.record_fill("demo", fills[1])
    assert not journal.record_fill("demo", fills[1])  # the same execution: stored once
    document = {"working": [{"id": "c1", "left": "0"}], "n": 3}
    journal.save_state("demo", "venue", document)
    journal.save_state("demo", "venue", {**document, "n": 4})
    for restarted in _restarted(database):
        assert restarted.load_orders("demo") == [states[2]]
        assert restarted.load_fills("demo") == fills
        assert restarted.load_state("demo", "venue") == {**document, "n": 4}
        assert restarted.load_state("demo", "other") is None
        ledger = restarted.ledger("demo")
        assert ledger.cash == Decimal(10_000) - Decimal("1002.5") - Decimal(1)
        assert not restarted.record_fill("demo", fills[0])


def test_holdings_follow_the_fills_and_go_when_flat(
    journal: SqlBrokerJournal, database: Database
) -> None:
    journal.record_order("demo", _state(_order(), OrderStatus.FILLED, "10", 1))
    journal.record_fill("demo", _fill("10", "x1", 1))
    with database.session() as session:
        holding = session.scalars(sa.select(Holding)).one()
        trade = session.scalars(sa.select(Trade)).one()
    assert (holding.quantity, holding.avg_cost) == (Decimal(10), Decimal("100.3"))
    assert trade.order_id is not None
    assert trade.realized_pnl == 0
    journal.record_fill("demo", _fill("10", "x2", 2, side="sell"))
    with database.session() as session:
        assert session.scalars(sa.select(Holding)).all() == []
        pnl = session.scalars(sa.select(Trade.realized_pnl).order_by(Trade.id)).all()
    assert pnl == [Decimal(0), Decimal(-1)]  # the two commissions


def test_a_fill_without_execution_id_is_stored_each_time(journal: SqlBrokerJournal) -> None:
    assert journal.record_fill("demo", _fill("1", None, 1))
    assert journal.record_fill("demo", _fill("1", None, 1))
    assert len(journal.load_fills("demo")) == 2


def test_unknown_and_missing_accounts_are_clear_errors(
    database: Database, clock: TestClock
) -> None:
    store = LedgerStore(database, clock)
    with pytest.raises(NoAccountError, match="no trading account yet"):
        store.account()
    store.open_account("a", mode=TradingMode.PAPER, broker="paper", starting_cash=Decimal(1))
    clock.advance(60)
    store.open_account("b", mode=TradingMode.REPLAY, broker="paper", starting_cash=Decimal(1))
    assert store.account().name == "b"  # the most recently used
    clock.advance(60)
    store.open_account("a", mode=TradingMode.PAPER, broker="paper", starting_cash=Decimal(5))
    assert store.account().name == "a"
    assert store.account("a").starting_cash == 1  # an existing account keeps its settings
    with pytest.raises(UnknownAccountError, match=r"no account named 'c' \(known: a, b\)"):
        SqlBrokerJournal(database, clock).record_fill("c", _fill("1", "x", 1))
    with pytest.raises(ValidationError, match="is a paper account"):
        store.open_account("a", mode=TradingMode.REPLAY, broker="paper", starting_cash=Decimal(1))


@pytest.mark.parametrize("relaxed", [False, True])
def test_a_transaction_commits_its_writes_together_or_none(
    database: Database, clock: TestClock, relaxed: bool
) -> None:
    LedgerStore(database, clock).open_account(
        "demo", mode=TradingMode.REPLAY, broker="paper", starting_cash=Decimal(10_000)
    )
    journal = SqlBrokerJournal(database, clock, relaxed_commits=relaxed)
    order = _order()

    def crash_inside_a_transaction() -> None:
        with journal.transaction():
            journal.record_order("demo", _state(order, OrderStatus.FILLED, "4", 1))
            assert journal.record_fill("demo", _fill("4", "x1", 1))
            journal.save_state("demo", "venue", {"n": 1})
            raise RuntimeError("crash before the commit")

    with pytest.raises(RuntimeError, match="crash"):
        crash_inside_a_transaction()
    for restarted in _restarted(database):
        assert restarted.load_orders("demo") == []
        assert restarted.load_fills("demo") == []
        assert restarted.load_state("demo", "venue") is None
    assert journal.ledger("demo").cash == Decimal(10_000)  # reloaded, not the stale one
    with journal.transaction():
        journal.record_order("demo", _state(order, OrderStatus.FILLED, "4", 1))
        journal.save_state("demo", "venue", {"n": 1})  # inserted, then updated below
        with journal.transaction():  # a nested block joins the outer transaction
            assert journal.record_fill("demo", _fill("4", "x1", 1))
        assert not journal.record_fill("demo", _fill("4", "x1", 1))  # seen, not yet committed
        journal.save_state("demo", "venue", {"n": 2})
    for restarted in _restarted(database):
        assert restarted.load_orders("demo") == [_state(order, OrderStatus.FILLED, "4", 1)]
        assert restarted.load_fills("demo") == [_fill("4", "x1", 1)]
        assert restarted.load_state("demo", "venue") == {"n": 2}


def test_snapshots_saved_in_a_batch_replace_those_of_the_same_time(
    journal: SqlBrokerJournal,
) -> None:
    store = journal.store
    account = store.account("demo")
    journal.record_fill("demo", _fill("10", "x1", 0))
    ledger = journal.ledger("demo")
    prices = [Decimal("100"), Decimal("101.5"), Decimal("99.25")]
    marks = [ledger.mark(T0 + timedelta(days=k), {"AAPL": p}) for k, p in enumerate(prices)]
    store.save_snapshots(account, marks[:2])
    store.save_snapshots(account, marks[1:])  # the second one again, and a new one
    store.save_snapshots(account, [])
    points = store.snapshots(account)
    assert [(p.ts, p.equity) for p in points] == [(m.ts, m.equity) for m in marks]
    assert points[1].equity == Decimal(10_000) - Decimal("1003.0") + Decimal("1015.0")
    _, latest = store.latest_prices(account) or (None, {})
    assert latest == {"AAPL": Decimal("99.25")}


def _decision(decision_id: str = "d-7") -> Decision:
    return Decision(
        decision_id=decision_id,
        symbol="AAPL",
        action=Action.BUY,
        confidence=0.75,
        decided_at=T0,
        data_time=T0,
        mode=TradingMode.REPLAY,
        reasoning="SMA(20) crossed above SMA(50)",
        agent="strategy",
        strategy="ma_crossover",
    )


def test_attached_decisions_are_written_first_and_taken_back_with_the_transaction(
    database: Database, journal: SqlBrokerJournal
) -> None:
    writes = DecisionWrites(journal, "demo")
    journal.attach(writes)
    order = _order()

    def crash_inside_a_transaction() -> None:
        with journal.transaction():
            writes.add([_decision("d-lost")])
            raise RuntimeError("crash before the commit")

    with pytest.raises(RuntimeError, match="crash"):
        crash_inside_a_transaction()
    with journal.transaction():
        writes.add([_decision()])
        journal.write_attached()  # inside a transaction: written as it ends
        journal.record_order("demo", _state(order, OrderStatus.FILLED, "4", 1))
        assert journal.record_fill("demo", _fill("4", "x1", 1))
    writes.add([_decision()])  # outside one: written now, once
    journal.write_attached()
    with database.session() as session:
        logged = session.scalars(sa.select(AgentDecision.decision_ref)).all()
        strategy = session.scalars(sa.select(OrderRow.strategy)).one()
        trade = session.scalars(sa.select(Trade)).one()
    assert logged == ["d-7"]  # the taken-back one is gone
    assert strategy == trade.strategy == "ma_crossover"
    assert trade.reasoning == "SMA(20) crossed above SMA(50)"
    assert trade.agent_signals["decision"] == "d-7"
    assert [vote["agent"] for vote in trade.agent_signals["votes"]] == ["strategy:ma_crossover"]
