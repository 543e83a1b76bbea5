"""The overview's benchmark: a symbol's stored closes over the account's snapshots, scaled to
its first equity (services/benchmark_service.py), through the API."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import pandas as pd

from trademind.data.store import BarStore
from trademind.db.session import Database

DAYS = pd.DatetimeIndex(["2023-12-29", "2024-01-02", "2024-01-03", "2024-01-04"], tz=UTC)


def _store_spy(database: Database, closes: list[float]) -> None:
    prices = dict.fromkeys(("open", "high", "low", "close"), closes)
    frame = pd.DataFrame({"ts": DAYS, **prices, "volume": [1e6] * len(closes)})
    BarStore(database).write("SPY", "1d", "csv", frame, now=datetime(2024, 1, 5, tzinfo=UTC))


async def test_the_benchmark_starts_at_the_first_equity(
    open_client: httpx.AsyncClient, database: Database
) -> None:
    _store_spy(database, [400.0, 410.0, 420.0, 440.0])
    params = {"account": "demo", "symbol": "spy"}
    curve = (await open_client.get("/api/v1/portfolio/benchmark", params=params)).json()
    start = Decimal(curve["start_equity"])
    values = [Decimal(p["value"]) for p in curve["points"]]
    # the first snapshot is 2024-01-02 21:00: the close at or before it is 2024-01-02's (410);
    # the last snapshot is 2024-01-03 21:00, so 2024-01-04 is left out
    assert [p["ts"][:10] for p in curve["points"]] == ["2024-01-02", "2024-01-03"]
    assert values[0] == start
    assert values[1] == start * Decimal("420.0") / Decimal("410.0")
    assert curve["symbol"] == "SPY"


async def test_no_stored_bars_is_a_clear_400(open_client: httpx.AsyncClient) -> None:
    answer = await open_client.get("/api/v1/portfolio/benchmark", params={"symbol": "QQQ"})
    assert answer.status_code == 400
    assert "trademind data ingest --symbols QQQ" in answer.json()["detail"]
