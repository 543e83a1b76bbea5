"""A web app for tests: over a database, on a test clock, with a known token and local token."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
from support.fuzz_sandbox import offline_providers

from trademind.config import Settings
from trademind.core.bus import EventBus
from trademind.core.clock import TestClock
from trademind.db.session import Database
from trademind.web.app import create_app
from trademind.web.context import WebContext
from trademind.web.security import AccessPolicy

STARTED = datetime(2024, 1, 5, 12, tzinfo=UTC)
TOKEN = "t" * 40
LOCAL = "l" * 43


def make_context(database: Database, *, token: str | None = None) -> WebContext:
    clock = TestClock(STARTED)
    return WebContext(
        settings=Settings,
        database=database,
        clock=clock,
        policy=AccessPolicy(configured=token, local=LOCAL),
        started_at=STARTED,
        bus=EventBus(clock=clock),
        provider_factory=offline_providers,  # ingest jobs never reach the network
    )


def web_client(context: WebContext) -> httpx.AsyncClient:
    """An HTTP client of the app over ASGI (cookies kept, as a browser would)."""
    transport = httpx.ASGITransport(app=create_app(context))
    return httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000")
