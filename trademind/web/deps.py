"""The request dependencies (``Annotated`` aliases, as in the FastAPI full-stack template)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import Depends, Request

from trademind.config import Settings
from trademind.core.clock import Clock
from trademind.db.session import Database
from trademind.web.context import WebContext
from trademind.web.jobs import JobRunner


def web_context(request: Request) -> WebContext:
    context: WebContext = request.app.state.context
    return context


# The dependencies are ``async``: FastAPI runs a plain ``def`` dependency in a worker thread,
# a hop there and back (and the GIL handed round twice) per dependency and request, which
# under load cost more than the endpoints' work (docs/api.md, "Load").


async def _context(request: Request) -> WebContext:
    return web_context(request)


async def _database(request: Request) -> Database:
    return web_context(request).database


async def _clock(request: Request) -> Clock:
    return web_context(request).clock


async def _settings(request: Request) -> Settings:
    return web_context(request).settings()


ContextDep = Annotated[WebContext, Depends(_context)]
DatabaseDep = Annotated[Database, Depends(_database)]
ClockDep = Annotated[Clock, Depends(_clock)]
SettingsDep = Annotated[Settings, Depends(_settings)]


async def _jobs(request: Request) -> JobRunner:
    """The app's job runner, made at its first use (inside the event loop, whose loop the
    workers publish their progress onto)."""
    runner: JobRunner | None = getattr(request.app.state, "jobs", None)
    if runner is None:
        context = web_context(request)
        runner = JobRunner(clock=context.clock, bus=context.bus, loop=asyncio.get_running_loop())
        request.app.state.jobs = runner
    return runner


JobsDep = Annotated[JobRunner, Depends(_jobs)]
