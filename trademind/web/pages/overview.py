"""``/``: the overview (equity, today's P&L, positions, trading state; live over SSE)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from trademind.web.pages.templates import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    return render(request, "overview.html")
