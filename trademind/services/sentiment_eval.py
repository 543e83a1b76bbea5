"""`trademind agents eval-sentiment`: a sentiment model measured on a labelled file, stored.

Steps: the file is read and checked whole (:mod:`.sentiment_dataset`: a bad file stops
everything, nothing is stored); the model answers every text in file order, one at a time, each
answer timed with a monotonic timer (latency in milliseconds) and its ``cost_usd`` added up; the
figures are computed (:mod:`.sentiment_metrics`) and stored in ``sentiment_evaluations`` with
the SHA-256 of the file's bytes. See docs/ai.md, "Evaluating sentiment".

Models: ``lexicon`` (offline, finance-tuned VADER); ``llm`` (the configured language model,
:class:`~trademind.agents.sentiment.llm_model.LlmSentimentModel`: one call per text, each
recorded in ``llm_calls`` with its cost; without ``llm.api_key`` a one-line error, exit 1, and
nothing stored; a text the model gives no answer for, e.g. with the breaker open or over the
daily budget, is an abstention "LLM unavailable: <reason>"). ``fallback`` (the technical
fallback: momentum, RSI, MACD) reads prices, not text: refused as a usage error (exit 2).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from trademind.agents.sentiment.lexicon import LexiconSentimentModel
from trademind.agents.sentiment.port import SentimentModel, SentimentResult
from trademind.core.errors import ConfigError, UsageError
from trademind.db.sentiment_evaluations import EvaluationRecord, SentimentEvaluationRepository
from trademind.services.sentiment_dataset import (
    Delimiter,
    LabelledText,
    load_dataset,
    resolve_dataset,
)
from trademind.services.sentiment_metrics import (
    ClassificationMetrics,
    Prediction,
    classification_metrics,
    percentile,
)

if TYPE_CHECKING:
    from trademind.config.sections_ai import LlmSettings
    from trademind.core.clock import Clock
    from trademind.db.session import Database

type ModelName = Literal["lexicon", "llm", "fallback"]
MODEL_NAMES: tuple[ModelName, ...] = ("lexicon", "llm", "fallback")


@dataclass(frozen=True, slots=True, kw_only=True)
class SentimentEvaluationReport:
    """What one evaluation measured (``id``: its ``sentiment_evaluations`` row)."""

    id: int
    evaluated_at: datetime
    model: str
    dataset: str
    dataset_sha256: str
    metrics: ClassificationMetrics
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    cost_usd: float
    abstention_reasons: dict[str, int]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def build_model(name: str, models: Mapping[str, SentimentModel] | None = None) -> SentimentModel:
    """The model ``--model`` names; ``models`` adds or replaces models. ``llm`` needs a client
    and an event loop: :func:`evaluate` builds it (here it is only named)."""
    if models is not None and name in models:
        return models[name]
    if name == "lexicon":
        return LexiconSentimentModel()
    if name == "llm":
        raise UsageError("--model llm: the language model is built by evaluate()")
    if name == "fallback":
        raise UsageError(
            "--model fallback: the technical fallback reads prices (momentum, RSI, MACD), not "
            "texts, so it cannot score a labelled text file; use lexicon or llm"
        )
    raise UsageError(f"unknown model {name!r} (lexicon, llm or fallback)")


def evaluate(
    database: Database,
    clock: Clock,
    dataset: str,
    *,
    model_name: str = "lexicon",
    delimiter: Delimiter | None = None,
    models: Mapping[str, SentimentModel] | None = None,
    llm: LlmSettings | None = None,
) -> SentimentEvaluationReport:
    """Measure the model ``model_name`` on the labelled file ``dataset`` and store the figures;
    ``llm``: the language model's settings (``--model llm``)."""
    own_llm = model_name == "llm" and (models is None or "llm" not in models)
    model = None if own_llm else build_model(model_name, models)
    if own_llm:
        _check_llm(llm)
    path = resolve_dataset(dataset)
    rows = load_dataset(path, delimiter)
    if model is None:
        assert llm is not None  # checked above
        outcome = asyncio.run(_answer_with_llm(database, clock, llm, rows))
        name = "llm"
    else:
        outcome = asyncio.run(_answer_all(model, rows))
        name = model.name
    report = _report(clock.now(), name, dataset, _sha256(path), outcome)
    record_id = SentimentEvaluationRepository(database).add(_record(report))
    return _with_id(report, record_id)


@dataclass(frozen=True, slots=True)
class _Outcome:
    predictions: list[Prediction]
    latencies_ms: list[float]
    cost_usd: float
    abstention_reasons: dict[str, int]


def _check_llm(llm: LlmSettings | None) -> None:
    if llm is None:
        raise UsageError("--model llm needs the llm settings")
    key = llm.api_key.get_secret_value() if llm.api_key is not None else ""
    if not key:
        raise ConfigError(
            "--model llm needs an API key: set TRADEMIND__LLM__API_KEY",
            problems=[("llm.api_key", "required to evaluate the llm model")],
        )


async def _answer_with_llm(
    database: Database, clock: Clock, llm: LlmSettings, rows: Sequence[LabelledText]
) -> _Outcome:
    """Every text through one client, every call recorded in ``llm_calls``."""
    from trademind.agents.llm.client import LlmClient
    from trademind.agents.sentiment.llm_model import LlmSentimentModel
    from trademind.db.llm_calls import LlmCallRepository

    async with LlmClient(llm, LlmCallRepository(database), clock) as client:
        return await _answer_all(LlmSentimentModel(client), rows)


async def _answer_all(model: SentimentModel, rows: Sequence[LabelledText]) -> _Outcome:
    predictions, latencies, reasons, cost = [], [], Counter[str](), 0.0
    for row in rows:
        started = time.perf_counter()
        answer = await model.score(row.text)
        latencies.append((time.perf_counter() - started) * 1000)
        cost += answer.cost_usd
        if isinstance(answer, SentimentResult):
            predictions.append(Prediction(row.label, answer.label, answer.confidence))
        else:
            predictions.append(Prediction(row.label, None))
            reasons[_reason_kind(answer.reason)] += 1
    return _Outcome(predictions, latencies, cost, dict(reasons))


def _reason_kind(reason: str) -> str:
    """The reason without its figures ("too balanced (dominance 0.12 < 0.25)" -> its words)."""
    return reason.split(" (", 1)[0]


def _report(
    at: datetime, model: str, dataset: str, sha256: str, outcome: _Outcome
) -> SentimentEvaluationReport:
    return SentimentEvaluationReport(
        id=0,
        evaluated_at=at,
        model=model,
        dataset=dataset,
        dataset_sha256=sha256,
        metrics=classification_metrics(outcome.predictions),
        latency_p50_ms=percentile(outcome.latencies_ms, 50),
        latency_p95_ms=percentile(outcome.latencies_ms, 95),
        cost_usd=outcome.cost_usd,
        abstention_reasons=outcome.abstention_reasons,
    )


def _record(report: SentimentEvaluationReport) -> EvaluationRecord:
    metrics = report.metrics
    return EvaluationRecord(
        evaluated_at=report.evaluated_at,
        model=report.model,
        dataset=report.dataset,
        dataset_sha256=report.dataset_sha256,
        count=metrics.count,
        accuracy=metrics.accuracy,
        coverage=metrics.coverage,
        covered_accuracy=metrics.covered_accuracy,
        macro_f1=metrics.macro_f1,
        ece=metrics.ece,
        latency_p50_ms=report.latency_p50_ms,
        latency_p95_ms=report.latency_p95_ms,
        cost_usd=report.cost_usd,
        metrics={**asdict(metrics), "abstention_reasons": report.abstention_reasons},
    )


def _with_id(report: SentimentEvaluationReport, record_id: int) -> SentimentEvaluationReport:
    fields = {name: getattr(report, name) for name in report.__dataclass_fields__}
    return SentimentEvaluationReport(**{**fields, "id": record_id})


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
