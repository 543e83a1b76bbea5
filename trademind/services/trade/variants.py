"""``trade --variants rules,hybrid``: live A/B, one account per variant on the same bars.

Each variant (:mod:`trademind.config.variants`: ``rules``, ``hybrid`` or one of
``ab.variants``) trades its own account, named ``<account>-<variant>`` (``<account>``: the
``--account`` given, else the mode's name: ``paper-rules``, ``paper-hybrid``), on its own
settings (the overlay laid over the user's), with every other part of the request the same:
symbols, strategy, parameters, window, cash, costs. Every decision is tagged with its variant
(:class:`~trademind.services.trade.service.TradeOptions` ``variant``; orchestrated decisions
carry ``orchestrator.variant``, which the variant's settings set to its name), and so are the
orders and fills it causes (their ``agent_signals`` name the decision and its variant).

- **replay**: the sessions run one after the other on the same stored bars (the replay is
  deterministic: running them together would change nothing but the interleaving);
- **paper**: the sessions run together in one process. They poll one shared provider
  (:class:`SharedBars`): the same question (symbol, timeframe, first moment, cutoff) is asked
  of Yahoo once and both sessions get the same answer, so they trade one bar stream. Ctrl-C
  (SIGINT, SIGTERM) stops every session after its current step; ``--end DAY`` ends each after
  that day's close. A session that fails stops the others (the first error is reported).

``--resume`` resumes every variant's account; with ``--variants`` it needs ``--mode`` (which
decides whether the sessions run one after the other or together).
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from trademind.config.variants import check_variant, variant_settings
from trademind.core.clock import LiveClock
from trademind.core.errors import UsageError
from trademind.core.market import TradingMode
from trademind.services.json_ready import json_fields
from trademind.services.trade.paper_parts import PaperParts, stop_on_signals
from trademind.services.trade.plan import default_account, parse_mode
from trademind.services.trade.service import TradeOptions, trade

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.core.market import Bar
    from trademind.db.session import Database
    from trademind.runtime.paper_source import LiveBarProvider
    from trademind.services.trade.types import TradeRequest, TradeSummary

MAX_VARIANTS: Final = 4
ACCOUNT_MAX: Final = 64
SAME_QUESTION: Final = timedelta(seconds=60)
"""Two requests for the same symbol, timeframe and start whose ends lie this close are one
question (the sessions' warm-ups ask "up to now" a moment apart)."""
_KEPT_ANSWERS: Final = 512


@dataclass(frozen=True, slots=True, kw_only=True)
class VariantSummary:
    """One variant's session: its name and the session's summary (its account inside)."""

    variant: str
    summary: TradeSummary

    def to_json(self) -> dict[str, Any]:
        return json_fields(self)


def parse_variants(settings: Settings, text: str) -> tuple[str, ...]:
    """``rules,hybrid`` as known, distinct variant names (2 to :data:`MAX_VARIANTS`)."""
    names = [check_variant(settings, part) for part in text.split(",") if part.strip()]
    if len(set(names)) != len(names):
        raise UsageError(f"--variants names a variant twice: {text!r}")
    if not 2 <= len(names) <= MAX_VARIANTS:
        raise UsageError(
            f"--variants needs 2 to {MAX_VARIANTS} variants (e.g. rules,hybrid), got {text!r}"
        )
    return tuple(names)


def variant_account(base: str, variant: str) -> str:
    return f"{base}-{variant}"


def run_variants(
    database: Database,
    settings: Settings,
    request: TradeRequest,
    variants: Sequence[str],
    options: TradeOptions | None = None,
) -> tuple[VariantSummary, ...]:
    """Trade ``request`` once per variant (module docstring)."""
    return asyncio.run(trade_variants(database, settings, request, variants, options))


async def trade_variants(
    database: Database,
    settings: Settings,
    request: TradeRequest,
    variants: Sequence[str],
    options: TradeOptions | None = None,
) -> tuple[VariantSummary, ...]:
    """:func:`run_variants` inside a running event loop."""
    options = options or TradeOptions()
    options = replace(options, clock=options.clock or LiveClock())  # one clock for every session
    if request.resume and request.mode is None:
        raise UsageError("--variants with --resume needs --mode (replay or paper)")
    mode = parse_mode(request.mode)
    base = request.account or default_account(mode)
    runs = []
    for name in variants:
        account = variant_account(base, name)
        if len(account) > ACCOUNT_MAX:
            raise UsageError(f"account {account!r} is longer than {ACCOUNT_MAX} characters")
        runs.append((name, variant_settings(settings, name), replace(request, account=account)))
    if mode is not TradingMode.PAPER:
        done = []
        for name, chosen, asked in runs:
            summary = await trade(database, chosen, asked, replace(options, variant=name))
            done.append(VariantSummary(variant=name, summary=summary))
        return tuple(done)
    return await _together(database, runs, options)


async def _together(
    database: Database,
    runs: Sequence[tuple[str, Settings, TradeRequest]],
    options: TradeOptions,
) -> tuple[VariantSummary, ...]:
    """The paper sessions at once, on one shared provider, stopped together."""
    parts = options.paper or PaperParts()
    provider = parts.provider
    if provider is None:
        from trademind.data.providers.yfinance_live import live_yfinance

        provider = live_yfinance(clock=options.clock or LiveClock())
    stoppers: list[Callable[[], None]] = []

    def stop_all() -> None:
        for stop in stoppers:
            stop()

    if parts.on_stopper is not None:
        parts.on_stopper(stop_all)
    each = replace(
        parts, provider=SharedBars(provider), handle_signals=False, on_stopper=stoppers.append
    )
    with stop_on_signals(stop_all, enabled=parts.handle_signals):
        try:
            async with asyncio.TaskGroup() as group:
                tasks = [
                    group.create_task(
                        trade(database, chosen, asked, replace(options, variant=name, paper=each))
                    )
                    for name, chosen, asked in runs
                ]
        except ExceptionGroup as failed:
            raise failed.exceptions[0] from None
    return tuple(
        VariantSummary(variant=name, summary=task.result())
        for (name, _chosen, _asked), task in zip(runs, tasks, strict=True)
    )


class SharedBars:
    """A :class:`~trademind.runtime.paper_source.LiveBarProvider` that asks ``inner`` each
    question once and gives every asker the same answer (or the same error): the sessions of
    a live A/B test trade one bar stream. A question is (symbol, timeframe, start, end); two
    with the same symbol, timeframe and start and ends within :data:`SAME_QUESTION` are one
    (the later asker gets the bars before its own end). The last 512 answers are kept."""

    def __init__(self, inner: LiveBarProvider) -> None:
        self._inner = inner
        self._answers: OrderedDict[tuple[str, str, datetime], list[_Answer]] = OrderedDict()

    async def closed_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> Sequence[Bar]:
        key = (symbol, timeframe, start)
        answers = self._answers.setdefault(key, [])
        self._answers.move_to_end(key)
        found = next((a for a in answers if abs(a.end - end) <= SAME_QUESTION), None)
        if found is None:
            task = asyncio.ensure_future(self._inner.closed_bars(symbol, timeframe, start, end))
            found = _Answer(end=end, task=task)
            answers.append(found)
            while len(self._answers) > _KEPT_ANSWERS:
                self._answers.popitem(last=False)
        bars = await asyncio.shield(found.task)
        return [bar for bar in bars if bar.ts < end] if end < found.end else bars


@dataclass(slots=True)
class _Answer:
    end: datetime
    task: asyncio.Future[Sequence[Bar]]
