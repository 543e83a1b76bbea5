"""Printing and comparing the engine runs of benchmarks.backtest."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

QUANTITY_RTOL = 1e-9
EQUITY_RTOL = 1e-6
MEANINGFUL_EQUITY = 0.01
"""Equity at least this fraction of the starting cash counts as meaningful (see the issue)."""


@dataclass(frozen=True)
class EngineRun:
    """One child process: what it reported, its wall time and the kernel's peak RSS (KB)."""

    name: str
    bars: int
    result: dict[str, Any]
    wall_seconds: float
    tree_peak_kb: int

    @property
    def seconds(self) -> float:
        return float(self.result["seconds"])

    @property
    def bars_per_second(self) -> float:
        return self.bars / self.seconds

    @property
    def peak_mb(self) -> float:
        """The engine process's own peak RSS (``ru_maxrss`` of itself, in MB)."""
        return float(self.result["peak_rss_kb"]) / 1024.0

    @property
    def baseline_mb(self) -> float:
        """The process's peak before it loaded any data (MB)."""
        return float(self.result.get("baseline_kb", np.nan)) / 1024.0

    @property
    def run_mb(self) -> float:
        """Peak above the process's peak before it loaded any data (interpreter, libraries and
        compilation excluded): what the run itself needed."""
        return self.peak_mb - self.baseline_mb

    @property
    def trades(self) -> int:
        return int(self.result["entry_bar"].shape[0])

    @property
    def final_equity(self) -> float:
        return float(self.result["final_equity"])


@dataclass(frozen=True)
class Parity:
    """How two engines' trade lists compare."""

    same: bool
    detail: str


def print_runs(bars: int, runs: list[EngineRun]) -> None:
    print(f"backtest benchmark: ma_crossover 10/30 SMA, all-in, 0.1% commission, {bars:,} bars")
    print(
        f"{'engine':<11}{'run s':>9}{'cpu s':>9}{'bars/s':>14}{'signals s':>11}{'compile s':>11}"
        f"{'peak MB':>9}{'run MB':>8}{'tree MB':>9}{'trades':>8}  final equity"
    )
    for run in runs:
        print(
            f"{run.name:<11}{run.seconds:9.3f}{_opt(run.result['cpu_seconds']):>9}"
            f"{run.bars_per_second:14,.0f}"
            f"{_opt(run.result['signal_seconds']):>11}{_opt(run.result['compile_seconds']):>11}"
            f"{run.peak_mb:9.1f}{run.run_mb:8.1f}{run.tree_peak_kb / 1024:9.1f}{run.trades:8,}  "
            f"{run.final_equity:.6g}"
        )
    print(
        "run s: wall time of signals + simulation (vectorbt: simulation only, it gets the "
        "signals; bars/s use it); cpu s: the process's CPU time in it (the VM is shared); "
        "peak MB: the engine process's own ru_maxrss; run MB: peak minus the peak before "
        "loading data (after imports and warm-up); tree MB: the child tree's (wait4)"
    )


def _opt(value: Any) -> str:
    number = float(value)
    return "-" if np.isnan(number) else f"{number:.3f}"


def compare_trades(ours: EngineRun, other: EngineRun, initial_cash: float) -> Parity:
    """Entry/exit bars exact, quantities and prices to ``QUANTITY_RTOL``, final equity to
    ``EQUITY_RTOL``; when they part, say after how many trades and at what equity."""
    a, b = ours.result, other.result
    agree, detail = _common_prefix(a, b)
    equity_gap = abs(ours.final_equity - other.final_equity) / max(abs(other.final_equity), 1e-300)
    same = agree == ours.trades == other.trades and equity_gap <= EQUITY_RTOL
    equity = _equity_after_trades(a, initial_cash)
    below = np.flatnonzero(equity < MEANINGFUL_EQUITY * initial_cash)
    meaningful = int(below[0]) if below.size else int(equity.shape[0])
    if same:
        text = f"IDENTICAL ({ours.trades:,} trades; {detail})"
    else:
        at = f"{equity[agree - 1]:.3g}" if agree else f"{initial_cash:.3g}"
        text = (
            f"identical for the first {agree:,} of {ours.trades:,} / {other.trades:,} trades "
            f"({detail}), i.e. until our equity is {at}; then {_first_difference(a, b, agree)}"
        )
    print(
        f"trades {ours.name} vs {other.name}: {text}; final equity {ours.final_equity:.10g} vs "
        f"{other.final_equity:.10g} (relative gap {equity_gap:.1e}); equity stays >= "
        f"{MEANINGFUL_EQUITY:.0%} of the starting cash for the first {meaningful:,} trades"
    )
    return Parity(same, text)


def _common_prefix(a: dict[str, Any], b: dict[str, Any]) -> tuple[int, str]:
    """How many leading trades agree (bars exact, quantity and prices to the tolerance)."""
    count = min(a["entry_bar"].shape[0], b["entry_bar"].shape[0])
    differ = np.zeros(count, dtype=bool)
    for key in ("entry_bar", "exit_bar"):
        differ |= a[key][:count] != b[key][:count]
    gaps = {}
    for key in ("quantity", "entry_price", "exit_price"):
        x, y = a[key][:count], b[key][:count]
        gap = np.abs(x - y) / np.maximum(np.abs(y), 1e-300)
        gap = np.where(np.isnan(x) & np.isnan(y), 0.0, gap)
        differ |= ~(gap <= QUANTITY_RTOL)
        gaps[key] = gap
    agree = int(np.argmax(differ)) if differ.any() else count
    worst = ", ".join(
        f"max relative {key} gap {float(gap[:agree].max()) if agree else 0.0:.1e}"
        for key, gap in gaps.items()
    )
    return agree, worst


def _first_difference(a: dict[str, Any], b: dict[str, Any], index: int) -> str:
    def trade(result: dict[str, Any]) -> str:
        if index >= result["entry_bar"].shape[0]:
            return "no trade"
        return (
            f"bars {result['entry_bar'][index]}->{result['exit_bar'][index]} "
            f"qty {result['quantity'][index]:.6g}"
        )

    return f"trade {index:,}: {trade(a)} vs {trade(b)}"


def _equity_after_trades(result: dict[str, Any], initial_cash: float) -> np.ndarray:
    """Starting cash plus the net pnl of the closed trades so far, after each trade."""
    return initial_cash + np.cumsum(np.nan_to_num(result["pnl"]))


def print_extra(runs: list[EngineRun]) -> None:
    for run in runs:
        note = str(run.result.get("note", ""))
        trades = f", {run.trades:,} trades" if run.trades else ""
        print(
            f"{run.name}: {run.bars:,} bar-steps in {run.seconds:.3f} s "
            f"({run.bars_per_second:,.0f} bars/s), peak {run.peak_mb:.1f} MB{trades}"
            f"{'; ' + note if note else ''}"
        )


def memory_ratio(ours: EngineRun, reference: EngineRun) -> float:
    """Memory the run itself needs (``run_mb``: peak minus the peak after imports and
    warm-up), ours over the reference's; NaN when the reference reports no run memory."""
    if not reference.run_mb > 0.0:
        return float("nan")
    return ours.run_mb / reference.run_mb


def print_targets(
    runs: dict[str, EngineRun], parity: Parity, speed_target: float, memory_target: float
) -> bool:
    """PASS/FAIL of the three targets (parity, bars/s, run memory); True when all hold.

    Memory is judged on what the run needs: the peak above the process's baseline after its
    imports and warm-up. The peak itself is bound by numba's import floor (see
    :func:`print_floor`), which no numba engine can go below; it is printed beside."""
    ours, reference = runs["ours"], runs["backtrader"]
    speed = ours.bars_per_second / reference.bars_per_second
    cpu_speed = float(reference.result["cpu_seconds"]) / float(ours.result["cpu_seconds"])
    memory = memory_ratio(ours, reference)
    checks = {
        f"trades identical to backtrader: {parity.detail}": parity.same,
        f"bars/s ours/backtrader {speed:,.1f}x (target >= {speed_target:.0f}x; CPU time "
        f"backtrader/ours {cpu_speed:,.1f}x)": speed >= speed_target,
        f"memory the run needs (run MB) ours/backtrader {ours.run_mb:.1f}/"
        f"{reference.run_mb:.1f} MB = {memory:.3f} (target <= {memory_target})": memory
        <= memory_target,
    }
    for text, passed in checks.items():
        print(f"{'PASS' if passed else 'FAIL'}  {text}")
    print(
        f"info  peak memory ours/backtrader {ours.peak_mb:.1f}/{reference.peak_mb:.1f} MB = "
        f"{ours.peak_mb / reference.peak_mb:.3f} (bound by numba's import floor, below)"
    )
    if "vectorbt" in runs:
        vectorbt = runs["vectorbt"]
        simulation = ours.seconds - float(ours.result["signal_seconds"])
        print(
            f"info  bars/s ours/vectorbt {ours.bars_per_second / vectorbt.bars_per_second:.2f}x "
            f"incl. our signals, {vectorbt.seconds / simulation:.2f}x simulation only; "
            f"peak memory ours/vectorbt {ours.peak_mb / vectorbt.peak_mb:.2f}"
        )
    return all(checks.values())


def print_floor(floor: EngineRun, ours: EngineRun, reference: EngineRun) -> None:
    """The least any numba engine holding the bars needs (benchmarks/_numba_floor.py), beside
    the memory target: where the floor alone is above the target, no numba engine meets it."""
    print(
        f"info  numba floor (numpy + numba + one compiled function {floor.baseline_mb:.0f} MB, "
        f"then the bars loaded): peak {floor.peak_mb:.1f} MB = "
        f"{floor.peak_mb / reference.peak_mb:.3f} of backtrader's peak; ours is "
        f"{ours.peak_mb - floor.peak_mb:+.1f} MB above it"
    )
