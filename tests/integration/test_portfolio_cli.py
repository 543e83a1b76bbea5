"""`trademind portfolio ...` and `trademind trades ...` on a stored ledger (issue 10, item 12),
through the in-process driver: tables, JSON, files, and the bad inputs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from support.cli_driver import Cli
from support.ledger_data import DAY1, write_demo_ledger

from trademind.db.session import Database


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


@pytest.fixture
def url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'ledger' / 'trademind.db'}"
    monkeypatch.setenv("TRADEMIND__DATABASE__URL", url)
    return url


@pytest.fixture
def demo(url: str) -> Iterator[str]:
    database = Database(url)
    database.ensure_schema()
    write_demo_ledger(database)
    # written after demo, but last used before it: demo is the default account
    write_demo_ledger(database, "older", until=2, used_at=DAY1 - timedelta(days=9))
    yield url
    database.dispose()


def test_without_any_account_every_command_says_how_to_make_one(url: str, cli: Cli) -> None:
    for argv in (
        ("portfolio", "summary"),
        ("portfolio", "holdings"),
        ("portfolio", "performance"),
        ("portfolio", "sectors"),
        ("portfolio", "export"),
        ("trades", "list"),
        ("trades", "show", "1"),
        ("trades", "export"),
        ("trades", "today"),
        ("trades", "pnl"),
    ):
        err = cli.fails(*argv)
        assert "no trading account yet: run `trademind trade --mode replay" in err, argv
        assert len(err.strip().splitlines()) == 1


def test_summary_defaults_to_the_most_recently_used_account(demo: str, cli: Cli) -> None:
    view = cli.json("portfolio", "summary")
    assert view["account"]["name"] == "demo"
    assert view["equity"] == "100046"
    older = cli.json("portfolio", "summary", "--account", "older")
    assert older["account"]["name"] == "older"
    code, out, _ = cli("portfolio", "summary")
    assert code == 0
    assert "Account demo (replay, paper)" in out
    assert "100,046.00" in out


def test_unknown_account_names_the_known_ones(demo: str, cli: Cli) -> None:
    err = cli.fails("portfolio", "holdings", "--account", "nope")
    assert "no account named 'nope' (known: demo, older)" in err


def test_holdings_performance_and_sectors(demo: str, cli: Cli) -> None:
    (aapl,) = cli.json("portfolio", "holdings")["holdings"]
    assert (aapl["symbol"], aapl["avg_cost"]) == ("AAPL", "100.1")
    performance = cli.json("portfolio", "performance", "--days", "30")
    assert [p["equity"] for p in performance["points"]] == ["100068", "100110"]
    sectors = cli.json("portfolio", "sectors")["sectors"]
    assert [(s["sector"], s["symbols"]) for s in sectors] == [("Technology", ["AAPL"])]
    code, out, _ = cli("portfolio", "sectors")
    assert code == 0
    assert "Technology" in out


def test_days_zero_is_a_usage_error(demo: str, cli: Cli) -> None:
    err = cli.fails("portfolio", "performance", "--days", "0", code=2)
    assert "is not in the range" in err


def test_a_malformed_symbol_is_a_usage_error_and_spellings_are_one(demo: str, cli: Cli) -> None:
    for command in ("list", "pnl"):
        err = cli.fails("trades", command, "--symbol", "A B", code=2)
        assert "invalid symbol 'A B'" in err
    assert cli.json("trades", "list", "--symbol", "msft") == cli.json(
        "trades", "list", "--symbol", "MSFT"
    )


def test_portfolio_export_writes_csv_and_refuses_a_bad_path(
    demo: str, cli: Cli, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "portfolio.csv"
    code, out, err = cli("portfolio", "export", "--format", "csv", "--output", str(target))
    assert code == 0, err
    assert "written to" in out
    assert target.read_text().splitlines()[0].startswith("symbol,quantity,avg_cost")
    err = cli.fails("portfolio", "export", "--output", str(tmp_path), code=2)
    assert "is a directory" in err
    code, out, _ = cli("portfolio", "export", "--format", "json")
    assert code == 0
    assert json.loads(out)["summary"]["account"]["name"] == "demo"


def test_trades_list_show_today_pnl_and_export(demo: str, cli: Cli, tmp_path: Path) -> None:
    listed = cli.json("trades", "list", "--limit", "2")["trades"]
    assert [t["order_id"] for t in listed] == ["o4", "o3"]
    assert [t["symbol"] for t in cli.json("trades", "list", "--symbol", "MSFT")["trades"]] == [
        "MSFT",
        "MSFT",
    ]
    code, out, _ = cli("trades", "show", str(listed[0]["id"]))
    assert code == 0
    assert "decision-o4" in out
    assert "filled" in out
    assert cli.json("trades", "today")["trades"] == []  # the demo traded in 2024
    pnl = cli.json("trades", "pnl", "--symbol", "AAPL")
    assert [(r["symbol"], r["realized_pnl"]) for r in pnl["symbols"]] == [("AAPL", "38.6")]
    target = tmp_path / "trades.json"
    code, _, err = cli(
        "trades", "export", "--start", "2024-01-03", "--format", "json", "--output", str(target)
    )
    assert code == 0, err
    assert [t["order_id"] for t in json.loads(target.read_text())["trades"]] == ["o3", "o4"]
    code, out, _ = cli("trades", "export")
    assert code == 0
    assert len(out.splitlines()) == 5  # header and four fills


def test_unknown_trade_id_and_a_trade_of_another_account(demo: str, cli: Cli) -> None:
    assert "no trade #99999" in cli.fails("trades", "show", "99999")
    first = cli.json("trades", "list", "--account", "older")["trades"][0]["id"]
    err = cli.fails("trades", "show", str(first), "--account", "demo")
    assert f"no trade #{first} in account 'demo'" in err
