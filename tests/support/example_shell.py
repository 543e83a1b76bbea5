"""Run the command lines of ``trademind examples`` in-process, as a POSIX shell would.

The examples use a small part of shell syntax, and this runs exactly that part, so a test can
run each example without a subprocess per line (start-up is seconds on a busy machine):

    [NAME=VALUE ...] PROGRAM ARGS [| PROGRAM ARGS ...] [> FILE] [&& ...]

Programs: ``trademind`` (through ``dispatch``, with stdin from the previous stage), ``jq`` (a
path filter such as ``.a.b``, with ``-e``: fail unless the value is neither null nor false),
``printf`` and ``echo`` (text for the next stage) and ``createdb`` (CREATE DATABASE on the test
server, through a function the test passes). Anything else fails the test: an example that
needs more shell than this must get support here first.
"""

from __future__ import annotations

import io
import json
import os
import shlex
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trademind.cli.context import CliState
from trademind.cli.main import dispatch

OPERATORS = ("&&", "|", ">")


@dataclass
class Result:
    """What one pipeline left: its exit code, its stdout (unless redirected) and stderr."""

    code: int = 0
    out: str = ""
    err: str = ""


@dataclass
class ExampleShell:
    """Runs example lines; ``capture`` returns (stdout, stderr) written since the last call."""

    capture: Callable[[], tuple[str, str]]
    createdb: Callable[[str, str, str], None]
    cwd: Path
    log: list[str] = field(default_factory=list)

    def run(self, line: str, stdin: str = "") -> Result:
        """Run ``line``; ``stdin`` feeds the first stage of each pipeline (a typed answer)."""
        result = Result()
        for pipeline in _split(_tokens(line), "&&"):
            result = self._pipeline(pipeline, stdin)
            if result.code != 0:
                break
        return result

    def _pipeline(self, tokens: list[str], stdin: str) -> Result:
        target: Path | None = None
        if ">" in tokens:
            at = tokens.index(">")
            assert at == len(tokens) - 2, f"'>' must be followed by one file name: {tokens}"
            target, tokens = self.cwd / tokens[-1], tokens[:at]
        text, result = stdin, Result()
        for stage in _split(tokens, "|"):
            result = self._stage(stage, text)
            if result.code != 0:
                return result
            text = result.out
        if target is not None:
            target.write_text(result.out, encoding="utf-8")
            result.out = ""
        return result

    def _stage(self, tokens: list[str], stdin: str) -> Result:
        env: dict[str, str] = {}
        while tokens and "=" in tokens[0] and tokens[0].split("=", 1)[0].isidentifier():
            name, value = tokens.pop(0).split("=", 1)
            env[name] = value
        program, args = tokens[0], tokens[1:]
        self.log.append(shlex.join(tokens))
        if program == "trademind":
            with _environment(env), _stdin(stdin):
                code = dispatch(args, CliState())
            out, err = self.capture()
            return Result(code, out, err)
        assert not env, f"environment assignments only before trademind: {tokens}"
        if program in ("echo", "printf"):
            text = " ".join(args) + "\n" if program == "echo" else "".join(args)
            return Result(out=text.replace("\\n", "\n") if program == "printf" else text)
        if program == "jq":
            return _jq(args, stdin)
        if program == "createdb":
            options = dict(zip(args[:-1:2], args[1:-1:2], strict=True))
            self.createdb(options["-h"], options["-U"], args[-1])
            return Result()
        raise AssertionError(f"the example shell cannot run {program!r}: {tokens}")


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars="&|>")
    lexer.whitespace_split = True
    tokens = list(lexer)
    for token in tokens:
        if set(token) <= set("&|>") and token not in OPERATORS:
            raise AssertionError(f"unsupported shell operator {token!r} in {line!r}")
    return tokens


def _split(tokens: list[str], operator: str) -> Iterator[list[str]]:
    part: list[str] = []
    for token in tokens:
        if token == operator:
            yield part
            part = []
        else:
            part.append(token)
    yield part


def _jq(args: list[str], stdin: str) -> Result:
    exit_status = "-e" in args
    (path,) = [arg for arg in args if arg != "-e"]
    assert path.startswith("."), f"jq: only path filters such as .a.b: {path!r}"
    value: Any = json.loads(stdin)
    for key in filter(None, path[1:].split(".")):
        value = value.get(key) if isinstance(value, dict) else None
    failed = exit_status and value in (None, False)
    return Result(1 if failed else 0, json.dumps(value) + "\n")


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, old in saved.items():
            if old is None:
                del os.environ[name]
            else:
                os.environ[name] = old


@contextmanager
def _stdin(text: str) -> Iterator[None]:
    saved = sys.stdin
    sys.stdin = io.StringIO(text)  # not a terminal, like a pipe
    try:
        yield
    finally:
        sys.stdin = saved
