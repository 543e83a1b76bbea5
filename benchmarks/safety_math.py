"""The risk mathematics of one pre-trade check: per-order latency against a no-op, same run.

    uv run python -m benchmarks.safety_math [--positions 50] [--days 250] [--orders 5000]

Per bar (timed as one unit, reported apart): :meth:`ReturnsWindow.build` on days x positions
daily returns (validation, the NaN policy, means, covariance, correlation), the current
position vector, :class:`HeldCorrelations` of the held positions and the :class:`HeatReport` of
their stops. Per order (what is timed, ``--orders`` times, a random candidate symbol and size
each): the post-trade vector, historical VaR and CVaR at 95% and 99%, parametric VaR and CVaR
at 95% and 99%, the candidate's correlation with the held positions, and the post-trade heat
(the candidate's position after the order replacing its current one). The no-op is an empty
function called through the same timing loop (the floor of the measurement). Both report p50
and p99 in microseconds. Target: p99 of the per-order work at most 500 us (half the 1 ms the
issue gives the whole pre-trade chain).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from trademind.safety.exposure import (
    HeatReport,
    HeldCorrelations,
    StopRisk,
    heat,
    heat_after,
)
from trademind.safety.risk_math import ReturnsWindow

TARGET_P99_US = 500.0


def percentiles_us(work: Callable[[int], object], calls: int) -> tuple[float, float]:
    times = np.empty(calls)
    for i in range(calls):
        started = time.perf_counter()
        work(i)
        times[i] = time.perf_counter() - started
    p50, p99 = np.percentile(times, [50, 99]) * 1e6
    return float(p50), float(p99)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--positions", type=int, default=50)
    parser.add_argument("--days", type=int, default=250)
    parser.add_argument("--orders", type=int, default=5000)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(42)
    symbols = [f"S{i:03d}" for i in range(args.positions)]
    market = rng.normal(0.0004, 0.01, (args.days, 1))
    returns = 0.8 * market + rng.normal(0.0, 0.012, (args.days, args.positions))
    quantities = rng.integers(-200, 500, args.positions).astype(float)
    prices = rng.uniform(20.0, 400.0, args.positions)
    stops = np.where(quantities >= 0, prices * 0.95, prices * 1.05)
    values = dict(zip(symbols, (quantities * prices).tolist(), strict=True))
    equity = float(np.abs(quantities * prices).sum())
    stop_risks = [
        StopRisk(s, q, p, st)
        for s, q, p, st in zip(symbols, quantities, prices, stops, strict=True)
    ]
    candidates = rng.integers(0, args.positions, args.orders)
    sizes = rng.integers(-100, 100, args.orders).astype(float)

    def per_bar(_: int) -> tuple[ReturnsWindow, np.ndarray, HeldCorrelations, HeatReport]:
        window = ReturnsWindow.build(symbols, returns, min_days=args.days // 2)
        held = HeldCorrelations.build(window, values)
        return window, window.vector(values), held, heat(stop_risks, equity)

    window, vector, held, current_heat = per_bar(0)

    def per_order(i: int) -> object:
        index = int(candidates[i])
        symbol, price = symbols[index], float(prices[index])
        quantity = float(quantities[index] + sizes[i])
        after = window.with_order(vector, symbol, float(sizes[i]) * price)
        figures = window.historical(after) + window.parametric(after)
        position = StopRisk(symbol, quantity, price, float(stops[index]))
        return figures, held.of(symbol), heat_after(current_heat, position, equity)

    def no_op(_: int) -> object:
        return None

    for work in (per_bar, per_order, no_op):  # warm-up
        percentiles_us(work, 200)
    bar_p50, bar_p99 = percentiles_us(per_bar, 500)
    order_p50, order_p99 = percentiles_us(per_order, args.orders)
    noop_p50, noop_p99 = percentiles_us(no_op, args.orders)
    passed = order_p99 <= TARGET_P99_US
    print(
        f"safety math benchmark: {args.positions} positions x {args.days} days, "
        f"{args.orders} orders"
    )
    print(
        f"per bar   (window, vector, held correlations, heat) p50 {bar_p50:7.1f} us "
        f"| p99 {bar_p99:7.1f} us"
    )
    print(
        f"per order (VaR/CVaR x2 methods x2 levels, correlation, heat) p50 {order_p50:6.1f} us "
        f"| p99 {order_p99:6.1f} us (target <= {TARGET_P99_US:.0f} us: "
        f"{'PASS' if passed else 'FAIL'})"
    )
    print(
        f"no-op     p50 {noop_p50:6.2f} us | p99 {noop_p99:6.2f} us | "
        f"per-order p99 / no-op p99 {order_p99 / max(noop_p99, 1e-3):,.0f}x"
    )
    return 0 if passed else 1


if __name__ == "__main__":
    raise SystemExit(main())
