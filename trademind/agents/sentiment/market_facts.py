"""What the sentiment agent reads from the bars: the market context, the realised volatility,
and the news window of each timeframe (docs/ai.md, "The sentiment agent").

* **Market context** (:func:`market_context`): the last close; the change over 1 day, 1 week
  and 1 month is ``close[-1] / close[j] - 1`` where ``j`` is the newest bar whose start is at
  least 1, 7 or 30 calendar days before the last bar's start (None when the bars do not reach
  that far back). On daily bars "1 day" is the previous trading day (Monday compares with
  Friday). The index's changes are read the same way from the index's bars when they are given.
* **Realised volatility** (:func:`realised_volatility`): the sample standard deviation
  (``ddof=1``) of the last :data:`VOLATILITY_RETURNS` simple bar-to-bar returns
  ``close[i] / close[i-1] - 1``; None with fewer than 2 returns.
* **News windows** (:data:`WINDOW_DAYS`): the ``1d`` timeframe reads the headlines published
  within ``sentiment.news_lookback_hours`` before the decision time, ``1w`` within
  ``max(lookback, 7 days)``, ``1m`` within ``max(lookback, 30 days)``; each the newest
  ``sentiment.max_news_items`` of its window.
"""

from __future__ import annotations

import itertools
import statistics
from collections.abc import Sequence
from datetime import timedelta
from typing import Final

from trademind.agents.sentiment.prompt import Horizon, MarketContext
from trademind.core.market import Bar

VOLATILITY_RETURNS: Final = 20
WINDOW_DAYS: Final[dict[Horizon, float | None]] = {"1d": None, "1w": 7.0, "1m": 30.0}
"""Days of news each timeframe reads (None: the look-back alone); at least the look-back."""
_SPANS: Final = {"1d": timedelta(days=1), "1w": timedelta(days=7), "1m": timedelta(days=30)}


def window(horizon: Horizon, lookback_hours: float) -> timedelta:
    """How far back ``horizon``'s news reaches (module docstring)."""
    lookback = timedelta(hours=lookback_hours)
    days = WINDOW_DAYS[horizon]
    return lookback if days is None else max(lookback, timedelta(days=days))


def change(bars: Sequence[Bar], span: timedelta) -> float | None:
    """``close[-1] / close[j] - 1`` for the newest bar ``j`` starting ``span`` or more before
    the last bar's start; None when no bar is that old."""
    if not bars:
        return None
    last = bars[-1]
    cutoff = last.ts - span
    for bar in reversed(bars[:-1]):
        if bar.ts <= cutoff:
            return last.close / bar.close - 1.0
    return None


def market_context(
    bars: Sequence[Bar], index: Sequence[Bar] = (), index_symbol: str | None = None
) -> MarketContext:
    """The prompt's market context from the symbol's bars (oldest first) and the index's."""
    return MarketContext(
        last_close=bars[-1].close if bars else None,
        change_1d=change(bars, _SPANS["1d"]),
        change_1w=change(bars, _SPANS["1w"]),
        change_1m=change(bars, _SPANS["1m"]),
        index_symbol=index_symbol or "index (not configured)",
        index_change_1d=change(index, _SPANS["1d"]),
        index_change_1w=change(index, _SPANS["1w"]),
    )


def realised_volatility(bars: Sequence[Bar]) -> float | None:
    """The standard deviation of the last :data:`VOLATILITY_RETURNS` returns (module doc)."""
    closes = [bar.close for bar in bars[-(VOLATILITY_RETURNS + 1) :]]
    returns = [after / before - 1.0 for before, after in itertools.pairwise(closes)]
    if len(returns) < 2:
        return None
    return statistics.stdev(returns)
