"""A trading session decided by the orchestrator (``orchestrator.enabled``): every decision
(holds and vetoed ones too) logged with its votes in the step's transaction, a fill's
``trades show`` printing the votes, weights, scores, thresholds and explanation, and a stopped
session resumed to the same decisions, orders and fills as an uninterrupted one."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from support.cli_driver import Cli
from support.paper_session import (
    FIRST,
    LAST,
    PARAMS,
    START,
    paper_options,
    paper_request,
    store_bars,
    trend_then_swing,
)

from trademind.config import Settings
from trademind.core.clock import TestClock
from trademind.core.decisions import Action, Decision
from trademind.core.errors import ValidationError
from trademind.db.models import Account, AgentDecision, Order, Trade
from trademind.db.session import Database
from trademind.portfolio.decision_links import decision_facts
from trademind.services.trade import StepView, TradeOptions, TradeRequest, run_trade
from trademind.services.trade.decisions import DecisionExtras

STRATEGY = "ma_crossover"
SYMBOLS = ("AAPL", "MSFT")


class Stop(Exception):
    """Stands for the process dying after a bar close."""


class NoWait:
    async def sleep(self, seconds: float) -> None:
        return None


class NoBuying:
    """A vetoer that stops every BUY."""

    async def review(self, decision: Decision) -> str | None:
        return "test rule: no buying" if decision.action is Action.BUY else None


def orchestrated(settings: Settings, **changes: object) -> Settings:
    section = settings.orchestrator.model_copy(update={"enabled": True, **changes})
    return settings.model_copy(update={"orchestrator": section})


def request(account: str, **changes: object) -> TradeRequest:
    given: dict[str, object] = {
        "mode": "replay",
        "symbols": SYMBOLS,
        "strategy": STRATEGY,
        "account": account,
        "start": date(2019, 1, 1),
        "end": date(2019, 12, 31),
        **changes,
    }
    return TradeRequest(**given)  # type: ignore[arg-type]


def rows_of(database: Database, account: str, model: type) -> list:  # type: ignore[type-arg]
    with database.session() as session:
        owner = session.scalars(sa.select(Account.id).where(Account.name == account)).one()
        query = sa.select(model).where(model.account_id == owner).order_by(model.id)
        return list(session.scalars(query))


def timeless(votes: list[dict[str, object]]) -> list[dict[str, object]]:
    """The votes without their measured latency (wall time: differs from run to run)."""
    return [{k: v for k, v in vote.items() if k != "latency_seconds"} for vote in votes]


def test_every_decision_is_logged_and_a_fill_carries_its_votes(
    database: Database, settings: Settings
) -> None:
    summary = run_trade(database, orchestrated(settings), request("voted"))
    decisions = {d.decision_ref: d for d in rows_of(database, "voted", AgentDecision)}
    # one decision per symbol and bar close, whatever it says
    assert len(decisions) == summary.counts.bars_this_run == summary.counts.decisions_this_run
    actions = {d.action for d in decisions.values()}
    assert actions == {"buy", "sell", "hold"}
    orders = rows_of(database, "voted", Order)
    decided = {o.decision_ref for o in orders if o.decision_ref is not None}
    assert decided <= set(decisions)
    assert all(decisions[ref].action != "hold" for ref in decided)  # a hold places nothing
    trades = rows_of(database, "voted", Trade)
    assert trades
    assert len(trades) == len(summary.fills)
    by_order = {o.client_order_id: o for o in orders}
    linked = [t for t in trades if by_order[t.client_order_id].decision_ref is not None]
    assert linked
    owner = trades[0].account_id
    logged = database.run(
        lambda c: decision_facts(c, owner, [o.decision_ref for o in orders if o.decision_ref])
    )
    for trade in linked:
        decision = decisions[by_order[trade.client_order_id].decision_ref]
        facts = logged[decision.decision_ref]  # what the log holds, read back
        assert (trade.strategy, trade.reasoning, trade.agent_signals) == (
            facts.strategy, facts.reasoning, facts.agent_signals
        )  # fmt: skip
        assert (decision.agent, decision.strategy) == ("orchestrator", None)
        assert (decision.buy_threshold, decision.sell_threshold) == (0.2, 0.2)
        assert trade.reasoning == decision.reasoning
        signals = trade.agent_signals
        assert signals["decision"] == decision.decision_ref
        assert signals["score"] == decision.score
        assert signals["votes"] == decision.votes
        by_agent = {vote["agent"]: vote for vote in signals["votes"]}
        assert set(by_agent) == {"technical", f"strategy:{STRATEGY}", "sentiment"}
        assert {by_agent[name]["weight"] for name in by_agent} == {1.0, 0.2}
        # no news is stored: the sentiment agent abstains, it never votes neutral
        assert "no news for" in str(by_agent["sentiment"])


def test_trades_show_prints_the_votes_weights_and_thresholds_of_an_orchestrated_fill(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(capsys)
    monkeypatch.setenv("TRADEMIND__ORCHESTRATOR__ENABLED", "true")
    cli.json("trade", "--symbols", "AAPL,MSFT", "--strategy", STRATEGY, "--start", "2019-01-01",
             "--end", "2019-12-31", "--account", "shown", "--speed", "max")  # fmt: skip
    listed = cli.json("trades", "list", "--account", "shown")["trades"]
    shown = cli.json("trades", "show", str(listed[-1]["id"]), "--account", "shown")
    decision = shown["decision"]
    assert decision["agent"] == "orchestrator"
    assert (decision["buy_threshold"], decision["quorum"]) == (0.2, 0.5)
    assert len(decision["votes"]) == 3  # the sentiment agent abstains: no news stored
    code, out, err = cli("trades", "show", str(listed[-1]["id"]), "--account", "shown")
    assert code == 0, err
    score = f"score {decision['score']:+.2f}"
    for text in ("Votes (3)", "technical", "no news", f"strategy:{STRATEGY}", "weight 1", score,
                 "buy at score >= +0.20, sell at <= -0.20", "0.50 needed",
                 decision["explanation"][:30]):  # fmt: skip
        assert text in out, out


def test_a_vetoed_decision_is_logged_with_its_veto_and_places_nothing(
    database: Database, settings: Settings
) -> None:
    extras = DecisionExtras(vetoers=(NoBuying(),))
    summary = run_trade(
        database, orchestrated(settings), request("vetoed"), TradeOptions(decision_extras=extras)
    )
    assert summary.orders == ()
    assert summary.fills == ()
    logged = rows_of(database, "vetoed", AgentDecision)
    vetoed = [d for d in logged if d.vetoed]
    assert vetoed
    assert all(d.action == "buy" for d in vetoed)
    assert {d.veto_reason for d in vetoed} == {"test rule: no buying"}
    assert all(d.reasoning.startswith("Vetoed: test rule: no buying;") for d in vetoed)
    assert len(logged) == summary.counts.bars_this_run


def test_a_stopped_orchestrated_session_resumes_to_the_same_decisions_orders_and_fills(
    database: Database, settings: Settings
) -> None:
    voting = orchestrated(settings)
    run_trade(database, voting, request("whole"))
    for stop in (40, 41, 170):

        def seen(view: StepView, at: int = stop) -> None:
            if view.step == at:
                raise Stop(at)

        with pytest.raises(Stop):
            run_trade(
                database,
                voting,
                request("cut", speed="1x", resume=stop != 40),
                TradeOptions(on_step=seen, sleeper=NoWait()),
            )
    run_trade(database, voting, TradeRequest(account="cut", resume=True))

    def decisions(account: str) -> list[tuple[object, ...]]:
        rows = rows_of(database, account, AgentDecision)
        return sorted(
            (d.decision_ref, d.action, d.score, d.confidence, d.reasoning, timeless(d.votes))
            for d in rows
        )

    def orders(account: str) -> list[tuple[object, ...]]:
        rows = rows_of(database, account, Order)
        return [(o.decision_ref, o.side, o.status, o.quantity, o.filled_quantity) for o in rows]

    def fills(account: str) -> list[tuple[object, ...]]:
        rows = rows_of(database, account, Trade)
        return [
            (t.executed_at, t.symbol, t.quantity, t.price, t.reasoning,
             {**t.agent_signals, "votes": timeless(t.agent_signals["votes"])})
            for t in rows
        ]  # fmt: skip

    assert decisions("cut") == decisions("whole")
    assert len(decisions("whole")) == len({row[0] for row in decisions("whole")})
    assert orders("cut") == orders("whole")
    assert fills("cut") == fills("whole")
    assert fills("whole")


def test_a_resume_refuses_changed_orchestrator_settings(
    database: Database, settings: Settings
) -> None:
    run_trade(database, orchestrated(settings), request("tuned", end=date(2019, 3, 1)))
    changed = orchestrated(settings, buy_threshold=0.5)
    with pytest.raises(ValidationError, match="orchestrator settings"):
        run_trade(database, changed, TradeRequest(account="tuned", resume=True))
    with pytest.raises(ValidationError, match="orchestrator settings"):
        run_trade(database, settings, TradeRequest(account="tuned", resume=True))


def test_a_paper_session_warms_the_orchestrator_up_and_decides_as_a_replay(
    database: Database, settings: Settings
) -> None:
    """The paper warm-up feeds the orchestrator's indicator book: its live decisions are the
    replay's on the same bars (ids and times differ: a paper bar closes at its session's
    close, a stored one at midnight)."""
    voting = orchestrated(settings)
    store_bars(database, trend_then_swing)
    clock = TestClock(START)
    run_trade(database, voting, paper_request("paper"), paper_options(clock, trend_then_swing))
    run_trade(
        database,
        voting,
        TradeRequest(
            mode="replay", symbols=SYMBOLS, strategy="ma_crossover", params=PARAMS,
            account="replay", start=FIRST, end=LAST,
        ),
    )  # fmt: skip

    def decided(account: str) -> list[tuple[object, ...]]:
        rows = rows_of(database, account, AgentDecision)
        ordered = sorted(rows, key=lambda d: (d.bar_ts, d.symbol))
        return [(d.symbol, d.action, d.score, d.confidence, d.reasoning) for d in ordered]

    paper = decided("paper")
    assert paper
    assert all(row[4] and "warming up (1 of" not in row[4] for row in paper)
    assert paper == decided("replay")[-len(paper) :]
