"""Slippage models (price moves against the trader) and the volume participation cap.

* :class:`NoSlippage`: fills at the rule price.
* :class:`FixedBpsSlippage`: ``price * bps / 10_000`` per share against the trader.
* :class:`AtrSlippage`: ``multiplier * ATR`` per share against the trader; the caller passes
  the ATR known before the fill (``trademind.fills.volatility.atr_series`` of ``period``): for
  fills at a bar's open or inside it, the ATR at the previous bar's close (at the symbol's
  first bar, that bar's own); for fills at a bar's close (close mode), the ATR at that close.
* :class:`VolumeCap`: at most ``participation * bar volume`` shares fill in one bar (all of a
  symbol's fills in that bar together); the rest of the order stays working.

No trade happens outside the bar a fill belongs to: the slipped price is clamped into that
bar's ``[low, high]`` (:func:`within_bar`; backtrader's ``slip_match`` without ``slip_out`` does
the same). Limit-type fills (limit orders, stop-limits, take-profits) never cross their limit:
slippage is clamped at the limit price. A sell never fills below zero. In this order::

    buy:  p = min(max(price + amount, low), high);           with a limit: p = min(p, limit)
    sell: p = min(max(max(price - amount, 0), low), high);   with a limit: p = max(p, limit)
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar, Final

from trademind.core.errors import ValidationError
from trademind.fills import checks
from trademind.fills.jit import njit

SLIPPAGE_NONE: Final = 0
SLIPPAGE_FIXED_BPS: Final = 1
SLIPPAGE_ATR: Final = 2


@njit
def slippage_per_share(kind: int, parameter: float, price: float, atr: float) -> float:
    """How far the fill moves against the trader, in price units (>= 0)."""
    if kind == SLIPPAGE_FIXED_BPS:
        return price * parameter * 1e-4
    if kind == SLIPPAGE_ATR:
        return parameter * atr
    return 0.0


@njit
def within_bar(price: float, low: float, high: float) -> float:
    """``price`` clamped into the bar's range: ``min(max(price, low), high)``."""
    return min(max(price, low), high)


@njit
def slipped_price(  # noqa: PLR0917 - numba functions take positional arguments
    kind: int,
    parameter: float,
    price: float,
    atr: float,
    is_buy: bool,
    limit: float,
    bar_range: tuple[float, float],
) -> float:
    """The fill price after slippage, within ``bar_range`` (the fill's bar's ``(low, high)``);
    ``limit`` (NaN for none) is never crossed."""
    amount = slippage_per_share(kind, parameter, price, atr)
    filled = price + amount if is_buy else max(price - amount, 0.0)
    filled = within_bar(filled, bar_range[0], bar_range[1])
    if math.isnan(limit):
        return filled
    return min(filled, limit) if is_buy else max(filled, limit)


@njit
def volume_capped_quantity(
    wanted: float, bar_volume: float, used: float, participation: float
) -> float:
    """What may fill of ``wanted`` in a bar whose volume is ``bar_volume`` when ``used`` shares
    already filled in it; ``participation <= 0`` means no cap."""
    if participation <= 0.0:
        return wanted
    room = participation * bar_volume - used
    if room <= 0.0:
        return 0.0
    return min(wanted, room)


class _Slippage:
    """Python entry points shared by the slippage models."""

    kind: ClassVar[int]

    def parameter(self) -> float:
        raise NotImplementedError

    def price(
        self,
        price: float,
        *,
        is_buy: bool,
        atr: float = 0.0,
        limit: float = math.nan,
        low: float = 0.0,
        high: float = math.inf,
    ) -> float:
        """Fill price of a buy (``is_buy``) or sell at rule price ``price`` in a bar whose range
        is ``low..high`` (unbounded above by default)."""
        if self.kind == SLIPPAGE_ATR and not (math.isfinite(atr) and atr >= 0.0):
            raise ValidationError(f"ATR slippage needs a finite ATR >= 0, got {atr!r}")
        if not low <= high:
            raise ValidationError(f"a bar's low {low!r} must not be above its high {high!r}")
        parameter = self.parameter()
        return float(slipped_price(self.kind, parameter, price, atr, is_buy, limit, (low, high)))


@dataclass(frozen=True)
class NoSlippage(_Slippage):
    """Fills at the rule price."""

    kind: ClassVar[int] = SLIPPAGE_NONE

    def parameter(self) -> float:
        return 0.0


@dataclass(frozen=True)
class FixedBpsSlippage(_Slippage):
    """A fixed number of basis points of the price against the trader."""

    bps: float = 5.0
    kind: ClassVar[int] = SLIPPAGE_FIXED_BPS

    def __post_init__(self) -> None:
        checks.in_range("slippage bps", self.bps, 0.0, 1000.0)

    def parameter(self) -> float:
        return float(self.bps)


@dataclass(frozen=True)
class AtrSlippage(_Slippage):
    """``multiplier`` times the Average True Range over ``period`` bars against the trader."""

    multiplier: float = 0.1
    period: int = 14
    kind: ClassVar[int] = SLIPPAGE_ATR

    def __post_init__(self) -> None:
        checks.in_range("ATR slippage multiplier", self.multiplier, 0.0, 10.0)
        checks.whole("ATR slippage period", self.period, 1, 1000)

    def parameter(self) -> float:
        return float(self.multiplier)


@dataclass(frozen=True)
class VolumeCap:
    """Fill at most ``participation`` (0 < p <= 1) of each bar's volume; the rest keeps working."""

    participation: float = 0.1

    def __post_init__(self) -> None:
        checks.in_range("volume participation", self.participation, 0.0, 1.0, low_open=True)

    def quantity(self, wanted: float, bar_volume: float, used: float = 0.0) -> float:
        """What may fill of ``wanted`` in a bar of ``bar_volume`` with ``used`` already filled."""
        return float(volume_capped_quantity(wanted, bar_volume, used, self.participation))


SlippageModel = NoSlippage | FixedBpsSlippage | AtrSlippage
