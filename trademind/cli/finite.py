"""Float options refuse nan and inf: Click's FloatRange lets ``nan`` through (every comparison
with it is false, so no bound catches it) and ``--days nan`` then failed deep inside a command.

:func:`finite_floats` swaps every FloatRange of a command for :class:`FiniteFloatRange` with the
same bounds; ``trademind.cli.main`` applies it to every command as it builds the tree, so a new
float option is covered the day it is added.
"""

from __future__ import annotations

import math
from typing import Any

import click


class FiniteFloatRange(click.FloatRange):
    """A float range that also refuses nan and inf (click's FloatRange lets nan through)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


def finite_floats(command: click.Command) -> None:
    """Make every float range parameter of ``command`` a :class:`FiniteFloatRange`."""
    for param in command.params:
        kind = param.type
        if isinstance(kind, click.FloatRange) and not isinstance(kind, FiniteFloatRange):
            param.type = FiniteFloatRange(
                kind.min, kind.max, min_open=kind.min_open, max_open=kind.max_open, clamp=kind.clamp
            )
