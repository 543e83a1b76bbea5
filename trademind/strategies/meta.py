"""Meta-strategy: the other rule strategies' signals combined by the orchestrator's weighted vote.

docs/strategies.md states the rule precisely; :mod:`trademind.strategies.meta_vote` holds the
vote of one bar, shared by this vectorised path and the bar-by-bar stepper.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

import numpy as np

from trademind.core.decisions import Action
from trademind.strategies.base import Bars, Param, ParamValue, Signals, Strategy
from trademind.strategies.bollinger_reversion import BollingerReversion
from trademind.strategies.buy_and_hold import BuyAndHold
from trademind.strategies.ma_crossover import MaCrossover
from trademind.strategies.macd_momentum import MacdMomentum
from trademind.strategies.meta_vote import (
    ABSTAIN,
    BUY,
    FLAT,
    HOLD,
    LONG,
    SELL,
    STANCES,
    Component,
    MetaVote,
    components,
    weight_param,
)
from trademind.strategies.rsi_mean_reversion import RsiMeanReversion

if TYPE_CHECKING:
    from trademind.strategies.base import BoolArray, IntArray

CANDIDATES: Final[tuple[Strategy, ...]] = (
    BollingerReversion(),
    BuyAndHold(),
    MaCrossover(),
    MacdMomentum(),
    RsiMeanReversion(),
)
"""Every strategy a meta vote can include, in the order its reasons name them."""
_ENTER, _EXIT = 1, 2
DEFAULT_WEIGHTS: Final = {"ma_crossover": 1.0, "macd_momentum": 1.0, "rsi_mean_reversion": 1.0}
MAX_WEIGHT: Final = 100.0


def _weight(strategy: Strategy) -> Param:
    return Param(
        weight_param(strategy.name),
        "float",
        DEFAULT_WEIGHTS.get(strategy.name, 0.0),
        f"Weight of {strategy.name}'s vote (0: not a component; it runs with its defaults).",
        minimum=0,
        maximum=MAX_WEIGHT,
    )


class Meta:
    """The components' signals at each bar become votes, tallied as the orchestrator tallies
    agents' votes (:func:`trademind.core.voting.tally`): BUY is an entry, SELL an exit."""

    name = "meta"
    description = "Weighted vote of other rule strategies (the orchestrator's tally), per bar."
    params: tuple[Param, ...] = (
        Param(
            "votes",
            "choice",
            "position",
            "position: a component votes buy while long, sell while flat; signal: buy on its "
            "entries, sell on its exits, hold otherwise.",
            choices=("position", "signal"),
        ),
        Param(
            "quorum",
            "float",
            0.5,
            "Least fraction of the total weight that must vote (not warm up) for a signal.",
            minimum=0.01,
            maximum=1,
        ),
        Param(
            "buy_threshold",
            "float",
            0.2,
            "Enter when the weighted score is at least this.",
            minimum=0.01,
            maximum=1,
        ),
        Param(
            "sell_threshold",
            "float",
            0.2,
            "Exit when the weighted score is at most minus this.",
            minimum=0.01,
            maximum=1,
        ),
        *(_weight(strategy) for strategy in CANDIDATES),
    )

    def check(self, params: Mapping[str, ParamValue]) -> None:
        components(CANDIDATES, params)

    def warmup(self, params: Mapping[str, ParamValue]) -> int:
        """The first bar at which the components out of their warm-up reach the quorum."""
        parts = components(CANDIDATES, params)
        total = math.fsum(part.weight for part in parts)
        quorum = float(params["quorum"])
        # the last candidate always qualifies: every weight is ready there, and quorum <= 1
        return next(
            bar
            for bar in sorted({part.warmup for part in parts})
            if math.fsum(part.weight for part in parts if part.warmup <= bar) / total >= quorum
        )

    def signals(self, bars: Bars, params: Mapping[str, ParamValue]) -> Signals:
        vote = MetaVote(components(CANDIDATES, params), params)
        keys = np.zeros(len(bars), dtype=np.int64)
        for part in reversed(vote.components):  # the first component is the lowest digit
            keys *= STANCES
            keys += _stances(part, bars, vote.mode)
        return _decide_all(vote, keys)


def _stances(part: Component, bars: Bars, mode: str) -> IntArray:
    """One component's stance code at every bar (:mod:`~trademind.strategies.meta_vote`)."""
    own = part.strategy.signals(bars, part.params)
    entries, exits = own.entries, own.exits
    codes: IntArray = np.full(len(bars), HOLD, dtype=np.int64)
    if mode == "position":
        codes[:] = np.where(_long_after(entries, exits), LONG, FLAT)
    codes[entries] = BUY
    codes[exits] = SELL
    codes[: part.warmup] = ABSTAIN
    return codes


def _long_after(entries: BoolArray, exits: BoolArray) -> BoolArray:
    """Whether the last entry or exit at or before each bar was an entry."""
    positions = np.arange(entries.shape[0], dtype=np.int64)
    last = np.maximum.accumulate(np.where(entries | exits, positions, -1))
    long: BoolArray = (last >= 0) & entries[np.maximum(last, 0)]
    return long


def _decide_all(vote: MetaVote, keys: IntArray) -> Signals:
    """Each distinct key decided once, reason codes numbered in order of first appearance (so
    a bar's code does not depend on later bars)."""
    size = keys.shape[0]
    unique, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    action = np.zeros(unique.shape[0], dtype=np.int8)
    confidence = np.zeros(unique.shape[0])
    reason = np.zeros(unique.shape[0], dtype=np.int16)
    texts: list[str] = [""]
    count = len(vote.components)
    for slot in np.argsort(first, kind="stable"):
        key = int(unique[slot])
        decided = vote.decide(tuple((key // STANCES**i) % STANCES for i in range(count)))
        if decided is None:
            continue
        action[slot] = _ENTER if decided.action is Action.BUY else _EXIT
        confidence[slot] = decided.confidence
        texts.append(decided.reason)
        reason[slot] = len(texts) - 1
    chosen = action[inverse.reshape(size)]
    return Signals(
        entries=chosen == _ENTER,
        exits=chosen == _EXIT,
        confidence=confidence[inverse.reshape(size)],
        reason=reason[inverse.reshape(size)],
        reason_value=np.full(size, np.nan),
        reasons=tuple(texts),
    )
