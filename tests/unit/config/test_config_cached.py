"""ConfigCache: the files are loaded once and again only when an input changed; a change is
never missed, however fast it follows the last load."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from trademind.config import LoadedConfig, load_config
from trademind.config.cached import ConfigCache
from trademind.core.errors import ConfigError

WriteFile = Callable[[str, str], Path]
BASE = "safety:\n  daily_loss_limit: 0.02\n"


class CountingLoader:
    """The real load, counted."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(
        self, config_path: Path | None, environ: Mapping[str, str], cwd: Path
    ) -> LoadedConfig:
        self.calls += 1
        return load_config(config_path, environ=environ, cwd=cwd)


@pytest.fixture
def loader() -> CountingLoader:
    return CountingLoader()


@pytest.fixture
def cache(loader: CountingLoader) -> ConfigCache:
    return ConfigCache(loader)


def _limit(cache: ConfigCache, config_path: Path | None = None) -> float:
    return cache.loaded(config_path).settings.safety.daily_loss_limit


def test_unchanged_inputs_are_not_loaded_again(
    cache: ConfigCache, loader: CountingLoader, write_file: WriteFile
) -> None:
    write_file("config.yaml", BASE)
    first = cache.loaded(None)
    assert cache.loaded(None) is first
    assert loader.calls == 1


def test_an_edit_of_the_same_size_at_once_is_seen(
    cache: ConfigCache, write_file: WriteFile
) -> None:
    # same length, written within the same timestamp tick: mtime and size may not change
    path = write_file("config.yaml", BASE)
    assert _limit(cache) == 0.02
    path.write_text(BASE.replace("0.02", "0.03"), encoding="utf-8")
    assert _limit(cache) == 0.03


def test_an_explicit_config_file_is_watched(cache: ConfigCache, write_file: WriteFile) -> None:
    path = write_file("elsewhere/mine.yaml", BASE)
    assert _limit(cache, path) == 0.02
    path.write_text(BASE.replace("0.02", "0.04"), encoding="utf-8")
    assert _limit(cache, path) == 0.04


def test_a_config_file_appearing_where_none_was_is_seen(
    cache: ConfigCache, write_file: WriteFile, user_config_home: Path
) -> None:
    user_config_home.mkdir(parents=True)
    (user_config_home / "config.yaml").write_text(BASE, encoding="utf-8")
    assert _limit(cache) == 0.02  # the user's file: no ./config.yaml
    write_file("config.yaml", BASE.replace("0.02", "0.05"))
    assert _limit(cache) == 0.05  # ./config.yaml comes first


def test_an_overlay_and_dotenv_are_watched(
    cache: ConfigCache, write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_file("config.yaml", BASE)
    monkeypatch.setenv("TRADEMIND_ENV", "dev")
    assert _limit(cache) == 0.02
    write_file("config.dev.yaml", "safety:\n  daily_loss_limit: 0.06\n")
    assert _limit(cache) == 0.06
    write_file(".env", "TRADEMIND__SAFETY__DAILY_LOSS_LIMIT=0.07\n")
    assert _limit(cache) == 0.07


def test_an_environment_variable_is_seen(
    cache: ConfigCache, write_file: WriteFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_file("config.yaml", BASE)
    assert _limit(cache) == 0.02
    monkeypatch.setenv("TRADEMIND__SAFETY__DAILY_LOSS_LIMIT", "0.08")
    assert _limit(cache) == 0.08


def test_another_working_directory_is_another_configuration(
    cache: ConfigCache, write_file: WriteFile, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    write_file("config.yaml", BASE)
    assert _limit(cache) == 0.02
    other = tmp_path / "other"
    other.mkdir()
    (other / "config.yaml").write_text(BASE.replace("0.02", "0.09"), encoding="utf-8")
    monkeypatch.chdir(other)
    assert _limit(cache) == 0.09


def test_invalidate_loads_again(
    cache: ConfigCache, loader: CountingLoader, write_file: WriteFile
) -> None:
    write_file("config.yaml", BASE)
    cache.loaded(None)
    cache.invalidate()
    cache.loaded(None)
    assert loader.calls == 2


def test_a_failed_load_is_not_kept(cache: ConfigCache, write_file: WriteFile) -> None:
    path = write_file("config.yaml", BASE.replace("0.02", "-1"))
    with pytest.raises(ConfigError, match="daily_loss_limit"):
        cache.loaded(None)
    path.write_text(BASE, encoding="utf-8")
    assert _limit(cache) == 0.02


def test_a_file_changed_during_the_load_is_loaded_again(write_file: WriteFile) -> None:
    path = write_file("config.yaml", BASE)
    edits = iter([BASE.replace("0.02", "0.03")])

    def editing_loader(
        config_path: Path | None, environ: Mapping[str, str], cwd: Path
    ) -> LoadedConfig:
        loaded = load_config(config_path, environ=environ, cwd=cwd)
        for text in edits:  # once: the file changes after it was read
            path.write_text(text, encoding="utf-8")
        return loaded

    cache = ConfigCache(editing_loader)
    assert _limit(cache) == 0.02  # what was read
    assert _limit(cache) == 0.03  # not kept: the file changed meanwhile


def test_derived_values_follow_the_configuration(cache: ConfigCache, write_file: WriteFile) -> None:
    path = write_file("config.yaml", BASE)
    made: list[float] = []

    def limit(loaded: LoadedConfig) -> float:
        made.append(loaded.settings.safety.daily_loss_limit)
        return made[-1]

    assert cache.derived(None, limit) == cache.derived(None, limit) == 0.02
    path.write_text(BASE.replace("0.02", "0.03"), encoding="utf-8")
    assert cache.derived(None, limit) == 0.03
    assert made == [0.02, 0.03]
