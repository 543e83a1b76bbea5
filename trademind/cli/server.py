"""`trademind server`: run and manage the TradeMind server (API, dashboard, scheduler).

Exit codes: 0 on success; 1 when the server cannot start (already running, port in use, a host
beyond loopback without a token), is not running (`stop`, `status`) or answers badly; 2 for a
usage error.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from trademind.cli.context import CliState, get_state
from trademind.cli.output import print_json, print_message, print_table

HELP = "Run and manage the TradeMind server (API, dashboard, scheduler)."

app = typer.Typer(help=HELP, no_args_is_help=True)

HostOption = Annotated[
    str | None, typer.Option("--host", help="Address to listen on (default: web.host).")
]
PortOption = Annotated[
    int | None,
    typer.Option("--port", min=0, max=65535, help="TCP port (default: web.port; 0: any free)."),
]


def _data_dir(state: CliState) -> Path:
    return Path(state.load_settings().app.data_dir)


def _arguments(state: CliState, host: str, port: int) -> list[str]:
    arguments = ["--host", host, "--port", str(port)]
    if state.config_path is not None:
        arguments = ["--config", str(state.config_path), *arguments]
    return arguments


@app.command()
def start(
    ctx: typer.Context,
    host: HostOption = None,
    port: PortOption = None,
    reload: Annotated[
        bool, typer.Option("--reload", help="Restart on code changes (development; foreground).")
    ] = False,
    foreground: Annotated[
        bool, typer.Option("--foreground", help="Run in this terminal until Ctrl-C.")
    ] = False,
) -> None:
    """Start the server: the dashboard and API, the scheduler's jobs and the event bus."""
    from trademind.web.launcher import launch
    from trademind.web.process import find_server
    from trademind.web.serve import ServeOptions, check_exposure, serve

    state = get_state(ctx)
    settings = state.load_settings()
    chosen_host = host if host is not None else settings.web.host
    chosen_port = port if port is not None else settings.web.port
    token = settings.web.auth_token
    check_exposure(chosen_host, token.get_secret_value() if token else None)
    if foreground or reload:
        serve(ServeOptions(chosen_host, chosen_port, state.config_path, state.debug, reload))
        return
    data_dir = Path(settings.app.data_dir)
    lookup = find_server(data_dir)
    if lookup.cleaned_stale:
        print_message("removed the state file of a server that is no longer running")
    if lookup.state is not None:
        from trademind.core.errors import ServerError

        raise ServerError(
            f"a server is already running (pid {lookup.state.pid}, {lookup.state.url})"
        )
    running = launch(data_dir, _arguments(state, chosen_host, chosen_port))
    if state.json:
        print_json({"pid": running.pid, "url": running.url, "log_file": running.log_file})
    else:
        print_message(f"server started (pid {running.pid}): {running.url}")


@app.command()
def stop(
    ctx: typer.Context,
    timeout: Annotated[
        float,
        typer.Option(min=0.1, max=600, help="Seconds to wait after SIGTERM before SIGKILL."),
    ] = 10.0,
) -> None:
    """Stop the running server (SIGTERM, then SIGKILL after --timeout seconds)."""
    from trademind.web.process import stop_server

    state = get_state(ctx)
    stopped = stop_server(_data_dir(state), timeout)
    how = "killed after the timeout" if stopped.killed else "stopped"
    if state.json:
        print_json({"pid": stopped.pid, "killed": stopped.killed, "seconds": stopped.seconds})
    else:
        print_message(f"server (pid {stopped.pid}) {how} in {stopped.seconds:.1f} s")


@app.command()
def status(ctx: typer.Context) -> None:
    """Show whether the server runs, and its health (uptime, trading loop, jobs)."""
    from trademind.core.errors import ServerError
    from trademind.web.client import ServerClient
    from trademind.web.process import find_server

    state = get_state(ctx)
    running = find_server(_data_dir(state)).state
    if running is None:
        raise ServerError("no server is running (start one with `trademind server start`)")
    health = ServerClient(running).get("/health")
    if state.json:
        print_json({"pid": running.pid, "url": running.url, **health})
        return
    rows = [
        ("url", running.url),
        ("pid", str(running.pid)),
        ("version", health["version"]),
        ("started", health["started_at"]),
        ("uptime", f"{health['uptime_seconds']:.0f} s"),
    ]
    loop = health.get("loop")
    if loop is None:
        rows.append(("trading loop", "none (dashboard and jobs only)"))
    else:
        rows.extend(
            [
                ("account", loop["account"]),
                ("mode", loop["mode"]),
                ("broker", "connected" if loop["broker_connected"] else "not connected"),
                ("trading state", str(loop["trading_state"])),
                ("last bar", str(loop["last_bar_at"] or "none yet")),
            ]
        )
    rows.extend((f"job {job['id']}", f"next {job['next_run_at']}") for job in health["jobs"])
    print_table("server", ("", ""), rows)


@app.command()
def logs(
    ctx: typer.Context,
    lines: Annotated[int, typer.Option(min=0, max=100_000, help="Lines to show.")] = 50,
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing new lines.")
    ] = False,
) -> None:
    """Show the end of the server's log (<data dir>/server/server.log)."""
    from trademind.web.launcher import follow_log, tail
    from trademind.web.process import log_path

    path = log_path(_data_dir(get_state(ctx)))
    if not path.exists():
        print_message(f"no server log yet ({path})")
        return
    for line in tail(path, lines):
        typer.echo(line)
    if follow:
        follow_log(path, typer.echo)


@app.command()
def restart(
    ctx: typer.Context,
    host: HostOption = None,
    port: PortOption = None,
) -> None:
    """Stop the running server (if any) and start it again in the background."""
    from trademind.web.process import find_server, stop_server

    state = get_state(ctx)
    data_dir = _data_dir(state)
    if find_server(data_dir).state is not None:
        stopped = stop_server(data_dir)
        print_message(f"server (pid {stopped.pid}) stopped")
    ctx.invoke(start, ctx=ctx, host=host, port=port, reload=False, foreground=False)
