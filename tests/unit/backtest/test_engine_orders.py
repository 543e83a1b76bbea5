"""Engine fills, hand-computed: market (next open, close), limit/stop/stop-limit with gaps,
DAY/GTC expiry, partial fills under the volume cap, commissions, slippage, latency."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.engine.outcome import BacktestOutcome
from trademind.backtest.engine.run import run_backtest
from trademind.fills import (
    FixedBpsSlippage,
    NoSlippage,
    PercentageCommission,
    PerShareCommission,
    VolumeCap,
    ZeroCommission,
)
from trademind.fills.sizing import FixedCash
from trademind.strategies.base import Bars, Signals

DAY = 86_400 * 10**9
MINUTE = 60 * 10**9
FREE = BacktestConfig(initial_cash=10_000.0, commission=ZeroCommission(), slippage=NoSlippage())


def make_bars(rows: Sequence[Sequence[float]], *, step: int = DAY, start: int = 0) -> Bars:
    """Bars from (open, high, low, close[, volume]) rows."""
    table = np.array([(*row, 1e9) if len(row) == 4 else row for row in rows], dtype=float)
    ts = start + np.arange(len(table), dtype=np.int64) * step
    return Bars("X", ts, *(table[:, k].copy() for k in range(5)))


def make_signals(size: int, entries: Sequence[int] = (), exits: Sequence[int] = ()) -> Signals:
    entry = np.zeros(size, dtype=bool)
    exit_ = np.zeros(size, dtype=bool)
    entry[list(entries)] = True
    exit_[list(exits)] = True
    return Signals(
        entry, exit_, entry.astype(float), np.zeros(size, np.int16), np.full(size, np.nan)
    )


def flat(price: float) -> tuple[float, float, float, float]:
    return (price, price, price, price)


def run(
    rows: Sequence[Sequence[float]],
    entries: Sequence[int],
    exits: Sequence[int] = (),
    config: BacktestConfig = FREE,
    **kw: int,
) -> BacktestOutcome:
    bars = make_bars(rows, **kw)
    return run_backtest([bars], [make_signals(len(bars), entries, exits)], config)


ROWS = [
    flat(10.0),
    (11.0, 11.5, 10.5, 11.2),
    (12.0, 12.5, 11.5, 12.4),
    (13.0, 13.0, 12.0, 12.5),
    flat(14.0),
]


def test_next_open_all_in_with_percentage_commission() -> None:
    config = FREE.replace(commission=PercentageCommission(0.001))
    out = run(ROWS, entries=[0], exits=[2], config=config)
    (trade,) = out.trades()
    quantity = 10_000.0 / (11.0 * 1.001)  # all cash at the next open, commission included
    assert trade.quantity == pytest.approx(quantity, rel=1e-15)
    assert trade.entry_price == 11.0
    assert trade.exit_price == 13.0
    assert trade.entry_time == out.trades()[0].entry_time
    assert (trade.entry_time.day, trade.exit_time.day) == (2, 4)  # type: ignore[union-attr]
    commission = 0.001 * quantity * (11.0 + 13.0)
    assert trade.commission == pytest.approx(commission, rel=1e-12)
    assert trade.pnl == pytest.approx(quantity * 2.0 - commission, rel=1e-12)
    assert trade.bars_held == 2
    assert out.cash[1] == pytest.approx(0.0, abs=1e-9)
    assert out.cash[1] >= 0.0  # all-in never spends more than the cash
    assert out.equity[1] == pytest.approx(quantity * 11.2, rel=1e-12)  # valued at the close
    assert out.final_equity == pytest.approx(10_000.0 + trade.pnl, rel=1e-12)


def test_close_mode_fills_at_the_signal_close() -> None:
    out = run(ROWS, entries=[1], exits=[3], config=FREE.replace(fill_price="close"))
    (trade,) = out.trades()
    assert (trade.entry_price, trade.exit_price) == (11.2, 12.5)
    assert trade.quantity == pytest.approx(10_000.0 / 11.2)


def test_signals_while_holding_or_flat_do_nothing() -> None:
    out = run(ROWS, entries=[0, 1], exits=[2, 3])  # second entry while long, exit while flat
    assert len(out.log) == 1
    assert out.counts.orders == 2


def test_open_position_at_the_end_is_reported_open_and_valued_at_the_last_close() -> None:
    out = run(ROWS, entries=[1])
    (trade,) = out.trades()
    assert trade.is_open
    assert trade.exit_time is None
    assert trade.exit_price is None
    assert trade.exit_reason is None
    assert trade.pnl == pytest.approx(trade.quantity * (14.0 - 12.0))
    assert out.final_equity == pytest.approx(10_000.0 + trade.pnl)
    assert out.unrealised_pnl == pytest.approx(trade.pnl)


def test_order_on_the_last_bar_never_fills() -> None:
    out = run(ROWS, entries=[4])
    assert len(out.log) == 0
    assert out.counts.open_at_end == 1


@pytest.mark.parametrize(
    ("order_type", "next_bar", "expected"),
    [
        ("limit", (10.1, 10.2, 9.7, 10.0), 9.8),  # limit 9.8 reached inside the bar
        ("limit", (9.5, 9.9, 9.4, 9.6), 9.5),  # gap down through the limit: the open
        ("stop", (10.1, 10.3, 10.0, 10.2), 10.2),  # stop 10.2 inside the bar
        ("stop", (10.5, 10.7, 10.4, 10.6), 10.5),  # gap up through the stop: the open
        ("stop_limit", (10.1, 10.3, 10.0, 10.2), 10.2),  # triggered at 10.2 <= limit 10.251
        ("stop_limit", (10.4, 10.5, 10.22, 10.3), 10.251),  # gap over both, back to the limit
    ],
)
def test_limit_and_stop_entries(
    order_type: str, next_bar: tuple[float, ...], expected: float
) -> None:
    config = FREE.replace(order_type=order_type, limit_offset=0.02, stop_offset=0.02)
    if order_type == "stop_limit":
        config = config.replace(limit_offset=0.005)  # stop 10.2, limit 10.251
    out = run([flat(10.0), next_bar, flat(10.0)], entries=[0], config=config)
    assert out.log.entry_price[0] == pytest.approx(expected)
    assert out.log.entry_index[0] == 1


def test_limit_not_reached_does_not_fill() -> None:
    config = FREE.replace(order_type="limit", limit_offset=0.05, time_in_force="gtc")
    out = run([flat(10.0), (10.0, 10.1, 9.6, 9.8), flat(9.7)], entries=[0], config=config)
    assert len(out.log) == 0
    assert out.counts.open_at_end == 1


LIMIT_LATER = [flat(10.0), (10.0, 10.1, 9.9, 10.0), (9.9, 9.95, 9.7, 9.8), flat(9.8)]


def test_day_limit_on_daily_bars_expires_after_one_bar() -> None:
    config = FREE.replace(order_type="limit", limit_offset=0.02, time_in_force="day")
    out = run(LIMIT_LATER, entries=[0], config=config)
    assert len(out.log) == 0
    assert out.counts.expired == 1


def test_gtc_limit_waits_for_its_price() -> None:
    config = FREE.replace(order_type="limit", limit_offset=0.02, time_in_force="gtc")
    out = run(LIMIT_LATER, entries=[0], config=config)
    assert out.log.entry_index[0] == 2
    assert out.log.entry_price[0] == pytest.approx(9.8)
    assert out.counts.expired == 0


SESSION_1 = 1_704_205_800 * 10**9  # 2024-01-02 14:30 UTC (09:30 New York)
SESSION_2 = SESSION_1 + DAY


def intraday(rows_day1: Sequence[Sequence[float]], rows_day2: Sequence[Sequence[float]]) -> Bars:
    first, second = (
        make_bars(rows_day1, step=MINUTE, start=SESSION_1),
        make_bars(rows_day2, step=MINUTE, start=SESSION_2),
    )
    columns = [
        np.concatenate([getattr(first, n), getattr(second, n)])
        for n in ("ts", "open", "high", "low", "close", "volume")
    ]
    return Bars("X", *columns)


@pytest.mark.parametrize(("tif", "fills"), [("day", False), ("gtc", True)])
def test_intraday_day_order_dies_with_its_session(tif: str, fills: bool) -> None:
    bars = intraday([flat(10.0)] * 4, [flat(10.0), flat(9.7), flat(9.7)])
    config = FREE.replace(order_type="limit", limit_offset=0.02, time_in_force=tif)
    out = run_backtest([bars], [make_signals(len(bars), [1])], config)
    assert (len(out.log) == 1) is fills
    assert out.counts.expired == (0 if fills else 1)


def test_intraday_day_order_fills_later_in_its_session() -> None:
    bars = intraday([flat(10.0), flat(10.0), flat(10.0), flat(9.7)], [flat(9.7)])
    config = FREE.replace(order_type="limit", limit_offset=0.02, time_in_force="day")
    out = run_backtest([bars], [make_signals(len(bars), [0])], config)
    assert out.log.entry_index[0] == 3
    assert out.log.entry_price[0] == pytest.approx(9.7)


PARTIAL = [(100.0, 100.0, 100.0, 100.0, 100.0)] * 6  # volume 100 per bar


@pytest.mark.parametrize(("tif", "quantity", "fills"), [("gtc", 25.0, 3), ("day", 10.0, 1)])
def test_volume_cap_fills_in_parts(tif: str, quantity: float, fills: int) -> None:
    config = FREE.replace(sizing=FixedCash(2500.0), volume_cap=VolumeCap(0.1), time_in_force=tif)
    out = run(PARTIAL, entries=[0], config=config)
    assert out.log.quantity[0] == quantity  # 10 shares per bar: 10 + 10 + 5 (GTC)
    assert out.counts.fills == fills
    assert out.counts.expired == (1 if tif == "day" else 0)
    assert out.cash[1] == 10_000.0 - 1000.0
    if tif == "gtc":
        assert out.cash[3] == 10_000.0 - 2500.0


def test_volume_capped_exit_sells_over_several_bars() -> None:
    config = FREE.replace(sizing=FixedCash(2500.0), volume_cap=VolumeCap(0.1), time_in_force="gtc")
    rows = [(100.0, 100.0, 100.0, 100.0, 100.0)] * 4 + [(100.0, 100.0, 100.0, 110.0, 100.0)] * 4
    out = run(rows, entries=[0], exits=[4], config=config)
    (trade,) = out.trades()
    assert trade.quantity == 25.0
    assert trade.exit_time is not None
    assert out.log.exit_index[0] == 7  # 10 at bar 5, 10 at bar 6, 5 at bar 7
    assert trade.exit_price == pytest.approx(100.0)
    assert out.counts.partial_fills == 4  # two on the way in, two on the way out


def test_partial_fills_pay_the_per_order_minimum_once() -> None:
    ibkr = PerShareCommission(per_share=0.005, minimum=1.0, maximum_fraction=0.01)
    config = FREE.replace(
        sizing=FixedCash(2500.0), volume_cap=VolumeCap(0.1), time_in_force="gtc", commission=ibkr
    )
    out = run(PARTIAL, entries=[0], config=config)
    assert out.log.quantity[0] == 25.0
    assert out.log.commission[0] == pytest.approx(1.0)  # 25 * 0.005 = 0.125 -> $1, once


@pytest.mark.parametrize(
    ("per_share", "price", "expected"),
    [
        (0.005, 10.0, 1.0),  # 100 shares: $0.50 raised to the $1 minimum
        (0.01, 0.5, 10.0),  # 2000 shares: $20 capped at 1% of $1000
        (0.005, 1.0, 5.0),  # 1000 shares: $5, between minimum and cap ($10)
    ],
)
def test_per_share_commission_minimum_and_cap(
    per_share: float, price: float, expected: float
) -> None:
    ibkr = PerShareCommission(per_share=per_share, minimum=1.0, maximum_fraction=0.01)
    config = FREE.replace(sizing=FixedCash(1000.0), commission=ibkr)
    out = run([flat(price)] * 3, entries=[0], config=config)
    assert out.log.commission[0] == pytest.approx(expected)
    assert out.cash[1] == pytest.approx(10_000.0 - 1000.0 - expected)


def test_fixed_bps_slippage_costs_both_legs() -> None:
    config = FREE.replace(slippage=FixedBpsSlippage(10.0))
    out = run(ROWS, entries=[0], exits=[2], config=config)
    (trade,) = out.trades()
    assert trade.entry_price == pytest.approx(11.0 * 1.001)
    assert trade.exit_price == pytest.approx(13.0 * 0.999)
    assert trade.slippage == pytest.approx(trade.quantity * (0.011 + 0.013))
    assert out.total_slippage == pytest.approx(trade.slippage)


@pytest.mark.parametrize(
    ("latency", "step", "entry_bar"),
    [
        ({"latency_bars": 2}, DAY, 3),
        ({"latency_seconds": 90.0}, MINUTE, 3),  # 90 s on 1-minute bars: 2 bars
        ({"latency_seconds": 0.2}, DAY, 2),  # 200 ms arrive during the next bar: one bar
    ],
)
def test_latency_delays_activation(latency: dict[str, float], step: int, entry_bar: int) -> None:
    rows = [flat(10.0 + k) for k in range(6)]
    out = run(rows, entries=[0], exits=[], config=FREE.replace(**latency), step=step)
    assert out.log.entry_index[0] == entry_bar
    assert out.log.entry_price[0] == 10.0 + entry_bar


def test_atr_slippage_uses_the_atr_known_before_the_fill() -> None:
    from trademind.fills import AtrSlippage

    rows = [(10.0, 11.0, 9.0, 10.0), (10.0, 12.0, 8.0, 10.0), (10.0, 10.2, 8.0, 10.0), flat(10.0)]
    out = run(rows, entries=[0], exits=[1], config=FREE.replace(slippage=AtrSlippage(0.5, 14)))
    # bar 0's ATR (warm-up: its true range 2.0) prices the buy at bar 1's open;
    # the sell at bar 2's open uses the mean true range of bars 0 and 1: (2 + 4) / 2
    # (both slipped prices lie inside their bars, so the bar-range clamp does not bind)
    assert out.log.entry_price[0] == pytest.approx(10.0 + 0.5 * 2.0)
    assert out.log.exit_price[0] == pytest.approx(10.0 - 0.5 * 3.0)
