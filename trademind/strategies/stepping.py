"""Strategies one bar at a time: per-symbol state that gives the vectorised signals bar for bar.

The trading loop cannot recompute a strategy over the whole history at every bar. A
:class:`SignalStepper` keeps what each strategy's rule carries from bar to bar (the indicator
kernels' states and the few window bars they read, the last sign of a crossing) and turns one
new bar into that bar's signal. The indicator kernels continue exactly where they stopped
(:mod:`trademind.indicators.kernels`) and the rule arithmetic here repeats the vectorised
code's operations in the same order on the same float64 values, so entries, exits,
confidences and reasons are bitwise those of :meth:`Strategy.signals` over the same bars (a
test checks every registered strategy on real data). :func:`stepper_for` refuses a strategy
without a stepper, so a new strategy cannot silently miss one.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Protocol

import numpy as np

from trademind.core.decisions import Action
from trademind.core.errors import ValidationError
from trademind.indicators import kernels
from trademind.strategies.base import ParamValue, Strategy
from trademind.strategies.bollinger_reversion import BollingerReversion
from trademind.strategies.buy_and_hold import BuyAndHold
from trademind.strategies.ma_crossover import FULL_CONFIDENCE_GAP_PCT, MaCrossover
from trademind.strategies.macd_momentum import FULL_CONFIDENCE_HISTOGRAM_PCT, MacdMomentum
from trademind.strategies.meta import CANDIDATES, Meta
from trademind.strategies.meta_vote import ABSTAIN, MetaVote, components, stance
from trademind.strategies.rsi_mean_reversion import RsiMeanReversion

if TYPE_CHECKING:
    from trademind.strategies.base import FloatArray

_EMPTY: Final = np.empty(0)


@dataclass(frozen=True, slots=True)
class BarSignal:
    """One bar's signal: enter (BUY) or exit (SELL), its confidence and its reason text."""

    action: Action
    confidence: float
    reason: str


class SignalStepper(Protocol):
    """One strategy on one symbol, fed bar after bar, oldest first."""

    def step(
        self, open_: float, high: float, low: float, close: float, volume: float
    ) -> BarSignal | None:
        """The signal at the close of this bar, None when there is none."""
        ...


def confidence(distance: float, scale: float) -> float:
    """:func:`trademind.strategies.rules.confidence` for one value, operation by operation."""
    ratio = distance / scale if scale > 0.0 else 1.0
    if ratio < 0.0:
        ratio = 0.0
    elif ratio > 1.0:
        ratio = 1.0
    ratio *= 0.5
    ratio += 0.5
    return ratio


class KernelStep:
    """An indicator kernel of :mod:`trademind.indicators.kernels` continued one value at a
    time: it keeps the last ``keep`` values before the new one (what the kernel reads back),
    how many it has seen and the kernel's state, and calls
    ``kernel(inputs, start, seen, *params, state)``, whose last output is its next state."""

    def __init__(
        self, kernel: Callable[..., tuple[FloatArray, ...]], keep: int, state_size: int,
        *params: float,
    ) -> None:  # fmt: skip
        self._kernel = kernel
        self._params = params
        self._keep = keep
        self._window: FloatArray = _EMPTY
        self._seen = 0
        self._state: FloatArray = np.zeros(state_size)

    def push(self, value: float) -> tuple[FloatArray, ...]:
        """The kernel's outputs for ``value`` (one value each; the last: the state it keeps)."""
        inputs = np.append(self._window, value)
        start = self._window.shape[0]
        outputs = self._kernel(inputs, start, self._seen, *self._params, self._state)
        self._state = outputs[-1]
        self._window = inputs[-self._keep :] if self._keep else _EMPTY
        self._seen += 1
        return outputs


class ScalarSma:
    """:func:`~trademind.indicators.kernels.sma_kernel` one value at a time in Python floats.

    The same operations in the same order on the same float64 values (the kernels are compiled
    without fast-math, so numba's arithmetic is IEEE float64 as Python's is): bitwise the
    kernel's output, without a numba call and an array per bar."""

    def __init__(self, period: int) -> None:
        self._period = period
        self._window: deque[float] = deque(maxlen=period)
        self._total = 0.0
        self._seen = 0

    def push(self, value: float) -> float:
        self._window.append(value)
        self._total += value
        seen, self._seen = self._seen, self._seen + 1
        if seen >= self._period - 1:
            out = self._total / self._period
            self._total -= self._window[0]  # the value period - 1 bars back
            return out
        return math.nan


class ScalarEma:
    """:func:`~trademind.indicators.kernels.ema_kernel` one value at a time (see
    :class:`ScalarSma`)."""

    def __init__(self, period: int) -> None:
        self._period = period
        self._factor = 2.0 / (period + 1)
        self._value = 0.0
        self._seen = 0

    def push(self, value: float) -> float:
        index, self._seen = self._seen, self._seen + 1
        if index >= self._period:
            self._value = ((value - self._value) * self._factor) + self._value
            return self._value
        self._value += value
        if index == self._period - 1:
            self._value = self._value / self._period
            return self._value
        return math.nan


class _Crossing:
    """:func:`trademind.strategies.rules.crossings` one value at a time."""

    def __init__(self) -> None:
        self._last_sign = 0.0

    def step(self, value: float) -> tuple[bool, bool]:
        up = down = False
        if value > 0.0:
            up = self._last_sign < 0.0
            self._last_sign = 1.0
        elif value < 0.0:
            down = self._last_sign > 0.0
            self._last_sign = -1.0
        return up, down


def _signal(
    entry: bool, exit_: bool, strength: tuple[float, float], texts: tuple[str, str], value: float
) -> BarSignal | None:
    if entry:
        return BarSignal(Action.BUY, strength[0], texts[0].format(value=value))
    if exit_:
        return BarSignal(Action.SELL, strength[1], texts[1].format(value=value))
    return None


class _RsiStepper:
    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self._length = int(params["length"])
        self._oversold = float(params["oversold"])
        self._overbought = float(params["overbought"])
        self._rsi = KernelStep(kernels.rsi_kernel, 1, 2, self._length)
        length, low, high = self._length, self._oversold, self._overbought
        self._texts = (
            f"RSI({length}) {{value:.1f}} below {low:g}",
            f"RSI({length}) {{value:.1f}} above {high:g}",
        )

    def step(
        self, open_: float, high: float, low: float, close: float, volume: float
    ) -> BarSignal | None:
        out, _ = self._rsi.push(close)
        value = float(out[0])
        strength = (
            confidence(self._oversold - value, self._oversold),
            confidence(value - self._overbought, 100.0 - self._overbought),
        )
        entry, exit_ = value < self._oversold, value > self._overbought
        return _signal(entry, exit_, strength, self._texts, value)


class _MaCrossoverStepper:
    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self._fast = int(params["fast"])
        self._slow = int(params["slow"])
        kind = str(params["average"])
        average = ScalarEma if kind == "ema" else ScalarSma
        self._fast_average, self._slow_average = average(self._fast), average(self._slow)
        self._crossing = _Crossing()
        label = kind.upper()
        fast, slow = self._fast, self._slow
        self._texts = (
            f"{label}({fast}) crossed above {label}({slow}) ({{value:+.2f}}%)",
            f"{label}({fast}) crossed below {label}({slow}) ({{value:+.2f}}%)",
        )

    def step(
        self, open_: float, high: float, low: float, close: float, volume: float
    ) -> BarSignal | None:
        fast = self._fast_average.push(close)
        slow = self._slow_average.push(close)
        difference = fast - slow
        up, down = self._crossing.step(difference)
        if not (up or down):
            return None
        gap_pct = difference / abs(slow)
        gap_pct *= 100.0
        strength = confidence(abs(gap_pct), FULL_CONFIDENCE_GAP_PCT)
        return _signal(up, down, (strength, strength), self._texts, gap_pct)


class _BollingerStepper:
    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self._length = int(params["length"])
        self._deviations = float(params["std"])
        self._bands = KernelStep(
            kernels.bollinger_kernel, self._length, 2, self._length, self._deviations
        )
        length, deviations = self._length, self._deviations
        self._texts = (
            f"close {{value:.2f}} below the lower Bollinger band ({length}, {deviations:g})",
            f"close {{value:.2f}} above the middle Bollinger band ({length})",
        )

    def step(
        self, open_: float, high: float, low: float, close: float, volume: float
    ) -> BarSignal | None:
        lower, middle, upper, _, _, _ = self._bands.push(close)
        bottom, mean, top = float(lower[0]), float(middle[0]), float(upper[0])
        strength = (
            confidence(bottom - close, mean - bottom),
            confidence(close - mean, top - mean),
        )
        return _signal(close < bottom, close > mean, strength, self._texts, close)


class _MacdStepper:
    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self._fast = int(params["fast"])
        self._slow = int(params["slow"])
        self._signal = int(params["signal"])
        self._macd = KernelStep(kernels.macd_kernel, 0, 3, self._fast, self._slow, self._signal)
        self._crossing = _Crossing()
        fast, slow, signal = self._fast, self._slow, self._signal
        self._texts = (
            f"MACD({fast}, {slow}) crossed above its signal({signal}) (histogram {{value:+.3f}})",
            f"MACD({fast}, {slow}) crossed below its signal({signal}) (histogram {{value:+.3f}})",
        )

    def step(
        self, open_: float, high: float, low: float, close: float, volume: float
    ) -> BarSignal | None:
        _, _, histogram, _ = self._macd.push(close)
        value = float(histogram[0])
        up, down = self._crossing.step(value)
        if not (up or down):
            return None
        strength = confidence(abs(value) / abs(close) * 100.0, FULL_CONFIDENCE_HISTOGRAM_PCT)
        return _signal(up, down, (strength, strength), self._texts, value)


class _BuyAndHoldStepper:
    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self._first = True

    def step(
        self, open_: float, high: float, low: float, close: float, volume: float
    ) -> BarSignal | None:
        if not self._first:
            return None
        self._first = False
        return BarSignal(Action.BUY, 1.0, "buy and hold from the first bar")


class _MetaStepper:
    """Each component's own stepper, its stance (:func:`~trademind.strategies.meta_vote.stance`)
    and the shared :meth:`MetaVote.decide` of the vectorised path."""

    def __init__(self, params: Mapping[str, ParamValue]) -> None:
        self._vote = MetaVote(components(CANDIDATES, params), params)
        self._steppers = [stepper_for(part.strategy, part.params) for part in self._vote.components]
        self._long = [False] * len(self._steppers)
        self._bar = 0

    def step(
        self, open_: float, high: float, low: float, close: float, volume: float
    ) -> BarSignal | None:
        stances: list[int] = []
        for index, (part, stepper) in enumerate(
            zip(self._vote.components, self._steppers, strict=True)
        ):
            found = stepper.step(open_, high, low, close, volume)
            code, self._long[index] = stance(
                self._vote.mode, None if found is None else found.action, self._long[index]
            )
            stances.append(ABSTAIN if self._bar < part.warmup else code)
        self._bar += 1
        decided = self._vote.decide(tuple(stances))
        return (
            None
            if decided is None
            else BarSignal(decided.action, decided.confidence, decided.reason)
        )


_STEPPERS: Final[Mapping[type, Callable[[Mapping[str, ParamValue]], SignalStepper]]] = {
    RsiMeanReversion: _RsiStepper,
    MaCrossover: _MaCrossoverStepper,
    BollingerReversion: _BollingerStepper,
    MacdMomentum: _MacdStepper,
    BuyAndHold: _BuyAndHoldStepper,
    Meta: _MetaStepper,
}


def stepper_for(strategy: Strategy, params: Mapping[str, ParamValue]) -> SignalStepper:
    """A fresh stepper of ``strategy`` with resolved ``params`` (checked like ``signals``)."""
    make = _STEPPERS.get(type(strategy))
    if make is None:
        raise ValidationError(f"strategy {strategy.name!r} cannot run bar by bar (no stepper)")
    strategy.check(params)
    return make(params)
