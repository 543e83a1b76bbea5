"""``trademind trade``: one account's trading session through the live trading loop.

:func:`~trademind.services.trade.service.run_trade` takes a
:class:`~trademind.services.trade.types.TradeRequest` and returns a
:class:`~trademind.services.trade.types.TradeSummary`; see
:mod:`trademind.services.trade.service` for the order of things and what a resume does.
"""

from trademind.services.trade.service import TradeOptions, run_trade, trade
from trademind.services.trade.types import (
    StepView,
    TradeCounts,
    TradeFill,
    TradeOrder,
    TradeRequest,
    TradeSummary,
)

__all__ = [
    "StepView",
    "TradeCounts",
    "TradeFill",
    "TradeOptions",
    "TradeOrder",
    "TradeRequest",
    "TradeSummary",
    "run_trade",
    "trade",
]
