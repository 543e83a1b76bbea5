"""``/api/v1/config`` and ``/api/v1/strategies`` answer from the configuration loaded once
(web/context.py ``config_files``), yet the next request sees every change: one written to the
file by hand (the same size, at once) and one made through the API."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from support.web_app import LOCAL

from trademind.config.template import render_template

WRITE = {"Authorization": f"Bearer {LOCAL}"}
LIMIT = "  daily_loss_limit: 0.02\n"


def _config_file(text: str | None = None) -> Path:
    """``./config.yaml`` (the server's, as no ``--config`` is given): the documented one."""
    path = Path.cwd() / "config.yaml"
    path.write_text(text if text is not None else render_template(), encoding="utf-8")
    return path


async def _setting(client: httpx.AsyncClient, key: str) -> Any:
    answer = await client.get("/api/v1/config")
    assert answer.status_code == 200, answer.text
    rows = {row["key"]: row for row in answer.json()["rows"]}
    return rows[key]["value"]


async def _enabled(client: httpx.AsyncClient) -> set[str]:
    answer = await client.get("/api/v1/strategies")
    assert answer.status_code == 200, answer.text
    return {strategy["name"] for strategy in answer.json() if strategy["enabled"]}


async def test_a_hand_edit_is_seen_by_the_next_request(open_client: httpx.AsyncClient) -> None:
    path = _config_file()
    text = path.read_text(encoding="utf-8")
    assert LIMIT in text
    assert await _setting(open_client, "safety.daily_loss_limit") == "0.02"
    assert await _enabled(open_client) == {"rsi_mean_reversion", "ma_crossover"}
    # the same size, within the same timestamp tick: only the content tells
    edited = text.replace(LIMIT, LIMIT.replace("0.02", "0.03"))
    edited = edited.replace("enabled: [rsi_mean_reversion, ma_crossover]", "enabled: [meta]")
    path.write_text(edited, encoding="utf-8")
    assert await _setting(open_client, "safety.daily_loss_limit") == "0.03"
    assert await _enabled(open_client) == {"meta"}


async def test_a_change_through_the_api_is_seen_by_the_next_request(
    open_client: httpx.AsyncClient,
) -> None:
    _config_file()
    assert await _setting(open_client, "safety.max_positions") == "10"
    assert "macd_momentum" not in await _enabled(open_client)
    body = {"key": "safety.max_positions", "value": "7"}
    assert (await open_client.put("/api/v1/config", json=body, headers=WRITE)).status_code == 200
    assert await _setting(open_client, "safety.max_positions") == "7"
    enable = await open_client.post("/api/v1/strategies/macd_momentum/enable", headers=WRITE)
    assert enable.status_code == 200, enable.text
    assert "macd_momentum" in await _enabled(open_client)
    disable = await open_client.post("/api/v1/strategies/ma_crossover/disable", headers=WRITE)
    assert disable.status_code == 200, disable.text
    assert "ma_crossover" not in await _enabled(open_client)
    params = {"params": {"fast": "12"}}
    path = "/api/v1/strategies/ma_crossover/params"
    put = await open_client.put(path, json=params, headers=WRITE)
    assert put.status_code == 200, put.text
    listed = (await open_client.get("/api/v1/strategies")).json()
    crossover = next(strategy for strategy in listed if strategy["name"] == "ma_crossover")
    assert {p["name"]: p["value"] for p in crossover["params"]}["fast"] == 12
    safety = {"settings": {"max_positions": "5"}}
    put = await open_client.put("/api/v1/safety/settings", json=safety, headers=WRITE)
    assert put.status_code == 200, put.text
    assert await _setting(open_client, "safety.max_positions") == "5"


async def test_a_broken_file_is_an_error_until_it_is_fixed(
    open_client: httpx.AsyncClient,
) -> None:
    path = _config_file("safety:\n  daily_loss_limit: 0.02\n")
    assert await _setting(open_client, "safety.daily_loss_limit") == "0.02"
    path.write_text("safety:\n  daily_loss_limit: -1.0\n", encoding="utf-8")
    assert (await open_client.get("/api/v1/config")).status_code == 400
    assert (await open_client.get("/api/v1/strategies")).status_code == 400
    path.write_text("safety:\n  daily_loss_limit: 0.04\n", encoding="utf-8")
    assert await _setting(open_client, "safety.daily_loss_limit") == "0.04"
