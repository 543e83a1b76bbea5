"""An isolated TradeMind installation per fuzzed command line, and the rules every run obeys.

:meth:`Sandbox.prepare` builds one seed (a config.yaml with the documented defaults, a SQLite
database holding the bundled sample of AAPL and one stored backtest run) through the CLI itself.
Each :meth:`Sandbox.run` copies the seed into a fresh folder, so examples are independent, runs
the command line in-process through ``dispatch`` with that folder as the working directory and
data directory, and fingerprints the database and config file before and after.

Nothing reaches the internet: ``data ingest --source yfinance`` gets :class:`OfflineYahoo`
through ``CliState.provider_factory``, and HTTP(S) proxies point at a closed local port so any
other download fails at once instead of leaving the machine.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import shutil
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from trademind.cli.context import CliState
from trademind.cli.main import dispatch
from trademind.core.clock import LiveClock
from trademind.data.providers import BarProvider, BarRequest, ProviderResult
from trademind.data.providers.base import NetworkUnavailableError

if TYPE_CHECKING:
    from trademind.config import Settings
    from trademind.data.providers import Source

SEED_COMMANDS = (
    ("data", "ingest", "--source", "sample", "--symbols", "AAPL"),
    ("backtest", "run", "--strategy", "ma_crossover", "--symbol", "AAPL"),
)
CLOSED_PORT_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens, connects fail fast
DB_FILES = ("trademind.db", "trademind.db-wal", "trademind.db-journal")
USAGE, FAILURE = 2, 1


class OfflineYahoo:
    """The yfinance provider of a machine without network: every fetch fails at once."""

    name = "yfinance"

    def available_symbols(self) -> list[str]:
        return []

    def fetch(self, request: BarRequest) -> ProviderResult:
        raise NetworkUnavailableError(
            "network unreachable (the fuzz test's offline yfinance stand-in)", request.symbol
        )


def offline_providers(source: Source, path: Path | None, settings: Settings) -> BarProvider:
    """A ``ProviderFactory``: the real csv and sample providers, an offline yfinance."""
    if source == "yfinance":
        return OfflineYahoo()
    from trademind.services import data_service

    return data_service.provider_for(settings, source, path, clock=LiveClock())


@dataclass(frozen=True)
class Outcome:
    """One fuzzed command line and what it did."""

    argv: tuple[str, ...]
    stdin: str | None
    code: int
    out: str
    err: str
    changed: tuple[str, ...]  # files of the database or config whose bytes changed
    lost: tuple[str, ...] = ()  # TABLE.COLUMN that held fewer values after the run

    def describe(self) -> str:
        stdin = f" <<< {self.stdin!r}" if self.stdin is not None else ""
        return (
            f"trademind {' '.join(repr(a) if not a or ' ' in a else a for a in self.argv)}{stdin}"
            f" -> exit {self.code}; stderr {self.err[-600:]!r}; changed {list(self.changed)}"
        )


def _values_held(database: Path) -> dict[str, int]:
    """``{"market_data.close": 2768, ...}``: the non-NULL values of every column (read-only)."""
    if not database.exists():
        return {}
    held: dict[str, int] = {}
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        for (table,) in tables.fetchall():
            for column in [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]:
                query = f'SELECT count("{column}") FROM "{table}"'
                held[f"{table}.{column}"] = connection.execute(query).fetchone()[0]
    return held


def _lost(before: dict[str, int], after: dict[str, int]) -> tuple[str, ...]:
    return tuple(name for name, count in before.items() if after.get(name, 0) < count)


def _fingerprint(files: Sequence[Path]) -> dict[str, str | None]:
    """The hash of each file's bytes; None when it is absent or empty. An empty file holds
    nothing: the read-only connection of :func:`_values_held` leaves an empty SQLite WAL that
    the command's own connection removes when it closes, which changes no stored byte."""
    return {
        str(path): hashlib.sha256(data).hexdigest() if (data := _bytes(path)) else None
        for path in files
    }


def _bytes(path: Path) -> bytes:
    return path.read_bytes() if path.exists() else b""


class Sandbox:
    """A seed installation and fresh copies of it, one per run."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.seed = root / "seed"
        self._numbers = itertools.count()

    @classmethod
    def prepare(cls, root: Path) -> Sandbox:
        """Build the seed through the CLI; fails if any seed command fails."""
        from trademind.config.template import render_template

        sandbox = cls(root)
        sandbox.seed.mkdir(parents=True)
        (sandbox.seed / "config.yaml").write_text(render_template(), encoding="utf-8")
        (sandbox.seed / "data").mkdir()
        with sandbox._isolated(sandbox.seed, sandbox.seed / "data", stdin=None):
            for argv in SEED_COMMANDS:
                code = dispatch(list(argv), CliState(provider_factory=offline_providers))
                assert code == 0, f"seed command failed: trademind {' '.join(argv)}"
        return sandbox

    def run(
        self,
        argv: Sequence[str],
        capsys: pytest.CaptureFixture[str],
        stdin: str | None = None,
        *,
        count_values: bool = False,
    ) -> Outcome:
        """Run ``argv`` on a fresh copy of the seed; ``{DIR}`` becomes an existing folder.
        ``count_values``: also say which columns lost values (for destructive commands)."""
        example = self.root / f"example-{next(self._numbers)}"
        work = example / "a" / "b" / "work"  # so ../../etc/passwd stays inside the example
        shutil.copytree(self.seed / "data", example / "data")
        work.mkdir(parents=True)
        shutil.copy2(self.seed / "config.yaml", work / "config.yaml")
        watched = [work / "config.yaml", *(example / "data" / name for name in DB_FILES)]
        resolved = [token.replace("{DIR}", str(example / "data")) for token in argv]
        database = example / "data" / DB_FILES[0]
        held = _values_held(database) if count_values else {}
        before = _fingerprint(watched)
        capsys.readouterr()
        with self._isolated(work, example / "data", stdin=stdin):
            code = dispatch(resolved, CliState(provider_factory=offline_providers))
        captured = capsys.readouterr()
        _stop_any_server(example / "data")  # a fuzzed `server start` that started one
        after = _fingerprint(watched)
        lost = _lost(held, _values_held(database)) if count_values else ()
        shutil.rmtree(example, ignore_errors=True)
        changed = tuple(Path(name).name for name in before if before[name] != after[name])
        return Outcome(tuple(argv), stdin, code, captured.out, captured.err, changed, lost)

    @contextmanager
    def _isolated(self, work: Path, data: Path, *, stdin: str | None) -> Iterator[None]:
        from trademind.log import reset_logging

        with pytest.MonkeyPatch.context() as patch:
            for name in [name for name in os.environ if name.startswith("TRADEMIND")]:
                patch.delenv(name)
            patch.setenv("TRADEMIND__APP__DATA_DIR", str(data))
            patch.setenv("XDG_CONFIG_HOME", str(work.parent / "xdg-config"))
            for proxy in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
                patch.setenv(proxy, CLOSED_PORT_PROXY)
            patch.chdir(work)
            patch.setattr(sys, "stdin", io.StringIO(stdin or ""))
            try:
                yield
            finally:
                reset_logging()


def _stop_any_server(data: Path) -> None:
    """Stop the server a command line started in ``data`` (it outlives the command)."""
    from trademind.web.process import find_server, stop_server

    if find_server(data).state is not None:
        stop_server(data, timeout=5.0)


def problems(outcome: Outcome, *, destructive: bool, session: bool = False) -> list[str]:
    """What ``outcome`` broke of the CLI's promises (empty: nothing).

    ``destructive``: the command has ``--yes`` and ran without it, so it must not touch the
    config file nor delete a stored value (run with ``count_values``); a change that loses
    nothing (``db downgrade -1`` dropping an empty table) needs no confirmation.
    ``session``: a shell script of several commands (one error line each, and a command that
    succeeded may have changed something), so only the first three rules apply.
    """
    found: list[str] = []
    text = outcome.out + outcome.err
    if outcome.code not in (0, FAILURE, USAGE):
        found.append(f"exit code {outcome.code} is not 0, 1 or 2")
    if "Traceback" in text:
        found.append("a traceback was printed")
    if "internal error" in text:
        found.append("an internal error was reported")
    if session:
        return found
    if outcome.code != 0:
        lines = outcome.err.rstrip("\n").split("\n")
        if not outcome.err.strip():
            found.append("nothing on stderr")
        elif len(lines) != 1:
            found.append(f"stderr has {len(lines)} lines, not one")
        elif not lines[0].startswith("error: "):
            found.append("the error line does not start with 'error: '")
    if outcome.changed and outcome.code != 0:
        found.append(f"{', '.join(outcome.changed)} changed although the command failed")
    elif destructive and "config.yaml" in outcome.changed:
        found.append("config.yaml changed without --yes")
    elif destructive and outcome.lost:
        found.append(f"stored values deleted without --yes: {', '.join(outcome.lost[:5])}")
    return found
