"""A replay with the sentiment agent voting (issue 12, "Done means"): the bundled sample's AAPL,
the orchestrator on, the fake LLM server as ``llm.base_url`` with a key from the environment,
and news items written here (test fixtures, not real headlines) imported into the store. The
decisions carry the sentiment vote (source llm, key factors, cost), `agents decisions`
explains them, `agents costs` shows the cost per day, `agents sentiment --history` lists every
reading, and an item first seen after a bar close is not used at that close."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from support.cli_driver import Cli

from trademind.testing.fake_llm import FakeLlmServer, json_answer

ACCOUNT = "hybrid"
PER_CALL = (1000 * 0.6 + 100 * 2.2) / 1_000_000  # glm-4.7's default price, 1000 in / 100 out
ANSWER = {
    "sentiment": "positive",
    "score": 0.7,
    "confidence": 0.8,
    "key_factors": ["supplier deal"],
    "reasoning": "1. A large order. 2. Positive.",
}
NEWS = [  # (title, published, first seen): test fixtures made up for this test
    ("Acme-style supplier deal for AAPL (test fixture 1)", "2019-07-10T15:00:00Z", None),
    ("AAPL analyst day announced (test fixture 2)", "2019-07-17T14:00:00Z", None),
    # published before the 2019-07-24 close but first seen after it: never used there
    ("AAPL late-found memo (test fixture 3)", "2019-07-23T12:00:00Z", "2019-07-25T12:00:00Z"),
]


def write_news(path: Path) -> None:
    rows = []
    for index, (title, published, seen) in enumerate(NEWS):
        row = {"symbols": ["AAPL"], "title": title, "source": "Test Wire",
               "url": f"https://news.example.test/{index}", "published_at": published}  # fmt: skip
        if seen is not None:
            row["first_seen_at"] = seen
        rows.append(json.dumps(row))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def test_a_replay_with_the_sentiment_agent_explains_and_costs_its_votes(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    cli = Cli(capsys)
    write_news(Path("news.jsonl"))
    assert cli("news", "import", "news.jsonl")[0] == 0
    with FakeLlmServer() as server:
        server.script(*[json_answer(ANSWER, tokens_in=1000, tokens_out=100)] * 6)
        monkeypatch.setenv("TRADEMIND__ORCHESTRATOR__ENABLED", "true")
        monkeypatch.setenv("TRADEMIND__LLM__BASE_URL", server.base_url)
        monkeypatch.setenv("TRADEMIND__LLM__API_KEY", "sk-test-replay")
        summary = cli.json("trade", "--mode", "replay", "--strategy", "ma_crossover",
                           "--symbols", "AAPL", "--start", "2019-06-01", "--end", "2019-08-30",
                           "--account", ACCOUNT, "--speed", "max")  # fmt: skip
        # two decisions had news within 24 h (3 timeframes each); fixture 3 was never seen
        # in time: first seen 2019-07-25, when it is older than the look-back
        assert len(server.requests) == 6
        prompts = " ".join(str(r.body["messages"][-1]) for r in server.requests)
    assert "late-found memo" not in prompts
    assert summary["account"] == ACCOUNT

    listed = cli.json("agents", "decisions", "--account", ACCOUNT, "--symbol", "AAPL",
                      "--limit", "1000")["decisions"]  # fmt: skip
    sentiment = {
        d["decided_at"][:10]: v for d in listed for v in d["votes"] if v["agent"] == "sentiment"
    }
    voted = {day: v for day, v in sentiment.items() if v["kind"] == "vote"}
    assert sorted(voted) == ["2019-07-11", "2019-07-18"]  # the closes after the news
    for vote in voted.values():
        assert (vote["source"], vote["direction"], vote["weight"]) == ("llm", "buy", 0.2)
        assert (
            "1d: supplier deal" in vote["key_factors"] or "1w: supplier deal" in vote["key_factors"]
        )
        assert f"cost ${3 * PER_CALL:.4f}" in vote["reasoning"]
    others = [v for day, v in sentiment.items() if day not in voted]
    assert others
    assert all(v["kind"] == "abstention" and "no news for AAPL" in v["reasoning"]
               for v in others)  # fmt: skip
    code, out, err = cli("agents", "decisions", "--account", ACCOUNT, "--symbol", "AAPL",
                         "--limit", "5")  # fmt: skip
    assert code == 0, err
    assert "sentiment" in out

    costs = cli.json("agents", "costs", "--days", "1")
    today = datetime.now(UTC).date().isoformat()
    (row,) = costs["rows"]
    assert (row["day"], row["calls"]) == (today, 6)
    assert float(row["cost_usd"]) == pytest.approx(6 * PER_CALL)

    history = cli.json("agents", "sentiment", "AAPL", "--history", "--limit", "1000")
    readings = history["readings"]
    assert len(readings) == len(sentiment)  # one reading per decision
    assert {r["account"] for r in readings} == {ACCOUNT}
    assert sorted(r["decided_at"][:10] for r in readings if r["label"] is not None) == [
        "2019-07-11",
        "2019-07-18",
    ]
