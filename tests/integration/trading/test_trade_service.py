"""The trade service and `trademind trade` on SQLite: a session books its orders, fills and
snapshots; a stopped session resumes to the same fills and equity as an uninterrupted one;
what is refused (an account with history, an unknown account to resume, a busy account, a
resume that changes the session, live mode) says why and changes nothing in the ledger."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.cli_driver import Cli

from trademind.config import Settings
from trademind.core.bus import EventBus
from trademind.core.errors import AccountBusyError, NotBuiltYetError, UsageError, ValidationError
from trademind.core.events import OrderFilled
from trademind.db.models import Account, BrokerState, Order, PortfolioSnapshot, Trade
from trademind.db.session import Database
from trademind.runtime.account_lock import AccountLock
from trademind.services.trade import StepView, TradeOptions, TradeRequest, TradeSummary, run_trade

SYMBOLS = ("AAPL", "MSFT")
WINDOW = {"start": date(2019, 1, 1), "end": date(2019, 12, 31)}


FILL_KEYS = ("time", "symbol", "side", "quantity", "price", "commission", "order_id")


class Stop(Exception):
    """Stands for the process dying after a bar close."""


def request(account: str, **changes: object) -> TradeRequest:
    given: dict[str, object] = {
        "mode": "replay",
        "symbols": SYMBOLS,
        "strategy": "macd_momentum",
        "account": account,
        "execution": {"sizing": "fraction:45%", "stop_loss": "4%", "order": "limit:0.5%"},
        **WINDOW,
    }
    given.update(changes)
    return TradeRequest(**given)  # type: ignore[arg-type]


class NoWait:
    """A sleeper that does not wait: a paced replay (one step per transaction) at full speed."""

    async def sleep(self, seconds: float) -> None:
        return None


def stop_at(step: int) -> TradeOptions:
    """Stop after step ``step`` is committed and shown. The session is paced (``1x``, without
    waiting), so it commits every step; at ``max`` it commits blocks of steps."""

    def seen(view: StepView) -> None:
        if view.step == step:
            raise Stop(step)

    return TradeOptions(on_step=seen, sleeper=NoWait())


def same_fills(summary: TradeSummary) -> list[tuple[object, ...]]:
    return [(f.time, f.symbol, f.side, f.quantity, f.price, f.commission) for f in summary.fills]


def ledger_rows(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {
            model.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
            for model in (Account, Order, Trade, PortfolioSnapshot, BrokerState)
        }


def test_a_session_books_orders_fills_and_a_snapshot_per_bar(
    database: Database, settings: Settings
) -> None:
    bus = EventBus()
    filled: list[OrderFilled] = []
    bus.subscribe(OrderFilled, filled.append)
    summary = run_trade(database, settings, request("one"), TradeOptions(bus=bus))
    assert [event.fill.execution_id for event in filled] == [
        fill.execution_id for fill in summary.fills
    ]
    assert summary.account == "one"
    assert summary.mode == "replay"
    assert summary.counts.fills > 10
    assert summary.counts.expired > 0  # DAY limit entries that did not fill
    assert summary.counts.steps == summary.counts.bars_this_run // 2
    rows = ledger_rows(database)
    assert rows["trades"] == summary.counts.fills
    assert rows["orders"] == summary.counts.orders
    assert rows["portfolio_snapshots"] == summary.counts.steps
    assert {"total_return", "sharpe", "max_drawdown", "trade_count"} <= set(summary.metrics)
    assert summary.final_equity > 0


def test_a_stopped_session_resumes_to_the_same_fills_and_equity(
    database: Database, settings: Settings
) -> None:
    """Stopped after the first bar, mid-run, twice in a row, near the end; then resumed."""
    stops = (1, 37, 120, 121, 250)
    whole = run_trade(database, settings, request("whole"))
    for step in stops:
        cut = request("cut", resume=step != stops[0], speed="1x")
        with pytest.raises(Stop):
            run_trade(database, settings, cut, stop_at(step))
    resumed = run_trade(database, settings, TradeRequest(account="cut", resume=True))
    assert resumed.resumed
    assert same_fills(resumed) == same_fills(whole)
    assert resumed.final_equity == whole.final_equity
    assert resumed.positions == whole.positions
    assert [(o.symbol, o.side, o.status, o.filled_quantity) for o in resumed.orders] == [
        (o.symbol, o.side, o.status, o.filled_quantity) for o in whole.orders
    ]
    assert resumed.counts.bars_this_run == whole.counts.bars_this_run - 2 * stops[-1]
    with database.session() as session:
        snapshots = session.scalars(
            sa.select(PortfolioSnapshot.equity)
            .join(Account)
            .where(Account.name.in_(["whole", "cut"]))
            .order_by(Account.name, PortfolioSnapshot.ts)
        ).all()
    half = len(snapshots) // 2
    assert len(snapshots) == 2 * whole.counts.steps
    assert snapshots[:half] == snapshots[half:]


def test_resuming_a_finished_session_replays_nothing(
    database: Database, settings: Settings
) -> None:
    first = run_trade(database, settings, request("done"))
    again = run_trade(database, settings, TradeRequest(account="done", resume=True))
    assert again.counts.bars_this_run == 0
    assert same_fills(again) == same_fills(first)
    assert again.final_equity == first.final_equity


def test_refused_runs_change_nothing_in_the_ledger(
    database: Database, settings: Settings, isolated_environment: Path
) -> None:
    run_trade(database, settings, request("taken"))
    before = ledger_rows(database)
    with pytest.raises(ValidationError, match=r"already has a trading history.*--resume"):
        run_trade(database, settings, request("taken"))
    with pytest.raises(ValidationError, match=r"no account named 'nope' \(known: taken\)"):
        run_trade(database, settings, TradeRequest(account="nope", resume=True))
    with pytest.raises(UsageError, match=r"\(symbols: 'AAPL,MSFT'\); it cannot change to 'TSLA'"):
        run_trade(database, settings, TradeRequest(account="taken", resume=True, symbols=("TSLA",)))
    with pytest.raises(UsageError, match=r"\(cash: its default\); it cannot change to 5.0"):
        run_trade(database, settings, TradeRequest(account="taken", resume=True, cash=5.0))
    with pytest.raises(NotBuiltYetError, match="IBKR issue"):
        run_trade(database, settings, request("live", mode="live"))
    with pytest.raises(ValidationError, match="no 1d bars for AAPL between 2031-01-01"):
        run_trade(database, settings, request("future", start=date(2031, 1, 1), end=None))
    with pytest.raises(UsageError, match="unknown strategy"):
        run_trade(database, settings, request("bad", strategy="nope"))
    with pytest.raises(UsageError, match="--account must name an account"):
        run_trade(database, settings, request(""))
    with pytest.raises(UsageError, match="no leading or trailing spaces"):
        run_trade(database, settings, request(" taken"))
    with pytest.raises(UsageError, match="at most 64 characters, got 65"):
        run_trade(database, settings, request("x" * 65))
    with (
        AccountLock(isolated_environment, "busy"),
        pytest.raises(AccountBusyError, match=r"process \d+"),
    ):
        run_trade(database, settings, request("busy"))
    assert ledger_rows(database) == before


def test_the_command_prints_one_json_document(capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(capsys)
    args = ("trade", "--symbols", "AAPL,MSFT", "--strategy", "ma_crossover", "--start",
            "2019-01-01", "--end", "2019-12-31", "--account", "cli")  # fmt: skip
    document = cli.json(*args)
    assert {"account", "mode", "start", "end", "final_equity", "orders", "fills", "metrics"} <= set(
        document
    )
    assert document["account"] == "cli"
    for fill in document["fills"]:
        assert {"time", "symbol", "side", "quantity", "price", "commission", "order_id"} <= set(
            fill
        )
    assert cli.fails(*args).startswith("error: account 'cli' already has a trading history")
    assert (
        cli.json("trade", "--resume", "--account", "cli")["final_equity"]
        == document["final_equity"]
    )
    assert cli.fails("trade", "--resume", "--account", "ghost").startswith(
        "error: no account named 'ghost'"
    )
    assert "IBKR issue" in cli.fails("trade", "--mode", "live", "--symbols", "AAPL")
    assert "--symbols" in cli.fails("trade", code=2)
    assert "speed" in cli.fails("trade", "--symbols", "AAPL", "--speed", "fast", code=2)
