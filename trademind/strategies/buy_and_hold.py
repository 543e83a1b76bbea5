"""Buy and hold: the benchmark every other strategy is measured against."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from trademind.strategies import rules
from trademind.strategies.base import Bars, Param, ParamValue, Signals


class BuyAndHold:
    """Long from the first bar to the end: entry at the close of bar 0, never an exit.

    No parameters and no warm-up. Confidence 1.0; reason ``buy and hold from the first bar``.
    """

    name = "buy_and_hold"
    description = "Benchmark: buy at the first bar and hold to the end."
    params: tuple[Param, ...] = ()

    def check(self, params: Mapping[str, ParamValue]) -> None:
        """No parameters, nothing to check."""

    def warmup(self, params: Mapping[str, ParamValue]) -> int:
        return 0

    def signals(self, bars: Bars, params: Mapping[str, ParamValue]) -> Signals:
        size = len(bars)
        entries = np.zeros(size, dtype=np.bool_)
        entries[:1] = True
        nothing = np.full(size, np.nan)
        return rules.assemble(
            entries,
            np.zeros(size, dtype=np.bool_),
            np.ones(size),
            nothing,
            nothing,
            nothing,
            ("buy and hold from the first bar", ""),
        )
