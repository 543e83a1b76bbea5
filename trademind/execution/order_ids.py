"""Deterministic client order ids: the same decision gives the same id after a restart.

An id is derived from (account, symbol, decision time, sequence) only, so a resumed run that
re-derives a decision re-derives its order's id, and the broker's idempotent placing (the same
client order id is one order) turns a repeated placement into a no-op. The id reads
``<SYMBOL>-<YYYYMMDDTHHMMSS>-<seq>-<digest>``: the digest (SHA-256 of all four parts, 10 hex
digits) keeps ids of different accounts apart and the id within the 64 characters the
database holds.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from trademind.core import values
from trademind.core.errors import ValidationError
from trademind.core.orders import ID_MAX_LENGTH

_DIGEST_LENGTH = 10


def client_order_id(account: str, symbol: str, decided_at: datetime, sequence: int) -> str:
    """The client order id of the ``sequence``-th order (from 0) caused by the decision on
    ``symbol`` at ``decided_at`` in ``account``."""
    values.text(account, "account")
    values.symbol(symbol, "symbol")
    when = values.utc(decided_at, "decided_at")
    if isinstance(sequence, bool) or not isinstance(sequence, int) or sequence < 0:
        raise ValidationError(f"order sequence must be a whole number >= 0, got {sequence!r}")
    key = f"{account}\x1f{symbol}\x1f{when.isoformat()}\x1f{sequence}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:_DIGEST_LENGTH]
    stamp = when.strftime("%Y%m%dT%H%M%S")
    head = f"{symbol}-{stamp}-{sequence}"
    limit = ID_MAX_LENGTH - _DIGEST_LENGTH - 1
    return f"{head[:limit]}-{digest}"


def decision_id(strategy: str, symbol: str, decided_at: datetime) -> str:
    """A deterministic id for the decision ``strategy`` caused on ``symbol`` at
    ``decided_at``: ``<SYMBOL>-<YYYYMMDDTHHMMSS>-d-<digest>`` (digest over all three)."""
    values.text(strategy, "strategy")
    values.symbol(symbol, "symbol")
    when = values.utc(decided_at, "decided_at")
    key = f"{strategy}\x1f{symbol}\x1f{when.isoformat()}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:_DIGEST_LENGTH]
    head = f"{symbol}-{when.strftime('%Y%m%dT%H%M%S')}-d"
    return f"{head[: ID_MAX_LENGTH - _DIGEST_LENGTH - 1]}-{digest}"


def liquidation_order_id(account: str, symbol: str, event_id: int) -> str:
    """The client order id of the market sell closing ``symbol`` for the emergency stop
    ``event_id`` (``safety_events.id``): ``<SYMBOL>-ESTOP<event id>-<digest>``, the same
    after a restart, so a liquidation done again places nothing twice."""
    values.text(account, "account")
    values.symbol(symbol, "symbol")
    key = f"{account}\x1f{symbol}\x1festop\x1f{event_id}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:_DIGEST_LENGTH]
    head = f"{symbol}-ESTOP{event_id}"
    return f"{head[: ID_MAX_LENGTH - _DIGEST_LENGTH - 1]}-{digest}"


def safety_order_id(kind: str, account: str, symbol: str, at: datetime) -> str:
    """The client order id of a sell the safety layer places on its own at ``at`` (``kind``
    ``STOP``: a monitored stop; ``FLAT``: a breaker flattening the account):
    ``<SYMBOL>-<KIND><YYYYMMDDTHHMMSS>-<digest>``, the same after a restart."""
    values.text(account, "account")
    values.symbol(symbol, "symbol")
    when = values.utc(at, "at")
    key = f"{account}\x1f{symbol}\x1f{kind}\x1f{when.isoformat()}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:_DIGEST_LENGTH]
    head = f"{symbol}-{kind}{when.strftime('%Y%m%dT%H%M%S')}"
    return f"{head[: ID_MAX_LENGTH - _DIGEST_LENGTH - 1]}-{digest}"
