"""Paper mode end to end on SQLite, offline: FakeYahoo behind the live yfinance provider, a
test clock and a waiter that moves it (no network, no sleeping).

A paper session fills as a replay of the same bars does; its warm-up trades nothing; Ctrl-C
(SIGINT) stops it after the current step and ``--resume`` continues it with nothing lost or
placed twice; a failed poll is logged and its bar comes with the next poll; only session bars
are traded; bad input says why and changes nothing in the ledger."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
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

from trademind.bootstrap import build_database as open_database
from trademind.config import Settings, load_config
from trademind.core.clock import TestClock
from trademind.core.errors import UsageError, ValidationError
from trademind.core.market import Bar
from trademind.data.providers.base import ProviderError
from trademind.data.providers.yfinance_live import live_yfinance
from trademind.data.store import BarStore
from trademind.db.models import Account, BrokerState, Order, PortfolioSnapshot, Trade
from trademind.db.session import Database
from trademind.runtime.sessions import ExchangeSessions
from trademind.services.trade import StepView, TradeOptions, TradeRequest, TradeSummary, run_trade
from trademind.services.trade.paper_parts import PaperParts
from trademind.testing.yahoo import FakeYahoo

SYMBOLS = ("AAPL", "MSFT")
FIRST = date(2024, 1, 2)
LIVE = date(2024, 3, 4)  # a Monday: the paper session starts before its open
LAST = date(2024, 4, 12)
START = datetime(2024, 3, 4, 12, 0, tzinfo=UTC)
PARAMS = {"fast": "3", "slow": "8"}


def trend_then_swing(days: pd.DatetimeIndex) -> pd.DataFrame:
    """A steady fall before LIVE (no crossing up: nothing to buy in the warm-up), a swing
    after it; the adjusted close is the close (the replay reads adjusted prices)."""
    k = (days - pd.Timestamp(FIRST)).days.to_numpy(dtype=float)
    live = days >= pd.Timestamp(LIVE)
    close = np.where(live, 150.0 + 12.0 * np.sin(k / 3.0), 220.0 - 0.5 * k)
    return _frame(days, close)


def swinging(days: pd.DatetimeIndex) -> pd.DataFrame:
    k = (days - pd.Timestamp(FIRST)).days.to_numpy(dtype=float)
    return _frame(days, 150.0 + 12.0 * np.sin(k / 3.0))


def _frame(days: pd.DatetimeIndex, close: np.ndarray) -> pd.DataFrame:  # type: ignore[type-arg]
    return pd.DataFrame(
        {
            "Open": close - 0.7,
            "High": close + 1.5,
            "Low": close - 1.5,
            "Close": close,
            "Adj Close": close,
            "Volume": np.full(len(days), 1e6),
        },
        index=pd.DatetimeIndex(days, name="Date"),
    )


class MovingWaiter:
    """Moves the test clock to each wake-up time at once; its ``block_at``-th wait never ends
    by itself (as a real wait for the next close lasts hours): only a stop ends it."""

    def __init__(self, clock: TestClock, block_at: int | None = None) -> None:
        self.clock = clock
        self.waits: list[datetime] = []
        self.block_at = block_at

    async def wait_until(self, when: datetime) -> None:
        self.waits.append(when)
        if len(self.waits) == self.block_at:
            await asyncio.get_running_loop().create_future()  # cancelled by the stop
        if when > self.clock.now():
            self.clock.set_time(when)


class FlakyProvider:
    """The live provider, failing on the given calls (1-based)."""

    def __init__(self, inner: object, failing: set[int]) -> None:
        self.inner = inner
        self.failing = failing
        self.calls = 0

    async def closed_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> Sequence[Bar]:
        self.calls += 1
        if self.calls in self.failing:
            raise ProviderError(f"{symbol}: Yahoo answered 503", symbol)
        return await self.inner.closed_bars(symbol, timeframe, start, end)  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def settings(isolated_environment: Path) -> Settings:
    return load_config(None).settings


@pytest.fixture
def database(settings: Settings) -> Database:
    made = open_database(settings)
    yield made  # type: ignore[misc]
    made.dispose()


def store_bars(
    database: Database,
    prices: Callable[[pd.DatetimeIndex], pd.DataFrame],
    symbols: Sequence[str] = SYMBOLS,
    last: date = LAST,
) -> None:
    """Every NYSE session's bar from FIRST to ``last``, as `data ingest` stores them."""
    days = pd.DatetimeIndex([s.day for s in ExchangeSessions().sessions(FIRST, last)])
    frame = prices(days)
    stored = pd.DataFrame(
        {
            "ts": days.tz_localize("UTC"),
            "open": frame["Open"].to_numpy(),
            "high": frame["High"].to_numpy(),
            "low": frame["Low"].to_numpy(),
            "close": frame["Close"].to_numpy(),
            "volume": frame["Volume"].to_numpy(),
            "adj_close": frame["Adj Close"].to_numpy(),
        }
    )
    for symbol in symbols:
        BarStore(database).write(symbol, "1d", "yfinance", stored, now=START)


def paper_request(account: str, **changes: object) -> TradeRequest:
    given: dict[str, object] = {
        "mode": "paper",
        "symbols": SYMBOLS,
        "strategy": "ma_crossover",
        "params": PARAMS,
        "account": account,
        "days": 120,
        "end": LAST,
    }
    given.update(changes)
    return TradeRequest(**given)  # type: ignore[arg-type]


def paper_options(
    clock: TestClock,
    prices: Callable[[pd.DatetimeIndex], pd.DataFrame],
    *,
    provider: object = None,
    waiter: MovingWaiter | None = None,
    on_step: Callable[[StepView], None] | None = None,
) -> TradeOptions:
    parts = PaperParts(
        provider=provider or live_yfinance(clock=clock, download=FakeYahoo(prices=prices)),  # type: ignore[arg-type]
        waiter=waiter or MovingWaiter(clock),
    )
    return TradeOptions(clock=clock, paper=parts, on_step=on_step)


def fills_of(summary: TradeSummary) -> list[tuple[object, ...]]:
    return [(f.time, f.symbol, f.side, f.quantity, f.price, f.commission) for f in summary.fills]


def ledger_rows(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {
            model.__tablename__: session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
            for model in (Account, Order, Trade, PortfolioSnapshot, BrokerState)
        }


def test_a_paper_session_fills_as_a_replay_of_the_same_bars(
    database: Database, settings: Settings
) -> None:
    store_bars(database, trend_then_swing)
    clock = TestClock(START)
    waiter = MovingWaiter(clock)
    steps: list[StepView] = []
    paper = run_trade(
        database,
        settings,
        paper_request("paper"),
        paper_options(clock, trend_then_swing, waiter=waiter, on_step=steps.append),
    )
    replay = run_trade(
        database,
        settings,
        TradeRequest(
            mode="replay", symbols=SYMBOLS, strategy="ma_crossover", params=PARAMS,
            account="replay", start=FIRST, end=LAST,
        ),
    )  # fmt: skip
    assert replay.fills, "the swing must trade"
    assert all(fill.time.date() >= LIVE for fill in replay.fills)  # the warm-up is quiet
    assert fills_of(paper) == fills_of(replay)
    assert paper.final_equity == replay.final_equity
    assert paper.positions == replay.positions
    assert paper.mode == "paper"
    assert paper.symbols == SYMBOLS
    live_sessions = ExchangeSessions().sessions(LIVE, LAST)
    assert paper.counts.bars == 2 * len(live_sessions)
    assert paper.counts.steps == len(live_sessions) == len(steps)
    assert [view.step for view in steps] == list(range(1, len(steps) + 1))
    assert all(view.total_steps == 0 for view in steps)  # no fixed end: bars so far
    # polls only at session closes (plus the delay): nothing trades outside sessions
    closes = {s.closes for s in live_sessions}
    assert {when - PaperParts().delay for when in waiter.waits} <= closes
    sessions = {s.day for s in live_sessions}
    assert all(fill.time.date() in sessions for fill in paper.fills)
    assert {"total_return", "sharpe", "max_drawdown"} <= set(paper.metrics)
    assert any("warmed up on" in notice for notice in paper.notices)
    document = paper.to_json()  # what --format json prints, as for a replay
    assert {"account", "mode", "start", "end", "final_equity", "orders", "fills", "metrics"} <= set(
        document
    )
    assert document["mode"] == "paper"


def test_the_warm_up_feeds_the_strategies_and_trades_nothing(
    database: Database, settings: Settings
) -> None:
    store_bars(database, swinging, last=date(2024, 3, 1))  # stored: the warm-up only
    clock = TestClock(START)
    summary = run_trade(
        database,
        settings,
        paper_request("warm", end=date(2024, 3, 8)),
        paper_options(clock, swinging),
    )
    with database.session() as session:
        snapshots = session.scalars(sa.select(PortfolioSnapshot.ts)).all()
    assert len(snapshots) == 5  # one per live session, none for the warm-up
    assert all(order.submitted_at >= START for order in summary.orders)
    assert all(fill.time.date() >= LIVE for fill in summary.fills)
    # warmed up: the 8-bar slow average exists at once, so the first live bars can trade
    assert summary.counts.signals_this_run > 0


def test_ctrl_c_stops_after_the_step_and_resume_continues_without_duplicates(
    database: Database, settings: Settings
) -> None:
    store_bars(database, trend_then_swing)
    whole = run_trade(
        database,
        settings,
        paper_request("whole"),
        paper_options(TestClock(START), trend_then_swing),
    )
    clock = TestClock(START)

    def interrupt(step: StepView) -> None:
        if step.step == 12:  # Ctrl-C, handled while the session waits for the next close
            os.kill(os.getpid(), signal.SIGINT)

    first = run_trade(
        database,
        settings,
        paper_request("cut"),
        paper_options(
            clock, trend_then_swing, waiter=MovingWaiter(clock, block_at=13), on_step=interrupt
        ),
    )
    assert first.counts.steps == 12
    assert first.end is not None
    assert first.end.date() < LAST
    resumed = run_trade(
        database,
        settings,
        TradeRequest(account="cut", resume=True),
        paper_options(clock, trend_then_swing),
    )
    assert resumed.resumed
    assert fills_of(resumed) == fills_of(whole)
    assert resumed.final_equity == whole.final_equity
    assert [(o.symbol, o.side, o.status, o.filled_quantity) for o in resumed.orders] == [
        (o.symbol, o.side, o.status, o.filled_quantity) for o in whole.orders
    ]
    assert len({o.order_id for o in resumed.orders}) == len(resumed.orders)
    assert resumed.counts.steps == whole.counts.steps
    with database.session() as session:
        count = sa.select(sa.func.count()).select_from(PortfolioSnapshot).join(Account)
        stamps = session.scalar(count.where(Account.name == "cut"))
    assert stamps == whole.counts.steps


def test_a_failed_poll_is_logged_and_its_bar_comes_with_the_next(
    database: Database, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    store_bars(database, trend_then_swing)
    clock = TestClock(START)
    live = live_yfinance(clock=clock, download=FakeYahoo(prices=trend_then_swing))
    # calls 1-2: the warm-up's top-up; 3 and 4: Monday's poll of AAPL and MSFT
    flaky = FlakyProvider(live, failing={3})
    with caplog.at_level(logging.WARNING, logger="trademind.runtime.paper_source"):
        summary = run_trade(
            database,
            settings,
            paper_request("flaky", end=date(2024, 3, 8)),
            paper_options(clock, trend_then_swing, provider=flaky),
        )
    assert "paper poll of AAPL" in caplog.text
    assert "503" in caplog.text
    assert summary.counts.bars == 10  # Monday's AAPL bar came with Tuesday's poll


def test_bad_input_says_why_and_changes_nothing(database: Database, settings: Settings) -> None:
    store_bars(database, swinging, symbols=("AAPL",))
    clock = TestClock(START)
    before = ledger_rows(database)
    options = paper_options(clock, swinging)
    with pytest.raises(
        ValidationError, match=r"no stored 1d bars for MSFT: run `trademind data ingest"
    ):
        run_trade(database, settings, paper_request("p1"), options)
    with pytest.raises(ValidationError, match="no stored 1d bars for ZZZZ"):
        run_trade(database, settings, paper_request("p2", symbols=("ZZZZ",)), options)
    with pytest.raises(ValidationError, match="no trading account yet"):
        run_trade(database, settings, TradeRequest(account="ghost", resume=True), options)
    with pytest.raises(UsageError, match="paper mode starts now"):
        run_trade(database, settings, paper_request("p3", symbols=("AAPL",), start=LIVE), options)
    with pytest.raises(UsageError, match="--speed is for replays"):
        run_trade(database, settings, paper_request("p4", symbols=("AAPL",), speed="60x"), options)
    with pytest.raises(ValidationError, match="in the past"):
        run_trade(
            database,
            settings,
            paper_request("p5", symbols=("AAPL",), end=date(2024, 3, 1)),
            options,
        )
    later = paper_options(TestClock(datetime(2025, 1, 6, 12, tzinfo=UTC)), swinging)
    with pytest.raises(ValidationError, match="in the last 5 days"):
        run_trade(
            database, settings, paper_request("p6", symbols=("AAPL",), days=5, end=None), later
        )
    assert ledger_rows(database) == before


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
    summary = run_trade(database, settings, request, TradeOptions(clock=clock, paper=parts))
    session = ExchangeSessions().sessions(monday, monday)[0]
    closes = [session.opens + pd.Timedelta(minutes=30 * (n + 1)) for n in range(13)]
    assert [when - parts.delay for when in waiter.waits] == closes
    with database.session() as db:
        stamps = db.scalars(sa.select(PortfolioSnapshot.ts).order_by(PortfolioSnapshot.ts)).all()
    assert [stamp.replace(tzinfo=UTC) for stamp in stamps] == closes
    assert summary.counts.bars == 13
    assert summary.fills, "the swing must trade"
    assert all(session.opens <= fill.time < session.closes for fill in summary.fills)
