"""Models round-trip through the migrated SQLite schema: exact decimals, UTC times, JSON."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

import pytest
import sqlalchemy as sa

from trademind.db.models import (
    Account,
    AgentDecision,
    BacktestRun,
    ConfigChange,
    Holding,
    MarketData,
    Order,
    PortfolioSnapshot,
    Trade,
)
from trademind.db.session import Database

TOKYO = timezone(timedelta(hours=9))
FILLED_AT = datetime(2024, 3, 15, 23, 45, 1, 123456, tzinfo=TOKYO)
STAMP = datetime(2024, 3, 16, 9, 30, tzinfo=UTC)  # when rows are written: callers pass it


@pytest.fixture
def database(database: Database) -> Database:
    """The migrated database with two accounts, ids 1 (paper) and 2 (live)."""
    with database.session() as session:
        for mode in ("paper", "live"):
            session.add(
                Account(
                    name=mode,
                    mode=mode,
                    broker="paper",
                    starting_cash=Decimal(1),
                    created_at=STAMP,
                    last_used_at=STAMP,
                )
            )
    return database


def _order(**overrides: object) -> Order:
    values: dict[str, object] = {
        "account_id": 1,
        "client_order_id": "tm-1",
        "broker": "paper",
        "mode": "paper",
        "symbol": "AAPL",
        "side": "buy",
        "order_type": "limit",
        "quantity": Decimal("10.5"),
        "limit_price": Decimal("171.23456789"),
        "created_at": STAMP,
        "updated_at": STAMP,
    }
    values.update(overrides)
    return Order(**values)


def test_trade_round_trips_decimals_times_and_json(database: Database) -> None:
    signals = {"technical": {"vote": "buy", "confidence": 0.71}, "sentiment": [0.2, None, "x"]}
    with database.session() as session:
        order = _order()
        session.add(order)
        session.flush()
        session.add(
            Trade(
                account_id=1,
                order_id=order.id,
                mode="paper",
                symbol="AAPL",
                side="buy",
                quantity=Decimal("10.5"),
                price=Decimal("171.23456789"),
                commission=Decimal("0.35"),
                executed_at=FILLED_AT,
                agent_signals=signals,
                reasoning="RSI oversold, sentiment neutral",
                created_at=STAMP,
            )
        )
    with database.session() as session:
        trade = session.scalars(sa.select(Trade)).one()
        assert trade.price == Decimal("171.23456789")
        assert isinstance(trade.quantity, Decimal)
        assert trade.quantity == Decimal("10.5")
        assert trade.commission == Decimal("0.35")
        assert trade.fees == Decimal(0)
        assert trade.executed_at == FILLED_AT
        assert trade.executed_at.tzinfo is UTC
        assert trade.executed_at.hour == 14
        assert trade.agent_signals == signals
        assert trade.created_at == STAMP


def test_decimal_sums_are_exact_where_floats_are_not(database: Database) -> None:
    with database.session() as session:
        for index in range(3):
            session.add(_order(client_order_id=f"tm-{index}", commission=Decimal("0.1")))
    with database.session() as session:
        commissions = session.scalars(sa.select(Order.commission)).all()
    assert sum(commissions, Decimal(0)) == Decimal("0.3")
    assert sum(float(c) for c in commissions) != 0.3


def test_naive_datetime_is_rejected_on_write(database: Database) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), database.session() as s:
        s.add(
            ConfigChange(
                changed_at=datetime(2024, 1, 1, 12, 0),
                key="safety.daily_loss_limit",
                source="cli",
            )
        )
    with database.session() as session:
        assert session.scalars(sa.select(ConfigChange)).all() == []


def test_market_data_keeps_float64_prices_and_utc_ts(database: Database) -> None:
    ts = datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
    price = 185.64000701904297  # a float64 that float32 would not keep
    with database.session() as session:
        session.add(
            MarketData(
                symbol="AAPL",
                timeframe="1d",
                ts=ts,
                open=price,
                high=price,
                low=price,
                close=price,
                volume=82_488_700.0,
                source="csv",
                ingested_at=STAMP,
            )
        )
    with database.session() as session:
        bar = session.get(MarketData, ("AAPL", "1d", ts))
    assert bar is not None
    assert bar.close == price
    assert bar.adj_close is None
    assert bar.ingested_at == STAMP
    assert bar.ingested_at.tzinfo is UTC


def test_json_documents_keep_nested_structures(database: Database) -> None:
    curve = [{"ts": "2024-01-02T00:00:00+00:00", "equity": "100000.00"}]
    with database.session() as session:
        session.add(
            BacktestRun(
                strategy="rsi_mean_reversion",
                symbols=["AAPL", "MSFT"],
                timeframe="1d",
                period_start=datetime(2023, 1, 1, tzinfo=UTC),
                period_end=datetime(2024, 1, 1, tzinfo=UTC),
                initial_capital=Decimal("100000"),
                params={"period": 14, "oversold": 30.0},
                metrics={"sharpe": 1.25, "max_drawdown": -0.12},
                equity_curve=curve,
                started_at=STAMP,
            )
        )
        session.add(
            AgentDecision(
                mode="backtest",
                agent="orchestrator",
                symbol="AAPL",
                action="buy",
                confidence=0.8,
                payload={"votes": [{"agent": "technical", "weight": 0.6}], "at": FILLED_AT},
                decided_at=STAMP,
            )
        )
    with database.session() as session:
        run = session.scalars(sa.select(BacktestRun)).one()
        decision = session.scalars(sa.select(AgentDecision)).one()
    assert run.symbols == ["AAPL", "MSFT"]
    assert run.params == {"period": 14, "oversold": 30.0}
    assert run.equity_curve == curve
    assert run.initial_capital == Decimal("100000")
    assert run.status == "running"
    assert decision.payload["votes"] == [{"agent": "technical", "weight": 0.6}]
    assert decision.payload["at"] == FILLED_AT.isoformat()  # datetimes serialise as ISO text


@pytest.mark.parametrize(
    "bad",
    [
        {"mode": "demo"},
        {"side": "short"},
        {"status": "done"},
        {"quantity": Decimal(0)},
        {"quantity": Decimal("-0.5")},
    ],
    ids=["mode", "side", "status", "zero-quantity", "negative-quantity"],
)
def test_check_constraints_reject_bad_orders(database: Database, bad: dict[str, object]) -> None:
    with pytest.raises(sa.exc.IntegrityError), database.session() as session:
        session.add(_order(**bad))


def test_client_order_id_is_unique(database: Database) -> None:
    with database.session() as session:
        session.add(_order())
    with pytest.raises(sa.exc.IntegrityError), database.session() as session:
        session.add(_order())


def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), database.session() as session:
        session.add(
            Trade(
                account_id=1,
                order_id=999,
                mode="paper",
                symbol="AAPL",
                side="sell",
                quantity=Decimal(1),
                price=Decimal(1),
                executed_at=FILLED_AT,
            )
        )


def test_client_order_ids_are_unique_per_account(database: Database) -> None:
    with database.session() as session:
        session.add(_order(account_id=2))  # the same id in another account is another order
    with database.session() as session:
        assert len(session.scalars(sa.select(Order)).all()) == 1
    with database.session() as session:
        session.add(_order())
    with database.session() as session:
        assert len(session.scalars(sa.select(Order)).all()) == 2


def test_every_ledger_row_needs_an_account(database: Database) -> None:
    with pytest.raises(sa.exc.IntegrityError), database.session() as session:
        session.add(_order(account_id=None))
    with pytest.raises(sa.exc.IntegrityError), database.session() as session:
        session.add(_order(account_id=99))


def test_one_holding_per_account_and_symbol(database: Database) -> None:
    opened = datetime(2024, 1, 2, tzinfo=UTC)
    with database.session() as session:
        for account_id, mode in ((1, "paper"), (2, "live")):
            session.add(
                Holding(
                    account_id=account_id,
                    mode=mode,
                    symbol="AAPL",
                    quantity=Decimal(5),
                    avg_cost=Decimal("1"),
                    opened_at=opened,
                    updated_at=STAMP,
                )
            )
    with pytest.raises(sa.exc.IntegrityError), database.session() as session:
        session.add(
            Holding(
                account_id=1,
                mode="paper",
                symbol="AAPL",
                quantity=Decimal(1),
                avg_cost=Decimal(1),
                opened_at=opened,
                updated_at=STAMP,
            )
        )


def test_snapshot_positions_default_to_an_empty_list(database: Database) -> None:
    with database.session() as session:
        session.add(
            PortfolioSnapshot(
                account_id=1,
                mode="paper",
                ts=FILLED_AT,
                cash=Decimal("1000.01"),
                positions_value=Decimal(0),
                equity=Decimal("1000.01"),
            )
        )
    with database.session() as session:
        snapshot = session.scalars(sa.select(PortfolioSnapshot)).one()
    assert snapshot.positions == []
    assert snapshot.equity == Decimal("1000.01")


@pytest.mark.parametrize(
    "row",
    [
        lambda: _order(created_at=None),
        lambda: MarketData(
            symbol="AAPL",
            timeframe="1d",
            ts=STAMP,
            open=1.0,
            high=1.0,
            low=1.0,
            close=1.0,
            volume=1.0,
            source="csv",
        ),
        lambda: ConfigChange(key="app.timezone", new_value="UTC", source="cli"),
    ],
    ids=["order.created_at", "market_data.ingested_at", "config_changes.changed_at"],
)
def test_a_row_without_its_timestamp_is_refused_not_stamped_with_the_wall_clock(
    database: Database, row: Callable[[], object]
) -> None:
    """Issue 10, item 4: no column default reads the wall clock; the writer passes the time
    from the clock it holds, and a row without it is an error."""
    with pytest.raises(sa.exc.IntegrityError, match="NOT NULL"), database.session() as session:
        session.add(row())
