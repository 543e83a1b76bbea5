"""Latency: an order reaches the market some time after the decision that made it.

A decision is taken at a bar's close. With a latency of ``n`` bars the order becomes active
``n`` bars later than it would without latency (a next-open market order fills at the open of
bar ``t + 1 + n`` instead of ``t + 1``). A latency in seconds becomes whole bars given the bar
interval, rounded up: an order that arrives during a bar cannot take that bar's open, so it
waits for the next one (90 s on one-minute bars is 2 bars; 60 s is 1 bar; 100 ms on daily bars
is 0 bars, the order is there before the next open).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from trademind.core.errors import ValidationError
from trademind.fills import checks
from trademind.fills.jit import njit

ROUNDING: Final = 1e-9
"""Relative slack so that 60.0000000001 s on 60 s bars still counts as one bar."""


@njit
def latency_in_bars(bars: int, seconds: float, interval_seconds: float) -> int:
    """``bars`` plus ``seconds`` converted to whole bars of ``interval_seconds`` (rounded up)."""
    if seconds <= 0.0:
        return bars
    return bars + math.ceil(seconds / interval_seconds - ROUNDING)


@njit
def activation_bar(signal_bar: int, latency: int, fills_at_close: bool) -> int:
    """The first bar an order decided at ``signal_bar``'s close may fill in: the next bar (its
    open), or the signal bar itself when market orders fill at the close; plus the latency."""
    return signal_bar + latency + (0 if fills_at_close else 1)


@dataclass(frozen=True)
class Latency:
    """Delay between decision and order arrival: whole ``bars`` plus ``seconds``."""

    bars: int = 0
    seconds: float = 0.0

    def __post_init__(self) -> None:
        checks.whole("latency bars", self.bars, 0, 10_000)
        checks.in_range("latency seconds", self.seconds, 0.0, 86_400.0 * 7)

    def to_bars(self, interval_seconds: float) -> int:
        """The whole latency in bars of ``interval_seconds``."""
        if self.seconds > 0.0 and not (math.isfinite(interval_seconds) and interval_seconds > 0):
            raise ValidationError(
                f"a latency of {self.seconds:g} s needs a positive bar interval, "
                f"got {interval_seconds!r}"
            )
        return int(latency_in_bars(self.bars, self.seconds, max(interval_seconds, 1e-9)))
