"""The page templates (the shipped ``templates`` directory), with the CSRF token and the
vendored asset names every page needs."""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from trademind.resources import resource_path
from trademind.web.access import csrf_token

ASSETS = {
    "htmx": "vendor/htmx-2.0.11.min.js",
    "htmx_sse": "vendor/htmx-ext-sse-2.2.4.js",
    "plotly": "vendor/plotly-4.1.1.min.js",
    "dashboard": "js/dashboard.js",
}
"""The vendored files (static/vendor/README.md) and the dashboard's own script."""


@cache
def templates() -> Jinja2Templates:
    return Jinja2Templates(directory=resource_path("templates"))


def render(request: Request, name: str, *, status: int = 200, **values: Any) -> HTMLResponse:
    context = {"csrf_token": csrf_token(request), "assets": ASSETS, **values}
    return templates().TemplateResponse(request, name, context, status_code=status)
