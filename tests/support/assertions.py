"""What an answer must be, checked in one place: error bodies (README, "The HTTP API", "Errors"),
a refused request that changes nothing, and a document that keeps what it was given.

An error body comes in one of four formats, told apart by its code:

- the SMS service's: `{"error_code": "SMS.xxxx", "error_msg": ...}`, and the emulator's own in
  its shape, `{"error_code": "MOCK.xxxx", ...}`;
- IAM's own (`/v3.0` calls): `{"error_code": "IAM.xxxx", "error_msg": ...}`;
- the API gateway's: `{"error_code": "APIGW.xxxx", "error_msg": ..., "request_id": ...}`, whose
  `request_id` is the answer's `X-Request-Id`;
- Keystone's: `{"error": {"code": <the status>, "message": ..., "title": ...}}`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager
from typing import Any

import requests
from werkzeug.test import TestResponse

from sms_mock.contracts.errors import (
    ApigwErrorSchema,
    IamErrorSchema,
    KeystoneErrorSchema,
    MockErrorSchema,
    SmsErrorSchema,
)
from sms_mock.mock_server.emulator import Emulator

# The start of every APIGW.0301 message; the reason follows it.
AUTH_FAILED = "Incorrect IAM authentication information: "

SMS_KEYS = {"error_code", "error_msg"}
APIGW_KEYS = {"error_code", "error_msg", "request_id"}
KEYSTONE_KEYS = {"code", "message", "title"}

Response = TestResponse | requests.Response


def _json(response: Response) -> Any:
    return response.get_json() if isinstance(response, TestResponse) else response.json()


def _text(response: Response) -> str:
    if isinstance(response, TestResponse):
        return response.get_data(as_text=True)
    return response.text


def has_request_id(response: Response) -> str:
    """The answer's `X-Request-Id`, which every answer carries."""
    request_id = response.headers.get("X-Request-Id", "")
    assert request_id, f"no X-Request-Id on a {response.status_code} answer"
    return request_id


def error_body(response: Response, status: int, code: str | Collection[str]) -> dict[str, Any]:
    """The error body of `response`, once it is checked to be the error `code` with `status`.

    `code` is an SMS code (`"SMS.7703"`), one of the emulator's own (`"MOCK.0400"`), an IAM
    code (`"IAM.0007"`), a gateway code (`"APIGW.0301"`) or, for a Keystone body, its title
    (`"Unauthorized"`): Keystone's own code is the status. Several codes of one format accept
    any of them. Checked: the status, `X-Request-Id`, the body through the contract schema of
    its format, its exact keys, the code, and a gateway body's `request_id`.
    `response` is a Flask test client's answer or a `requests` one.
    """
    codes = {code} if isinstance(code, str) else set(code)
    assert codes, "no code given"
    assert response.status_code == status, f"{response.status_code}: {_text(response)[:500]}"
    request_id = has_request_id(response)
    body = _json(response)
    if all(c.startswith("SMS.") for c in codes):
        SmsErrorSchema().load(body)
        assert set(body) == SMS_KEYS, body
        assert body["error_code"] in codes, body
    elif all(c.startswith("MOCK.") for c in codes):
        MockErrorSchema().load(body)
        assert set(body) == SMS_KEYS, body
        assert body["error_code"] in codes, body
    elif all(c.startswith("IAM.") for c in codes):
        IamErrorSchema().load(body)
        assert set(body) == SMS_KEYS, body
        assert body["error_code"] in codes, body
    elif all(c.startswith("APIGW.") for c in codes):
        ApigwErrorSchema().load(body)
        assert set(body) == APIGW_KEYS, body
        assert body["error_code"] in codes, body
        assert body["request_id"] == request_id, "request_id is not the X-Request-Id header"
    else:
        assert not any(c.startswith(("SMS.", "MOCK.", "IAM.", "APIGW.")) for c in codes), codes
        KeystoneErrorSchema().load(body)
        assert set(body) == {"error"}, body
        assert set(body["error"]) == KEYSTONE_KEYS, body
        assert body["error"]["code"] == status, body
        assert body["error"]["title"] in codes, body
    return body


def error_message(response: Response, status: int, code: str | Collection[str]) -> str:
    """The message of an error body (`error_msg`, or Keystone's `message`), as `error_body`."""
    body = error_body(response, status, code)
    return body["error"]["message"] if "error" in body else body["error_msg"]


@contextmanager
def changes_nothing(emulator: Emulator) -> Iterator[None]:
    """The block leaves every task of the emulator as it was, byte for byte."""
    before = emulator.sms.export()
    yield
    assert emulator.sms.export() == before, "a refused request changed the tasks"


def keeps_every_given_field(given: Any, answer: Any) -> bool:
    """Every key given, at every level, comes back with its value; keys may be added."""
    if isinstance(given, dict):
        return isinstance(answer, dict) and all(
            key in answer and keeps_every_given_field(value, answer[key])
            for key, value in given.items()
        )
    if isinstance(given, list):
        return (
            isinstance(answer, list)
            and len(given) == len(answer)
            and all(keeps_every_given_field(g, a) for g, a in zip(given, answer, strict=True))
        )
    return type(given) is type(answer) and given == answer
