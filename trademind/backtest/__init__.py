"""Backtesting: the engine, metrics, robustness analyses, backtrader parity and reports."""

from typing import Final

KEY_METRICS: Final = (
    "total_return",
    "cagr",
    "sharpe",
    "sortino",
    "max_drawdown",
    "win_rate",
    "trade_count",
)
"""The metrics run summaries and comparison tables lead with (names as in docs/metrics.md).
Here, in the package's light ``__init__``, so the CLI can name them without importing numpy."""
