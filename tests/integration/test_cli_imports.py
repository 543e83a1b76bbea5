"""Issue 9 defect 15: each command imports only what it needs, so the CLI starts at once.

Not timed (tests never assert on wall-clock time): each case runs a command line in a fresh
interpreter and lists the heavy libraries it imported. ``benchmarks/cli_startup.py`` measures
the times themselves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# The libraries that make start-up slow, by the commands that need them.
SHELL_ONLY = {"prompt_toolkit"}
BARS_ONLY = {"numpy", "pandas", "numba", "llvmlite"}
DATABASE_ONLY = {"sqlalchemy", "alembic", "psycopg"}
CONFIG_ONLY = {"pydantic", "ruamel"}
NEVER = {"pydantic_settings"}
TABLES_ONLY = {"rich"}

PROBE = """
import contextlib, io, json, sys
from trademind.cli.main import dispatch
with contextlib.redirect_stdout(io.StringIO()):
    code = dispatch(sys.argv[1:])
print(json.dumps({"code": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}))
"""


def imported_by(tmp_path: Path, *argv: str) -> set[str]:
    """The top-level packages a fresh interpreter holds after running ``trademind argv``
    in ``tmp_path`` (no config file there, data directory inside it)."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("TRADEMIND")}
    env |= {
        "TRADEMIND__APP__DATA_DIR": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "xdg"),
    }
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["code"] == 0, result.stderr
    return set(outcome["modules"])


@pytest.mark.parametrize("argv", [["--help"], ["data", "--help"], ["--version"]])
def test_help_imports_neither_settings_nor_libraries(tmp_path: Path, argv: list[str]) -> None:
    heavy = SHELL_ONLY | BARS_ONLY | DATABASE_ONLY | CONFIG_ONLY | NEVER | TABLES_ONLY
    assert imported_by(tmp_path, *argv) & heavy == set()


def test_config_get_loads_settings_without_database_bars_or_shell(tmp_path: Path) -> None:
    imported = imported_by(tmp_path, "config", "get", "app.data_dir")
    assert "pydantic" in imported  # the probe sees what the command does import
    assert imported & (SHELL_ONLY | BARS_ONLY | DATABASE_ONLY | NEVER | TABLES_ONLY) == set()


def test_the_probe_sees_what_a_command_imports(tmp_path: Path) -> None:
    """`examples` prints a Rich table: the probe must see Rich (and no more than that)."""
    imported = imported_by(tmp_path, "examples")
    assert "rich" in imported
    assert imported & (SHELL_ONLY | BARS_ONLY | DATABASE_ONLY | CONFIG_ONLY | NEVER) == set()
