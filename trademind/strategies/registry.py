"""The registry: every strategy by name, parameter resolution, and what the config enables.

Which strategies are enabled (``strategies.enabled``) and their parameter values
(``strategies.<name>.<param>``) live in the configuration file; the config sections mirror the
:class:`~trademind.strategies.base.Param` declarations field for field (a test keeps them
equal), so a value the config accepts is a value the strategy accepts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

from pydantic import BaseModel

from trademind.core.errors import UsageError, ValidationError
from trademind.strategies.base import ParamValue, Strategy, resolve_params
from trademind.strategies.bollinger_reversion import BollingerReversion
from trademind.strategies.buy_and_hold import BuyAndHold
from trademind.strategies.ma_crossover import MaCrossover
from trademind.strategies.macd_momentum import MacdMomentum
from trademind.strategies.meta import Meta
from trademind.strategies.rsi_mean_reversion import RsiMeanReversion

if TYPE_CHECKING:
    from trademind.config import Settings

_STRATEGIES: Final[tuple[Strategy, ...]] = (
    RsiMeanReversion(),
    MaCrossover(),
    BollingerReversion(),
    MacdMomentum(),
    BuyAndHold(),
    Meta(),
)
_BY_NAME: Final[dict[str, Strategy]] = {strategy.name: strategy for strategy in _STRATEGIES}


def all_strategies() -> tuple[Strategy, ...]:
    """Every registered strategy, in a fixed order (the benchmark, then the meta vote over
    the others, last)."""
    return _STRATEGIES


def strategy_names() -> tuple[str, ...]:
    return tuple(_BY_NAME)


def get_strategy(name: str) -> Strategy:
    """The strategy called ``name``, or a UsageError (exit 2) listing the known names: a name
    always comes from a caller (the configuration's names are checked when it loads)."""
    try:
        return _BY_NAME[name.strip().lower()]
    except KeyError:
        known = ", ".join(_BY_NAME)
        raise UsageError(f"unknown strategy {name!r} (known: {known})") from None


def resolve(
    strategy: Strategy | str, given: Mapping[str, object] | None = None
) -> dict[str, ParamValue]:
    """Defaults overlaid with ``given``, each value validated against its declaration and the
    whole checked together (``Strategy.check``); errors name the strategy."""
    chosen = get_strategy(strategy) if isinstance(strategy, str) else strategy
    try:
        values = resolve_params(chosen.params, given)
        chosen.check(values)
    except ValidationError as exc:
        raise ValidationError(f"{chosen.name}: {exc}") from None
    return values


def _section(settings: Settings, name: str) -> BaseModel:
    section = getattr(settings.strategies, name, None)
    if not isinstance(section, BaseModel):
        raise ValidationError(f"the configuration has no section strategies.{name}")
    return section


def configured_params(settings: Settings, name: str) -> dict[str, ParamValue]:
    """The parameter values of strategy ``name`` in ``settings`` (``strategies.<name>``),
    validated against the declaration."""
    strategy = get_strategy(name)
    return resolve(strategy, _section(settings, strategy.name).model_dump(mode="json"))


def is_enabled(settings: Settings, name: str) -> bool:
    return get_strategy(name).name in settings.strategies.enabled


def enabled_strategies(settings: Settings) -> tuple[Strategy, ...]:
    """The strategies ``strategies.enabled`` names, in registry order."""
    enabled = set(settings.strategies.enabled)
    return tuple(strategy for strategy in _STRATEGIES if strategy.name in enabled)
