"""The meta strategy: stances, the weighted tally worked by hand, warm-up, validation, and an
independent re-computation of its signals from its components' on the real daily data."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pytest

from trademind.core.decisions import Action
from trademind.core.errors import ValidationError
from trademind.strategies import meta as meta_module
from trademind.strategies.base import Bars, Param, ParamValue, Signals
from trademind.strategies.meta_vote import (
    ABSTAIN,
    BUY,
    FLAT,
    HOLD,
    LONG,
    SELL,
    Component,
    MetaVote,
    components,
    stance,
)
from trademind.strategies.registry import get_strategy, resolve

META = get_strategy("meta")


def vote(**given: object) -> MetaVote:
    params = resolve(META, given)
    return MetaVote(components(meta_module.CANDIDATES, params), params)


# --- the tally, worked by hand -----------------------------------------------------------------


def test_the_defaults_are_three_equal_components_in_name_order() -> None:
    chosen = vote()
    assert [part.strategy.name for part in chosen.components] == [
        "ma_crossover",
        "macd_momentum",
        "rsi_mean_reversion",
    ]
    assert [part.weight for part in chosen.components] == [1.0, 1.0, 1.0]
    assert chosen.mode == "position"
    assert (chosen.rules.quorum, chosen.rules.buy_threshold, chosen.rules.sell_threshold) == (
        0.5,
        0.2,
        0.2,
    )


def test_two_buys_and_a_hold_buy_with_the_documented_reason() -> None:
    decided = vote(votes="signal", buy_threshold=0.5).decide((BUY, BUY, HOLD))
    assert decided is not None
    assert decided.action is Action.BUY
    # score (1 + 1 + 0) / 3 = 0.667; confidence 0.5 + 0.5 * (0.667 - 0.5) / (1 - 0.5) = 0.667
    assert decided.confidence == pytest.approx(2 / 3, abs=1e-12)
    assert decided.reason == (
        "meta: BUY 0.67 >= 0.50 (ma_crossover buy, macd_momentum buy, rsi_mean_reversion hold)"
    )


def test_a_hold_dilutes_the_score_below_the_threshold() -> None:
    """(1 + 0 + 0) / 3 = 0.33 < 0.4: no signal; with threshold 0.3 it buys."""
    assert vote(votes="signal", buy_threshold=0.4).decide((BUY, HOLD, HOLD)) is None
    assert vote(votes="signal", buy_threshold=0.3).decide((BUY, HOLD, HOLD)) is not None


def test_weights_tilt_the_score_and_the_boundary_acts() -> None:
    chosen = vote(weight_ma_crossover=2, buy_threshold=0.5, sell_threshold=0.5)
    assert chosen.decide((LONG, FLAT, FLAT)) is None  # (2 - 1 - 1) / 4 = 0
    bought = chosen.decide((LONG, LONG, FLAT))  # (2 + 1 - 1) / 4 = 0.5 >= 0.5
    assert bought is not None
    assert bought.action is Action.BUY
    assert bought.confidence == 0.5  # exactly at the threshold
    sold = chosen.decide((FLAT, FLAT, LONG))  # (-2 - 1 + 1) / 4 = -0.5 <= -0.5
    assert sold is not None
    assert sold.action is Action.SELL
    assert sold.reason == (
        "meta: SELL -0.50 <= -0.50 (ma_crossover flat, macd_momentum flat, rsi_mean_reversion long)"
    )
    unanimous = chosen.decide((SELL, FLAT, SELL))
    assert unanimous is not None
    assert unanimous.confidence == 1.0


def test_a_component_warming_up_abstains_and_below_the_quorum_nothing_happens() -> None:
    chosen = vote(votes="signal", buy_threshold=0.5)
    assert chosen.decide((ABSTAIN, ABSTAIN, BUY)) is None  # participation 1/3 < 0.5
    # participation 2/3: the abstention does not dilute, score (1 + 0) / 2 = 0.5
    decided = chosen.decide((ABSTAIN, BUY, HOLD))
    assert decided is not None
    assert decided.reason == (
        "meta: BUY 0.50 >= 0.50 (ma_crossover warming up, macd_momentum buy, "
        "rsi_mean_reversion hold)"
    )
    assert vote(votes="signal", quorum=1.0).decide((ABSTAIN, BUY, BUY)) is None


def test_a_zero_weight_strategy_is_no_component() -> None:
    chosen = vote(weight_macd_momentum=0, weight_bollinger_reversion=0.5)
    assert [p.strategy.name for p in chosen.components] == [
        "bollinger_reversion",
        "ma_crossover",
        "rsi_mean_reversion",
    ]


# --- stances -----------------------------------------------------------------------------------


class ScriptedStrategy:
    """A hand-written component whose entries and exits are given."""

    name = "scripted"
    description = "Given signals."
    params: tuple[Param, ...] = ()

    def __init__(self, entries: list[int], exits: list[int]) -> None:
        self.entries = np.array(entries, dtype=np.bool_)
        self.exits = np.array(exits, dtype=np.bool_)

    def check(self, params: Mapping[str, ParamValue]) -> None:
        """Nothing to check."""

    def warmup(self, params: Mapping[str, ParamValue]) -> int:
        return 0

    def signals(self, bars: Bars, params: Mapping[str, ParamValue]) -> Signals:
        size = len(bars)
        return Signals(
            self.entries[:size], self.exits[:size], np.zeros(size),
            np.zeros(size, np.int16), np.full(size, np.nan),
        )  # fmt: skip


ENTRIES = [0, 1, 0, 0, 1, 1, 0, 0, 0]
EXITS = [1, 0, 0, 1, 0, 0, 0, 1, 0]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("position", [ABSTAIN, ABSTAIN, LONG, SELL, BUY, BUY, LONG, SELL, FLAT]),
        ("signal", [ABSTAIN, ABSTAIN, HOLD, SELL, BUY, BUY, HOLD, SELL, HOLD]),
    ],
)
def test_stances_vectorised_and_one_bar_at_a_time(mode: str, expected: list[int]) -> None:
    scripted = ScriptedStrategy(ENTRIES, EXITS)
    part = Component(scripted, {}, 1.0, warmup=2)  # type: ignore[arg-type]
    close = np.ones(len(ENTRIES))
    bars = Bars("TEST", np.arange(close.size, dtype=np.int64), close, close, close, close, close)
    assert meta_module._stances(part, bars, mode).tolist() == expected
    was_long, stepped = False, []
    for index, (entry, exit_) in enumerate(zip(ENTRIES, EXITS, strict=True)):
        action = Action.BUY if entry else Action.SELL if exit_ else None
        code, was_long = stance(mode, action, was_long)
        stepped.append(ABSTAIN if index < part.warmup else code)
    assert stepped == expected


def test_before_its_first_entry_a_component_is_flat() -> None:
    assert stance("position", None, False) == (FLAT, False)
    assert stance("position", None, True) == (LONG, True)
    assert stance("signal", None, True) == (HOLD, True)


# --- warm-up -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({}, 34),  # rsi (14) alone is 1/3 < 0.5; with macd (34) 2/3
        ({"quorum": 0.3}, 14),
        ({"quorum": 1.0}, 50),  # ma_crossover's slow average
        ({"weight_rsi_mean_reversion": 2}, 14),  # rsi alone is 2/4 >= 0.5
        ({"weight_buy_and_hold": 5}, 0),
    ],
)
def test_the_warmup_is_the_first_bar_that_can_reach_the_quorum(
    given: dict[str, object], expected: int
) -> None:
    assert META.warmup(resolve(META, given)) == expected


def test_the_warmup_is_tight() -> None:
    """After a decline, a bounce at bar 34 makes macd cross above while rsi is still long: the
    defaults buy at the very first bar the quorum allows."""
    falling = 100.0 - 50.0 * (np.arange(34) / 34) ** 2
    close = np.concatenate([falling, [falling[-1] + 30.0] * 3])
    bars = Bars("TEST", np.arange(close.size, dtype=np.int64), close, close, close, close, close)
    signals = META.signals(bars, resolve(META))
    assert np.flatnonzero(signals.entries | signals.exits)[0] == 34
    assert signals.describe(34) == (
        "meta: BUY 1.00 >= 0.20 (ma_crossover warming up, macd_momentum buy, "
        "rsi_mean_reversion long)"
    )


# --- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"weight_ma_crossover": 0, "weight_macd_momentum": 0, "weight_rsi_mean_reversion": 0},
            "meta: at least one component weight must be above 0",
        ),
        ({"weight_meta": 1}, "meta: unknown parameter\\(s\\) weight_meta"),
        ({"weight_nope": 1}, "meta: unknown parameter\\(s\\) weight_nope"),
        ({"weight_ma_crossover": -1}, "weight_ma_crossover: -1 is below the minimum 0"),
        ({"weight_ma_crossover": "nan"}, "weight_ma_crossover: expected a finite number"),
        ({"weight_ma_crossover": 101}, "weight_ma_crossover: 101 is above the maximum 100"),
        ({"buy_threshold": 1.5}, "buy_threshold: 1.5 is above the maximum 1"),
        ({"sell_threshold": 0}, "sell_threshold: 0 is below the minimum 0.01"),
        ({"quorum": 0}, "quorum: 0 is below the minimum 0.01"),
        ({"votes": "majority"}, "votes: 'majority' is not one of position, signal"),
    ],
)
def test_bad_parameters_are_refused_naming_the_problem(
    given: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        resolve(META, given)


def test_meta_is_not_a_candidate_of_itself() -> None:
    assert "meta" not in {strategy.name for strategy in meta_module.CANDIDATES}
    assert not any(param.name == "weight_meta" for param in META.params)


# --- an independent re-computation on real data ------------------------------------------------


def _expected(bars: Bars, params: dict[str, ParamValue]) -> tuple[np.ndarray, np.ndarray]:
    """The documented rule with plain numpy, from the components' own signals."""
    size = len(bars)
    voted = np.zeros(size)
    weighted = np.zeros(size)
    total = 0.0
    for strategy in meta_module.CANDIDATES:
        weight = float(params[f"weight_{strategy.name}"])
        if weight == 0:
            continue
        total += weight
        own_params = resolve(strategy)
        own = strategy.signals(bars, own_params)
        if params["votes"] == "signal":
            score = own.entries.astype(float) - own.exits.astype(float)
        else:
            state, score = -1.0, np.zeros(size)
            for t in range(size):
                state = 1.0 if own.entries[t] else -1.0 if own.exits[t] else state
                score[t] = state
        ready = np.arange(size) >= strategy.warmup(own_params)
        voted += np.where(ready, weight, 0.0)
        weighted += np.where(ready, weight * score, 0.0)
    quorum = voted / total >= float(params["quorum"])
    with np.errstate(invalid="ignore", divide="ignore"):
        score = weighted / voted
    buys = quorum & (score >= float(params["buy_threshold"]))
    sells = quorum & (score <= -float(params["sell_threshold"]))
    return buys, sells


@pytest.mark.parametrize(
    "given",
    [
        {},
        {"votes": "signal"},
        {"weight_ma_crossover": 2, "weight_bollinger_reversion": 1, "buy_threshold": 0.5},
        {"votes": "signal", "weight_buy_and_hold": 1, "quorum": 0.9, "sell_threshold": 0.25},
    ],
    ids=str,
)
def test_the_signals_follow_the_documented_rule(
    given: dict[str, object], daily_bars: dict[str, Bars]
) -> None:
    params = resolve(META, given)
    for symbol, bars in daily_bars.items():
        signals = META.signals(bars, params)
        buys, sells = _expected(bars, params)
        assert buys.any(), symbol
        assert sells.any(), symbol
        assert np.array_equal(signals.entries, buys), symbol
        assert np.array_equal(signals.exits, sells), symbol
        acting = np.flatnonzero(signals.entries | signals.exits)
        assert all(signals.describe(i).startswith("meta: ") for i in acting)
