"""One strategy on the same bars in TradeMind's engine, in backtrader and in vectorbt.

    uv run python -m benchmarks.backtest [--bars 1000000] [--repeat 3] [--no-vectorbt]
        [--symbols 500 --symbol-bars 2520] [--sweep-points 1000 --sweep-bars 100000]

``ma_crossover`` 10/30 (SMA), all-in, 0.1% commission, next-open fills, on ``--bars`` synthetic
one-minute bars (benchmarks/synthetic.py). Each engine runs in a child process of its own
(benchmarks/_backtest_children.py), started from this deliberately small process, so its peak
memory (its own ``ru_maxrss``) is its own. TradeMind and backtrader compute the signals with the
strategy's own ``signals()`` inside their process, timed with the run; backtrader gets them
through its standard ``PandasData`` feed (two extra lines). vectorbt (own environment: ``uv run
--no-project --with vectorbt --with pandas``, it pins a newer numba than pandas-ta) gets the very
same entries/exits from a .npz (benchmarks/_vectorbt_child.py has the settings that reproduce
next-open fills). A small run of each engine first fills numba's on-disk caches; each process
then warms up on made-up bars before loading data (compile time reported apart; "run MB" is
the peak above that point). Times are wall clock (the fastest of ``--repeat`` runs for
TradeMind and vectorbt; backtrader runs once), with the process's CPU time beside them.

Targets: TradeMind's trades identical to backtrader's (entry/exit bars, quantities and prices
to 1e-9 relative, final equity to 1e-6 relative); at least 100x backtrader's bars/s; the memory
the run itself needs ("run MB": the process's peak minus its peak after imports and warm-up)
at most a quarter of backtrader's. The peaks themselves are printed beside, with the numba floor
(benchmarks/_numba_floor.py: numpy, numba and one trivial compiled function, then the same bars
loaded, nothing of TradeMind's): the least any numba engine holding the bars needs, about a
quarter of backtrader's peak by itself, which is why the peak is not the target. Also
reported: the ratios to vectorbt, a 500-symbol x 2,520-bar portfolio run and a 1,000-point
sweep (trademind.backtest.research.sweep). All-in trading with 0.2% round-trip cost drives equity
towards zero over 1M random bars: TradeMind and backtrader keep trading (no small-equity
cut-off), quantities are compared relatively, and the report says for how many trades equity
stays at least 1% of the starting cash and, where engines part (vectorbt stops buying once the
account is down to ~1e-7 dollars), after how many trades and at what equity. Exit status 0
when parity, speed and run memory all hold, 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from benchmarks._backtest_report import EngineRun

# This process imports nothing heavy until every child has finished: a child starts with its
# parent's peak RSS in its own ru_maxrss, so a big parent would inflate every measurement.
ROOT = Path(__file__).resolve().parents[1]
INITIAL_CASH = 100_000.0
SPEED_TARGET = 100.0
MEMORY_TARGET = 0.25


def run_child(command: list[str], output: Path) -> tuple[Path, float, int]:
    """Run one child; its output file, wall time and the kernel's peak RSS of its tree (KB)."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT)  # noqa: S603  (our own fixed commands)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{command[3]}: the child process failed (exit {process.returncode})")
    return output, time.perf_counter() - started, usage.ru_maxrss


def children_command(engine: str, source: str, target: Path, repeat: int = 1) -> list[str]:
    module = "benchmarks._backtest_children"
    return [sys.executable, "-m", module, engine, source, str(target), str(repeat)]


def floor_command(source: Path, target: Path) -> list[str]:
    return [sys.executable, "-m", "benchmarks._numba_floor", str(source), str(target)]


def vectorbt_command(source: Path, target: Path, repeat: int = 1) -> list[str]:
    script = ROOT / "benchmarks" / "_vectorbt_child.py"
    return [
        "uv", "run", "--no-project", "--quiet", "--with", "vectorbt", "--with", "pandas",
        "python", str(script), str(source), str(target), str(repeat),
    ]  # fmt: skip


def warm_caches(work: Path, vectorbt: bool) -> None:
    """One small run of each engine first, so numba's on-disk caches are filled and the
    measured runs load compiled code instead of compiling (which would dominate their peak
    memory; a user's second run finds the cache warm too)."""
    source = work / "warm.npz"
    run_child(children_command("prepare", "2000", source), source)
    run_child(children_command("ours", str(source), work / "warm-ours.npz"), source)
    run_child(floor_command(source, work / "warm-floor.npz"), source)
    if vectorbt:
        run_child(vectorbt_command(source, work / "warm-vbt.npz"), source)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--no-vectorbt", action="store_true", help="skip the vectorbt run")
    parser.add_argument(
        "--repeat", type=int, default=3, help="ours and vectorbt: the fastest of N runs"
    )
    parser.add_argument("--symbols", type=int, default=500, help="portfolio run: symbols")
    parser.add_argument("--symbol-bars", type=int, default=2_520, help="portfolio run: bars each")
    parser.add_argument("--sweep-points", type=int, default=1_000)
    parser.add_argument("--sweep-bars", type=int, default=100_000)
    return parser.parse_args()


def main() -> int:
    args = parse_args()
    raw: dict[str, tuple[int, tuple[Path, float, int]]] = {}
    with tempfile.TemporaryDirectory(prefix="trademind-bench-") as scratch:
        work = Path(scratch)
        warm_caches(work, not args.no_vectorbt)
        source = work / "bars.npz"
        run_child(children_command("prepare", str(args.bars), source), source)
        for engine, repeat in (("ours", args.repeat), ("backtrader", 1)):
            target = work / f"{engine}.npz"
            command = children_command(engine, str(source), target, repeat)
            raw[engine] = (args.bars, run_child(command, target))
        raw["floor"] = (args.bars, run_child(floor_command(source, work / "f.npz"), work / "f.npz"))
        if not args.no_vectorbt:
            target = work / "vectorbt.npz"
            command = vectorbt_command(source, target, args.repeat)
            raw["vectorbt"] = (args.bars, run_child(command, target))
        extras = {
            "portfolio": (args.symbols, args.symbol_bars),
            "sweep": (args.sweep_points, args.sweep_bars),
        }
        for engine, (count, length) in extras.items():
            target = work / f"{engine}.npz"
            command = children_command(engine, f"{count}x{length}", target)
            raw[engine] = (count * length, run_child(command, target))
        runs = {name: load_run(name, bars, *child) for name, (bars, child) in raw.items()}
    return report(args.bars, runs)


def load_run(name: str, bars: int, output: Path, wall: float, tree_kb: int) -> EngineRun:
    import numpy as np

    from benchmarks._backtest_report import EngineRun

    with np.load(output) as loaded:
        result: dict[str, Any] = {key: loaded[key] for key in loaded.files}
    return EngineRun(name, bars, result, wall, tree_kb)


def report(bars: int, runs: dict[str, EngineRun]) -> int:
    from benchmarks._backtest_report import (
        compare_trades,
        print_extra,
        print_floor,
        print_runs,
        print_targets,
    )

    engines = [runs[name] for name in ("ours", "backtrader", "vectorbt") if name in runs]
    print_runs(bars, engines)
    parity = compare_trades(runs["ours"], runs["backtrader"], INITIAL_CASH)
    if "vectorbt" in runs:
        compare_trades(runs["ours"], runs["vectorbt"], INITIAL_CASH)
    print_extra([runs["portfolio"], runs["sweep"]])
    passed = print_targets(runs, parity, SPEED_TARGET, MEMORY_TARGET)
    print_floor(runs["floor"], runs["ours"], runs["backtrader"])
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
