"""Indicator values per symbol, advanced one bar at a time (never a whole series per bar).

:class:`IndicatorBook` keeps, per symbol, scalar steppers of the TA-Lib-exact kernels the stored
indicators and the strategies use (:mod:`trademind.agents.scalar_indicators` and
:class:`~trademind.strategies.stepping.ScalarSma`: bitwise the kernels' values, in Python
floats, without a numba call per bar) and the most recent bars. :meth:`IndicatorBook.update`
takes the bar that just closed and returns the values after it: a snapshot holds nothing a later
bar could change. A value still warming up is NaN.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass

from trademind.agents.scalar_indicators import ScalarBollinger, ScalarMacd, ScalarRsi
from trademind.config.sections_agents import TechnicalAgentSettings
from trademind.core.errors import ValidationError
from trademind.core.market import Bar
from trademind.strategies.stepping import ScalarSma

HISTORY_BARS = 64
"""How many of a symbol's most recent bars an agent context carries."""


@dataclass(frozen=True, slots=True)
class IndicatorSnapshot:
    """One symbol's indicator values at the close of one bar (NaN while warming up)."""

    close: float
    rsi: float
    macd: float
    macd_signal: float
    macd_histogram: float
    sma_fast: float
    sma_slow: float
    bollinger_lower: float
    bollinger_middle: float
    bollinger_upper: float

    def ready(self, *names: str) -> bool:
        """True when every named value is a number (not warming up)."""
        return all(not math.isnan(getattr(self, name)) for name in names)


class SymbolIndicators:
    """The steppers of one symbol, fed its closes oldest first."""

    def __init__(self, settings: TechnicalAgentSettings) -> None:
        self._rsi = ScalarRsi(settings.rsi_length)
        self._macd = ScalarMacd(settings.macd_fast, settings.macd_slow, settings.macd_signal)
        self._bands = ScalarBollinger(settings.bollinger_length, settings.bollinger_std)
        self._fast = ScalarSma(settings.ma_fast)
        self._slow = ScalarSma(settings.ma_slow)

    def push(self, close: float) -> IndicatorSnapshot:
        line, signal, histogram = self._macd.push(close)
        lower, middle, upper = self._bands.push(close)
        return IndicatorSnapshot(
            close,
            self._rsi.push(close),
            line,
            signal,
            histogram,
            self._fast.push(close),
            self._slow.push(close),
            lower,
            middle,
            upper,
        )


class IndicatorBook:
    """Every symbol's steppers and recent bars (module docstring)."""

    def __init__(self, settings: TechnicalAgentSettings, history: int = HISTORY_BARS) -> None:
        self._settings = settings
        self._history = history
        self._symbols: dict[str, tuple[SymbolIndicators, deque[Bar]]] = {}
        self._seen: dict[str, int] = {}

    def seen(self, symbol: str) -> int:
        """How many bars of ``symbol`` the book was given."""
        return self._seen.get(symbol, 0)

    def update(self, bar: Bar) -> tuple[tuple[Bar, ...], IndicatorSnapshot]:
        """Advance ``bar.symbol`` by ``bar``: its recent bars (``bar`` last) and the values."""
        entry = self._symbols.get(bar.symbol)
        if entry is None:
            entry = self._symbols[bar.symbol] = (
                SymbolIndicators(self._settings),
                deque(maxlen=self._history),
            )
        indicators, bars = entry
        if bars and bar.ts <= bars[-1].ts:
            raise ValidationError(
                f"{bar.symbol}: bar {bar.ts.isoformat()} is not after {bars[-1].ts.isoformat()}"
            )
        bars.append(bar)
        self._seen[bar.symbol] = self._seen.get(bar.symbol, 0) + 1
        return tuple(bars), indicators.push(bar.close)
