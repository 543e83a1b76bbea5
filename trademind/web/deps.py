"""The request dependencies (``Annotated`` aliases, as in the FastAPI full-stack template)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from trademind.config import Settings
from trademind.core.clock import Clock
from trademind.db.session import Database
from trademind.web.context import WebContext


def web_context(request: Request) -> WebContext:
    context: WebContext = request.app.state.context
    return context


def _database(request: Request) -> Database:
    return web_context(request).database


def _clock(request: Request) -> Clock:
    return web_context(request).clock


def _settings(request: Request) -> Settings:
    return web_context(request).settings()


ContextDep = Annotated[WebContext, Depends(web_context)]
DatabaseDep = Annotated[Database, Depends(_database)]
ClockDep = Annotated[Clock, Depends(_clock)]
SettingsDep = Annotated[Settings, Depends(_settings)]
