"""Strategies bar by bar equal their vectorised signals, bar for bar, on the real daily series."""

from __future__ import annotations

import numpy as np
import pytest

from trademind.core.decisions import Action
from trademind.core.errors import ValidationError
from trademind.strategies.base import Bars, Param, ParamValue, Signals, Strategy
from trademind.strategies.registry import all_strategies, get_strategy, resolve
from trademind.strategies.stepping import confidence, stepper_for

VARIANTS: list[tuple[str, dict[str, object]]] = [
    *[(strategy.name, {}) for strategy in all_strategies()],
    ("ma_crossover", {"average": "ema", "fast": 5, "slow": 12}),
    ("rsi_mean_reversion", {"length": 5, "oversold": 40, "overbought": 60}),
    ("bollinger_reversion", {"length": 5, "std": 0.5}),
    ("macd_momentum", {"fast": 3, "slow": 7, "signal": 2}),
    ("meta", {"votes": "signal"}),
    (
        "meta",
        {
            "weight_bollinger_reversion": 2,
            "weight_buy_and_hold": 0.5,
            "quorum": 0.9,
            "buy_threshold": 0.5,
            "sell_threshold": 0.1,
        },
    ),
]


def _stepped(
    strategy: Strategy, params: dict[str, ParamValue], bars: Bars
) -> list[tuple[str, float, str] | None]:
    stepper = stepper_for(strategy, params)
    out: list[tuple[str, float, str] | None] = []
    for i in range(len(bars)):
        signal = stepper.step(
            float(bars.open[i]),
            float(bars.high[i]),
            float(bars.low[i]),
            float(bars.close[i]),
            float(bars.volume[i]),
        )
        out.append(
            None if signal is None else (signal.action.value, signal.confidence, signal.reason)
        )
    return out


def _vectorised(signals: Signals) -> list[tuple[str, float, str] | None]:
    out: list[tuple[str, float, str] | None] = []
    for i in range(signals.entries.shape[0]):
        if signals.entries[i] or signals.exits[i]:
            action = Action.BUY if signals.entries[i] else Action.SELL
            out.append((action.value, float(signals.confidence[i]), signals.describe(i)))
        else:
            out.append(None)
    return out


@pytest.mark.parametrize(("name", "given"), VARIANTS, ids=str)
def test_every_strategy_bar_by_bar_equals_its_vectorised_signals(
    name: str, given: dict[str, object], daily_bars: dict[str, Bars]
) -> None:
    strategy = get_strategy(name)
    params = resolve(strategy, given)
    for symbol, bars in daily_bars.items():
        expected = _vectorised(strategy.signals(bars, params))
        stepped = _stepped(strategy, params, bars)
        assert sum(item is not None for item in expected) > 0, f"{name} {symbol}: no signal at all"
        mismatches = [i for i, (a, b) in enumerate(zip(expected, stepped, strict=True)) if a != b]
        assert mismatches == [], (
            f"{name} {symbol}: first mismatch at bar {mismatches[0]}: "
            f"{expected[mismatches[0]]} != {stepped[mismatches[0]]}"
        )


def test_the_comparison_can_fail(daily_bars: dict[str, Bars]) -> None:
    """A stepper fed different parameters disagrees with the vectorised signals."""
    strategy = get_strategy("rsi_mean_reversion")
    bars = daily_bars["AAPL"]
    expected = _vectorised(strategy.signals(bars, resolve(strategy)))
    stepped = _stepped(strategy, resolve(strategy, {"oversold": 31}), bars)
    assert expected != stepped


def test_every_registered_strategy_has_a_stepper() -> None:
    for strategy in all_strategies():
        stepper_for(strategy, resolve(strategy))


def test_a_strategy_without_a_stepper_is_refused() -> None:
    class Unknown:
        name = "unknown"
        description = "none"
        params: tuple[Param, ...] = ()

    with pytest.raises(ValidationError, match="no stepper"):
        stepper_for(Unknown(), {})  # type: ignore[arg-type]


def test_scalar_confidence_matches_the_rule() -> None:
    assert confidence(5.0, 10.0) == 0.75
    assert confidence(-1.0, 10.0) == 0.5
    assert confidence(50.0, 10.0) == 1.0
    assert confidence(3.0, 0.0) == 1.0
    assert np.isnan(confidence(float("nan"), 2.0))


@pytest.mark.parametrize("average", ["sma", "ema"])
@pytest.mark.parametrize("period", [1, 2, 10, 30])
def test_the_scalar_averages_are_the_kernels_bit_for_bit(
    average: str, period: int, daily_bars: dict[str, Bars]
) -> None:
    from trademind.indicators import kernels
    from trademind.strategies.stepping import ScalarEma, ScalarSma

    close = np.ascontiguousarray(next(iter(daily_bars.values())).close, dtype=np.float64)
    kernel = kernels.ema_kernel if average == "ema" else kernels.sma_kernel
    expected, _ = kernel(close, 0, 0, period, np.zeros(1))
    scalar = ScalarEma(period) if average == "ema" else ScalarSma(period)
    stepped = np.array([scalar.push(float(value)) for value in close])
    assert np.isnan(stepped[: period - 1]).all()
    assert stepped.tobytes() == expected.tobytes()  # identical bits, NaN positions included
