"""Variants of the settings for A/B tests (`trademind ab run`, `trade --variants`).

A variant is a name for a settings overlay: dotted setting paths and the values laid over
the user's settings for that variant. Two are built in (:data:`BUILT_IN`):

- ``rules``: ``orchestrator.enabled`` false (each strategy signal trades as its own decision),
  ``orchestrator.variant`` "rules";
- ``hybrid``: ``orchestrator.enabled`` true, ``orchestrator.variant`` "hybrid" and
  ``sentiment.enabled`` true: every agent the session adds (technical, the strategies,
  sentiment where the session wires it, portfolio with targets, the risk vetoer) votes.

More come from ``ab.variants`` in the configuration. Every variant's
``orchestrator.variant`` is its name unless its overlay sets it, so its decisions carry the
name. :func:`variant_settings` lays a variant over the settings and validates the result as
the loader validates a file: a bad path or value is a
:class:`~trademind.core.errors.ConfigError` naming the variant and the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from trademind.core.errors import ConfigError, UsageError

if TYPE_CHECKING:
    from trademind.config.models import Settings

Overlay = Mapping[str, bool | int | float | str]
BUILT_IN: Final[dict[str, Overlay]] = {
    "rules": {"orchestrator.enabled": False, "orchestrator.variant": "rules"},
    "hybrid": {
        "orchestrator.enabled": True,
        "orchestrator.variant": "hybrid",
        "sentiment.enabled": True,
    },
}


def known_variants(settings: Settings) -> dict[str, Overlay]:
    """The built-in variants, then ``ab.variants``."""
    return {**BUILT_IN, **settings.ab.variants}


def check_variant(settings: Settings, name: str) -> str:
    """``name`` (trimmed, lower case) when it is a known variant, else a one-line usage error
    listing the known ones."""
    chosen = name.strip().lower()
    known = known_variants(settings)
    if chosen not in known:
        raise UsageError(f"unknown variant {name!r} (known: {', '.join(known)})")
    return chosen


def variant_settings(settings: Settings, name: str) -> Settings:
    """``settings`` with variant ``name`` laid over them (module docstring)."""
    from trademind.config.models import Settings

    chosen = check_variant(settings, name)
    document = settings.model_dump(mode="python")
    document["orchestrator"]["variant"] = chosen  # decisions carry the variant's name
    for path, value in known_variants(settings)[chosen].items():
        _assign(document, path, value, chosen)
    try:
        return Settings.model_validate(document)
    except PydanticValidationError as exc:
        problems = [
            (".".join(str(part) for part in error["loc"]), str(error["msg"]))
            for error in exc.errors()
        ]
        key, reason = problems[0]
        raise ConfigError(f"variant {chosen!r}: {key}: {reason}", problems=problems) from None


def _assign(document: dict[str, Any], path: str, value: object, variant: str) -> None:
    *sections, key = path.split(".")
    node: Any = document
    for part in sections:
        node = node.get(part) if isinstance(node, dict) else None
        if not isinstance(node, dict):
            raise ConfigError(f"variant {variant!r}: {path}: no such setting")
    if key not in node or isinstance(node[key], (dict, BaseModel)):
        raise ConfigError(f"variant {variant!r}: {path}: no such setting")
    node[key] = value
