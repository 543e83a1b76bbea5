"""Brokers: the broker port (:mod:`trademind.brokers.base`), the paper broker and, with the
IBKR issue, Interactive Brokers. Nothing here imports ``trademind.backtest``: the execution
rules both share live in :mod:`trademind.fills`."""
