"""`trademind news` end to end on SQLite and PostgreSQL: import, list (point in time), bad
files refused whole, and fetch from feeds served on 127.0.0.1 (no internet)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from support.cli_driver import Cli

FEEDS = Path(__file__).parents[1] / "unit" / "data" / "news" / "feeds"
HEADER = "symbols,title,url,published_at,first_seen_at\n"
ROWS = (
    "AAPL,Apple up,https://x.test/1,2024-01-02T14:30:00Z,\n"
    '"AAPL;MSFT",Tech rally,https://x.test/2,2024-01-03T14:30:00Z,2024-01-04T09:00:00Z\n'
)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    return Cli(capsys)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend(
    request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, migrated_data_dir: Path
) -> str:
    if request.param == "postgresql":
        monkeypatch.setenv(
            "TRADEMIND__DATABASE__URL", request.getfixturevalue("postgres_schema_url")
        )
        monkeypatch.setenv("TRADEMIND__DATABASE__AUTO_MIGRATE", "true")
    return str(request.param)


def _csv(tmp_path: Path, text: str, name: str = "news.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_then_list_as_known_at_a_time(backend: str, cli: Cli, tmp_path: Path) -> None:
    path = _csv(tmp_path, HEADER + ROWS)
    assert cli.json("news", "import", str(path)) == {
        "path": str(path),
        "items": 2,
        "added": 2,
        "merged": 0,
    }
    again = cli.json("news", "import", str(path))
    assert (again["added"], again["merged"]) == (0, 2)
    everything = cli.json("news", "list", "--symbol", "aapl")
    assert [item["title"] for item in everything] == ["Tech rally", "Apple up"]
    assert everything[0]["symbols"] == ["AAPL", "MSFT"]
    # Published on the 3rd but first seen on the 4th: not visible on the 3rd.
    before = cli.json("news", "list", "--symbol", "AAPL", "--at", "2024-01-03T20:00:00Z")
    assert [item["title"] for item in before] == ["Apple up"]
    recent = cli.json(
        "news", "list", "--symbol", "MSFT", "--at", "2024-01-05T00:00Z", "--days", "1"
    )
    assert recent == []
    code, out, _ = cli("news", "list", "--symbol", "MSFT")
    assert code == 0
    assert "Tech rally" in out


def test_a_bad_file_is_refused_whole(backend: str, cli: Cli, tmp_path: Path) -> None:
    bad = _csv(tmp_path, HEADER + ROWS + "AAPL,Undated,https://x.test/3,,\n")
    error = cli.fails("news", "import", str(bad))
    assert error == (f"error: {bad}: line 4: published_at is missing; nothing imported\n")
    assert cli.json("news", "list", "--symbol", "AAPL") == []


@pytest.mark.parametrize(
    ("text", "name", "args", "message", "code"),
    [
        (None, "absent.csv", (), "error: no such file", 1),
        ("symbols,title\nAAPL,x\n", "news.csv", (), "missing columns: published_at, url", 1),
        (HEADER, "news.xml", (), "unknown news file format 'xml'", 2),
        (HEADER, "news.csv", ("--file-format", "parquet"), "unknown news file format", 2),
        ("{not json\n", "news.jsonl", (), "line 1: not JSON", 1),
        (None, "", (), "is a directory, not a news file", 1),
    ],
)
def test_bad_input_is_one_clear_line(  # noqa: PLR0917 - the parametrised case
    migrated_data_dir: Path,
    cli: Cli,
    tmp_path: Path,
    text: str | None,
    name: str,
    args: tuple[str, ...],
    message: str,
    code: int,
) -> None:
    path = tmp_path / name if text is None else _csv(tmp_path, text, name)
    error = cli.fails("news", "import", str(path), *args, code=code)
    assert message in error
    assert error.count("\n") == 1


def test_list_refuses_a_bad_symbol_or_time(migrated_data_dir: Path, cli: Cli) -> None:
    assert "not a symbol" in cli.fails("news", "list", "--symbol", "A B", code=2)
    assert "--at is not an ISO-8601 time" in cli.fails(
        "news", "list", "--symbol", "AAPL", "--at", "tuesday", code=2
    )


@pytest.fixture
def feed_server() -> Iterator[str]:
    yield from _serve(FEEDS)


def _serve(directory: Path) -> Iterator[str]:
    """``directory`` served on 127.0.0.1 (query strings ignored) until the test ends."""
    handler = partial(SimpleHTTPRequestHandler, directory=str(directory))
    handler.log_message = lambda *_args: None  # type: ignore[attr-defined]
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_fetch_reads_the_configured_feeds_and_reports_each_failure(
    migrated_data_dir: Path, cli: Cli, feed_server: str, tmp_path: Path
) -> None:
    config = {
        "news": {
            "sources": ["rss"],
            "feeds": [f"{feed_server}/atom_global.xml", f"{feed_server}/missing.xml"],
            "symbol_feeds": {"AAPL": [f"{feed_server}/rss_symbol.xml", f"{feed_server}/page.html"]},
        }
    }
    (Path.cwd() / "config.yaml").write_text(json.dumps(config), encoding="utf-8")
    (report,) = cli.json("news", "fetch", "--symbols", "AAPL,MSFT")
    assert report["source"] == "rss"
    assert (report["items"], report["added"], report["merged"]) == (3, 2, 1)
    assert report["skipped"] == {"no date": 1, "no symbol": 1, "no title": 1, "no url": 1}
    assert len(report["errors"]) == 2
    assert "missing.xml: HTTPError" in report["errors"][0]
    assert report["errors"][1].endswith("page.html: not an RSS/Atom feed")
    titles = [item["title"] for item in cli.json("news", "list", "--symbol", "MSFT")]
    assert titles == ["$MSFT and AAPL lead the Nasdaq"]


FINNHUB_ANSWER = [
    {
        "headline": "Apple beats estimates",
        "url": "https://news.test/apple-1",
        "source": "Reuters",
        "datetime": 1704373200,
    },
    {"headline": "No date", "url": "https://news.test/2"},
]


@pytest.fixture
def finnhub_server(tmp_path: Path) -> Iterator[str]:
    served = tmp_path / "served"
    (served / "api" / "v1").mkdir(parents=True)
    (served / "api" / "v1" / "company-news").write_text(json.dumps(FINNHUB_ANSWER), "utf-8")
    yield from _serve(served)


def test_fetch_reads_the_finnhub_api_with_the_key_from_the_environment(
    migrated_data_dir: Path, cli: Cli, finnhub_server: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = finnhub_server
    config = {"news": {"sources": ["finnhub"], "finnhub_base_url": f"{base}/api/v1"}}
    (Path.cwd() / "config.yaml").write_text(json.dumps(config), encoding="utf-8")
    code, _out, err = cli("news", "fetch", "--symbols", "AAPL")
    assert code != 0
    assert "TRADEMIND__NEWS__FINNHUB_API_KEY" in err
    assert "Traceback" not in err
    monkeypatch.setenv("TRADEMIND__NEWS__FINNHUB_API_KEY", "k" * 20)
    (report,) = cli.json("news", "fetch", "--symbols", "AAPL")
    assert (report["source"], report["items"], report["added"]) == ("finnhub", 1, 1)
    assert report["skipped"] == {"no date": 1}
    (item,) = cli.json("news", "list", "--symbol", "AAPL", "--days", "36500")
    assert item["title"] == "Apple beats estimates"
    # First seen now: a decision in 2024 could not have read it.
    assert cli.json("news", "list", "--symbol", "AAPL", "--at", "2024-01-06T00:00:00Z") == []
