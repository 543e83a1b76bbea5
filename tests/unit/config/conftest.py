"""Fixtures for the configuration tests: no user config directory leaks in, files are easy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

WriteFile = Callable[[str, str], Path]


@pytest.fixture(autouse=True)
def user_config_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """platformdirs' user config directory points into the test's tmp dir (XDG on Linux)."""
    home = tmp_path / "xdg-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home))
    return home / "trademind"


@pytest.fixture
def work_dir() -> Path:
    """The working directory the isolated environment switched to."""
    return Path.cwd()


@pytest.fixture
def write_file(work_dir: Path) -> WriteFile:
    """Write ``text`` to ``name`` in the working directory and return its path."""

    def write(name: str, text: str) -> Path:
        path = work_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write
