"""Cash: how much of an entry order's part the account's cash pays for (no margin).

A buy of ``quantity`` shares at ``price`` costs ``quantity * price`` plus the commission it
adds to its order: the commission of the whole order so far with this part
(:func:`~trademind.fills.commission.commission_cost` of the cumulative quantity and value)
minus what the order already paid. When that cost exceeds the cash, :func:`shrink_to_cash`
lowers the part, at most ``SHRINK_STEPS`` (100) times, in float64 and in this order::

    value = quantity * price
    commission = commission_cost(filled + quantity, filled_value + value) - paid
    cost = value + commission
    if cost <= cash: return (quantity, commission)
    smaller = quantity * cash / cost
    if not fractional: smaller = min(floor(smaller), quantity - 1)
    quantity = smaller; if quantity <= 0: return (0, 0)

and ``(0, 0)`` after the last step. The caller (backtest engine and paper broker alike) fills
the part it returns; when that is less than it asked for, the rest of the order is rejected
(cash ran out: other symbols spent it), and nothing fills when the part is 0.
"""

from __future__ import annotations

import math
from typing import Final

from trademind.fills.commission import commission_cost
from trademind.fills.jit import njit

SHRINK_STEPS: Final = 100


@njit
def order_commission(  # noqa: PLR0917 - numba functions take positional arguments
    commission: tuple[int, float, float, float],
    filled: float,
    filled_value: float,
    paid: float,
    quantity: float,
    value: float,
) -> float:
    """What a part of ``quantity`` shares worth ``value`` adds to the commission of its order,
    which already filled ``filled`` shares worth ``filled_value`` and paid ``paid``: the
    commission of the whole order with this part minus ``paid`` (a minimum is paid once)."""
    kind, a, b, c = commission
    return commission_cost(kind, a, b, c, filled + quantity, filled_value + value) - paid


@njit
def shrink_to_cash(  # noqa: PLR0917
    commission: tuple[int, float, float, float],
    fractional: bool,
    quantity: float,
    price: float,
    cash: float,
    order_so_far: tuple[float, float, float],
) -> tuple[float, float]:
    """The largest part up to ``quantity`` at ``price`` whose cost fits ``cash``, and its
    commission; ``(0, 0)`` when none does. ``order_so_far`` is the order's ``(filled quantity,
    filled value, commission paid)`` before this part (module docstring)."""
    filled, filled_value, paid = order_so_far
    for _ in range(SHRINK_STEPS):
        value = quantity * price
        fee = order_commission(commission, filled, filled_value, paid, quantity, value)
        cost = value + fee
        if cost <= cash:
            return quantity, fee
        smaller = quantity * cash / cost
        if not fractional:
            smaller = min(math.floor(smaller), quantity - 1.0)
        quantity = smaller
        if quantity <= 0.0:
            break
    return 0.0, 0.0
