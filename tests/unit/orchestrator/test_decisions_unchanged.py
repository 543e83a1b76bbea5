"""The fast decision step decides exactly as the first orchestrator did.

The digest below is of the reprs of every decision (votes, reasons, figures) the orchestrator
of commit 16f9ad6 (before the local-agent fast path, the scalar indicator steppers and the
quick validation) made on this seeded series: 3 symbols x 600 daily bars with the signals of
``ma_crossover`` and ``rsi_mean_reversion``. Any change in a decision, a vote or a text changes
it.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import numpy as np

from trademind.config.sections_agents import OrchestratorSettings
from trademind.core.clock import TestClock
from trademind.core.market import Bar, BarBatch, TradingMode
from trademind.orchestrator.factory import build_orchestrator
from trademind.runtime.strategy_runner import StrategyRunner, StrategySetup
from trademind.strategies.registry import get_strategy

STRATEGIES = ("ma_crossover", "rsi_mean_reversion")
BARS = 600
DIGEST_BEFORE = "24ef770e1ce454a9ad167619bddd094474fe660b80860b6bea21534bb0cdb28a"


async def decisions_digest() -> tuple[int, str]:
    clock = TestClock()
    orchestrator = build_orchestrator(
        OrchestratorSettings(), [(get_strategy(name), None) for name in STRATEGIES], clock
    )
    runner = StrategyRunner([StrategySetup(get_strategy(name)) for name in STRATEGIES])
    rng = np.random.default_rng(7)
    series = {
        symbol: np.abs(100 + np.cumsum(rng.normal(0, 1.5, BARS))) + 10
        for symbol in ("AAPL", "MSFT", "XOM")
    }
    day0 = datetime(2015, 1, 1, tzinfo=UTC)
    digest = hashlib.sha256()
    count = 0
    for index in range(BARS):
        ts = day0 + timedelta(days=index)
        closed_at = ts + timedelta(days=1)
        bars = tuple(
            Bar(symbol=symbol, timeframe="1d", ts=ts, open=closes[index],
                high=closes[index] + 1, low=closes[index] - 1, close=closes[index], volume=1e6)
            for symbol, closes in series.items()
        )  # fmt: skip
        signals = [signal for bar in bars for signal in runner.on_bar(bar, closed_at)]
        clock.set_time(closed_at)
        batch = BarBatch(closed_at=closed_at, bars=bars)
        for decision in await orchestrator.decide(batch, signals, TradingMode.REPLAY):
            digest.update(repr(decision).encode())
            count += 1
    return count, digest.hexdigest()


async def test_the_decisions_are_those_of_the_first_orchestrator() -> None:
    assert await decisions_digest() == (3 * BARS, DIGEST_BEFORE)
