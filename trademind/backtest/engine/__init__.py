"""The native engine: bars and signals in, a :class:`~trademind.backtest.engine.outcome.
BacktestOutcome` out (``run.run_backtest``), with its configuration, the numba loop
(``kernel*``), the flattening of bars into events (``prepare``), position sizing and volatility.

Imports nothing from the other backtest subpackages (an import-linter contract)."""
