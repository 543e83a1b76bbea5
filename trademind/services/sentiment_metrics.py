"""Pure metrics of a sentiment evaluation (no I/O): see docs/ai.md, "Evaluating sentiment".

A prediction is a label (``positive``/``negative``/``neutral``) with the model's confidence, or
``None`` for an abstention. With ``n`` texts, ``k`` of them covered (not abstained):

* ``accuracy`` = correct / n: an abstention counts as wrong, so abstaining is not free;
* ``coverage`` = k / n; ``covered_accuracy`` = correct / k (None when k = 0);
* ``recall[c]`` = correct among texts labelled c / texts labelled c (abstentions count as
  misses); ``precision[c]`` = correct among predictions of c / predictions of c (0 when there
  are none); ``f1[c]`` = 2PR / (P + R) (0 when P + R = 0); ``macro_f1`` = mean of ``f1`` over
  the three labels;
* ``confusion[true][predicted]`` counts, with a fourth column ``abstained``;
* ``ece``, the expected calibration error over the covered predictions: 10 equal-width bins of
  confidence ([0, 0.1), [0.1, 0.2), …, [0.9, 1.0], a confidence of 1 in the last bin);
  ``ece = Σ_b (|b| / k) * |accuracy(b) - mean confidence(b)|`` over non-empty bins (None when
  k = 0);
* ``majority_baseline`` = share of the most frequent true label (what always answering it
  scores);
* latency p50/p95: the nearest-rank percentile of the per-text latencies
  (the value at rank ``ceil(p/100 * n)`` of the sorted latencies).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from trademind.agents.sentiment.port import LABELS, SentimentLabel

ABSTAINED = "abstained"
ECE_BINS = 10


@dataclass(frozen=True, slots=True)
class Prediction:
    """The model's answer on one text: ``label`` None for an abstention."""

    truth: SentimentLabel
    label: SentimentLabel | None
    confidence: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassificationMetrics:
    count: int
    accuracy: float
    coverage: float
    covered_accuracy: float | None
    macro_f1: float
    recall: dict[str, float]
    precision: dict[str, float]
    f1: dict[str, float]
    confusion: dict[str, dict[str, int]]
    ece: float | None
    majority_baseline: float


def classification_metrics(predictions: Sequence[Prediction]) -> ClassificationMetrics:
    """Every accuracy figure of ``predictions`` (at least one)."""
    if not predictions:
        raise ValueError("no predictions to measure")
    n = len(predictions)
    covered = [p for p in predictions if p.label is not None]
    correct = sum(1 for p in predictions if p.label == p.truth)
    precision: dict[str, float] = {c: _precision(predictions, c) for c in LABELS}
    recall: dict[str, float] = {c: _recall(predictions, c) for c in LABELS}
    f1: dict[str, float] = {c: _f1(precision[c], recall[c]) for c in LABELS}
    return ClassificationMetrics(
        count=n,
        accuracy=correct / n,
        coverage=len(covered) / n,
        covered_accuracy=correct / len(covered) if covered else None,
        macro_f1=sum(f1.values()) / len(LABELS),
        recall=recall,
        precision=precision,
        f1=f1,
        confusion=confusion_matrix(predictions),
        ece=expected_calibration_error(covered),
        majority_baseline=max(Counter(p.truth for p in predictions).values()) / n,
    )


def _precision(predictions: Sequence[Prediction], label: str) -> float:
    said = [p for p in predictions if p.label == label]
    return sum(1 for p in said if p.truth == label) / len(said) if said else 0.0


def _recall(predictions: Sequence[Prediction], label: str) -> float:
    truly = [p for p in predictions if p.truth == label]
    return sum(1 for p in truly if p.label == label) / len(truly) if truly else 0.0


def _f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total > 0 else 0.0


def confusion_matrix(predictions: Sequence[Prediction]) -> dict[str, dict[str, int]]:
    """``[true label][predicted label or "abstained"]`` -> count, every cell present."""
    matrix: dict[str, dict[str, int]] = {
        truth: dict.fromkeys((*LABELS, ABSTAINED), 0) for truth in LABELS
    }
    for p in predictions:
        matrix[p.truth][p.label if p.label is not None else ABSTAINED] += 1
    return matrix


def expected_calibration_error(covered: Sequence[Prediction]) -> float | None:
    """ECE over ``covered`` (predictions with a label and a confidence) in 10 equal bins."""
    if not covered:
        return None
    bins: list[list[Prediction]] = [[] for _ in range(ECE_BINS)]
    for p in covered:
        confidence = p.confidence if p.confidence is not None else 0.0
        bins[min(int(confidence * ECE_BINS), ECE_BINS - 1)].append(p)
    total = 0.0
    for members in bins:
        if members:
            hit_rate = sum(1 for p in members if p.label == p.truth) / len(members)
            mean_confidence = sum(p.confidence or 0.0 for p in members) / len(members)
            total += len(members) / len(covered) * abs(hit_rate - mean_confidence)
    return total


def percentile(values: Sequence[float], p: float) -> float | None:
    """The nearest-rank ``p``-th percentile (0 < p <= 100) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]
