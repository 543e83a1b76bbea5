"""The chain from a fill back to the votes (issue 11): a replay logs every decision its loop
makes in ``agent_decisions`` (the strategy's signal its single vote), its orders carry the
decision's strategy and its fills the strategy, reasoning and ``agent_signals``; a resumed
session logs each decision once; ``trades show`` prints the fill, its order, the decision and
its votes (and its JSON holds them)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from support.cli_driver import Cli

from trademind.config import Settings
from trademind.db.models import Account, AgentDecision, Order, Trade
from trademind.db.session import Database
from trademind.services.trade import StepView, TradeOptions, TradeRequest, run_trade

STRATEGY = "ma_crossover"


class Stop(Exception):
    """Stands for the process dying after a bar close."""


class NoWait:
    async def sleep(self, seconds: float) -> None:
        return None


def request(account: str, **changes: object) -> TradeRequest:
    given: dict[str, object] = {
        "mode": "replay",
        "symbols": ("AAPL", "MSFT"),
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


def test_every_fill_carries_its_decision_and_vote(database: Database, settings: Settings) -> None:
    summary = run_trade(database, settings, request("chain"))
    assert summary.fills
    decisions = {d.decision_ref: d for d in rows_of(database, "chain", AgentDecision)}
    orders = {o.client_order_id: o for o in rows_of(database, "chain", Order)}
    trades = rows_of(database, "chain", Trade)
    assert len(trades) == len(summary.fills)
    for order in orders.values():
        if order.decision_ref is not None:  # a stop or exit order of the venue names none
            assert order.decision_ref in decisions
            assert order.strategy == STRATEGY
    decided = [t for t in trades if orders[t.client_order_id].decision_ref is not None]
    assert decided
    for trade in decided:
        decision = decisions[orders[trade.client_order_id].decision_ref]
        assert (decision.agent, decision.strategy) == ("strategy", STRATEGY)
        assert decision.action == trade.side  # entries buy, exits sell
        assert trade.strategy == STRATEGY
        assert trade.reasoning == decision.reasoning != ""
        signals = trade.agent_signals
        assert signals["decision"] == decision.decision_ref
        assert (signals["action"], signals["confidence"]) == (decision.action, decision.confidence)
        [vote] = signals["votes"]
        assert vote["agent"] == f"strategy:{STRATEGY}"
        assert vote["direction"] == decision.action
        assert vote["score"] == (1.0 if decision.action == "buy" else -1.0)
        assert (vote["weight"], vote["source"]) == (1.0, "rules")
        assert vote["reasoning"] == decision.reasoning


def test_a_resumed_session_logs_each_decision_once(database: Database, settings: Settings) -> None:
    run_trade(database, settings, request("whole"))
    stop = 150

    def seen(view: StepView) -> None:
        if view.step == stop:
            raise Stop(stop)

    with pytest.raises(Stop):
        run_trade(
            database,
            settings,
            request("cut", speed="1x"),
            TradeOptions(on_step=seen, sleeper=NoWait()),
        )
    assert rows_of(database, "cut", AgentDecision)  # some were logged before the stop
    run_trade(database, settings, TradeRequest(account="cut", resume=True))

    def logged(account: str) -> list[tuple[object, ...]]:
        return [
            (d.decision_ref, d.action, d.symbol, d.votes)
            for d in rows_of(database, account, AgentDecision)
        ]

    assert sorted(logged("cut"), key=str) == sorted(logged("whole"), key=str)
    assert len(logged("cut")) == len({row[0] for row in logged("cut")})
    cut_fills = [
        (t.strategy, t.reasoning, t.agent_signals) for t in rows_of(database, "cut", Trade)
    ]
    whole_fills = [
        (t.strategy, t.reasoning, t.agent_signals) for t in rows_of(database, "whole", Trade)
    ]
    assert cut_fills == whole_fills


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "postgresql":
        monkeypatch.setenv(
            "TRADEMIND__DATABASE__URL", request.getfixturevalue("postgres_schema_url")
        )
    return str(request.param)


def test_trades_show_prints_the_chain_from_fill_to_votes(
    capsys: pytest.CaptureFixture[str], backend: str
) -> None:
    cli = Cli(capsys)
    cli.json("trade", "--symbols", "AAPL,MSFT", "--strategy", STRATEGY, "--start", "2019-01-01",
             "--end", "2019-12-31", "--account", "shown", "--speed", "max")  # fmt: skip
    listed = cli.json("trades", "list", "--account", "shown")["trades"]
    first = listed[-1]["id"]
    shown = cli.json("trades", "show", str(first), "--account", "shown")
    decision = shown["decision"]
    assert decision["decision_id"] == shown["decision_id"]
    assert (decision["agent"], decision["strategy"]) == ("strategy", STRATEGY)
    assert decision["explanation"] == shown["reasoning"]
    [vote] = decision["votes"]
    assert vote["agent"] == f"strategy:{STRATEGY}"
    assert vote["direction"] == decision["action"]
    code, out, err = cli("trades", "show", str(first), "--account", "shown")
    assert code == 0, err
    for text in (f"Decision {decision['decision_id']}", "Votes (1)", f"strategy:{STRATEGY}",
                 "explanation", decision["explanation"][:20]):  # fmt: skip
        assert text in out, out
