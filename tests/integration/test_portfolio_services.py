"""Portfolio and trades services on a ledger written through the store (issue 10, item 12).

The numbers follow from support.ledger_data's four fills: AAPL 10 bought at 100 and 4 sold at
110, MSFT 5 bought at 200 and sold at 190, commission 1 a fill."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from support.ledger_data import DAY1, write_demo_ledger

from trademind.core.clock import TestClock
from trademind.core.errors import UsageError, ValidationError
from trademind.data.profiles import CompanyProfile
from trademind.db.session import Database
from trademind.services import portfolio_service, trades_service
from trademind.services.ledger_export import csv_text, json_text

CLOCK = TestClock(datetime(2024, 1, 4, 18, tzinfo=UTC))


@pytest.fixture
def sqlite(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'db' / 'trademind.db'}")
    database.ensure_schema()
    write_demo_ledger(database)
    yield database
    database.dispose()


def test_summary_values_the_open_position_at_the_latest_price(database: Database) -> None:
    write_demo_ledger(database)  # SQLite and PostgreSQL
    view = portfolio_service.summary(database, CLOCK, None)
    assert view.account.name == "demo"
    assert view.cash == Decimal(99_386)
    assert view.positions_value == Decimal(660)  # 6 AAPL at the last fill's 110
    assert view.equity == Decimal(100_046)
    assert view.realized_pnl == Decimal("-13.4")  # 38.6 on AAPL, -52 on MSFT
    assert view.unrealized_pnl == Decimal("59.4")
    assert view.total_pnl == Decimal(46)
    assert view.day_pnl == Decimal(-64)  # against the previous day's close snapshot (100,110)
    assert (view.positions, view.fills, view.round_trips) == (1, 4, 1)


def test_holdings_show_average_cost_with_commission(sqlite: Database) -> None:
    (aapl,) = portfolio_service.holdings(sqlite, CLOCK, "demo").holdings
    assert (aapl.symbol, aapl.quantity, aapl.avg_cost) == ("AAPL", Decimal(6), Decimal("100.1"))
    assert aapl.realized_pnl == Decimal("38.6")
    assert aapl.market_price == 110


def test_performance_uses_the_snapshots_of_the_window(sqlite: Database) -> None:
    view = portfolio_service.performance(sqlite, CLOCK, None, 30)
    assert [p.equity for p in view.points] == [Decimal(100_068), Decimal(100_110)]
    assert view.change == Decimal(42)
    assert (view.round_trips, view.wins, view.losses) == (1, 0, 1)
    assert view.realized_pnl == Decimal(-52)
    assert view.max_drawdown_pct == 0
    short = portfolio_service.performance(sqlite, CLOCK, None, 1)
    assert [p.ts for p in short.points] == [DAY1.replace(day=3)]
    with pytest.raises(UsageError, match="--days"):
        portfolio_service.performance(sqlite, CLOCK, None, 0)


class Fake:
    source = "fake"

    def profile(self, symbol: str) -> CompanyProfile | None:
        raise AssertionError(f"{symbol} is shipped: no lookup expected")


def test_sectors_group_holdings_by_their_shipped_sector(sqlite: Database) -> None:
    view = portfolio_service.sectors(sqlite, CLOCK, None, Fake())
    (technology,) = view.sectors
    assert (technology.sector, technology.market_value, technology.symbols) == (
        "Technology",
        Decimal(660),
        ("AAPL",),
    )


def test_trades_list_show_export_today_and_pnl(sqlite: Database) -> None:
    listed = trades_service.list_trades(sqlite, CLOCK, None, limit=2, symbol=None)
    assert [t.order_id for t in listed.trades] == ["o4", "o3"]
    aapl = trades_service.list_trades(sqlite, CLOCK, None, limit=10, symbol="aapl")
    assert [t.side.value for t in aapl.trades] == ["sell", "buy"]
    detail = trades_service.show(sqlite, CLOCK, None, listed.trades[0].id)
    assert detail.order is not None
    assert detail.order.status == "filled"
    assert detail.decision_id == "decision-o4"
    assert detail.trade.realized_pnl == Decimal(-52)
    window = trades_service.export_trades(
        sqlite, CLOCK, None, start=date(2024, 1, 3), end=date(2024, 1, 3)
    )
    assert [t.order_id for t in window.trades] == ["o3"]
    day, today = trades_service.today(sqlite, CLOCK, None)
    assert (day, [t.order_id for t in today.trades]) == (date(2024, 1, 4), ["o4"])
    report = trades_service.pnl(sqlite, CLOCK, None, None)
    assert [(r.symbol, r.realized_pnl, r.open_quantity) for r in report.symbols] == [
        ("AAPL", Decimal("38.6"), Decimal(6)),
        ("MSFT", Decimal(-52), Decimal(0)),
    ]
    assert report.realized_pnl == Decimal("-13.4")


def test_bad_input_is_a_clear_error(sqlite: Database, tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match=r"no account named 'nope' \(known: demo\)"):
        portfolio_service.summary(sqlite, CLOCK, "nope")
    with pytest.raises(ValidationError, match="no trade #999"):
        trades_service.show(sqlite, CLOCK, None, 999)
    empty = Database(f"sqlite:///{tmp_path / 'empty' / 'trademind.db'}")
    empty.ensure_schema()
    try:
        with pytest.raises(ValidationError, match="no trading account yet"):
            trades_service.list_trades(empty, CLOCK, None, limit=5, symbol=None)
    finally:
        empty.dispose()


def test_exports_are_exact_decimal_text(sqlite: Database) -> None:
    listed = trades_service.export_trades(sqlite, CLOCK, None, start=None, end=None)
    text = csv_text(listed.trades, trades_service.TRADE_COLUMNS)
    lines = text.splitlines()
    assert lines[0].startswith("id,executed_at,symbol,side,quantity,price")
    assert ",AAPL,buy,10,100," in lines[1]
    assert '"realized_pnl": "-52"' in json_text(listed)
