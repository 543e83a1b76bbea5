"""vectorbt's ``Portfolio.from_signals`` on the benchmark's bars and signals (own environment).

    uv run --no-project --with vectorbt --with pandas \
        python benchmarks/_vectorbt_child.py IN.npz OUT.npz [REPEAT]

vectorbt pins a newer numba than pandas-ta, so this script runs outside the project
environment and imports nothing of TradeMind. IN is the .npz the benchmark wrote (bars plus the
strategy's entries/exits, computed once by TradeMind); OUT receives the trades and timings.

Settings that reproduce TradeMind's semantics (intent at the close of bar t, market order filled
at the open of bar t+1, all-in, percentage commission):

* entries/exits shifted forward by one bar (the signal of bar t acts on bar t+1; a signal on
  the last bar is dropped) and ``price=open``: the order fills at that bar's open;
* ``size=np.inf`` with ``fees=rate``: buy as much as cash allows *including* the fee, i.e.
  ``cash / (open * (1 + rate))``, sell the whole position; ``direction="longonly"``,
  ``accumulate=False`` (an entry while long and an exit while flat are ignored);
* ``close=close`` values the open position at each bar's close (final equity at the last close).
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import vectorbt as vbt


def shifted(signal: np.ndarray) -> np.ndarray:
    out = np.zeros_like(signal)
    out[1:] = signal[:-1]
    return out


def simulate(data: dict[str, np.ndarray], rate: float, cash: float) -> vbt.Portfolio:
    """Plain arrays, no DatetimeIndex: wrapping a tz-aware index costs vectorbt seconds per
    million bars in pandas (object conversion), which is not the simulation."""
    return vbt.Portfolio.from_signals(
        close=data["close"],
        entries=shifted(data["entries"]),
        exits=shifted(data["exits"]),
        price=data["open"],
        size=np.inf,
        fees=rate,
        init_cash=cash,
        direction="longonly",
        accumulate=False,
    )


def warmup_data(count: int = 500) -> dict[str, np.ndarray]:
    """Made-up bars and signals to compile on before any data is loaded."""
    close = 100.0 + 10.0 * np.sin(np.arange(count) / 15.0)
    entries = np.zeros(count, dtype=bool)
    exits = np.zeros(count, dtype=bool)
    entries[::40], exits[20::40] = True, True
    ts = np.arange(count, dtype=np.int64) * 60_000_000_000
    return {"ts": ts, "open": close, "close": close, "entries": entries, "exits": exits}


def peak_kb() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main() -> int:
    source, target = sys.argv[1], sys.argv[2]
    repeat = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    started = time.perf_counter()
    simulate(warmup_data(), 0.001, 100_000.0).final_value()
    compile_seconds = time.perf_counter() - started
    baseline_kb = peak_kb()
    with np.load(source) as loaded:
        data = {name: loaded[name] for name in ("ts", "open", "close", "entries", "exits")}
        rate, cash = float(loaded["commission_rate"]), float(loaded["initial_cash"])
    seconds = cpu_seconds = np.inf
    for _ in range(repeat):  # the fastest of ``repeat`` runs (the VM is shared and noisy)
        portfolio = None
        started, cpu = time.perf_counter(), time.process_time()
        portfolio = simulate(data, rate, cash)
        final_equity = float(portfolio.final_value())
        elapsed, used = time.perf_counter() - started, time.process_time() - cpu
        if elapsed < seconds:
            seconds, cpu_seconds = elapsed, used
    records = portfolio.trades.records
    is_open = records["status"] == 0
    np.savez(
        target,
        entry_bar=records["entry_idx"].astype(np.int64),
        exit_bar=np.where(is_open, -1, records["exit_idx"]).astype(np.int64),
        quantity=records["size"].astype(np.float64),
        entry_price=records["entry_price"].astype(np.float64),
        exit_price=np.where(is_open, np.nan, records["exit_price"]).astype(np.float64),
        pnl=np.where(is_open, np.nan, records["pnl"]).astype(np.float64),
        final_equity=final_equity,
        seconds=seconds,
        cpu_seconds=cpu_seconds,
        signal_seconds=np.nan,
        compile_seconds=compile_seconds,
        peak_rss_kb=peak_kb(),
        baseline_kb=baseline_kb,
        version=vbt.__version__,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
