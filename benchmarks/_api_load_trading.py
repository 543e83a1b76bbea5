"""The trading process of benchmarks/api_load.py's server: :func:`trademind.web.trading_child.
main` (what the server runs) with a recorder of the session's timings.

    python -m benchmarks._api_load_trading FD [CONFIG]     (API_LOAD_RUN_DIR in the environment)

The recorder, none of it on the session's path but a bus subscription and the sleeper:

* the session's sleeper notes when each paced bar is due: ``perf_counter()`` at the start of
  the wait plus the wait;
* a bus subscriber, subscribed before anything else, notes every event id of the session and,
  with ``perf_counter()``, the first ``BarClosed`` of each bar close and the first
  ``OrderStatusChanged`` of each order placed at that close.

At the session's end, before the trading process announces it: ``RUN_DIR/timings.json``.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from benchmarks._api_load_clients import write_atomically
from trademind.core.events import BarClosed, Event, OrderStatusChanged
from trademind.web.trading_child import ChildHooks, main


@dataclass
class Recorder:
    """The session's timings and event ids (module docstring)."""

    run_dir: Path
    due: float | None = None
    event_ids: list[str] = field(default_factory=list)
    bar: datetime | None = None
    bar_due: float | None = None
    bar_published: float = 0.0
    orders_seen: set[str] = field(default_factory=set)
    from_due: list[float] = field(default_factory=list)
    from_publish: list[float] = field(default_factory=list)
    started: float = 0.0

    async def sleep(self, seconds: float) -> None:
        self.due = time.perf_counter() + seconds
        await asyncio.sleep(seconds)

    def on_event(self, event: Event) -> None:
        now = time.perf_counter()
        if not self.started and isinstance(event, BarClosed):  # the account is open
            self.started = now
            (self.run_dir / "running").touch()  # the readers time from here
        self.event_ids.append(event.event_id)
        if isinstance(event, BarClosed) and event.occurred_at != self.bar:
            self.bar, self.bar_due, self.bar_published = event.occurred_at, self.due, now
            self.due = None  # the first bar close has no wait before it: no due time
        elif isinstance(event, OrderStatusChanged):
            self._order(event, now)

    def _order(self, event: OrderStatusChanged, now: float) -> None:
        order_id = event.state.client_order_id
        if order_id in self.orders_seen:
            return
        self.orders_seen.add(order_id)
        if event.occurred_at != self.bar:
            return
        self.from_publish.append(now - self.bar_published)
        if self.bar_due is not None:
            self.from_due.append(now - self.bar_due)

    def write(self) -> None:
        result: dict[str, Any] = {
            "event_ids": self.event_ids,
            "from_due": self.from_due,
            "from_publish": self.from_publish,
            "replay_seconds": time.perf_counter() - self.started,
        }
        write_atomically(self.run_dir / "timings.json", json.dumps(result))


if __name__ == "__main__":
    recorder = Recorder(Path(os.environ["API_LOAD_RUN_DIR"]))
    main(sys.argv[1:], ChildHooks(recorder, recorder.on_event, recorder.write))
