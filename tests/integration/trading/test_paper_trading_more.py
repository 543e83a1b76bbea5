"""Paper mode, more: the command offline, the live view without a total, a caller's stopper,
and 30-minute bars polled, traded and snapshotted at every bar close."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from support.cli_driver import Cli
from support.paper_session import (
    START,
    MovingWaiter,
    paper_request,
    store_bars,
    swinging,
)

from trademind.config import Settings
from trademind.core.clock import TestClock
from trademind.core.market import Bar
from trademind.data.providers.yfinance_live import live_yfinance
from trademind.data.store import BarStore
from trademind.db.models import PortfolioSnapshot
from trademind.db.session import Database
from trademind.runtime.sessions import ExchangeSessions
from trademind.services.trade import StepView, TradeOptions, run_trade
from trademind.services.trade.paper_parts import PaperParts
from trademind.testing.yahoo import FakeYahoo


def test_the_command_refuses_bad_paper_input_offline(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    cli = Cli(capsys)
    message = cli.fails("trade", "--mode", "paper", "--symbols", "ZZZZ")
    assert message.startswith("error: no stored 1d bars for ZZZZ: run `trademind data ingest")
    assert "paper mode starts now" in cli.fails(
        "trade", "--mode", "paper", "--symbols", "AAPL", "--start", "2024-01-02", code=2
    )
    code, out, _err = cli("trade", "--help")
    assert code == 0
    assert "live Yahoo Finance bars" in " ".join(out.split())


def test_the_live_view_counts_paper_bars_without_a_total() -> None:
    from trademind.cli.trade_view import _progress

    view = StepView(
        account="paper", closed_at=START, step=3, total_steps=0, cash=Decimal(1),
        equity=Decimal(1), positions=(), last_orders=(),
    )  # fmt: skip
    assert _progress(view) == "bar 3"
    assert _progress(replace(view, total_steps=10)) == "bar 3/10"


def test_a_caller_can_stop_the_session_with_the_stopper_it_is_given(
    database: Database, settings: Settings
) -> None:
    store_bars(database, swinging, last=date(2024, 3, 1))
    clock = TestClock(START)
    stoppers: list[Callable[[], None]] = []

    def stop_at_two(step: StepView) -> None:
        if step.step == 2:
            stoppers[0]()

    parts = PaperParts(
        provider=live_yfinance(clock=clock, download=FakeYahoo(prices=swinging)),
        waiter=MovingWaiter(clock),
        handle_signals=False,
        on_stopper=stoppers.append,
    )
    options = TradeOptions(clock=clock, paper=parts, on_step=stop_at_two)
    summary = run_trade(database, settings, paper_request("stopped"), options)
    assert summary.counts.steps == 2


class IntradayProvider:
    """30-minute bars inside NYSE sessions, priced by their time only (a LiveBarProvider)."""

    async def closed_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> Sequence[Bar]:
        return [
            bar for bar in intraday_bars(symbol, start.date(), end.date()) if start <= bar.ts < end
        ]


def intraday_bars(symbol: str, first: date, last: date) -> list[Bar]:
    bars = []
    for session in ExchangeSessions().sessions(first, last):
        ts = session.opens
        while ts < session.closes:
            k = (ts - START).total_seconds() / 1800.0
            close = 100.0 + 5.0 * np.sin(k / 2.5)
            bars.append(
                Bar(
                    symbol=symbol,
                    timeframe="30m",
                    ts=ts,
                    open=close - 0.2,
                    high=close + 0.5,
                    low=close - 0.5,
                    close=close,
                    volume=1e5,
                )
            )
            ts += pd.Timedelta(minutes=30)
    return bars


def test_intraday_bars_trade_and_snapshot_at_every_bar_close(
    database: Database, settings: Settings
) -> None:
    monday = date(2024, 4, 1)
    warm = intraday_bars("AAPL", date(2024, 3, 26), date(2024, 3, 28))
    frame = pd.DataFrame(
        {
            "ts": pd.DatetimeIndex([bar.ts for bar in warm]),
            **{name: [getattr(bar, name) for bar in warm] for name in
               ("open", "high", "low", "close", "volume")},
        }
    )  # fmt: skip
    BarStore(database).write("AAPL", "30m", "yfinance", frame, now=START)
    clock = TestClock(datetime(2024, 4, 1, 13, 0, tzinfo=UTC))
    waiter = MovingWaiter(clock)
    parts = PaperParts(provider=IntradayProvider(), waiter=waiter)  # type: ignore[arg-type]
    request = paper_request("minutes", symbols=("AAPL",), timeframe="30m", days=10, end=monday)
    # no daily bars are stored, so the risk rules would refuse every entry (they fail closed):
    # this test is about intraday polling and snapshots, with the safety layer off
    plain = settings.model_copy(
        update={"safety": settings.safety.model_copy(update={"enabled": False})}
    )
    summary = run_trade(database, plain, request, TradeOptions(clock=clock, paper=parts))
    session = ExchangeSessions().sessions(monday, monday)[0]
    closes = [session.opens + pd.Timedelta(minutes=30 * (n + 1)) for n in range(13)]
    assert [when - parts.delay for when in waiter.waits] == closes
    with database.session() as db:
        stamps = db.scalars(sa.select(PortfolioSnapshot.ts).order_by(PortfolioSnapshot.ts)).all()
    assert [stamp.replace(tzinfo=UTC) for stamp in stamps] == closes
    assert summary.counts.bars == 13
    assert summary.fills, "the swing must trade"
    assert all(session.opens <= fill.time < session.closes for fill in summary.fills)
