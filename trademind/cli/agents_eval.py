"""`trademind agents eval-sentiment`: a sentiment model measured on a labelled CSV/TSV file.

Prints accuracy, macro-F1, coverage, covered accuracy, the majority baseline, ECE, per-class
recall, the confusion matrix, latency and cost (``--format json``: the whole report), after
storing them in ``sentiment_evaluations``. See docs/ai.md, "Evaluating sentiment".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from trademind.cli.context import get_state
from trademind.cli.output import print_json, print_message, print_table

if TYPE_CHECKING:
    from trademind.services.sentiment_eval import SentimentEvaluationReport

_DATASET_HELP = (
    "Labelled CSV or TSV file with the columns text,label (positive, negative, neutral); "
    "`sample` names the bundled 72-sentence set."
)
_MODEL_HELP = (
    "lexicon (offline finance-tuned VADER), llm (the configured language model: needs "
    "TRADEMIND__LLM__API_KEY; every call is in `agents costs`) or fallback (refused: it reads "
    "prices, not texts)."
)


def eval_sentiment(
    ctx: typer.Context,
    dataset: Annotated[str, typer.Option("--dataset", help=_DATASET_HELP)],
    model: Annotated[str, typer.Option("--model", help=_MODEL_HELP)] = "lexicon",
    delimiter: Annotated[
        str | None,
        typer.Option("--delimiter", help="csv or tsv; default: by extension (.tsv/.tab: tsv)."),
    ] = None,
) -> None:
    """Measure a sentiment model on a labelled file: accuracy, macro-F1, coverage, ECE, cost.

    The figures are stored (`sentiment_evaluations`) and printed. An abstention counts as wrong
    in accuracy and is left out of the covered accuracy and the ECE.
    """
    from trademind.core.errors import UsageError
    from trademind.services import sentiment_eval

    if delimiter not in (None, "csv", "tsv"):
        raise UsageError(f"--delimiter {delimiter!r}: csv or tsv")
    state = get_state(ctx)
    with state.open_database() as database:
        report = sentiment_eval.evaluate(
            database,
            state.parts.clock,
            dataset,
            model_name=model,
            delimiter="tsv" if delimiter == "tsv" else "csv" if delimiter == "csv" else None,
            llm=state.load_settings().llm if model == "llm" else None,
        )
    if state.json:
        print_json(report.as_dict())
    else:
        _print_report(report)


def register(app: typer.Typer) -> None:
    """Add `eval-sentiment` to the `agents` group ``app``."""
    app.command("eval-sentiment")(eval_sentiment)


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def _num(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _print_report(report: SentimentEvaluationReport) -> None:
    m = report.metrics
    print_message(
        f"Evaluation {report.id}: model {report.model} on {report.dataset} ({m.count} texts)"
    )
    headline = [
        ("accuracy (abstentions wrong)", _pct(m.accuracy)),
        ("macro-F1", _num(m.macro_f1)),
        ("coverage", _pct(m.coverage)),
        ("covered accuracy", _pct(m.covered_accuracy)),
        ("majority baseline", _pct(m.majority_baseline)),
        ("ECE (10 bins, covered)", _num(m.ece)),
        (
            "latency p50 / p95 (ms)",
            f"{_num(report.latency_p50_ms)} / {_num(report.latency_p95_ms)}",
        ),
        ("cost (USD)", f"{report.cost_usd:.4f}"),
    ]
    print_table("Figures", ("figure", "value"), headline)
    classes = [
        (label, _pct(m.recall[label]), _pct(m.precision[label]), _num(m.f1[label]))
        for label in m.recall
    ]
    print_table("Per class", ("label", "recall", "precision", "F1"), classes)
    predicted = list(next(iter(m.confusion.values())))
    rows = [(truth, *(cells[name] for name in predicted)) for truth, cells in m.confusion.items()]
    print_table("Confusion (rows: true label)", ("true", *predicted), rows)
    if report.abstention_reasons:
        reasons = sorted(report.abstention_reasons.items(), key=lambda item: -item[1])
        print_table("Abstentions", ("reason", "texts"), reasons)
