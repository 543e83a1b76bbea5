"""The trading loop's steps on synthetic bars: the decision port, the ledger hook, the venue."""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from trademind.core.bus import EventBus
from trademind.core.clock import TestClock
from trademind.core.decisions import Decision, Signal
from trademind.core.market import Bar, TradingMode
from trademind.execution.router import ExecutionRouter
from trademind.execution.signals import decision_from_signal
from trademind.runtime.bar_sources import BarBatch, ReplaySource
from trademind.runtime.session_gc import SESSION_THRESHOLDS
from trademind.runtime.strategy_runner import StrategyRunner, StrategySetup
from trademind.runtime.trading_loop import TradingLoop
from trademind.strategies.registry import get_strategy
from trademind.testing.fake_broker import FakeBroker
from trademind.testing.memory_ledger import MemoryLedger

DAY0 = datetime(2024, 1, 2, tzinfo=UTC)


def _bars(symbol: str, closes: Sequence[float]) -> list[Bar]:
    return [
        Bar(
            symbol=symbol,
            timeframe="1d",
            ts=DAY0 + timedelta(days=day),
            open=close - 0.5,
            high=close + 1,
            low=close - 1,
            close=close,
            volume=1000.0,
        )
        for day, close in enumerate(closes)
    ]


class VetoEverything:
    def __init__(self) -> None:
        self.calls: list[tuple[datetime, int]] = []

    async def decide(
        self, batch: BarBatch, signals: Sequence[Signal], mode: TradingMode
    ) -> Sequence[Decision]:
        self.calls.append((batch.closed_at, len(signals)))
        return [
            dataclasses.replace(decision_from_signal(s, mode), vetoed=True, veto_reason="halted")
            for s in signals
        ]


def _loop(decider: VetoEverything | None, ledger: MemoryLedger) -> tuple[TradingLoop, FakeBroker]:
    clock = TestClock()
    bus = EventBus(clock)
    broker = FakeBroker(account_id="unit", publish=bus.publish, clock=clock)
    series = {"AAPL": _bars("AAPL", [10.0, 11.0, 12.0]), "MSFT": _bars("MSFT", [20.0, 21.0])}
    loop = TradingLoop(
        mode=TradingMode.REPLAY,
        source=ReplaySource(series, timeframe="1d", clock=clock),
        broker=broker,
        router=ExecutionRouter(broker, sizer=lambda request: Decimal(3)),
        strategies=StrategyRunner([StrategySetup(get_strategy("buy_and_hold"))]),
        bus=bus,
        ledger=ledger,
        decider=decider,
    )
    return loop, broker


async def test_the_decision_port_sees_every_close_and_a_veto_places_nothing() -> None:
    decider = VetoEverything()
    loop, broker = _loop(decider, MemoryLedger())
    summary = await loop.run()
    assert decider.calls == [
        (DAY0 + timedelta(days=1), 2),
        (DAY0 + timedelta(days=2), 0),
        (DAY0 + timedelta(days=3), 0),
    ]
    assert broker.placed == []
    assert summary.signals == summary.decisions == 2
    assert summary.fills == []


async def test_signals_become_orders_filled_next_open_and_the_ledger_gets_fills_and_marks() -> None:
    ledger = MemoryLedger()
    loop, broker = _loop(None, ledger)
    summary = await loop.run()
    assert [(f.symbol, f.ts, f.price, f.quantity) for f in summary.fills] == [
        ("AAPL", DAY0 + timedelta(days=1), Decimal("10.5"), Decimal(3)),
        ("MSFT", DAY0 + timedelta(days=1), Decimal("20.5"), Decimal(3)),
    ]
    assert [step.closed_at for step in ledger.steps] == [
        DAY0 + timedelta(days=d) for d in (1, 2, 3)
    ]
    assert ledger.steps[1].fills == tuple(summary.fills)
    assert ledger.steps[2].marks == {"AAPL": Decimal("12.0")}
    assert ledger.positions == {"AAPL": Decimal(3), "MSFT": Decimal(3)}
    assert not broker.is_connected()  # disconnected at the end


class ThresholdsSeen(VetoEverything):
    def __init__(self) -> None:
        super().__init__()
        self.thresholds: list[tuple[int, int, int]] = []

    async def decide(
        self, batch: BarBatch, signals: Sequence[Signal], mode: TradingMode
    ) -> Sequence[Decision]:
        self.thresholds.append(gc.get_threshold())
        return await super().decide(batch, signals, mode)


async def test_the_steps_run_with_the_session_collector_settings_given_back_after() -> None:
    before = gc.get_threshold()
    decider = ThresholdsSeen()
    loop, _ = _loop(decider, MemoryLedger())
    await loop.run()
    assert decider.thresholds == [SESSION_THRESHOLDS] * 3
    assert gc.get_threshold() == before
