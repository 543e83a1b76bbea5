"""`trademind ab run|list|show|report` on the bundled sample (issue 12, item 9): rules against
hybrid on the same bars, an honest comparison with intervals, stored and shown again, the HTML
report, the user's ledger untouched, and bad input as one-line errors with the CLI's codes."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from support.cli_driver import Cli

from trademind.config import load_config
from trademind.db.models import AbTest, Account, Order
from trademind.db.session import Database

RUN = (
    "ab", "run", "--a", "rules", "--b", "hybrid", "--strategy", "ma_crossover",
    "--symbols", "AAPL,MSFT", "--start", "2022-01-01", "--end", "2022-12-31",
)  # fmt: skip


def _rows(model: type) -> int:
    database = Database(load_config(None).settings.database_url())
    try:
        with database.session() as session:
            return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0
    finally:
        database.dispose()


def test_rules_against_hybrid_on_the_sample_is_stored_shown_and_reported(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path, tmp_path: Path
) -> None:
    cli = Cli(capsys)
    test = cli.json(*RUN, "--bootstrap", "200", "--seed", "7")
    assert (test["variant_a"], test["variant_b"]) == ("rules", "hybrid")
    assert test["window_start"].startswith("2022-01-01")
    assert test["setup"]["replay_start"] < test["window_start"]  # the warm-up
    assert 240 <= test["days"] <= 252
    assert (test["resamples"], test["seed"], test["block_days"]) == (200, 7, 10)
    sharpe = test["sharpe"]
    assert sharpe["low"] <= sharpe["high"]
    assert sharpe["estimate"] == pytest.approx(test["b"]["sharpe"] - test["a"]["sharpe"])
    assert sharpe["excludes_zero"] == test["significant"]
    for variant in ("a", "b"):
        figures = test[variant]
        assert figures["final_equity"] == pytest.approx(
            figures["start_equity"] * (1 + figures["total_return"])
        )
        assert figures["max_drawdown"] <= 0
    assert test["a"]["decisions"]["hold"] == 0  # rules: each signal is a buy or a sell
    assert test["b"]["decisions"]["hold"] > 0  # hybrid: one decision per symbol and bar
    assert len(test["curve_days"]) == len(test["equity_a"]) == test["days"]
    assert "95% CI [" in test["verdict"]
    assert (_rows(Account), _rows(Order), _rows(AbTest)) == (0, 0, 1)

    assert cli.json("ab", "show", str(test["id"])) == test
    assert cli.json("ab", "run", *RUN[2:], "--bootstrap", "200", "--seed", "7")["sharpe"] == (
        sharpe  # the same seed, the same interval
    )
    listed = cli.json("ab", "list")
    assert [row["id"] for row in listed] == [test["id"] + 1, test["id"]]

    code, out, _err = cli("ab", "show", str(test["id"]))
    assert code == 0
    assert "Differences B - A" in out
    assert "hybrid's Sharpe is" in out
    report = tmp_path / "out" / "ab.html"
    code, out, _err = cli("ab", "report", str(test["id"]), "--output", str(report))
    assert code == 0
    page = report.read_text(encoding="utf-8")
    assert "A/B test 1: hybrid vs rules" in page
    assert "<script src=" not in page  # plotly.js inlined, no CDN
    assert test["verdict"].split(":")[0].replace("'", "&#x27;") in page


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (("--b", "bold"), 2, "unknown variant 'bold' (known: rules, hybrid)"),
        (("--b", "rules"), 2, "--a and --b both name 'rules'"),
        (("--bootstrap", "10"), 2, "10 is not in the range 100<=x<=100000"),
        (("--bootstrap", "100001"), 2, "100001 is not in the range 100<=x<=100000"),
        (("--block-days", "0"), 2, "0 is not in the range 1<=x<=252"),
        (("--start", "2022-03-01", "--end", "2022-02-01"), 2, "is before --start"),
        (("--start", "2022-13-01"), 2, "Invalid value for '--start'"),
        (("--strategy", "nope"), 2, "unknown strategy"),
        (("--start", "2023-12-15"), 1, "common trading day(s) in the window: at least 20"),
    ],
)
def test_bad_run_input_is_one_line_with_the_cli_exit_code(
    capsys: pytest.CaptureFixture[str],
    isolated_environment: Path,
    args: tuple[str, ...],
    code: int,
    message: str,
) -> None:
    base = ("ab", "run", "--a", "rules", "--b", "hybrid", "--strategy", "ma_crossover",
            "--symbols", "AAPL")  # fmt: skip
    err = Cli(capsys).fails(*base, *args, code=code)
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_ids_and_bad_report_paths_are_one_line_errors(
    capsys: pytest.CaptureFixture[str], isolated_environment: Path, tmp_path: Path
) -> None:
    cli = Cli(capsys)
    assert "no A/B test with id 42" in cli.fails("ab", "show", "42", code=1)
    assert "no A/B test with id 42" in cli.fails(
        "ab", "report", "42", "--output", str(tmp_path / "r.html"), code=1
    )
    assert not (tmp_path / "r.html").exists()
    err = cli.fails("ab", "report", "1", "--output", str(tmp_path), code=2)
    assert "is a directory" in err
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    err = cli.fails("ab", "report", "1", "--output", str(blocker / "r.html"), code=2)
    assert "Not a directory" in err
    assert "0 is not in the range 1<=x<=1000" in cli.fails("ab", "list", "--limit", "0", code=2)
    assert "0 is not in the range 1<=x<=" in cli.fails("ab", "show", "0", code=2)
    assert cli.json("ab", "list") == []
