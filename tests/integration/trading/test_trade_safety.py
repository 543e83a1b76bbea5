"""A replay honours its account's trading state, changed by another process: a second
SafetyStateStore on the same SQLite file applies an emergency stop from the live view's
callback; the next step cancels every working order, refuses new ones (recorded as rejected
with the reason), liquidates when asked, and a resumed session stays HALTED and does not
handle the stop twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from trademind.bootstrap import build_database as open_database
from trademind.config import Settings
from trademind.core.bus import EventBus
from trademind.core.clock import TestClock
from trademind.core.events import BarClosed
from trademind.core.trading_state import TradingState
from trademind.db.models import BrokerState
from trademind.db.session import Database
from trademind.portfolio.journal import SqlBrokerJournal
from trademind.portfolio.store import LedgerStore
from trademind.runtime.emergency import HANDLED_STATE
from trademind.runtime.state_gate import REFRESH_SECONDS
from trademind.safety.state import StateEvent
from trademind.safety.state_store import SafetyStateStore
from trademind.services.trade import StepView, TradeOptions, TradeRequest, TradeSummary, run_trade
from trademind.services.trade.types import TradeFill, TradeOrder

WALL = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
REASON = "trading state HALTED: emergency stop by cli:bob: runaway strategy"


class Stop(Exception):
    """Stands for the process stopping after a bar close."""


class NoWait:
    async def sleep(self, seconds: float) -> None:
        return None


def _request(account: str, **changes: object) -> TradeRequest:
    given: dict[str, object] = {
        "mode": "replay",
        "symbols": ("AAPL", "MSFT"),
        "strategy": "macd_momentum",
        "account": account,
        "start": date(2019, 1, 1),
        "end": date(2019, 12, 31),
        "speed": "1x",
        "execution": {"sizing": "fraction:45%", "stop_loss": "4%", "order": "limit:0.5%"},
    }
    given.update(changes)
    return TradeRequest(**given)  # type: ignore[arg-type]


class OtherProcess:
    """Applies an emergency stop through its own database connection and store, once the
    session holds a position (from the live view's callback, after a committed step)."""

    def __init__(
        self,
        settings: Settings,
        account: str,
        *,
        liquidate: bool,
        working: bool = False,
        reducing: bool = False,
    ) -> None:
        self._working = working
        self._reducing = reducing
        self._settings = settings
        self._account = account
        self._liquidate = liquidate
        self.stopped_at: datetime | None = None
        self.step: int | None = None

    def maybe_stop(self, view: StepView) -> bool:
        if self.stopped_at is not None or view.step < 40 or not view.positions:
            return False
        placed_now = [o for o in view.last_orders if o.submitted_at == view.closed_at]
        if self._working and not any(o.status == "open" for o in placed_now):
            return False  # wait for a step that leaves an entry order working
        other = open_database(self._settings)
        try:
            clock = TestClock(view.closed_at)
            account = LedgerStore(other, clock).account(self._account).id
            store = SafetyStateStore(other, clock)
            if self._reducing:
                store.apply(
                    account,
                    StateEvent.MANUAL_SET,
                    actor="cli:bob",
                    reason="wind down",
                    target=TradingState.REDUCING,
                )
            else:
                store.apply(
                    account,
                    StateEvent.EMERGENCY_STOP,
                    actor="cli:bob",
                    reason="runaway strategy",
                    details={"liquidate": self._liquidate},
                )
        finally:
            other.dispose()
        self.stopped_at, self.step = view.closed_at, view.step
        return True


def _options(wall: TestClock, on_step: Callable[[StepView], object]) -> TradeOptions:
    def seen(view: StepView) -> None:
        wall.advance(1.0)  # a second between steps: the gate reads the state at every step
        on_step(view)

    return TradeOptions(clock=wall, on_step=seen, sleeper=NoWait())


def _after(summary: TradeSummary, when: datetime) -> tuple[list[TradeOrder], list[TradeFill]]:
    orders = [o for o in summary.orders if o.submitted_at > when]
    fills = [f for f in summary.fills if f.time >= when]
    return orders, fills


def test_an_emergency_stop_from_another_process_halts_the_next_step(
    database: Database, settings: Settings
) -> None:
    other = OtherProcess(settings, "halt", liquidate=False, working=True)
    summary = run_trade(
        database, settings, _request("halt"), _options(TestClock(WALL), other.maybe_stop)
    )
    assert other.stopped_at is not None
    orders, fills = _after(summary, other.stopped_at)
    assert fills == []  # no fill after the stop: entries cancelled, protective exits disarmed
    assert orders, "the strategy kept deciding: its orders must be recorded as refused"
    assert {o.status for o in orders} == {"rejected"}
    assert all((o.reason or "").startswith(REASON + "; only cancels") for o in orders)
    assert summary.positions, "no liquidation was asked: the positions stay"
    cancelled = [o for o in summary.orders if o.reason == REASON]
    working_at_stop = [
        o for o in summary.orders
        if o.submitted_at <= other.stopped_at and o.updated_at > other.stopped_at
    ]  # fmt: skip
    assert cancelled, "the entry order working at the stop is cancelled with the reason"
    assert cancelled == [o for o in working_at_stop if o.status == "cancelled"]
    assert _handled(database, "halt") is not None


def test_an_emergency_stop_with_liquidation_closes_every_position(
    database: Database, settings: Settings
) -> None:
    other = OtherProcess(settings, "flat", liquidate=True)
    summary = run_trade(
        database, settings, _request("flat"), _options(TestClock(WALL), other.maybe_stop)
    )
    assert other.stopped_at is not None
    assert summary.positions == ()
    orders, fills = _after(summary, other.stopped_at)
    liquidations = [o for o in orders if "-ESTOP" in o.order_id]
    assert liquidations
    assert {o.status for o in liquidations} == {"filled"}
    assert {f.side for f in fills} == {"sell"}
    others = [o for o in orders if o not in liquidations]
    assert all(o.status == "rejected" for o in others)


def test_a_session_stopped_when_the_stop_came_handles_it_once_after_resume_and_stays_halted(
    database: Database, settings: Settings
) -> None:
    other = OtherProcess(settings, "later", liquidate=True)
    wall = TestClock(WALL)

    def stop_then(view: StepView) -> None:
        if other.maybe_stop(view):
            raise Stop  # the process ends right after the stop was applied

    with pytest.raises(Stop):
        run_trade(database, settings, _request("later"), _options(wall, stop_then))
    assert other.stopped_at is not None
    assert _handled(database, "later") is None  # the session was gone when the stop came

    stop_at = (other.step or 0) + 3

    def stop_again(view: StepView) -> None:
        if view.step == stop_at:
            raise Stop

    with pytest.raises(Stop):
        run_trade(database, settings, _request("later", resume=True), _options(wall, stop_again))
    handled = _handled(database, "later")
    assert handled is not None
    resumed = run_trade(
        database, settings, _request("later", resume=True), _options(wall, lambda view: None)
    )
    assert _handled(database, "later") == handled
    orders, _fills = _after(resumed, other.stopped_at)
    liquidations = [o for o in orders if "-ESTOP" in o.order_id]
    assert len(liquidations) == len({o.symbol for o in liquidations}) >= 1
    assert resumed.positions == ()
    entries = [o for o in orders if o.side == "buy"]
    assert all(o.status == "rejected" for o in entries)
    fresh = SafetyStateStore(database, wall)
    account = LedgerStore(database, wall).account("later").id
    assert fresh.current(account).state is TradingState.HALTED


def _handled(database: Database, account: str) -> int | None:
    stored = SqlBrokerJournal(database, TestClock(WALL)).load_state(account, HANDLED_STATE)
    return None if stored is None else int(stored["event_id"])


def test_reducing_refuses_entries_and_lets_exits_through(
    database: Database, settings: Settings
) -> None:
    other = OtherProcess(settings, "wind", liquidate=False, reducing=True)
    summary = run_trade(
        database, settings, _request("wind"), _options(TestClock(WALL), other.maybe_stop)
    )
    assert other.stopped_at is not None
    orders, _fills = _after(summary, other.stopped_at)
    buys = [o for o in orders if o.side == "buy"]
    sells = [o for o in orders if o.side == "sell"]
    assert buys
    assert {o.status for o in buys} == {"rejected"}
    assert all(
        (o.reason or "").startswith("trading state REDUCING: manual set by cli:bob: wind down")
        for o in buys
    )
    assert sells
    assert "rejected" not in {o.status for o in sells}
    assert summary.positions == ()  # every position held at the change was sold by its exit
    assert _after(summary, other.stopped_at)[1]  # the exits filled


class TickingClock(TestClock):
    """A wall clock whose monotonic time moves 1 ms at every reading: a deterministic stand-in
    for real time passing while a ``--speed max`` replay runs its blocks."""

    def monotonic(self) -> float:
        self.advance(0.001)
        return super().monotonic()


def test_a_max_speed_replay_honours_a_stop_within_its_blocks(
    database: Database, settings: Settings
) -> None:
    """At ``max`` speed the steps are committed in blocks (0.25 s of monotonic time) and the
    live view sees them after the commit: the stop, applied from the view of one block, is
    handled at a step of a later one, at most the gate's refresh (plus a step) of monotonic
    time after it was applied, and every order after it is refused."""
    wall = TickingClock(WALL)
    other = OtherProcess(settings, "fast", liquidate=False, working=False)
    applied_at: list[float] = []
    closes: dict[datetime, float] = {}

    def seen(view: StepView) -> None:
        if other.maybe_stop(view):
            applied_at.append(TestClock.monotonic(wall))

    def closed(event: BarClosed) -> None:
        closes.setdefault(event.occurred_at, TestClock.monotonic(wall))

    bus = EventBus()
    bus.subscribe(BarClosed, closed)
    options = TradeOptions(clock=wall, on_step=seen, bus=bus)
    summary = run_trade(database, settings, _request("fast", speed="max"), options)
    assert other.stopped_at is not None
    assert applied_at
    handled_at = _handled_at(database)
    assert handled_at > other.stopped_at
    delay = closes[handled_at] - applied_at[0]
    assert 0 < delay <= REFRESH_SECONDS + 0.05  # the refresh, and the step that reads it
    orders, fills = _after(summary, handled_at)
    assert orders
    assert all(o.status == "rejected" for o in orders)
    assert [f for f in fills if f.time >= handled_at] == []


def _handled_at(database: Database) -> datetime:
    """The (simulated) time of the step that handled the stop: when its row was written."""
    with database.session() as session:
        found = session.execute(
            sa.select(BrokerState.updated_at).where(BrokerState.name == HANDLED_STATE)
        ).scalar_one()
    return found
