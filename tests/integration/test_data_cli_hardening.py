"""`trademind data` hardening of issue 9, through the real command tree on SQLite, offline:
implausible values (defect 6), messages and --columns (defect 8), every interval verified
(defect 10) and the offline ingest (defect 12)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pytest
import sqlalchemy as sa
from support.cli_driver import Cli

from trademind.cli.context import CliState
from trademind.core.clock import LiveClock
from trademind.data.providers import BarProvider
from trademind.data.providers.yfinance import YFinanceProvider
from trademind.db.session import Database
from trademind.testing.yahoo import FakeYahoo

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.data.providers import Source

HEADER = "Date,Open,High,Low,Close,Volume"


def daily_csv(path: Path, rows: int = 40, extra: dict[str, str] | None = None) -> Path:
    """Calm daily bars on weekdays from 2023-01-02; ``extra`` replaces rows by date."""
    lines = [HEADER]
    for day in pd.bdate_range("2023-02-01", periods=rows):
        price = 100 + (day.day % 5)
        lines.append(f"{day:%Y-%m-%d},{price},{price + 1},{price - 1},{price + 0.5},1000")
    for date, row in (extra or {}).items():
        lines = [row if line.startswith(date) else line for line in lines]
    path.write_text("\n".join(lines) + "\n")
    return path


def stored_closes(data_dir: Path, symbol: str) -> list[float]:
    database = Database(f"sqlite:///{data_dir / 'trademind.db'}")
    query = sa.text("SELECT close FROM market_data WHERE symbol = :s ORDER BY ts")
    try:
        return [row[0] for row in database.run(lambda c: c.execute(query, {"s": symbol}).all())]
    finally:
        database.dispose()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


# --- defect 6: implausible values --------------------------------------------------------------


def test_the_1e308_row_is_quarantined_and_verify_lists_it(
    cli: Cli, tmp_path: Path, isolated_environment: Path
) -> None:
    """Defect 6: `2023-03-02,1e308,1e308,1e308,1e308,1000` was stored and never flagged."""
    bad = "2023-03-02,1e308,1e308,1e308,1e308,1000"
    path = daily_csv(tmp_path / "BIG.csv", extra={"2023-03-02": bad})
    code, out, err = cli("data", "ingest", "--source", "csv", "--path", str(path))
    assert code == 0, err
    assert "1 rows quarantined" in err
    assert max(stored_closes(isolated_environment, "BIG")) < 1000
    code, out, err = cli("data", "verify", "-f", "json")
    assert code == 1
    assert "implausible_price" in out
    assert "1e+308" in out


def test_verify_flags_implausible_rows_stored_before_the_fix(
    cli: Cli, tmp_path: Path, isolated_environment: Path
) -> None:
    """Defect 6: rows stored by an older TradeMind (no screen) are flagged by `data verify`."""
    path = daily_csv(tmp_path / "OLD.csv")
    assert cli("data", "ingest", "--source", "csv", "--path", str(path))[0] == 0
    database = Database(f"sqlite:///{isolated_environment / 'trademind.db'}")
    update = sa.text(
        "UPDATE market_data SET open = 1e308, high = 1e308, low = 1e308, close = 1e308 "
        "WHERE symbol = 'OLD' AND ts = (SELECT min(ts) FROM market_data) "
    )
    try:
        database.run(lambda c: c.execute(update))
    finally:
        database.dispose()
    code, out, err = cli("data", "verify", "--symbols", "OLD", "-f", "json")
    assert code == 1, err
    assert '"check": "implausible_price"' in out


# --- defect 8: messages and --columns -----------------------------------------------------------


def test_a_file_named_like_no_symbol_is_a_usage_error_that_says_so(
    cli: Cli, tmp_path: Path
) -> None:
    """Defect 8: `--path 'BRK B.csv'` said "no SYMBOL.csv files"."""
    path = daily_csv(tmp_path / "BRK B.csv")
    code, out, err = cli("data", "ingest", "--source", "csv", "--path", str(path))
    assert (code, out) == (2, "")
    assert "'BRK B.csv' is not a valid symbol" in err
    assert "BRK-B.csv" in err
    assert "no SYMBOL.csv" not in err


def test_columns_maps_other_names(cli: Cli, tmp_path: Path, isolated_environment: Path) -> None:
    """Defect 8: the CLI had no way to map column names; now `--columns` does."""
    path = daily_csv(tmp_path / "SAP.csv")
    text = path.read_text().replace(HEADER, "Datum,Eröffnung,Hoch,Tief,Schluss,Umsatz")
    path.write_text(text)
    code, _out, err = cli("data", "ingest", "--source", "csv", "--path", str(path))
    assert code == 1
    assert "lacks required column(s) date, open, high, low, close, volume" in err
    assert "--columns date=COLUMN,open=COLUMN" in err
    assert "column mapping" not in err
    mapping = "date=Datum,open=Eröffnung,high=Hoch,low=Tief,close=Schluss,volume=Umsatz"
    code, _, err = cli(
        "data", "ingest", "--source", "csv", "--path", str(path), "--columns", mapping
    )
    assert code == 0, err
    assert len(stored_closes(isolated_environment, "SAP")) == 40


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (("--source", "csv", "--columns", "date=Datum,,close=Schluss"), "empty entry"),
        (("--source", "csv", "--columns", "preis=Kurs"), "unknown field 'preis'"),
        (("--source", "csv", "--columns", "date=A,date=B"), "mapped twice"),
        (("--source", "csv", "--columns", "date"), "FIELD=COLUMN"),
        (("--source", "sample", "--columns", "date=Datum"), "needs --source csv"),
    ],
)
def test_bad_columns_are_usage_errors(
    cli: Cli, tmp_path: Path, arguments: tuple[str, ...], words: str
) -> None:
    path = daily_csv(tmp_path / "ABC.csv")
    code, out, err = cli("data", "ingest", "--path", str(path), *arguments)
    assert (code, out) == (2, ""), err
    assert words in err


# --- defect 10: every stored interval is verified ---------------------------------------------


def hourly_csv(path: Path) -> Path:
    lines = ["Datetime,Open,High,Low,Close,Volume"]
    for day in pd.bdate_range("2024-03-04", periods=3):
        for hour in range(10, 16):
            stamp = f"{day:%Y-%m-%d} {hour}:30:00"
            lines.append(f"{stamp},100,101,99,100.5,1000")
    lines[5] = lines[5].rsplit(",", 1)[0] + ",-7"  # negative volume: quarantined
    path.write_text("\n".join(lines) + "\n")
    return path


def test_verify_lists_problems_of_every_interval_by_default(cli: Cli, tmp_path: Path) -> None:
    """Defect 10: quarantined 1h rows were never listed, and `--symbols X` with only 1h bars
    said "no bars stored for X"."""
    path = hourly_csv(tmp_path / "HRS.csv")
    code, _, err = cli("data", "ingest", "--source", "csv", "--path", str(path), "--interval", "1h")
    assert code == 0, err
    for arguments in ((), ("--symbols", "HRS")):
        code, out, err = cli("data", "verify", *arguments, "-f", "json")
        assert code == 1, err
        assert "no bars stored" not in err
        assert '"check": "negative_volume"' in out
        assert '"timeframe": "1h"' in out
    code, out, err = cli("data", "verify", "--symbols", "HRS", "--interval", "1d")
    assert code == 1
    assert "error: no bars stored for HRS;" in err  # --interval narrows what is verified


# --- defect 12: offline ingest -------------------------------------------------------------------


@dataclass
class Factory:
    download: FakeYahoo
    reason: str | None

    def __call__(self, source: Source, path: Path | None, settings: Settings) -> BarProvider:
        del source, path, settings

        def probe(host: str, port: int, timeout: float) -> str | None:
            del host, port, timeout
            return self.reason

        return YFinanceProvider(
            download=self.download, probe=probe, sleep=lambda _s: None, clock=LiveClock()
        )


def test_offline_ingest_fails_at_once_with_one_line(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    """Defect 12: offline, `data ingest --symbols AAPL,MSFT` took 18 s of retries and printed
    115 lines; now one probe, no download, one error line, exit 1."""
    download = FakeYahoo(delisted={"AAPL", "MSFT"})
    reason = "cannot resolve query1.finance.yahoo.com (Name or service not known)"
    cli = Cli(capsys, lambda: CliState(provider_factory=Factory(download, reason)))
    code, out, err = cli("data", "ingest", "--symbols", "AAPL,MSFT", "--source", "yfinance")
    assert (code, out) == (1, "")
    assert download.calls == []
    assert err.splitlines() == [
        f"error: cannot reach Yahoo Finance (query1.finance.yahoo.com): {reason}; nothing was "
        "ingested. Use --source sample or --source csv offline"
    ]
    assert stored_closes(isolated_environment, "AAPL") == []


def test_each_failure_is_printed_once_without_library_logging(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Defect 12: each symbol's failure was printed twice, after yfinance's own log lines."""
    download = FakeYahoo(delisted={"AAPL", "MSFT"})
    cli = Cli(capsys, lambda: CliState(provider_factory=Factory(download, None)))
    code, _, err = cli("data", "ingest", "--symbols", "AAPL,MSFT", "--source", "yfinance")
    assert code == 1
    assert download.symbols == ["AAPL", "MSFT"]
    (line,) = err.splitlines()  # one line naming each failure once
    assert line.startswith("error: 2 of 2 failed: AAPL: yfinance returned no 1d bars")
    assert "; MSFT: yfinance returned no 1d bars" in line
    for symbol in ("AAPL", "MSFT"):
        assert line.count(f"${symbol}: possibly delisted") == 1, err
