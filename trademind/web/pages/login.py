"""``/login`` (the form that trades the token for a session cookie) and ``/logout``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from trademind.web.deps import ContextDep
from trademind.web.pages.templates import render
from trademind.web.security import SESSION_COOKIE, SESSION_SECONDS, same_secret

router = APIRouter(include_in_schema=False)


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, context: ContextDep) -> Response:
    if not context.policy.login_required:
        return RedirectResponse("/", status_code=303)
    return render(request, "login.html")


@router.post("/login")
def login(
    request: Request, context: ContextDep, token: Annotated[str, Form(max_length=1000)] = ""
) -> Response:
    """A session cookie for the right token; 401 for a wrong one, 429 after too many."""
    client = request.client.host if request.client else "unknown"
    wait = context.limiter.blocked_for(client)
    if wait > 0:
        message = f"too many failed logins: try again in {wait:.0f} s"
        response = render(request, "login.html", status=429, error=message)
        response.headers["Retry-After"] = str(int(wait) + 1)
        return response
    if not same_secret(token, context.policy.configured):
        context.limiter.failed(client)
        return render(request, "login.html", status=401, error="wrong token")
    context.limiter.succeeded(client)
    signed_in = RedirectResponse("/", status_code=303)
    signed_in.set_cookie(
        SESSION_COOKIE,
        context.sessions.issue(),
        max_age=SESSION_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
    )
    return signed_in


@router.post("/logout")
def logout() -> Response:
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
