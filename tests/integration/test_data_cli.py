"""`trademind data ...` end to end through the real command tree, on the shared real bars.

Each command runs through :func:`trademind.cli.main.dispatch` (exit codes and one-line errors as
people get them) against SQLite in the test's data directory, or PostgreSQL where marked.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.cli_driver import Cli
from support.shared_data import daily_dir

from trademind.db.session import Database

ROOT = Path(__file__).resolve().parents[2]
SYMBOLS = ("AAPL", "AMZN", "GOOGL", "META", "MSFT", "NVDA", "TSLA")
ROWS = 2768


@pytest.fixture
def daily() -> Path:
    return daily_dir()  # skips without ../shared/data (fails in CI)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "postgresql":
        monkeypatch.setenv(
            "TRADEMIND__DATABASE__URL", request.getfixturevalue("postgres_schema_url")
        )
    return str(request.param)


def _bar_count(data_dir: Path) -> int:
    database = Database(f"sqlite:///{data_dir / 'trademind.db'}")
    try:
        return int(
            database.run(lambda c: c.execute(sa.text("SELECT count(*) FROM market_data")).scalar())
        )
    finally:
        database.dispose()


def _broken_copy(source: Path, target: Path) -> Path:
    """AAPL with an unparsable row (line 11), a negative close (line 21), the date of line 31
    repeated with a different close and the line after that (line 42 by then) repeated verbatim."""
    lines = source.read_text().splitlines()
    lines[10] = lines[10].split(",")[0] + ",abc,1,1,1,100"
    negative = lines[20].split(",")
    negative[4] = "-5.0"
    lines[20] = ",".join(negative)
    duplicate = lines[30].split(",")
    duplicate[4] = str(float(duplicate[4]) * 1.1)
    lines.insert(31, ",".join(duplicate))
    lines.insert(42, lines[41])
    target.mkdir(parents=True, exist_ok=True)
    path = target / "AAPL.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_shared_files_ingest_verify_clean_and_reingest_adds_nothing(
    cli: Cli, daily: Path, backend: str
) -> None:
    report = cli.json("data", "ingest", "--source", "csv", "--path", str(daily))
    assert [row["symbol"] for row in report["symbols"]] == list(SYMBOLS)
    assert {row["inserted"] for row in report["symbols"]} == {ROWS}
    assert report["totals"]["failed"] == 0

    code, out, err = cli("data", "verify")
    assert (code, out.strip(), err) == (0, "no problems found", "")
    assert cli.json("data", "verify") == []

    again = cli.json("data", "ingest", "--source", "csv", "--path", str(daily))
    assert again["totals"]["inserted"] == again["totals"]["updated"] == 0
    assert again["totals"]["unchanged"] == ROWS * len(SYMBOLS)
    status = cli.json("data", "status")
    assert [(row["symbol"], row["rows"], row["open_issues"]) for row in status] == [
        (symbol, ROWS, 0) for symbol in SYMBOLS
    ]
    assert status[0]["first"] == "2013-01-02T00:00:00+00:00"
    assert status[0]["last"] == "2023-12-29T00:00:00+00:00"


def test_a_broken_copy_stores_the_good_rows_and_verify_lists_the_bad(
    cli: Cli, daily: Path, tmp_path: Path, isolated_environment: Path
) -> None:
    broken = _broken_copy(daily / "AAPL.csv", tmp_path / "broken")
    code, out, err = cli("data", "ingest", "--source", "csv", "--path", str(broken))
    assert code == 0, err
    assert "warning: 5 rows quarantined (1 unparsable)" in err
    assert "AAPL" in out
    assert _bar_count(isolated_environment) == ROWS - 3  # three dates had no good row

    issues = cli.json("data", "verify", expect=1)
    checks = sorted(issue["check"] for issue in issues if issue["detail"].startswith("quar"))
    assert checks == ["duplicate_ts"] * 3 + ["non_positive_price", "unparsable"]
    repeated = (daily / "AAPL.csv").read_text().splitlines()[40].split(",")[0]  # shifted by one
    (repeat,) = [issue for issue in issues if "identical repeat" in issue["detail"]]
    assert repeat["detail"].endswith(f"identical repeat of the row for {repeated}")
    unparsable = next(issue for issue in issues if issue["check"] == "unparsable")
    assert "line 11" in unparsable["detail"]
    assert any(issue["check"] == "missing_sessions" for issue in issues)

    code, out, err = cli("data", "verify")
    assert code == 1
    assert "non_positive_price" in out
    assert "data quality problems found" in err

    report = cli.json("data", "ingest", "--source", "csv", "--path", str(broken))
    assert report["symbols"][0]["unchanged"] == ROWS - 3
    assert len(cli.json("data", "verify", expect=1)) == len(issues)  # no duplicates
    (status,) = cli.json("data", "status")
    assert (status["rows"], status["open_issues"]) == (ROWS - 3, 5)


def test_good_data_is_not_overwritten_by_a_broken_copy(
    cli: Cli, daily: Path, tmp_path: Path
) -> None:
    cli.json("data", "ingest", "--source", "csv", "--path", str(daily / "AAPL.csv"))
    broken = _broken_copy(daily / "AAPL.csv", tmp_path / "broken")
    report = cli.json("data", "ingest", "--source", "csv", "--path", str(broken))
    row = report["symbols"][0]
    assert (row["inserted"], row["updated"], row["unchanged"]) == (0, 0, ROWS - 3)
    assert (row["quarantined"], row["rejected"]) == (4, 1)
    shown = cli.json("data", "show", "AAPL", "--days", "5000")
    assert len(shown["bars"]) == ROWS
    assert min(bar["close"] for bar in shown["bars"]) > 0


def test_malformed_files_fail_alone_and_harm_nothing_stored(
    cli: Cli, daily: Path, tmp_path: Path
) -> None:
    cli.json("data", "ingest", "--source", "csv", "--path", str(daily / "MSFT.csv"))
    before = cli.json("data", "show", "MSFT", "--days", "40")
    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(daily / "AAPL.csv", bad / "AAPL.csv")
    header, *rows = (daily / "MSFT.csv").read_text().splitlines()
    (bad / "MSFT.csv").write_text("\n".join([header.replace(",Close", ""), *rows]) + "\n")
    (bad / "NVDA.csv").write_text((daily / "NVDA.csv").read_text().replace(",", ";"))
    (bad / "TSLA.csv").write_text("")

    code, out, err = cli("data", "ingest", "--source", "csv", "--path", str(bad), "-f", "json")
    assert code == 1
    (line,) = err.splitlines()  # one line: every failed symbol named once, with its reason
    assert line.startswith("error: 3 of 4 failed: MSFT: ")
    assert "; NVDA: " in line
    assert "; TSLA: " in line
    results = {row["symbol"]: row for row in json.loads(out)["symbols"]}
    assert results["AAPL"]["inserted"] == ROWS
    assert results["AAPL"]["ok"]
    for symbol in ("MSFT", "NVDA", "TSLA"):
        assert results[symbol]["error"], symbol
        assert results[symbol]["inserted"] == 0
    assert cli.json("data", "show", "MSFT", "--days", "40") == before


def test_sample_source_works_offline(cli: Cli) -> None:
    report = cli.json("data", "ingest", "--source", "sample", "--symbols", "aapl,msft")
    assert [(row["symbol"], row["inserted"]) for row in report["symbols"]] == [
        ("AAPL", ROWS),
        ("MSFT", ROWS),
    ]
    assert any("sample" in notice for notice in report["symbols"][0]["notices"])
    code, out, _ = cli("data", "ingest", "--source", "sample", "--symbols", "AAPL")
    assert code == 0
    assert "not live data" in out


def test_show_needs_stored_bars_and_names_the_ingest_command(cli: Cli) -> None:
    code, out, err = cli("data", "show", "XYZ", "--days", "5")
    assert (code, out) == (1, "")
    assert "no bars stored for XYZ" in err
    assert "trademind data ingest --symbols XYZ" in err
    assert "--source sample" in err
    code, _, err = cli("data", "verify")
    assert code == 1
    assert "no bars stored" in err


def test_indicators_show_and_plot(cli: Cli, tmp_path: Path) -> None:
    cli.json("data", "ingest", "--source", "sample", "--symbols", "AAPL")
    code, out, _ = cli("data", "show", "AAPL", "--days", "3")
    assert code == 0
    assert "2023-12-29" in out
    assert "run `trademind data update-indicators`" in out
    report = cli.json("data", "update-indicators", "--symbols", "AAPL")
    assert report["results"][0]["symbol"] == "AAPL"
    assert report["ok"]
    shown = cli.json("data", "show", "AAPL", "--days", "10")
    assert shown["bars"][-1]["ts"] == "2023-12-29T00:00:00+00:00"
    assert 5 <= len(shown["bars"]) <= 8
    last = shown["bars"][-1]
    assert 0 < last["rsi_14"] < 100
    assert last["sma_20"] > 0
    code, out, _ = cli("data", "show", "AAPL", "--days", "3")
    assert code == 0
    assert "AAPL 1d: momentum" in out
    assert "update-indicators" not in out

    chart = tmp_path / "charts" / "aapl.html"
    code, out, err = cli("data", "show", "AAPL", "--days", "60", "--plot", str(chart))
    assert code == 0, err
    assert f"chart written to {chart}" in out
    html = chart.read_text()
    assert "candlestick" in html
    assert "rsi_14" in html
    assert "macd_12_26_9_signal" in html
    assert 'src="https://cdn.plot.ly' not in html  # plotly.js is inline: works offline
    assert len(html) > 1_000_000


def test_clear_cache_and_delete_bars(cli: Cli) -> None:
    cli.json("data", "ingest", "--source", "sample", "--symbols", "AAPL,MSFT")
    assert cli.json("data", "clear-cache") == {"symbol": None, "cache_keys": 0, "deleted": None}
    code, _, err = cli("data", "clear-cache", "--symbol", "AAPL", "--bars")
    assert code == 2  # a destructive command without --yes from a non-terminal: usage error
    assert f"deletes {ROWS:,} bars and " in err
    assert "--yes" in err
    assert len(cli.json("data", "status")) == 2
    cleared = cli.json("data", "clear-cache", "--symbol", "aapl", "--bars", "--yes")
    assert cleared["deleted"]["bars"] == ROWS
    assert [row["symbol"] for row in cli.json("data", "status")] == ["MSFT"]
    again = cli.json("data", "ingest", "--source", "sample", "--symbols", "AAPL")
    assert again["symbols"][0]["inserted"] == ROWS


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--days", "0"), 2, "--days"),
        (("--days", "5", "--start", "2020-01-01"), 2, "either --days or --start"),
        (("--start", "2021-01-01", "--end", "2020-01-01"), 2, "is after --end"),
        (("--end", "9999-12-31"), 2, "--end 9999-12-31 is out of range"),
        (("--start", "01/02/2020"), 2, "Invalid value"),
        (("--interval", "7m"), 2, "unknown interval"),
        (("--symbols", "bad symbol!"), 2, "invalid symbol"),
    ],
)
def test_bad_ingest_options_are_one_line_errors(
    cli: Cli, args: tuple[str, ...], code: int, message: str
) -> None:
    result = cli("data", "ingest", "--source", "sample", *args)
    assert result[0] == code
    assert message in result[2]
    assert "Traceback" not in result[2]
