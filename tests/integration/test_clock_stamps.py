"""Issue 10, item 4: commands get their parts from :mod:`trademind.bootstrap`, and every row a
command writes carries the time of the clock it was given, never the wall clock.

Each command line runs with a :class:`TestClock` set years in the past, so a stamp taken from
the machine's clock instead would show at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from support.cli_driver import Cli

from trademind.bootstrap import Parts, build_database
from trademind.cli import shell
from trademind.cli.context import CliState
from trademind.cli.main import dispatch
from trademind.config import load_settings
from trademind.core.clock import TestClock
from trademind.db.models import ConfigChange, Indicator, MarketData
from trademind.db.models.market import IndicatorState
from trademind.db.session import Database

PAST = datetime(2019, 3, 4, 5, 6, 7, tzinfo=UTC)


@pytest.fixture
def clock() -> TestClock:
    return TestClock(PAST)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], clock: TestClock) -> Cli:
    return Cli(capsys, lambda: CliState(clock=clock))


@pytest.fixture
def database() -> Iterator[Database]:
    database = build_database(load_settings())
    yield database
    database.dispose()


def _stamps(database: Database, column: sa.ColumnElement[datetime]) -> set[datetime]:
    with database.session() as session:
        return set(session.scalars(sa.select(column)))


def test_ingested_bars_carry_the_command_clock_time(cli: Cli, database: Database) -> None:
    cli.json("data", "ingest", "--source", "sample", "--symbols", "AAPL")
    assert _stamps(database, MarketData.ingested_at) == {PAST}


def test_indicators_and_their_state_carry_the_command_clock_time(
    cli: Cli, clock: TestClock, database: Database
) -> None:
    cli.json("data", "ingest", "--source", "sample", "--symbols", "AAPL")
    clock.advance(60)
    cli.json("data", "update-indicators", "--symbols", "AAPL")
    later = datetime(2019, 3, 4, 5, 7, 7, tzinfo=UTC)
    assert _stamps(database, Indicator.computed_at) == {later}
    assert _stamps(database, IndicatorState.updated_at) == {later}


def test_a_backtest_run_starts_and_finishes_at_the_command_clock_time(cli: Cli) -> None:
    """The run of the bundled sample: the fallback ingest and the stored run both stamped."""
    run = cli.json("backtest", "run", "--strategy", "ma_crossover", "--symbol", "AAPL")
    stored = cli.json("backtest", "results", str(run["id"]))
    assert stored["started_at"] == stored["finished_at"] == PAST.isoformat()


def test_a_config_change_is_recorded_at_the_command_clock_time(
    cli: Cli, database: Database
) -> None:
    cli.json("config", "set", "safety.max_positions", "3")
    assert _stamps(database, ConfigChange.changed_at) == {PAST}


def test_help_builds_no_part(capsys: pytest.CaptureFixture[str]) -> None:
    state = CliState()
    assert dispatch(["--help"], state) == 0
    assert state._parts is None  # nothing built: no settings, clock, database or cache


def test_a_command_line_opens_its_database_once_and_closes_it_at_the_end(
    capsys: pytest.CaptureFixture[str],
) -> None:
    state = CliState(clock=TestClock(PAST))
    assert dispatch(["data", "status"], state) == 0
    parts = state.parts
    assert parts.clock is state.clock
    assert parts._database is None  # closed by dispatch
    database = parts.database()
    assert parts.database() is database  # built once
    parts.close()
    parts.close()  # idempotent
    assert parts._database is None


def test_parts_are_built_only_when_asked_for() -> None:
    parts = Parts(clock=TestClock(PAST))
    assert (parts._settings, parts._read_settings, parts._database, parts._cache) == (
        None,
        None,
        None,
        None,
    )
    assert parts.cache() is parts.cache()
    settings = parts.settings()
    assert parts.read_settings() is settings  # the full load, once it is there
    parts.close()
    assert parts._cache is None


def test_every_shell_line_uses_the_session_clock() -> None:
    session_clock = TestClock(PAST)
    session = CliState(clock=session_clock)
    seen: list[CliState] = []

    def record(words: list[str], state: CliState) -> int:
        seen.append(state)
        return 0

    assert shell.script_loop(session, dispatch=record, lines=["data status", "config show"]) == 0
    assert [line.parts.clock for line in seen] == [session_clock, session_clock]
    assert seen[0] is not seen[1]  # each line its own settings and database
