"""A strategy's signal as a decision: what the decision step does until agents vote (issue 11)."""

from __future__ import annotations

from datetime import datetime

from trademind.core.decisions import Decision, Signal
from trademind.core.market import TradingMode
from trademind.execution.order_ids import decision_id


def decision_from_signal(
    signal: Signal, mode: TradingMode, decided_at: datetime | None = None
) -> Decision:
    """The decision that does what ``signal`` asks, at ``decided_at`` (default: the signal's
    bar close), with a deterministic id and the signal's reason as its reasoning."""
    when = signal.ts if decided_at is None else decided_at
    return Decision(
        decision_id=decision_id(signal.strategy, signal.symbol, when),
        symbol=signal.symbol,
        action=signal.action,
        confidence=signal.confidence,
        decided_at=when,
        data_time=signal.ts,
        mode=mode,
        reasoning=signal.reason or f"{signal.strategy} signal",
        agent="strategy",
        strategy=signal.strategy,
    )
