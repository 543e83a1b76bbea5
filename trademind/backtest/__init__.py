"""Backtesting, in four subpackages (an import-linter contract keeps their order):

- ``engine``: bars and signals in, the account, trades and order counts out (numba);
- ``analytics``: metrics, Sharpe statistics, Monte Carlo, period returns, the HTML report;
- ``research``: one run as a pure function, sweeps, walk-forward, worker processes;
- ``reference``: the same run through backtrader, to prove the engine.

No I/O here: the services read the bars (``trademind.services.backtest_bars``) and parse the
command-line option texts (``trademind.services.backtest_options``)."""

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
