"""MACD momentum: ride the MACD line's crosses of its signal line."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from trademind.strategies import rules
from trademind.strategies.base import Bars, Param, ParamValue, Signals

FULL_CONFIDENCE_HISTOGRAM_PCT = 0.5
"""The histogram (MACD line minus signal line), in percent of the close, that gives 1.0."""


class MacdMomentum:
    """Long after the MACD line crosses above its signal line, flat after it crosses below.

    Rule, at the close of bar ``t`` with ``h = MACD[t] - signal[t]`` (TA-Lib MACD of the close,
    the histogram):

    * entry when ``h > 0`` and ``h`` was negative at the last earlier bar where it was not zero;
    * exit when ``h < 0`` and ``h`` was positive at the last earlier bar where it was not zero;
    * nothing until the histogram exists on two bars (the first ``slow + signal - 1`` bars).

    Confidence is ``0.5 + 0.5 * min(1, |h| / close / 0.5%)``. Reasons:
    ``MACD(12, 26) crossed above its signal(9) (histogram +0.083)`` and the same with "below".
    """

    name = "macd_momentum"
    description = "Buy when the MACD line crosses above its signal line, sell on the cross below."
    params: tuple[Param, ...] = (
        Param("fast", "int", 12, "Fast EMA length in bars.", minimum=2, maximum=500),
        Param(
            "slow",
            "int",
            26,
            "Slow EMA length in bars (greater than fast).",
            minimum=3,
            maximum=1000,
        ),
        Param("signal", "int", 9, "Signal line EMA length in bars.", minimum=2, maximum=500),
    )

    def check(self, params: Mapping[str, ParamValue]) -> None:
        rules.require_greater(params, "slow", "fast")

    def warmup(self, params: Mapping[str, ParamValue]) -> int:
        return rules.int_param(params, "slow") + rules.int_param(params, "signal") - 1

    def signals(self, bars: Bars, params: Mapping[str, ParamValue]) -> Signals:
        self.check(params)
        fast = rules.int_param(params, "fast")
        slow = rules.int_param(params, "slow")
        signal = rules.int_param(params, "signal")
        _, _, histogram = rules.macd(bars.close, fast, slow, signal)
        up, down = rules.crossings(histogram)
        with np.errstate(divide="ignore", invalid="ignore"):
            histogram_pct = np.abs(histogram) / np.abs(bars.close) * 100.0
        strength = rules.confidence(histogram_pct, FULL_CONFIDENCE_HISTOGRAM_PCT)
        return rules.assemble(
            up,
            down,
            strength,
            strength,
            histogram,
            histogram,
            (
                f"MACD({fast}, {slow}) crossed above its signal({signal}) "
                "(histogram {value:+.3f})",
                f"MACD({fast}, {slow}) crossed below its signal({signal}) "
                "(histogram {value:+.3f})",
            ),
        )
