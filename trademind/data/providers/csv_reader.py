"""Parse the bytes of a CSV bar file into bars and rejected rows (the CSV provider's engine).

Text is read with pandas (``dtype=str``, C parser) and parsed column by column; a file whose
rows disagree on the number of fields falls back to the ``csv`` module and rejects those rows.
Each rejected row keeps its 1-based line number in the file (the header is line 1).
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt
import pandas as pd

from trademind.core.errors import ValidationError
from trademind.data.providers.base import (
    BarRequest,
    NoDataError,
    ProviderError,
    ProviderResult,
    RejectedRow,
    sort_bars,
    within_range,
)
from trademind.data.providers.csv_stamps import REPEATED_HEADER, check_cadence, parse_stamps
from trademind.data.schema import conform_bar_frame

ALIASES: Final[dict[str, tuple[str, ...]]] = {
    "ts": ("ts", "datetime", "timestamp", "date_time", "date time"),
    "date": ("date", "day"),
    "time": ("time",),
    "open": ("open",),
    "high": ("high",),
    "low": ("low",),
    "close": ("close",),
    "volume": ("volume", "vol"),
    "adj_close": ("adj close", "adj_close", "adjclose", "adjusted close", "adjusted_close"),
}
MAPPABLE_FIELDS: Final = tuple(ALIASES)
_NUMERIC: Final = ("open", "high", "low", "close", "volume", "adj_close")
_REQUIRED: Final = ("open", "high", "low", "close", "volume")
_MISSING_TOKENS: Final = frozenset({"", "nan", "na", "n/a", "null", "none"})
_WRONG_DELIMITERS: Final = (";", "\t", "|")


@dataclass(frozen=True)
class ParsedCsv:
    """A whole file parsed: conformed bars sorted by ts, and the rows that did not parse."""

    bars: pd.DataFrame
    rejected: tuple[tuple[pd.Timestamp | None, RejectedRow], ...]

    def result(
        self, request: BarRequest, *, source: str, notices: tuple[str, ...] = ()
    ) -> ProviderResult:
        """The part of the file inside the request's range (rejected rows of unknown time too)."""
        bars = within_range(self.bars, request)
        rejected = tuple(row for ts, row in self.rejected if ts is None or _in_range(ts, request))
        return ProviderResult(
            symbol=request.symbol,
            timeframe=request.timeframe,
            source=source,
            bars=bars,
            rejected=rejected,
            notices=notices,
        )


def _in_range(ts: pd.Timestamp, request: BarRequest) -> bool:
    after_start = request.start is None or ts >= pd.Timestamp(request.start)
    return after_start and (request.end is None or ts < pd.Timestamp(request.end))


def check_column_map(column_map: Mapping[str, str] | None) -> dict[str, str]:
    """Validate a ``{our_field: their_column}`` mapping (our fields: :data:`MAPPABLE_FIELDS`)."""
    mapping = dict(column_map or {})
    unknown = sorted(set(mapping) - set(MAPPABLE_FIELDS))
    if unknown:
        raise ValidationError(
            f"unknown field(s) in the column mapping: {', '.join(unknown)} "
            f"(map any of {', '.join(MAPPABLE_FIELDS)})"
        )
    return mapping


def parse_column_spec(text: str) -> dict[str, str]:
    """``"date=Datum,close=Schluss"`` -> ``{"date": "Datum", "close": "Schluss"}`` (the value
    of ``data ingest --columns``); ValidationError for an empty entry, an entry without ``=``,
    an unknown field, a field or a column named twice."""
    mapping: dict[str, str] = {}
    fields = ", ".join(MAPPABLE_FIELDS)
    for part in text.split(","):
        entry = part.strip()
        field, equals, column = (piece.strip() for piece in entry.partition("="))
        if not entry:
            raise ValidationError(
                f"empty entry in {text!r}: give FIELD=COLUMN pairs, e.g. date=Datum"
            )
        if not equals or not field or not column:
            raise ValidationError(f"{entry!r} is not FIELD=COLUMN (e.g. date=Datum)")
        field = field.lower()
        if field not in MAPPABLE_FIELDS:
            raise ValidationError(f"unknown field {field!r} in {entry!r}: map any of {fields}")
        if field in mapping:
            raise ValidationError(f"field {field!r} is mapped twice")
        if column.lower() in (known.lower() for known in mapping.values()):
            raise ValidationError(f"column {column!r} is mapped to two fields")
        mapping[field] = column
    return mapping


def check_timezone(timezone: str) -> str:
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            f"unknown timezone {timezone!r}: use an IANA name like America/New_York"
        ) from None
    return timezone


def read_bar_csv(
    data: bytes,
    *,
    name: str,
    symbol: str,
    timeframe: str,
    column_map: Mapping[str, str] | None = None,
    timezone: str = "America/New_York",
) -> ParsedCsv:
    """Parse a whole CSV file (its bytes) into bars and rejected rows; ``name`` is for messages."""
    table, lines, rejected = _read_table(data, name=name, symbol=symbol)
    columns = _resolve_columns(list(table.columns), check_column_map(column_map), name, symbol)
    reasons: dict[int, list[str]] = {}
    ts = parse_stamps(
        table,
        columns,
        timeframe=timeframe,
        timezone=check_timezone(timezone),
        name=name,
        reasons=reasons,
    )
    numbers = _parse_numbers(table, columns, reasons)
    for position, problems in reasons.items():
        if problems[0] == REPEATED_HEADER:
            reasons[position] = [REPEATED_HEADER]
    good = np.ones(len(table), dtype=bool)
    good[list(reasons)] = False
    for position in sorted(reasons):
        known_ts = ts.iloc[position]
        rejected.append(
            (
                None if pd.isna(known_ts) else known_ts,
                RejectedRow(
                    line=int(lines[position]),
                    raw=_raw_row(table, position),
                    reason="; ".join(reasons[position]),
                ),
            )
        )
    bars = pd.DataFrame(
        {"ts": ts[good], **{field: values[good] for field, values in numbers.items()}}
    )
    bars = sort_bars(conform_bar_frame(bars))
    check_cadence(bars["ts"], timeframe, name)
    rejected.sort(key=lambda item: item[1].line or 0)
    return ParsedCsv(bars=bars, rejected=tuple(rejected))


_Rejected = list[tuple[pd.Timestamp | None, RejectedRow]]


def _read_table(
    data: bytes, *, name: str, symbol: str
) -> tuple[pd.DataFrame, npt.NDArray[np.int64], _Rejected]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ProviderError(
            f"{symbol}: {name} is not UTF-8 text (bad byte at offset {err.start})", symbol
        ) from None
    if not text.strip():
        raise NoDataError(f"{symbol}: {name} is empty", symbol)
    rejected: _Rejected = []
    lines: npt.NDArray[np.int64]
    try:
        table = pd.read_csv(
            io.StringIO(text),
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            skipinitialspace=True,
        )
        lines = np.arange(2, len(table) + 2, dtype=np.int64)
    except pd.errors.ParserError:
        table, lines, rejected = _read_ragged(text)
    table.columns = [str(column).strip() for column in table.columns]
    _check_delimiter(list(table.columns), name, symbol)
    first = table.columns[0]
    maybe_blank = (table[first] == "").to_numpy()
    if maybe_blank.any():
        blank = np.zeros(len(table), dtype=bool)
        blank[maybe_blank] = (table.loc[maybe_blank] == "").all(axis=1).to_numpy()
        table, lines = table.loc[~blank].reset_index(drop=True), lines[~blank]
    if table.empty and not rejected:
        raise NoDataError(f"{symbol}: {name} has a header but no rows", symbol)
    return table, lines, rejected


def _read_ragged(text: str) -> tuple[pd.DataFrame, npt.NDArray[np.int64], _Rejected]:
    """Slow path for files whose rows disagree on the number of fields: reject those rows."""
    rows = csv.reader(io.StringIO(text), skipinitialspace=True)
    header = _unique_names([field.strip() for field in next(rows)])
    kept: list[list[str]] = []
    lines: list[int] = []
    rejected: _Rejected = []
    for line, row in enumerate(rows, start=2):
        if not row or all(not field.strip() for field in row):
            continue
        if len(row) != len(header):
            names = header + [f"field{i + 1}" for i in range(len(header), len(row))]
            raw = dict(zip(names, row + [""] * (len(names) - len(row)), strict=True))
            reason = f"row has {len(row)} fields, the header has {len(header)}"
            rejected.append((None, RejectedRow(line=line, raw=raw, reason=reason)))
            continue
        kept.append(row)
        lines.append(line)
    return pd.DataFrame(kept, columns=header, dtype=str), np.array(lines, dtype=int), rejected


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        count = seen.get(name, 0)
        seen[name] = count + 1
        unique.append(name if count == 0 else f"{name}.{count}")
    return unique


def _check_delimiter(columns: list[str], name: str, symbol: str) -> None:
    if len(columns) == 1 and any(mark in columns[0] for mark in _WRONG_DELIMITERS):
        raise ProviderError(
            f"{symbol}: {name}: the delimiter looks wrong: the header {columns[0]!r} is a "
            "single column when split on ','; TradeMind reads comma-separated files",
            symbol,
        )


def _resolve_columns(
    columns: list[str], column_map: dict[str, str], name: str, symbol: str
) -> dict[str, str]:
    by_lower: dict[str, str] = {}
    for column in columns:
        by_lower.setdefault(column.lower(), column)
    resolved: dict[str, str] = {}
    for field, aliases in ALIASES.items():
        if field in column_map:
            wanted = column_map[field].strip()
            if wanted.lower() not in by_lower:
                raise ProviderError(
                    f"{symbol}: {name} has no column {wanted!r} (mapped to {field}); "
                    f"its columns: {', '.join(columns)}",
                    symbol,
                )
            resolved[field] = by_lower[wanted.lower()]
            continue
        match = next((by_lower[alias] for alias in aliases if alias in by_lower), None)
        if match is not None:
            resolved[field] = match
    _check_unambiguous(columns, resolved, name, symbol)
    if "ts" in resolved and "ts" not in column_map and "date" in column_map:
        del resolved["ts"]
    if "ts" in resolved:
        resolved.pop("date", None)
        resolved.pop("time", None)
    missing = [field for field in _REQUIRED if field not in resolved]
    if "ts" not in resolved and "date" not in resolved:
        missing.insert(0, "date")
    if missing:
        example = ",".join(f"{field}=COLUMN" for field in missing)
        raise ProviderError(
            f"{symbol}: {name} lacks required column(s) {', '.join(missing)} "
            f"(found: {', '.join(columns)}; map other names with "
            f"`data ingest --columns {example}`)",
            symbol,
        )
    return resolved


def _check_unambiguous(
    columns: list[str], resolved: dict[str, str], name: str, symbol: str
) -> None:
    """Refuse a file naming a column it uses twice (``close,close`` or ``Close,close``): which
    one holds the prices is a guess. Repeats come back from pandas as ``close.1``."""
    lowered = {column.lower() for column in columns}
    counts: dict[str, int] = {}
    for column in columns:
        base, dot, suffix = column.lower().rpartition(".")
        key = base if dot and suffix.isdigit() and base in lowered else column.lower()
        counts[key] = counts.get(key, 0) + 1
    twice = [column for column in resolved.values() if counts.get(column.lower(), 0) > 1]
    if twice:
        raise ProviderError(
            f"{symbol}: {name} has the column {twice[0]!r} more than once: rename or remove "
            "the copies (the file does not say which one holds the data)",
            symbol,
        )


def _parse_numbers(
    table: pd.DataFrame, columns: dict[str, str], reasons: dict[int, list[str]]
) -> dict[str, pd.Series]:
    """Exact float parsing (Python's ``float``, correctly rounded) of each number column."""
    numbers: dict[str, pd.Series] = {}
    for field in _NUMERIC:
        if field not in columns:
            numbers[field] = pd.Series(np.nan, index=range(len(table)), dtype="float64")
            continue
        raw = table[columns[field]].reset_index(drop=True)
        try:
            numbers[field] = raw.astype("float64")
        except ValueError:
            numbers[field] = _parse_loose(raw, field, reasons)
    return numbers


def _parse_loose(raw: pd.Series, field: str, reasons: dict[int, list[str]]) -> pd.Series:
    """Slow path for a column holding blanks or text: NaN for missing tokens, reasons for text."""
    values = np.empty(len(raw), dtype=np.float64)
    for position, text in enumerate(raw.tolist()):
        try:
            values[position] = float(text)
        except ValueError:
            values[position] = np.nan
            if str(text).strip().lower() not in _MISSING_TOKENS:
                reasons.setdefault(position, []).append(f"text {text!r} in {field}")
    return pd.Series(values, index=raw.index)


def _raw_row(table: pd.DataFrame, position: int) -> dict[str, str]:
    row = table.iloc[position]
    return {str(column): str(value) for column, value in row.items()}
