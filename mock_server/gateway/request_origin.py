"""Who may reach the control plane, the dashboard and `/openapi.json`: the emulator's own host
names, and never a page of another site.

A web page the QA person opens can make the browser send requests to the emulator on loopback.
Three rules keep such a page out of the emulator's own routes (README, "Off loopback"):

- the `Host` header must name the emulator: an IP address, `localhost`, the bound address or an
  `--allowed-host` (421 MOCK.0421). A page served from a name the attacker rebinds to 127.0.0.1
  sends its own name, so it cannot read the control plane's secrets (DNS rebinding). An IP
  address is always taken: a page whose origin is that address was served by the emulator;
- a request the browser marks as another site's (`Sec-Fetch-Site: cross-site` or `same-site`)
  or whose `Origin` is not the emulator's own is refused (403 MOCK.0403); a link followed from
  another site to a dashboard page (a top-level GET) is still shown: a page only reads;
- a `POST` must say `Content-Type: application/json` (415 MOCK.0420), with a body or without:
  no page of another site can send that without a CORS preflight, which the emulator never
  grants. Other writes (`DELETE`) always need that preflight. The dashboard's sign-in and
  sign-out are HTML forms: they must show they come from the dashboard's own page, by
  `Sec-Fetch-Site: same-origin` or the emulator's own `Origin`.

The Huawei-facing API (`/v3/...`, `/`) answers any `Host`: SDKs send their endpoint's name, and
a signature may cover it. Its catalog and links are built from the `Host` only when the
allow-list takes it (`trusted_host`), else from the bound address.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sms_mock.contracts import error_codes as codes
from sms_mock.mock_server.core.errors import CONTROL_PREFIX, ApiError, catalogued

OPENAPI_PATH = "/openapi.json"
DASHBOARD = CONTROL_PREFIX + "/ui"
DASHBOARD_FORMS = frozenset({DASHBOARD + "/login", DASHBOARD + "/logout"})
DASHBOARD_PARTS = DASHBOARD + "/parts/"
LOOPBACK_NAMES = frozenset({"localhost"})
OTHER_SITE = frozenset({"cross-site", "same-site"})  # same-site is still another origin
READS = frozenset({"GET", "HEAD"})
JSON = "application/json"
MAX_NAME = 253  # DNS's longest name; an IP address (an IPv6 one with its zone) is shorter


def guarded(path: str) -> bool:
    """The routes that hold or change the emulator's secrets and state, besides the API."""
    return path.startswith(CONTROL_PREFIX) or path == OPENAPI_PATH


def is_dashboard(path: str) -> bool:
    """A dashboard page or one of its parts (it answers its own sign-in form)."""
    return path == DASHBOARD or path.startswith(DASHBOARD + "/")


def split_host(host: str) -> tuple[str, str]:
    """(`name`, `port`) of a Host header: `[::1]:8080` -> (`::1`, `8080`); the name lowercased,
    without a trailing dot."""
    host = host.strip()
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        port = rest[1:] if rest.startswith(":") else ""
    elif host.count(":") == 1:
        name, port = host.split(":", 1)
    else:
        name, port = host, ""  # a bare IPv6 address has no port
    return name.lower().rstrip("."), port


@functools.lru_cache(maxsize=1024)  # asked on every token's catalog, of the same few hosts
def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class HostAllowList:
    """The host names the control plane answers to, besides every IP address."""

    names: frozenset[str]

    @classmethod
    def of(cls, bound: str, allowed: Iterable[str] = ()) -> HostAllowList:
        given = [bound, *allowed]
        return cls(LOOPBACK_NAMES | {split_host(name)[0] for name in given if name})

    def allows(self, host: str) -> bool:
        name, port = split_host(host)
        # No host name is longer than DNS allows, no port has more than 5 digits: a longer
        # Host is refused before anything keeps it (the IP answers, a token catalog's parts).
        if not name or len(name) > MAX_NAME or (port and not (len(port) <= 5 and port.isdigit())):
            return False
        return name in self.names or _is_ip(name)


def _bracketed(name: str) -> str:
    """A host name as a URL writes it: an IPv6 address in brackets."""
    return f"[{name}]" if ":" in name else name


def _origin(scheme: str, host: str) -> str:
    """`scheme://name[:port]` normalised: lowercased, the scheme's default port left out."""
    scheme = scheme.lower()
    name, port = split_host(host)
    default = {"http": "80", "https": "443"}.get(scheme)
    return f"{scheme}://{_bracketed(name)}" + (f":{port}" if port and port != default else "")


def _same_origin(origin: str, environ: dict[str, Any]) -> bool:
    scheme, sep, host = origin.strip().partition("://")
    if not sep or "/" in host:
        return False  # "null" (a sandboxed frame, a file:// page) or not an origin at all
    own = _origin(environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST", ""))
    return _origin(scheme, host) == own


def _media_type(environ: dict[str, Any]) -> str:
    return environ.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()


def _followed_link(method: str, path: str, environ: dict[str, Any]) -> bool:
    """A top-level navigation to a dashboard page, as a link on another site makes: shown."""
    return (
        method in READS
        and is_dashboard(path)
        and not path.startswith(DASHBOARD_PARTS)
        and environ.get("HTTP_SEC_FETCH_MODE") == "navigate"
        and environ.get("HTTP_SEC_FETCH_DEST", "document") == "document"
    )


def foreign_request(
    environ: dict[str, Any], method: str, path: str, hosts: HostAllowList
) -> ApiError | None:
    """Why a request to a guarded route is refused, or None when it may go on."""
    host = environ.get("HTTP_HOST", "")
    # No Host at all is no browser's (every browser sends one): nothing to rebind.
    if host and not hosts.allows(host):
        return catalogued(codes.MOCK_UNKNOWN_HOST, f"Host {host[:100]!r} is not allowed.")
    site = environ.get("HTTP_SEC_FETCH_SITE", "").strip().lower()
    origin = environ.get("HTTP_ORIGIN")
    if site in OTHER_SITE and not _followed_link(method, path, environ):
        return catalogued(codes.MOCK_CROSS_SITE, f"Sec-Fetch-Site is {site}.")
    if origin is not None and not _same_origin(origin, environ):
        return catalogued(codes.MOCK_CROSS_SITE, f"Origin {origin[:100]!r} is not this server.")
    if method not in READS and path in DASHBOARD_FORMS:
        # An HTML form: a page of another site may post one too; this one must prove it is not.
        if site == "same-origin" or origin is not None:  # an Origin here is already our own
            return None
        return catalogued(
            codes.MOCK_CROSS_SITE, "The dashboard's forms need the page's own Origin."
        )
    return None


def not_json(environ: dict[str, Any], method: str, path: str) -> ApiError | None:
    """415 for a control-plane POST that does not say JSON (the dashboard's forms excepted);
    checked after the admin token, so that a caller without it learns that first."""
    if method != "POST" or path in DASHBOARD_FORMS or not path.startswith(CONTROL_PREFIX):
        return None
    return None if _media_type(environ) == JSON else catalogued(codes.MOCK_NOT_JSON)


def trusted_host(environ: dict[str, Any], hosts: HostAllowList, bound: str) -> str:
    """The host (with its port) that links and catalogs may name: the request's `Host` when the
    allow-list takes it, else the bound address on the port the request arrived at."""
    host = environ.get("HTTP_HOST", "")
    if host and hosts.allows(host):
        return host
    shown = _bracketed(split_host(bound)[0] or "127.0.0.1")
    port = environ.get("SERVER_PORT", "")
    return f"{shown}:{port}" if port.isdigit() else shown
