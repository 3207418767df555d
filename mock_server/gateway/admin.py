"""The control plane's admin rule: the `X-Mock-Admin-Token` header, or the dashboard's cookie.

A server started without `--admin-token` lets everyone in. With one, a request needs the
token in the header, or the cookie the dashboard's sign-in sets (path `/_mock`, HttpOnly,
SameSite=Strict). The cookie never holds the token: it holds its expiry and an HMAC of the
token and that expiry under a secret of this process, so it opens nothing once it expires
(`COOKIE_LIFETIME_S`) or the server restarts. A change made with the cookie alone must also
carry `X-Mock-Dashboard: 1`: a page of another site can make a browser send the cookie, but
not that header.

Tokens are compared in constant time (HMACs of equal length), and wrong ones are limited by
client address (`guess_limit.py`): a token sent while its address waits is refused unread.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any

from sms_mock.contracts import error_codes as codes
from sms_mock.mock_server.core.errors import CONTROL_PREFIX, ApiError, BodyFormat, catalogued
from sms_mock.mock_server.gateway.guess_limit import GuessLimiter

CONTROL = CONTROL_PREFIX  # the control plane's paths, the dashboard's among them

ADMIN_HEADER = "HTTP_X_MOCK_ADMIN_TOKEN"
ADMIN_COOKIE = "sms_mock_admin"
DASHBOARD_HEADER = "HTTP_X_MOCK_DASHBOARD"
SAFE_METHODS = frozenset({"GET", "HEAD"})
COOKIE_LIFETIME_S = 8 * 3600  # a working day; the sign-in asks again after it
# The app's extension key under which create_app keeps the gate the middleware uses.
EXTENSION_KEY = "sms_mock.admin_gate"


def admin_token_missing() -> ApiError:
    return catalogued(codes.MOCK_ADMIN_TOKEN)


class TooManyGuesses(ApiError):
    """429 MOCK.0429, with the seconds to wait for its `Retry-After` header."""

    def __init__(self, wait_s: int) -> None:
        row = codes.MOCK_TOO_MANY_GUESSES
        super().__init__(row.status, row.code, row.text(f"Wait {wait_s} s."), BodyFormat.SMS)
        self.wait_s = wait_s

    def headers(self) -> list[tuple[str, str]]:
        return [("Retry-After", str(self.wait_s))]


def _client_address(environ: dict[str, Any]) -> str:
    return str(environ.get("REMOTE_ADDR") or "")


def _cookie_value(environ: dict[str, Any]) -> str:
    """The value of the dashboard's cookie as the request carries it, or ''."""
    raw = environ.get("HTTP_COOKIE", "")
    if ADMIN_COOKIE not in raw:
        return ""
    try:
        morsel = SimpleCookie(raw).get(ADMIN_COOKIE)
    except CookieError:
        return ""
    return morsel.value if morsel is not None else ""


@dataclass
class AdminGate:
    """The admin token of one app, the secret its cookies are signed with, and the limit on
    wrong tokens. `wall` (seconds) dates the cookies; tests may replace it."""

    token: str | None
    limiter: GuessLimiter = field(default_factory=GuessLimiter)
    wall: Callable[[], float] = time.time
    _secret: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)

    def _mac(self, *parts: str) -> bytes:
        message = b"\0".join(part.encode("utf-8", "surrogateescape") for part in parts)
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    def _is_token(self, given: str) -> bool:
        # Equal-length digests: the comparison's time tells nothing of the token, its length
        # included.
        expected = self._mac("token", self.token or "")
        return hmac.compare_digest(self._mac("token", given), expected)

    # --- the header and the sign-in form: guesses, limited ----------------------------------------

    def try_token(self, given: str, environ: dict[str, Any]) -> ApiError | None:
        """None when `given` is the token; else 401, or 429 while the address waits (unread)."""
        address = _client_address(environ)
        wait = self.limiter.wait_s(address)
        if wait:
            return TooManyGuesses(wait)
        if self._is_token(given):
            self.limiter.right(address)
            return None
        self.limiter.wrong(address)
        return admin_token_missing()

    # --- the dashboard's cookie --------------------------------------------------------------

    def cookie_for_token(self) -> str:
        """What the sign-in stores: the expiry, and an HMAC of it and the token."""
        expires = str(int(self.wall()) + COOKIE_LIFETIME_S)
        return f"{expires}.{self._mac('cookie', expires, self.token or '').hex()}"

    def cookie_valid(self, environ: dict[str, Any]) -> bool:
        expires, _, mac = _cookie_value(environ).partition(".")
        # At most 12 digits: a date, and never a number too long for int() to take.
        if not (expires.isdigit() and len(expires) <= 12) or int(expires) <= self.wall():
            return False
        try:
            given = bytes.fromhex(mac)
        except ValueError:
            return False
        # A cookie is not a guess at the token: it is not counted (a stale one, after a
        # restart, must not make its page's polling wait), and cannot be forged without
        # the process's secret.
        return hmac.compare_digest(given, self._mac("cookie", expires, self.token or ""))

    # --- the rule ----------------------------------------------------------------------------

    def refusal(self, environ: dict[str, Any]) -> ApiError | None:
        """Why a control-plane or dashboard request is refused (401 or 429), or None."""
        if not self.token:
            return None
        given = environ.get(ADMIN_HEADER, "")
        if given:
            return self.try_token(given, environ)
        if not self.cookie_valid(environ):
            return admin_token_missing()
        method = environ.get("REQUEST_METHOD", "GET")
        if method in SAFE_METHODS or environ.get(DASHBOARD_HEADER) == "1":
            return None
        return admin_token_missing()
