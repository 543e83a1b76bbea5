"""Sizing, exits and entry orders written as short text, the way ``backtest run`` takes them.

Sizing (``--sizing``), see :mod:`trademind.fills.sizing`:

* ``all-in``: all the cash (the default);
* ``cash:<dollars>`` (``cash:10000``): that many dollars' worth per entry;
* ``fraction:<percent>%`` (``fraction:10%``): that share of the equity per entry;
* ``volatility:<percent>%[,period=<bars>][,max=<percent>%][,source=atr|std]``
  (``volatility:1%,period=20,max=50%``): risk that share of the equity per unit of per-bar
  volatility (ATR by default, or the rolling standard deviation of returns times the close);
* ``kelly:win=<percent>%,payoff=<ratio>[,cap=<percent>%]`` (``kelly:win=55%,payoff=1.5``): the
  Kelly fraction of a win rate and payoff ratio, capped (25% by default).

Exits (``--stop-loss``, ``--take-profit``, ``--trailing-stop``): a percentage such as ``5%`` of
the entry price (the trailing stop: of the highest high since entry).

Entry orders (``--order``): ``market`` (the default), ``limit:<percent>%`` (a buy limit that much
below the signal bar's close), ``stop:<percent>%`` (a buy stop that much above it) or
``stop-limit:<stop percent>%,<limit percent>%``; ``--time-in-force day|gtc``.

:func:`describe_sizing`, :func:`describe_order` and :func:`describe_exit` write a config back as
such text, so a stored run names them in the words that would reproduce them.

These texts come from the command line only: every error is a
:class:`~trademind.core.errors.UsageError` (exit 2) naming the option and its text.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final, Literal, TypedDict

from trademind.core.errors import UsageError, ValidationError
from trademind.fills.sizing import (
    AllIn,
    CappedKelly,
    FixedCash,
    FixedFraction,
    SizingRule,
    VolatilityTarget,
)
from trademind.services.backtest_options.costs import (
    build_model,
    spec_number,
    spec_options,
    spec_percent,
)

SIZING_FORMS: Final = (
    "all-in, cash:<dollars>, fraction:<percent>%, "
    "volatility:<percent>%[,period=<bars>][,max=<percent>%][,source=atr|std] or "
    "kelly:win=<percent>%,payoff=<ratio>[,cap=<percent>%]"
)
ORDER_FORMS: Final = (
    "market, limit:<percent>%, stop:<percent>% or stop-limit:<stop percent>%,<limit percent>%"
)
EXIT_OPTIONS: Final = {
    "stop_loss": "--stop-loss",
    "take_profit": "--take-profit",
    "trailing_stop": "--trailing-stop",
}
EXECUTION_KEYS: Final = ("sizing", "order", "time_in_force", *EXIT_OPTIONS)

if TYPE_CHECKING:
    from trademind.fills.orders import OrderTypeName, TimeInForceName


class ExecutionOverrides(TypedDict, total=False):
    """The BacktestConfig fields the sizing, order, time-in-force and exit texts set (only
    those given), for ``BacktestConfig.from_settings(settings, **overrides)``."""

    order_type: OrderTypeName
    limit_offset: float
    stop_offset: float
    sizing: SizingRule
    time_in_force: TimeInForceName
    stop_loss: float
    take_profit: float
    trailing_stop: float


"""The names :func:`parse_execution` reads (the CLI options without ``--``, with ``_``)."""


def parse_sizing(spec: str) -> SizingRule:
    """The sizing rule ``spec`` names (see the module docstring), or a UsageError."""
    option = "--sizing"
    text = spec.strip().lower()
    kind, _, rest = text.partition(":")
    if kind == "all-in" and not rest:
        return AllIn()
    if kind == "cash":
        return build_model(option, spec, FixedCash, spec_number(rest, option, spec))
    if kind == "fraction":
        return build_model(option, spec, FixedFraction, spec_percent(rest, option, spec))
    if kind == "volatility":
        return _volatility(option, spec, rest)
    if kind == "kelly":
        parsers = {"win": spec_percent, "payoff": spec_number, "cap": spec_percent}
        given = spec_options(rest.split(","), parsers, option, spec)
        if "win" not in given or "payoff" not in given:
            raise UsageError(f"{option} {spec!r}: kelly needs win=<percent>% and payoff=")
        cap = given.get("cap", CappedKelly().cap)
        return build_model(option, spec, CappedKelly, given["win"], given["payoff"], cap)
    raise UsageError(f"{option} {spec!r}: not a sizing rule; use {SIZING_FORMS}")


def _volatility(option: str, spec: str, rest: str) -> VolatilityTarget:
    first, *parts = rest.split(",")
    source: Literal["atr", "std"] = "atr"
    for part in list(parts):
        name, _, value = part.partition("=")
        if name.strip() == "source":
            if value.strip() == "std":
                source = "std"
            elif value.strip() != "atr":
                raise UsageError(f"{option} {spec!r}: source must be atr or std")
            parts.remove(part)
    given = spec_options(parts, {"period": spec_number, "max": spec_percent}, option, spec)
    period = given.get("period", 14.0)
    if not period.is_integer():
        raise UsageError(f"{option} {spec!r}: period must be a whole number of bars")
    try:
        return VolatilityTarget(
            spec_percent(first, option, spec), source, int(period), given.get("max", 1.0)
        )
    except ValidationError as exc:
        raise UsageError(f"{option} {spec!r}: {exc}") from None


def parse_order(spec: str) -> ExecutionOverrides:
    """The entry order ``spec`` names as BacktestConfig fields (order_type and offsets)."""
    option = "--order"
    text = spec.strip().lower()
    kind, _, rest = text.partition(":")
    if kind == "market" and not rest:
        return {"order_type": "market", "limit_offset": 0.0, "stop_offset": 0.0}
    if kind == "limit":
        return {"order_type": "limit", "limit_offset": spec_percent(rest, option, spec)}
    if kind == "stop":
        return {"order_type": "stop", "stop_offset": spec_percent(rest, option, spec)}
    if kind == "stop-limit":
        stop, _, limit = rest.partition(",")
        return {
            "order_type": "stop_limit",
            "stop_offset": spec_percent(stop, option, spec),
            "limit_offset": spec_percent(limit, option, spec),
        }
    raise UsageError(f"{option} {spec!r}: not an order type; use {ORDER_FORMS}")


def parse_execution(texts: Mapping[str, str | None]) -> ExecutionOverrides:
    """BacktestConfig overrides from the given option texts (``None``: not given).

    Keys are :data:`EXECUTION_KEYS`; an unknown key is a programming error (KeyError)."""
    overrides: ExecutionOverrides = {}
    for key, text in texts.items():
        if key not in EXECUTION_KEYS:
            raise KeyError(key)
        if text is None:
            continue
        if key == "sizing":
            overrides["sizing"] = parse_sizing(text)
        elif key == "order":
            overrides.update(parse_order(text))
        elif key == "time_in_force":
            overrides["time_in_force"] = _time_in_force(text)
        elif key == "stop_loss":
            overrides["stop_loss"] = _exit(key, text)
        elif key == "take_profit":
            overrides["take_profit"] = _exit(key, text)
        else:
            overrides["trailing_stop"] = _exit(key, text)
    return overrides


def _exit(key: str, text: str) -> float:
    """A stop-loss or trailing stop above 0% and below 100%; a take-profit above 0%, at most
    10000%."""
    option = EXIT_OPTIONS[key]
    value = spec_percent(text, option, text)
    if key == "take_profit":
        if not 0.0 < value <= 100.0:
            raise UsageError(f"{option} {text!r}: must be above 0% and at most 10000%")
    elif not 0.0 < value < 1.0:
        raise UsageError(f"{option} {text!r}: must be above 0% and below 100%")
    return value


def _time_in_force(text: str) -> TimeInForceName:
    value = text.strip().lower()
    if value not in ("day", "gtc"):
        raise UsageError(f"--time-in-force {text!r}: use day or gtc")
    return "day" if value == "day" else "gtc"


def describe_sizing(rule: SizingRule) -> str:
    """``rule`` as the text :func:`parse_sizing` reads."""
    if isinstance(rule, FixedCash):
        return f"cash:{rule.amount:g}"
    if isinstance(rule, FixedFraction):
        return f"fraction:{rule.fraction * 100:g}%"
    if isinstance(rule, VolatilityTarget):
        return (
            f"volatility:{rule.target * 100:g}%,period={rule.period},"
            f"max={rule.max_fraction * 100:g}%,source={rule.source}"
        )
    if isinstance(rule, CappedKelly):
        win, cap = rule.win_rate * 100, rule.cap * 100
        return f"kelly:win={win:g}%,payoff={rule.payoff_ratio:g},cap={cap:g}%"
    return "all-in"


def describe_order(order_type: str, limit_offset: float, stop_offset: float) -> str:
    """An entry order as the text :func:`parse_order` reads."""
    if order_type == "limit":
        return f"limit:{limit_offset * 100:g}%"
    if order_type == "stop":
        return f"stop:{stop_offset * 100:g}%"
    if order_type == "stop_limit":
        return f"stop-limit:{stop_offset * 100:g}%,{limit_offset * 100:g}%"
    return "market"


def describe_exit(value: float | None) -> str | None:
    """A stop-loss, take-profit or trailing-stop fraction as the text ``--stop-loss`` and its
    siblings read (``0.05`` -> ``5%``); ``None`` (no such exit) stays ``None``."""
    return None if value is None else f"{value * 100:.12g}%"
