"""What a research job needs to find its bars again in any process: a :class:`BarSource`.

Sweeps, walk-forward windows and Monte Carlo runs are pure functions of (bar source, strategy,
parameters), so a job can run in another process, or later on a Dask or Ray worker, unchanged.
The source says where the bars are and loads them; research never opens a database itself.
The stored bars' source is :class:`trademind.services.backtest_bars.DataRef`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from trademind.strategies.base import Bars


class BarSource(Protocol):
    """Picklable (it travels to worker processes) and hashable (each process loads it once)."""

    def __hash__(self) -> int: ...

    def load(self) -> list[Bars]:
        """The bars, one :class:`~trademind.strategies.base.Bars` per symbol."""
        ...
