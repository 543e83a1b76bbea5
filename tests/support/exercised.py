"""What a parity case must show for its execution options to have been exercised.

A parity case that never triggers its stop-loss, never lets a DAY order expire or never meets
its volume cap proves nothing about that option, however equal the two sides are. The parity
tests run on a few hundred bars to keep the suite quick; :func:`unexercised` says which of a
case's options left no trace in the engine's outcome, so a test can assert that every option
of its matrix did, in at least one of its cases.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.engine.outcome import BacktestOutcome
from trademind.fills.protective import EXIT_STOP_LOSS, EXIT_TAKE_PROFIT, EXIT_TRAILING
from trademind.fills.slippage import NoSlippage


def traces(outcome: BacktestOutcome) -> set[str]:
    """The options whose effect shows in ``outcome`` (names as :func:`expected` gives them)."""
    log, counts, config = outcome.log, outcome.counts, outcome.config
    found = set()
    if counts.fills > 0:
        found.add("fills")
    kinds = set(log.exit_kind[log.exit_index >= 0].tolist())
    for kind, name in (
        (EXIT_STOP_LOSS, "stop_loss"),
        (EXIT_TAKE_PROFIT, "take_profit"),
        (EXIT_TRAILING, "trailing_stop"),
    ):
        if kind in kinds:
            found.add(name)
    if counts.partial_fills > 0:
        found.add("volume_cap")
    if counts.expired > 0:
        found.add("day_expiry")
    if _rested(outcome):
        found.add("gtc_rested")
    if outcome.total_slippage > 0:
        found.add("slippage")
    if counts.fills > 0 and not config.fractional_shares:
        whole = np.all(log.quantity == np.floor(log.quantity))
        if whole:
            found.add("whole_shares")
    return found


def expected(config: BacktestConfig) -> set[str]:
    """What a case with ``config`` must show, over its cases, to have exercised its options."""
    wanted = {"fills"}
    for name in ("stop_loss", "take_profit", "trailing_stop", "volume_cap"):
        if getattr(config, name) is not None:
            wanted.add(name)
    if config.order_type != "market":
        wanted.add("day_expiry" if config.time_in_force == "day" else "gtc_rested")
    if config.order_type == "market" and not isinstance(config.slippage, NoSlippage):
        wanted.add("slippage")  # (limit prices do not slip)
    if not config.fractional_shares:
        wanted.add("whole_shares")
    return wanted


def unexercised(outcomes: Iterable[BacktestOutcome]) -> set[str]:
    """What the cases of one option set (the same config in each) together failed to show."""
    outcomes = list(outcomes)
    shown = set().union(*(traces(one) for one in outcomes))
    return expected(outcomes[0].config) - shown


def _rested(outcome: BacktestOutcome) -> bool:
    """A GTC entry filled after resting more than a bar: its fill bar's decision bar (the bar
    ``1 + latency`` before it) had no entry signal, so the order was placed before that."""
    log = outcome.log
    delay = 1 + outcome.config.latency_bars
    for symbol, entry in zip(log.symbol.tolist(), log.entry_index.tolist(), strict=True):
        decision = entry - delay
        if decision >= 0 and not outcome.signals[symbol].entries[decision]:
            return True
    return False
