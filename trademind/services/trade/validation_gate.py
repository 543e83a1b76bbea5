"""The paper-mode gate: with ``safety.require_validation`` a paper (or live) session refuses a
strategy, with its parameters, whose latest `trademind safety validate` is missing or failed
(:mod:`trademind.services.safety_validation`). Replays are never gated."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trademind.core.errors import ValidationError
from trademind.db.strategy_validations import ValidationRepository
from trademind.services.safety_validation import params_key

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.db.session import Database
    from trademind.runtime.strategy_runner import StrategySetup


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
