"""Backtests as pure functions and the studies built from them: one run with its metrics
(``runner``), parameter sweeps, walk-forward analysis, and the worker processes they share."""
