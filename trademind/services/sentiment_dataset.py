"""Loading a labelled sentiment file for `agents eval-sentiment`.

A CSV or TSV file (by ``delimiter``, else by extension: ``.tsv``/``.tab`` are tab-separated,
anything else comma-separated) with a header row naming the columns ``text`` and ``label`` (in
any order, case-insensitive, other columns ignored); labels ``positive``, ``negative`` or
``neutral`` in any case. UTF-8, with or without a byte-order mark. A file that breaks any rule is
refused whole with one line naming the file and the line: a missing column, an unknown or empty
label, an empty text, a file with no data row. ``sample`` names the labelled set TradeMind
ships (``trademind/testing/sentiment_sample.csv``: 72 sentences written for the project, 24 per
label); a file of that name is given as ``./sample``.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

from trademind.agents.sentiment.port import LABELS, SentimentLabel
from trademind.core.errors import UsageError, ValidationError

SAMPLE: Final = "sample"
SAMPLE_PATH: Final = Path(__file__).resolve().parent.parent / "testing" / "sentiment_sample.csv"
type Delimiter = Literal["csv", "tsv"]


@dataclass(frozen=True, slots=True)
class LabelledText:
    text: str
    label: SentimentLabel
    line: int


def resolve_dataset(name: str) -> Path:
    """The file ``--dataset`` names (``sample``: the bundled set)."""
    return SAMPLE_PATH if name == SAMPLE else Path(name)


def load_dataset(path: Path, delimiter: Delimiter | None = None) -> list[LabelledText]:
    """Every row of ``path``; raises a one-line error for a file that breaks the rules."""
    if not _is_file(path):
        raise UsageError(f"{path}: no such file")
    kind = delimiter or ("tsv" if path.suffix.lower() in (".tsv", ".tab") else "csv")
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = _read(handle, "\t" if kind == "tsv" else ",", path)
    except UnicodeDecodeError as exc:
        raise ValidationError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except csv.Error as exc:
        raise ValidationError(f"{path}: not a readable {kind.upper()} file ({exc})") from exc
    except OSError as exc:
        raise ValidationError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if not rows:
        raise ValidationError(f"{path}: no labelled rows (a header and at least one row needed)")
    return rows


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except (OSError, ValueError):  # a name too long, a NUL byte in it
        return False


def _read(handle: Iterable[str], separator: str, path: Path) -> list[LabelledText]:
    reader = csv.reader(handle, delimiter=separator)
    header = next(reader, None)
    if header is None:
        raise ValidationError(f"{path}: empty file (a header with text,label needed)")
    names = [name.strip().lower() for name in header]
    missing = [column for column in ("text", "label") if column not in names]
    if missing:
        found = ",".join(names) or "nothing"
        raise ValidationError(f"{path}, line 1: missing column {missing[0]!r} (found {found})")
    text_at, label_at = names.index("text"), names.index("label")
    rows: list[LabelledText] = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        rows.append(_row(cells, text_at, label_at, reader.line_num, path))
    return rows


def _row(cells: list[str], text_at: int, label_at: int, line: int, path: Path) -> LabelledText:
    if len(cells) <= max(text_at, label_at):
        raise ValidationError(f"{path}, line {line}: {len(cells)} column(s), too few")
    text, label = cells[text_at].strip(), cells[label_at].strip().lower()
    if label not in LABELS:
        shown = label or "(empty)"
        raise ValidationError(
            f"{path}, line {line}: unknown label {shown!r} (positive, negative or neutral)"
        )
    if not text:
        raise ValidationError(f"{path}, line {line}: empty text")
    return LabelledText(text=text, label=label, line=line)
