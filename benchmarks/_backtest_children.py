"""The child processes of benchmarks.backtest: one engine per process, so peak memory is its own.

    python -m benchmarks._backtest_children ENGINE SOURCE OUT.npz [REPEAT]

``prepare N``: write N synthetic bars and their signals to OUT. ``ours`` / ``backtrader``
(SOURCE: that .npz): each computes the strategy's signals itself with the strategy's own
``signals()``, as ``backtest run`` does. ``portfolio 500x2520`` (symbols x bars) and ``sweep
1000x100000`` (points x bars) build their own synthetic bars. OUT receives the trades (bar
indexes, quantity, prices, net pnl), the final equity, the timings and the process's own peak
RSS.
Numba compilation (signals and engine) is warmed up on 500 bars first and reported apart.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from trademind.backtest.engine.config import BacktestConfig
from trademind.core.clock import LiveClock
from trademind.fills.commission import PercentageCommission
from trademind.fills.slippage import NoSlippage
from trademind.strategies.base import Bars, Signals

if TYPE_CHECKING:
    from collections.abc import Callable

    from trademind.backtest.engine.outcome import BacktestOutcome

Arrays = dict[str, Any]
PARAMS = {"fast": 10, "slow": 30, "average": "sma"}
COMMISSION_RATE = 0.001
INITIAL_CASH = 100_000.0


def load_input(path: Path) -> tuple[Bars, Arrays]:
    with np.load(path) as loaded:
        data = {name: loaded[name] for name in loaded.files}
    columns = ("ts", "open", "high", "low", "close", "volume")
    bars = Bars(str(data["symbol"]), *(data[name] for name in columns))
    return bars, data


def write_input(path: Path, count: int) -> None:
    """The benchmark's bars, parameters and (for vectorbt) the strategy's signals, as .npz;
    a child of its own, so the parent stays small (a child inherits its parent's peak RSS)."""
    from benchmarks.synthetic import synthetic_bars
    from trademind.services.backtest_bars import bars_from_frame

    bars = bars_from_frame("SYN", synthetic_bars(count))
    signals = strategy_signals(bars)
    np.savez(
        path,
        symbol="SYN",
        ts=bars.ts,
        open=bars.open,
        high=bars.high,
        low=bars.low,
        close=bars.close,
        volume=bars.volume,
        entries=signals.entries,
        exits=signals.exits,
        commission_rate=COMMISSION_RATE,
        initial_cash=INITIAL_CASH,
    )


def config_of(data: Arrays, **changes: Any) -> BacktestConfig:
    return BacktestConfig(
        initial_cash=float(data["initial_cash"]),
        commission=PercentageCommission(float(data["commission_rate"])),
        slippage=NoSlippage(),
        **changes,
    )


def strategy_signals(bars: Bars, params: dict[str, Any] | None = None) -> Signals:
    from trademind.strategies.registry import get_strategy, resolve

    values = resolve("ma_crossover", params or PARAMS)
    return get_strategy("ma_crossover").signals(bars, values)


def log_arrays(outcome: BacktestOutcome) -> Arrays:
    log = outcome.log
    return {
        "entry_bar": log.entry_index,
        "exit_bar": log.exit_index,
        "quantity": log.quantity,
        "entry_price": log.entry_price,
        "exit_price": log.exit_price,
        "pnl": np.where(log.is_open, np.nan, log.pnl),
        "final_equity": outcome.final_equity,
    }


def warmup_bars(count: int = 500) -> Bars:
    """Made-up bars (a wave, so averages cross) to compile on before any data is loaded."""
    close = 100.0 + 10.0 * np.sin(np.arange(count) / 15.0)
    ts = np.arange(count, dtype=np.int64) * 60_000_000_000
    return Bars("WARM", ts, close, close * 1.001, close * 0.999, close, np.full(count, 1e6))


def peak_kb() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def timed_run(bars: Bars, config: BacktestConfig, engine: Any) -> tuple[Any, Arrays]:
    """Signals + engine once: the outcome and the wall, CPU and signal times."""
    started, cpu = time.perf_counter(), time.process_time()
    signals = strategy_signals(bars)
    signal_seconds = time.perf_counter() - started
    outcome = engine([bars], [signals], config)
    seconds = time.perf_counter() - started
    return outcome, {
        "seconds": seconds,
        "cpu_seconds": time.process_time() - cpu,
        "signal_seconds": signal_seconds,
    }


def run_single(source: Path, engine: Any, repeat: int) -> Arrays:
    """Warm up (imports, numba) on made-up bars, then load the data and time signals + engine
    (the fastest of ``repeat`` runs: the VM is shared and noisy).

    ``baseline_kb`` is the peak before any data was loaded: the interpreter and libraries.
    """
    config = config_of({"initial_cash": INITIAL_CASH, "commission_rate": COMMISSION_RATE})
    started = time.perf_counter()
    warm = warmup_bars()
    engine([warm], [strategy_signals(warm)], config)
    compile_seconds = time.perf_counter() - started
    baseline_kb = peak_kb()
    bars, data = load_input(source)
    config = config_of(data)
    outcome, best = None, None
    for _ in range(repeat):
        outcome = None  # the previous run's arrays go before the next run allocates its own
        outcome, times = timed_run(bars, config, engine)
        if best is None or times["seconds"] < best["seconds"]:
            best = times
    if outcome is None or best is None:
        raise SystemExit("repeat must be at least 1")
    return (
        log_arrays(outcome)
        | best
        | {
            "compile_seconds": compile_seconds,
            "baseline_kb": baseline_kb,
            "repeat": repeat,
        }
    )


def run_ours(source: Path, repeat: int) -> Arrays:
    from trademind.backtest.engine.run import run_backtest

    return run_single(source, run_backtest, repeat)


def run_backtrader(source: Path, repeat: int) -> Arrays:
    from trademind.backtest.reference.backtrader_engine import run_backtrader as engine

    return run_single(source, engine, repeat)


def portfolio_bars(symbols: int, length: int) -> list[Bars]:
    """``symbols`` synthetic series of ``length`` bars on one shared calendar."""
    from benchmarks.synthetic import synthetic_bars
    from trademind.services.backtest_bars import bars_from_frame

    frame = synthetic_bars(symbols * length)
    ts = frame["ts"].iloc[:length].reset_index(drop=True)
    result = []
    for k in range(symbols):
        part = frame.iloc[k * length : (k + 1) * length].reset_index(drop=True)
        part["ts"] = ts
        result.append(bars_from_frame(f"S{k:03d}", part))
    return result


def sizes(source: Path) -> tuple[int, int]:
    """``"500x2520"`` -> (500, 2520)."""
    first, second = str(source).split("x")
    return int(first), int(second)


def extra_config(**changes: Any) -> BacktestConfig:
    data = {"initial_cash": INITIAL_CASH, "commission_rate": COMMISSION_RATE}
    return config_of(data, **changes)


def run_portfolio(source: Path, repeat: int) -> Arrays:
    """One account over every symbol, 0.2% of equity per entry (all-in would be degenerate)."""
    from trademind.backtest.engine.run import run_backtest
    from trademind.fills.sizing import FixedFraction

    symbols, length = sizes(source)
    bars = portfolio_bars(symbols, length)
    config = extra_config(sizing=FixedFraction(0.002))
    started = time.perf_counter()
    run_backtest(bars[:2], [strategy_signals(one) for one in bars[:2]], config)
    compile_seconds = time.perf_counter() - started
    started = time.perf_counter()
    signals = [strategy_signals(one) for one in bars]
    signal_seconds = time.perf_counter() - started
    outcome = run_backtest(bars, signals, config)
    seconds = time.perf_counter() - started
    note = f"{symbols} symbols x {length:,} bars, fixed fraction 0.2% of equity per entry"
    return log_arrays(outcome) | {
        "seconds": seconds,
        "signal_seconds": signal_seconds,
        "compile_seconds": compile_seconds,
        "note": note,
    }


def sweep_candidates(points: int) -> list[dict[str, Any]]:
    """``points`` (fast, slow) pairs: fast 2.., slow 45..; every pair valid (slow > fast)."""
    fast_values = range(2, 42)
    slow_count = -(-points // len(fast_values))
    pairs = [(f, s) for f in fast_values for s in range(45, 45 + slow_count)][:points]
    return [{"fast": f, "slow": s, "average": "sma"} for f, s in pairs]


def run_sweep(source: Path, repeat: int) -> Arrays:
    """trademind.backtest.research.sweep over a grid, on bars stored in a throw-away SQLite file."""
    from benchmarks._databases import sqlite_database
    from benchmarks.synthetic import synthetic_bars
    from trademind.backtest.research.parallel import default_workers
    from trademind.backtest.research.runner import RunSpec
    from trademind.backtest.research.sweep import sweep
    from trademind.data.store import BarStore
    from trademind.services.backtest_bars import DataRef

    points, length = sizes(source)
    candidates = sweep_candidates(points)
    with sqlite_database() as (database, _):
        BarStore(database).upsert_bars(
            "SYN", "1m", "synthetic", synthetic_bars(length), now=LiveClock().now()
        )
        ref = DataRef(database.url, ("SYN",), "1m")
        spec = RunSpec("ma_crossover", {}, extra_config())
        sweep(ref, spec, candidates[:2], workers=1)  # warm-up: compile in this process
        started = time.perf_counter()
        result = sweep(ref, spec, candidates, metric="sharpe")
        seconds = time.perf_counter() - started
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    best = result.best.params if result.best else {}
    note = (
        f"{len(result.trials):,} runs of ma_crossover on {length:,} bars with "
        f"trademind.backtest.research.sweep on {default_workers()} worker processes "
        f"(largest worker "
        f"{children / 1024:.0f} MB); best sharpe at {dict(best)}"
    )
    empty = np.empty(0)
    return {
        "entry_bar": empty,
        "exit_bar": empty,
        "pnl": empty,
        "final_equity": np.nan,
        "seconds": seconds,
        "signal_seconds": np.nan,
        "compile_seconds": np.nan,
        "note": note,
    }


ENGINES: dict[str, Callable[[Path, int], Arrays]] = {
    "ours": run_ours,
    "backtrader": run_backtrader,
    "portfolio": run_portfolio,
    "sweep": run_sweep,
}


def main() -> int:
    engine, source, target = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if engine == "prepare":
        write_input(target, int(str(source)))
        return 0
    repeat = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    result = ENGINES[engine](source, repeat)
    result["peak_rss_kb"] = peak_kb()
    np.savez(target, **result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
