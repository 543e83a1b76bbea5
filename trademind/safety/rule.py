"""The pre-trade rule port: :class:`PreTradeRule`.

A rule has a ``name`` (what a rejection starts with and what ``safety.disabled_rules`` lists),
its ``settings`` (the limits it enforces, for ``safety limits`` and the docs), whether it
checks orders that only reduce exposure (``applies_to_reducing``: limits meant for entries do
not, so that closing a position is never blocked by them), and ``check``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from trademind.safety.context import PreTradeContext
from trademind.safety.verdicts import RuleVerdict


class PreTradeRule(Protocol):
    """One named check of an order before it leaves."""

    @property
    def name(self) -> str: ...

    @property
    def applies_to_reducing(self) -> bool: ...

    @property
    def settings(self) -> Mapping[str, object]:
        """The rule's limits by setting name (``{"max_order_value": Decimal("10000")}``)."""
        ...

    def check(self, context: PreTradeContext) -> RuleVerdict:
        """Pass, or a rejection naming the rule with the figures that decided it."""
        ...
