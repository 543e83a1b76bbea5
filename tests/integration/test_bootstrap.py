"""bootstrap wires settings, logging, clock, bus, cache and database."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from sqlalchemy import inspect

from trademind.bootstrap import build_runtime
from trademind.config import load_settings
from trademind.core.clock import TestClock


def test_default_runtime_uses_sqlite_in_the_data_dir_and_memory_cache(
    isolated_environment: Path,
) -> None:
    runtime = build_runtime(clock=TestClock())
    try:
        assert runtime.settings.app.data_dir == isolated_environment
        assert runtime.database.engine.dialect.name == "sqlite"
        assert (isolated_environment / "trademind.db").exists()
        assert "config_changes" in inspect(runtime.database.engine).get_table_names()
        assert runtime.cache.backend_name == "memory"
        assert not runtime.cache.is_fallback
        assert runtime.log_file == isolated_environment / "logs" / "trademind.log"
    finally:
        runtime.close()
        runtime.close()  # idempotent


def test_unreachable_redis_falls_back_to_memory_and_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("TRADEMIND__CACHE__BACKEND", "redis")
    monkeypatch.setenv("TRADEMIND__CACHE__REDIS_URL", "redis://:hunter2@127.0.0.1:1/0")
    with caplog.at_level(logging.WARNING):
        runtime = build_runtime()
    try:
        assert runtime.cache.is_fallback
        runtime.cache.set("k", {"v": 1})
        assert runtime.cache.get("k") == {"v": 1}
    finally:
        runtime.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len([w for w in warnings if "in-memory" in w]) == 1
    assert "hunter2" not in caplog.text


def test_secret_values_cover_secret_fields_and_url_passwords(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TRADEMIND__LLM__API_KEY", "sk-live-abc")
    monkeypatch.setenv("TRADEMIND__DATABASE__URL", "postgresql+psycopg://u:pgpass@127.0.0.1/x")
    monkeypatch.setenv("TRADEMIND__CACHE__REDIS_URL", "redis://:redispass@127.0.0.1:6379/0")
    secrets = load_settings().secret_values()
    assert {"sk-live-abc", "pgpass", "redispass"} <= set(secrets)


def test_secrets_never_reach_the_log_file(
    monkeypatch: pytest.MonkeyPatch, isolated_environment: Path
) -> None:
    monkeypatch.setenv("TRADEMIND__LLM__API_KEY", "sk-live-abc")
    runtime = build_runtime()
    try:
        logging.getLogger("trademind.test").warning("calling the LLM with key sk-live-abc")
    finally:
        runtime.close()
    assert runtime.log_file is not None
    text = runtime.log_file.read_text()
    assert "calling the LLM with key **********" in text
    assert "sk-live-abc" not in text


async def test_hot_reload_applies_a_valid_file_announces_it_and_keeps_old_on_error(
    isolated_environment: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from trademind.core.events import ConfigReloaded

    config = Path.cwd() / "config.yaml"
    config.write_text("safety:\n  daily_loss_limit: 0.02\n")
    runtime = build_runtime(clock=TestClock())
    announced: list[ConfigReloaded] = []
    runtime.bus.subscribe(ConfigReloaded, announced.append)
    try:
        config.write_text("safety:\n  daily_loss_limit: 0.04\ndatabase:\n  echo: true\n")
        assert runtime.live_config.check()
        await runtime.bus.drain()
        assert runtime.settings.safety.daily_loss_limit == 0.04
        assert announced[0].changed_keys == ("database.echo", "safety.daily_loss_limit")
        assert "database.echo: takes effect at the next start" in caplog.text

        config.write_text("safety:\n  daily_loss_limit: -1\n")
        assert not runtime.live_config.check()
        await runtime.bus.drain()
        assert runtime.settings.safety.daily_loss_limit == 0.04
        assert len(announced) == 1
        assert "safety.daily_loss_limit" in caplog.text
    finally:
        runtime.close()
