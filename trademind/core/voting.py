"""Weighted voting: the agents' opinions on one symbol at one bar close become one action.

Let ``A`` be every agent the orchestrator asked, with weights ``w_i >= 0``, and ``P`` those that
voted (abstentions are left out; they are not neutral votes). A vote has a score ``x_i`` in
[-1, 1] (positive: buy) and a confidence ``c_i`` in [0, 1].

- **participation** ``p = sum_P w_i / sum_A w_i``. When ``p`` is below the **quorum** (or no
  participating weight is above 0) the action is HOLD, the explanation says "no quorum", the
  score is None and the confidence 0.
- **score** ``s = sum_P w_i c_i x_i / sum_P w_i``, in [-1, 1]. A HOLD vote (``x = 0``) adds its
  weight to the denominator only: it pulls ``s`` toward 0, as an opinion "stay as we are" should.
- **action** BUY when ``s >= t_buy``, SELL when ``s <= -t_sell``, HOLD otherwise.
- **confidence** ``C = sum_{P, direction_i = action} w_i c_i / sum_P w_i``: the
  confidence-weighted share of the participating weight that asked for the action taken.

docs/agents.md works an example through by hand. The rule lives in the core because two layers
tally with it: the orchestrator (the agents' votes) and the ``meta`` strategy
(:mod:`trademind.strategies.meta`, its component strategies' votes at every bar).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from trademind.core.decisions import Abstention, Action, Vote
from trademind.core.errors import ValidationError


@dataclass(frozen=True, slots=True)
class VotingRules:
    """Weights per agent name, the quorum (a fraction of the total weight) and the thresholds."""

    weights: Mapping[str, float]
    quorum: float
    buy_threshold: float
    sell_threshold: float
    _total: float = field(init=False, repr=False, compare=False, default=0.0)
    _hold_band: str = field(init=False, repr=False, compare=False, default="")

    def __post_init__(self) -> None:
        self._check()
        object.__setattr__(self, "_total", math.fsum(self.weights.values()))
        band = f"(-{self.sell_threshold:.2f}, +{self.buy_threshold:.2f})"
        object.__setattr__(self, "_hold_band", band)

    def _check(self) -> None:
        for name, weight in self.weights.items():
            if not math.isfinite(weight) or weight < 0:
                raise ValidationError(f"weight of agent {name!r} must be >= 0, got {weight!r}")
        if not any(weight > 0 for weight in self.weights.values()):
            raise ValidationError("at least one agent weight must be above 0")
        for what, value in (
            ("quorum", self.quorum),
            ("buy threshold", self.buy_threshold),
            ("sell threshold", self.sell_threshold),
        ):
            if not (math.isfinite(value) and 0 < value <= 1):
                raise ValidationError(f"{what} must be in (0, 1], got {value!r}")

    def weight(self, agent: str) -> float:
        """The weight of ``agent``; an agent without one is refused (never a silent 0)."""
        found = self.weights.get(agent)
        if found is None:
            known = ", ".join(sorted(self.weights))
            raise ValidationError(f"agent {agent!r} has no weight (known: {known})")
        return found

    @property
    def total_weight(self) -> float:
        return self._total

    @property
    def hold_band(self) -> str:
        """The scores of a HOLD, as the explanation shows them: ``(-0.20, +0.20)``."""
        return self._hold_band


@dataclass(frozen=True, slots=True)
class Tally:
    """The outcome of one vote (module docstring) and a one-sentence explanation."""

    action: Action
    score: float | None
    confidence: float
    participation: float
    quorum_met: bool
    explanation: str
    weights: Mapping[str, float] = field(default_factory=dict)


def tally(opinions: Sequence[Vote | Abstention], rules: VotingRules) -> Tally:
    """Combine ``opinions`` (one per agent of ``rules``; module docstring)."""
    known = rules.weights
    weights: dict[str, float] = {}
    votes: list[Vote] = []
    for opinion in opinions:
        weight = known.get(opinion.agent)
        weights[opinion.agent] = rules.weight(opinion.agent) if weight is None else weight
        if isinstance(opinion, Vote):
            votes.append(opinion)
    voting_weight = math.fsum([weights[vote.agent] for vote in votes])
    participation = voting_weight / rules.total_weight
    if voting_weight <= 0 or participation < rules.quorum:
        why = _no_quorum(opinions, participation, rules.quorum)
        return Tally(Action.HOLD, None, 0.0, participation, False, why, weights)
    weighted = math.fsum([weights[v.agent] * v.confidence * v.score for v in votes])
    score = max(-1.0, min(1.0, weighted / voting_weight))
    action = _action(score, rules)
    support = math.fsum([weights[v.agent] * v.confidence for v in votes if v.direction is action])
    confidence = max(0.0, min(1.0, support / voting_weight))
    why = _explain(action, score, votes, len(opinions), rules)
    return Tally(action, score, confidence, participation, True, why, weights)


def _action(score: float, rules: VotingRules) -> Action:
    if score >= rules.buy_threshold:
        return Action.BUY
    if score <= -rules.sell_threshold:
        return Action.SELL
    return Action.HOLD


def _no_quorum(opinions: Sequence[Vote | Abstention], participation: float, quorum: float) -> str:
    silent = [f"{o.agent} ({o.reason})" for o in opinions if isinstance(o, Abstention)]
    abstained = f"; abstained: {', '.join(silent)}" if silent else ""
    return (
        f"Hold, no quorum: {participation:.2f} of the weight voted, {quorum:.2f} needed{abstained}."
    )


def _explain(
    action: Action, score: float, votes: Sequence[Vote], asked: int, rules: VotingRules
) -> str:
    if action is Action.HOLD:
        return (
            f"Hold: weighted score {score:+.2f} is inside {rules.hold_band}; "
            f"{len(votes)} of {asked} agents voted."
        )
    voted = f"{len(votes)} of {asked} agents voted"
    backers = [v for v in votes if v.direction is action]
    threshold = rules.buy_threshold if action is Action.BUY else -rules.sell_threshold
    sign = ">=" if action is Action.BUY else "<="
    lead = max(backers, key=lambda v: rules.weight(v.agent) * v.confidence, default=None)
    led = "" if lead is None else f", led by {lead.agent} ({lead.reasoning or lead.direction})"
    return (
        f"{action.value.capitalize()}: weighted score {score:+.2f} {sign} {threshold:+.2f}; "
        f"{voted}{led}."
    )
