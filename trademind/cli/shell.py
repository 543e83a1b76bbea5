"""`trademind shell`: every CLI command in one interactive session, with history and completion."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from prompt_toolkit import PromptSession
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory, History, InMemoryHistory
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output

from trademind.cli.context import CliState
from trademind.cli.output import print_message, stderr
from trademind.core.errors import TradeMindError, UsageError

EXIT_WORDS = frozenset({"exit", "quit"})
_EXIT_CODE = re.compile(r"[0-9]{1,3}")
MAX_EXIT_CODE = 255
HISTORY_FILE = "shell_history"
Dispatch = Callable[[list[str], CliState], int]
BANNER = (
    "TradeMind shell. Type a command without `trademind` (e.g. `config show`), "
    "`help` for the list, `exit` to leave."
)


def command_tree(command: click.Command) -> dict[str, Any] | None:
    """A nested mapping of subcommands and options for completion."""
    if isinstance(command, click.Group):
        return {name: command_tree(sub) for name, sub in command.commands.items()}
    options = {opt: None for param in command.params for opt in getattr(param, "opts", [])}
    return options or None


class CommandTreeCompleter(Completer):
    """Completes group, command and option names (options start with ``-``, whole words)."""

    def __init__(self, tree: dict[str, Any]) -> None:
        self.tree = tree

    def get_completions(
        self, document: Document, complete_event: CompleteEvent
    ) -> Iterable[Completion]:
        text = document.text_before_cursor
        words = text.split()
        partial = "" if not words or text[-1].isspace() else words.pop()
        node = self.tree
        for word in words:
            if word.startswith("-") or word not in node:
                continue  # an option, or a value: stay at this level
            child = node[word]
            node = child if isinstance(child, dict) else {}
        for name in sorted(node):
            if name.startswith(partial):
                yield Completion(name, start_position=-len(partial))


def build_completer(root: click.Command) -> Completer:
    tree = command_tree(root) or {}
    tree.pop("shell", None)
    for word in (*EXIT_WORDS, "help"):
        tree[word] = None
    return CommandTreeCompleter(tree)


def open_history(state: CliState) -> History:
    """History kept in the data directory; in memory (said so) when settings cannot load."""
    try:
        data_dir = Path(state.load_settings().app.data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
    except (TradeMindError, OSError) as exc:
        stderr.print(
            f"warning: shell history is not saved this session ({exc})",
            markup=False,
            highlight=False,
        )
        return InMemoryHistory()
    return FileHistory(str(data_dir / HISTORY_FILE))


@dataclass(frozen=True)
class ExitRequest:
    """An ``exit`` or ``quit`` line; ``code`` is the exit code it gives (None: none given)."""

    code: int | None


def parse_exit(line: str) -> ExitRequest | None:
    """The ``exit [CODE]`` (or ``quit [CODE]``) request of ``line``, None for any other line.
    CODE is a whole number from 0 to 255; anything else after the word is a UsageError."""
    words = line.split()
    if not words or words[0] not in EXIT_WORDS:
        return None
    if len(words) == 1:
        return ExitRequest(None)
    if len(words) == 2 and _EXIT_CODE.fullmatch(words[1]) and int(words[1]) <= MAX_EXIT_CODE:
        return ExitRequest(int(words[1]))
    given = " ".join(words[1:])
    raise UsageError(
        f"{words[0]} takes at most one exit code, a whole number from 0 to {MAX_EXIT_CODE} "
        f"(got {given!r})"
    )


def run_line(line: str, dispatch: Dispatch, state: CliState) -> int:
    """Run one shell line as a `trademind` command line; return its exit code."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        stderr.print(f"error: cannot parse the line: {exc}", markup=False, highlight=False)
        return 2
    if words and words[0] == "trademind":
        words = words[1:]
    if not words:
        return 0
    if words[0] == "help":
        words = [*words[1:], "--help"]
    if words[0] == "shell":
        stderr.print("error: already in the shell", markup=False, highlight=False)
        return 2
    # Each line gets a fresh state that inherits the session's global options and its clock;
    # its database and settings are its own (a line may change the configuration or schema).
    line_state = CliState(
        output_format=state.output_format,
        config_path=state.config_path,
        debug=state.debug,
        clock=state.parts.clock,
    )
    return dispatch(words, line_state)


def _run_or_exit(line: str, dispatch: Dispatch, state: CliState) -> tuple[ExitRequest | None, int]:
    """``(the exit request of the line or None, the line's own exit code)``: a command line
    runs; a bad exit request is reported in one line and counts as a usage error (2)."""
    try:
        request = parse_exit(line)
    except UsageError as exc:
        stderr.print(f"error: {exc}", markup=False, highlight=False)
        return None, exc.exit_code
    if request is not None:
        return request, 0
    return None, run_line(line, dispatch, state)


def script_loop(state: CliState, *, dispatch: Dispatch, lines: Iterable[str]) -> int:
    """Run lines read from a pipe or file (``trademind shell < commands.txt``), no prompt.

    Blank lines and ``#`` comments are skipped. ``exit`` stops with 0 and ``exit CODE`` with
    CODE, as in an interactive session (the script chose how it ends); at the end of input
    without ``exit`` the result is the first non-zero exit code, so a script that just runs
    commands fails when any of them failed.
    """
    first_failure = 0
    for raw in lines:
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        request, code = _run_or_exit(line, dispatch, state)
        first_failure = first_failure or code
        if request is not None:
            return 0 if request.code is None else request.code
    return first_failure


def shell_loop(
    state: CliState,
    *,
    dispatch: Dispatch,
    completer: Completer,
    history: History,
    prompt_input: Input | None = None,
    prompt_output: Output | None = None,
) -> int:
    """Read lines until `exit`, `quit` or end of input; each command's failure is shown and the
    session goes on. Returns 0, or the code given to `exit` (`exit 3`)."""
    session: PromptSession[str] = PromptSession(
        history=history,
        completer=completer,
        complete_while_typing=True,
        input=prompt_input,
        output=prompt_output,
    )
    print_message(BANNER)
    while True:
        try:
            line = session.prompt("trademind> ")
        except KeyboardInterrupt:
            continue
        except EOFError:
            return 0
        request, _code = _run_or_exit(line, dispatch, state)
        if request is not None:
            return 0 if request.code is None else request.code


def complete(completer: Completer, text: str) -> Iterable[Completion]:
    """Completions for ``text`` (used by tests and by anyone embedding the shell)."""
    return completer.get_completions(Document(text), CompleteEvent(completion_requested=True))
