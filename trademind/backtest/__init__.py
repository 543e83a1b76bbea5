"""Backtesting: the engine, metrics, robustness analyses, backtrader parity and reports."""
