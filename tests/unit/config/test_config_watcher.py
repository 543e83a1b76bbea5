"""Hot reload: apply a valid changed file, keep the running config on errors, log the keys."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.yaml_bombs import billion_laughs
from trademind.config import ConfigUpdate, ConfigWatcher, load_config
from trademind.config.documents import MAX_DOCUMENT_BYTES

WriteFile = Callable[[str, str], Path]
BASE = "safety:\n  daily_loss_limit: 0.02\n  max_positions: 10\n"


@pytest.fixture
def watcher(write_file: WriteFile) -> ConfigWatcher:
    write_file("config.yaml", BASE)
    return ConfigWatcher(load_config())


def test_nothing_changed_nothing_applied(watcher: ConfigWatcher) -> None:
    assert watcher.check() is False


def test_a_valid_change_is_applied_and_announced(
    watcher: ConfigWatcher, write_file: WriteFile, caplog: pytest.LogCaptureFixture
) -> None:
    updates: list[ConfigUpdate] = []
    watcher.subscribe(updates.append)
    before = watcher.settings
    write_file("config.yaml", BASE.replace("0.02", "0.03").replace("10", "4"))
    with caplog.at_level(logging.INFO, logger="trademind.config"):
        assert watcher.check() is True
    assert watcher.settings.safety.daily_loss_limit == 0.03
    assert [(u.previous, u.changed_keys) for u in updates] == [
        (before, ("safety.daily_loss_limit", "safety.max_positions"))
    ]
    assert updates[0].current is watcher.settings
    assert "safety.daily_loss_limit: 0.02 -> 0.03" in caplog.text
    assert "safety.max_positions: 10 -> 4" in caplog.text
    assert watcher.check() is False  # same content again: no second update


def test_an_invalid_change_keeps_the_running_config(
    watcher: ConfigWatcher, write_file: WriteFile, caplog: pytest.LogCaptureFixture
) -> None:
    updates: list[ConfigUpdate] = []
    watcher.subscribe(updates.append)
    running = watcher.settings
    write_file("config.yaml", BASE.replace("0.02", "-0.05"))
    with caplog.at_level(logging.INFO, logger="trademind.config"):
        assert watcher.check() is False
    assert watcher.settings is running
    assert updates == []
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "safety.daily_loss_limit: must be greater than 0" in errors[0].getMessage()
    # fixing the file applies it
    write_file("config.yaml", BASE.replace("0.02", "0.01"))
    assert watcher.check() is True
    assert watcher.settings.safety.daily_loss_limit == 0.01


def test_a_broken_yaml_file_keeps_the_running_config(
    watcher: ConfigWatcher, write_file: WriteFile, caplog: pytest.LogCaptureFixture
) -> None:
    running = watcher.settings
    write_file("config.yaml", "safety: [\n")
    with caplog.at_level(logging.ERROR, logger="trademind.config"):
        assert watcher.check() is False
    assert watcher.settings is running
    assert "invalid YAML at line" in caplog.text


def test_a_deleted_base_file_keeps_the_running_config(
    watcher: ConfigWatcher, work_dir: Path
) -> None:
    running = watcher.settings
    (work_dir / "config.yaml").unlink()
    assert watcher.check() is False
    assert watcher.settings is running


def test_a_comment_only_change_notifies_nobody(
    watcher: ConfigWatcher, write_file: WriteFile
) -> None:
    updates: list[ConfigUpdate] = []
    watcher.subscribe(updates.append)
    write_file("config.yaml", "# a comment\n" + BASE)
    assert watcher.check() is False
    assert updates == []


def test_the_overlay_file_is_watched(write_file: WriteFile) -> None:
    write_file("config.yaml", BASE)
    environ = {"TRADEMIND_ENV": "dev"}
    watcher = ConfigWatcher(load_config(environ=environ), environ=environ)
    write_file("config.dev.yaml", "safety:\n  max_positions: 3\n")  # appears after start
    assert watcher.check() is True
    assert watcher.settings.safety.max_positions == 3


def test_a_failing_listener_does_not_stop_the_others(
    watcher: ConfigWatcher, write_file: WriteFile, caplog: pytest.LogCaptureFixture
) -> None:
    seen: list[ConfigUpdate] = []

    def broken(update: ConfigUpdate) -> None:
        raise RuntimeError("listener bug")

    watcher.subscribe(broken)
    watcher.subscribe(seen.append)
    write_file("config.yaml", BASE.replace("10", "5"))
    with caplog.at_level(logging.ERROR, logger="trademind.config"):
        assert watcher.check() is True
    assert len(seen) == 1
    assert "listener bug" in caplog.text


def test_secrets_are_never_logged(write_file: WriteFile, caplog: pytest.LogCaptureFixture) -> None:
    write_file("config.yaml", BASE)
    environ = {"TRADEMIND__LLM__API_KEY": "sk-secret-123"}
    watcher = ConfigWatcher(load_config(environ=environ), environ=environ)
    write_file("config.yaml", BASE + "web:\n  host: 0.0.0.0\n")  # invalid: needs a token
    write_file("config.yaml", BASE + "llm:\n  api_key: sk-secret-456\n")
    with caplog.at_level(logging.DEBUG):
        watcher.check()
        environ["TRADEMIND__LLM__API_KEY"] = "sk-secret-789"
        write_file("config.yaml", BASE.replace("10", "6"))
        assert watcher.check() is True
    assert "llm.api_key" in caplog.text  # the changed secret is named ...
    for secret in ("sk-secret-123", "sk-secret-456", "sk-secret-789"):
        assert secret not in caplog.text  # ... but never shown


def test_an_alias_bomb_is_refused_and_the_running_config_kept(
    watcher: ConfigWatcher, write_file: WriteFile, caplog: pytest.LogCaptureFixture
) -> None:
    """Issue 9, defect 1: hot reload reads files with the same limits as every command."""
    running = watcher.settings
    write_file("config.yaml", BASE + billion_laughs())
    with caplog.at_level(logging.ERROR, logger="trademind.config"):
        assert watcher.check() is False
    assert watcher.settings is running
    assert "YAML anchors and aliases (&a0) are not allowed" in caplog.text


def test_a_file_over_the_size_cap_is_refused_and_the_running_config_kept(
    watcher: ConfigWatcher, write_file: WriteFile, caplog: pytest.LogCaptureFixture
) -> None:
    running = watcher.settings
    write_file("config.yaml", BASE + "#" * MAX_DOCUMENT_BYTES)
    with caplog.at_level(logging.ERROR, logger="trademind.config"):
        assert watcher.check() is False
    assert watcher.settings is running
    assert "is larger than 1024 KiB" in caplog.text


async def test_run_polls_in_the_background(watcher: ConfigWatcher, write_file: WriteFile) -> None:
    applied = asyncio.Event()
    watcher.subscribe(lambda _update: applied.set())
    write_file("config.yaml", BASE.replace("10", "2"))
    task = asyncio.create_task(watcher.run(interval=0.01))
    try:
        await asyncio.wait_for(applied.wait(), timeout=10)
    finally:
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
    assert watcher.settings.safety.max_positions == 2
