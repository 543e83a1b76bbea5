"""The FastAPI app: :func:`create_app` from a :class:`~trademind.web.context.WebContext`.

Layers, outermost first: :class:`~trademind.web.middleware.EdgeMiddleware` (security headers,
CSRF cookie, body limit), the access check on every route
(:func:`~trademind.web.access.enforce_access`), the routers (``/health``, ``/api/v1/...``, the
pages), the error handlers (:mod:`trademind.web.errors`). ``/static`` serves the shipped
static files (the vendored htmx, its SSE extension and plotly.js among them); OpenAPI is at
``/api/v1/openapi.json``. No Swagger UI page: FastAPI's loads its scripts from a CDN, which the
CSP forbids and an offline machine cannot reach.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from trademind import __version__
from trademind.resources import resource_path
from trademind.web.access import enforce_access
from trademind.web.api import (
    agents,
    backtests,
    config,
    data,
    data_jobs,
    health,
    jobs,
    portfolio,
    safety,
    strategies,
    trades,
)
from trademind.web.api import stream as stream_api
from trademind.web.api.models import ERROR_RESPONSES
from trademind.web.context import WebContext
from trademind.web.errors import install_error_handlers
from trademind.web.middleware import EdgeMiddleware
from trademind.web.pages import backtests as backtest_pages
from trademind.web.pages import ledger, login, overview, system
from trademind.web.pages import safety as safety_pages
from trademind.web.pages import strategies as strategy_pages
from trademind.web.stream import Broadcaster
from trademind.web.token_gate import TokenGate

API_PREFIX = "/api/v1"


def create_app(context: WebContext) -> FastAPI:
    """The app over ``context`` (module docstring). With a bus in the context, its events are
    streamed at ``/api/v1/stream``."""
    app = FastAPI(
        title="TradeMind",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
        dependencies=[Depends(enforce_access)],
    )
    app.state.context = context
    if context.bus is not None:
        broadcaster = Broadcaster()
        broadcaster.attach(context.bus)
        app.state.broadcaster = broadcaster
    api = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES)
    routers = (portfolio, trades, strategies, safety, agents, data, data_jobs, config, stream_api)
    for module in (*routers, backtests, jobs):
        api.include_router(module.router)
    app.include_router(health.router)
    app.include_router(api)
    app.include_router(login.router)
    app.include_router(overview.router)
    app.include_router(ledger.router)
    app.include_router(strategy_pages.router)
    app.include_router(safety_pages.router)
    app.include_router(system.router)
    app.include_router(backtest_pages.router)
    app.mount("/static", StaticFiles(directory=resource_path("static")), name="static")
    install_error_handlers(app)
    app.add_middleware(TokenGate)  # inside the edge: the headers apply to its 401s too
    app.add_middleware(EdgeMiddleware)
    return app
