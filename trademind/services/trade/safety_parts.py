"""The safety layer's parts of a session (replay or paper), on the account's stored state.

:class:`SessionSafety` holds them:

- the **trading-state gate** (:mod:`trademind.runtime.state_gate`) and the loop's **emergency
  stop handler** (:mod:`trademind.runtime.emergency`), always;
- with ``safety.enabled`` (the default), the **pre-trade gate**
  (:class:`~trademind.runtime.pre_trade_gate.PreTradeGate`: the state, then the enabled rules,
  on the daily returns stored for the symbols, point in time, and the sectors of the
  ``symbols`` table), entries **capped** at the quantity the rules checked
  (:attr:`~trademind.brokers.paper.PaperConfig.cap_entries`) and the **circuit breakers and
  monitored stops** after every step (:class:`~trademind.services.trade.breaker_hook.SafetyHook`).

The gate's one-second refresh runs on the wall clock's monotonic time (a replay's simulated
time does not move between its steps at ``--speed max``)."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from trademind.agents.risk_sizing import EntryLimits
from trademind.core.events import BarClosed, OrderFilled
from trademind.data.store import BarStore
from trademind.portfolio.store import LedgerStore
from trademind.portfolio.symbols import UNKNOWN, SymbolDirectory
from trademind.runtime.bar_sources import bar_length
from trademind.runtime.circuit_breakers import CircuitBreakers
from trademind.runtime.emergency import EmergencyStopHandler
from trademind.runtime.pre_trade_gate import OrderHistory, PreTradeGate
from trademind.runtime.state_gate import TradingStateGate
from trademind.safety.breakers import StaleDataBreaker
from trademind.safety.catalogue import build_chain
from trademind.safety.returns_history import StoredDailyReturns
from trademind.safety.sessions import NEW_YORK, ExchangeSessions
from trademind.safety.state_store import SafetyStateStore
from trademind.services.trade.breaker_hook import SafetyHook, StaleCheck

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from trademind.brokers.base import Broker
    from trademind.brokers.paper import PaperConfig
    from trademind.config import Settings
    from trademind.config.sections_trading import SafetySettings
    from trademind.core.bus import EventBus, Subscription
    from trademind.core.clock import Clock
    from trademind.core.ports import BrokerJournal
    from trademind.db.session import Database
    from trademind.execution.gate import OrderGate
    from trademind.execution.router import ExecutionRouter
    from trademind.portfolio.journal import SqlBrokerJournal
    from trademind.runtime.ledger_hook import LedgerHook
    from trademind.runtime.sessions import SessionCalendar as SessionSchedule
    from trademind.safety.breakers import BreakerTrip
    from trademind.services.trade.hook import SnapshotHook
    from trademind.services.trade.plan import TradePlan


def state_gate(database: Database, wall: Clock, account: str) -> TradingStateGate:
    """The gate on ``account``'s stored trading state (the account exists by now)."""
    info = LedgerStore(database, wall).account(account)
    return TradingStateGate(SafetyStateStore(database, wall), info.id, wall.monotonic)


def emergency_handler(
    gate: TradingStateGate, router: ExecutionRouter, broker: Broker, journal: BrokerJournal
) -> EmergencyStopHandler:
    """The loop's emergency stop handler, recording what it handled through ``journal``."""
    return EmergencyStopHandler(gate, router, broker, journal)


@dataclasses.dataclass(frozen=True, kw_only=True)
class SafetyInputs:
    """What the safety layer of one session is built from."""

    database: Database
    settings: Settings
    wall: Clock
    now: Callable[[], datetime]
    account: str
    symbols: Sequence[str]
    timeframe: str


def safety_inputs(
    database: Database,
    settings: Settings,
    wall: Clock,
    now: Callable[[], datetime],
    plan: TradePlan,
) -> SafetyInputs:
    """The inputs of a session's safety layer: ``now`` is the session's time (the replay
    clock's, in a replay)."""
    return SafetyInputs(
        database=database,
        settings=settings,
        wall=wall,
        now=now,
        account=plan.account,
        symbols=plan.symbols,
        timeframe=plan.timeframe,
    )


class SessionSafety:
    """The safety layer of one session (module docstring)."""

    def __init__(self, inputs: SafetyInputs) -> None:
        self.settings = inputs.settings.safety
        self.enabled = self.settings.enabled
        self.state = state_gate(inputs.database, inputs.wall, inputs.account)
        self.account = inputs.account
        self.sessions = ExchangeSessions()
        self.daily_returns = StoredDailyReturns(
            BarStore(inputs.database), adjusted=inputs.settings.data.adjusted_prices
        )  # one read of each symbol's closes for the pre-trade rules and the risk agent
        profiles = SymbolDirectory(inputs.database, inputs.wall, None).profiles(inputs.symbols)
        self._sectors = {symbol: profile.sector for symbol, profile in profiles.items()}
        self.pre_trade: PreTradeGate | None = None
        if self.enabled:
            self.pre_trade = _pre_trade_gate(
                inputs, self.state, self.sessions, self.sector_of, self.daily_returns
            )
            self.sessions.warm()  # the calendar built before the loop starts

    def sector_of(self, symbol: str) -> str:
        """The symbol's sector in the ``symbols`` table (shipped profiles), else unknown."""
        return self._sectors.get(symbol, UNKNOWN)

    @property
    def gate(self) -> OrderGate:
        """What the router asks before every order."""
        return self.state if self.pre_trade is None else self.pre_trade

    def entry_limits(self, config: PaperConfig, journal: SqlBrokerJournal) -> EntryLimits | None:
        """The risk agent's entry sizing (None when the safety layer is off): entries cut to
        the room the limits leave, so the rules check orders they can pass. The heat room uses
        ``safety.default_stop_loss``, as the ``portfolio_heat`` rule does; Kelly (when on)
        reads the account's closed round trips."""
        if not self.enabled:
            return None
        account = self.account

        def round_trips() -> list[float]:
            trips = journal.ledger(account).round_trips
            return [float(trip.return_pct) / 100.0 for trip in trips]

        return EntryLimits.from_settings(
            self.settings,
            round_trips=round_trips,
            fractional_shares=config.fractional_shares,
        )

    def subscribe(self, bus: EventBus) -> list[Subscription]:
        """The pre-trade gate's subscriptions: closes (reference prices) and fills (history)."""
        gate = self.pre_trade
        if gate is None:
            return []
        return [
            bus.subscribe(BarClosed, gate.on_bar_closed),
            bus.subscribe(OrderFilled, gate.on_fill),
        ]

    async def seed(self, broker: Broker, journal: SqlBrokerJournal) -> None:
        """A resumed session's orders and fills, for duplicate, rate and day-trade checks."""
        if self.pre_trade is not None:
            fills = journal.load_fills(self.account)
            self.pre_trade.history.seed(await broker.get_orders(), fills)

    def hook(self, inner: SnapshotHook, parts: HookParts) -> LedgerHook:
        """``inner`` followed by the breakers and monitored stops (``inner`` alone when the
        safety layer is off), the breakers seeded with what the account did before."""
        if not self.enabled:
            return inner
        journal = parts.journal
        breakers = CircuitBreakers(self.settings, self.sessions.session_date, parts.starting_equity)
        info = journal.store.account(self.account)
        equities = [(point.ts, float(point.equity)) for point in journal.store.snapshots(info)]
        pnl = [float(trip.pnl) for trip in journal.ledger(self.account).round_trips]
        breakers.seed(equities, pnl)
        return SafetyHook(
            inner,
            settings=self.settings,
            breakers=breakers,
            gate=self.state,
            router=parts.router,
            broker=parts.broker,
            journal=journal,
            venue_stops=parts.venue_stops,
            session_date=self.sessions.session_date,
            stale=parts.stale,
        )


def hook_parts(
    plan: TradePlan,
    router: ExecutionRouter,
    broker: Broker,
    journal: SqlBrokerJournal,
    stale: StaleCheck | None = None,
) -> HookParts:
    """What the after-step hook of ``plan``'s session acts through (``stale``: paper mode's
    stale-data check, :func:`stale_check`)."""
    config = plan.paper_config
    return HookParts(
        router=router,
        broker=broker,
        journal=journal,
        starting_equity=config.initial_cash,
        venue_stops=config.stop_loss is not None,
        stale=stale,
    )


def stale_check(
    settings: SafetySettings, calendar: SessionSchedule, wall: Clock, timeframe: str
) -> StaleCheck:
    """The stale-data breaker of a paper session: at the wall clock's now, during the NYSE
    session of today (none: nothing is stale), on each symbol's newest bar close."""
    breaker = StaleDataBreaker(bar_length(timeframe), settings.circuit_breaker.stale_bar_lengths)

    def check(last_bars: Mapping[str, datetime]) -> BreakerTrip | None:
        now = wall.now()
        today = now.astimezone(NEW_YORK).date()
        opened = None
        for session in calendar.sessions(today, today):
            if session.opens <= now < session.closes:
                opened = session.opens
        return breaker.evaluate(now, opened, dict(last_bars))

    return check


@dataclasses.dataclass(frozen=True, kw_only=True)
class HookParts:
    """What the after-step safety hook acts through."""

    router: ExecutionRouter
    broker: Broker
    journal: SqlBrokerJournal
    starting_equity: float
    venue_stops: bool
    stale: StaleCheck | None = None


def _pre_trade_gate(
    inputs: SafetyInputs,
    state: TradingStateGate,
    sessions: ExchangeSessions,
    sector_of: Callable[[str], str],
    returns: StoredDailyReturns,
) -> PreTradeGate:
    settings = inputs.settings.safety
    chain = build_chain(settings, sessions, bar_length(inputs.timeframe))
    keep = timedelta(days=max(14, 2 * settings.pdt.window_days))
    return PreTradeGate(
        state,
        chain,
        inputs.now,
        account=inputs.account,
        sector_of=sector_of,
        returns=returns,
        history=OrderHistory(keep),
    )
