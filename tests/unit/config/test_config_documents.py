"""YAML documents: comment-preserving edits and atomic writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from trademind.config.documents import (
    atomic_write_text,
    dump_document,
    get_in,
    parse_document,
    read_mapping,
    remove_in,
    set_in,
)
from trademind.core.errors import ConfigError

TEXT = """\
# TradeMind settings
safety:
  # Daily loss limit as a fraction.
  daily_loss_limit: 0.02  # 2%
  max_positions: 10
data:
  watchlist: [SPY, QQQ]
scheduler:
  post_close_time: "16:30"
"""


def test_set_keeps_comments_and_the_rest_of_the_file_byte_for_byte() -> None:
    document = parse_document(TEXT, "test")
    set_in(document, ("safety", "daily_loss_limit"), 0.03)
    assert dump_document(document) == TEXT.replace("0.02  # 2%", "0.03  # 2%")


def test_set_creates_missing_sections_and_writes_lists_inline() -> None:
    document = parse_document(TEXT, "test")
    set_in(document, ("safety", "circuit_breaker", "max_drawdown"), 0.2)
    set_in(document, ("data", "watchlist"), ["AAPL"])
    text = dump_document(document)
    assert "  circuit_breaker:\n    max_drawdown: 0.2\n" in text
    assert "  watchlist: [AAPL]\n" in text


def test_a_quoted_string_stays_quoted() -> None:
    document = parse_document(TEXT, "test")
    set_in(document, ("scheduler", "post_close_time"), "17:00")
    assert 'post_close_time: "17:00"' in dump_document(document)


def test_none_is_written_as_null() -> None:
    document = parse_document(TEXT, "test")
    set_in(document, ("database", "url"), None)
    assert "  url: null\n" in dump_document(document)


def test_get_and_remove() -> None:
    document = parse_document(TEXT, "test")
    assert get_in(document, ("safety", "max_positions")) == (True, 10)
    assert get_in(document, ("safety", "nope")) == (False, None)
    assert remove_in(document, ("safety", "max_positions"))
    assert not remove_in(document, ("safety", "max_positions"))
    assert "max_positions" not in dump_document(document)


def test_read_mapping_gives_plain_types(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(TEXT)
    data = read_mapping(path)
    assert data == {
        "safety": {"daily_loss_limit": 0.02, "max_positions": 10},
        "data": {"watchlist": ["SPY", "QQQ"]},
        "scheduler": {"post_close_time": "16:30"},
    }
    assert type(data["safety"]["daily_loss_limit"]) is float
    assert type(data["scheduler"]["post_close_time"]) is str


def test_duplicate_keys_are_an_error_with_the_line(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("safety:\n  max_positions: 1\n  max_positions: 2\n")
    with pytest.raises(ConfigError, match=r"line 3"):
        read_mapping(path)


def test_atomic_write_replaces_the_file_and_leaves_no_temp_file(tmp_path: Path) -> None:
    tmp_path = tmp_path / "dir"
    tmp_path.mkdir()
    path = tmp_path / "config.yaml"
    path.write_text("old\n")
    path.chmod(0o640)
    inode_before = path.stat().st_ino
    atomic_write_text(path, "new\n")
    assert path.read_text() == "new\n"
    assert path.stat().st_ino != inode_before  # a new file was renamed over the old one
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]


def test_atomic_write_failure_leaves_the_original_intact(tmp_path: Path) -> None:
    tmp_path = tmp_path / "dir"
    tmp_path.mkdir()
    path = tmp_path / "config.yaml"
    path.write_text("original\n")
    with pytest.raises(UnicodeEncodeError):
        atomic_write_text(path, "broken \udcff text\n")  # cannot be encoded as UTF-8
    assert path.read_text() == "original\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]


def test_atomic_write_follows_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.yaml"
    real.write_text("old\n")
    link = tmp_path / "config.yaml"
    os.symlink(real, link)
    atomic_write_text(link, "new\n")
    assert link.is_symlink()
    assert real.read_text() == "new\n"


def test_atomic_write_creates_directories(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "config.yaml"
    atomic_write_text(path, "x: 1\n")
    assert path.read_text() == "x: 1\n"
