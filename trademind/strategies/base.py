"""The strategy contract: declared parameters, bar arrays in, causal signals out.

A strategy is a pure function of the bars up to each decision time. It declares its parameters
once (:class:`Param`); that declaration validates values from the CLI, the config file and the
dashboard, and spans the grid of a parameter sweep. :meth:`Strategy.signals` computes, for every
bar ``t`` at once (vectorised), what the strategy wants at the close of ``t`` using bars ``0..t``
only: the same values whether or not later bars exist (a property test checks every strategy).

Signals are long-only intents: ``entries[t]`` asks to be long after bar ``t`` closes, ``exits[t]``
asks to be flat. What an intent becomes (order type, size, fill) is the engine's business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal, Protocol

import numpy as np

from trademind.core.errors import ValidationError

if TYPE_CHECKING:
    import numpy.typing as npt

    FloatArray = npt.NDArray[np.float64]
    IntArray = npt.NDArray[np.int64]
    BoolArray = npt.NDArray[np.bool_]
    CodeArray = npt.NDArray[np.int16]

ParamKind = Literal["int", "float", "choice"]
ParamValue = int | float | str
NO_REASON: Final = 0
"""Reason code of a bar without a signal (``Signals.reasons[0]`` is the empty text)."""


@dataclass(frozen=True)
class Param:
    """One declared parameter: type, range (inclusive), default and a one-line description."""

    name: str
    kind: ParamKind
    default: ParamValue
    description: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.kind == "choice" and not self.choices:
            raise ValueError(f"choice parameter {self.name!r} declares no choices")
        self.validate(self.default)  # a declaration's own default must be valid

    def validate(self, value: object) -> ParamValue:
        """``value`` (text from a CLI or file, or a number) as this parameter's type, or a
        ValidationError naming the parameter, the value and the allowed range."""
        if self.kind == "choice":
            text = str(value).strip().lower()
            if text not in self.choices:
                raise ValidationError(
                    f"{self.name}: {value!r} is not one of {', '.join(self.choices)}"
                )
            return text
        number = self._number(value)
        if self.minimum is not None and number < self.minimum:
            raise ValidationError(f"{self.name}: {value} is below the minimum {self.minimum:g}")
        if self.maximum is not None and number > self.maximum:
            raise ValidationError(f"{self.name}: {value} is above the maximum {self.maximum:g}")
        return number

    def _number(self, value: object) -> int | float:
        if isinstance(value, bool):
            raise ValidationError(f"{self.name}: expected a number, got {value!r}")
        try:
            number = float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise ValidationError(f"{self.name}: expected a number, got {value!r}") from None
        if not np.isfinite(number):
            raise ValidationError(f"{self.name}: expected a finite number, got {value!r}")
        if self.kind == "float":
            return number
        if not number.is_integer():
            raise ValidationError(f"{self.name}: expected a whole number, got {value!r}")
        return int(number)


@dataclass(frozen=True, eq=False)
class Bars:
    """One symbol's bars as aligned float64 arrays (adjusted prices), oldest first.

    ``ts`` is UTC epoch nanoseconds (int64). Arrays are read-only views; strategies never
    modify them.
    """

    symbol: str
    ts: IntArray
    open: FloatArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray

    def __len__(self) -> int:
        return int(self.ts.shape[0])

    def head(self, length: int) -> Bars:
        """The first ``length`` bars (what was known at the close of bar ``length - 1``)."""
        return Bars(
            self.symbol,
            self.ts[:length],
            self.open[:length],
            self.high[:length],
            self.low[:length],
            self.close[:length],
            self.volume[:length],
        )


@dataclass(frozen=True, eq=False)
class Signals:
    """What a strategy wants at each bar's close, with a confidence and a reason.

    * ``entries`` / ``exits``: bool arrays, never both true on one bar.
    * ``confidence``: float64 in [0, 1]; 0 where there is no signal.
    * ``reason``: int16 codes into ``reasons`` (code 0, ``NO_REASON``, is the empty text);
      ``reason_value``: the number the reason's text quotes (``{value}``), NaN where none.
    """

    entries: BoolArray
    exits: BoolArray
    confidence: FloatArray
    reason: CodeArray
    reason_value: FloatArray
    reasons: tuple[str, ...] = field(default=("",))

    def describe(self, index: int) -> str:
        """The reason of bar ``index`` as text, e.g. ``RSI(14) 27.4 below 30``."""
        template = self.reasons[int(self.reason[index])]
        value = float(self.reason_value[index])
        return template.format(value=value) if "{value" in template else template


class Strategy(Protocol):
    """A rule-based strategy: a name, declared parameters and causal signals."""

    name: str
    description: str
    params: tuple[Param, ...]

    def check(self, params: Mapping[str, ParamValue]) -> None:
        """Raise ValidationError when values valid one by one do not fit together (e.g. a
        slow average that is not slower than the fast one); ``params`` is resolved."""
        ...

    def warmup(self, params: Mapping[str, ParamValue]) -> int:
        """Bars needed before the first signal can appear (the longest look-back)."""
        ...

    def signals(self, bars: Bars, params: Mapping[str, ParamValue]) -> Signals:
        """Signals for every bar; bar ``t``'s values use bars ``0..t`` only."""
        ...


def resolve_params(
    declared: tuple[Param, ...], given: Mapping[str, object] | None = None
) -> dict[str, ParamValue]:
    """Defaults overlaid with ``given``, each validated; unknown names are an error."""
    by_name = {param.name: param for param in declared}
    unknown = sorted(set(given or {}) - set(by_name))
    if unknown:
        known = ", ".join(by_name) or "none"
        raise ValidationError(f"unknown parameter(s) {', '.join(unknown)} (known: {known})")
    values = {param.name: param.default for param in declared}
    for name, value in (given or {}).items():
        values[name] = by_name[name].validate(value)
    return values
