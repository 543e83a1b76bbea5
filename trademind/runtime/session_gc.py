"""The garbage collector's settings for the duration of a trading session's loop.

A trading session holds many long-lived objects (the bars, the ledger, the indicator books)
and allocates many short-lived ones per bar (votes, decisions, events, rows), few of them in
reference cycles. With CPython's default thresholds (700, 10, 10) a generation-0 pass runs
every 700 net allocations and every 100th one is a full pass over the long-lived objects.

:func:`session_collector` is the context manager :meth:`TradingLoop.run
<trademind.runtime.trading_loop.TradingLoop.run>` runs its loop in:

- on entry: ``gc.set_threshold(*SESSION_THRESHOLDS)`` (a generation-0 pass every 20,000 net
  allocations instead of 700; a generation-1 pass every 20th of those, a full pass every
  20th of those);
- on exit (also on an error): the thresholds in force before the first entry are set back.

Measured with ``benchmarks/decision_replay.py`` (docs/agents.md, "Decision step cost in a
replay"): the orchestrated replay about 8% faster, as fast as with the collector disabled
during the loop. ``gc.freeze()`` at the session's start (the objects then alive moved out of
every pass) measured no further gain and is not done (``gc.unfreeze()`` at the end would also
release objects something else in the process froze).

Collection still runs (cycles are still freed), only less often. Sessions may overlap in one
process (several accounts' loops on one event loop): the settings are taken on the first entry
and given back on the last exit (a count of the sessions inside), so no session's exit
restores the defaults while another still runs, and nothing stays changed once none runs.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

SESSION_THRESHOLDS = (20_000, 20, 20)
"""``gc.set_threshold`` arguments while a session runs (module docstring)."""


@dataclass(slots=True)
class _Sessions:
    """How many sessions are inside, and the thresholds before the first one entered."""

    inside: int = 0
    saved: tuple[int, int, int] | None = None

    def enter(self) -> None:
        if self.inside == 0:
            self.saved = gc.get_threshold()
            gc.set_threshold(*SESSION_THRESHOLDS)
        self.inside += 1

    def exit(self) -> None:
        self.inside -= 1
        if self.inside == 0 and self.saved is not None:
            gc.set_threshold(*self.saved)
            self.saved = None


_SESSIONS = _Sessions()


@contextmanager
def session_collector() -> Iterator[None]:
    """Run the body with the session's collector settings (module docstring)."""
    _SESSIONS.enter()
    try:
        yield
    finally:
        _SESSIONS.exit()
