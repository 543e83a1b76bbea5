"""Fill, slippage, commission and latency models shared by the backtest and the paper broker.

Each model is a frozen dataclass of validated parameters plus pure numba functions (callable
from Python and from inside compiled loops). Nothing here knows about backtests: the engine in
``trademind.backtest`` and the paper broker call the same rules.
"""

from trademind.fills.commission import (
    CommissionModel,
    PercentageCommission,
    PerShareCommission,
    ZeroCommission,
)
from trademind.fills.latency import Latency
from trademind.fills.orders import OrderSpec
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
