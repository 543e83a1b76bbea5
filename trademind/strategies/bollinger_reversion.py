"""Bollinger reversion: buy a close below the lower band, sell once it is back above the mean."""

from __future__ import annotations

from collections.abc import Mapping

from trademind.strategies import rules
from trademind.strategies.base import Bars, Param, ParamValue, Signals


class BollingerReversion:
    """Long when the close falls below the lower Bollinger band, flat above the middle band.

    Rule, at the close of bar ``t`` with TA-Lib's bands (SMA(length) middle, population
    standard deviation, ``std`` deviations wide):

    * entry when ``close[t] < lower[t]``;
    * exit when ``close[t] > middle[t]``;
    * nothing during the warm-up (the first ``length - 1`` bars have no bands).

    The lower band is never above the middle one, so a bar is never both. Confidence is 0.5
    at the band and grows to 1.0 one band width (``middle - lower``) beyond it:
    ``0.5 + 0.5 * min(1, (lower - close) / (middle - lower))`` for entries and
    ``0.5 + 0.5 * min(1, (close - middle) / (upper - middle))`` for exits (1.0 when the bands
    have no width). Reasons: ``close 101.20 below the lower Bollinger band (20, 2)`` and
    ``close 108.40 above the middle Bollinger band (20)``.
    """

    name = "bollinger_reversion"
    description = "Buy a close below the lower Bollinger band, sell above the middle band."
    params: tuple[Param, ...] = (
        Param("length", "int", 20, "Bollinger Bands look-back in bars.", minimum=2, maximum=1000),
        Param(
            "std",
            "float",
            2.0,
            "Band width in standard deviations.",
            minimum=0.1,
            maximum=5,
        ),
    )

    def check(self, params: Mapping[str, ParamValue]) -> None:
        """Every combination of valid values fits together."""

    def warmup(self, params: Mapping[str, ParamValue]) -> int:
        return rules.int_param(params, "length") - 1

    def signals(self, bars: Bars, params: Mapping[str, ParamValue]) -> Signals:
        self.check(params)
        length = rules.int_param(params, "length")
        deviations = rules.float_param(params, "std")
        close = bars.close
        lower, middle, upper = rules.bollinger(close, length, deviations)
        return rules.assemble(
            close < lower,
            close > middle,
            rules.confidence(lower - close, middle - lower),
            rules.confidence(close - middle, upper - middle),
            close,
            close,
            (
                f"close {{value:.2f}} below the lower Bollinger band ({length}, {deviations:g})",
                f"close {{value:.2f}} above the middle Bollinger band ({length})",
            ),
        )
