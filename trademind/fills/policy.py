"""What a bar's signal does to one symbol's orders (long only, one round trip at a time).

Decided at the signal bar's close, from the signal, whether a position is held (``held``:
quantity > 0) and which orders work (``entry_working``, ``exit_working``):

* exit signal: with a position and no working exit order: place a SELL of the whole position
  (``PLACE_EXIT``; it cancels what is left of a working entry order); flat with a working entry
  order: cancel it (``CANCEL_ENTRY``); else nothing.
* entry signal (never on the same bar as an exit): flat, with no working order of either side:
  place a BUY entry (``PLACE_ENTRY``); else nothing (no pyramiding).

The backtest engine and the trading loop's order router follow the same function.
"""

from __future__ import annotations

from typing import Final

from trademind.fills.jit import njit

NOTHING: Final = 0
PLACE_ENTRY: Final = 1
PLACE_EXIT: Final = 2
CANCEL_ENTRY: Final = 3


@njit
def signal_action(
    entry: bool, exit_: bool, held: bool, entry_working: bool, exit_working: bool
) -> int:
    """``NOTHING``, ``PLACE_ENTRY``, ``PLACE_EXIT`` or ``CANCEL_ENTRY`` (module docstring)."""
    if exit_:
        if held:
            return NOTHING if exit_working else PLACE_EXIT
        return CANCEL_ENTRY if entry_working else NOTHING
    if entry and not held and not entry_working and not exit_working:
        return PLACE_ENTRY
    return NOTHING
