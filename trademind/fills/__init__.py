"""The execution rules shared by the backtest engine and the paper broker.

Each model is a frozen dataclass of validated parameters plus pure numba functions over
explicit scalar arguments (callable from Python and from inside compiled loops). Nothing here
knows about backtests: the engine in ``trademind.backtest`` and the paper broker in
``trademind.brokers.paper`` call the same rules, so their fills agree to the last bit.

* :mod:`~trademind.fills.orders`: order prices, when an order fills within a bar, DAY expiry;
* :mod:`~trademind.fills.latency`: the first bar an order may fill in;
* :mod:`~trademind.fills.sizing`: sizing rules and the entry target at the first fill (whole
  shares, the dust rule); :mod:`~trademind.fills.volatility`: the volatility they use;
* :mod:`~trademind.fills.parts`: how much of an order a bar allows (volume cap, whole shares);
* :mod:`~trademind.fills.cash`: shrinking a buy to the cash, per-order commission;
* :mod:`~trademind.fills.slippage`, :mod:`~trademind.fills.commission`: costs;
* :mod:`~trademind.fills.protective`: stop-loss, trailing stop, take-profit;
* :mod:`~trademind.fills.policy`: what a signal does to a symbol's orders;
* :mod:`~trademind.fills.rules`: :class:`ExecutionRules`, all of the above chosen for one run
  or account (the backtest's config and the paper account's extend it).
"""

from trademind.fills.commission import (
    CommissionModel,
    PercentageCommission,
    PerShareCommission,
    ZeroCommission,
)
from trademind.fills.latency import Latency
from trademind.fills.orders import OrderSpec
from trademind.fills.rules import ExecutionRules
from trademind.fills.slippage import (
    AtrSlippage,
    FixedBpsSlippage,
    NoSlippage,
    SlippageModel,
    VolumeCap,
)

__all__ = [
    "AtrSlippage",
    "CommissionModel",
    "ExecutionRules",
    "FixedBpsSlippage",
    "Latency",
    "NoSlippage",
    "OrderSpec",
    "PerShareCommission",
    "PercentageCommission",
    "SlippageModel",
    "VolumeCap",
    "ZeroCommission",
]
