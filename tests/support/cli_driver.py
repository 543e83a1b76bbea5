"""Run `trademind ...` command lines in-process through ``dispatch`` and read what they print."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from trademind.cli.context import CliState
from trademind.cli.main import dispatch


class Cli:
    """``cli("data", "status")`` -> (exit code, stdout, stderr); ``state`` builds the CliState
    of each call (a test injects a provider factory that way)."""

    def __init__(
        self,
        capsys: pytest.CaptureFixture[str],
        state: Callable[[], CliState] = CliState,
    ) -> None:
        self._capsys = capsys
        self._state = state

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = dispatch(list(args), self._state())
        captured = self._capsys.readouterr()
        return code, captured.out, captured.err

    def json(self, *args: str, expect: int = 0) -> Any:
        """The one JSON document a ``--format json`` call prints, after checking its exit code."""
        code, out, err = self(*args, "--format", "json")
        assert code == expect, err
        return json.loads(out)

    def fails(self, *args: str, code: int = 1) -> str:
        """The one-line error of a command expected to fail with ``code``; nothing on stdout."""
        got, out, err = self(*args)
        assert got == code, (out, err)
        assert out == ""
        assert "Traceback" not in err
        return err
