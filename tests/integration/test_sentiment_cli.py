"""`trademind agents sentiment SYMBOL [--history]` against the fake LLM server: the sentiment
now from imported news (test fixtures written here, not real headlines), stored in
`sentiment_history` with its cost in `llm_calls`; the history newest first; no news an
abstention; no key the labelled fallback (or its abstention); a bad symbol one line, exit 2."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from support.cli_driver import Cli

from trademind.testing.fake_llm import FakeLlmServer, json_answer

ANSWER = {
    "sentiment": "negative",
    "score": -0.5,
    "confidence": 0.7,
    "key_factors": ["product recall"],
    "reasoning": "1. A recall costs money. 2. Negative.",
}


def write_news(path: Path, hours_before: float = 2.0) -> None:
    """Test fixture news (made up for this test) about ACME, published ``hours_before`` now."""
    at = datetime.now(UTC) - timedelta(hours=hours_before)
    rows = [
        {"symbols": ["ACME"], "title": "Acme recalls its flagship widget (test fixture)",
         "url": "https://news.example.test/acme-recall", "source": "Test Wire",
         "published_at": at.isoformat()},
    ]  # fmt: skip
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


def test_the_sentiment_now_is_computed_stored_and_listed(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_news(Path("news.jsonl"))
    assert cli("news", "import", "news.jsonl")[0] == 0
    with FakeLlmServer() as server:
        server.script(*[json_answer(ANSWER, tokens_in=1000, tokens_out=100)] * 3)
        monkeypatch.setenv("TRADEMIND__LLM__BASE_URL", server.base_url)
        monkeypatch.setenv("TRADEMIND__LLM__API_KEY", "sk-test-cli")
        code, out, err = cli("agents", "sentiment", "acme")
        assert code == 0, err
        assert len(server.requests) == 3  # 1d, 1w, 1m
    assert "ACME at " in out
    assert "negative sentiment: score -0.50, confidence 0.70, source llm, 1 news item(s)" in out
    assert "1d: product recall" in out
    assert "cost $0.0025" in out  # 3 x (1000 x $0.6 + 100 x $2.2) / 1M
    listed = cli.json("agents", "sentiment", "ACME", "--history")
    (reading,) = listed["readings"]
    assert (reading["source"], reading["label"], reading["model"]) == ("llm", "negative", "llm")
    assert reading["cost_usd"] == pytest.approx(3 * 0.00082)
    costs = cli.json("agents", "costs", "--days", "1")
    assert costs["outcomes"]["ok"] == 3


def test_without_an_api_key_the_fallback_is_labelled_and_no_news_abstains(cli: Cli) -> None:
    write_news(Path("news.jsonl"))
    assert cli("news", "import", "news.jsonl")[0] == 0
    now = cli.json("agents", "sentiment", "ACME")
    # no stored bars: the technical fallback cannot answer either, and says so
    assert now["source"] == "fallback"
    assert "LLM not used: no API key" in now["abstention_reason"]
    nothing = cli.json("agents", "sentiment", "MSFT")
    assert nothing["label"] is None
    assert nothing["abstention_reason"].startswith("no news for MSFT in the 24 h before")
    code, out, _ = cli("agents", "sentiment", "MSFT", "--history", "--limit", "1")
    assert code == 0
    assert "Sentiment history of MSFT" in out
    assert "abstained" in out
    listed = cli.json("agents", "sentiment", "MSFT", "--history")["readings"]
    assert [r["abstention_reason"][:15] for r in listed] == ["no news for MSF"]


@pytest.mark.parametrize("args", [("agents", "sentiment", "not a symbol!"),
                                  ("agents", "sentiment", "$$$", "--history")])  # fmt: skip
def test_a_bad_symbol_is_one_line_exit_2(cli: Cli, args: tuple[str, ...]) -> None:
    err = cli.fails(*args, code=2)
    assert "not a symbol" in err
    assert err.count("\n") == 1
