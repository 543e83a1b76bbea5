"""The orchestrator section: weights, quorum, thresholds and indicator periods are validated."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from trademind.config.models import Settings


def settings(orchestrator: dict[str, object]) -> Settings:
    return Settings.model_validate({"orchestrator": orchestrator})


def test_the_defaults() -> None:
    section = Settings().orchestrator
    assert (section.weights.technical, section.weights.strategy) == (1.0, 1.0)
    assert (section.quorum, section.buy_threshold, section.sell_threshold) == (0.5, 0.2, 0.2)
    assert section.variant == "default"


@pytest.mark.parametrize(
    ("orchestrator", "message"),
    [
        (
            {"weights": {"technical": 0, "strategy": 0, "sentiment": 0}},
            "at least one agent weight",
        ),
        ({"weights": {"technical": -1}}, "greater than or equal to 0"),
        ({"weights": {"selector": 1}}, "Extra inputs are not permitted"),
        ({"quorum": 0}, "greater than 0"),
        ({"quorum": 1.5}, "less than or equal to 1"),
        ({"buy_threshold": 0}, "greater than 0"),
        ({"variant": "a b"}, "String should match pattern"),
        ({"technical": {"macd_fast": 30}}, "must be greater than macd_fast"),
        ({"technical": {"ma_fast": 60}}, "must be greater than ma_fast"),
        ({"technical": {"timeout_seconds": 1}}, "Extra inputs are not permitted"),
        ({"strategy": {"timeout_seconds": 1}}, "Extra inputs are not permitted"),
    ],
)
def test_bad_values_are_refused_with_the_reason(
    orchestrator: dict[str, object], message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        settings(orchestrator)


def test_a_zero_weight_is_allowed_when_another_counts() -> None:
    assert settings({"weights": {"technical": 0}}).orchestrator.weights.technical == 0
