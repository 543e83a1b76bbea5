"""The trading session the server runs beside the dashboard (``server.*`` settings).

At start, when ``server.trading``: the account ``server.account`` is resumed when it holds a
stored session (what it was started with decides everything but the pace), else a new
session is started with ``server.mode``, ``server.strategy`` and ``server.symbols``. The
session runs on the server's event bus, so every BarClosed, OrderFilled, AccountUpdated and
DecisionMade reaches the SSE stream. A session that ends (the replay reached its last bar) or
fails is reported by ``/health`` (``running: false`` and, for a failure, its one-line error);
the server keeps serving.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from trademind.core.errors import TradeMindError
from trademind.web.context import LoopStatus

if TYPE_CHECKING:
    from trademind.bootstrap import Runtime
    from trademind.runtime.pacing import Sleeper
    from trademind.services.trade.types import StepView, TradeRequest

logger = logging.getLogger(__name__)


@dataclass
class _Progress:
    last_bar_at: datetime | None = None
    steps: int = 0
    running: bool = False
    error: str | None = None


class ServerTrading:
    """One session of the server (module docstring). ``sleeper`` waits between a paced
    replay's bars (default ``asyncio.sleep``); benchmarks/api_load.py passes one that records
    when each bar is due, to time the loop from there to its orders."""

    def __init__(self, runtime: Runtime, sleeper: Sleeper | None = None) -> None:
        self._runtime = runtime
        self._sleeper = sleeper
        self._settings = runtime.settings.server
        self._progress = _Progress()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._settings.trading:
            self._progress.running = True
            self._task = asyncio.create_task(self._run(), name="server-trading")

    async def stop(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def status(self) -> LoopStatus | None:
        if not self._settings.trading:
            return None
        return LoopStatus(
            account=self._settings.account,
            mode=self._settings.mode,
            broker_connected=self._progress.running,
            last_bar_at=self._progress.last_bar_at,
            running=self._progress.running,
            error=self._progress.error,
        )

    def _on_step(self, view: StepView) -> None:
        self._progress.last_bar_at = view.closed_at
        self._progress.steps = view.step

    async def _run(self) -> None:
        from trademind.services.trade.service import TradeOptions, trade

        runtime = self._runtime
        options = TradeOptions(
            clock=runtime.clock,
            data_dir=Path(runtime.settings.app.data_dir),
            on_step=self._on_step,
            bus=runtime.bus,
            sleeper=self._sleeper,
        )
        try:
            summary = await trade(runtime.database, runtime.settings, self._request(), options)
            logger.info("server session %s ended: equity %s", summary.account, summary.final_equity)
        except TradeMindError as exc:
            self._progress.error = str(exc)
            logger.error("server session %s stopped: %s", self._settings.account, exc)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            self._progress.error = f"internal error: {type(exc).__name__}"
            logger.exception("server session %s failed", self._settings.account)
        finally:
            self._progress.running = False

    def _request(self) -> TradeRequest:
        from trademind.services.trade.types import TradeRequest

        settings = self._settings
        if self._has_session():
            return TradeRequest(account=settings.account, resume=True, speed=settings.speed)
        return TradeRequest(
            mode=settings.mode,
            account=settings.account,
            strategy=settings.strategy,
            symbols=tuple(settings.symbols),
            speed=settings.speed,
        )

    def _has_session(self) -> bool:
        from trademind.portfolio.journal import SqlBrokerJournal
        from trademind.services.trade.session import SESSION_STATE

        runtime = self._runtime
        journal = SqlBrokerJournal(runtime.database, runtime.clock)
        if not any(known.name == self._settings.account for known in journal.store.accounts()):
            return False
        return journal.load_state(self._settings.account, SESSION_STATE) is not None
