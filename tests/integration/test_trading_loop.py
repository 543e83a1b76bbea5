"""The trading loop over real bars with the fake broker: orders and fills follow the decisions
that caused them, in order, and equal the backtest kernel's rule applied to the vectorised
signals of the same bars."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from support.shared_data import daily_csv

from trademind.core.bus import EventBus
from trademind.core.clock import TestClock
from trademind.core.errors import NotBuiltYetError, ValidationError
from trademind.core.events import (
    DecisionMade,
    Event,
    OrderFilled,
    OrderStatusChanged,
    SignalRaised,
)
from trademind.core.market import TradingMode
from trademind.core.order_status import OrderStatus
from trademind.execution.entry_orders import SizingRequest
from trademind.execution.router import ExecutionRouter
from trademind.runtime.bar_sources import ReplaySource
from trademind.runtime.strategy_runner import StrategyRunner, StrategySetup
from trademind.runtime.trading_loop import TradingLoop, check_mode
from trademind.strategies.base import Bars
from trademind.strategies.registry import get_strategy, resolve
from trademind.testing.fake_broker import FakeBroker
from trademind.testing.memory_ledger import MemoryLedger

SYMBOLS = ("AAPL", "MSFT", "NVDA")
STRATEGIES = ("rsi_mean_reversion", "ma_crossover")
ROWS = slice(0, 1200)
SHARES = Decimal(10)


def _bars(symbol: str) -> Bars:
    frame = pd.read_csv(daily_csv(symbol)).iloc[ROWS]
    ts = pd.to_datetime(frame["Date"]).to_numpy(dtype="datetime64[ns]").astype(np.int64)
    columns = [
        frame[n].to_numpy(dtype=np.float64) for n in ("Open", "High", "Low", "Close", "Volume")
    ]
    return Bars(symbol, ts, *columns)


def _ten_shares(request: SizingRequest) -> Decimal:
    return SHARES


@dataclass
class _SymbolState:
    position: int = 0
    entry: bool = False
    exit: int = 0
    fills: list[tuple[datetime, str, str, Decimal]] = field(default_factory=list)


def _expected_fills(series: dict[str, Bars]) -> list[tuple[datetime, str, str, Decimal]]:
    """The kernel's rule on the vectorised signals, filling market orders at the next open."""
    expected: list[tuple[datetime, str, str, Decimal]] = []
    for symbol, bars in series.items():
        signals = [get_strategy(name).signals(bars, resolve(name)) for name in STRATEGIES]
        state = _SymbolState()
        for i in range(len(bars)):
            when = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(
                microseconds=int(bars.ts[i]) // 1000
            )
            price = Decimal(repr(float(bars.open[i])))
            if state.entry:
                state.position, state.entry = int(SHARES), False
                expected.append((when, symbol, "buy", price))
            if state.exit:
                expected.append((when, symbol, "sell", price))
                state.position, state.exit = 0, 0
            for one in signals:
                if one.exits[i]:
                    if state.position > 0 and not state.exit:
                        state.exit, state.entry = state.position, False
                    elif state.position == 0:
                        state.entry = False
                elif one.entries[i] and state.position == 0 and not state.entry and not state.exit:
                    state.entry = True
    return sorted(expected)


class EventLog:
    def __init__(self, bus: EventBus) -> None:
        self.events: list[Event] = []
        for kind in (SignalRaised, DecisionMade, OrderStatusChanged, OrderFilled):
            bus.subscribe(kind, self.events.append)


async def test_a_replay_places_and_fills_what_the_decisions_ask_in_order() -> None:
    series = {symbol: _bars(symbol) for symbol in SYMBOLS}
    clock = TestClock()
    bus = EventBus(clock)
    log = EventLog(bus)
    broker = FakeBroker(account_id="replay-test", publish=bus.publish, clock=clock)
    router = ExecutionRouter(broker, sizer=_ten_shares, publish=bus.publish)
    ledger = MemoryLedger()
    runner = StrategyRunner([StrategySetup(get_strategy(name)) for name in STRATEGIES])
    loop = TradingLoop(
        mode=TradingMode.REPLAY,
        source=ReplaySource(series, timeframe="1d", clock=clock),
        broker=broker,
        router=router,
        strategies=runner,
        bus=bus,
        ledger=ledger,
    )
    summary = await loop.run()

    got = sorted((f.ts, f.symbol, f.side.value, f.price) for f in summary.fills)
    assert got == _expected_fills(series)
    assert len(got) > 20  # enough trades to mean something
    assert summary.bars == sum(len(bars) for bars in series.values())
    assert summary.steps == len(ledger.steps) == len(series["AAPL"])

    decided: dict[str, datetime] = {}
    opened: dict[str, int] = {}
    for position, event in enumerate(log.events):
        if isinstance(event, DecisionMade):
            decided[event.decision.decision_id] = event.decision.decided_at
        elif isinstance(event, OrderStatusChanged):
            order = event.state.order
            assert order.decision_id in decided, "an order before the decision that caused it"
            if event.state.status is OrderStatus.OPEN:
                opened[order.client_order_id] = position
                assert event.occurred_at == decided[order.decision_id]
        elif isinstance(event, OrderFilled):
            assert event.fill.order_id in opened, "a fill before its order was working"
            state = router.book.get(event.fill.order_id)
            assert state is not None
            assert event.fill.ts >= decided[str(state.order.decision_id)]  # the next bar at least
    fills_in_log = [e.fill for e in log.events if isinstance(e, OrderFilled)]
    assert fills_in_log == summary.fills
    assert [f.ts for f in fills_in_log] == sorted(f.ts for f in fills_in_log)
    assert router.book.refused == ()

    positions = {p.symbol: p.quantity for p in await broker.get_positions()}
    assert {s: q for s, q in ledger.positions.items() if q} == positions
    assert ledger.equity == (await broker.get_account()).portfolio_value
    assert [step.fills for step in ledger.steps if step.fills] == [
        tuple(f for f in summary.fills if f.ts + timedelta(days=1) == step.closed_at)
        for step in ledger.steps
        if step.fills
    ]


async def test_a_resumed_replay_places_no_order_twice() -> None:
    """Running the same replay again against the same broker re-derives every order id."""
    series = {"AAPL": _bars("AAPL")}
    clock = TestClock()
    bus = EventBus(clock)
    broker = FakeBroker(account_id="resume", publish=bus.publish, clock=clock)

    def make_loop() -> TradingLoop:
        return TradingLoop(
            mode=TradingMode.REPLAY,
            source=ReplaySource(series, timeframe="1d", clock=TestClock()),
            broker=broker,
            router=ExecutionRouter(broker, sizer=_ten_shares),
            strategies=StrategyRunner([StrategySetup(get_strategy("buy_and_hold"))]),
            bus=bus,
        )

    await make_loop().run()
    placed = list(broker.placed)
    assert len(placed) == 1
    await make_loop().run()
    assert broker.placed == placed


def test_live_mode_refuses_to_start_naming_the_ibkr_issue() -> None:
    with pytest.raises(NotBuiltYetError, match="IBKR issue"):
        check_mode(TradingMode.LIVE)
    with pytest.raises(ValidationError, match="backtest run"):
        check_mode(TradingMode.BACKTEST)
    assert check_mode(TradingMode.PAPER) is TradingMode.PAPER
