"""The evaluation metrics of `agents eval-sentiment` on small cases computed by hand."""

from __future__ import annotations

import pytest

from trademind.services.sentiment_metrics import (
    Prediction,
    classification_metrics,
    confusion_matrix,
    expected_calibration_error,
    percentile,
)

# truth, prediction (None: abstained), confidence
CASE = [
    Prediction("positive", "positive", 0.95),
    Prediction("positive", "negative", 0.55),
    Prediction("negative", "negative", 0.85),
    Prediction("negative", None),
    Prediction("neutral", "positive", 0.15),
    Prediction("neutral", None),
]


def test_accuracy_counts_an_abstention_as_wrong_and_coverage_leaves_it_out() -> None:
    metrics = classification_metrics(CASE)
    assert metrics.count == 6
    assert metrics.accuracy == pytest.approx(2 / 6)
    assert metrics.coverage == pytest.approx(4 / 6)
    assert metrics.covered_accuracy == pytest.approx(2 / 4)
    assert metrics.majority_baseline == pytest.approx(2 / 6)


def test_per_class_recall_precision_and_macro_f1() -> None:
    metrics = classification_metrics(CASE)
    assert metrics.recall == pytest.approx({"positive": 0.5, "negative": 0.5, "neutral": 0.0})
    assert metrics.precision == pytest.approx({"positive": 0.5, "negative": 0.5, "neutral": 0.0})
    assert metrics.f1 == pytest.approx({"positive": 0.5, "negative": 0.5, "neutral": 0.0})
    assert metrics.macro_f1 == pytest.approx(1 / 3)


def test_f1_of_a_class_with_unequal_precision_and_recall() -> None:
    # positive: predicted 3 times, 2 right (P = 2/3); 4 positives, 2 found (R = 1/2)
    predictions = [
        Prediction("positive", "positive", 0.9),
        Prediction("positive", "positive", 0.9),
        Prediction("positive", None),
        Prediction("positive", "negative", 0.9),
        Prediction("negative", "positive", 0.9),
    ]
    metrics = classification_metrics(predictions)
    assert metrics.f1["positive"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert metrics.majority_baseline == pytest.approx(4 / 5)


def test_confusion_matrix_has_every_cell_and_an_abstained_column() -> None:
    assert confusion_matrix(CASE) == {
        "positive": {"positive": 1, "negative": 1, "neutral": 0, "abstained": 0},
        "negative": {"positive": 0, "negative": 1, "neutral": 0, "abstained": 1},
        "neutral": {"positive": 1, "negative": 0, "neutral": 0, "abstained": 1},
    }


def test_ece_over_singleton_bins_is_the_mean_gap() -> None:
    # bins 9, 5, 8, 1 hold one prediction each: (0.05 + 0.55 + 0.15 + 0.15) / 4
    covered = [p for p in CASE if p.label is not None]
    assert expected_calibration_error(covered) == pytest.approx(0.9 / 4)
    assert classification_metrics(CASE).ece == pytest.approx(0.9 / 4)


def test_ece_compares_a_bins_accuracy_with_its_mean_confidence() -> None:
    # both in [0.8, 0.9): accuracy 0.5, mean confidence 0.85
    shared = [Prediction("positive", "positive", 0.82), Prediction("negative", "positive", 0.88)]
    assert expected_calibration_error(shared) == pytest.approx(0.35)
    # a confidence of exactly 1 falls in the last bin: a right answer there is perfectly calibrated
    assert expected_calibration_error([Prediction("neutral", "neutral", 1.0)]) == 0.0


def test_all_abstained_has_no_covered_accuracy_and_no_ece() -> None:
    metrics = classification_metrics([Prediction("positive", None), Prediction("neutral", None)])
    assert metrics.coverage == 0.0
    assert metrics.covered_accuracy is None
    assert metrics.ece is None
    assert metrics.macro_f1 == 0.0


def test_no_predictions_is_refused() -> None:
    with pytest.raises(ValueError, match="no predictions"):
        classification_metrics([])


def test_nearest_rank_percentiles() -> None:
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 95) == 5.0
    assert percentile([float(v) for v in range(1, 21)], 95) == 19.0
    assert percentile([], 50) is None
