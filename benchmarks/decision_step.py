"""Microseconds per symbol-bar of the decision step: the orchestrator against the plain path.

    uv run python -m benchmarks.decision_step [--symbols 10] [--bars 2000] [--repeats 5]

What runs: ``--symbols`` seeded random-walk daily series of ``--bars`` bars each, one
:class:`~trademind.core.market.BarBatch` per bar close holding every symbol's bar, and the
signals of ``ma_crossover`` and ``rsi_mean_reversion`` (their default parameters) for each
batch from the :class:`~trademind.runtime.strategy_runner.StrategyRunner`. Bars, batches and
signals are made beforehand (the trading loop makes them in either path); timed is only the
decision step's ``decide(batch, signals, mode)`` per batch:

- **orchestrator**: :func:`trademind.orchestrator.factory.build_orchestrator` with the default
  ``orchestrator`` settings (the technical agent and the two strategy agents, the tally, the
  Decision with every vote; no vetoer, no sink), on a :class:`~trademind.core.clock.TestClock`
  set to each bar close;
- **plain**: :class:`~trademind.runtime.decision_step.SignalDecisions` (each signal its own
  decision, what ``benchmarks/replay.py`` runs).

The first ``--warmup`` bar closes (default 200, the indicators' and rules' warm-up) are run but
not timed; each repeat starts a fresh orchestrator. The figure is the median over the repeats
of the timed seconds divided by (timed bar closes x symbols).

Exit status 0 when the orchestrator's median is at most 20 µs per symbol-bar (issue 11's
budget: the plain replay costs about 20 µs per bar, and the decision step with agents may at
most double it); 1 otherwise. Wall-clock times on a shared VM: noisy, hence the median.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np

from trademind.config.sections_agents import OrchestratorSettings
from trademind.core.clock import TestClock
from trademind.core.decisions import Signal
from trademind.core.market import Bar, BarBatch, TradingMode
from trademind.core.ports import DecisionMaker
from trademind.orchestrator.factory import build_orchestrator
from trademind.runtime.decision_step import SignalDecisions
from trademind.runtime.strategy_runner import StrategyRunner, StrategySetup
from trademind.strategies.registry import get_strategy

STRATEGIES = ("ma_crossover", "rsi_mean_reversion")
BUDGET_MICROSECONDS = 20.0
DAY0 = datetime(2015, 1, 2, tzinfo=UTC)

Step = tuple[BarBatch, list[Signal]]


def series(symbols: int, bars: int) -> list[Step]:
    """One batch per bar close with every symbol's bar, and the strategies' signals."""
    rng = np.random.default_rng(11)
    names = [f"S{index:03d}" for index in range(symbols)]
    closes = {name: np.abs(100.0 + np.cumsum(rng.normal(0.0, 1.5, bars))) + 10.0 for name in names}
    runner = StrategyRunner([StrategySetup(get_strategy(name)) for name in STRATEGIES])
    steps: list[Step] = []
    for index in range(bars):
        ts = DAY0 + timedelta(days=index)
        closed_at = ts + timedelta(days=1)
        batch = BarBatch(
            closed_at=closed_at,
            bars=tuple(
                Bar(symbol=name, timeframe="1d", ts=ts, open=float(close[index]),
                    high=float(close[index]) + 1.0, low=float(close[index]) - 1.0,
                    close=float(close[index]), volume=1e6)
                for name, close in closes.items()
            ),
        )  # fmt: skip
        signals = [signal for bar in batch.bars for signal in runner.on_bar(bar, closed_at)]
        steps.append((batch, signals))
    return steps


async def timed(
    decider: DecisionMaker, steps: Sequence[Step], clock: TestClock, warmup: int
) -> float:
    """Seconds spent in ``decide`` over the steps after the first ``warmup``."""
    spent = 0.0
    for index, (batch, signals) in enumerate(steps):
        clock.set_time(batch.closed_at)
        started = time.perf_counter()
        await decider.decide(batch, signals, TradingMode.REPLAY)
        if index >= warmup:
            spent += time.perf_counter() - started
    return spent


def orchestrator(clock: TestClock) -> DecisionMaker:
    strategies = [(get_strategy(name), None) for name in STRATEGIES]
    return build_orchestrator(OrchestratorSettings(), strategies, clock)


async def measure(steps: Sequence[Step], warmup: int, repeats: int) -> tuple[float, float]:
    """Median microseconds per symbol-bar: (orchestrator, plain)."""
    symbol_bars = (len(steps) - warmup) * len(steps[0][0].bars)
    ours, plain = [], []
    for _ in range(repeats):
        clock = TestClock(start=DAY0)
        ours.append(await timed(orchestrator(clock), steps, clock, warmup) / symbol_bars * 1e6)
        plain.append(await timed(SignalDecisions(), steps, clock, warmup) / symbol_bars * 1e6)
    return statistics.median(ours), statistics.median(plain)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--symbols", type=int, default=10)
    parser.add_argument("--bars", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args(argv)
    steps = series(options.symbols, options.bars)
    asyncio.run(measure(steps[: options.warmup + 10], options.warmup, 1))  # imports, caches
    ours, plain = asyncio.run(measure(steps, options.warmup, options.repeats))
    timed_bars = options.bars - options.warmup
    print(
        f"{options.symbols} symbols x {timed_bars} timed bar closes (after {options.warmup}), "
        f"median of {options.repeats}:"
    )
    print(f"  orchestrator (technical + {len(STRATEGIES)} strategy agents, tally, decision): "
          f"{ours:.1f} us per symbol-bar")  # fmt: skip
    print(f"  plain (SignalDecisions): {plain:.2f} us per symbol-bar")
    verdict = "within" if ours <= BUDGET_MICROSECONDS else "over"
    print(f"  budget {BUDGET_MICROSECONDS:.0f} us per symbol-bar: {verdict}")
    return 0 if ours <= BUDGET_MICROSECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
