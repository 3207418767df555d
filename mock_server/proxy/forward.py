"""The forwarding app: below the emulator's gateway middleware, in place of its services.

The middleware has made the request id, checked the host and the admin rule, fired any HTTP
fault and will journal the answer; this app forwards every Huawei-facing request to the
upstream and hands the control plane (`/_mock`, the dashboard) and `/openapi.json` to the
emulator's own Flask app. A forwarded request and its answer are checked against the contracts;
each violation is logged, added to the request's journal entry and kept for
`GET /_mock/violations`; with `strict`, a violating answer becomes 502 MOCK.0503.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit

import requests

from sms_mock.contracts import error_codes as codes
from sms_mock.contracts import signing
from sms_mock.contracts.conformance import (
    REQUEST,
    RESPONSE,
    ContractOperation,
    Violation,
    check_request,
    check_response,
    find_operation,
)
from sms_mock.mock_server.core.clock import wall_ms
from sms_mock.mock_server.core.errors import CONTROL_PREFIX, ApiError, catalogued, status_line
from sms_mock.mock_server.core.http import REQUEST_ID_KEY
from sms_mock.mock_server.gateway.body_limits import RouteBodyLimits
from sms_mock.mock_server.gateway.middleware import JOURNAL_NOTES_KEY
from sms_mock.mock_server.proxy.har import Exchange, HarRecorder
from sms_mock.mock_server.proxy.settings import ProxySettings
from sms_mock.mock_server.proxy.violations import ViolationBook

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# What the emulator answers itself: its control plane, the dashboard and its OpenAPI document.
LOCAL_PATHS = ("/openapi.json",)
# Hop-by-hop headers (RFC 9110, 7.6.1) are the connection's, not the message's: never forwarded.
HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "trailers",
        "transfer-encoding",
        "upgrade",
    }
)
# Rewritten for the upstream (Host, the length), answered by the proxy's own server (Expect),
# or the proxy's own (its admin token).
_NOT_FORWARDED = frozenset(
    {"host", "content-length", "expect", "x-mock-admin-token", "x-mock-poll"}
)
# What the client's signature added: the proxy's own signature replaces all of them.
_SIGNATURE_HEADERS = frozenset(
    {
        "authorization",
        signing.DATE_HEADER.lower(),
        signing.CONTENT_SHA256_HEADER.lower(),
        "x-security-token",
    }
)
# requests has decoded the body: its length and encoding are written again.
_ANSWER_REWRITTEN = frozenset({"content-length", "content-encoding"})
# The most of an exchange's violations the strict answer names.
STRICT_NAMED = 3


def is_local(path: str) -> bool:
    return path.startswith(CONTROL_PREFIX) or path in LOCAL_PATHS


def _request_headers(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """The client's headers, as it named them where the server kept that (title case)."""
    pairs = []
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:].replace("_", "-").title()
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            name = key.replace("_", "-").title()
        else:
            continue
        if value:
            pairs.append((name, value))
    return pairs


def _connection_listed(pairs: Iterable[tuple[str, str]]) -> set[str]:
    """The headers a `Connection` header names: hop-by-hop as well."""
    return {
        token.strip().lower()
        for name, value in pairs
        if name.lower() == "connection"
        for token in value.split(",")
    }


def _forwarded(pairs: list[tuple[str, str]], *, signed: bool) -> list[tuple[str, str]]:
    dropped = HOP_BY_HOP | _NOT_FORWARDED | _connection_listed(pairs)
    if signed:
        dropped = dropped | _SIGNATURE_HEADERS
    return [(name, value) for name, value in pairs if name.lower() not in dropped]


def _raw_target(environ: dict[str, Any]) -> tuple[str, str]:
    """(path, query) as the client wrote them: the upstream gets the same bytes, and the
    signature covers them."""
    raw = environ.get("REQUEST_URI") or environ.get("RAW_URI")
    if raw:
        if "://" in raw.split("?", 1)[0]:  # an absolute-form target
            parts = urlsplit(raw)
            return parts.path or "/", parts.query
        path, _, query = raw.partition("?")
        return path, query
    path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8", "replace")
    return quote(path, safe="/~!$&'()*+,;=:@-._"), environ.get("QUERY_STRING", "")


def _unreachable(target: str, exc: requests.RequestException) -> ApiError:
    if isinstance(exc, requests.ConnectTimeout):
        why = "no connection within the timeout"
    elif isinstance(exc, requests.ReadTimeout):
        why = "no answer within the timeout; the request was sent and may have taken effect"
    elif isinstance(exc, requests.exceptions.SSLError):
        why = "the TLS handshake failed"
    elif isinstance(exc, requests.ConnectionError):
        why = "the connection was refused or lost, or the host name does not resolve"
    else:
        why = type(exc).__name__
    return catalogued(codes.MOCK_UPSTREAM_UNREACHABLE, f"{target}: {why}.")


def _broke_contract(violations: list[Violation], status: int) -> ApiError:
    named = "; ".join(f"{v.field or 'the body'}: {v.message}" for v in violations[:STRICT_NAMED])
    more = len(violations) - STRICT_NAMED
    if more > 0:
        named += f"; and {more} more (GET /_mock/violations)"
    return catalogued(
        codes.MOCK_UPSTREAM_BROKE_CONTRACT,
        f"{violations[0].operation} answered {status}: {named}. The request reached the "
        "upstream all the same: what it did there stands.",
    )


class ForwardingApp:
    """The WSGI app below the gateway middleware: forwards, or hands to the emulator's app."""

    def __init__(
        self,
        local: WsgiApp,
        settings: ProxySettings,
        limits: RouteBodyLimits,
        book: ViolationBook,
        recorder: HarRecorder | None = None,
    ) -> None:
        self.local = local
        self.settings = settings
        self.limits = limits
        self.book = book
        self.recorder = recorder
        self._sessions = threading.local()

    def _session(self) -> requests.Session:
        """One session a worker thread (requests' sessions are not shared across threads),
        keeping its connections to the upstream alive."""
        session = getattr(self._sessions, "session", None)
        if session is None:
            session = self._sessions.session = requests.Session()
            # Any auth set keeps requests from putting a ~/.netrc password over the
            # Authorization header; proxies from the environment still apply.
            session.auth = lambda prepared: prepared
        return session

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if is_local(environ.get("PATH_INFO", "")):
            return self.local(environ, start_response)
        return self.forward(environ, start_response)

    def _read_body(self, environ: dict[str, Any], limit: int) -> bytes:
        """The request's body, at most `limit` + 1 bytes (one more is enough to refuse it)."""
        stream = environ["wsgi.input"]
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length:
            return stream.read(min(length, limit + 1))
        if environ.get("wsgi.input_terminated"):
            return stream.read(limit + 1)
        return b""

    def _target(self, op: ContractOperation | None) -> str:
        iam = self.settings.iam_upstream
        if iam is not None and op is not None and op.tag == "IAM":
            return iam
        return self.settings.upstream

    def forward(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request_id: str = environ[REQUEST_ID_KEY]
        method = environ.get("REQUEST_METHOD", "GET")
        path_info = environ.get("PATH_INFO", "")

        def refuse(error: ApiError, answer_id: str = request_id) -> list[bytes]:
            status, headers, body = error.wsgi_answer(answer_id)
            start_response(status, headers)
            return [body]

        # The gateway's own refusal for a body over its route's limit, as the emulator's.
        limit = self.limits.for_request(method, path_info)
        body = self._read_body(environ, limit.max_bytes)
        if len(body) > limit.max_bytes:
            return refuse(limit.too_large())

        raw_path, raw_query = _raw_target(environ)
        query = parse_qsl(raw_query, keep_blank_values=True)
        op = find_operation(method, path_info)
        content_type = environ.get("CONTENT_TYPE") or None
        if op is None:
            found = [Violation("", REQUEST, "", f"{method} {path_info} is no operation of the "
                               "contract")]  # fmt: skip
        else:
            first = dict(reversed(query))  # the first value of a repeated key, as the service
            found = check_request(op, first, body, content_type, path=path_info)

        base = self._target(op)
        url = base + raw_path + (f"?{raw_query}" if raw_query else "")
        client_headers = _request_headers(environ)
        authorization = next((v for n, v in client_headers if n.lower() == "authorization"), "")
        credentials = self.settings.credentials
        resign = authorization.startswith(signing.ALGORITHM + " ") and credentials.has_aksk
        headers = dict(_forwarded(client_headers, signed=resign))
        headers["Host"] = urlsplit(base).netloc
        if resign:
            if credentials.security_token:
                headers["X-Security-Token"] = credentials.security_token
            headers = signing.sign(
                method,
                urlsplit(url).path,
                query,
                headers,
                body,
                ak=credentials.ak or "",
                sk=credentials.sk or "",
                now=datetime.now(UTC),
            )

        started = datetime.now(UTC)
        clock = time.perf_counter()
        try:
            answer = self._session().request(
                method,
                url,
                data=body or None,
                headers=headers,
                timeout=(self.settings.connect_timeout_s, self.settings.read_timeout_s),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            self._report(environ, [replace(v, request_id=request_id) for v in found], None)
            return refuse(_unreachable(base, exc))
        wait_ms = (time.perf_counter() - clock) * 1000

        upstream_id = answer.headers.get("X-Request-Id")
        answer_id = upstream_id or request_id
        answer_type = answer.headers.get("Content-Type")
        if op is not None:
            found += check_response(op, answer.status_code, answer.content, answer_type)
        found = [replace(v, request_id=answer_id) for v in found]
        kept = self._report(environ, found, upstream_id)
        upstream_headers = answer.raw.headers.items()
        dropped = HOP_BY_HOP | _ANSWER_REWRITTEN | _connection_listed(upstream_headers)
        answer_headers = [
            (name, value) for name, value in upstream_headers if name.lower() not in dropped
        ]
        if self.recorder is not None:
            self.recorder.saw_tokens(
                [headers.get("X-Auth-Token"), answer.headers.get("X-Subject-Token"),
                 environ.get("HTTP_X_SUBJECT_TOKEN")]
            )  # fmt: skip
            self.recorder.add(
                Exchange(
                    started=started,
                    method=method,
                    url=url,
                    request_headers=list(headers.items()),
                    request_body=body,
                    status=answer.status_code,
                    reason=answer.reason or "",
                    response_headers=answer_headers,
                    response_body=answer.content,
                    wait_ms=wait_ms,
                    request_id=answer_id,
                    violations=tuple(kept),
                )
            )

        broken = [v for v in found if v.where == RESPONSE]
        if self.settings.strict and broken:
            return refuse(_broke_contract(broken, answer.status_code), answer_id)
        data = answer.content
        if method == "HEAD":
            length = answer.headers.get("Content-Length", "0")
            data = b""
        else:
            length = str(len(data))
        if not any(name.lower() == "x-request-id" for name, _ in answer_headers):
            answer_headers.append(("X-Request-Id", request_id))
        start_response(
            status_line(answer.status_code), [*answer_headers, ("Content-Length", length)]
        )
        return [data]

    def _report(
        self, environ: dict[str, Any], found: list[Violation], upstream_id: str | None
    ) -> list[dict[str, Any]]:
        """Violations logged, kept, and noted for the request's journal entry."""
        notes: dict[str, Any] = {"upstream_request_id": upstream_id}
        kept = self.book.report(found, wall_ms()) if found else []
        notes["violations"] = [{k: v for k, v in item.items() if k != "time_ms"} for item in kept]
        environ[JOURNAL_NOTES_KEY] = notes
        return kept
