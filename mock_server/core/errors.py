"""The one error type of the emulator, and the four body formats its answers come in.

Every error the emulator answers is an `ApiError`: raised by a route and rendered by the app,
or rendered directly below Flask by the gateway middleware and by waitress's own error task.
Each service builds its errors with the constructor of its format (`sms/errors.py`,
`iam/errors.py`, `gateway/auth.py`); the request id is added when the answer is rendered.
"""

from __future__ import annotations

import json
from enum import StrEnum
from http import HTTPStatus
from typing import Any

from sms_mock.contracts import error_codes as codes
from sms_mock.contracts.error_codes import ErrorCode

JSON = "application/json"
CONTROL_PREFIX = "/_mock"  # the control plane's paths, the dashboard's among them


class BodyFormat(StrEnum):
    SMS = "sms"  # {"error_code": "SMS.xxxx", "error_msg": ...}; the emulator's own MOCK.xxxx too
    GATEWAY = "gateway"  # {"error_code": "APIGW.xxxx", "error_msg": ..., "request_id": ...}
    KEYSTONE = "keystone"  # {"error": {"code": <status>, "message": ..., "title": ...}}
    IAM = "iam"  # {"error_code": "IAM.xxxx", "error_msg": ...}: IAM's own /v3.0 APIs


class ApiError(Exception):
    """An error answer: its HTTP status, its code and message, and the format of its body."""

    def __init__(self, status: int, code: str, message: str, body_format: BodyFormat) -> None:
        super().__init__(f"{code}: {message}")
        self.status, self.code, self.message, self.body_format = status, code, message, body_format

    def body(self, request_id: str) -> dict[str, Any]:
        if self.body_format is BodyFormat.KEYSTONE:
            title = HTTPStatus(self.status).phrase
            return {"error": {"code": self.status, "message": self.message, "title": title}}
        body = {"error_code": self.code, "error_msg": self.message}
        if self.body_format is BodyFormat.GATEWAY:
            body["request_id"] = request_id
        return body

    def headers(self) -> list[tuple[str, str]]:
        """Headers the answer carries besides the JSON body's own (e.g. `Retry-After`)."""
        return []

    def wsgi_answer(self, request_id: str) -> tuple[str, list[tuple[str, str]], bytes]:
        """(status line, headers, body) for an answer written below Flask."""
        status, headers, body = wsgi_json(self.status, self.body(request_id), request_id)
        return status, [*headers, *self.headers()], body


def sms_error(status: int, code: str, message: str) -> ApiError:
    """An error in the SMS service's own format."""
    return ApiError(status, code, message, BodyFormat.SMS)


def catalogued(row: ErrorCode, detail: str = "", value: str = "") -> ApiError:
    """The error catalogue's answer for `row` (`contracts/error_codes.py`), `detail` after its
    message (and `value` in its `%s`, where it has one): the one way an SMS.xxxx or MOCK.xxxx
    answer is made."""
    return ApiError(row.status, row.code, row.text(detail, value), BodyFormat.SMS)


def on_control_plane(path: str) -> bool:
    return path.startswith(CONTROL_PREFIX)


def gateway_error(status: int, code: str, message: str) -> ApiError:
    """An error the API gateway answers itself, before the service sees the request."""
    return ApiError(status, code, message, BodyFormat.GATEWAY)


def keystone_error(status: int, message: str) -> ApiError:
    """An error of IAM's token endpoints, in Keystone's format (its code is the status)."""
    return ApiError(status, str(status), message, BodyFormat.KEYSTONE)


def iam_error(status: int, code: str, message: str) -> ApiError:
    """An error of IAM's own (`/v3.0`) APIs, in Huawei's format rather than Keystone's."""
    return ApiError(status, code, message, BodyFormat.IAM)


def not_saved(reason: str, path: str) -> ApiError:
    """A change the state file could not take (a full disk): undone, so nothing was done.

    The service's database error on its API, the emulator's own code on the control plane.
    """
    if on_control_plane(path):
        return catalogued(codes.MOCK_STATE_FILE, reason)
    return catalogued(codes.STATE_FILE, f"The change was not saved, and was undone: {reason}")


def internal_error(path: str) -> ApiError:
    """An error nobody foresaw (logged by the app): the service's own 500, never a trace."""
    return catalogued(codes.MOCK_INTERNAL if on_control_plane(path) else codes.SERVICE_ERROR)


def route_not_found() -> ApiError:
    # The gateway answers 404 for an unknown path and for a known path with a method it
    # does not serve alike: to it both are an API that "does not exist".
    return gateway_error(
        404, "APIGW.0101", "The API does not exist or has not been published in the environment."
    )


def entity_too_large() -> ApiError:
    return gateway_error(413, "APIGW.0201", "Request entity too large.")


def request_refused(status: int, reason: str) -> ApiError:
    """What the gateway answers for a request the HTTP server refused before the app saw it."""
    return gateway_error(status, "APIGW.0201", f"API request error: {reason}.")


def json_bytes(body: Any) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()


def status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


def wsgi_json(status: int, body: Any, request_id: str) -> tuple[str, list[tuple[str, str]], bytes]:
    """(status line, headers, body) of a JSON answer written below Flask."""
    data = json_bytes(body)
    headers = [
        ("Content-Type", JSON),
        ("Content-Length", str(len(data))),
        ("X-Request-Id", request_id),
    ]
    return status_line(status), headers, data
