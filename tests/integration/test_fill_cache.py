"""FillCache: an account's fills read once, then only the new ones; always what the store
reads itself, in the stored order, including a row committed late below the largest id."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import cast

import sqlalchemy as sa
from support.ledger_data import write_demo_ledger

from trademind.core.clock import TestClock
from trademind.db.models import Trade
from trademind.db.session import Database
from trademind.portfolio.fill_cache import FillCache
from trademind.portfolio.rows import AccountInfo
from trademind.portfolio.store import LedgerStore

TRADES = cast(sa.Table, Trade.__table__)


def _store(tmp_path: Path, name: str = "ledger.db") -> tuple[Database, LedgerStore, AccountInfo]:
    database = Database(f"sqlite:///{tmp_path / name}")
    database.ensure_schema()
    write_demo_ledger(database)
    store = LedgerStore(database, TestClock())
    return database, store, store.account("demo")


def _copy_of_first_fill(database: Database, new_id: int) -> None:
    """A ``trades`` row under ``new_id`` (as if committed by another writer)."""
    with database.session() as session:
        connection = session.connection()
        first = connection.execute(sa.select(TRADES).order_by(TRADES.c.id).limit(1)).one()
        values = {**first._mapping, "id": new_id, "broker_execution_id": f"copy-{new_id}"}
        connection.execute(sa.insert(TRADES), values)


def test_the_fills_are_the_stores_and_kept_while_nothing_is_stored(tmp_path: Path) -> None:
    database, store, account = _store(tmp_path)
    cache = FillCache(database)
    fills = cache.fills(account)
    assert list(fills) == store.fills(account)
    assert len(fills) == 4
    assert cache.fills(account) is fills


def test_new_fills_are_seen_and_a_late_smaller_id_too(tmp_path: Path) -> None:
    database, store, account = _store(tmp_path)
    cache = FillCache(database)
    cache.fills(account)
    _copy_of_first_fill(database, 10)
    assert list(cache.fills(account)) == store.fills(account)
    assert len(cache.fills(account)) == 5
    _copy_of_first_fill(database, 7)  # below the largest id already read
    fills = cache.fills(account)
    assert list(fills) == store.fills(account)
    assert [fill.execution_id for fill in fills[-2:]] == ["copy-7", "copy-10"]


def test_another_account_under_the_same_id_is_read_afresh(tmp_path: Path) -> None:
    """A database replaced under the server: the same account id, fill count and largest id,
    but another account (created at another time)."""
    database, store, account = _store(tmp_path)
    cache = FillCache(database)
    cache.fills(account)
    with database.session() as session:
        session.connection().execute(sa.delete(TRADES).where(TRADES.c.id == 4))
    _copy_of_first_fill(database, 4)
    recreated = replace(account, created_at=account.created_at + timedelta(days=1))
    assert list(cache.fills(recreated)) == store.fills(account)
    assert cache.fills(recreated)[-1].execution_id == "copy-4"
