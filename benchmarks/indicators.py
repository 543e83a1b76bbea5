"""The full indicator set on N bars: TradeMind's kernels against calling TA-Lib directly.

    uv run python -m benchmarks.indicators [--bars 1000000] [--repeat 5]

Both compute the same indicators (the configured default set) on the same arrays in the same
run; the best of ``--repeat`` runs is compared, after one warm-up call (numba compilation is
reported separately). Target: within 3x of raw TA-Lib.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np
import talib

from benchmarks.synthetic import synthetic_bars
from trademind.indicators.compute import compute_full
from trademind.indicators.spec import IndicatorSpec
from trademind.indicators.state import PriceArrays

TARGET = 3.0


def raw_talib(spec: IndicatorSpec, bars: PriceArrays) -> list[np.ndarray]:
    high, low, close, volume = bars.high, bars.low, bars.close, bars.volume
    out: list[np.ndarray] = [talib.RSI(close, spec.rsi_period)]
    out += list(talib.MACD(close, spec.macd_fast, spec.macd_slow, spec.macd_signal))
    out += [talib.SMA(close, period) for period in spec.sma_periods]
    out += [talib.EMA(close, period) for period in spec.ema_periods]
    out += list(talib.BBANDS(close, spec.bollinger_period, spec.bollinger_std, spec.bollinger_std))
    out.append(talib.ATR(high, low, close, spec.atr_period))
    out.append(talib.OBV(close, volume))
    out.append(volume / talib.SMA(volume, spec.volume_trend_period))
    out += list(
        talib.STOCH(
            high,
            low,
            close,
            fastk_period=spec.stoch_k_period,
            slowk_period=spec.stoch_k_smoothing,
            slowd_period=spec.stoch_d_period,
        )
    )
    return out


def best_of(repeat: int, work: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    spec = IndicatorSpec()
    bars = PriceArrays.from_frame(synthetic_bars(args.bars))
    started = time.perf_counter()
    compute_full(spec, PriceArrays.from_frame(synthetic_bars(500)))
    first_call = time.perf_counter() - started
    ours = best_of(args.repeat, lambda: compute_full(spec, bars))
    theirs = best_of(args.repeat, lambda: raw_talib(spec, bars))
    ratio = ours / theirs
    columns = len(compute_full(spec, bars).columns)
    print(f"indicator benchmark: {args.bars:,} bars, {columns} indicator columns")
    print(
        f"raw TA-Lib {theirs:6.3f} s | TradeMind {ours:6.3f} s | ours/TA-Lib {ratio:4.2f}x "
        f"(target <= {TARGET:.0f}x: {'PASS' if ratio <= TARGET else 'FAIL'}) | "
        f"first call incl. numba load/compile {first_call:5.2f} s"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
