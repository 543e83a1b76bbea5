"""The indicator set: its parameters, column names, warm-ups and the key that identifies it.

One :class:`IndicatorSpec` describes every indicator TradeMind computes for a symbol. It is
built from ``settings.indicators`` and names its output columns the way they are stored in the
``indicators`` table (``rsi_14``, ``macd_12_26_9_signal``, ``bb_20_2_pctb``...).

*Lookback* is TA-Lib's word: the index of the first bar with a value (bars before it are
warm-up and have none). *Window* is how many raw bars before the first new bar an incremental
update must re-read: the bars that leave the rolling windows (SMA, Bollinger, stochastic
high/low, volume SMA) and the previous close (RSI, ATR, OBV).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Final

from trademind.core.errors import ValidationError

if TYPE_CHECKING:
    from trademind.config.sections_market import IndicatorSettings

ENGINE_VERSION: Final = 1
"""Bumped whenever the arithmetic or the state layout of a kernel changes: stored states of an
older engine then no longer match any spec key, and the next update recomputes in full."""


def _number_label(value: float) -> str:
    """``2.0`` -> ``"2"``, ``2.5`` -> ``"2p5"``: a number that can sit inside a column name."""
    text = f"{value:g}"
    return text.replace(".", "p").replace("-", "m")


@dataclass(frozen=True)
class IndicatorSpec:
    """Parameters of the indicator set (all lengths in bars)."""

    rsi_period: int = 14
    macd_fast: int = 12
    macd_slow: int = 26
    macd_signal: int = 9
    sma_periods: tuple[int, ...] = (20, 50, 200)
    ema_periods: tuple[int, ...] = (12, 26)
    bollinger_period: int = 20
    bollinger_std: float = 2.0
    atr_period: int = 14
    volume_trend_period: int = 20
    stoch_k_period: int = 14
    stoch_k_smoothing: int = 3
    stoch_d_period: int = 3

    def __post_init__(self) -> None:
        problems = [
            f"{name} must be at least {least}, got {value}"
            for name, value, least in self._lengths()
            if value < least
        ]
        if self.macd_slow <= self.macd_fast:
            problems.append(
                f"macd_slow ({self.macd_slow}) must be greater than macd_fast ({self.macd_fast})"
            )
        if not self.bollinger_std > 0:
            problems.append(f"bollinger_std must be positive, got {self.bollinger_std}")
        if len(set(self.sma_periods)) != len(self.sma_periods) or len(set(self.ema_periods)) != len(
            self.ema_periods
        ):
            problems.append("sma_periods and ema_periods must not repeat a length")
        if problems:
            raise ValidationError("invalid indicator set: " + "; ".join(problems))

    def _lengths(self) -> list[tuple[str, int, int]]:
        return [
            ("rsi_period", self.rsi_period, 2),
            ("macd_fast", self.macd_fast, 2),
            ("macd_signal", self.macd_signal, 2),
            *(("sma_periods", period, 2) for period in self.sma_periods),
            *(("ema_periods", period, 2) for period in self.ema_periods),
            ("bollinger_period", self.bollinger_period, 2),
            ("atr_period", self.atr_period, 2),
            ("volume_trend_period", self.volume_trend_period, 2),
            ("stoch_k_period", self.stoch_k_period, 1),
            ("stoch_k_smoothing", self.stoch_k_smoothing, 1),
            ("stoch_d_period", self.stoch_d_period, 1),
        ]

    @classmethod
    def from_settings(cls, settings: IndicatorSettings) -> IndicatorSpec:
        """The indicator set configured in ``settings.indicators``."""
        return cls(
            rsi_period=settings.rsi_period,
            macd_fast=settings.macd_fast,
            macd_slow=settings.macd_slow,
            macd_signal=settings.macd_signal,
            sma_periods=tuple(settings.sma_periods),
            ema_periods=tuple(settings.ema_periods),
            bollinger_period=settings.bollinger_period,
            bollinger_std=float(settings.bollinger_std),
            atr_period=settings.atr_period,
            volume_trend_period=settings.volume_trend_period,
            stoch_k_period=settings.stoch_k_period,
            stoch_k_smoothing=settings.stoch_k_smoothing,
            stoch_d_period=settings.stoch_d_period,
        )

    # -- names ---------------------------------------------------------------------------

    @property
    def macd_name(self) -> str:
        return f"macd_{self.macd_fast}_{self.macd_slow}_{self.macd_signal}"

    @property
    def bollinger_name(self) -> str:
        return f"bb_{self.bollinger_period}_{_number_label(self.bollinger_std)}"

    @property
    def stoch_name(self) -> str:
        return f"stoch_{self.stoch_k_period}_{self.stoch_k_smoothing}_{self.stoch_d_period}"

    def lookbacks(self) -> dict[str, int]:
        """Every output column with its lookback (index of its first value), in column order."""
        macd_lookback = self.macd_slow - 1 + self.macd_signal - 1
        stoch_lookback = self.stoch_k_period - 1 + self.stoch_k_smoothing - 1
        stoch_lookback += self.stoch_d_period - 1
        bb, macd, stoch = self.bollinger_name, self.macd_name, self.stoch_name
        columns: dict[str, int] = {f"rsi_{self.rsi_period}": self.rsi_period}
        columns |= {macd: macd_lookback, f"{macd}_signal": macd_lookback}
        columns[f"{macd}_hist"] = macd_lookback
        columns |= {f"sma_{period}": period - 1 for period in self.sma_periods}
        columns |= {f"ema_{period}": period - 1 for period in self.ema_periods}
        for part in ("lower", "middle", "upper", "bandwidth", "pctb"):
            columns[f"{bb}_{part}"] = self.bollinger_period - 1
        columns[f"atr_{self.atr_period}"] = self.atr_period
        columns["obv"] = 0
        columns[f"volume_trend_{self.volume_trend_period}"] = self.volume_trend_period - 1
        columns |= {f"{stoch}_k": stoch_lookback, f"{stoch}_d": stoch_lookback}
        return columns

    @property
    def columns(self) -> tuple[str, ...]:
        """Output column names, in a fixed order."""
        return tuple(self.lookbacks())

    @property
    def longest_warmup(self) -> tuple[str, int]:
        """The column that needs the most bars, and how many bars it needs for one value."""
        name, lookback = max(self.lookbacks().items(), key=lambda item: item[1])
        return name, lookback + 1

    @property
    def window(self) -> int:
        """Raw bars before the first new bar that an incremental update reads (at least 1)."""
        return max(
            1,
            *(period - 1 for period in self.sma_periods),
            self.bollinger_period - 1,
            self.stoch_k_period - 1,
            self.volume_trend_period - 1,
        )

    @property
    def key(self) -> str:
        """SHA-256 of the definition and the engine version: equal keys mean equal states."""
        document = asdict(self) | {"engine_version": ENGINE_VERSION}
        canonical = json.dumps(document, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()
