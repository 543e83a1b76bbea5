"""Blocks of loop steps, each one database transaction: :class:`StepBlocks`.

A replay's steps are committed in blocks: the first step of a block opens the paper broker's
:meth:`~trademind.brokers.paper.PaperBroker.one_write` (one journal transaction: the steps'
order states and fills, their snapshots and, as the block ends, the venue state with the
session's progress) and the block commits after the step that makes it ``max_steps`` long or
``max_seconds`` old. Then, and only then, the live view sees the block's steps.

A block holds whole steps only, so whatever a crash leaves stored is the state after some
step, with that step's snapshot; a resume goes on from there and does the lost steps again
(the bars are stored and the signals causal: they come out the same). A step that raises takes
its whole block back (nothing of the block is stored); the steps of a block that ends because
the loop stops (the last bars, or an error outside a step) are committed by :meth:`close`.

A paced replay (``1x``, ``60x``) uses blocks of one step: a transaction never waits for the
next bar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from trademind.services.trade.hook import SnapshotHook
    from trademind.services.trade.progress import ResumableBroker

MAX_STEPS: Final = 500
"""Steps a block holds at most."""
MAX_SECONDS: Final = 0.25
"""Seconds a block stays open at most (how far the live view lags behind the loop)."""


class StepBlocks:
    """The loop's ``step_scope`` (module docstring)."""

    def __init__(
        self,
        broker: ResumableBroker,
        hook: SnapshotHook,
        monotonic: Callable[[], float],
        *,
        max_steps: int = MAX_STEPS,
        max_seconds: float = MAX_SECONDS,
    ) -> None:
        self._broker = broker
        self._hook = hook
        self._monotonic = monotonic
        self._max_steps = max(1, max_steps)
        self._max_seconds = max_seconds
        self._open: ExitStack | None = None
        self._steps = 0
        self._opened_at = 0.0

    @contextmanager
    def step(self) -> Iterator[None]:
        """One step inside the open block (opened when none is)."""
        block = self._open or self._begin()
        try:
            yield
        except BaseException as error:
            self._open = None
            block.__exit__(type(error), error, error.__traceback__)
            raise
        self._steps += 1
        age = self._monotonic() - self._opened_at
        if self._steps >= self._max_steps or age >= self._max_seconds:
            self.close()

    def close(self) -> None:
        """Commit the open block (its steps are whole), then show them; nothing when none."""
        block, self._open = self._open, None
        if block is not None:
            with block:
                self._hook.store_held()

    def _begin(self) -> ExitStack:
        block = ExitStack()
        block.enter_context(self._hook.shown_after())
        block.enter_context(self._broker.one_write())
        self._open, self._steps, self._opened_at = block, 0, self._monotonic()
        return block
