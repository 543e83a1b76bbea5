"""The decision log round-trips every decision with its votes (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from trademind.core.clock import TestClock
from trademind.core.decisions import Abstention, Action, Decision, Vote
from trademind.core.market import TradingMode
from trademind.core.voting import VotingRules, tally
from trademind.db.session import Database
from trademind.orchestrator.decision_log import (
    DecisionLogStore,
    agent_signals,
    record_facts,
    signal_facts,
    write_records,
    write_signal_decisions,
)
from trademind.orchestrator.orchestrator import DecisionRecord, orchestrated_decision_id
from trademind.portfolio import decision_links
from trademind.portfolio.store import LedgerStore

CLOSE = datetime(2024, 3, 1, 21, tzinfo=UTC)
RULES = VotingRules(
    weights={"technical": 1.0, "strategy:ma_crossover": 0.5},
    quorum=0.5,
    buy_threshold=0.2,
    sell_threshold=0.25,
)


def record(symbol: str, *, vetoed: bool = False) -> DecisionRecord:
    votes = (
        Vote(
            agent="technical", symbol=symbol, direction=Action.BUY, score=0.4, confidence=0.6,
            data_time=CLOSE, source="rules", reasoning="4 of 4 indicators give +0.40",
            key_factors=("RSI 28.0 (+1.00)",), latency=timedelta(milliseconds=3),
        ),
        Abstention(
            agent="strategy:ma_crossover", symbol=symbol, reason="warming up (3 of 50 bars)",
            source="rules", data_time=CLOSE,
        ),
    )  # fmt: skip
    outcome = tally(votes, RULES)
    decision = Decision(
        decision_id=orchestrated_decision_id("b", symbol, CLOSE),
        symbol=symbol,
        action=outcome.action,
        confidence=outcome.confidence,
        decided_at=CLOSE,
        data_time=CLOSE,
        mode=TradingMode.REPLAY,
        reasoning=outcome.explanation,
        variant="b",
        votes=votes,
        vetoed=vetoed,
        veto_reason="daily loss limit" if vetoed else None,
    )
    return DecisionRecord(decision=decision, tally=outcome, rules=RULES)


def account(database: Database, name: str = "replay") -> int:
    ledger = LedgerStore(database, TestClock(start=CLOSE))
    info = ledger.open_account(
        name, mode=TradingMode.REPLAY, broker="paper", starting_cash=Decimal(1000)
    )
    return info.id


def test_decisions_round_trip_with_every_vote(database: Database) -> None:
    log = DecisionLogStore(database, account(database))
    buy, vetoed = record("AAPL"), record("MSFT", vetoed=True)
    log.record([buy, vetoed])
    stored = log.load(buy.decision.decision_id)
    assert stored is not None
    assert stored.decision == buy.decision
    # s = 1 * 0.6 * 0.4 / 1 = 0.24 with 1 of 1.5 of the weight voting
    assert stored.score == pytest.approx(0.24)
    assert stored.participation == pytest.approx(1 / 1.5)
    assert (stored.buy_threshold, stored.sell_threshold, stored.quorum) == (0.2, 0.25, 0.5)
    assert stored.weights == {"technical": 1.0, "strategy:ma_crossover": 0.5}
    again = log.load(vetoed.decision.decision_id)
    assert again is not None
    assert (again.decision.vetoed, again.decision.veto_reason) == (True, "daily loss limit")
    assert [s.decision.symbol for s in log.recent()] == ["MSFT", "AAPL"]
    assert [s.decision.symbol for s in log.recent("AAPL")] == ["AAPL"]


def test_a_decision_logged_twice_is_one_row_and_accounts_are_apart(database: Database) -> None:
    first, second = account(database, "one"), account(database, "two")
    DecisionLogStore(database, first).record([record("AAPL")])
    DecisionLogStore(database, first).record([record("AAPL")])  # a resumed run
    DecisionLogStore(database, second).record([record("AAPL")])
    assert len(DecisionLogStore(database, first).recent()) == 1
    assert len(DecisionLogStore(database, second).recent()) == 1
    assert DecisionLogStore(database, second).load("nope") is None


def test_agent_signals_carry_the_votes_and_weights() -> None:
    document = agent_signals(record("AAPL"))
    assert document["decision"].startswith("AAPL-20240301T210000-v-")
    assert document["score"] == pytest.approx(0.24)
    assert [(v["agent"], v["kind"], v["weight"]) for v in document["votes"]] == [
        ("technical", "vote", 1.0),
        ("strategy:ma_crossover", "abstention", 0.5),
    ]
    assert document["votes"][0]["latency_seconds"] == 0.003


def test_the_facts_kept_in_memory_are_those_read_back_from_the_log(database: Database) -> None:
    """What an order's fills record of its decision, from memory (``record_facts``,
    ``signal_facts``) and read back from the stored row, is the same (SQLite and PostgreSQL);
    a write names the decisions that may place an order it inserted."""
    owner = account(database)
    voted = record("AAPL")
    plain = Decision(
        decision_id="AAPL-20240301T210000-0-s", symbol="AAPL", action=Action.SELL,
        confidence=0.75, decided_at=CLOSE, data_time=CLOSE, mode=TradingMode.REPLAY,
        reasoning="SMA(10) crossed below SMA(30)", agent="strategy", strategy="ma_crossover",
    )  # fmt: skip
    refs = [voted.decision.decision_id, plain.decision_id]
    assert voted.decision.action is Action.BUY
    assert database.run(lambda c: write_records(c, owner, [voted])) == {refs[0]}
    assert database.run(lambda c: write_signal_decisions(c, owner, [plain])) == {refs[1]}
    again = [voted, record("MSFT"), record("TSLA", vetoed=True)]
    assert database.run(lambda c: write_records(c, owner, again)) == {
        again[1].decision.decision_id  # AAPL's was stored already; a vetoed one places nothing
    }
    assert len(DecisionLogStore(database, owner).recent()) == 4
    read = database.run(lambda c: decision_links.decision_facts(c, owner, refs))
    assert read == {refs[0]: record_facts(voted), refs[1]: signal_facts(plain)}
