"""A backtest's HTML report as an answer of the web app.

The report is one self-contained page with plotly.js and its drawing code inline, which the
app's policy (``script-src 'self'``) forbids. So it is served with a policy of its own
(:data:`REPORT_POLICY`): inline scripts run, but in a sandbox without ``allow-same-origin``,
so the page has an opaque origin: it cannot read the app's cookies, call the API as the user,
load anything from anywhere, or submit a form."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from fastapi.responses import HTMLResponse

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.db.backtest_runs import RunRecord
    from trademind.db.session import Database

REPORT_POLICY: Final = (
    "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; "
    "style-src 'unsafe-inline'; img-src data: blob:; font-src data:; connect-src 'none'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def report_response(database: Database, settings: Settings, record: RunRecord) -> HTMLResponse:
    """The stored run's report page with :data:`REPORT_POLICY`."""
    from trademind.services.backtest_report import stored_report_html

    html = stored_report_html(database, settings, record)
    return HTMLResponse(html, headers={"Content-Security-Policy": REPORT_POLICY})
