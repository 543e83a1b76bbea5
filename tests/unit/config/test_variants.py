"""Variants of the settings for A/B tests: the built-in overlays, user-defined ones from
``ab.variants``, and bad names, paths and values refused with the key."""

from __future__ import annotations

import pytest
from pydantic import ValidationError as PydanticValidationError

from trademind.config import Settings
from trademind.config.variants import check_variant, known_variants, variant_settings
from trademind.core.errors import ConfigError, UsageError


def test_rules_turns_the_orchestrator_off_and_hybrid_turns_every_agent_on() -> None:
    base = Settings.model_validate(
        {"orchestrator": {"enabled": True}, "sentiment": {"enabled": False}}
    )
    rules = variant_settings(base, "rules")
    assert (rules.orchestrator.enabled, rules.orchestrator.variant) == (False, "rules")
    hybrid = variant_settings(base, "hybrid")
    assert (hybrid.orchestrator.enabled, hybrid.orchestrator.variant) == (True, "hybrid")
    assert hybrid.sentiment.enabled is True
    assert hybrid.safety == base.safety  # nothing else changes


def test_a_user_variant_is_laid_over_the_settings() -> None:
    base = Settings.model_validate(
        {"ab": {"variants": {"low-quorum": {"orchestrator.enabled": True,
                                            "orchestrator.quorum": 0.3}}}}
    )  # fmt: skip
    assert list(known_variants(base)) == ["rules", "hybrid", "low-quorum"]
    chosen = variant_settings(base, " Low-Quorum ")
    assert chosen.orchestrator.quorum == 0.3
    assert chosen.orchestrator.enabled is True


def test_an_unknown_variant_lists_the_known_ones() -> None:
    with pytest.raises(UsageError, match=r"unknown variant 'bold' \(known: rules, hybrid\)"):
        check_variant(Settings(), "bold")


@pytest.mark.parametrize(
    ("overlay", "message"),
    [
        ({"orchestrator.quorum": 2.0}, "variant 'x': orchestrator.quorum: Input should be less"),
        ({"orchestrator.nope": 1}, "variant 'x': orchestrator.nope: no such setting"),
        ({"nope.enabled": True}, "variant 'x': nope.enabled: no such setting"),
        ({"orchestrator.weights": 1}, "orchestrator.weights: no such setting"),
    ],
)
def test_a_bad_overlay_is_a_config_error_naming_the_key(
    overlay: dict[str, object], message: str
) -> None:
    base = Settings.model_validate({"ab": {"variants": {"x": overlay}}})
    with pytest.raises(ConfigError, match=message):
        variant_settings(base, "x")


@pytest.mark.parametrize(
    ("variants", "message"),
    [
        ({"rules": {}}, "built in and cannot be redefined"),
        ({"Bad Name": {}}, "lower-case letters"),
        ({"x": {"enabled": True}}, "not a dotted setting path"),
        ({"x": {"database.url": "sqlite://"}}, "is not allowed"),
    ],
)
def test_bad_variant_definitions_are_refused_when_loaded(
    variants: dict[str, object], message: str
) -> None:
    with pytest.raises(PydanticValidationError, match=message):
        Settings.model_validate({"ab": {"variants": variants}})
