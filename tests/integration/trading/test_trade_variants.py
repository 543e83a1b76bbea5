"""`trade --variants rules,hybrid` (issue 12, item 9, live A/B): one account per variant on
the same bars, every decision tagged with its variant; replays one after the other through
the CLI, paper sessions together on one shared bar stream (FakeYahoo, a test clock)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.cli_driver import Cli
from support.paper_session import START, paper_request, store_bars, swinging

from trademind.config import Settings
from trademind.core.clock import TestClock
from trademind.core.market import Bar
from trademind.data.providers.yfinance_live import live_yfinance
from trademind.db.models import Account, AgentDecision
from trademind.db.session import Database
from trademind.services.trade import TradeOptions
from trademind.services.trade.paper_parts import PaperParts
from trademind.services.trade.variants import run_variants
from trademind.testing.yahoo import FakeYahoo

REPLAY = (
    "trade", "--variants", "rules,hybrid", "--strategy", "ma_crossover", "--symbols", "AAPL",
    "--start", "2022-01-01", "--end", "2022-06-30",
)  # fmt: skip


def _variants_by_account(database: Database) -> dict[str, set[str | None]]:
    query = sa.select(Account.name, AgentDecision.variant).join(
        Account, Account.id == AgentDecision.account_id
    )
    with database.session() as session:
        found: dict[str, set[str | None]] = {}
        for name, variant in session.execute(query):
            found.setdefault(name, set()).add(variant)
        return found


def test_replay_variants_trade_one_account_each_on_the_same_bars(
    capsys: pytest.CaptureFixture[str], settings: Settings, database: Database
) -> None:
    done = Cli(capsys).json(*REPLAY)
    assert [one["variant"] for one in done] == ["rules", "hybrid"]
    rules, hybrid = (one["summary"] for one in done)
    assert (rules["account"], hybrid["account"]) == ("replay-rules", "replay-hybrid")
    assert rules["counts"]["bars"] == hybrid["counts"]["bars"] > 100
    assert (rules["start"], rules["end"]) == (hybrid["start"], hybrid["end"])
    assert _variants_by_account(database) == {
        "replay-rules": {"rules"},
        "replay-hybrid": {"hybrid"},
    }
    code, out, _err = Cli(capsys)(*REPLAY[:3], *REPLAY[3:], "--account", "lab")
    assert code == 0
    assert "== variant rules (account lab-rules)" in out
    assert "== variant hybrid (account lab-hybrid)" in out


@pytest.mark.parametrize(
    ("variants", "extra", "message"),
    [
        ("rules", (), "--variants needs 2 to 4 variants"),
        ("rules,rules", (), "--variants names a variant twice"),
        ("rules,bold", (), "unknown variant 'bold' (known: rules, hybrid)"),
        ("rules,hybrid", ("--resume",), "--variants with --resume needs --mode"),
    ],
)
def test_bad_variants_are_one_line_usage_errors(
    capsys: pytest.CaptureFixture[str],
    isolated_environment: Path,
    variants: str,
    extra: tuple[str, ...],
    message: str,
) -> None:
    err = Cli(capsys).fails("trade", "--variants", variants, "--symbols", "AAPL", *extra, code=2)
    assert message in err
    assert len(err.strip().splitlines()) == 1


class Lockstep:
    """A waiter shared by ``parties`` sessions: the test clock moves, to the earliest time
    asked, only once every session waits (as the wall clock passes for both at once)."""

    def __init__(self, clock: TestClock, parties: int) -> None:
        self.clock = clock
        self.parties = parties
        self.waiting: list[tuple[datetime, asyncio.Future[None]]] = []

    async def wait_until(self, when: datetime) -> None:
        woken: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiting.append((when, woken))
        if len(self.waiting) == self.parties:
            earliest = min(at for at, _ in self.waiting)
            if earliest > self.clock.now():
                self.clock.set_time(earliest)
            for at, future in [w for w in self.waiting if w[0] <= self.clock.now()]:
                future.set_result(None)
                self.waiting.remove((at, future))
        await woken


class Counting:
    """The live provider, counting the questions asked of it."""

    def __init__(self, inner: object) -> None:
        self.inner = inner
        self.asked: list[tuple[str, datetime, datetime]] = []

    async def closed_bars(
        self, symbol: str, timeframe: str, start: datetime, end: datetime
    ) -> Sequence[Bar]:
        self.asked.append((symbol, start, end))
        return await self.inner.closed_bars(symbol, timeframe, start, end)  # type: ignore[attr-defined, no-any-return]


def test_paper_variants_trade_together_on_one_bar_stream(
    database: Database, settings: Settings
) -> None:
    store_bars(database, swinging)
    clock = TestClock(START)
    provider = Counting(live_yfinance(clock=clock, download=FakeYahoo(prices=swinging)))
    parts = PaperParts(provider=provider, waiter=Lockstep(clock, 2), handle_signals=False)  # type: ignore[arg-type]
    done = run_variants(
        database,
        settings,
        paper_request(None),
        ("rules", "hybrid"),
        TradeOptions(clock=clock, paper=parts),
    )
    rules, hybrid = (one.summary for one in done)
    assert (rules.account, hybrid.account) == ("paper-rules", "paper-hybrid")
    assert rules.counts.bars == hybrid.counts.bars > 0
    assert rules.counts.steps == hybrid.counts.steps
    assert rules.fills, "the swing must trade"
    assert len(provider.asked) == len(set(provider.asked))  # each question asked once
    assert _variants_by_account(database) == {
        "paper-rules": {"rules"},
        "paper-hybrid": {"hybrid"},
    }

    # one session alone asks the provider the same questions: the two shared them
    alone = Counting(live_yfinance(clock=clock, download=FakeYahoo(prices=swinging)))
    clock.set_time(START)
    # (a new database is not needed: a third account trades the same window)
    single = PaperParts(provider=alone, waiter=Lockstep(clock, 1), handle_signals=False)  # type: ignore[arg-type]
    from trademind.services.trade import run_trade

    run_trade(database, settings, paper_request("alone"), TradeOptions(clock=clock, paper=single))
    assert sorted(alone.asked) == sorted(provider.asked)
