"""Bars per second through the whole trading loop, against backtrader on the same bars.

    uv run python -m benchmarks.replay [--synthetic-symbols 100] [--synthetic-bars 500]
        [--sample-bars 0] [--no-postgres]

What runs: ``ma_crossover`` 10/30 (SMA), all-in, 0.1% commission, no slippage, market orders
filled at the next open (``backtest run``'s execution with these settings) on two bar sets:
(a) the 7 bundled sample symbols (trademind/data/sample, real daily bars; ``--sample-bars N``
keeps the last N of each, 0: all) and (b) ``--synthetic-symbols`` symbols of
``--synthetic-bars`` one-minute bars each on one shared calendar (benchmarks/synthetic.py).

"Ours" is what ``trademind trade --mode replay --speed max`` runs: the trade service itself
(:func:`trademind.services.trade.trade`, benchmarks/_replay_wiring.py) with these execution
settings (``TradeOptions.config``): the session planned (bars read back from the database,
the account opened), ReplaySource -> BarClosed per bar on the bus -> StrategyRunner
(incremental ma_crossover) -> SignalDecisions -> ExecutionRouter -> the resumable paper broker
-> SqlBrokerJournal, a portfolio snapshot per bar close, the steps committed in blocks (one
transaction per block, ``trademind/services/trade/blocks.py``; relaxed commits: SQLite
``synchronous=NORMAL`` in WAL mode, PostgreSQL ``synchronous_commit=off``, see
docs/trading.md), then the session's summary (orders, fills, metrics). The only addition is
a timing subclass of the service's paper broker, registered through ``TradeOptions.brokers``.
On a migrated SQLite file (a temporary directory) and on a PostgreSQL database created for
the run on 127.0.0.1:5432 (user postgres; dropped afterwards; skipped with the reason printed
when the server is unreachable). Timed: from the first step's start (the loop's first
``open_bars``) to ``trade()`` returning (the loop, the last block's commit and the summary);
storing the bars in the database beforehand, planning the session (reading the bars back,
opening the account) and turning the arrays into Bar objects are set-up, not timed. One
warm-up replay and one backtrader run on 200 sample bars first (imports, numba's caches).

"backtrader" is trademind.backtest.reference.run_backtrader on the very same bars and
settings, timed from computing the strategy's signals (``signals()``) to its outcome, in this
process, in the same run. The ratio is our bars/s over backtrader's.

Latency: on the synthetic set with SQLite, for every step (one timestamp, every symbol's bar)
in which at least one order was placed, the seconds from the step's start
(``time.perf_counter`` as the step's ``open_bars`` begins: the bar close is handed to the
loop) to the return of the last ``place_order`` of that step (the order working at the venue
and recorded in the step's open transaction: a block commits after its last step); p50 and
p99 over those steps. A second figure runs the same synthetic session paced (``1x`` with a
sleeper that does not wait), so that each step is its own transaction as in paper mode, and
measures from the step's start to that step's commit (the live view's call after it). Its
commits are a replay's relaxed ones; paper mode's also wait for the disk, which this VM's
figure would not represent anyway.

Wall-clock times on a shared 2-core VM: noisy. Exit status 0 when every measured set is at
least 2x backtrader's bars/s (goal 10x) and the latency p99 is at most 50 ms; 1 otherwise.
Each replay's fills are also checked against backtrader's trade count (a mismatch is printed,
it is the parity tests' job to prove equality).
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from benchmarks._databases import postgres_database, sqlite_database
from benchmarks._replay_wiring import Replay, build_replay
from trademind.backtest.engine.config import BacktestConfig
from trademind.fills.commission import PercentageCommission
from trademind.fills.slippage import NoSlippage
from trademind.strategies.base import Bars

PARAMS: dict[str, int | float | str] = {"fast": 10, "slow": 30, "average": "sma"}
COMMISSION_RATE = 0.001
INITIAL_CASH = 100_000.0
SPEED_TARGET = 2.0
SPEED_GOAL = 10.0
LATENCY_TARGET = 0.050


@dataclass(frozen=True)
class Measured:
    name: str
    bars: int
    seconds: float
    fills: int = 0
    note: str = ""

    @property
    def rate(self) -> float:
        return self.bars / self.seconds


def sample_bars(last: int = 0) -> dict[str, Bars]:
    """The bundled sample's daily bars (the last ``last`` of each when > 0)."""
    from trademind.data.providers.sample import SAMPLE_SYMBOLS, sample_directory
    from trademind.services.backtest_bars import bars_from_frame

    result = {}
    for symbol in SAMPLE_SYMBOLS:
        with sample_directory().joinpath(f"{symbol}.csv").open("rb") as handle:
            raw = pd.read_csv(handle)
        raw = raw.tail(last) if last > 0 else raw
        frame = pd.DataFrame({"ts": pd.to_datetime(raw["Date"]).dt.tz_localize("UTC")})
        for column in ("open", "high", "low", "close", "volume"):
            frame[column] = raw[column.capitalize()].to_numpy(dtype="float64")
        result[symbol] = bars_from_frame(symbol, frame.reset_index(drop=True))
    return result


def synthetic_set(symbols: int, length: int) -> dict[str, Bars]:
    from benchmarks._backtest_children import portfolio_bars

    return {one.symbol: one for one in portfolio_bars(symbols, length)}


def backtest_config() -> BacktestConfig:
    return BacktestConfig(
        initial_cash=INITIAL_CASH,
        commission=PercentageCommission(COMMISSION_RATE),
        slippage=NoSlippage(),
    )


def run_backtrader(name: str, bars: Mapping[str, Bars]) -> Measured:
    from trademind.backtest.reference.backtrader_engine import run_backtrader as engine
    from trademind.strategies.registry import get_strategy, resolve

    strategy, values = get_strategy("ma_crossover"), resolve("ma_crossover", PARAMS)
    series = list(bars.values())
    started = time.perf_counter()
    signals = [strategy.signals(one, values) for one in series]
    outcome = engine(series, signals, backtest_config())
    seconds = time.perf_counter() - started
    log = outcome.log
    fills = int(len(log.entry_index) + np.count_nonzero(~np.asarray(log.is_open)))
    return Measured(f"backtrader {name}", sum(len(b.ts) for b in series), seconds, fills)


def timed_ours(
    label: str, database: Any, bars: Mapping[str, Bars], timeframe: str, *, paced: bool = False
) -> tuple[Measured, Replay]:
    replay = build_replay(
        database, bars, timeframe=timeframe, config=backtest_config(), params=PARAMS, paced=paced
    )
    summary = asyncio.run(replay.run())
    seconds = time.perf_counter() - replay.times.starts[0]
    return Measured(label, summary.counts.bars_this_run, seconds, len(summary.fills)), replay


Databases = Callable[[], AbstractContextManager[tuple[Any, Any]]]


def databases(postgres: bool) -> Iterator[tuple[str, Databases | None, str]]:
    yield "SQLite", sqlite_database, ""
    if not postgres:
        yield "PostgreSQL", None, "skipped (--no-postgres)"
        return
    reason = postgres_unreachable()
    yield "PostgreSQL", (None if reason else postgres_database), reason


def postgres_unreachable() -> str:
    """'' when the benchmark's PostgreSQL server answers, else why not."""
    import sqlalchemy as sa

    from benchmarks._databases import POSTGRES_SERVER

    try:
        engine = sa.create_engine(POSTGRES_SERVER, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
        engine.dispose()
    except Exception as error:  # any failure means: skip, and say why
        return f"skipped: PostgreSQL at 127.0.0.1:5432 unreachable ({type(error).__name__})"
    return ""


def warm_up() -> None:
    """Imports, numba caches, a first backtrader run and a first replay, untimed."""
    warm = sample_bars(200)
    run_backtrader("warm-up", warm)
    with sqlite_database() as (database, _):
        timed_ours("warm-up", database, warm, "1d")


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic-symbols", type=int, default=100)
    parser.add_argument("--synthetic-bars", type=int, default=500)
    parser.add_argument("--sample-bars", type=int, default=0, help="last N per symbol (0: all)")
    parser.add_argument("--no-postgres", action="store_true")
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    synthetic = f"synthetic x{args.synthetic_symbols}"
    sets = {
        "sample": (sample_bars(args.sample_bars), "1d"),
        synthetic: (
            synthetic_set(args.synthetic_symbols, args.synthetic_bars),
            "1m",
        ),
    }
    warm_up()
    passed = True
    latencies: list[float] = []
    for name, (bars, timeframe) in sets.items():
        reference = run_backtrader(name, bars)
        print(line(reference))
        for db_name, factory, reason in databases(not args.no_postgres):
            if factory is None:
                print(f"  ours {name} on {db_name}: {reason}")
                continue
            with factory() as (database, _):
                label = f"ours {name} on {db_name}"
                measured, replay = timed_ours(label, database, bars, timeframe)
            ratio = measured.rate / reference.rate
            passed &= ratio >= SPEED_TARGET
            print(line(measured) + f"  {ratio:6.2f}x backtrader" + fill_note(measured, reference))
            if name.startswith("synthetic") and db_name == "SQLite":
                latencies = replay.times.latencies()
    passed &= report_latency(
        f"bar close -> last order placed ({args.synthetic_symbols} symbols, SQLite, --speed max)",
        latencies,
    )
    with sqlite_database() as (database, _):
        _, paced = timed_ours("paced", database, sets[synthetic][0], "1m", paced=True)
    passed &= report_latency(
        f"bar close -> step committed ({args.synthetic_symbols} symbols, SQLite, one step per "
        "transaction as in paper mode)",
        paced.times.commit_latencies(),
    )
    print(
        f"targets: bars/s >= {SPEED_TARGET:.0f}x backtrader (goal {SPEED_GOAL:.0f}x) and "
        f"latency p99 <= {LATENCY_TARGET * 1e3:.0f} ms: {'met' if passed else 'NOT met'}"
    )
    return 0 if passed else 1


def report_latency(what: str, latencies: list[float]) -> bool:
    """Print p50 and p99 of ``latencies`` (seconds); whether p99 meets the target."""
    p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
    print(
        f"latency, {what}, {len(latencies)} steps with orders: p50 {p50 * 1e3:.2f} ms, "
        f"p99 {p99 * 1e3:.2f} ms (target <= {LATENCY_TARGET * 1e3:.0f} ms)"
    )
    return bool(latencies) and p99 <= LATENCY_TARGET


def line(measured: Measured) -> str:
    return (
        f"{measured.name:<40} {measured.bars:>9,} bars {measured.seconds:8.2f} s "
        f"{measured.rate:>10,.0f} bars/s  {measured.fills:>6} fills"
    )


def fill_note(ours: Measured, reference: Measured) -> str:
    if ours.fills == reference.fills:
        return ""
    return f"  (fills differ: {ours.fills} vs backtrader {reference.fills})"


if __name__ == "__main__":
    raise SystemExit(main())
