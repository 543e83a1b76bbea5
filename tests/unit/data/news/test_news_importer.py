"""The CSV/JSONL importer: valid files, and bad ones refused whole with the line named."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from trademind.core.errors import ValidationError
from trademind.data.news.importer import file_format, read_news_file

HEADER = "symbols,title,url,published_at,summary\n"


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_csv_file_is_read(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "news.csv",
        HEADER + '"AAPL, msft",Tech rally,https://x.test/1,2024-01-02T14:30:00Z,Up\n',
    )
    (item,) = read_news_file(path)
    assert item.symbols == frozenset({"AAPL", "MSFT"})
    assert item.published_at == datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
    assert item.first_seen_at == item.published_at
    assert item.source == "import"
    assert item.summary == "Up"


def test_a_jsonl_file_is_read_with_its_first_seen_time(tmp_path: Path) -> None:
    row = {
        "symbols": ["AAPL"],
        "title": "Apple",
        "url": "https://x.test/1",
        "published_at": "2024-01-02T09:30:00-05:00",
        "first_seen_at": "2024-01-02T15:00:00+00:00",
        "source": "archive",
    }
    path = _write(tmp_path / "news.jsonl", json.dumps(row) + "\n\n")
    (item,) = read_news_file(path)
    assert item.published_at == datetime(2024, 1, 2, 14, 30, tzinfo=UTC)
    assert item.first_seen_at == datetime(2024, 1, 2, 15, tzinfo=UTC)
    assert item.source == "archive"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("symbols,title,url\nAAPL,t,https://x.test\n", "missing columns: published_at"),
        (
            HEADER.replace("summary", "author") + "AAPL,t,https://x.test,2024-01-02T00:00Z,a\n",
            "unknown columns: author",
        ),
        (
            HEADER + "AAPL,t,https://x.test/1,2024-01-02T00:00Z,\nAAPL,t,https://x.test/2,"
            "2024-01-02,\n",
            "line 3: published_at has no time zone",
        ),
        (HEADER + "AAPL,t,https://x.test/1,yesterday,\n", "line 2: published_at is not an ISO"),
        (HEADER + "AAPL,,https://x.test/1,2024-01-02T00:00Z,\n", "line 2: title is missing"),
        (HEADER + "AAPL,t,javascript:x,2024-01-02T00:00Z,\n", "line 2: not an http"),
        (HEADER + "AAPL,t,https://x.test/1,2024-01-02T00:00Z,,extra\n", "more values"),
        (HEADER + ",t,https://x.test/1,2024-01-02T00:00Z,\n", "line 2: symbols is missing"),
    ],
)
def test_a_bad_csv_is_refused_whole(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path / "news.csv", text)
    with pytest.raises(ValidationError, match=message) as caught:
        read_news_file(path)
    assert "\n" not in str(caught.value)


def test_every_bad_line_is_counted(tmp_path: Path) -> None:
    lines = ["not json", "[1]", json.dumps({"symbols": "AAPL", "title": "t"})]
    path = _write(tmp_path / "news.jsonl", "\n".join(lines))
    with pytest.raises(ValidationError, match=r"line 1: not JSON .* \(and 2 more bad lines\)"):
        read_news_file(path)


def test_missing_file_and_unknown_format_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="no such file"):
        read_news_file(tmp_path / "absent.csv")
    with pytest.raises(ValidationError, match="unknown news file format 'xml'"):
        file_format(tmp_path / "news.xml", None)
    assert file_format(tmp_path / "news.txt", "JSONL") == "jsonl"
