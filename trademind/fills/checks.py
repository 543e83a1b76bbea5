"""Parameter checks of the fill models: one clear ValidationError naming the parameter."""

from __future__ import annotations

import math

from trademind.core.errors import ValidationError


def number(name: str, value: object) -> float:
    """``value`` as a finite float, or a ValidationError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValidationError(f"{name}: expected a number, got {value!r}")
    result = float(value)
    if not math.isfinite(result):
        raise ValidationError(f"{name}: expected a finite number, got {value!r}")
    return result


def in_range(
    name: str,
    value: object,
    low: float,
    high: float,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """``value`` within ``low..high`` (each end closed unless ``*_open``)."""
    result = number(name, value)
    below = result <= low if low_open else result < low
    above = result >= high if high_open else result > high
    if below or above:
        left = "(" if low_open else "["
        right = ")" if high_open else "]"
        raise ValidationError(f"{name}: {value!r} is outside {left}{low:g}, {high:g}{right}")
    return result


def whole(name: str, value: object, low: int, high: int) -> int:
    """``value`` as an int within ``low..high`` (inclusive)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{name}: expected a whole number, got {value!r}")
    if not low <= value <= high:
        raise ValidationError(f"{name}: {value} is outside [{low}, {high}]")
    return value


def choice(name: str, value: object, allowed: tuple[str, ...]) -> str:
    """``value`` as one of ``allowed``."""
    if value not in allowed:
        raise ValidationError(f"{name}: {value!r} is not one of {', '.join(allowed)}")
    return str(value)
