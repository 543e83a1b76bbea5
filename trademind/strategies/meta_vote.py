"""The ``meta`` strategy's vote at one bar: each component's stance, the orchestrator's weighted
tally over them (:func:`trademind.core.voting.tally`, the same function), and the reason.

A component's **stance** at bar ``t`` is one of the codes below. With ``votes=position`` it
votes for the position it holds as a stand-alone strategy: BUY on its entry bars and while long
since its last entry (``long``), SELL on its exit bars and while flat (``flat``, also before its
first entry). With ``votes=signal`` it votes BUY on its entry bars, SELL on its exit bars and
HOLD on every other bar. Either way it abstains on the bars before its warm-up
(``t < warmup``). A BUY vote has score +1, SELL -1, HOLD 0, all with confidence 1.

Both paths of the strategy (the vectorised :meth:`Meta.signals` and the bar-by-bar stepper)
turn the stances of one bar into that bar's signal through :meth:`MetaVote.decide`, so they
agree by construction once the stances agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from trademind.core.decisions import Abstention, Action, Vote
from trademind.core.errors import ValidationError
from trademind.core.voting import VotingRules, tally
from trademind.strategies.base import ParamValue, Strategy, resolve_params

ABSTAIN, BUY, SELL, LONG, FLAT, HOLD = range(6)
"""Stance codes: the component is warming up, signals an entry, signals an exit, holds a long
position without a signal, is flat without a signal, has no signal (``votes=signal``)."""
STANCES: Final = 6
"""How many stance codes there are (the base of a bar's combined key)."""
LABELS: Final = ("warming up", "buy", "sell", "long", "flat", "hold")
_DIRECTION: Final = {
    BUY: (Action.BUY, 1.0),
    LONG: (Action.BUY, 1.0),
    SELL: (Action.SELL, -1.0),
    FLAT: (Action.SELL, -1.0),
    HOLD: (Action.HOLD, 0.0),
}
_VOTE_SYMBOL: Final = "META"
_VOTE_TIME: Final = datetime(1970, 1, 1, tzinfo=UTC)
"""The votes exist only to be tallied; the tally reads their agent, direction, score and
confidence. One tally serves every bar with the same stances, so they carry no bar's symbol or
time: these two fixed values fill the fields the :class:`Vote` type requires."""
WEIGHT_PREFIX: Final = "weight_"


def weight_param(component: str) -> str:
    """The name of a component's weight parameter: ``weight_ma_crossover``."""
    return f"{WEIGHT_PREFIX}{component}"


@dataclass(frozen=True, slots=True)
class Decided:
    """What one bar's stances decide: BUY or SELL, the confidence and the reason text."""

    action: Action
    confidence: float
    reason: str


@dataclass(frozen=True, slots=True)
class Component:
    """A component strategy in a meta vote: its default parameters, weight and warm-up."""

    strategy: Strategy
    params: Mapping[str, ParamValue]
    weight: float
    warmup: int


def components(
    candidates: tuple[Strategy, ...], params: Mapping[str, ParamValue]
) -> tuple[Component, ...]:
    """The candidates whose weight in ``params`` is above 0, with their default parameters."""
    chosen = []
    for strategy in candidates:
        weight = float(params[weight_param(strategy.name)])
        if weight > 0.0:
            own = resolve_params(strategy.params)
            strategy.check(own)
            chosen.append(Component(strategy, own, weight, strategy.warmup(own)))
    if not chosen:
        raise ValidationError("at least one component weight must be above 0")
    return tuple(chosen)


def stance(mode: str, action: Action | None, was_long: bool) -> tuple[int, bool]:
    """One component's stance after its signal ``action`` (None: no signal) at a bar after its
    warm-up, and whether it is long after the bar (module docstring)."""
    is_long = action is Action.BUY or (was_long and action is not Action.SELL)
    if action is Action.BUY:
        return BUY, is_long
    if action is Action.SELL:
        return SELL, is_long
    if mode == "signal":
        return HOLD, is_long
    return (LONG if is_long else FLAT), is_long


class MetaVote:
    """The weighted vote of a meta strategy's components, one decision per distinct stances."""

    def __init__(self, parts: tuple[Component, ...], params: Mapping[str, ParamValue]) -> None:
        self.components = parts
        self.mode = str(params["votes"])
        self.rules = VotingRules(
            weights={part.strategy.name: part.weight for part in parts},
            quorum=float(params["quorum"]),
            buy_threshold=float(params["buy_threshold"]),
            sell_threshold=float(params["sell_threshold"]),
        )
        self._decided: dict[tuple[int, ...], Decided | None] = {}

    def decide(self, stances: tuple[int, ...]) -> Decided | None:
        """The signal of a bar whose components stand at ``stances`` (in component order), None
        for HOLD (no quorum, or a score between the thresholds)."""
        if stances not in self._decided:
            self._decided[stances] = self._tally(stances)
        return self._decided[stances]

    def _tally(self, stances: tuple[int, ...]) -> Decided | None:
        opinions: list[Vote | Abstention] = []
        for part, code in zip(self.components, stances, strict=True):
            name = part.strategy.name
            if code == ABSTAIN:
                opinions.append(
                    Abstention(agent=name, symbol=_VOTE_SYMBOL, reason=LABELS[code], source="rules")
                )
                continue
            direction, score = _DIRECTION[code]
            opinions.append(
                Vote(agent=name, symbol=_VOTE_SYMBOL, direction=direction, score=score,
                     confidence=1.0, data_time=_VOTE_TIME, source="rules", reasoning=LABELS[code])
            )  # fmt: skip
        result = tally(opinions, self.rules)
        if result.action is Action.HOLD or result.score is None:
            return None
        return Decided(result.action, self._confidence(result.action, result.score),
                       self._reason(result.action, result.score, stances))  # fmt: skip

    def _confidence(self, action: Action, score: float) -> float:
        """0.5 at the threshold, growing linearly to 1.0 at a unanimous score (+1 or -1)."""
        rules = self.rules
        threshold = rules.buy_threshold if action is Action.BUY else rules.sell_threshold
        room = 1.0 - threshold
        ratio = (abs(score) - threshold) / room if room > 0.0 else 1.0
        return 0.5 + 0.5 * min(1.0, max(0.0, ratio))

    def _reason(self, action: Action, score: float, stances: tuple[int, ...]) -> str:
        rules = self.rules
        if action is Action.BUY:
            rule = f"BUY {score:.2f} >= {rules.buy_threshold:.2f}"
        else:
            rule = f"SELL {score:.2f} <= {-rules.sell_threshold:.2f}"
        said = ", ".join(
            f"{part.strategy.name} {LABELS[code]}"
            for part, code in zip(self.components, stances, strict=True)
        )
        return f"meta: {rule} ({said})"
