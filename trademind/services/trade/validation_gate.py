"""The paper-mode gate: with ``safety.require_validation`` a paper (or live) session refuses a
strategy, with its parameters, whose latest `trademind safety validate` is missing or failed
(:mod:`trademind.services.safety_validation`, which stores validations under
:func:`params_key`). Replays are never gated."""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from trademind.core.errors import ValidationError
from trademind.db.strategy_validations import ValidationRepository
from trademind.strategies.registry import get_strategy, resolve

if TYPE_CHECKING:
    from collections.abc import Mapping

    from trademind.config import Settings
    from trademind.db.session import Database
    from trademind.runtime.strategy_runner import StrategySetup


def params_key(strategy: str, params: Mapping[str, object]) -> str:
    """The key of a strategy with its parameters (resolved: defaults filled in): the first 32
    hex digits of the SHA-256 of ``{"strategy": name, "params": resolved}`` as sorted JSON."""
    name = get_strategy(strategy).name
    resolved = resolve(name, dict(params))
    text = json.dumps({"strategy": name, "params": resolved}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def check_validated(
    database: Database, settings: Settings, setups: tuple[StrategySetup, ...]
) -> None:
    """A ValidationError (one line, naming the command to run) for the first strategy whose
    latest validation with the same parameters is missing or failed."""
    if not settings.safety.require_validation:
        return
    repository = ValidationRepository(database)
    for setup in setups:
        name = setup.strategy.name
        params = dict(setup.params or {})
        latest = repository.latest(name, params_key(name, params))
        if latest is not None and latest.passed:
            continue
        given = "".join(f" --param {key}={value}" for key, value in sorted(params.items()))
        why = (
            "has never been validated"
            if latest is None
            else f"failed its latest validation ({latest.validated_at:%Y-%m-%d %H:%M} UTC)"
        )
        raise ValidationError(
            f"paper trading refused: strategy {name} with these parameters {why}: run "
            f"`trademind safety validate --strategy {name}{given}` (or set "
            "safety.require_validation to false)"
        )
