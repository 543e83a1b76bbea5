"""From a :class:`~trademind.services.trade.types.TradeRequest` to a :class:`TradePlan`: the
mode, the strategies with their parameters, the execution rules (one
:class:`~trademind.brokers.paper.PaperConfig`, built exactly as ``backtest run`` builds its
engine config) and the bars (paper mode: the stored warm-up bars, and a window from now on:
:mod:`~trademind.services.trade.paper_plan`). Errors are the backtest's: what the command line
gets wrong is a UsageError (exit 2), what cannot be carried out (no bars, a window outside the
data) a ValidationError (exit 1). Nothing here writes to the ledger.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Final

from trademind.backtest.engine.config import BacktestConfig
from trademind.backtest.engine.prepare import median_interval_seconds
from trademind.brokers.paper import PaperConfig
from trademind.core.clock import Clock
from trademind.core.errors import UsageError, ValidationError
from trademind.core.market import TradingMode
from trademind.data.schema import check_timeframe, normalise_symbols
from trademind.runtime.pacing import Speed
from trademind.runtime.strategy_runner import StrategySetup
from trademind.runtime.trading_loop import check_mode
from trademind.services.backtest_bars import DataRef, read_bars
from trademind.services.backtest_data import DataRequest, prepare_data
from trademind.services.backtest_service import engine_config, strategy_params
from trademind.services.trade.paper_plan import check_paper_request, paper_window, warm_up_bars
from trademind.services.trade.session import StoredSession
from trademind.services.trade.types import TradeRequest
from trademind.services.trade.validation_gate import check_validated
from trademind.strategies.registry import enabled_strategies, get_strategy

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.config.sections_agents import OrchestratorSettings
    from trademind.config.sections_ai import SentimentSettings
    from trademind.db.session import Database
    from trademind.strategies.base import Bars, ParamValue

MODES: Final = ("replay", "paper", "live")
ACCOUNT_NAME_LENGTH: Final = 64
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True, slots=True, kw_only=True)
class TradePlan:
    """Everything a session runs with, resolved and checked."""

    mode: TradingMode
    account: str
    request: TradeRequest
    setups: tuple[StrategySetup, ...]
    backtest_config: BacktestConfig
    paper_config: PaperConfig
    bars: tuple[Bars, ...]
    timeframe: str
    speed: Speed
    risk_free_rate: float
    session: StoredSession
    notices: tuple[str, ...] = ()
    orchestrator: OrchestratorSettings | None = None
    """The orchestrator's settings when it decides (``orchestrator.enabled``); None: each
    strategy signal is its own decision."""

    @property
    def symbols(self) -> tuple[str, ...]:
        return self.session.symbols  # the bars' symbols (a paper session may have none yet)

    @property
    def strategy_names(self) -> tuple[str, ...]:
        return tuple(setup.strategy.name for setup in self.setups)


def parse_mode(text: str | None) -> TradingMode:
    """``replay`` (the default) or ``paper``; ``live`` says when it arrives; anything else is
    a usage error."""
    name = (text or "replay").strip().lower()
    if name not in MODES:
        raise UsageError(f"unknown mode {text!r}: use replay or paper")
    return check_mode(TradingMode(name))


def default_account(mode: TradingMode) -> str:
    """The account a session trades when none is named: the mode's name."""
    return mode.value


def normalised(request: TradeRequest) -> TradeRequest:
    """``request`` with its symbols and strategy name in canonical form (checked)."""
    symbols = tuple(normalise_symbols(list(request.symbols))) if request.symbols else ()
    strategy = None if request.strategy is None else get_strategy(request.strategy).name
    if request.cash is not None and not (math.isfinite(request.cash) and request.cash > 0):
        raise UsageError(f"--cash must be a positive amount, got {request.cash!r}")
    Speed.parse(request.speed)
    if request.account is not None:
        check_account_name(request.account)
    return replace(request, symbols=symbols, strategy=strategy)


def check_account_name(name: str) -> str:
    """``name`` when it can name an account (not blank, at most 64 characters, no leading or
    trailing spaces); a UsageError otherwise: it is what the command line gave."""
    if not name.strip():
        raise UsageError("--account must name an account, got an empty name")
    if name != name.strip():
        raise UsageError(f"--account {name!r}: an account name has no leading or trailing spaces")
    if len(name) > ACCOUNT_NAME_LENGTH:
        raise UsageError(
            f"--account: an account name is at most {ACCOUNT_NAME_LENGTH} characters, "
            f"got {len(name)}"
        )
    return name


def strategy_setups(settings: Settings, request: TradeRequest) -> tuple[StrategySetup, ...]:
    """The named strategy with the configured parameters overlaid with ``params``, or every
    enabled strategy with its configured parameters."""
    if request.strategy is not None:
        params = strategy_params(settings, request.strategy, request.params)
        return (StrategySetup(get_strategy(request.strategy), params),)
    if request.params:
        raise UsageError("--param needs --strategy (the strategy the parameters are for)")
    chosen = enabled_strategies(settings)
    if not chosen:
        raise UsageError("no strategy enabled in the configuration: name one with --strategy")
    return tuple(StrategySetup(s, strategy_params(settings, s.name)) for s in chosen)


def execution_config(settings: Settings, request: TradeRequest) -> BacktestConfig:
    """The engine config ``backtest run`` would build from the same options (and ``--cash``)."""
    config = engine_config(
        settings,
        slippage=request.slippage,
        commission=request.commission,
        execution=request.execution,
    )
    return config if request.cash is None else config.replace(initial_cash=float(request.cash))


def latency_bars(config: BacktestConfig, bars: tuple[Bars, ...]) -> int:
    """The latency in whole bars, as the engine converts it per symbol; symbols whose bar
    spacing gives different counts cannot share one account's latency."""
    if config.latency_seconds <= 0.0:
        return config.latency_bars
    counts = set()
    for one in bars:
        interval = config.bar_interval_seconds or median_interval_seconds(one.ts)
        counts.add(config.latency.to_bars(interval if math.isfinite(interval) else 86_400.0))
    if len(counts) > 1:
        raise ValidationError(
            f"the latency of {config.latency_seconds:g} s is a different number of bars for "
            "these symbols' bar spacings: trade them in separate accounts"
        )
    return counts.pop() if counts else config.latency_bars


def paper_config(
    account: str,
    config: BacktestConfig,
    symbols: tuple[str, ...],
    latency: int,
    *,
    cap_entries: bool = False,
) -> PaperConfig:
    """The paper account that executes as ``config`` says (its latency: ``latency`` bars);
    ``cap_entries`` when the safety layer checks (and caps) every entry's quantity."""
    rules = config.rule_values() | {"latency_bars": latency, "latency_seconds": 0.0}
    return PaperConfig(
        account_id=account,
        initial_cash=config.initial_cash,
        symbols=symbols,
        cap_entries=cap_entries,
        **rules,
    )


def fingerprint(
    setups: tuple[StrategySetup, ...],
    config: PaperConfig,
    orchestrator: OrchestratorSettings | None = None,
    sentiment: SentimentSettings | None = None,
) -> str:
    """A text that changes whenever the strategies, parameters or execution rules do, or the
    orchestrator's settings when it decides, or the sentiment agent's when it votes (without
    them, the text a plain session always had)."""
    strategies = [(s.strategy.name, sorted(dict(s.params or {}).items())) for s in setups]
    plain = f"({strategies!r}, {config.fingerprint()})"
    if orchestrator is None:
        return plain
    voted = f"{plain[:-1]}, orchestrator={orchestrator.model_dump_json()}"
    if sentiment is None:
        return f"{voted})"
    return f"{voted}, sentiment={sentiment.model_dump_json()})"


def load_bars(
    database: Database,
    settings: Settings,
    request: TradeRequest,
    stored: StoredSession | None,
    clock: Clock,
) -> tuple[tuple[Bars, ...], str, tuple[str, ...]]:
    """The session's bars: a new session reads the window the request names (the bundled
    sample when nothing is stored, as ``backtest run``); a resume re-reads its stored window."""
    if stored is not None:
        ref = DataRef(
            database_url=settings.database_url(),
            symbols=stored.symbols,
            timeframe=stored.timeframe,
            start=stored.start,
            end=stored.end,
            adjusted=settings.data.adjusted_prices,
        )
        return tuple(read_bars(database, ref)), stored.timeframe, ()
    if not request.symbols:
        raise UsageError("name the symbols to trade: --symbols AAPL,MSFT")
    timeframe = check_timeframe(request.timeframe or settings.data.default_timeframe)
    data = prepare_data(
        database,
        settings,
        DataRequest(
            symbols=list(request.symbols),
            start=request.start,
            end=request.end,
            days=request.days,
            timeframe=timeframe,
        ),
        clock=clock,
    )
    return data.bars, timeframe, data.notices


def _first_bar(bars: tuple[Bars, ...]) -> datetime:
    return min(_moment(int(one.ts[0])) for one in bars)


def _last_bar(bars: tuple[Bars, ...]) -> datetime:
    return max(_moment(int(one.ts[-1])) for one in bars)


def _moment(ns: int) -> datetime:
    return _EPOCH + timedelta(microseconds=ns // 1000)


def build_plan(
    database: Database,
    settings: Settings,
    request: TradeRequest,
    *,
    account: str,
    clock: Clock,
    stored: StoredSession | None = None,
    config: BacktestConfig | None = None,
) -> TradePlan:
    """Resolve ``request`` (already completed from ``stored`` on a resume). ``config``
    replaces the engine config built from the options (tests and benchmarks)."""
    mode = parse_mode(request.mode)
    paper = mode is TradingMode.PAPER
    if paper:
        check_paper_request(request)
    speed = Speed.parse(request.speed)
    setups = strategy_setups(settings, request)
    engine = config if config is not None else execution_config(settings, request)
    read = warm_up_bars if paper else load_bars  # paper: the warm-up (paper_plan)
    bars, timeframe, notices = read(database, settings, request, stored, clock)
    symbols = tuple(one.symbol for one in bars)
    latency = latency_bars(engine, bars)
    executes = paper_config(account, engine, symbols, latency, cap_entries=settings.safety.enabled)
    orchestrator = settings.orchestrator if settings.orchestrator.enabled else None
    sentiment = settings.sentiment if orchestrator and settings.sentiment.enabled else None
    printed = fingerprint(setups, executes, orchestrator, sentiment)
    if stored is not None and stored.fingerprint != printed:
        raise ValidationError(
            f"account {account!r}: the strategies' parameters, the execution settings or the "
            "orchestrator settings in force differ from those the session was started with "
            "(the configuration changed?): restore them to resume, or trade a new --account"
        )
    if paper:
        check_validated(database, settings, setups)
    start, end = paper_window(request, clock) if paper else (_first_bar(bars), _last_bar(bars))
    session = stored or StoredSession(
        request=request,
        symbols=symbols,
        timeframe=timeframe,
        start=start,
        end=end,
        fingerprint=printed,
    )
    return TradePlan(
        mode=mode,
        account=account,
        request=request,
        setups=setups,
        backtest_config=engine,
        paper_config=executes,
        bars=bars,
        timeframe=timeframe,
        speed=speed,
        risk_free_rate=settings.backtest.risk_free_rate,
        session=session,
        notices=notices,
        orchestrator=orchestrator,
    )


def params_of(setups: tuple[StrategySetup, ...]) -> Mapping[str, Mapping[str, ParamValue]]:
    return {s.strategy.name: dict(s.params or {}) for s in setups}
