"""Bars from CSV files: yfinance-style, with ``Adj Close``, with separate ``Date,Time`` columns,
or any layout through a column mapping.

Files are read as text (``dtype=str``) with pandas and parsed column by column, so a million
rows load in a second or two. Nothing is dropped in silence: a row that cannot be parsed (an
unparsable date, text in a number field, a repeated header row, a wrong number of fields, a
timestamp whose UTC offset disagrees with the rest of the file) comes back as a
:class:`~trademind.data.providers.base.RejectedRow` with its 1-based line number, and the other
rows still load. Blank lines are skipped. Values are not judged here (quality does that).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Final

from trademind.core.errors import ValidationError
from trademind.data.providers.base import BarRequest, NoDataError, ProviderError, ProviderResult
from trademind.data.providers.csv_reader import (
    ParsedCsv,
    check_column_map,
    check_timezone,
    read_bar_csv,
)
from trademind.data.schema import check_timeframe, normalise_symbol

__all__ = ["CsvProvider", "check_symbol_file_name", "read_bar_csv"]

SYMBOL_FILE_RULE: Final = (
    "the csv source takes the symbol from the file name, so name each file SYMBOL.csv "
    "(letters, digits, '-', '.', '^' or '=', at most 20 characters; e.g. AAPL.csv, BRK-B.csv)"
)


def check_symbol_file_name(path: Path) -> str:
    """The symbol a CSV file is named after; ValidationError (with a suggested name) if none."""
    try:
        return normalise_symbol(path.stem)
    except ValidationError:
        suggestion = re.sub(r"[^A-Za-z0-9.^=-]+", "-", path.stem).strip("-").upper()[:20]
        try:
            rename = f"; rename it, e.g. to {normalise_symbol(suggestion)}{path.suffix}"
        except ValidationError:
            rename = ""
        raise ValidationError(
            f"the file name {path.name!r} is not a valid symbol: {SYMBOL_FILE_RULE}{rename}"
        ) from None


class CsvProvider:
    """Bars from one CSV file (symbol = its normalised stem) or a directory of SYMBOL.csv files."""

    name = "csv"

    def __init__(
        self,
        path: Path | str,
        *,
        column_map: Mapping[str, str] | None = None,
        timezone: str = "America/New_York",
    ) -> None:
        self.path = Path(path).expanduser()
        self.column_map = check_column_map(column_map)
        self.timezone = check_timezone(timezone)
        # The last file parsed, keyed by (path, size, mtime, timeframe): an incremental ingest
        # asks for two ranges of one file and should not parse it twice.
        self._last: tuple[tuple[str, int, int, str], ParsedCsv] | None = None

    def available_symbols(self) -> list[str]:
        """The symbols of the files (ValidationError when no file name is a valid symbol)."""
        files = self._files()
        if not files and self.path.is_dir():
            skipped = sorted(p.name for p in self.path.iterdir() if p.suffix.lower() == ".csv")
            if skipped:
                names = ", ".join(repr(name) for name in skipped[:5])
                more = f" and {len(skipped) - 5} more" if len(skipped) > 5 else ""
                raise ValidationError(
                    f"no CSV file in {self.path} is named after a valid symbol ({names}{more}): "
                    f"{SYMBOL_FILE_RULE}"
                )
        return sorted(files)

    def fetch(self, request: BarRequest) -> ProviderResult:
        check_timeframe(request.timeframe)
        path = self._file_for(request.symbol)
        result = self._parse(path, request).result(request, source=self.name)
        if result.bars.empty and not result.rejected:
            raise NoDataError(
                f"{request.symbol}: {path} has no bars in {request.describe_range()}",
                request.symbol,
            )
        return result

    def _parse(self, path: Path, request: BarRequest) -> ParsedCsv:
        try:
            status = path.stat()
            key = (str(path), status.st_size, status.st_mtime_ns, request.timeframe)
            if self._last is not None and self._last[0] == key:
                return self._last[1]
            data = path.read_bytes()
        except OSError as err:
            raise ProviderError(
                f"{request.symbol}: cannot read {path}: {err.strerror or err}", request.symbol
            ) from None
        parsed = read_bar_csv(
            data,
            name=str(path),
            symbol=request.symbol,
            timeframe=request.timeframe,
            column_map=self.column_map,
            timezone=self.timezone,
        )
        self._last = (key, parsed)
        return parsed

    def _files(self) -> dict[str, list[Path]]:
        if self.path.is_file():
            check_symbol_file_name(self.path)
            candidates = [self.path]
        elif self.path.is_dir():
            candidates = [p for p in self.path.iterdir() if p.suffix.lower() == ".csv"]
        elif self.path.exists():  # a FIFO, a socket, a device: reading could block forever
            raise ProviderError(f"CSV path {self.path} is not a regular file or a directory")
        else:
            raise ProviderError(f"CSV path {self.path} does not exist")
        files: dict[str, list[Path]] = {}
        for candidate in sorted(candidates):
            try:
                symbol = normalise_symbol(candidate.stem)
            except ValidationError:
                continue
            files.setdefault(symbol, []).append(candidate)
        return files

    def _file_for(self, symbol: str) -> Path:
        files = self._files()
        found = files.get(symbol)
        if not found:
            where = (
                f"the file {self.path} holds {self.path.stem!r} (named after its symbol)"
                if self.path.is_file()
                else f"no {symbol}.csv in {self.path}"
            )
            raise ProviderError(f"{symbol}: no CSV data: {where}", symbol)
        if len(found) > 1:
            names = ", ".join(p.name for p in found)
            raise ProviderError(f"{symbol}: several files name this symbol: {names}", symbol)
        return found[0]
