"""Historical news from a CSV or JSONL file, validated whole before anything is stored.

Fields (CSV header / JSON keys): ``symbols``, ``title``, ``url``, ``published_at`` required;
``summary``, ``source`` (default ``import``) and ``first_seen_at`` optional. ``symbols`` is a
list (JSONL) or text split on commas, semicolons or spaces (CSV); ``published_at`` and
``first_seen_at`` are ISO-8601 with a time zone (``Z`` or an offset). An imported item is taken
as seen when it was published (``first_seen_at`` defaults to ``published_at``): the file is a
record of what was known then, so replays of that time see it.

All or nothing: a file with any bad row (a missing or unknown column, an empty title, a bad
URL or date, a line that is not a JSON object) raises :class:`ValidationError` naming the file,
the first bad line and how many other lines are bad, and no row is returned.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, Final, Literal

from trademind.core.errors import UsageError, ValidationError
from trademind.data.news.items import NewsItem, checked_symbol

Format = Literal["csv", "jsonl"]
REQUIRED: Final = frozenset({"symbols", "title", "url", "published_at"})
OPTIONAL: Final = frozenset({"summary", "source", "first_seen_at"})
_SPLIT = re.compile(r"[,;\s]+")


def file_format(path: Path, given: str | None) -> Format:
    """``given`` when it is ``csv`` or ``jsonl``, else the format the file's suffix names."""
    name = (given or path.suffix.lstrip(".")).lower()
    if name == "json":
        name = "jsonl"
    if name not in {"csv", "jsonl"}:
        raise UsageError(f"unknown news file format {name!r}: use csv or jsonl")
    return "csv" if name == "csv" else "jsonl"


def read_news_file(path: Path, given_format: str | None = None) -> tuple[NewsItem, ...]:
    """Every item of ``path`` (module docstring), or :class:`ValidationError`."""
    if path.is_dir():
        raise ValidationError(f"{path} is a directory, not a news file")
    if not path.exists():
        raise ValidationError(f"no such file: {path}")
    kind = file_format(path, given_format)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValidationError(f"no such file: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ValidationError(f"cannot read {path}: {exc}") from None
    rows = _csv_rows(text) if kind == "csv" else _jsonl_rows(text)
    items: list[NewsItem] = []
    errors: list[str] = []
    for line, row in rows:
        try:
            items.append(news_item(row))
        except ValidationError as exc:
            errors.append(f"line {line}: {exc}")
    if errors:
        more = f" (and {len(errors) - 1} more bad lines)" if len(errors) > 1 else ""
        raise ValidationError(f"{path}: {errors[0]}{more}; nothing imported")
    return tuple(items)


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    reader = csv.DictReader(text.splitlines())
    columns = set(reader.fieldnames or ())
    _check_columns(columns, "columns")
    for row in reader:
        if None in row:
            yield reader.line_num, "more values than columns"
        else:
            yield reader.line_num, dict(row)


def _jsonl_rows(text: str) -> Iterator[tuple[int, dict[str, Any] | str]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, f"not JSON ({exc.msg})"
            continue
        yield number, value if isinstance(value, dict) else "not a JSON object"


def _check_columns(columns: set[str], what: str) -> None:
    missing = sorted(REQUIRED - columns)
    unknown = sorted(columns - REQUIRED - OPTIONAL)
    if missing:
        raise ValidationError(f"missing {what}: {', '.join(missing)}")
    if unknown:
        allowed = ", ".join(sorted(REQUIRED | OPTIONAL))
        raise ValidationError(f"unknown {what}: {', '.join(unknown)} (allowed: {allowed})")


def _moment(name: str, value: Any) -> datetime:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{name} is missing")
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(f"{name} is not an ISO-8601 time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise ValidationError(f"{name} has no time zone: {value[:40]!r}")
    return moment


def _symbols(value: Any) -> frozenset[str]:
    parts = value if isinstance(value, list) else _SPLIT.split(str(value or ""))
    symbols = frozenset(checked_symbol(str(part)) for part in parts if str(part).strip())
    if not symbols:
        raise ValidationError("symbols is empty")
    return symbols


def _text(row: dict[str, Any], key: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"{key} is not text")
    return value.strip() or None


def news_item(row: dict[str, Any] | str) -> NewsItem:
    """The item of one parsed row, or :class:`ValidationError` (a str row is its error)."""
    if isinstance(row, str):
        raise ValidationError(row)
    _check_columns(set(row) | (REQUIRED - set(row)), "fields")
    for key in sorted(REQUIRED):
        if row.get(key) in (None, ""):
            raise ValidationError(f"{key} is missing")
    published = _moment("published_at", row["published_at"])
    seen = row.get("first_seen_at")
    return NewsItem(
        symbols=_symbols(row["symbols"]),
        title=_text(row, "title") or "",
        url=_text(row, "url") or "",
        source=_text(row, "source") or "import",
        published_at=published,
        first_seen_at=_moment("first_seen_at", seen) if seen else published,
        summary=_text(row, "summary"),
    )
