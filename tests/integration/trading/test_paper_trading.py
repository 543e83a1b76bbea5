"""Paper mode end to end on SQLite, offline: FakeYahoo behind the live yfinance provider, a
test clock and a waiter that moves it (no network, no sleeping).

A paper session fills as a replay of the same bars does; its warm-up trades nothing; Ctrl-C
(SIGINT) stops it after the current step and ``--resume`` continues it with nothing lost or
placed twice; a failed poll is logged and its bar comes with the next poll; only session bars
are traded; bad input says why and changes nothing in the ledger."""

from __future__ import annotations

import logging
import os
import signal
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa
from support.paper_session import (
    FIRST,
    LAST,
    LIVE,
    PARAMS,
    START,
    SYMBOLS,
    FlakyProvider,
    MovingWaiter,
    fills_of,
    ledger_rows,
    paper_options,
    paper_request,
    store_bars,
    swinging,
    trend_then_swing,
)

from trademind.config import Settings
from trademind.core.clock import TestClock
from trademind.core.errors import UsageError, ValidationError
from trademind.data.providers.yfinance_live import live_yfinance
from trademind.db.models import Account, PortfolioSnapshot, Trade
from trademind.db.session import Database
from trademind.runtime.sessions import ExchangeSessions
from trademind.services.trade import StepView, TradeRequest, run_trade
from trademind.services.trade.paper_parts import PaperParts
from trademind.testing.yahoo import FakeYahoo


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
    # each fill records its decision (strategy, reasoning, the vote) as the replay's fill does
    # (the decision ids differ: a paper bar is stamped at its session's close, a stored one at
    # midnight)
    assert decision_chain(database, "paper") == decision_chain(database, "replay")
    assert all(chain[0] == "ma_crossover" for chain in decision_chain(database, "paper"))


def decision_chain(database: Database, account: str) -> list[tuple[object, ...]]:
    """What each fill of ``account`` records of its decision, in execution order."""
    with database.session() as session:
        owner = session.scalars(sa.select(Account.id).where(Account.name == account)).one()
        query = sa.select(Trade).where(Trade.account_id == owner).order_by(Trade.id)
        return [
            (
                t.strategy,
                t.reasoning,
                t.agent_signals["action"],
                t.agent_signals["confidence"],
                [
                    (v["agent"], v["direction"], v["score"], v["weight"], v["reasoning"])
                    for v in t.agent_signals["votes"]
                ],
            )
            for t in session.scalars(query)
        ]


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
