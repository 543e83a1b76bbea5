"""How much of an order fills in one bar: the volume cap and whole shares.

All of a symbol's fills in one bar share its volume cap (``used``: shares of that symbol
already filled in the bar, whatever the order; see
:func:`~trademind.fills.slippage.volume_capped_quantity`). In float64:

* entry (buy) part: ``q = volume_capped_quantity(target - filled, volume, used, p)``, floored
  to whole shares unless fractional shares are allowed; ``q <= 0`` fills nothing this bar (the
  order keeps working); the part completes the order when ``q >= target - filled``.
* exit (sell of the whole position) part: ``q = volume_capped_quantity(held, volume, used,
  p)``, floored to whole shares only when it is less than the position (a fractional position
  is always sold whole when the cap allows it); ``q <= 0`` fills nothing this bar.

Then the entry part is shrunk to the cash (:mod:`trademind.fills.cash`).
"""

from __future__ import annotations

import math

from trademind.fills.jit import njit
from trademind.fills.slippage import volume_capped_quantity


@njit
def entry_part(
    remaining: float, bar_volume: float, used: float, participation: float, fractional: bool
) -> float:
    """Shares of an entry order's ``remaining`` quantity that may fill in this bar."""
    quantity = volume_capped_quantity(remaining, bar_volume, used, participation)
    if not fractional:
        quantity = math.floor(quantity)
    return quantity


@njit
def exit_part(
    held: float, bar_volume: float, used: float, participation: float, fractional: bool
) -> float:
    """Shares of a ``held`` position an exit order may sell in this bar."""
    quantity = volume_capped_quantity(held, bar_volume, used, participation)
    if not fractional and quantity < held:
        quantity = math.floor(quantity)
    return quantity
