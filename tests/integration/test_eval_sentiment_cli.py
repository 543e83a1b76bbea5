"""`trademind agents eval-sentiment` (issue 12, item 5): the bundled sample and user files
measured, printed and stored (SQLite and PostgreSQL); broken files, a model not wired yet and a
model that cannot read text refused with one line, its exit code, and nothing stored."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.cli_driver import Cli

from trademind.agents.sentiment.port import SentimentContext, SentimentResult
from trademind.config import load_config
from trademind.core.clock import TestClock
from trademind.db.models import SentimentEvaluation
from trademind.db.sentiment_evaluations import SentimentEvaluationRepository
from trademind.db.session import Database
from trademind.services import sentiment_eval

EVAL = ("agents", "eval-sentiment")


def _stored() -> int:
    database = Database(load_config(None).settings.database_url())
    try:
        database.ensure_schema()  # a command refused before it opened the database made none
        with database.session() as session:
            count = sa.select(sa.func.count()).select_from(SentimentEvaluation)
            return session.scalar(count) or 0
    finally:
        database.dispose()


def test_the_sample_is_measured_stored_and_printed_as_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    cli = Cli(capsys)
    report = cli.json(*EVAL, "--dataset", "sample")
    metrics = report["metrics"]
    assert report["model"] == "lexicon"
    assert report["id"] == 1
    assert metrics["count"] == 72
    assert metrics["majority_baseline"] == pytest.approx(1 / 3)
    assert metrics["covered_accuracy"] > metrics["majority_baseline"]
    assert sum(sum(row.values()) for row in metrics["confusion"].values()) == 72
    assert report["cost_usd"] == 0.0
    assert report["latency_p50_ms"] <= report["latency_p95_ms"]
    assert (
        sum(report["abstention_reasons"].values())
        == metrics["confusion"]["positive"]["abstained"]
        + metrics["confusion"]["negative"]["abstained"]
        + metrics["confusion"]["neutral"]["abstained"]
    )
    assert len(report["dataset_sha256"]) == 64
    assert _stored() == 1


def test_a_tsv_file_is_printed_as_tables(capsys: pytest.CaptureFixture[str]) -> None:
    Path("mine.tsv").write_text(
        "text\tlabel\nShares soared on record sales.\tPOSITIVE\n"
        "The stock plunged after a profit warning.\tnegative\n"
        "The meeting is on Tuesday.\tneutral\n",
        encoding="utf-8",
    )
    code, out, err = Cli(capsys)(*EVAL, "--dataset", "mine.tsv")
    assert code == 0, err
    assert "model lexicon on mine.tsv (3 texts)" in out
    assert "covered accuracy" in out
    assert "100.0%" in out  # both covered texts right
    assert "no sentiment words matched" in out  # the neutral one abstained
    assert _stored() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("text,label\nSales rose.,positive\nSales fell.,down\n", "line 3: unknown label 'down'"),
        ("headline,label\nSales rose.,positive\n", "line 1: missing column 'text'"),
        ("", "empty file"),
    ],
)
def test_a_broken_file_is_one_line_exit_1_and_nothing_stored(
    capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    Path("bad.csv").write_text(content, encoding="utf-8")
    err = Cli(capsys).fails(*EVAL, "--dataset", "bad.csv", code=1)
    assert err.startswith("error: bad.csv")
    assert message in err
    assert err.count("\n") == 1
    assert _stored() == 0


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--dataset", "absent.csv"), 2, "absent.csv: no such file"),
        (("--dataset", "sample", "--model", "fallback"), 2, "reads prices"),
        (("--dataset", "sample", "--model", "gpt"), 2, "unknown model 'gpt'"),
        (("--dataset", "sample", "--delimiter", "pipe"), 2, "csv or tsv"),
        (("--dataset", "sample", "--model", "llm"), 1, "needs an API key"),
    ],
)
def test_refusals_name_the_reason_with_the_cli_exit_codes(
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], code: int, message: str
) -> None:
    err = Cli(capsys).fails(*EVAL, *args, code=code)
    assert message in err
    assert _stored() == 0


class _ScriptedModel:
    """A hand-written model: a fixed answer per text, a cost per call."""

    name = "scripted"

    async def score(self, text: str, context: SentimentContext | None = None) -> SentimentResult:
        return SentimentResult(
            label="positive",
            score=0.5,
            confidence=0.75,
            key_factors=(),
            source="scripted",
            cost_usd=0.002,
        )


def test_the_service_stores_every_figure_in_both_databases(database: Database) -> None:
    at = datetime(2026, 12, 5, 14, 30, tzinfo=UTC)
    report = sentiment_eval.evaluate(
        database, TestClock(at), "sample", model_name="llm", models={"llm": _ScriptedModel()}
    )
    (stored,) = SentimentEvaluationRepository(database).recent()
    assert stored.id == report.id
    assert stored.model == "scripted"
    assert stored.evaluated_at == at
    assert stored.count == 72
    assert stored.coverage == 1.0
    assert stored.accuracy == pytest.approx(1 / 3)  # always "positive" on a balanced set
    assert stored.ece == pytest.approx(abs(1 / 3 - 0.75))  # one bin: accuracy vs 0.75
    assert stored.cost_usd == pytest.approx(72 * 0.002)
    assert stored.metrics["confusion"]["negative"]["positive"] == 24
    assert stored.metrics["recall"] == {"positive": 1.0, "negative": 0.0, "neutral": 0.0}


def test_the_llm_model_is_measured_against_the_fake_server_with_cost_and_latency(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from trademind.testing.fake_llm import FakeLlmServer, json_answer, prose, server_error

    Path("three.csv").write_text(
        "text,label\nShares soared on record sales.,positive\n"
        "The stock plunged after a profit warning.,negative\n"
        "The meeting is on Tuesday.,neutral\n",
        encoding="utf-8",
    )

    def answer(label: str, score: float) -> dict[str, object]:
        return {"sentiment": label, "score": score, "confidence": 0.9,
                "key_factors": ["a factor"], "reasoning": "step by step"}  # fmt: skip

    cli = Cli(capsys)
    with FakeLlmServer() as server:
        server.script(
            json_answer(answer("positive", 0.7), tokens_in=1000, tokens_out=100),
            prose("I cannot say.", tokens_in=1000, tokens_out=100),  # abstains, still costs
            server_error(), server_error(),  # no answer: LLM unavailable
        )  # fmt: skip
        monkeypatch.setenv("TRADEMIND__LLM__BASE_URL", server.base_url)
        monkeypatch.setenv("TRADEMIND__LLM__API_KEY", "sk-test-eval")
        monkeypatch.setenv("TRADEMIND__LLM__MAX_RETRIES", "1")
        monkeypatch.setenv("TRADEMIND__LLM__RETRY_INITIAL_WAIT", "0.01")
        report = cli.json(*EVAL, "--dataset", "three.csv", "--model", "llm")
        assert len(server.requests) == 4
    assert report["model"] == "llm"
    assert report["metrics"]["coverage"] == pytest.approx(1 / 3)
    assert report["metrics"]["covered_accuracy"] == 1.0
    per_call = (1000 * 0.6 + 100 * 2.2) / 1_000_000  # glm-4.7's default price
    assert report["cost_usd"] == pytest.approx(2 * per_call)
    assert 0 < report["latency_p50_ms"] <= report["latency_p95_ms"]
    assert report["abstention_reasons"] == {
        "unparseable answer: no label word": 1,
        "LLM unavailable: HTTP error": 1,
    }
    costs = cli.json("agents", "costs", "--days", "1")
    assert costs["calls"] == 3
    assert costs["outcomes"]["ok"] == 1
    assert costs["outcomes"]["parse_error"] == 1
    assert costs["outcomes"]["http_error"] == 1
    assert float(costs["cost_usd"]) == pytest.approx(2 * per_call)
