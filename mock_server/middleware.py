"""Around every request, below Flask: the admin token, HTTP faults, the journal, the state file.

It sits at the WSGI level because a dropped connection, a delay or a faked status must happen
before any route runs, and because the journal must see every answer, 404s and faults included.
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from waitress.channel import ClientDisconnected

from mock_server.clock import wall_ms
from mock_server.emulator import Emulator
from mock_server.http import parse_json
from mock_server.journal import FIRED

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

TASK_PATH = re.compile(r"^/v3/tasks/([^/]+)(?:/action)?$")
MAX_PEEK = 1024 * 1024  # bodies read to find an `operation`; larger ones go through unread
CONTROL = "/_mock"
UNJOURNALED = "/_mock/requests"  # reading the journal does not fill it


def _json(status: int, body: Any, request_id: str) -> tuple[str, list[tuple[str, str]], bytes]:
    data = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(data))),
        ("X-Request-Id", request_id),
    ]
    return f"{status} {_reason(status)}", headers, data


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


class EmulatorMiddleware:
    def __init__(self, app: WsgiApp, emulator: Emulator) -> None:
        self.app = app
        self.emulator = emulator

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        emulator = self.emulator
        fired: list[str] = []
        token = FIRED.set(fired)
        seen: dict[str, Any] = {"status": None, "request_id": None}
        task_id = operation = None
        try:
            if path.startswith(CONTROL) and not self._admin_allowed(environ):
                request_id = os.urandom(16).hex()
                status, headers, data = _json(
                    401,
                    {
                        "error_code": "SMS.9008",
                        "error_msg": "The control plane needs the X-Mock-Admin-Token header.",
                    },
                    request_id,
                )
                start_response(status, headers)
                seen.update(status=401, request_id=request_id)
                return [data]

            task_id, operation = self._task_and_operation(environ, method, path)
            if not path.startswith(CONTROL):
                fault = emulator.http_faults.fire(method, path, task_id, operation)
                if fault is not None:
                    fired.append(fault.id)
                    if fault.delay_ms:
                        time.sleep(fault.delay_ms / 1000)
                    if fault.drop:
                        # waitress closes the connection and writes nothing.
                        raise ClientDisconnected("dropped by an HTTP fault")
                    if fault.status is not None:
                        request_id = os.urandom(16).hex()
                        status, headers, data = _json(fault.status, _fault_body(fault.body),
                                                      request_id)  # fmt: skip
                        start_response(status, headers)
                        seen.update(status=fault.status, request_id=request_id)
                        return [data]

            def recording_start_response(status: str, headers: list, *args: Any) -> Any:
                seen["status"] = int(status.split(" ", 1)[0])
                seen["request_id"] = next((v for k, v in headers if k == "X-Request-Id"), None)
                return start_response(status, headers, *args)

            result = self.app(environ, recording_start_response)
            # Durable before the answer leaves: the state file sees every acknowledged write.
            emulator.save()
            return result
        finally:
            FIRED.reset(token)
            if path != UNJOURNALED:
                emulator.journal.record(
                    {
                        "time_ms": wall_ms(),
                        "clock_ms": emulator.clock.now_ms(),
                        "method": method,
                        "path": path,
                        "query": environ.get("QUERY_STRING", ""),
                        "status": seen["status"],
                        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                        "request_id": seen["request_id"],
                        "task_id": task_id,
                        "operation": operation,
                        "faults": fired,
                    }
                )

    def _admin_allowed(self, environ: dict[str, Any]) -> bool:
        expected = self.emulator.config.admin_token
        if not expected:
            return True
        given = environ.get("HTTP_X_MOCK_ADMIN_TOKEN", "")
        return secrets.compare_digest(given.encode(), expected.encode())

    @staticmethod
    def _task_and_operation(
        environ: dict[str, Any], method: str, path: str
    ) -> tuple[str | None, str | None]:
        match = TASK_PATH.match(path)
        if match is None:
            return None, None
        task_id = match.group(1)
        if method != "POST" or not path.endswith("/action"):
            return task_id, None
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return task_id, None
        if not 0 < length <= MAX_PEEK:
            return task_id, None
        body = environ["wsgi.input"].read(length)
        environ["wsgi.input"] = io.BytesIO(body)  # the route reads it again
        try:
            operation = parse_json(body).get("operation")
        except (ValueError, AttributeError):  # the route answers a malformed body
            return task_id, None
        return task_id, operation if isinstance(operation, str) else None


def _fault_body(body: Any) -> Any:
    if body is None:
        return {"error_code": "SMS.9009", "error_msg": "Injected by an HTTP fault."}
    return body.encode() if isinstance(body, str) else body
