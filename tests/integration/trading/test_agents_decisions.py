"""`trademind agents decisions` (issue 12 item 10): the latest logged decisions of an account,
newest first, each explained by its votes; a replay through ``run_trade`` logs them."""

from __future__ import annotations

from datetime import date, datetime

import pytest
import sqlalchemy as sa
from support.cli_driver import Cli

from trademind.config import Settings
from trademind.db.models import Account, AgentDecision
from trademind.db.session import Database
from trademind.services.trade import TradeRequest, run_trade

STRATEGY = "ma_crossover"
ACCOUNT = "told"


@pytest.fixture
def replayed(database: Database, settings: Settings) -> list[AgentDecision]:
    """A short replay's decisions (AAPL and MSFT, 2019), as the log stores them."""
    request = TradeRequest(
        mode="replay",
        symbols=("AAPL", "MSFT"),
        strategy=STRATEGY,
        account=ACCOUNT,
        start=date(2019, 1, 1),
        end=date(2019, 12, 31),
    )
    run_trade(database, settings, request)
    with database.session() as session:
        owner = session.scalars(sa.select(Account.id).where(Account.name == ACCOUNT)).one()
        query = sa.select(AgentDecision).where(AgentDecision.account_id == owner)
        return list(session.scalars(query))


def test_json_lists_every_decision_newest_first_with_its_votes(
    replayed: list[AgentDecision], capsys: pytest.CaptureFixture[str]
) -> None:
    assert 0 < len(replayed) <= 1000
    listed = Cli(capsys).json("agents", "decisions", "--account", ACCOUNT, "--limit", "1000")
    assert listed["account"] == ACCOUNT
    decisions = listed["decisions"]
    assert {d["decision_id"] for d in decisions} == {row.decision_ref for row in replayed}
    times = [datetime.fromisoformat(d["decided_at"]) for d in decisions]
    assert times == sorted(times, reverse=True)
    stored = {row.decision_ref: row for row in replayed}
    for decision in decisions:
        row = stored[decision["decision_id"]]
        assert (decision["symbol"], decision["action"]) == (row.symbol, row.action)
        assert (decision["explanation"], decision["vetoed"]) == (row.reasoning, row.vetoed)
        [vote] = decision["votes"]
        assert vote["agent"] == f"strategy:{STRATEGY}"
        assert (vote["source"], vote["weight"], vote["kind"]) == ("rules", 1.0, "vote")
        assert vote["direction"] == row.action
        assert vote["key_factors"] == row.votes[0]["key_factors"]
        assert vote["reasoning"] == row.reasoning


def test_symbol_action_and_limit_narrow_the_list(
    replayed: list[AgentDecision], capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(capsys)
    sells = [row for row in replayed if row.symbol == "MSFT" and row.action == "sell"]
    assert sells
    listed = cli.json("agents", "decisions", "--symbol", "msft", "--action", "SELL",
                      "--limit", "1000")["decisions"]  # fmt: skip
    assert sorted(d["decision_id"] for d in listed) == sorted(r.decision_ref for r in sells)
    latest = max(replayed, key=lambda row: (row.decided_at, row.id))
    [first] = cli.json("agents", "decisions", "--limit", "1")["decisions"]
    assert first["decision_id"] == latest.decision_ref


def test_text_shows_the_votes_only_for_a_few_decisions_of_one_symbol(
    replayed: list[AgentDecision], capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(capsys)
    code, out, _ = cli("agents", "decisions", "--symbol", "AAPL", "--limit", "2")
    assert code == 0
    assert f"Decisions AAPL of {ACCOUNT}" in out
    assert out.count("Votes of") == 2
    assert f"strategy:{STRATEGY}" in out
    code, out, _ = cli("agents", "decisions", "--limit", "2")
    assert code == 0
    assert "Votes of" not in out
    assert "MSFT" in out or "AAPL" in out


def test_bad_input_is_a_one_line_error(
    replayed: list[AgentDecision], capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(capsys)
    err = cli.fails("agents", "decisions", "--account", "nope")
    assert "no account named 'nope'" in err
    assert ACCOUNT in err
    err = cli.fails("agents", "decisions", "--action", "up", code=2)
    assert err.strip() == "error: --action 'up': buy, sell or hold"
    err = cli.fails("agents", "decisions", "--limit", "0", code=2)
    assert "is not in the range" in err
    err = cli.fails("agents", "decisions", "--limit", "1001", code=2)
    assert "is not in the range" in err


def test_no_account_yet_is_no_decisions(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    cli = Cli(capsys)
    code, out, err = cli("agents", "decisions", "--symbol", "AAPL")
    assert (code, out.strip(), err) == (0, "no decisions AAPL", "")
    assert cli.json("agents", "decisions")["decisions"] == []
    assert cli.fails("agents", "decisions", "--account", "ghost").startswith("error: no trading")
