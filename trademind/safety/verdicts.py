"""What a pre-trade rule says about an order: :class:`RuleVerdict` (pass, or a rejection with
the rule's name and a human reason with the numbers that decided it)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleVerdict:
    """``passed`` True: the rule lets the order through (``reason`` may say why it did not
    apply); False: a rejection, ``reason`` says why with the figures."""

    rule: str
    passed: bool
    reason: str = ""

    @property
    def message(self) -> str:
        """``"rule: reason"``, the one line shown to users and stored with a rejected order."""
        return f"{self.rule}: {self.reason}" if self.reason else self.rule


def passed(rule: str, reason: str = "") -> RuleVerdict:
    return RuleVerdict(rule=rule, passed=True, reason=reason)


def rejected(rule: str, reason: str) -> RuleVerdict:
    return RuleVerdict(rule=rule, passed=False, reason=reason)


def dollars(amount: Decimal) -> str:
    """``$12,400.00``; negative amounts as ``-$1.50``."""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def percent(fraction: Decimal | float) -> str:
    """``12.50%`` for 0.125."""
    return f"{Decimal(str(fraction)) * 100:.2f}%"


def shares(quantity: Decimal) -> str:
    """``1,500`` or ``12.5`` shares, without trailing zeros."""
    text = f"{quantity.normalize():,f}"
    return text
