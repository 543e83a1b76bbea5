"""Commands that change a running system go through the server when one runs for this data
directory (docs/api.md, "The CLI and a running server"): the change is made by the server
(which holds the trading loop and reloads its configuration), and the command prints what the
server answered. Without a running server the command changes the database or the config file
itself, and the server reads them when it starts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from trademind.cli.output import print_json, print_message, print_table, stderr

if TYPE_CHECKING:
    from trademind.cli.context import CliState
    from trademind.web.client import ServerClient


def running_server(state: CliState) -> ServerClient | None:
    """A client of the server running for this data directory, or None."""
    from trademind.web.client import ServerClient
    from trademind.web.process import find_server

    settings = state.load_settings()
    found = find_server(Path(settings.app.data_dir)).state
    if found is None:
        return None
    token = settings.web.auth_token
    return ServerClient(found, token.get_secret_value() if token is not None else None)


def print_remote_change(
    state: CliState, client: ServerClient, body: dict[str, Any], what: str
) -> None:
    """A configuration change the server made (``FileChange`` JSON), as the local commands
    print theirs, naming the server."""
    for item in body.get("overridden", []):
        stderr.print(
            f"note: {item['key']} is also set by {item['by']}, which takes precedence over "
            "the file",
            markup=False,
            highlight=False,
        )
    if state.json:
        print_json(body)
        return
    server = f"the running server (pid {client.state.pid})"
    if not body.get("written"):
        print_message(f"{what} by {server}: {body['file']} already says so; nothing changed")
        return
    print_message(f"{what} by {server}: wrote {body['file']}")
    rows = [(item["key"], item["old"], item["new"]) for item in body.get("changes", [])]
    if rows:
        print_table(None, ("key", "old", "new"), rows)
