"""Around every request, below Flask: the request id, who may reach the control plane (its host
names, no other site's page, the admin token), HTTP faults, the journal, the state file.

It sits at the WSGI level because a dropped connection, a delay or a faked status must happen
before any route runs, and because the journal must see every answer, 404s and faults included.
The request id is made here, once, and carried to the app in the WSGI environ.
"""

from __future__ import annotations

import io
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from waitress.channel import ClientDisconnected

from sms_mock.contracts import error_codes as codes
from sms_mock.mock_server.core.clock import wall_ms
from sms_mock.mock_server.core.errors import ApiError, catalogued, not_saved, wsgi_json
from sms_mock.mock_server.core.http import (
    PARSED_BODY_KEY,
    REQUEST_ID_KEY,
    TRUSTED_HOST_KEY,
    parse_json,
)
from sms_mock.mock_server.emulator import Emulator, SaveFailed
from sms_mock.mock_server.gateway.admin import CONTROL, AdminGate
from sms_mock.mock_server.gateway.http_faults import HttpFault
from sms_mock.mock_server.gateway.journal import FIRED
from sms_mock.mock_server.gateway.request_origin import (
    HostAllowList,
    foreign_request,
    guarded,
    is_dashboard,
    not_json,
    trusted_host,
)
from sms_mock.mock_server.sms.http import MAX_BODY_BYTES

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

TASK_PATH = re.compile(r"^/v3/tasks/([^/]+)(?:/action)?$")
# Bodies read to find an `operation`: no larger than SMS takes (larger ones it refuses unread).
MAX_PEEK = MAX_BODY_BYTES
UNJOURNALED = "/_mock/requests"  # reading the journal does not fill it
POLL_HEADER = "HTTP_X_MOCK_POLL"
# More keys for this request's journal entry, left in the environ by the app below (the
# proxy's: the violations it found, the upstream's request id).
JOURNAL_NOTES_KEY = "sms_mock.journal_notes"


def _journaled(method: str, path: str, environ: dict[str, Any]) -> bool:
    """Every request but reads of the journal itself, the dashboard's own pages, and a
    control-plane read sent with `X-Mock-Poll: 1`: a page left open does not fill the journal."""
    if path == UNJOURNALED:
        return False
    if method in ("GET", "HEAD") and path.startswith(CONTROL):
        return not (is_dashboard(path) or environ.get(POLL_HEADER) == "1")
    return True


def new_request_id() -> str:
    return os.urandom(16).hex()


_LOG_LOCK = threading.Lock()


def _log_request(
    method: str, path: str, status: int | None, started: float, fired: list[str]
) -> None:
    """`serve --log-requests`: `METHOD PATH STATUS MS [faults]`, flushed at once."""
    ms = (time.perf_counter() - started) * 1000
    faults = f" [{' '.join(fired)}]" if fired else ""
    line = f"{method} {path} {status if status is not None else 'dropped'} {ms:.1f}ms{faults}\n"
    with _LOG_LOCK:
        sys.stdout.write(line)
        sys.stdout.flush()


def _no_write(data: bytes) -> None:
    raise RuntimeError("the emulator's app answers through its iterable, never write()")


def injected_by_fault() -> ApiError:
    return catalogued(codes.MOCK_HTTP_FAULT)


class EmulatorMiddleware:
    def __init__(self, app: WsgiApp, emulator: Emulator, gate: AdminGate) -> None:
        self.app = app
        self.emulator = emulator
        config = emulator.config
        self.gate = gate
        self.hosts = HostAllowList.of(config.host, config.allowed_hosts)
        self.bound = config.host

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        started = time.perf_counter()
        method = environ.get("REQUEST_METHOD", "GET")
        path = environ.get("PATH_INFO", "")
        request_id = environ[REQUEST_ID_KEY] = new_request_id()
        emulator = self.emulator
        fired: list[str] = []
        token = FIRED.set(fired)
        seen: dict[str, Any] = {"status": None}
        task_id = operation = None

        def answer(status_line: str, headers: list, data: bytes) -> list[bytes]:
            seen["status"] = int(status_line.split(" ", 1)[0])
            start_response(status_line, headers)
            return [data]

        try:
            if guarded(path):
                foreign = foreign_request(environ, method, path, self.hosts)
                if foreign is not None:
                    return answer(*foreign.wsgi_answer(request_id))
            # Catalogs and links name this host, never one the allow-list does not take; found
            # only by the few answers that build one, not on every request.
            environ[TRUSTED_HOST_KEY] = partial(trusted_host, environ, self.hosts, self.bound)
            if path.startswith(CONTROL) and not is_dashboard(path):
                refusal = self.gate.refusal(environ)
                if refusal is not None:
                    return answer(*refusal.wsgi_answer(request_id))
            refusal = not_json(environ, method, path)
            if refusal is not None:
                return answer(*refusal.wsgi_answer(request_id))

            task_id, operation = self._task_and_operation(environ, method, path)
            if not path.startswith(CONTROL):
                fault = emulator.http_faults.fire(method, path, task_id, operation)
                if fault is not None:
                    fired.append(fault.id)
                    try:
                        emulator.save()  # its count is on disk before it is answered
                    except SaveFailed as exc:
                        return answer(*not_saved(str(exc), path).wsgi_answer(request_id))
                    if fault.delay_ms:
                        time.sleep(fault.delay_ms / 1000)
                    if fault.drop:
                        # waitress closes the connection and writes nothing.
                        raise ClientDisconnected("dropped by an HTTP fault")
                    if fault.status is not None:
                        return answer(*_fault_answer(fault, request_id))

            # The app's status and headers are held back until its change is saved: a change
            # that could not be saved is answered as such, not as the app's success.
            held: list[tuple[Any, ...]] = []

            def holding_start_response(status: str, headers: list, *args: Any) -> Any:
                seen["status"] = int(status.split(" ", 1)[0])
                held[:] = [(status, headers, *args)]
                return _no_write

            failures_before = emulator.save_failures
            result = self.app(environ, holding_start_response)
            try:
                # Durable before the answer leaves: the state file sees every acknowledged write.
                emulator.save()
                if emulator.save_failures != failures_before:
                    # Another request's failed save undid the state this one changed.
                    raise SaveFailed("undone with a concurrent change that could not be saved")
            except SaveFailed as exc:
                if hasattr(result, "close"):
                    result.close()
                return answer(*not_saved(str(exc), path).wsgi_answer(request_id))
            start_response(*held[0])
            return result
        finally:
            FIRED.reset(token)
            if emulator.config.log_requests:
                _log_request(method, path, seen["status"], started, fired)
            if _journaled(method, path, environ):
                emulator.journal.record(
                    {
                        "time_ms": wall_ms(),
                        "clock_ms": emulator.clock.now_ms(),
                        "method": method,
                        "path": path,
                        "query": environ.get("QUERY_STRING", ""),
                        "status": seen["status"],
                        "duration_ms": round((time.perf_counter() - started) * 1000, 3),
                        "request_id": request_id,
                        "task_id": task_id,
                        "operation": operation,
                        "faults": fired,
                        **environ.get(JOURNAL_NOTES_KEY, {}),
                    }
                )

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
        environ["wsgi.input"] = io.BytesIO(body)  # the route reads the bytes again ...
        try:
            parsed = parse_json(body)
        except ValueError:  # the route answers a malformed body
            return task_id, None
        environ[PARSED_BODY_KEY] = (body, parsed)  # ... but does not parse them again
        operation = parsed.get("operation") if isinstance(parsed, dict) else None
        return task_id, operation if isinstance(operation, str) else None


def _fault_answer(fault: HttpFault, request_id: str) -> tuple[str, list[tuple[str, str]], bytes]:
    if fault.body is None:
        error = injected_by_fault()
        return wsgi_json(fault.status or error.status, error.body(request_id), request_id)
    body = fault.body.encode() if isinstance(fault.body, str) else fault.body
    return wsgi_json(fault.status or 500, body, request_id)
