"""The server's access rules and headers, over the real app (docs/api.md, "Security")."""

from __future__ import annotations

import httpx
import pytest
from support.web_app import LOCAL, TOKEN

from trademind.web.middleware import MAX_BODY_BYTES
from trademind.web.security import CONTENT_SECURITY_POLICY, CSRF_COOKIE, SESSION_COOKIE

STOP = {"account": "demo", "reason": "test stop"}


async def test_every_answer_carries_the_security_headers(open_client: httpx.AsyncClient) -> None:
    for path in ("/health", "/api/v1/portfolio", "/", "/static/css/trademind.css", "/nope"):
        response = await open_client.get(path)
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY, path
        assert response.headers["x-frame-options"] == "DENY"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY.split("script-src")[1].split(";")[0]


async def test_reads_are_open_on_loopback_without_a_token(open_client: httpx.AsyncClient) -> None:
    response = await open_client.get("/api/v1/portfolio", params={"account": "demo"})
    assert response.status_code == 200, response.text
    assert response.json()["account"]["name"] == "demo"


async def test_a_write_without_csrf_or_token_is_refused_and_changes_nothing(
    open_client: httpx.AsyncClient,
) -> None:
    response = await open_client.post("/api/v1/safety/emergency-stop", json=STOP)
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "CSRF token missing or invalid"},
    )
    forged = await open_client.post(
        "/api/v1/safety/emergency-stop", json=STOP, headers={"X-CSRF-Token": "x" * 43}
    )
    assert forged.status_code == 403
    status = (await open_client.get("/api/v1/safety/status", params={"account": "demo"})).json()
    assert status["state"] == "active"


async def test_the_csrf_token_of_the_cookie_lets_a_write_through(
    open_client: httpx.AsyncClient,
) -> None:
    await open_client.get("/")
    token = open_client.cookies[CSRF_COOKIE]
    response = await open_client.post(
        "/api/v1/safety/emergency-stop", json=STOP, headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 200, response.text
    assert response.json()["change"]["to_state"] == "halted"


async def test_the_local_token_lets_the_cli_write(open_client: httpx.AsyncClient) -> None:
    response = await open_client.post(
        "/api/v1/safety/emergency-stop", json=STOP, headers={"Authorization": f"Bearer {LOCAL}"}
    )
    assert response.status_code == 200, response.text


async def test_with_a_token_configured_nothing_is_open(locked_client: httpx.AsyncClient) -> None:
    assert (await locked_client.get("/api/v1/portfolio")).status_code == 401
    assert (await locked_client.get("/health")).status_code == 401
    wrong = await locked_client.get("/health", headers={"Authorization": "Bearer " + "w" * 40})
    assert (wrong.status_code, wrong.json()) == (401, {"detail": "invalid token"})
    page = await locked_client.get("/", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login")
    right = await locked_client.get("/health", headers={"Authorization": f"Bearer {TOKEN}"})
    assert right.status_code == 200


async def test_the_login_form_sets_an_httponly_strict_session(
    locked_client: httpx.AsyncClient,
) -> None:
    await locked_client.get("/login")
    csrf = locked_client.cookies[CSRF_COOKIE]
    response = await locked_client.post(
        "/login", data={"token": TOKEN, "csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{SESSION_COOKIE}=")
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "samesite=strict" in cookie.lower()
    assert TOKEN not in cookie
    signed_in = await locked_client.get("/api/v1/portfolio", params={"account": "demo"})
    assert signed_in.status_code == 200


async def test_a_login_without_csrf_is_refused(locked_client: httpx.AsyncClient) -> None:
    await locked_client.get("/login")
    response = await locked_client.post("/login", data={"token": TOKEN})
    assert response.status_code == 403
    assert SESSION_COOKIE not in locked_client.cookies


async def test_failed_logins_are_rate_limited(locked_client: httpx.AsyncClient) -> None:
    await locked_client.get("/login")
    csrf = locked_client.cookies[CSRF_COOKIE]
    codes = [
        (
            await locked_client.post("/login", data={"token": "wrong", "csrf_token": csrf})
        ).status_code
        for _ in range(6)
    ]
    assert codes == [401] * 5 + [429]
    blocked = await locked_client.post("/login", data={"token": TOKEN, "csrf_token": csrf})
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers


@pytest.mark.parametrize(
    ("body", "headers", "status"),
    [
        (b"{not json", {"content-type": "application/json"}, 422),
        (b'{"reason": 5}', {"content-type": "application/json"}, 422),
        (b'{"reason": "x", "extra": 1}', {"content-type": "application/json"}, 422),
        (b"x" * (MAX_BODY_BYTES + 1), {"content-type": "application/json"}, 413),
    ],
)
async def test_bad_bodies_are_a_clear_4xx_without_traceback(
    open_client: httpx.AsyncClient, body: bytes, headers: dict[str, str], status: int
) -> None:
    headers = {**headers, "Authorization": f"Bearer {LOCAL}"}
    response = await open_client.post(
        "/api/v1/safety/emergency-stop", content=body, headers=headers
    )
    assert response.status_code == status, response.text
    assert "Traceback" not in response.text
    assert "detail" in response.json()


async def test_an_unknown_account_is_a_4xx(open_client: httpx.AsyncClient) -> None:
    response = await open_client.get("/api/v1/portfolio", params={"account": "nobody"})
    assert response.status_code == 400
    assert "nobody" in response.json()["detail"]


async def test_without_the_token_a_broken_body_is_still_a_401(
    locked_client: httpx.AsyncClient,
) -> None:
    """The token gate answers before anything reads the body (FastAPI parsed it first)."""
    response = await locked_client.post(
        "/api/v1/safety/emergency-stop",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert (response.status_code, response.json()) == (401, {"detail": "authentication required"})
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    page = await locked_client.get("/strategies", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/login")
