"""A backtest run as a file: CSV of its trades, JSON of everything, the HTML report.

The export formats live here, not in the CLI, so that ``backtest export``, ``backtest run
--report`` and the dashboard produce the same bytes.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final, Literal

from trademind.services import backtest_report, files
from trademind.services.backtest_records import run_view
from trademind.services.backtest_service import Publish, get_run
from trademind.services.json_ready import to_json

if TYPE_CHECKING:
    from pathlib import Path

    from trademind.config import Settings
    from trademind.db.backtest_runs import RunRecord
    from trademind.db.session import Database
    from trademind.services.backtest_data import PreparedData

ExportFormat = Literal["csv", "json", "html"]
EXPORT_FORMATS: Final = ("csv", "json", "html")


def run_json(record: RunRecord) -> str:
    """The whole run with its equity curve as indented JSON (ending in a newline)."""
    return json.dumps(to_json(run_view(record, curve=True)), indent=2, default=str) + "\n"


def export_run(
    database: Database, settings: Settings, run_id: int, output_format: ExportFormat
) -> str:
    """Stored run ``run_id`` as ``csv`` (its trades), ``json`` (everything) or ``html`` (the
    report, with the stored bars when they are still there)."""
    record = get_run(database, run_id)
    if output_format == "html":
        return backtest_report.stored_report_html(database, settings, record)
    if output_format == "csv":
        return backtest_report.trades_csv(record)
    return run_json(record)


def report_writer(report: Path, settings: Settings) -> Publish:
    """A ``publish`` step for :func:`~trademind.services.backtest_service.run` that writes the
    run's HTML report to ``report`` before the run is committed: a report that cannot be
    written leaves no run stored."""

    def publish(record: RunRecord, data: PreparedData) -> None:
        html = backtest_report.report_html(
            record, data.bars, monte_carlo_runs=settings.backtest.monte_carlo_runs
        )
        files.write_text(report, html)

    return publish
