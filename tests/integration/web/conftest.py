"""A web app over a SQLite database holding the demo ledger, on a test clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from support.ledger_data import write_demo_ledger
from support.web_app import TOKEN, make_context, web_client

from trademind.db.session import Database


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'web.db'}")
    database.ensure_schema()
    write_demo_ledger(database)
    try:
        yield database
    finally:
        database.dispose()


@pytest.fixture
async def open_client(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """Loopback without a configured token: reads open, writes need CSRF or the local token."""
    async with web_client(make_context(database)) as client:
        yield client


@pytest.fixture
async def locked_client(database: Database) -> AsyncIterator[httpx.AsyncClient]:
    """web.auth_token set: every request needs the token or a session."""
    async with web_client(make_context(database, token=TOKEN)) as client:
        yield client
