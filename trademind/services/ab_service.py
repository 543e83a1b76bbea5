"""`trademind ab run|list|show`: two variants of the settings replayed on the same bars, and
whether their difference is more than luck (docs/ai.md, "A/B tests").

:func:`run_ab`, in order (nothing in the user's ledger is written):

1. the request is checked (variants known and different, strategy, parameters, symbols,
   resamples, block length, dates, cash: usage errors, exit 2, before any I/O), and each
   variant's settings made (:func:`~trademind.config.variants.variant_settings`: a bad
   ``ab.variants`` entry is a configuration error naming the key);
2. the window: ``--start``/``--end``, by default the three years up to the last stored bar (as
   `safety validate` chooses it); the bars are chosen and the replay planned with a warm-up
   before the window (:func:`~trademind.services.safety_replay.prepare_replay`);
3. one sandbox database holds copies of the stored bars and news; each variant replays the
   same bars with the same costs in it (``trade --mode replay --speed max``, accounts
   ``ab-<variant>``), on its own settings
   (:func:`~trademind.services.safety_replay.replay_runs`), and is read back: its ledger, its
   decisions in the window and the language model calls it made (``llm_calls`` rows of the
   sandbox recorded during its replay);
4. the comparison (:mod:`~trademind.services.ab_figures`: daily equity, aligned days, paired
   block bootstrap) is stored in ``ab_tests`` and shown from the stored row.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING, Final

from trademind.config.variants import check_variant, variant_settings
from trademind.core.errors import UsageError, ValidationError
from trademind.data.schema import check_timeframe, normalise_symbols
from trademind.db.ab_tests import AbTestRepository
from trademind.db.llm_calls import LlmCallRepository
from trademind.orchestrator.decision_log import DecisionLogStore
from trademind.portfolio.store import LedgerStore
from trademind.services.ab_figures import AbComparison, VariantRun, compare
from trademind.services.ab_limits import (
    DEFAULT_BLOCK_DAYS,
    DEFAULT_RESAMPLES,
    LIST_MAX,
    MAX_BLOCK_DAYS,
    MAX_RESAMPLES,
    MIN_RESAMPLES,
)
from trademind.services.ab_views import (
    AbSetup,
    AbTestSummary,
    AbTestView,
    record_of,
    summary_of,
    view_of,
)
from trademind.services.backtest_service import strategy_params
from trademind.services.safety_history_report import Window
from trademind.services.safety_replay import (
    ReplaySetup,
    SandboxRun,
    prepare_replay,
    read_record,
    replay_runs,
)
from trademind.services.safety_validation import ValidateRequest, validation_span
from trademind.services.safety_windows import resolve_span
from trademind.strategies.registry import get_strategy, resolve

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.core.clock import Clock
    from trademind.core.llm_calls import LlmCall
    from trademind.db.session import Database
    from trademind.services.safety_sandbox import Sandbox

CASH_MAX: Final = 1e12
ACCOUNT_PREFIX: Final = "ab-"
_EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class AbRunRequest:
    """One ``ab run`` command line (``params``: ``--param`` texts)."""

    a: str
    b: str
    strategy: str
    symbols: tuple[str, ...]
    start: date | None = None
    end: date | None = None
    params: Mapping[str, str] = field(default_factory=dict)
    resamples: int = DEFAULT_RESAMPLES
    block_days: int = DEFAULT_BLOCK_DAYS
    seed: int = 0
    cash: float | None = None


def check_request(settings: Settings, request: AbRunRequest) -> tuple[str, str, str]:
    """Step 1's usage errors; the two variants' names and the strategy's."""
    a, b = check_variant(settings, request.a), check_variant(settings, request.b)
    if a == b:
        raise UsageError(f"--a and --b both name {a!r}: compare two different variants")
    if not MIN_RESAMPLES <= request.resamples <= MAX_RESAMPLES:
        raise UsageError(
            f"--bootstrap must be between {MIN_RESAMPLES} and {MAX_RESAMPLES}, got "
            f"{request.resamples}"
        )
    if not 1 <= request.block_days <= MAX_BLOCK_DAYS:
        raise UsageError(
            f"--block-days must be between 1 and {MAX_BLOCK_DAYS}, got {request.block_days}"
        )
    if not request.symbols:
        raise UsageError("name the symbols to replay: --symbols AAPL,MSFT")
    cash = request.cash
    if cash is not None and not (math.isfinite(cash) and 0 < cash <= CASH_MAX):
        raise UsageError(f"--cash must be a positive amount, got {cash!r}")
    resolve_span(None, request.start, request.end)  # an end before the start
    return a, b, get_strategy(request.strategy).name


def run_ab(
    database: Database, settings: Settings, request: AbRunRequest, *, clock: Clock
) -> AbTestView:
    """Steps 1 to 4 of the module docstring."""
    a, b, name = check_request(settings, request)
    chosen = {variant: variant_settings(settings, variant) for variant in (a, b)}
    params = resolve(name, strategy_params(settings, name, request.params))
    symbols = tuple(normalise_symbols(list(request.symbols)))
    timeframe = check_timeframe(settings.data.default_timeframe)
    asked = ValidateRequest(strategy=name, start=request.start, end=request.end)
    span, loaded = validation_span(database, settings, asked, symbols, timeframe, clock)
    cash = request.cash if request.cash is not None else settings.backtest.initial_cash
    setup = ReplaySetup(
        strategy=name,
        params=request.params,
        symbols=symbols,
        timeframe=timeframe,
        span=span,
        cash=cash,
    )
    prepared = prepare_replay(database, settings, setup, get_strategy(name).warmup(params), clock)
    window = Window(start=prepared.plan.report_start, end=prepared.plan.report_end)
    runs = [SandboxRun(ACCOUNT_PREFIX + v, chosen[v], variant=v) for v in (a, b)]
    reader = _VariantReader(database, window, clock)
    run_a, run_b = replay_runs(
        database, settings, setup, prepared, runs, clock, reader.read, reader.ready
    )
    comparison = compare(run_a, run_b, window, request.resamples, request.seed, request.block_days)
    described = AbSetup(
        strategy=name,
        params=dict(params),
        symbols=symbols,
        timeframe=timeframe,
        replay_start=prepared.plan.replay_start,
        initial_cash=float(cash),
    )
    notices = [*loaded, *prepared.notices, *_notices(comparison, float(cash))]
    record = record_of(comparison, described, clock.now(), tuple(dict.fromkeys(notices)))
    repository = AbTestRepository(database)
    stored = repository.get(repository.add(record))
    if stored is None:  # pragma: no cover - the row was just written
        raise ValidationError("the A/B test was not stored")
    return view_of(stored)


class CallRelay:
    """The language model calls of the replays in a sandbox are real spending: before the
    first replay :meth:`ready` copies the user's calls of the day (UTC) into the sandbox, so the
    LLM client's daily budget counts them; after each replay :meth:`take` answers the calls
    recorded since (that replay's) and copies them to the user's ``llm_calls`` (`agents costs`
    shows them)."""

    def __init__(self, user: Database, clock: Clock) -> None:
        self._user = user
        self._clock = clock
        self._seen = 0

    def ready(self, sandbox: Database) -> None:
        today = datetime.combine(self._clock.now().date(), time(0), tzinfo=UTC)
        earlier = LlmCallRepository(self._user).since(today)
        copied = LlmCallRepository(sandbox)
        for call in earlier:
            copied.record(call)
        self._seen = len(earlier)

    def take(self, sandbox: Database) -> list[LlmCall]:
        calls = LlmCallRepository(sandbox).since(_EPOCH)[self._seen :]
        self._seen += len(calls)
        user = LlmCallRepository(self._user)
        for call in calls:
            user.record(call)
        return calls


class _VariantReader:
    """Reads each variant's replay right after it ran (step 3), its language model calls
    through a :class:`CallRelay`."""

    def __init__(self, user: Database, window: Window, clock: Clock) -> None:
        self._window = window
        self._clock = clock
        self._calls = CallRelay(user, clock)

    def ready(self, box: Sandbox) -> None:
        self._calls.ready(box.database)

    def read(self, box: Sandbox, run: SandboxRun) -> VariantRun:
        database = box.database
        record = read_record(database, run.account, run.settings.safety.enabled, self._clock)
        info = LedgerStore(database, self._clock).account(run.account)
        decisions = DecisionLogStore(database, info.id).counts(self._window.start, self._window.end)
        calls = self._calls.take(database)
        priced = (call.cost_usd for call in calls if call.cost_usd is not None)
        return VariantRun(
            name=run.account.removeprefix(ACCOUNT_PREFIX),
            account=run.account,
            record=record,
            decisions=decisions,
            llm_calls=len(calls),
            llm_cost_usd=float(sum(priced, Decimal(0))),
        )


def _notices(comparison: AbComparison, cash: float) -> list[str]:
    notes = []
    for figures in (comparison.a, comparison.b):
        if not figures.fills:
            notes.append(
                f"variant {figures.name!r} made no trades in the window: its returns are its "
                "cash's and whatever it held from the warm-up"
            )
        if not math.isclose(figures.start_equity, cash, rel_tol=1e-9):
            notes.append(
                f"variant {figures.name!r} traded during the warm-up: its equity at the "
                f"window's start was {figures.start_equity:,.2f}, not the {cash:,.2f} of cash "
                "(returns are measured from it)"
            )
    if comparison.dropped_days:
        notes.append(
            f"{comparison.dropped_days} day(s) had equity in one variant only and were left out"
        )
    return notes


def list_ab(database: Database, limit: int = 20) -> tuple[AbTestSummary, ...]:
    """The latest ``limit`` (1..:data:`LIST_MAX`) A/B tests, newest first."""
    if not 1 <= limit <= LIST_MAX:
        raise UsageError(f"--limit must be between 1 and {LIST_MAX}, got {limit}")
    return tuple(summary_of(record) for record in AbTestRepository(database).recent(limit))


def show_ab(database: Database, test_id: int) -> AbTestView:
    """The stored A/B test ``test_id`` (an unknown id: a ValidationError)."""
    record = AbTestRepository(database).get(test_id)
    if record is None:
        raise ValidationError(f"no A/B test with id {test_id} (see `trademind ab list`)")
    return view_of(record)
