"""RSI mean reversion: buy what is oversold, sell what is overbought."""

from __future__ import annotations

from collections.abc import Mapping

from trademind.strategies import rules
from trademind.strategies.base import Bars, Param, ParamValue, Signals


class RsiMeanReversion:
    """Long when the RSI says the price has fallen too far, flat when it has risen too far.

    Rule, at the close of bar ``t`` with ``r = RSI(length)[t]`` (TA-Lib's Wilder RSI):

    * entry when ``r < oversold`` (every such bar: the intent is "be long");
    * exit when ``r > overbought``;
    * nothing during the warm-up (the first ``length`` bars have no RSI).

    ``oversold < overbought``, so a bar is never both. Confidence is 0.5 at the threshold and
    grows linearly to 1.0 at the far end of the scale: ``0.5 + 0.5 * (oversold - r) / oversold``
    for entries, ``0.5 + 0.5 * (r - overbought) / (100 - overbought)`` for exits.
    Reasons: ``RSI(14) 27.4 below 30`` and ``RSI(14) 73.1 above 70``.
    """

    name = "rsi_mean_reversion"
    description = "Buy when RSI falls below oversold, sell when it rises above overbought."
    params: tuple[Param, ...] = (
        Param("length", "int", 14, "RSI look-back in bars.", minimum=2, maximum=500),
        Param(
            "oversold",
            "float",
            30.0,
            "RSI level below which the strategy buys.",
            minimum=1,
            maximum=50,
        ),
        Param(
            "overbought",
            "float",
            70.0,
            "RSI level above which the strategy sells (greater than oversold).",
            minimum=50,
            maximum=99,
        ),
    )

    def check(self, params: Mapping[str, ParamValue]) -> None:
        rules.require_greater(params, "overbought", "oversold")

    def warmup(self, params: Mapping[str, ParamValue]) -> int:
        return rules.int_param(params, "length")

    def signals(self, bars: Bars, params: Mapping[str, ParamValue]) -> Signals:
        self.check(params)
        length = rules.int_param(params, "length")
        oversold = rules.float_param(params, "oversold")
        overbought = rules.float_param(params, "overbought")
        values = rules.rsi(bars.close, length)
        return rules.assemble(
            values < oversold,
            values > overbought,
            rules.confidence(oversold - values, oversold),
            rules.confidence(values - overbought, 100.0 - overbought),
            values,
            values,
            (
                f"RSI({length}) {{value:.1f}} below {oversold:g}",
                f"RSI({length}) {{value:.1f}} above {overbought:g}",
            ),
        )
