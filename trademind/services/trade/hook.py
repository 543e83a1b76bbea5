"""The trading loop's :class:`~trademind.runtime.ledger_hook.LedgerHook` for a paper account:
:class:`SnapshotHook` books a portfolio snapshot at every bar close.

The fills themselves reach the ledger before this hook runs: the paper broker journals each
fill through :class:`~trademind.portfolio.journal.SqlBrokerJournal` (the ``trades`` table and
``holdings``) before it publishes the fill's event, so the hook does not record them again. It
marks the ledger at the closes of every symbol seen so far and stores the snapshot (one per
account and time: writing it again replaces it); in a replay that write joins the step's
transaction (the loop's ``step_scope``), so a stored step always has its snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from trademind.runtime.ledger_hook import StepRecord

if TYPE_CHECKING:
    from trademind.portfolio.book import LedgerSnapshot
    from trademind.portfolio.journal import SqlBrokerJournal

OnSnapshot = Callable[["LedgerSnapshot"], None]


class SnapshotHook:
    """Books each step of ``account`` (module docstring); ``on_snapshot`` sees each snapshot."""

    def __init__(
        self, journal: SqlBrokerJournal, account: str, on_snapshot: OnSnapshot | None = None
    ) -> None:
        self._journal = journal
        self._account = account
        self._on_snapshot = on_snapshot
        self._closes: dict[str, Decimal] = {}
        self._held: list[LedgerSnapshot] | None = None
        self._stored = 0

    def remember(self, marks: Mapping[str, Decimal]) -> None:
        """Take the closes of a batch processed before (a resume's warm-up)."""
        self._closes.update(marks)

    async def record_step(self, step: StepRecord) -> None:
        self.snapshot(step.closed_at, step.marks)

    def snapshot_if_missing(self, closed_at: datetime, marks: Mapping[str, Decimal]) -> None:
        """:meth:`snapshot` unless one at ``closed_at`` is stored: a resume's last closed batch.

        A stored one was taken before the crash and is right; taking it again could be wrong,
        because fills of the next batch may be booked already (the broker books them again,
        idempotently, when it replays that batch)."""
        self._closes.update(marks)
        if not self._journal.has_snapshot(self._account, closed_at):
            self.snapshot(closed_at, marks)

    def snapshot(self, closed_at: datetime, marks: Mapping[str, Decimal]) -> LedgerSnapshot:
        """Mark the ledger at ``closed_at`` with ``marks`` (and the earlier closes) and store it."""
        self._closes.update(marks)
        snapshot = self._journal.ledger(self._account).mark(closed_at, self._closes)
        if self._held is not None:
            self._held.append(snapshot)
            return snapshot
        self._journal.record_snapshot(self._account, snapshot)
        if self._on_snapshot is not None:
            self._on_snapshot(snapshot)
        return snapshot

    def store_held(self) -> None:
        """Store the snapshots taken inside :meth:`shown_after` so far (one statement)."""
        if self._held:
            self._journal.record_snapshots(self._account, self._held[self._stored :])
            self._stored = len(self._held)

    @contextmanager
    def shown_after(self) -> Iterator[None]:
        """Inside the block snapshots are taken and kept: :meth:`store_held` stores them (in
        the block's transaction) and ``on_snapshot`` sees them when the block ends without an
        exception. Wrapped around a block of steps' transaction, the live view shows committed
        steps only (and an exception it raises cannot take them back)."""
        self._held, self._stored = [], 0
        try:
            yield
            held = self._held
        finally:
            self._held = None
        show = self._on_snapshot
        if show is None:
            return
        for snapshot in held:
            show(snapshot)
