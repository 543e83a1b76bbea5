"""The pre-trade chain: the trading-state gate, then every enabled rule.

:meth:`SafetyChain.check` returns every verdict (for the decision log and ``safety`` reports);
the first rejection decides. The gate comes first: HALTED refuses every order (only cancels,
which never pass through here, remain possible), REDUCING refuses every order that does not
only reduce exposure. A rule whose ``applies_to_reducing`` is False passes a reducing order
without checking it, saying so. A rule that raises fails closed: its verdict is a rejection
naming the error, never a pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from trademind.core.trading_state import TradingState
from trademind.safety.context import PreTradeContext
from trademind.safety.rule import PreTradeRule
from trademind.safety.verdicts import RuleVerdict, passed, rejected

STATE_GATE = "trading_state"
NOT_APPLIED = "not applied: the order only reduces exposure"


@dataclass(frozen=True, slots=True)
class ChainResult:
    """Every verdict in chain order; ``rejection`` is the first rejection (None: approved)."""

    verdicts: tuple[RuleVerdict, ...]

    @property
    def rejection(self) -> RuleVerdict | None:
        return next((verdict for verdict in self.verdicts if not verdict.passed), None)

    @property
    def approved(self) -> bool:
        return self.rejection is None


def state_gate(state: TradingState, context: PreTradeContext) -> RuleVerdict:
    """The trading state's verdict on the order."""
    if state is TradingState.HALTED:
        return rejected(STATE_GATE, "trading is halted; only cancels are accepted")
    if state is TradingState.REDUCING and not context.reduces_exposure:
        return rejected(
            STATE_GATE,
            f"trading is reducing-only and this {context.order.side.value} of "
            f"{context.order.symbol} would not reduce the position",
        )
    return passed(STATE_GATE)


class SafetyChain:
    """Runs ``rules`` (in order) after the state gate; the rules are the enabled ones."""

    def __init__(self, rules: Sequence[PreTradeRule]) -> None:
        names = [rule.name for rule in rules]
        duplicated = sorted({name for name in names if names.count(name) > 1})
        if duplicated:
            raise ValueError(f"each rule may appear once in a chain; repeated: {duplicated}")
        self._rules = tuple(rules)

    @property
    def rules(self) -> tuple[PreTradeRule, ...]:
        return self._rules

    def check(self, context: PreTradeContext, state: TradingState) -> ChainResult:
        reducing = context.reduces_exposure
        verdicts = [state_gate(state, context)]
        for rule in self._rules:
            if reducing and not rule.applies_to_reducing:
                verdicts.append(passed(rule.name, NOT_APPLIED))
                continue
            verdicts.append(_checked(rule, context))
        return ChainResult(tuple(verdicts))


def _checked(rule: PreTradeRule, context: PreTradeContext) -> RuleVerdict:
    try:
        verdict = rule.check(context)
    except Exception as exc:  # a failing check must refuse, never pass
        return rejected(rule.name, f"the check failed ({type(exc).__name__}: {exc})")
    if verdict.rule != rule.name:
        return rejected(rule.name, f"the check answered for another rule ({verdict.rule})")
    return verdict
