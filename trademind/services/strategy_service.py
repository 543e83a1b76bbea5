"""Strategy use cases: list, show the declared parameters, enable, disable, set parameters.

Enabled strategies and parameter values live in the configuration file
(``strategies.enabled``, ``strategies.<name>.<param>``). Reads use the effective configuration
(every layer); changes go through :func:`config_service.set_config_values`, the path of
``config set``: validated as a whole first, written atomically with comments kept, and one
``config_changes`` row per changed key. A name or value the caller got wrong is a
:class:`~trademind.core.errors.UsageError` (exit 2). ``config_path``/``environ``/``cwd`` are
as in :mod:`trademind.services.config_service`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trademind.config import Settings, load_config
from trademind.core.clock import Clock
from trademind.core.errors import UsageError, ValidationError
from trademind.services import config_service
from trademind.services.config_service import ChangeReport, Environ
from trademind.strategies import registry
from trademind.strategies.base import Param, ParamValue, Strategy

SOURCE_STRATEGIES = "cli strategies"


@dataclass(frozen=True, slots=True, kw_only=True)
class ParamView:
    """One declared parameter with its effective value."""

    param: Param
    value: ParamValue

    @property
    def allowed(self) -> str:
        """``2..500``, ``>= 1``, ``sma|ema`` or empty when unbounded."""
        param = self.param
        if param.kind == "choice":
            return "|".join(param.choices)
        low, high = param.minimum, param.maximum
        if low is not None and high is not None:
            return f"{low:g}..{high:g}"
        if low is not None:
            return f">= {low:g}"
        return f"<= {high:g}" if high is not None else ""

    def to_json(self) -> dict[str, Any]:
        param = self.param
        return {
            "name": param.name,
            "type": param.kind,
            "minimum": param.minimum,
            "maximum": param.maximum,
            "choices": list(param.choices),
            "default": param.default,
            "value": self.value,
            "description": param.description,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class StrategyView:
    """A strategy as configured: enabled or not, with its effective parameter values."""

    name: str
    description: str
    enabled: bool
    params: tuple[ParamView, ...]

    @property
    def values(self) -> dict[str, ParamValue]:
        return {view.param.name: view.value for view in self.params}

    def to_json(self, *, declarations: bool = False) -> dict[str, Any]:
        """Name, enabled, description and the parameter values (with ``declarations``: each
        parameter's declaration and value)."""
        params: Any = [view.to_json() for view in self.params] if declarations else self.values
        return {
            "name": self.name,
            "enabled": self.enabled,
            "description": self.description,
            "params": params,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class StrategyChange:
    """What enable/disable/set did: the strategy afterwards and the file change."""

    strategy: StrategyView
    report: ChangeReport

    def to_json(self) -> dict[str, Any]:
        return {"strategy": self.strategy.to_json(), **self.report.to_json()}


def _settings(config_path: Path | None, environ: Environ, cwd: Path | None) -> Settings:
    return load_config(config_path, environ=environ, cwd=cwd).settings


def _view(strategy: Strategy, settings: Settings) -> StrategyView:
    values = registry.configured_params(settings, strategy.name)
    return StrategyView(
        name=strategy.name,
        description=strategy.description,
        enabled=registry.is_enabled(settings, strategy.name),
        params=tuple(ParamView(param=param, value=values[param.name]) for param in strategy.params),
    )


def list_strategies(
    config_path: Path | None, *, environ: Environ = None, cwd: Path | None = None
) -> list[StrategyView]:
    """Every registered strategy with whether it is enabled and its parameter values."""
    return strategy_views(_settings(config_path, environ, cwd))


def strategy_views(settings: Settings) -> list[StrategyView]:
    """What :func:`list_strategies` lists, from already loaded settings."""
    return [_view(strategy, settings) for strategy in registry.all_strategies()]


def strategy_config(
    name: str, config_path: Path | None, *, environ: Environ = None, cwd: Path | None = None
) -> StrategyView:
    """One strategy's declared parameters with their effective values."""
    strategy = registry.get_strategy(name)  # an unknown name is told before a broken file
    return _view(strategy, _settings(config_path, environ, cwd))


def strategy_view(name: str, settings: Settings) -> StrategyView:
    """What :func:`strategy_config` shows, from already loaded settings."""
    return _view(registry.get_strategy(name), settings)


def set_enabled(
    name: str,
    enabled: bool,
    config_path: Path | None,
    *,
    environ: Environ = None,
    cwd: Path | None = None,
    clock: Clock,
) -> StrategyChange:
    """Add ``name`` to ``strategies.enabled`` (or remove it); nothing is written when the file
    already says so."""
    strategy = registry.get_strategy(name)
    current = set(_settings(config_path, environ, cwd).strategies.enabled)
    wanted = current | {strategy.name} if enabled else current - {strategy.name}
    ordered = [known for known in registry.strategy_names() if known in wanted]
    verb = "enable" if enabled else "disable"
    report = config_service.set_config_values(
        {"strategies.enabled": ordered},
        config_path,
        action=f"strategies {verb} {strategy.name}",
        source=SOURCE_STRATEGIES,
        environ=environ,
        cwd=cwd,
        clock=clock,
    )
    return StrategyChange(
        strategy=_view(strategy, _settings(config_path, environ, cwd)), report=report
    )


def set_params(
    name: str,
    given: Mapping[str, str],
    config_path: Path | None,
    *,
    environ: Environ = None,
    cwd: Path | None = None,
    clock: Clock,
) -> StrategyChange:
    """Set parameters of ``name`` (text values by parameter name, from the command line).

    Each value is validated against its declaration and the resulting set as a whole
    (``Strategy.check``) before anything is written. What ``given`` gets wrong (an unknown
    name, a value of the wrong type, out of range or not fitting the others) is a UsageError
    (exit 2) naming the known ones; configured values that do not fit together are a
    ValidationError (the file is broken, exit 1).
    """
    strategy = registry.get_strategy(name)
    known = ", ".join(param.name for param in strategy.params)
    if not strategy.params:
        raise UsageError(f"{strategy.name} has no parameters to set")
    if not given:
        raise UsageError(f"{strategy.name}: nothing to set (parameters: {known})")
    current = registry.configured_params(_settings(config_path, environ, cwd), strategy.name)
    try:
        resolved = registry.resolve(strategy, {**current, **given})
    except ValidationError as exc:
        raise UsageError(str(exc)) from None
    report = config_service.set_config_values(
        {f"strategies.{strategy.name}.{key}": resolved[key] for key in given},
        config_path,
        action=f"strategies set {strategy.name}",
        source=SOURCE_STRATEGIES,
        environ=environ,
        cwd=cwd,
        clock=clock,
    )
    return StrategyChange(
        strategy=_view(strategy, _settings(config_path, environ, cwd)), report=report
    )
