"""The selection rule: regimes from features, learning per regime, choosing with a reason."""

from __future__ import annotations

import numpy as np
import pytest

from trademind.agents.selection.features import RegimeFeatures
from trademind.agents.selection.rule import (
    TrainingDays,
    describe_regime,
    learn,
    prefixes,
    regime_at,
)
from trademind.core.errors import ValidationError

NAMES = ("trend_follower", "mean_reverter")


def features(adx: float, vol: float, er: float, corr: float | None) -> RegimeFeatures:
    one = lambda value: np.array([value])  # noqa: E731
    return RegimeFeatures(
        "XYZ", one(adx), one(vol), one(er), None if corr is None else one(corr), "IDX"
    )


def test_labels_follow_the_documented_thresholds() -> None:
    assert regime_at(features(25.0, 0.5, 0.30, 0.5), 0) == ("strong", "high", "trending", "high")
    assert regime_at(features(24.9, 0.49, 0.29, 0.49), 0) == ("weak", "low", "choppy", "low")
    assert regime_at(features(np.nan, 0.2, 0.5, None), 0) == (None, "low", "trending", None)


def test_prefixes_stop_at_the_first_missing_label() -> None:
    assert prefixes(("strong", "low", None, "high")) == [(), ("strong",), ("strong", "low")]
    assert prefixes((None, "low", "choppy", None)) == [()]


def test_the_regime_is_described_with_its_numbers() -> None:
    text = describe_regime(features(31.2, 0.4, 0.18, None), 0)
    assert text == (
        "trend strong (ADX 31.2), volatility low (vol pct 40%), range choppy (ER 0.18), "
        "correlation n/a (no index)"
    )


def _training(days: int, seed: int = 0) -> list[TrainingDays]:
    """The trend follower earns in strong trends and loses in weak ones; the mean reverter
    the other way round (noise on both)."""
    rng = np.random.default_rng(seed)
    strong = np.arange(days) % 2 == 0
    noise = rng.normal(0.0, 0.01, (2, days))
    follower = np.where(strong, 0.004, -0.003) + noise[0]
    reverter = np.where(strong, -0.003, 0.004) + noise[1]
    regimes = [("strong" if s else "weak", "low", "choppy", None) for s in strong]
    return [TrainingDays({"trend_follower": follower, "mean_reverter": reverter}, regimes)]


def test_each_regime_gets_the_strategy_that_did_best_in_it() -> None:
    rule = learn(_training(400), NAMES)
    strong = rule.choose(("strong", "low", "choppy", None), "trend strong (ADX 31.0)")
    weak = rule.choose(("weak", "low", "choppy", None))
    assert strong.strategy == "trend_follower"
    assert weak.strategy == "mean_reverter"
    assert strong.key == ("strong", "low", "choppy")
    assert strong.training_days == 200
    assert strong.reason.startswith("trend strong (ADX 31.0) -> trend_follower: best training ")
    assert "in regime trend strong, volatility low, range choppy (correlation missing" in (
        strong.reason
    )
    sharpe = rule.sharpe[("strong", "low", "choppy")][0]
    assert f"Sharpe {sharpe:.2f}" in strong.reason
    assert sharpe > 2.0


def test_a_regime_with_too_few_training_days_falls_back_to_a_coarser_one() -> None:
    training = _training(400)
    rare = [("strong", "high", "trending", None)] * 10  # 10 days of a rarer regime
    training[0] = TrainingDays(
        dict(training[0].returns),
        [*rare, *training[0].regimes[10:]],
    )
    rule = learn(training, NAMES, min_days=60)
    choice = rule.choose(("strong", "high", "trending", None))
    assert choice.key == ("strong",)
    assert "(regime trend strong, volatility high, range trending had fewer than 60" in (
        choice.reason
    )


def test_an_unknown_regime_takes_the_best_strategy_overall() -> None:
    rule = learn(_training(400), NAMES)
    choice = rule.choose((None, None, None, None))
    assert choice.key == ()
    assert choice.training_days == 400
    assert "overall (trend missing: no finer regime)" in choice.reason


def test_the_choice_is_deterministic_and_ties_go_to_the_earlier_strategy() -> None:
    first = learn(_training(300, seed=4), NAMES).choose(("strong", "low", "choppy", None))
    again = learn(_training(300, seed=4), NAMES).choose(("strong", "low", "choppy", None))
    assert first == again
    flat = np.zeros(100)
    tied = learn([TrainingDays({"a": flat, "b": flat}, [("weak",) * 4] * 100)], ("b", "a"))
    assert tied.choose(("weak",) * 4).strategy == "b"
    assert tied.choose(("weak",) * 4).training_sharpe == 0.0


def test_bad_training_input_is_refused() -> None:
    with pytest.raises(ValidationError, match="at least one strategy"):
        learn([], ())
    days = TrainingDays({"a": np.zeros(3), "b": np.zeros(3)}, [("weak",) * 4] * 2)
    with pytest.raises(ValidationError, match="differ in length"):
        learn([days], ("a", "b"))
