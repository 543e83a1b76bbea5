"""Cost models written as short text, the way the CLI takes them, and back.

Slippage (``--slippage``):

* ``none``: fills at the rule price;
* ``<bps>bps`` (``5bps``, ``2.5bps``): a fixed number of basis points against the trader;
* ``atr:<multiplier>[,period=<bars>]`` (``atr:0.1``, ``atr:0.2,period=20``): a multiple of the
  Average True Range (default period 14).

Commission (``--commission``):

* ``none``: no commission;
* ``<percent>%`` (``0.1%``): a percentage of the order value (0.1% is a rate of 0.001);
* ``ibkr``: IBKR fixed pricing, $0.005 a share, at least $1, at most 1% of the order value;
* ``per-share:<dollars>[,min=<dollars>][,max=<fraction>]`` (``per-share:0.005,min=1,max=0.01``):
  the same with other numbers (``max=0``: no cap).

:func:`describe_slippage` and :func:`describe_commission` write a model back as such text, so a
stored run names its costs in the words that would reproduce them.

These texts come from the command line only, so every error here is a
:class:`~trademind.core.errors.UsageError` (exit 2) naming the option and its text, the models'
own range errors included.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Final

from trademind.core.errors import UsageError, ValidationError
from trademind.fills.commission import (
    CommissionModel,
    PercentageCommission,
    PerShareCommission,
    ZeroCommission,
)
from trademind.fills.slippage import AtrSlippage, FixedBpsSlippage, NoSlippage, SlippageModel

SLIPPAGE_FORMS: Final = "none, <bps>bps (e.g. 5bps) or atr:<multiplier>[,period=<bars>] (atr:0.1)"
COMMISSION_FORMS: Final = (
    "none, <percent>% (e.g. 0.1%), ibkr, or per-share:<dollars>[,min=<dollars>][,max=<fraction>] "
    "(per-share:0.005,min=1,max=0.01)"
)
_NUMBER: Final = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_BPS: Final = re.compile(rf"({_NUMBER})\s*bps?")
_PERCENT: Final = re.compile(rf"({_NUMBER})\s*%")


def spec_number(text: str, option: str, spec: str) -> float:
    """``text`` as a finite number, or a UsageError naming the option and its spec."""
    if not re.fullmatch(_NUMBER, text.strip()):
        raise UsageError(f"{option} {spec!r}: {text.strip()!r} is not a number")
    value = float(text)
    if not math.isfinite(value):  # pragma: no cover - the pattern admits finite numbers only
        raise UsageError(f"{option} {spec!r}: {text!r} is not a finite number")
    return value


def spec_percent(text: str, option: str, spec: str) -> float:
    """``"5%"`` as 0.05; a number without ``%`` is a UsageError (5 could mean 5%)."""
    matched = _PERCENT.fullmatch(text.strip())
    if not matched:
        raise UsageError(f"{option} {spec!r}: {text.strip()!r} is not a percentage like 5%")
    return spec_number(matched[1], option, spec) / 100.0


def spec_options(
    parts: list[str],
    allowed: Mapping[str, Callable[[str, str, str], float]],
    option: str,
    spec: str,
) -> dict[str, float]:
    """``name=value`` items after the first value, each name at most once, each value read by
    its parser in ``allowed`` (:func:`spec_number` or :func:`spec_percent`)."""
    found: dict[str, float] = {}
    for part in parts:
        name, has_value, value = part.partition("=")
        name = name.strip().lower()
        if not has_value or name not in allowed:
            forms = ", ".join(
                f"{a}={'<percent>%' if parse is spec_percent else '<number>'}"
                for a, parse in allowed.items()
            )
            raise UsageError(f"{option} {spec!r}: {part.strip()!r} is not one of {forms}")
        if name in found:
            raise UsageError(f"{option} {spec!r}: {name} is given twice")
        found[name] = allowed[name](value, option, spec)
    return found


def build_model[T](option: str, spec: str, make: type[T], *args: float) -> T:
    """``make(*args)``; the model's own range errors become UsageErrors prefixed by the option
    and spec."""
    try:
        return make(*args)
    except ValidationError as exc:
        raise UsageError(f"{option} {spec!r}: {exc}") from None


def parse_slippage(spec: str) -> SlippageModel:
    """The slippage model ``spec`` names (see the module docstring), or a UsageError."""
    option = "--slippage"
    text = spec.strip().lower()
    if text in ("none", "0", "0bps"):
        return NoSlippage()
    matched = _BPS.fullmatch(text)
    if matched:
        return build_model(option, spec, FixedBpsSlippage, spec_number(matched[1], option, spec))
    if text.startswith("atr:"):
        first, *rest = text[4:].split(",")
        extra = spec_options(rest, {"period": spec_number}, option, spec)
        period = extra.get("period", 14.0)
        if not period.is_integer():
            raise UsageError(f"{option} {spec!r}: period must be a whole number of bars")
        return build_model(option, spec, AtrSlippage, spec_number(first, option, spec), int(period))
    raise UsageError(f"{option} {spec!r}: not a slippage model; use {SLIPPAGE_FORMS}")


def parse_commission(spec: str) -> CommissionModel:
    """The commission model ``spec`` names (see the module docstring), or a UsageError."""
    option = "--commission"
    text = spec.strip().lower()
    if text in ("none", "0", "0%"):
        return ZeroCommission()
    if text == "ibkr":
        return PerShareCommission()
    matched = _PERCENT.fullmatch(text)
    if matched:
        rate = spec_number(matched[1], option, spec) / 100.0
        return build_model(option, spec, PercentageCommission, rate)
    if text.startswith("per-share:"):
        first, *rest = text[len("per-share:") :].split(",")
        extra = spec_options(rest, {"min": spec_number, "max": spec_number}, option, spec)
        defaults = PerShareCommission()
        return build_model(
            option,
            spec,
            PerShareCommission,
            spec_number(first, option, spec),
            extra.get("min", defaults.minimum),
            extra.get("max", defaults.maximum_fraction),
        )
    raise UsageError(f"{option} {spec!r}: not a commission model; use {COMMISSION_FORMS}")


def describe_slippage(model: SlippageModel) -> str:
    """``model`` as the text :func:`parse_slippage` reads."""
    if isinstance(model, FixedBpsSlippage):
        return f"{model.bps:g}bps"
    if isinstance(model, AtrSlippage):
        return f"atr:{model.multiplier:g},period={model.period}"
    return "none"


def describe_commission(model: CommissionModel) -> str:
    """``model`` as the text :func:`parse_commission` reads."""
    if isinstance(model, PercentageCommission):
        return f"{model.rate * 100:g}%"
    if isinstance(model, PerShareCommission):
        return f"per-share:{model.per_share:g},min={model.minimum:g},max={model.maximum_fraction:g}"
    return "none"
