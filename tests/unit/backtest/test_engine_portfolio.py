"""Portfolio accounting: shared cash, calendars, exact reconciliation, no equity floor."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.engine.outcome import BacktestOutcome
from trademind.backtest.engine.run import run_backtest
from trademind.core.errors import ValidationError
from trademind.fills import (
    FixedBpsSlippage,
    NoSlippage,
    PercentageCommission,
    PerShareCommission,
    ZeroCommission,
)
from trademind.fills.sizing import AllIn, FixedFraction
from trademind.strategies.base import Bars, Signals

DAY = 86_400 * 10**9
FREE = BacktestConfig(initial_cash=10_000.0, commission=ZeroCommission(), slippage=NoSlippage())


def make_bars(symbol: str, closes: Sequence[float], days: Sequence[int] | None = None) -> Bars:
    close = np.asarray(closes, dtype=float)
    ts = np.asarray(days if days is not None else range(len(close)), dtype=np.int64) * DAY
    return Bars(
        symbol, ts, close.copy(), close * 1.01, close * 0.99, close.copy(), np.full(len(close), 1e9)
    )


def make_signals(size: int, entries: Sequence[int] = (), exits: Sequence[int] = ()) -> Signals:
    entry = np.zeros(size, dtype=bool)
    exit_ = np.zeros(size, dtype=bool)
    entry[list(entries)] = True
    exit_[list(exits)] = True
    return Signals(
        entry, exit_, entry.astype(float), np.zeros(size, np.int16), np.full(size, np.nan)
    )


def random_portfolio(seed: int, symbols: int, size: int) -> tuple[list[Bars], list[Signals]]:
    rng = np.random.default_rng(seed)
    bars, signals = [], []
    for k in range(symbols):
        close = 50.0 * np.exp(np.cumsum(rng.normal(0.0, 0.02, size)))
        open_ = close * np.exp(rng.normal(0.0, 0.005, size))
        high = np.maximum(open_, close) * (1 + rng.uniform(0, 0.01, size))
        low = np.minimum(open_, close) * (1 - rng.uniform(0, 0.01, size))
        days = np.sort(rng.choice(int(size * 1.3), size, replace=False))  # own calendar
        bars.append(
            Bars(
                f"S{k}",
                days.astype(np.int64) * DAY,
                open_,
                high,
                low,
                close,
                rng.uniform(1e3, 1e5, size),
            )
        )
        draw = rng.uniform(size=size)
        signals.append(make_signals(size, np.flatnonzero(draw < 0.08), np.flatnonzero(draw > 0.93)))
    return bars, signals


def positions_value(out: BacktestOutcome, bars: Sequence[Bars]) -> np.ndarray:
    """Shares held x last close after every timestamp, rebuilt from the trade log alone."""
    value = np.zeros(len(out.ts))
    for row in range(len(out.log)):
        symbol = bars[int(out.log.symbol[row])]
        entry, exit_ = int(out.log.entry_index[row]), int(out.log.exit_index[row])
        held_until = len(symbol) if exit_ < 0 else exit_  # sold at the open of the exit bar
        steps = np.searchsorted(out.ts, symbol.ts)  # timeline index of each of its bars
        for k in range(entry, held_until):
            stop = steps[k + 1] if k + 1 < len(symbol) else len(out.ts)
            value[steps[k] : stop] += out.log.quantity[row] * symbol.close[k]
    return value


@pytest.mark.parametrize(
    "config",
    [
        FREE.replace(commission=PercentageCommission(0.001), sizing=FixedFraction(0.3)),
        FREE.replace(
            commission=PerShareCommission(),
            slippage=FixedBpsSlippage(5.0),
            sizing=FixedFraction(0.25),
        ),
        FREE.replace(commission=PercentageCommission(0.002), sizing=AllIn(), fill_price="close"),
        FREE.replace(
            commission=PerShareCommission(),
            sizing=FixedFraction(0.2),
            fractional_shares=False,
            stop_loss=0.03,
            take_profit=0.05,
        ),
    ],
)
def test_equity_is_cash_plus_positions_and_reconciles_with_trades(config: BacktestConfig) -> None:
    bars, signals = random_portfolio(7, symbols=3, size=400)
    out = run_backtest(bars, signals, config)
    assert len(out.log) > 20
    assert np.all(np.diff(out.ts) > 0)
    assert len(out.ts) == len(np.unique(np.concatenate([b.ts for b in bars])))
    invested = positions_value(out, bars)
    np.testing.assert_allclose(
        out.equity - out.cash, invested, rtol=1e-9, atol=1e-9 * config.initial_cash
    )
    assert np.all(out.cash >= -1e-9)
    total_pnl = float(out.log.pnl.sum())
    assert out.final_equity == pytest.approx(config.initial_cash + total_pnl, rel=1e-9)
    assert out.final_equity == pytest.approx(
        config.initial_cash + out.realised_pnl + out.unrealised_pnl, rel=1e-9
    )
    assert out.total_commission == pytest.approx(float(out.log.commission.sum()), rel=1e-9)
    assert out.total_slippage == pytest.approx(float(out.log.slippage.sum()), rel=1e-9, abs=1e-12)
    if not config.fractional_shares:
        assert np.all(out.log.quantity == np.floor(out.log.quantity))


def test_symbols_share_one_cash_account() -> None:
    a = make_bars("A", [10.0, 10.0, 12.0, 12.0])
    b = make_bars("B", [20.0, 20.0, 18.0, 18.0])
    config = FREE.replace(sizing=FixedFraction(0.5))
    out = run_backtest([a, b], [make_signals(4, [0]), make_signals(4, [0])], config)
    assert out.log.quantity.tolist() == pytest.approx([500.0, 250.0])  # 0.5 * 10k each
    assert out.cash[1] == pytest.approx(0.0, abs=1e-9)
    assert out.equity.tolist() == pytest.approx([10_000.0, 10_000.0, 500 * 12 + 250 * 18, 10_500.0])


def test_all_in_on_two_symbols_leaves_nothing_for_the_second() -> None:
    a, b = make_bars("A", [10.0] * 4), make_bars("B", [20.0] * 4)
    out = run_backtest([a, b], [make_signals(4, [0]), make_signals(4, [0])], FREE)
    assert len(out.log) == 1
    assert out.symbols[int(out.log.symbol[0])] == "A"  # symbols in the given order
    assert out.counts.rejected == 1


def test_a_symbol_fills_only_on_its_own_bars() -> None:
    daily = make_bars("D", [10.0] * 10)
    sparse = make_bars("S", [20.0, 20.0, 30.0, 40.0, 50.0], days=[0, 2, 4, 6, 8])
    config = FREE.replace(sizing=FixedFraction(0.5))
    out = run_backtest([daily, sparse], [make_signals(10), make_signals(5, [2])], config)
    (trade,) = out.trades()
    assert trade.symbol == "S"
    assert trade.entry_time.day == 7  # signal at day 4 (its bar 2), fills at day 6, not day 5
    assert trade.entry_price == 40.0
    assert out.equity[5] == pytest.approx(10_000.0)  # day 5: still flat
    assert out.equity[6] == pytest.approx(10_000.0)  # bought at the close price
    assert out.equity[7] == pytest.approx(10_000.0)  # day 7: S has no bar, last close 40
    assert out.equity[8] == pytest.approx(5_000.0 + 125.0 * 50.0)


def test_no_equity_floor_all_in_keeps_trading_as_equity_decays() -> None:
    size = 4000
    close = np.full(size, 50.0)
    bars = Bars(
        "X", np.arange(size, dtype=np.int64) * DAY, close, close, close, close, np.full(size, 1e9)
    )
    signals = make_signals(size, range(0, size, 2), range(1, size, 2))
    config = FREE.replace(commission=PercentageCommission(0.01))  # 2% per round trip
    out = run_backtest([bars], [signals], config)
    assert len(out.log) == size // 2  # every entry filled; the last one is still open
    assert int(out.log.is_open.sum()) == 1
    assert out.counts.rejected == 0
    assert out.final_equity < 1e-10 * config.initial_cash  # 0.98 ** 2000
    assert out.final_equity > 0.0
    assert out.log.quantity[-1] > 0.0


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda b, s: ([b, b], [s, s]), "twice"),
        (lambda b, s: ([b], []), "signal series"),
        (lambda b, s: ([b.head(3)], [s]), "booleans"),
        (
            lambda b, s: (
                [Bars("X", b.ts[::-1].copy(), b.open, b.high, b.low, b.close, b.volume)],
                [s],
            ),
            "increasing",
        ),
        (
            lambda b, s: (
                [
                    Bars(
                        "X",
                        b.ts,
                        b.open,
                        b.high,
                        np.where(b.low > 0, np.nan, 1.0),
                        b.close,
                        b.volume,
                    )
                ],
                [s],
            ),
            "price",
        ),
        (
            lambda b, s: (
                [b],
                [Signals(s.entries, s.entries, s.confidence, s.reason, s.reason_value)],
            ),
            "both",
        ),
        (
            lambda b, s: (
                [b],
                [Signals(s.entries.astype(int), s.exits, s.confidence, s.reason, s.reason_value)],
            ),
            "booleans",
        ),
        (lambda b, s: ([], []), "no symbols"),
    ],
)
def test_bad_input_is_rejected(mutate: object, message: str) -> None:
    bars = make_bars("X", [10.0, 11.0, 12.0, 13.0])
    signals = make_signals(4, [0], [2])
    given_bars, given_signals = mutate(bars, signals)  # type: ignore[operator]
    with pytest.raises(ValidationError, match=message):
        run_backtest(given_bars, given_signals, FREE)


def test_rounding_dust_is_not_traded_but_a_tiny_account_is() -> None:
    a, b = make_bars("A", [10.0] * 4), make_bars("B", [20.0] * 4)
    config = FREE.replace(commission=PercentageCommission(0.001))
    out = run_backtest([a, b], [make_signals(4, [0]), make_signals(4, [1])], config)
    assert len(out.log) == 1  # B would only get the all-in residue of A's buy
    assert out.counts.rejected == 1
    tiny = run_backtest([a], [make_signals(4, [0])], config.replace(initial_cash=1e-6))
    assert tiny.log.quantity[0] == pytest.approx(1e-7 / 1.001)


def test_sizing_at_an_open_never_sees_another_symbols_close_of_that_bar() -> None:
    # A is held; at day 2 it opens at 100 and closes at 300. B's entry (signal day 1) fills at
    # day 2's open and sizes on equity then: A must be valued at its last close (100), not at
    # the 300 it closes at later that day.
    a = Bars(
        "A",
        np.arange(3, dtype=np.int64) * DAY,
        np.array([100.0, 100.0, 100.0]),
        np.array([101.0, 101.0, 301.0]),
        np.array([99.0, 99.0, 99.0]),
        np.array([100.0, 100.0, 300.0]),
        np.full(3, 1e9),
    )
    b = make_bars("B", [10.0, 10.0, 10.0])
    config = FREE.replace(sizing=FixedFraction(0.25))
    outcome = run_backtest([a, b], [make_signals(3, [0]), make_signals(3, [1])], config)
    b_trade = next(t for t in outcome.trades() if t.symbol == "B")
    equity_at_open = 10_000.0  # cash 7,500 + 25 shares of A at 100
    assert b_trade.quantity == pytest.approx(0.25 * equity_at_open / 10.0)
