"""Parameter values to sweep, written as short text, the way ``--param`` takes them.

* ``fast=10``: one value;
* ``slow=20,30,50``: a list;
* ``fast=5:20:5``: a range ``start:stop:step``, both ends included (5, 10, 15, 20), for int and
  float parameters (``std=1.5:3:0.5``).

Every value is checked against the strategy's declaration here, so an out-of-range or
misspelt value is an error naming it, never a silently skipped trial. The texts come from the
command line, so each such error is a :class:`~trademind.core.errors.UsageError` (exit 2).
Combinations that are valid value by value but not together (``slow <= fast``) are the sweep's
business: skipped and counted (:func:`trademind.backtest.research.sweep.grid_candidates`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from trademind.core.errors import UsageError, ValidationError
from trademind.strategies.registry import get_strategy

if TYPE_CHECKING:
    from trademind.strategies.base import Param, ParamValue

MAX_VALUES: Final = 10_000
"""Most values one range may expand to."""


def _float(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise UsageError(f"{where}: {text.strip()!r} is not a number") from None
    if not math.isfinite(value):
        raise UsageError(f"{where}: {text.strip()!r} is not a finite number")
    return value


def _range(param: Param, text: str, where: str) -> list[object]:
    parts = text.split(":")
    if len(parts) != 3:
        raise UsageError(f"{where}: a range is start:stop:step, e.g. 5:20:5")
    if param.kind == "choice":
        raise UsageError(f"{where}: {param.name} is a choice; list the values: a,b")
    start, stop, step = (_float(part, where) for part in parts)
    if step <= 0:
        raise UsageError(f"{where}: the step must be positive")
    if stop < start:
        raise UsageError(f"{where}: the range ends ({stop:g}) before it starts ({start:g})")
    count = math.floor((stop - start) / step + 1e-9) + 1
    if count > MAX_VALUES:
        raise UsageError(f"{where}: {count:,} values; at most {MAX_VALUES:,} per range")
    values = [start + index * step for index in range(count)]
    if param.kind == "int":
        return [round(value) if abs(value - round(value)) < 1e-9 else value for value in values]
    return [round(value, 12) for value in values]


def parse_param_values(strategy: str, texts: Sequence[str]) -> dict[str, list[ParamValue]]:
    """``["fast=5:20:5", "slow=30,50"]`` as ``{"fast": [5, 10, 15, 20], "slow": [30, 50]}``,
    every value validated against ``strategy``'s declaration (see the module docstring)."""
    chosen = get_strategy(strategy)
    declared = {param.name: param for param in chosen.params}
    values: dict[str, list[ParamValue]] = {}
    for text in texts:
        name, has_value, spec = text.partition("=")
        name = name.strip().replace("-", "_")
        where = f"--param {text!r}"
        if not has_value or not name or not spec.strip():
            raise UsageError(f"{where}: expected name=value, name=a,b,c or name=start:stop:step")
        if name not in declared:
            known = ", ".join(declared) or "none"
            raise UsageError(f"{chosen.name}: unknown parameter {name!r} (known: {known})")
        if name in values:
            raise UsageError(f"--param: {name} is given twice")
        param = declared[name]
        raw = _range(param, spec, where) if ":" in spec else spec.split(",")
        checked = [_validate(chosen.name, param, value) for value in raw]
        values[name] = list(dict.fromkeys(checked))
    return values


def _validate(strategy: str, param: Param, value: object) -> ParamValue:
    try:
        return param.validate(value.strip() if isinstance(value, str) else value)
    except ValidationError as exc:
        raise UsageError(f"{strategy}: {exc}") from None
