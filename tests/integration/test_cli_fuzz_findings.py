"""What a longer fuzz run and a hostile new user still broke after issue 9's first fixes, through
the real command tree on SQLite, offline (issue 9, fuzz: one test per finding)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from support.cli_driver import Cli

HEADER = "date,open,high,low,close,volume"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


@pytest.fixture
def sample(cli: Cli, isolated_environment: Path) -> Path:
    """The data directory holding the bundled sample of AAPL; returns the database file."""
    code, _, err = cli("data", "ingest", "--source", "sample", "--symbols", "AAPL")
    assert code == 0, err
    return isolated_environment / "trademind.db"


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def database_digest(database: Path) -> tuple[str | None, ...]:
    return tuple(digest(database.with_name(database.name + end)) for end in ("", "-wal"))


def test_update_indicators_refuses_a_symbol_without_bars_before_writing(
    cli: Cli, sample: Path
) -> None:
    """issue 9, fuzz: `data update-indicators --symbols AAPL,MSFT` (MSFT not stored) wrote
    AAPL's indicators, then failed with "1 of 2 failed: MSFT" and no reason."""
    before = database_digest(sample)
    err = cli.fails("data", "update-indicators", "--symbols", "AAPL,MSFT")
    assert err.startswith("error: no bars stored for MSFT;"), err
    assert database_digest(sample) == before


def test_an_empty_symbol_list_is_a_usage_error(cli: Cli, isolated_environment: Path) -> None:
    """issue 9, fuzz: `--symbols ,` named no symbol and meant "every stored symbol"."""
    for command in ("update-indicators", "verify", "ingest"):
        err = cli.fails("data", command, "--symbols", ",", code=2)
        assert "names no symbol" in err, err


def test_clear_cache_checks_its_symbol_before_opening_the_database(cli: Cli, sample: Path) -> None:
    """issue 9, fuzz: `data clear-cache --symbol . --bars` opened the database (its WAL
    changed) and exited 1; `--bars` without `--symbol` exited 1: both are usage errors."""
    before = database_digest(sample)
    assert "invalid symbol '.'" in cli.fails(
        "data", "clear-cache", "--symbol", ".", "--bars", code=2
    )
    assert "name it with --symbol" in cli.fails("data", "clear-cache", "--bars", code=2)
    assert database_digest(sample) == before


@pytest.mark.parametrize("plot", ["", "{tmp}", "/proc/version/chart.html"])
def test_a_bad_plot_path_is_a_usage_error_before_any_work(
    cli: Cli, isolated_environment: Path, tmp_path: Path, plot: str
) -> None:
    """issue 9, fuzz: `data show AAPL --plot DIR` read the bars first and failed with exit 1
    ("cannot write ."); a path that cannot be written is refused first, exit 2, even with
    nothing stored."""
    err = cli.fails("data", "show", "AAPL", "--plot", plot.format(tmp=tmp_path), code=2)
    assert err.startswith("error: --plot "), err
    assert not (isolated_environment / "trademind.db").exists()


def test_a_csv_naming_a_column_twice_is_refused(
    cli: Cli, isolated_environment: Path, tmp_path: Path
) -> None:
    """issue 9, fuzz: `date,open,high,low,close,close,volume` was stored with the first
    close, silently; the file does not say which column holds the prices."""
    path = tmp_path / "DUP.csv"
    path.write_text(f"{HEADER},Close\n2023-03-01,10,11,9,10.5,1000,10.6\n", encoding="utf-8")
    code, _, err = cli("data", "ingest", "--source", "csv", "--path", str(path))
    assert code == 1, err
    assert "has the column 'close' more than once" in err, err


def test_a_fifo_is_not_called_missing(cli: Cli, isolated_environment: Path, tmp_path: Path) -> None:
    """issue 9, fuzz: `data ingest --source csv --path FIFO.csv` said the path "does not
    exist"; it exists but is no regular file (and is never opened, so nothing blocks)."""
    fifo = tmp_path / "FIFO.csv"
    os.mkfifo(fifo)
    err = cli.fails("data", "ingest", "--source", "csv", "--path", str(fifo))
    assert "is not a regular file or a directory" in err, err


def test_an_empty_directory_named_like_a_csv_is_named(
    cli: Cli, isolated_environment: Path, tmp_path: Path
) -> None:
    """issue 9, fuzz: a directory `x.csv` gave "no SYMBOL.csv files" without saying where."""
    folder = tmp_path / "x.csv"
    folder.mkdir()
    err = cli.fails("data", "ingest", "--source", "csv", "--path", str(folder))
    assert f"no SYMBOL.csv files in the directory {folder}" in err, err


def test_an_unknown_revision_is_a_usage_error_before_the_database(cli: Cli, sample: Path) -> None:
    """issue 9, fuzz: `db downgrade Ð` opened the database (its WAL changed) and exited 1
    with alembic's "Can't locate revision"; the shipped revisions are known without it."""
    before = database_digest(sample)
    for command in ("downgrade", "upgrade"):
        err = cli.fails("db", command, "Ð", code=2)
        assert "unknown revision 'Ð'" in err, err
        assert "0001" in err, err
    assert database_digest(sample) == before


def test_an_error_naming_a_file_with_a_line_break_stays_one_line(
    cli: Cli, isolated_environment: Path
) -> None:
    """issue 9, fuzz: `config validate $'AAPL\\nMSFT'` printed a two-line error; control
    characters (a newline, a terminal escape) are shown escaped."""
    err = cli.fails("config", "validate", "AAPL\nMSFT\x1b[2J")
    assert err.count("\n") == 1, repr(err)
    assert err.endswith("AAPL\\nMSFT\\x1b[2J\n"), repr(err)


def test_a_sqlite_url_with_options_is_refused_not_warned_about(
    cli: Cli, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """issue 9, fuzz: TRADEMIND__DATABASE__URL='sqlite:///x.db?mode=ro' ran, printing
    SQLAlchemy's raw two-line SAWarning that the option is ignored."""
    monkeypatch.setenv("TRADEMIND__DATABASE__URL", "sqlite:///x.db?mode=ro")
    err = cli.fails("data", "status")
    assert "a SQLite URL takes no ?options" in err, err
