"""The control plane's admin rule: the `X-Mock-Admin-Token` header, or the dashboard's cookie.

A server started without `--admin-token` lets everyone in. With one, a request needs the
token in the header, or in the cookie the dashboard's login sets (path `/_mock`, HttpOnly,
SameSite=Strict). A change made with the cookie alone must also carry `X-Mock-Dashboard: 1`:
a page of another site can make a browser send the cookie, but not that header.
"""

from __future__ import annotations

import secrets
from http.cookies import CookieError, SimpleCookie
from typing import Any

from sms_mock.contracts import error_codes as codes
from sms_mock.mock_server.core.errors import CONTROL_PREFIX, ApiError, catalogued

CONTROL = CONTROL_PREFIX  # the control plane's paths, the dashboard's among them

ADMIN_HEADER = "HTTP_X_MOCK_ADMIN_TOKEN"
ADMIN_COOKIE = "sms_mock_admin"
DASHBOARD_HEADER = "HTTP_X_MOCK_DASHBOARD"
SAFE_METHODS = frozenset({"GET", "HEAD"})


def admin_token_missing() -> ApiError:
    return catalogued(codes.MOCK_ADMIN_TOKEN)


def _same(given: str, expected: str) -> bool:
    return secrets.compare_digest(given.encode("utf-8", "replace"), expected.encode())


def cookie_token(environ: dict[str, Any]) -> str:
    """The admin token the dashboard's cookie holds, or ''."""
    raw = environ.get("HTTP_COOKIE", "")
    if ADMIN_COOKIE not in raw:
        return ""
    try:
        morsel = SimpleCookie(raw).get(ADMIN_COOKIE)
    except CookieError:
        return ""
    return morsel.value if morsel is not None else ""


def admin_allowed(environ: dict[str, Any], expected: str | None) -> bool:
    if not expected:
        return True
    if _same(environ.get(ADMIN_HEADER, ""), expected):
        return True
    if not _same(cookie_token(environ), expected):
        return False
    method = environ.get("REQUEST_METHOD", "GET")
    return method in SAFE_METHODS or environ.get(DASHBOARD_HEADER) == "1"
