"""Who may call the server, and the headers every answer carries.

The rules (docs/api.md, "Security"):

- **Token.** With ``web.auth_token`` set, every request but ``/login`` and ``/static/...`` must
  carry it: ``Authorization: Bearer <token>``, or the session cookie the login form sets
  (``tm_session``: HttpOnly, SameSite=Strict, signed with a key made at start, so a restart
  ends every session). On a non-loopback host the server refuses to start without a token of
  at least :data:`MIN_TOKEN_LENGTH` characters. On loopback without a configured token the pages
  and reads are open, and writes need the CSRF token or the **local token**: a random token the
  server writes at start to its state file (mode 0600) for the CLI on the same machine.
- **CSRF.** A request that changes something (POST, PUT, PATCH, DELETE) without a valid Bearer
  token must send the CSRF token in the ``X-CSRF-Token`` header or the ``csrf_token`` form
  field, equal to the ``tm_csrf`` cookie (double submit; the cookie is SameSite=Strict and the
  pages put the token in the ``hx-headers`` of their body, no script needed).
- **Login attempts** are limited per client address: :data:`LOGIN_ATTEMPTS` failures in
  :data:`LOGIN_WINDOW_SECONDS` and the next attempts answer 429 until the window passes.
- **Headers.** Every answer carries :data:`CONTENT_SECURITY_POLICY` (no inline script, nothing
  from another origin), ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and
  ``Referrer-Policy: no-referrer``.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections import deque
from dataclasses import dataclass, field
from typing import Final

from trademind.core.clock import Clock

MIN_TOKEN_LENGTH: Final = 32
SESSION_COOKIE: Final = "tm_session"
CSRF_COOKIE: Final = "tm_csrf"
CSRF_HEADER: Final = "X-CSRF-Token"
CSRF_FIELD: Final = "csrf_token"
SESSION_SECONDS: Final = 12 * 3600
LOGIN_ATTEMPTS: Final = 5
LOGIN_WINDOW_SECONDS: Final = 60.0
UNSAFE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
"""``style-src 'unsafe-inline'``: plotly.js sets element styles; scripts stay ``'self'`` only."""
SECURITY_HEADERS: Final = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
}


def new_token() -> str:
    """A random token (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def same_secret(given: str | None, expected: str | None) -> bool:
    """Constant-time comparison; False when either is missing or empty."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


@dataclass
class Sessions:
    """Signed session cookies: ``<expiry>.<nonce>.<signature>`` under a key made at start."""

    clock: Clock
    key: bytes = field(default_factory=lambda: secrets.token_bytes(32))

    def issue(self) -> str:
        expiry = int(self.clock.now().timestamp()) + SESSION_SECONDS
        body = f"{expiry}.{secrets.token_urlsafe(16)}"
        return f"{body}.{self._sign(body)}"

    def valid(self, cookie: str | None) -> bool:
        if not cookie or cookie.count(".") != 2:
            return False
        body, _, signature = cookie.rpartition(".")
        if not same_secret(signature, self._sign(body)):
            return False
        expiry = body.partition(".")[0]
        return expiry.isdigit() and int(expiry) > self.clock.now().timestamp()

    def _sign(self, body: str) -> str:
        return hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()


@dataclass
class LoginLimiter:
    """Failed logins per client address in a sliding window (module docstring)."""

    clock: Clock
    attempts: int = LOGIN_ATTEMPTS
    window_seconds: float = LOGIN_WINDOW_SECONDS
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def blocked_for(self, client: str) -> float:
        """Seconds until ``client`` may try again (0: now)."""
        failures = self._recent(client)
        if len(failures) < self.attempts:
            return 0.0
        return max(0.0, failures[0] + self.window_seconds - self._now())

    def failed(self, client: str) -> None:
        self._recent(client).append(self._now())

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)

    def _recent(self, client: str) -> deque[float]:
        failures = self._failures.setdefault(client, deque())
        while failures and failures[0] <= self._now() - self.window_seconds:
            failures.popleft()
        return failures

    def _now(self) -> float:
        return self.clock.now().timestamp()


@dataclass(frozen=True, slots=True)
class AccessPolicy:
    """The tokens this server accepts: ``configured`` (web.auth_token; None: open on loopback)
    and ``local`` (written to the state file for the CLI on this machine)."""

    configured: str | None
    local: str

    @property
    def login_required(self) -> bool:
        return self.configured is not None

    def bearer_ok(self, token: str | None) -> bool:
        return same_secret(token, self.configured) or same_secret(token, self.local)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None
