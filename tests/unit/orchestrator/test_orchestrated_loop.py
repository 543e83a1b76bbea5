"""The orchestrator behind the trading loop's DecisionMaker port: votes become orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from trademind.config.sections_agents import OrchestratorSettings
from trademind.core.bus import EventBus
from trademind.core.clock import TestClock
from trademind.core.decisions import Action
from trademind.core.market import Bar, TradingMode
from trademind.execution.router import ExecutionRouter
from trademind.orchestrator.factory import build_orchestrator
from trademind.orchestrator.orchestrator import DecisionRecord
from trademind.runtime.bar_sources import ReplaySource
from trademind.runtime.strategy_runner import StrategyRunner, StrategySetup
from trademind.runtime.trading_loop import TradingLoop
from trademind.strategies.registry import get_strategy
from trademind.testing.fake_broker import FakeBroker

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


class Recorder:
    def __init__(self) -> None:
        self.records: list[DecisionRecord] = []

    def record(self, records: Sequence[DecisionRecord]) -> None:
        self.records.extend(records)


async def test_the_loop_runs_on_the_orchestrators_votes() -> None:
    clock = TestClock()
    bus = EventBus(clock)
    broker = FakeBroker(account_id="unit", publish=bus.publish, clock=clock)
    strategy = get_strategy("buy_and_hold")
    settings = OrchestratorSettings.model_validate(
        {"weights": {"technical": 0.0, "strategy": 1.0}, "variant": "rules-only"}
    )
    sink = Recorder()
    decider = build_orchestrator(settings, [(strategy, None)], clock, sink=sink)
    series = {"AAPL": _bars("AAPL", [10.0, 11.0, 12.0]), "MSFT": _bars("MSFT", [20.0, 21.0])}
    loop = TradingLoop(
        mode=TradingMode.REPLAY,
        source=ReplaySource(series, timeframe="1d", clock=clock),
        broker=broker,
        router=ExecutionRouter(broker, sizer=lambda request: Decimal(3)),
        strategies=StrategyRunner([StrategySetup(strategy)]),
        bus=bus,
        decider=decider,
    )
    summary = await loop.run()
    # every bar gets a decision, acted on or not: 2 + 2 + 1
    assert summary.decisions == 5
    actions = [(r.decision.symbol, r.decision.action) for r in sink.records]
    assert actions == [
        ("AAPL", Action.BUY), ("MSFT", Action.BUY),
        ("AAPL", Action.HOLD), ("MSFT", Action.HOLD), ("AAPL", Action.HOLD),
    ]  # fmt: skip
    assert all(r.decision.variant == "rules-only" for r in sink.records)
    assert [(f.symbol, f.price) for f in summary.fills] == [
        ("AAPL", Decimal("10.5")),
        ("MSFT", Decimal("20.5")),
    ]
    assert {o.decision_id for o in broker.placed} == {
        r.decision.decision_id for r in sink.records[:2]
    }
