"""``/api/v1/strategies``: list, one strategy's parameters, enable, disable, set parameters.
Writes go to the server's configuration file, which the server reloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field

from trademind.config import LoadedConfig
from trademind.services import strategy_service
from trademind.services.json_ready import to_json
from trademind.web.api import models
from trademind.web.context import WebContext
from trademind.web.deps import ClockDep, ContextDep

router = APIRouter(prefix="/strategies", tags=["strategies"])

Name = Annotated[
    str, Path(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$", examples=["ma_crossover"])
]


class ParamsRequest(BaseModel):
    """Parameter values by name, as text (``"fast": "10"``), validated like `strategies set`."""

    model_config = ConfigDict(extra="forbid")

    params: dict[str, str] = Field(
        min_length=1, max_length=50, examples=[{"fast": "12", "slow": "40"}]
    )


def _strategy(view: strategy_service.StrategyView) -> dict[str, Any]:
    return view.to_json(declarations=True)


def _listed(loaded: LoadedConfig) -> list[dict[str, Any]]:
    return [_strategy(view) for view in strategy_service.strategy_views(loaded.settings)]


@router.get("", response_model=list[models.Strategy])
def strategies(context: ContextDep) -> list[dict[str, Any]]:
    """Every registered strategy, enabled or not, with its parameters."""
    return context.config_files.derived(context.config_path, _listed)


@router.get("/{name}", response_model=models.Strategy)
def strategy(name: Name, context: ContextDep) -> dict[str, Any]:
    """One strategy's parameters: declarations and effective values."""
    settings = context.config_files.loaded(context.config_path).settings
    return _strategy(strategy_service.strategy_view(name, settings))


def _change(
    context: WebContext, write: Callable[[], strategy_service.StrategyChange]
) -> dict[str, Any]:
    try:
        change = write()
    finally:
        context.config_written()
    document: dict[str, Any] = to_json(change.report)
    return {**document, "strategy": _strategy(change.strategy)}


@router.post("/{name}/enable", response_model=models.StrategyChange)
def enable(name: Name, context: ContextDep, clock: ClockDep) -> dict[str, Any]:
    """Add the strategy to ``strategies.enabled``."""
    path = context.config_path
    return _change(context, lambda: strategy_service.set_enabled(name, True, path, clock=clock))


@router.post("/{name}/disable", response_model=models.StrategyChange)
def disable(name: Name, context: ContextDep, clock: ClockDep) -> dict[str, Any]:
    """Remove the strategy from ``strategies.enabled``."""
    path = context.config_path
    return _change(context, lambda: strategy_service.set_enabled(name, False, path, clock=clock))


@router.put("/{name}/params", response_model=models.StrategyChange)
def set_params(
    name: Name, body: ParamsRequest, context: ContextDep, clock: ClockDep
) -> dict[str, Any]:
    """Set parameters; each value is checked against its declaration and the set as a whole
    before anything is written (400 naming the parameter otherwise)."""
    path = context.config_path
    return _change(
        context, lambda: strategy_service.set_params(name, body.params, path, clock=clock)
    )
