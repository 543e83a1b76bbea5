"""`trademind agents select-strategy`: does choosing a strategy by regime beat fixed strategies?

Walk-forward, out of sample (docs/ai.md, "Strategy selection"):

1. the request is checked (symbols, strategies, windows, bootstrap runs: usage errors first);
2. the bars (the bundled sample when nothing is stored, with its notice) and, with ``--index``,
   the index's bars; each strategy's signals (configured parameters) on each symbol's history;
3. the union of the symbols' bar times is split as ``backtest walk-forward --mode rolling``
   splits it (``windows`` test windows, each after a training span 3 times as long);
4. per window: every strategy is run on every symbol over the training span and over the test
   window (:mod:`~trademind.services.strategy_selection_runs`); the selection rule
   (:mod:`~trademind.agents.selection.rule`) learns from the training days of all the symbols
   and chooses, per symbol, from the regime at the last bar before the test window; the
   selector's test curve for a symbol is the chosen strategy's;
5. the test curves are chained into the out-of-sample daily returns of the selector, each fixed
   strategy and the equal-weight portfolio of the strategies (each symbol's capital split
   equally between the strategies at each window's start);
6. Sharpe ratios with paired block-bootstrap intervals
   (:mod:`~trademind.backtest.analytics.sharpe_bootstrap`), the selector minus the best fixed
   strategy (best by its out-of-sample Sharpe ratio: chosen in hindsight, which favours it) and
   minus equal weight.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from trademind.agents.selection.features import RegimeFeatures, regime_features
from trademind.agents.selection.rule import TrainingDays, describe_regime, learn, regime_at
from trademind.backtest.analytics.sharpe_bootstrap import (
    BLOCK_LENGTH,
    bootstrap_sharpe,
    sharpe_rows,
)
from trademind.backtest.research.runner import compute_signals
from trademind.backtest.research.walkforward import split_windows
from trademind.core import backtest_limits as limits
from trademind.core.errors import UsageError
from trademind.services.backtest_data import DataRequest, prepare_data
from trademind.services.backtest_service import engine_config, strategy_params
from trademind.services.strategy_selection_runs import (
    Curve,
    chain,
    portfolio,
    timeline_of,
    window_curves,
)
from trademind.services.strategy_selection_views import (
    FoldChoice,
    SelectionReport,
    SharpeRow,
    verdict,
)
from trademind.strategies.base import Bars
from trademind.strategies.registry import get_strategy, strategy_names

if TYPE_CHECKING:
    from trademind.agents.selection.rule import SelectionRule
    from trademind.backtest.engine.config import BacktestConfig
    from trademind.backtest.research.runner import RunSpec, Window
    from trademind.config import Settings
    from trademind.core.clock import Clock
    from trademind.db.session import Database
    from trademind.strategies.base import FloatArray, Signals

SELECTOR: Final = "selector"
EQUAL_WEIGHT: Final = "equal_weight"
IN_SAMPLE_RATIO: Final = 3.0
BOOTSTRAP_MIN: Final = limits.SELECTION_BOOTSTRAP_MIN
BOOTSTRAP_MAX: Final = limits.SELECTION_BOOTSTRAP_MAX
PERIODS_PER_YEAR: Final = 252.0


@dataclass(frozen=True)
class SelectionRequest:
    symbols: tuple[str, ...]
    start: date | None = None
    end: date | None = None
    windows: int = 5
    bootstrap: int = 5000
    seed: int = 0
    strategies: tuple[str, ...] = ()
    index: str | None = None


def check_request(request: SelectionRequest) -> tuple[str, ...]:
    """Usage errors before any I/O; the strategies' names (all registered when none given)."""
    lo, hi = limits.WALK_FORWARD_WINDOWS_MIN, limits.WALK_FORWARD_WINDOWS_MAX
    if not lo <= request.windows <= hi:
        raise UsageError(f"--windows must be between {lo} and {hi}, got {request.windows}")
    if not BOOTSTRAP_MIN <= request.bootstrap <= BOOTSTRAP_MAX:
        raise UsageError(
            f"--bootstrap must be between {BOOTSTRAP_MIN} and {BOOTSTRAP_MAX}, "
            f"got {request.bootstrap}"
        )
    if not request.symbols:
        raise UsageError("--symbols: name at least one symbol, e.g. AAPL,MSFT")
    if request.start and request.end and request.end < request.start:
        raise UsageError(f"--end {request.end} is before --start {request.start}")
    names = tuple(dict.fromkeys(get_strategy(n).name for n in request.strategies))
    names = names or strategy_names()
    if len(names) < 2:
        raise UsageError("--strategies: name at least two strategies to select from")
    return names


def _specs(settings: Settings, names: tuple[str, ...]) -> tuple[BacktestConfig, list[RunSpec]]:
    from trademind.backtest.research.runner import RunSpec

    config = engine_config(settings)
    rf = settings.backtest.risk_free_rate
    specs = [RunSpec(n, strategy_params(settings, n), config, rf).resolved() for n in names]
    return config, specs


def _load_index(
    database: Database, settings: Settings, request: SelectionRequest, clock: Clock
) -> tuple[Bars | None, list[str]]:
    if request.index is None:
        return None, ["no --index given: the correlation-to-index feature is missing"]
    asked = DataRequest(symbols=[request.index], start=None, end=request.end)
    data = prepare_data(database, settings, asked, clock=clock)
    return data.bars[0], list(data.notices)


def evaluate(
    database: Database, settings: Settings, request: SelectionRequest, *, clock: Clock
) -> SelectionReport:
    """Steps 1 to 6 of the module docstring."""
    names = check_request(request)
    config, specs = _specs(settings, names)
    asked = DataRequest(symbols=list(request.symbols), start=request.start, end=request.end)
    data = prepare_data(database, settings, asked, clock=clock)
    index, index_notices = _load_index(database, settings, request, clock)
    bars = list(data.bars)
    signals = {spec.strategy: compute_signals(bars, spec) for spec in specs}
    features = {s.symbol: regime_features(s, index) for s in bars}
    warmup = max(get_strategy(spec.strategy).warmup(spec.params) for spec in specs)
    timeline: Any = np.unique(np.concatenate([s.ts for s in bars]))
    spans = split_windows(timeline, request.windows, IN_SAMPLE_RATIO, "rolling", warmup=warmup)
    walk = _walk(bars, signals, features, config, spans, names)
    notices = tuple(dict.fromkeys((*data.notices, *index_notices)))
    return _report(request, names, walk, notices, settings.backtest.risk_free_rate)


@dataclass(eq=False)
class _Walk:
    choices: list[FoldChoice] = field(default_factory=list)
    pieces: dict[str, list[FloatArray]] = field(default_factory=dict)
    ts: list[Any] = field(default_factory=list)


def _walk(  # noqa: PLR0917 - the walk's inputs
    bars: list[Bars],
    signals: dict[str, list[Signals]],
    features: dict[str, RegimeFeatures],
    config: BacktestConfig,
    spans: list[tuple[Window, Window]],
    names: tuple[str, ...],
) -> _Walk:
    walk = _Walk(pieces={name: [] for name in (SELECTOR, *names, EQUAL_WEIGHT)})
    for number, (train, test) in enumerate(spans, start=1):
        rule = learn_window(bars, signals, features, config, train, names)
        tested = window_curves(bars, signals, config, test)
        timeline = timeline_of(bars, test)
        chosen: dict[str, Curve] = {}
        for series in bars:
            if series.symbol not in tested[names[0]]:
                continue
            last = int(np.searchsorted(series.ts, test[0])) - 1
            regime_text = describe_regime(features[series.symbol], last) if last >= 0 else ""
            regime = regime_at(features[series.symbol], last) if last >= 0 else (None,) * 4
            choice = rule.choose(regime, regime_text)
            chosen[series.symbol] = tested[choice.strategy][series.symbol]
            walk.choices.append(_fold_choice(number, series.symbol, test, choice, chosen))
        for name in names:
            walk.pieces[name].append(portfolio(list(tested[name].values()), timeline))
        walk.pieces[SELECTOR].append(portfolio(list(chosen.values()), timeline))
        sleeves = [curve for name in names for curve in tested[name].values()]
        walk.pieces[EQUAL_WEIGHT].append(portfolio(sleeves, timeline))
        walk.ts.append(timeline)
    return walk


def learn_window(  # noqa: PLR0917 - the training's inputs
    bars: list[Bars],
    signals: dict[str, list[Signals]],
    features: dict[str, RegimeFeatures],
    config: BacktestConfig,
    window: Window,
    names: tuple[str, ...],
) -> SelectionRule:
    """The rule learned from every strategy's runs on every symbol inside ``window``."""
    trained = window_curves(bars, signals, config, window)
    return learn(_training_days(bars, features, trained, window, names), names)


def train_rule(
    database: Database,
    settings: Settings,
    symbols: tuple[str, ...],
    *,
    strategies: tuple[str, ...] = (),
    clock: Clock,
) -> SelectionRule:
    """The rule learned from the whole stored history of ``symbols`` (the bundled sample when
    none is stored), for a :class:`~trademind.agents.selection.agent.StrategySelectionAgent`;
    no index (a trading context has none)."""
    names = check_request(SelectionRequest(symbols=symbols, strategies=strategies))
    config, specs = _specs(settings, names)
    data = prepare_data(database, settings, DataRequest(symbols=list(symbols)), clock=clock)
    bars = list(data.bars)
    signals = {spec.strategy: compute_signals(bars, spec) for spec in specs}
    features = {s.symbol: regime_features(s) for s in bars}
    span = (min(int(s.ts[0]) for s in bars), max(int(s.ts[-1]) for s in bars) + 1)
    return learn_window(bars, signals, features, config, span, names)


def _fold_choice(
    number: int, symbol: str, test: Window, choice: Any, chosen: dict[str, Curve]
) -> FoldChoice:
    curve = chosen[symbol]
    return FoldChoice(
        window=number,
        symbol=symbol,
        test_start=_moment(int(curve.ts[0])),
        test_end=_moment(int(curve.ts[-1])),
        strategy=choice.strategy,
        reason=choice.reason,
        test_return=float(curve.equity[-1] / curve.equity[0] - 1.0),
    )


def _training_days(
    bars: list[Bars],
    features: dict[str, RegimeFeatures],
    trained: dict[str, dict[str, Curve]],
    train: Window,
    names: tuple[str, ...],
) -> list[TrainingDays]:
    """Each symbol's training returns, filed under the regime of the bar before each day."""
    days = []
    for series in bars:
        if series.symbol not in trained[names[0]]:
            continue
        begin = int(np.searchsorted(series.ts, train[0]))
        curves = {name: trained[name][series.symbol] for name in names}
        count = curves[names[0]].ts.shape[0] - 1
        regimes = [regime_at(features[series.symbol], begin + day) for day in range(count)]
        days.append(TrainingDays({n: c.returns() for n, c in curves.items()}, regimes))
    return days


def _moment(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / 1e9, UTC)


def _report(
    request: SelectionRequest,
    names: tuple[str, ...],
    walk: _Walk,
    notices: tuple[str, ...],
    risk_free_rate: float,
) -> SelectionReport:
    returns = {name: np.diff(chain(p)) / chain(p)[:-1] for name, p in walk.pieces.items()}
    fixed = np.vstack([returns[name] for name in names])
    point = sharpe_rows(fixed, PERIODS_PER_YEAR, risk_free_rate)
    best = names[int(np.argmax(np.where(np.isfinite(point), point, -np.inf)))]
    measured = bootstrap_sharpe(
        returns,
        ((SELECTOR, best), (SELECTOR, EQUAL_WEIGHT)),
        runs=request.bootstrap,
        seed=request.seed,
        periods_per_year=PERIODS_PER_YEAR,
        risk_free_rate=risk_free_rate,
        block_length=BLOCK_LENGTH,
    )
    rows = tuple(
        SharpeRow(name=n, sharpe=measured.sharpe[n], total_return=_total(walk.pieces[n]))
        for n in returns
    )
    all_ts = np.concatenate(walk.ts)
    vs_best = measured.differences[(SELECTOR, best)]
    vs_equal = measured.differences[(SELECTOR, EQUAL_WEIGHT)]
    return SelectionReport(
        symbols=request.symbols,
        strategies=names,
        index=request.index,
        windows=request.windows,
        start=_moment(int(all_ts[0])),
        end=_moment(int(all_ts[-1])),
        days=int(all_ts.shape[0]),
        choices=tuple(walk.choices),
        sharpe=rows,
        best_fixed=best,
        selector_minus_best=vs_best,
        selector_minus_equal_weight=vs_equal,
        bootstrap_runs=measured.runs,
        block_length=measured.block_length,
        seed=request.seed,
        verdict=verdict(best, vs_best, vs_equal),
        notices=notices,
    )


def _total(pieces: list[FloatArray]) -> float:
    return float(chain(pieces)[-1] - 1.0)


__all__ = ["SelectionReport", "SelectionRequest", "evaluate", "train_rule"]
