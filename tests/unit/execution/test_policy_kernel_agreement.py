"""The pure policy agrees with the backtest kernel's own rule (kernel_orders.signals) on every
combination of signal, position and working orders."""

from __future__ import annotations

import itertools
from decimal import Decimal

import numpy as np
import pytest

from trademind.backtest.engine.columns import (
    ACCOUNT,
    C_CANCELLED,
    C_ORDERS,
    F_POS,
    F_WIDTH,
    I_EO_STATE,
    I_WIDTH,
    I_XO_STATE,
    PARAM_WIDTH,
)
from trademind.backtest.engine.kernel_orders import signals
from trademind.core.decisions import Action
from trademind.execution.policy import OrderIntent, SymbolOrders, order_intent

CASES = list(itertools.product((Action.BUY, Action.SELL, Action.HOLD), (0.0, 5.0), (0, 1), (0, 1)))


def _kernel(action: Action, position: float, entry: int, exit_: int) -> tuple[OrderIntent, bool]:
    """What the kernel does: ``(intent, whether it cancelled the working entry)``."""
    fs = np.zeros((2, F_WIDTH))
    is_ = np.zeros((2, I_WIDTH), dtype=np.int64)
    fp = np.zeros(PARAM_WIDTH)
    fs[0, F_POS] = position
    is_[0, I_EO_STATE] = entry
    is_[0, I_XO_STATE] = exit_
    signals(0, 0, 0, 100.0, action is Action.BUY, action is Action.SELL, fs, is_, fp)
    placed = bool(is_[ACCOUNT, C_ORDERS] == 1)
    cancelled = bool(is_[ACCOUNT, C_CANCELLED] == 1)
    if placed and action is Action.BUY:
        return OrderIntent.PLACE_ENTRY, cancelled
    if placed:
        return OrderIntent.PLACE_EXIT, cancelled
    return (OrderIntent.CANCEL_ENTRY if cancelled else OrderIntent.NOTHING), cancelled


@pytest.mark.parametrize(("action", "position", "entry", "exit_"), CASES)
def test_the_policy_does_what_the_kernel_does(
    action: Action, position: float, entry: int, exit_: int
) -> None:
    orders = SymbolOrders(
        position=Decimal(int(position)),
        working_entry="e" if entry else None,
        working_exit="x" if exit_ else None,
    )
    intent = order_intent(action, orders)
    kind, cancelled = _kernel(action, position, entry, exit_)
    assert intent.kind is kind
    assert (intent.cancel is not None) is cancelled
    if kind is OrderIntent.PLACE_EXIT:
        assert intent.exit_quantity == Decimal(int(position))
