"""Bodies over their route's limit, refused by the server from the request's head (README,
"Errors"): before the body is received, before the token is read, with the route's answer.

A client that announces a body of about a gibibyte and sends a few bytes of it is answered at
once: an answer while nearly all of the body is still unsent is the proof that the server did
not wait for it, nor spool it. Every socket goes to 127.0.0.1; every wait is bounded.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests

from sms_mock.contracts.error_codes import MOCK_ADMIN_TOKEN as ADMIN_TOKEN_ROW
from sms_mock.mock_server.config import Config
from sms_mock.mock_server.gateway.body_limits import (
    CONTROL_BODY,
    SMS_BODY,
    SNAPSHOT_BODY,
    UNVOUCHED_BODY_BYTES,
)
from sms_mock.mock_server.serving.live import LiveServer

WAIT_S = 30  # a bound for what takes well under a second on an idle machine
ANNOUNCED = 1024**3 - 1  # under waitress's own limit (1 GiB), far over every route's
SENT = b'{"name": "a' + b"a" * 16  # the few bytes of it the client sends

SMS_TOO_LONG = (
    400,
    "SMS.6014",
    "The parameter part in the request body is too long. A body is at most 10,240 bytes.",
)
CONTROL_TOO_LARGE = (
    413,
    "MOCK.0410",
    f"The request body is too large. A body here is at most {CONTROL_BODY.max_bytes:,} bytes.",
)
SNAPSHOT_TOO_LARGE = (
    413,
    "MOCK.0410",
    f"The request body is too large. A body here is at most {SNAPSHOT_BODY.max_bytes:,} bytes.",
)
GATEWAY_TOO_LARGE = (413, "APIGW.0201", "Request entity too large.")

# Each route family and its documented answer; none of these requests carries a token.
ROUTES = [
    pytest.param("POST", "/v3/tasks", SMS_TOO_LONG, id="sms-create"),
    pytest.param("PUT", "/v3/tasks/sample-ready", SMS_TOO_LONG, id="sms-update"),
    pytest.param("POST", "/_mock/snapshot", SNAPSHOT_TOO_LARGE, id="snapshot"),
    pytest.param("POST", "/_mock/tasks", CONTROL_TOO_LARGE, id="control"),
    pytest.param("POST", "/v3/auth/tokens", GATEWAY_TOO_LARGE, id="iam"),
    pytest.param("POST", "/nowhere", GATEWAY_TOO_LARGE, id="no-route"),
]


def _send(port: int, head: bytes, body: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=WAIT_S)
    sock.sendall(head + body)
    return sock


def _head(method: str, path: str, length: int, *extra: str) -> bytes:
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        "Content-Type: application/json",
        f"Content-Length: {length}",
        *extra,
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def _answer(sock: socket.socket) -> tuple[int, dict[str, str], Any]:
    """The first answer on `sock`: its status, headers and JSON body (a wait that runs out
    raises, and fails the test)."""
    response = http.client.HTTPResponse(sock)
    response.begin()
    return response.status, dict(response.getheaders()), json.loads(response.read())


def _expected_body(code: str, message: str, headers: dict[str, str]) -> dict[str, str]:
    body = {"error_code": code, "error_msg": message}
    if code.startswith("APIGW."):
        body["request_id"] = headers["X-Request-Id"]
    return body


@contextmanager
def _closed() -> Iterator[None]:
    """The server's end of stream after its answer, or a reset for the bytes left unread."""
    with contextlib.suppress(ConnectionResetError):
        yield


def _journaled(live: LiveServer, path: str) -> list[dict[str, Any]]:
    answer = requests.get(f"{live.url}/_mock/requests", params={"path": path}, timeout=WAIT_S)
    return answer.json()["requests"]


@pytest.mark.parametrize(("method", "path", "expected"), ROUTES)
def test_a_body_announced_over_its_routes_limit_is_refused_before_it_is_sent(
    live: LiveServer, method: str, path: str, expected: tuple[int, str, str]
) -> None:
    status, code, message = expected
    with _send(live.port, _head(method, path, ANNOUNCED), SENT) as sock:
        answered, headers, body = _answer(sock)
        assert (answered, body) == (status, _expected_body(code, message, headers))
        assert headers["Connection"] == "close"  # the rest of the body is never read
        sock.settimeout(WAIT_S)
        with _closed():
            assert sock.recv(1) == b""
    assert _journaled(live, path) == []  # refused before the app saw it


def test_a_client_that_asks_to_continue_gets_the_refusal_instead(live: LiveServer) -> None:
    head = _head("POST", "/v3/tasks", ANNOUNCED, "Expect: 100-continue")
    with _send(live.port, head) as sock:
        answered, headers, body = _answer(sock)  # http.client would skip a "100 Continue"
        assert (answered, body) == (400, _expected_body(*SMS_TOO_LONG[1:], headers))
        sock.settimeout(WAIT_S)
        with _closed():
            assert sock.recv(1) == b""


def test_a_chunked_body_is_refused_once_it_passes_its_routes_limit(live: LiveServer) -> None:
    chunk = b"%x\r\n%s\r\n" % (4096, b" " * 4096)
    head = (
        b"POST /v3/tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunks = SMS_BODY.max_bytes // 4096 + 1  # just past the limit, and no last chunk ever
    with _send(live.port, head, chunk * chunks) as sock:
        answered, headers, body = _answer(sock)
        assert (answered, body) == (400, _expected_body(*SMS_TOO_LONG[1:], headers))
    assert _journaled(live, "/v3/tasks") == []


def test_a_body_at_its_routes_limit_goes_on_to_the_route(live: LiveServer) -> None:
    body = b'{"name": "' + b"a" * (SMS_BODY.max_bytes - 12) + b'"}'
    assert len(body) == SMS_BODY.max_bytes
    with _send(live.port, _head("POST", "/v3/tasks", len(body)), body) as sock:
        answered, _, answer = _answer(sock)
    # The gateway's token check: the request went past the server to the app.
    assert (answered, answer["error_code"]) == (401, "APIGW.0301")
    assert [entry["status"] for entry in _journaled(live, "/v3/tasks")] == [401]


ADMIN = "s3cret-admin-token"


def test_past_a_mebibyte_a_snapshot_is_received_from_the_admin_only() -> None:
    with LiveServer(Config(clock="manual", admin_token=ADMIN)) as server:
        # Without a token: refused at once, with the answer the admin rule gives after a body.
        announced = UNVOUCHED_BODY_BYTES + 1
        with _send(server.port, _head("POST", "/_mock/snapshot", announced), SENT) as sock:
            answered, headers, body = _answer(sock)
        assert (answered, body) == (
            401,
            _expected_body("MOCK.0401", ADMIN_TOKEN_ROW.message, headers),
        )
        # With it: a snapshot past a mebibyte is received whole and restored.
        admin = {"X-Mock-Admin-Token": ADMIN}
        snapshot = requests.get(f"{server.url}/_mock/snapshot", headers=admin, timeout=WAIT_S)
        padded = snapshot.content + b" " * (UNVOUCHED_BODY_BYTES + 1 - len(snapshot.content))
        restored = requests.post(
            f"{server.url}/_mock/snapshot",
            data=padded,
            headers={**admin, "Content-Type": "application/json"},
            timeout=WAIT_S,
        )
        assert (restored.status_code, restored.json()["status"]) == (200, "restored")
        journal = requests.get(
            f"{server.url}/_mock/requests", params={"path": "/_mock/snapshot"}, headers=admin,
            timeout=WAIT_S,
        ).json()["requests"]  # fmt: skip
    assert [(entry["method"], entry["status"]) for entry in journal] == [
        ("GET", 200),
        ("POST", 200),
    ]
