"""Ports: the interfaces the core expects from the outside world, as ``typing.Protocol``.

Implementations live in their own packages (``trademind.cache`` for :class:`Cache`) and are
chosen by ``trademind/bootstrap.py``; core code depends only on these protocols.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractContextManager

    from trademind.core.decisions import Decision, Signal
    from trademind.core.market import BarBatch, TradingMode
    from trademind.core.order_state import OrderState
    from trademind.core.orders import Fill


class Cache(Protocol):
    """A key/value cache with per-entry time to live. Only ever a cache: losing it loses nothing.

    Values must be JSON-serialisable (``None``, bool, int, float, str, lists and dicts with
    string keys, nested). They are stored as JSON, so what ``get`` returns is a fresh copy as
    JSON gives it back: tuples come back as lists, and ``None`` cannot be told apart from a miss.
    ``set`` raises TypeError for anything else, in every implementation alike.
    """

    @property
    def backend_name(self) -> str:
        """The backend actually serving requests now: ``"memory"`` or ``"redis"``."""
        ...

    @property
    def is_fallback(self) -> bool:
        """True when a memory cache stands in for a configured Redis that failed."""
        ...

    def get(self, key: str) -> Any | None:
        """The value stored under ``key``, or None if missing or expired."""
        ...

    def set(self, key: str, value: Any, ttl_seconds: float | None = None) -> None:
        """Store ``value`` for ``ttl_seconds`` (None: the cache's default time to live)."""
        ...

    def delete(self, key: str) -> bool:
        """Remove ``key``; True if it was present."""
        ...

    def clear(self, prefix: str = "") -> int:
        """Remove every key starting with ``prefix`` (all keys for ``""``); returns how many."""
        ...


class BrokerJournal(Protocol):
    """Where a paper broker keeps its book so that a restart continues from it.

    Every method commits before it returns (a state change is committed before it is acted
    on), except inside :meth:`transaction`: the writes of such a block commit together when it
    exits, and the caller acts on them only after that. Implementations: the database one in
    ``trademind.portfolio`` and an in-memory one in ``trademind.testing``.
    """

    def transaction(self) -> AbstractContextManager[None]:
        """A block whose writes are one transaction, committed when it exits (nested blocks
        join the outer one); nothing of it is committed when it raises."""
        ...

    def record_order(self, account: str, state: OrderState) -> None:
        """Insert or update the order ``state.client_order_id`` of ``account``."""
        ...

    def record_fill(self, account: str, fill: Fill) -> bool:
        """Store a fill once (keyed by its execution id); False when it was already stored."""
        ...

    def load_orders(self, account: str) -> list[OrderState]:
        """Every order of ``account``, oldest first."""
        ...

    def load_fills(self, account: str) -> list[Fill]:
        """Every fill of ``account``, in the order they were recorded."""
        ...

    def save_state(self, account: str, name: str, document: dict[str, Any]) -> None:
        """Keep a JSON document (e.g. the venue's working state) under ``name``."""
        ...

    def load_state(self, account: str, name: str) -> dict[str, Any] | None:
        """The document saved under ``name``, or None."""
        ...


class DecisionMaker(Protocol):
    """Turns one bar close (its bars and the strategies' signals) into decisions: the decision
    step of the trading loop. It is called at every timestamp, with or without signals.

    Implementations: the runtime's ``SignalDecisions`` (each signal its own decision) and the
    orchestrator (agents vote). It lives in core so that both the runtime above and the
    orchestrator below it can name it."""

    async def decide(
        self, batch: BarBatch, signals: Sequence[Signal], mode: TradingMode
    ) -> Sequence[Decision]: ...
