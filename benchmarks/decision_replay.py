"""The replay with the agents voting against the plain replay: issue 11's decision-step target.

    uv run python -m benchmarks.decision_replay [--sample-bars 0] [--repeats 3] [--sentiment]

What runs: ``benchmarks/replay.py``'s sample replay (the 7 bundled sample symbols, real daily
bars; ``ma_crossover`` 10/30 SMA, all-in, 0.1% commission, market orders at the next open)
through the trade service on a migrated SQLite file, twice per repeat in the same run:

- **plain**: ``orchestrator.enabled`` and ``safety.enabled`` false: each strategy signal its
  own decision, logged (``LoggedDecisions`` around ``SignalDecisions``), only the trading state
  checked: the plain replay of issue 10, what ``benchmarks/replay.py`` times;
- **orchestrated**: the whole decision step, ``orchestrator.enabled`` and ``safety.enabled``
  true with the default settings: the technical agent and the strategy agent vote at every
  symbol and bar close (no LLM), the orchestrator tallies, the risk agent reviews every BUY
  (its view of the account refreshed at every bar close), every decision (HOLD ones too) is
  logged with its votes in the step's transaction, entries are cut to the limits, every order
  passes the pre-trade rules and the breakers run after every step. The news sentiment agent
  (issue 12, an LLM agent) is off unless ``--sentiment`` (then it is consulted at every symbol
  and bar close; no news is stored, so it abstains, and its reading is stored in
  ``sentiment_history``): issue 11's target is the decision step without the LLM agent.

Timed as in ``benchmarks/replay.py``: from the first step's start to ``trade()`` returning (the
loop, the last block's commit and the session's summary); storing the bars and planning the
session are set-up. One warm-up run of each first (imports, caches). The exchange calendar the
market-hours rule reads is built when the session's safety layer is (``SessionSafety``, before
the loop starts): a session's start-up cost, not a per-bar one, outside the timed loop. Each
figure is the median over ``--repeats`` (plain and orchestrated alternate, each on a fresh
database).

Printed: bars/s of both, and the slowdown (plain bars/s over orchestrated bars/s). Exit status
0 when the slowdown is at most 2.0 (issue 11: the decision step with agents without LLM and
the orchestrator keeps the replay within 2x of the plain replay); 1 otherwise. Wall-clock
times on a shared 2-core VM: noisy, hence the medians.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Mapping, Sequence

from benchmarks._databases import sqlite_database
from benchmarks._replay_wiring import build_replay
from benchmarks.replay import PARAMS, backtest_config, sample_bars
from trademind.strategies.base import Bars

SLOWDOWN_TARGET = 2.0


def bars_per_second(
    bars: Mapping[str, Bars], *, orchestrated: bool, sentiment: bool = False
) -> tuple[float, int, int]:
    """(bars/s, bars, fills) of one sample replay on a fresh SQLite database."""
    with sqlite_database() as (database, _):
        replay = build_replay(
            database,
            bars,
            timeframe="1d",
            config=backtest_config(),
            params=PARAMS,
            orchestrated=orchestrated,
            sentiment=sentiment,
        )
        summary = asyncio.run(replay.run())
        seconds = time.perf_counter() - replay.times.starts[0]
    count = summary.counts.bars_this_run
    return count / seconds, count, len(summary.fills)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample-bars", type=int, default=0, help="last N per symbol (0: all)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--sentiment", action="store_true", help="the sentiment agent votes too")
    options = parser.parse_args(argv)
    warm = sample_bars(200)
    bars_per_second(warm, orchestrated=False)
    bars_per_second(warm, orchestrated=True, sentiment=options.sentiment)
    bars = sample_bars(options.sample_bars)
    plain: list[float] = []
    voted: list[float] = []
    counts: dict[str, tuple[int, int]] = {}
    for _ in range(options.repeats):
        rate, count, fills = bars_per_second(bars, orchestrated=False)
        plain.append(rate)
        counts["plain"] = (count, fills)
        rate, count, fills = bars_per_second(bars, orchestrated=True, sentiment=options.sentiment)
        voted.append(rate)
        counts["orchestrated"] = (count, fills)
    rates = {"plain": statistics.median(plain), "orchestrated": statistics.median(voted)}
    for name, rate in rates.items():
        count, fills = counts[name]
        print(f"sample replay on SQLite, {name:<13} {count:>9,} bars {rate:>10,.0f} bars/s "
              f"{fills:>6} fills (median of {options.repeats})")  # fmt: skip
    slowdown = rates["plain"] / rates["orchestrated"]
    met = slowdown <= SLOWDOWN_TARGET
    print(
        f"slowdown with the orchestrator: {slowdown:.2f}x the plain replay's time "
        f"(target <= {SLOWDOWN_TARGET:.1f}x): {'met' if met else 'NOT met'}"
    )
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
