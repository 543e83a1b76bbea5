"""The validated-settings snapshot read-only commands start from (issue 9, defect 15).

A snapshot is used only while every input of the configuration is what it was when the snapshot
was written; it never holds a secret; a damaged one is ignored.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from trademind.config.snapshot import (
    _schema_sources,
    current_snapshot,
    load_and_snapshot,
    read_only_settings,
    snapshot_path,
)
from trademind.resources import resource_path
from trademind.services import config_service

WriteFile = Callable[[str, str], Path]


def _snapshot_now(work_dir: Path) -> Path:
    """Full load (writes the snapshot); the snapshot file."""
    load_and_snapshot(None, cwd=work_dir)
    path = snapshot_path(None, work_dir)
    assert current_snapshot(None, cwd=work_dir) is not None
    return path


@pytest.fixture
def shipped_config(work_dir: Path) -> Path:
    target = work_dir / "config.yaml"
    shutil.copy(resource_path("config.yaml"), target)
    return target


def test_every_key_answers_as_the_full_load_does(shipped_config: Path, work_dir: Path) -> None:
    """`config get` gives the same answer with and without the snapshot, for every setting
    and every section (defect 15)."""
    _snapshot_now(work_dir)
    snapshot = current_snapshot(None, cwd=work_dir)
    assert snapshot is not None
    assert len(snapshot.keys) > 100
    for key in sorted(snapshot.keys):
        found, value = snapshot.lookup(key)
        assert found, key
        assert value == config_service.get_config_value(key, None, cwd=work_dir), key


def test_unknown_or_malformed_keys_go_to_the_full_load(work_dir: Path) -> None:
    """The snapshot answers only keys the schema knows; everything else is worded by the full
    load (`logging.level.x` inside a setting, typos, empty parts)."""
    _snapshot_now(work_dir)
    snapshot = current_snapshot(None, cwd=work_dir)
    assert snapshot is not None
    for key in ("nope", "logging.level.x", "logging..level", "", "strategies.params.fast"):
        assert snapshot.lookup(key) == (False, None), key
    assert snapshot.lookup(" logging . level ") == (True, "INFO")  # as parse_key strips parts


def test_read_only_view_carries_what_status_and_list_use(work_dir: Path) -> None:
    loaded = load_and_snapshot(None, cwd=work_dir)
    snapshot = current_snapshot(None, cwd=work_dir)
    assert snapshot is not None
    settings = loaded.settings
    assert snapshot.database_url() == settings.database_url()
    assert snapshot.app.data_dir == settings.app.data_dir
    assert snapshot.database.echo is settings.database.echo
    assert snapshot.database.auto_migrate is settings.database.auto_migrate
    assert snapshot.logging.level == settings.logging.level
    assert snapshot.logging.json is settings.logging.json
    assert snapshot.logging.file is settings.logging.file
    assert snapshot.logging.max_bytes == settings.logging.max_bytes
    assert snapshot.logging.backup_count == settings.logging.backup_count
    assert snapshot.secret_values() == settings.secret_values() == []
    assert read_only_settings(None) == snapshot


def _edit_base(work_dir: Path, _: pytest.MonkeyPatch) -> None:
    path = work_dir / "config.yaml"
    path.write_text(path.read_text() + "\n# only a comment changes\n")


def _add_overlay(work_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEMIND_ENV", "dev")
    (work_dir / "config.dev.yaml").write_text("logging:\n  level: DEBUG\n")


def _edit_overlay(work_dir: Path, _: pytest.MonkeyPatch) -> None:
    (work_dir / "config.dev.yaml").write_text("logging:\n  level: ERROR\n")


def _edit_dotenv(work_dir: Path, _: pytest.MonkeyPatch) -> None:
    (work_dir / ".env").write_text("TRADEMIND__LOGGING__LEVEL=ERROR\n")


def _set_variable(_: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRADEMIND__LOGGING__LEVEL", "ERROR")


def _lower_case_variable(_: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("trademind__logging__level", "ERROR")


def _point_at_another_file(work_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = work_dir / "other.yaml"
    other.write_text("logging:\n  level: ERROR\n")
    monkeypatch.setenv("TRADEMIND_CONFIG", str(other))


def _move_home(work_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(work_dir / "elsewhere"))  # the default data_dir


def _remove_base(work_dir: Path, _: pytest.MonkeyPatch) -> None:
    (work_dir / "config.yaml").unlink()


@pytest.mark.parametrize(
    "change",
    [
        _edit_base,
        _add_overlay,
        _edit_dotenv,
        _set_variable,
        _lower_case_variable,
        _point_at_another_file,
        _move_home,
        _remove_base,
    ],
)
def test_any_input_change_invalidates_the_snapshot(
    work_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[Path, pytest.MonkeyPatch], None],
) -> None:
    (work_dir / "config.yaml").write_text("logging:\n  level: WARNING\n")
    (work_dir / ".env").write_text("# nothing yet\n")
    _snapshot_now(work_dir)
    change(work_dir, monkeypatch)
    assert current_snapshot(None, cwd=work_dir) is None
    # The full load runs and the snapshot it writes agrees with it.
    loaded = load_and_snapshot(None, cwd=work_dir)
    snapshot = current_snapshot(None, cwd=work_dir)
    assert snapshot is not None
    assert snapshot.logging.level == loaded.settings.logging.level


def test_an_overlay_edit_invalidates_the_snapshot(
    work_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _add_overlay(work_dir, monkeypatch)
    _snapshot_now(work_dir)
    _edit_overlay(work_dir, monkeypatch)
    assert current_snapshot(None, cwd=work_dir) is None


def test_another_working_directory_or_config_option_has_its_own_snapshot(
    work_dir: Path, tmp_path: Path
) -> None:
    _snapshot_now(work_dir)
    other = tmp_path / "other"
    other.mkdir()
    assert current_snapshot(None, cwd=other) is None
    assert current_snapshot(work_dir / "config.yaml", cwd=work_dir) is None


def test_the_key_covers_the_schema_source() -> None:
    names = {path.name for path in _schema_sources()}
    assert {"models.py", "sections_platform.py", "snapshot.py", "secrets.py"} <= names


@pytest.mark.parametrize(
    ("name", "value", "secret"),
    [
        ("TRADEMIND__LLM__API_KEY", "sk-very-secret-value", "sk-very-secret-value"),
        (
            "TRADEMIND__DATABASE__URL",
            "postgresql://trader:hunter2secret@localhost/trademind",
            "hunter2secret",
        ),
    ],
)
def test_no_snapshot_is_written_while_a_secret_is_set(
    work_dir: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, secret: str
) -> None:
    """Secrets never reach the disk: not even a masked snapshot is written (defect 15)."""
    monkeypatch.setenv(name, value)
    loaded = load_and_snapshot(None, cwd=work_dir)
    assert secret in loaded.settings.secret_values()
    assert not snapshot_path(None, work_dir).exists()
    assert current_snapshot(None, cwd=work_dir) is None
    cache = Path(os.environ["XDG_CACHE_HOME"])
    written = [path.read_bytes() for path in cache.rglob("*") if path.is_file()]
    assert all(secret.encode() not in data for data in written)


def test_a_secret_set_after_the_snapshot_makes_it_stale(
    work_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _snapshot_now(work_dir)
    monkeypatch.setenv("TRADEMIND__LLM__API_KEY", "sk-new")
    assert current_snapshot(None, cwd=work_dir) is None
    assert read_only_settings(None).secret_values() == ["sk-new"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: "{not json",
        lambda text: "",
        lambda text: text.replace('"format": 1', '"format": 99'),
        lambda text: text.replace('"level": "INFO"', '"level": 5'),
        lambda text: text.replace('"max_bytes": 10000000', '"max_bytes": "many"'),
        lambda text: json.dumps({**json.loads(text), "values": []}),
        lambda text: json.dumps({key: v for key, v in json.loads(text).items() if key != "keys"}),
        lambda text: "[]",
    ],
)
def test_a_damaged_snapshot_is_ignored_and_rewritten(
    work_dir: Path, damage: Callable[[str], str]
) -> None:
    path = _snapshot_now(work_dir)
    text = path.read_text()
    damaged = damage(text)
    assert damaged != text
    path.write_text(damaged)
    assert current_snapshot(None, cwd=work_dir) is None
    settings = read_only_settings(None)  # the full load, which rewrites the snapshot
    assert settings.logging.level == "INFO"
    assert current_snapshot(None, cwd=work_dir) is not None


def test_an_unwritable_cache_directory_only_costs_the_snapshot(
    work_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    assert read_only_settings(None).logging.level == "INFO"
    assert current_snapshot(None, cwd=work_dir) is None


def test_an_invalid_configuration_is_reported_not_snapshotted(work_dir: Path) -> None:
    from trademind.core.errors import ConfigError

    (work_dir / "config.yaml").write_text("logging:\n  level: LOUD\n")
    with pytest.raises(ConfigError):
        read_only_settings(None)
    assert current_snapshot(None, cwd=work_dir) is None
