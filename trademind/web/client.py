"""The CLI's client of a running server: its URL and local token from the state file,
requests with a one-line error when the server is down or answers badly, and retries for
idempotent requests (GET) on connection failures."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Final

import httpx

from trademind.core.errors import ServerError
from trademind.web.process import ServerState

RETRIES: Final = 3
TIMEOUT_SECONDS: Final = 10.0


@dataclass(frozen=True, slots=True)
class ServerClient:
    state: ServerState
    token: str | None = None
    """The token to send (default: the server's local token)."""

    def get(self, path: str, **params: Any) -> Any:
        return self._request("GET", path, params=params, retries=RETRIES)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._request("POST", path, json=body or {}, retries=0)

    def put(self, path: str, body: dict[str, Any]) -> Any:
        """PUT sets a value: repeating it changes nothing more, so it is retried like a GET."""
        return self._request("PUT", path, json=body, retries=RETRIES)

    def _request(self, method: str, path: str, *, retries: int, **kwargs: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.token or self.state.local_token}"}
        url = f"{self.state.url}{path}"
        for attempt in range(retries + 1):
            try:
                response = httpx.request(
                    method, url, headers=headers, timeout=TIMEOUT_SECONDS, **kwargs
                )
            except httpx.TransportError as exc:
                if attempt < retries:
                    time.sleep(0.2 * 2**attempt)
                    continue
                raise ServerError(
                    f"the server at {self.state.url} does not answer: {exc}"
                ) from None
            return _body(response, f"{method} {path}")
        raise AssertionError("unreachable")


def _body(response: httpx.Response, what: str) -> Any:
    try:
        body = response.json()
    except ValueError:
        raise ServerError(
            f"{what}: the server answered {response.status_code} without JSON"
        ) from None
    if response.status_code >= 400:
        detail = body.get("detail") if isinstance(body, dict) else body
        raise ServerError(f"{what}: {response.status_code}: {detail}")
    return body
