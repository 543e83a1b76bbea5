"""Where a session stopped, saved in the same write as the venue state it describes.

The paper venue saves its working state (``broker_state`` row ``paper_venue``) after each
``open_bars``, ``close_bars``, order placed and order cancelled. :class:`ProgressJournal` wraps
the database journal and adds the loop's position to that same document, in the same
transaction: ``{"bar_ts": <the batch's bar time>, "closed": <close_bars done>}``.
:class:`ResumableBroker` sets it as each batch opens and closes. So after a crash the stored
venue state says exactly which batch it holds and whether that batch's close was applied:

* ``closed``: every batch up to this one is done at the venue; a resume continues with the
  next batch (the snapshot of this one is written again, which is idempotent);
* not ``closed``: this batch was opened (its fills at the open are booked) and maybe some
  decisions placed; a resume repeats the batch without opening it again (the broker skips that
  one ``open_bars``), re-deriving the same decisions, whose deterministic client order ids make
  placing them again a no-op, and then closes it.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from trademind.brokers.base import Publish
from trademind.brokers.paper import PaperBroker, PaperConfig
from trademind.brokers.paper.broker import STATE_NAME
from trademind.core.errors import BrokerError

if TYPE_CHECKING:
    from trademind.core.clock import Clock
    from trademind.core.market import Bar
    from trademind.core.order_state import OrderState
    from trademind.core.orders import Fill
    from trademind.portfolio.journal import SqlBrokerJournal

PROGRESS_KEY: Final = "loop"


@dataclass(frozen=True, slots=True)
class Progress:
    """The last batch the venue state holds (its bars' time) and whether it was closed."""

    bar_ts: datetime
    closed: bool

    def document(self) -> dict[str, Any]:
        return {"bar_ts": self.bar_ts.isoformat(), "closed": self.closed}


def read_progress(document: dict[str, Any] | None) -> Progress | None:
    """The progress stored with a venue state (None: no batch was ever opened)."""
    if document is None or PROGRESS_KEY not in document:
        return None
    data = document[PROGRESS_KEY]
    try:
        return Progress(datetime.fromisoformat(str(data["bar_ts"])), bool(data["closed"]))
    except (KeyError, TypeError, ValueError) as exc:
        raise BrokerError(f"unreadable session progress {data!r:.80}: {exc}") from None


class ProgressJournal:
    """A :class:`~trademind.core.ports.BrokerJournal` that adds :attr:`progress` to every venue
    state it saves (module docstring); everything else goes straight to ``inner``."""

    def __init__(self, inner: SqlBrokerJournal) -> None:
        self.inner = inner
        self.progress: Progress | None = None

    def transaction(self) -> AbstractContextManager[None]:
        return self.inner.transaction()

    def record_order(self, account: str, state: OrderState) -> None:
        self.inner.record_order(account, state)

    def record_fill(self, account: str, fill: Fill) -> bool:
        return self.inner.record_fill(account, fill)

    def load_orders(self, account: str) -> list[OrderState]:
        return self.inner.load_orders(account)

    def load_fills(self, account: str) -> list[Fill]:
        return self.inner.load_fills(account)

    def save_state(self, account: str, name: str, document: dict[str, Any]) -> None:
        if name == STATE_NAME and self.progress is not None:
            document = {**document, PROGRESS_KEY: self.progress.document()}
        self.inner.save_state(account, name, document)

    def load_state(self, account: str, name: str) -> dict[str, Any] | None:
        return self.inner.load_state(account, name)


class ResumableBroker(PaperBroker):
    """A :class:`PaperBroker` that records its progress with its state and, on a resume from
    an opened but unclosed batch, does not open that batch twice (module docstring)."""

    def __init__(
        self,
        config: PaperConfig,
        *,
        journal: ProgressJournal,
        publish: Publish,
        clock: Clock,
    ) -> None:
        stored = read_progress(journal.load_state(config.account_id, STATE_NAME))
        journal.progress = stored
        super().__init__(config, journal=journal, publish=publish, clock=clock)
        self._progress = journal
        self.resumed_from = stored
        self._opened = None if stored is None or stored.closed else stored.bar_ts

    async def open_bars(self, bars: Sequence[Bar]) -> None:
        ts = _batch_time(bars)
        if self._opened is not None and ts == self._opened:
            self._opened = None  # opened before the process stopped: its fills are booked
            return
        self._progress.progress = Progress(ts, closed=False)
        await super().open_bars(bars)

    async def close_bars(self, bars: Sequence[Bar]) -> None:
        self._progress.progress = Progress(_batch_time(bars), closed=True)
        await super().close_bars(bars)


def _batch_time(bars: Sequence[Bar]) -> datetime:
    if not bars:
        raise BrokerError("an empty batch of bars")
    return bars[0].ts
